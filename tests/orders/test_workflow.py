"""The order workflow on the real worker, with mail through the real SMTP sink."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from pypdf import PdfReader

from catalog.models import Product
from shop.orders.models import Order, OrderStepRecord, Payment
from shop.platform.jobs.models import Job, JobStep
from tests.factories import StaffFactory
from tests.harness.jobs import wait_for_job, wait_until

from .conftest import CARD_DECLINED, CARD_TRANSIENT, checkout, client_for


def _placed(response) -> Order:
    assert response.status_code == 201, response.content
    return Order.objects.get(id=response.json()["id"])


def _finished(order: Order) -> Order:
    wait_for_job(order.job_id, timeout=60)
    return Order.objects.get(id=order.id)


def test_happy_path_completes_with_one_payment_one_mail_with_the_invoice_and_exact_stock(
    worker, mailbox, api, shopper, apples, pears
):
    order = _finished(_placed(checkout(api, [(apples.id, 3), (pears.id, 2)])))

    assert order.status == Order.Status.COMPLETED
    assert order.total == Decimal("3") * Decimal("2.50") + 2 * Decimal("3.20") + Decimal("3.95")
    payment = Payment.objects.get(order=order)
    assert (payment.status, payment.amount) == (Payment.Status.CAPTURED, order.total)
    assert {p.id: p.available for p in Product.objects.all()} == {apples.id: 7, pears.id: 8}
    assert order.tracking_number
    assert set(OrderStepRecord.objects.filter(order=order).values_list("step", flat=True)) == {
        "charge", "invoice", "shipment", "confirmation", "complete"
    }  # fmt: skip
    job = Job.objects.get(id=order.job_id)
    assert job.status == Job.Status.SUCCEEDED
    assert job.priority == "high"

    [mail] = mailbox.wait_for(1)
    assert mailbox.count(to=shopper.email) == 1
    assert order.number in mail["Subject"]
    [pdf] = [part for part in mail.iter_attachments() if part.get_content_type() == "application/pdf"]
    assert pdf.get_filename() == f"invoice-{order.number}.pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.get_content())).pages)
    assert f"Invoice {order.number}" in text and "Apples" in text and "VAT" in text
    assert f"{order.total:,.2f}" in text

    for reader in (api, client_for(StaffFactory())):
        response = reader.get(f"/api/orders/{order.id}/invoice/")
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        assert b"".join(response.streaming_content) == pdf.get_content()


def test_a_declined_card_fails_the_order_restores_stock_and_mails_the_customer(
    worker, mailbox, api, shopper, apples
):
    order = _placed(checkout(api, [(apples.id, 4)], card=CARD_DECLINED))
    wait_until(lambda: Job.objects.filter(kind="mail").first(), message="the payment_failed mail job")
    wait_for_job(Job.objects.get(kind="mail"), timeout=30)
    order.refresh_from_db()

    assert order.status == Order.Status.FAILED
    assert order.failure_reason.startswith("Payment declined")
    assert order.stock_released
    assert Product.objects.get(id=apples.id).available == 10
    assert Payment.objects.get(order=order).status == Payment.Status.DECLINED
    assert Job.objects.get(id=order.job_id).status == Job.Status.FAILED
    [mail] = mailbox.wait_for(1)
    assert "could not complete" in mail["Subject"]
    assert mailbox.count(to=shopper.email) == 1


def test_a_transient_gateway_failure_is_retried_and_charges_once(worker, mailbox, api, apples):
    order = _finished(_placed(checkout(api, [(apples.id, 1)], card=CARD_TRANSIENT)))

    assert order.status == Order.Status.COMPLETED
    assert Payment.objects.filter(order=order, status=Payment.Status.CAPTURED).count() == 1
    charge_step = JobStep.objects.get(job_id=order.job_id, name="charge_payment")
    assert charge_step.retries == 2
    mailbox.wait_for(1)


@pytest.mark.parametrize("express, priority", [(True, "critical"), (False, "high")])
def test_express_orders_run_at_critical_and_the_mail_step_stays_high(db, api, apples, express, priority):
    order = _placed(checkout(api, [(apples.id, 1)], express=express))

    steps = {s.name: s.priority for s in JobStep.objects.filter(job_id=order.job_id, role="step")}
    assert steps.pop("send_message") == "high"
    assert set(steps.values()) == {priority}


def test_a_step_after_the_charge_that_fails_for_good_refunds_and_fails_the_order(
    worker, mailbox, api, apples, settings, tmp_path
):
    # A real fault: the media folder lies under a file, so storing the invoice fails (OSError).
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    settings.MEDIA_ROOT = str(blocker / "media")

    order = _placed(checkout(api, [(apples.id, 2)]))
    wait_until(lambda: Job.objects.filter(kind="order_refund").exists(), message="the refund job")
    wait_for_job(Job.objects.get(kind="order_refund"), timeout=30)

    order.refresh_from_db()
    assert order.status == Order.Status.FAILED
    assert order.failure_reason.startswith("render_invoice_pdf failed: ")
    assert Payment.objects.get(order=order).status == Payment.Status.REFUNDED
    assert Product.objects.get(id=apples.id).available == 10
    assert (
        JobStep.objects.get(job_id=order.job_id, name="prepare_confirmation").state == JobStep.State.PENDING
    )
    [mail] = mailbox.wait_for(1)
    assert "could not complete" in mail["Subject"]


def _broker_priorities(signature: dict, found: dict | None = None) -> dict[str, set[int]]:
    """Each task's broker priority in a stored canvas, by its short name (errbacks left out)."""
    found = {} if found is None else found
    kwargs = signature.get("kwargs", {})
    children = kwargs.get("tasks") or []
    if signature.get("subtask_type") == "chord":
        header = kwargs["header"]
        children = [*(header["kwargs"]["tasks"] if isinstance(header, dict) else header), kwargs["body"]]
    if not signature.get("subtask_type"):
        found.setdefault(signature["task"].rsplit(".", 1)[-1], set()).add(signature["options"]["priority"])
    for child in children:
        _broker_priorities(child, found)
    return found


@pytest.mark.parametrize("express, first, later", [(False, 2, 1), (True, 0, 0)])
def test_an_order_further_along_goes_ahead_of_new_orders_charges(db, api, apples, express, first, later):
    # Redis serves 0 first: a placed order's later steps (1) pass every new charge (2) and the
    # express orders' steps (0) pass them all.
    order = _placed(checkout(api, [(apples.id, 1)], express=express))

    priorities = _broker_priorities(Job.objects.get(id=order.job_id).signature)
    assert priorities.pop("charge_payment") == {first}
    assert priorities.pop("send_message") == {2}  # the mail queue's own HIGH, as set
    assert priorities == {
        name: {later}
        for name in ("render_invoice_pdf", "book_shipment", "prepare_confirmation", "complete_order")
    }  # fmt: skip
