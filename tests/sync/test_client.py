"""SupplierClient against the real stub: typed records, and every failure sorted correctly."""

from __future__ import annotations

from decimal import Decimal

import pytest

from sync.client import (
    MalformedPayload,
    PermanentSupplierError,
    SupplierClient,
    SupplierProduct,
    TransientSupplierError,
    retry_after_seconds,
)
from tests.harness.processes import free_port


@pytest.fixture
def client(supplier_stub):
    with SupplierClient(base_url=supplier_stub.url, connect_timeout=1, read_timeout=0.5) as client:
        yield client


def test_a_page_comes_back_as_typed_records(client, supplier_stub):
    page = client.page(number=2, page_size=50)

    assert (page.number, page.pages, page.total, page.version, len(page.items)) == (2, 6, 300, 0, 50)
    first = page.items[0]
    assert isinstance(first, SupplierProduct)
    assert isinstance(first.price, Decimal)
    assert first == SupplierProduct(
        **{
            **supplier_stub.catalog()[50],
            "price": Decimal(supplier_stub.catalog()[50]["price"]),
            "pictures": (),
        }
    )


def test_a_pinned_version_is_served_after_the_catalog_moved_on(client, supplier_stub):
    before = client.page(number=1, page_size=50)
    supplier_stub.control(advance_version=2)

    assert client.page(number=1, page_size=50, version=0) == before
    assert client.page(number=1, page_size=50).version == 2


def test_a_500_is_transient(client, supplier_stub):
    supplier_stub.control(error_rate=1.0)

    with pytest.raises(TransientSupplierError, match="HTTP 500") as caught:
        client.page(number=1, page_size=50)
    assert caught.value.retry_after is None


def test_a_429_is_transient_and_carries_its_retry_after(client, supplier_stub):
    supplier_stub.control(throttle_rate=1.0, retry_after=17)

    with pytest.raises(TransientSupplierError, match="HTTP 429") as caught:
        client.page(number=1, page_size=50)
    assert caught.value.retry_after == 17


def test_a_read_timeout_is_transient(client, supplier_stub):
    supplier_stub.control(timeout_rate=1.0, timeout_seconds=1.5)

    with pytest.raises(TransientSupplierError, match="ReadTimeout"):
        client.page(number=1, page_size=50)


def test_a_hung_supplier_times_out_as_a_retry_well_before_a_sync_step_is_stopped():
    """A sync step stopped by its soft time limit fails instead of retrying: the client's own
    timeouts must end one request (and the rate-limit wait before it) inside every limit."""
    from sync import tasks

    client = SupplierClient.from_settings()
    connect, read = client.timeout
    longest_request = client.rate_limit_wait + connect + read
    assert connect > 0 and read > 0
    for task in (tasks.sync_run_begin, tasks.sync_page_apply, tasks.sync_page_pictures):
        assert longest_request < task.soft_time_limit, task.name


def test_nobody_listening_is_transient():
    with (
        SupplierClient(
            base_url=f"http://127.0.0.1:{free_port()}", connect_timeout=1, read_timeout=1
        ) as client,
        pytest.raises(TransientSupplierError, match="ConnectionError"),
    ):
        client.page(number=1, page_size=50)


def test_a_malformed_page_is_permanent(client, supplier_stub):
    supplier_stub.control(malformed_pages=[3])

    with pytest.raises(MalformedPayload, match="not JSON"):
        client.page(number=3, page_size=50)
    assert issubclass(MalformedPayload, PermanentSupplierError)
    assert not issubclass(MalformedPayload, TransientSupplierError)


def test_other_4xx_are_permanent(client):
    with pytest.raises(PermanentSupplierError, match="HTTP 404"):
        client.page(number=99, page_size=50)
    with pytest.raises(PermanentSupplierError, match="HTTP 400"):
        client.page(number=1, page_size=50, version=12)  # a version the supplier has not reached


def test_retry_after_reads_seconds_and_http_dates():
    assert retry_after_seconds("120") == 120
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:30 GMT", now=1445412500) == 10
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412500) == 0
    assert retry_after_seconds("soon") is None
    assert retry_after_seconds(None) is None
