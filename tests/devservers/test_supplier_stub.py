"""The supplier stub over HTTP: paging, versions, seeded faults and its control endpoint."""

from __future__ import annotations

import requests


def _get(stub, path: str, **params) -> requests.Response:
    return requests.get(f"{stub.url}{path}", params=params, timeout=5)


def test_pages_and_cursors_both_walk_the_whole_catalog_once(supplier_stub):
    first = _get(supplier_stub, "/products", page=1).json()
    assert (first["total"], first["pages"], first["page_size"], first["version"]) == (300, 6, 50, 0)

    by_number = [
        item for n in range(1, 7) for item in _get(supplier_stub, "/products", page=n).json()["items"]
    ]
    by_cursor, page = [], first
    while True:
        by_cursor += page["items"]
        if not page["next_cursor"]:
            break
        page = _get(supplier_stub, "/products", cursor=page["next_cursor"]).json()

    assert by_number == by_cursor == supplier_stub.catalog()
    assert len({item["ref"] for item in by_number}) == 300
    assert _get(supplier_stub, "/products", page=7).status_code == 404


def test_versions_change_prices_stock_and_membership_and_stay_reproducible(supplier_stub):
    before = {item["ref"]: item for item in supplier_stub.catalog()}
    assert supplier_stub.control(advance_version=10)["version"] == 10
    after = {item["ref"]: item for item in supplier_stub.catalog()}

    assert set(before) - set(after), "some products disappear"
    assert set(after) - set(before), "some products appear"
    common = set(before) & set(after)
    assert any(before[r]["price"] != after[r]["price"] for r in common)
    assert any(before[r]["stock"] != after[r]["stock"] for r in common)
    assert all(before[r]["name"] == after[r]["name"] for r in common)
    # A past version is served again exactly (a sync pins the version it started on).
    assert {i["ref"]: i for i in supplier_stub.catalog(version=0)} == before
    assert _get(supplier_stub, "/products", page=1, version=11).status_code == 400


def test_faults_are_seeded_so_the_same_requests_fault_the_same_way(supplier_stub):
    def responses() -> list[requests.Response]:
        supplier_stub.reset(error_rate=0.3, throttle_rate=0.2, retry_after=7)
        return [_get(supplier_stub, "/products", page=1 + n % 3) for n in range(30)]

    first = [r.status_code for r in responses()]
    again = responses()

    assert first == [r.status_code for r in again]
    assert {200, 429, 500} <= set(first)
    assert {r.headers["Retry-After"] for r in again if r.status_code == 429} == {"7"}
    counters = supplier_stub.state()["counters"]
    assert counters["ok"] + counters["error"] + counters["throttle"] == 30


def test_at_most_max_consecutive_faults_in_a_row_on_one_page(supplier_stub):
    supplier_stub.control(error_rate=1.0, max_consecutive_faults=2)

    codes = [_get(supplier_stub, "/products", page=2).status_code for _ in range(6)]

    assert codes == [500, 500, 200, 500, 500, 200]


def test_a_malformed_page_is_truncated_json_every_time(supplier_stub):
    supplier_stub.control(malformed_pages=[2])

    for _ in range(2):
        response = _get(supplier_stub, "/products", page=2)
        assert response.status_code == 200
        try:
            response.json()
            raise AssertionError("page 2 should not parse")
        except requests.JSONDecodeError:
            pass
    assert _get(supplier_stub, "/products", page=3).json()["page"] == 3


def test_control_rejects_bad_switches_and_keeps_the_old_ones(supplier_stub):
    for body in ({"bogus": 1}, {"error_rate": "lots"}, {"error_rate": 0.8, "throttle_rate": 0.5}, [1]):
        response = requests.post(f"{supplier_stub.url}/control", json=body, timeout=5)
        assert response.status_code == 400, body
        assert "error" in response.json()
    assert supplier_stub.state()["switches"]["error_rate"] == 0.0


def test_pictures_have_validators_answer_conditional_gets_and_fault_on_their_own(supplier_stub):
    supplier_stub.reset(pictures_per_product=2)
    item = supplier_stub.catalog()[0]
    url = item["pictures"][0]
    assert url.startswith(f"{supplier_stub.url}/pictures/{item['ref']}/")

    picture = requests.get(url, timeout=10)
    assert (picture.status_code, picture.headers["Content-Type"]) == (200, "image/jpeg")
    assert (
        picture.content.startswith(b"\xff\xd8\xff")
        and requests.get(url, timeout=10).content == picture.content
    )
    etag, modified = picture.headers["ETag"], picture.headers["Last-Modified"]
    assert requests.get(url, headers={"If-None-Match": etag}, timeout=5).status_code == 304
    assert requests.get(url, headers={"If-Modified-Since": modified}, timeout=5).status_code == 304
    assert requests.get(url, headers={"If-None-Match": '"other"'}, timeout=5).status_code == 200
    assert _get(supplier_stub, f"/pictures/{item['ref']}/9.jpg").status_code == 404

    supplier_stub.put_picture(f"/pictures/{item['ref']}/1.jpg", b"<svg/>", content_type="image/svg+xml")
    replaced = requests.get(url, headers={"If-None-Match": etag}, timeout=5)
    assert (replaced.status_code, replaced.content) == (200, b"<svg/>") and replaced.headers["ETag"] != etag

    supplier_stub.control(picture_error_rate=1.0)
    assert requests.get(url, timeout=5).status_code == 500
    assert _get(supplier_stub, "/products", page=1).status_code == 200, "the catalog API is not affected"
    assert supplier_stub.state()["picture_counters"]["error"] == 1
