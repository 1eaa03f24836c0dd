"""POST /api/orders/ and the reads: validation, stock, Idempotency-Key, who sees what.

These run in one rolled-back transaction (no worker): the workflow is recorded, never sent.
"""

from __future__ import annotations

import pytest

from catalog.models import Product
from shop.orders.models import Order
from shop.platform.jobs.models import Job
from tests.factories import CompletedOrderFactory, ProductFactory, StaffFactory, UserFactory

from .conftest import CARD_SUCCEEDS, checkout, client_for

pytestmark = pytest.mark.django_db


def test_checkout_answers_201_with_the_order_its_snapshot_and_its_job(api, shopper, apples):
    response = checkout(api, [(apples.id, 2)], express=True)

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "placed" and body["number"].startswith("GG-")
    assert body["lines"] == [{"product": apples.id, "product_name": "Apples", "sku": apples.sku, "quantity": 2,
                              "unit_price": "2.50", "line_total": "5.00"}]  # fmt: skip
    assert (body["subtotal"], body["shipping"], body["total"], body["card_last4"]) == (
        "5.00",
        "7.50",
        "12.50",
        "4242",
    )
    assert body["job"]["kind"] == "order" and body["job"]["subject"] == f"order:{body['id']}"
    assert Product.objects.get(id=apples.id).available == 8
    order = Order.objects.get(id=body["id"])
    assert CARD_SUCCEEDS not in str(Order.objects.filter(id=order.id).values().first())


@pytest.mark.parametrize(
    "second_line, problem",
    [
        ({"product": 999_999, "quantity": 1}, "does not exist or is not for sale"),
        ({"product": "inactive", "quantity": 1}, "does not exist or is not for sale"),
        ({"product": "pears", "quantity": 0}, "quantity must be between 1 and 99"),
        ({"product": "pears", "quantity": 100_000}, "quantity must be between 1 and 99"),
        ({"product": "pears", "quantity": "lots"}, "A valid integer is required"),
        ({"product": "apples", "quantity": 1}, "already on another line"),
        ({"product": 10**30, "quantity": 1}, "less than or equal to"),
        ("not a line", "Expected a dictionary"),
    ],
)
def test_a_bad_line_is_a_400_that_names_it_and_reserves_nothing(api, apples, pears, second_line, problem):
    products = {"apples": apples.id, "pears": pears.id, "inactive": ProductFactory(is_active=False).id}
    if isinstance(second_line, dict):
        second_line = {**second_line, "product": products.get(second_line["product"], second_line["product"])}
    body = {"lines": [{"product": apples.id, "quantity": 1}, second_line], "card_number": CARD_SUCCEEDS}

    response = api.post("/api/orders/", body, format="json")

    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert "lines[1]" in error["message"] and problem in error["message"]
    assert Product.objects.get(id=apples.id).available == 10
    assert not Order.objects.exists()


@pytest.mark.parametrize(
    "body",
    [{}, {"lines": [], "card_number": CARD_SUCCEEDS}, {"lines": "apples", "card_number": CARD_SUCCEEDS},
     {"lines": [{"product": 1, "quantity": 1}], "card_number": "4111111111111111"}],
)  # fmt: skip
def test_malformed_requests_and_unknown_cards_are_400s(api, body):
    response = api.post("/api/orders/", body, format="json")

    assert response.status_code == 400, response.content
    assert response.json()["error"]["message"]


def test_not_enough_stock_is_a_409_naming_the_product_and_nothing_is_reserved(api, apples, pears):
    response = checkout(api, [(apples.id, 3), (pears.id, 11)])

    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "out_of_stock" and "Pears" in error["message"]
    assert error["details"] == {
        "line": 1,
        "product": pears.id,
        "sku": pears.sku,
        "requested": 11,
        "available": 10,
    }
    assert {p.available for p in Product.objects.all()} == {10}
    assert not Order.objects.exists() and not Job.objects.exists()


def test_the_same_idempotency_key_and_body_returns_the_same_order_once(api, apples):
    first = checkout(api, [(apples.id, 2)], key="checkout-1")
    again = checkout(api, [(apples.id, 2)], key="checkout-1")

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    assert Order.objects.count() == 1 and Job.objects.count() == 1
    assert Product.objects.get(id=apples.id).available == 8


def test_the_same_idempotency_key_with_another_body_is_a_409(api, apples):
    first = checkout(api, [(apples.id, 2)], key="checkout-1")
    other = checkout(api, [(apples.id, 3)], key="checkout-1")

    assert other.status_code == 409
    assert other.json()["error"]["details"]["order"] == first.json()["id"]
    assert Product.objects.get(id=apples.id).available == 8


def test_idempotency_keys_belong_to_one_customer(api, apples):
    first = checkout(api, [(apples.id, 1)], key="shared-key")
    theirs = checkout(client_for(UserFactory()), [(apples.id, 1)], key="shared-key")

    assert (first.status_code, theirs.status_code) == (201, 201)
    assert theirs.json()["id"] != first.json()["id"]


def test_customers_see_only_their_own_orders(api, shopper, apples):
    mine = checkout(api, [(apples.id, 1)]).json()
    theirs = CompletedOrderFactory()

    listed = api.get("/api/orders/").json()
    assert [o["id"] for o in listed["results"]] == [mine["id"]]
    for url in (f"/api/orders/{theirs.id}/", f"/api/orders/{theirs.id}/invoice/"):
        assert api.get(url).status_code == 404
    assert api.post(f"/api/orders/{theirs.id}/cancel/").status_code == 404
    assert api.get("/api/orders/not-a-number/").status_code == 404
    assert client_for(StaffFactory()).get(f"/api/orders/{mine['id']}/").status_code == 200


def test_the_invoice_before_it_is_rendered_is_a_409_that_says_so(api, apples):
    order = checkout(api, [(apples.id, 1)]).json()

    response = api.get(f"/api/orders/{order['id']}/invoice/")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "invoice_not_ready"


def test_the_schema_describes_the_orders_api(api):
    schema = client_for(StaffFactory()).get("/api/schema/?format=json").json()

    assert {
        "/api/orders/",
        "/api/orders/{id}/",
        "/api/orders/{id}/cancel/",
        "/api/orders/{id}/invoice/",
    } <= set(schema["paths"])
    create = schema["paths"]["/api/orders/"]["post"]
    assert {"201", "200", "400", "409"} <= set(create["responses"])
    assert any(p["name"] == "Idempotency-Key" for p in create["parameters"])
    assert (
        "application/pdf"
        in schema["paths"]["/api/orders/{id}/invoice/"]["get"]["responses"]["200"]["content"]
    )


def test_the_admin_shows_an_order_with_its_lines_payments_and_job(api, apples, admin_client):
    order = checkout(api, [(apples.id, 1)]).json()

    assert admin_client.get("/admin/orders/order/").status_code == 200
    page = admin_client.get(f"/admin/orders/order/{order['id']}/change/")
    assert page.status_code == 200
    assert f"/admin/jobs/job/{order['job']['id']}/change/".encode() in page.content
    assert b"Apples" in page.content
