"""Cancel at each stage: before the workflow starts, after the charge, during a slow charge,
after completion (409). Compensation happens once: stock back, refund once, no mail."""

from __future__ import annotations

from django.db import transaction

from catalog.models import Product
from shop.celery import app
from shop.orders import steps
from shop.orders.models import Order, Payment
from shop.platform.coordination import redis_client
from shop.platform.jobs.models import Job, JobStep
from tests.harness.jobs import wait_for_job, wait_until

from .conftest import CARD_SLOW, checkout


def _refund_finished(order: Order) -> Job:
    wait_until(lambda: Job.objects.filter(kind="order_refund", subject=f"order:{order.id}").exists(),
               message="the refund job")  # fmt: skip
    return wait_for_job(Job.objects.get(kind="order_refund", subject=f"order:{order.id}"), timeout=30)


def test_cancel_before_the_workflow_starts_revokes_every_step(worker, mailbox, api, apples):
    with transaction.atomic():  # the workflow is sent only when this commits
        order = checkout(api, [(apples.id, 4)]).json()
        cancelled = api.post(f"/api/orders/{order['id']}/cancel/")
        assert Product.objects.get(id=apples.id).available == 10

    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    charge = JobStep.objects.get(job_id=order["job"]["id"], name="charge_payment")
    # The worker discards the revoked message on arrival and records it revoked.
    wait_until(lambda: app.AsyncResult(charge.task_id).state == "REVOKED", message="the charge was revoked")
    assert JobStep.objects.get(id=charge.id).state == JobStep.State.REVOKED
    assert Job.objects.get(id=order["job"]["id"]).status == Job.Status.CANCELLED
    assert not Payment.objects.exists()
    assert Order.objects.get(id=order["id"]).status == Order.Status.CANCELLED
    assert mailbox.count() == 0


def test_cancel_after_the_charge_refunds_it_and_releases_the_stock(worker, mailbox, api, apples):
    with transaction.atomic():
        order = Order.objects.get(id=checkout(api, [(apples.id, 4)]).json()["id"])
        steps.charge_payment(order_id=order.id)  # the first step ran; the rest has not
        assert api.post(f"/api/orders/{order.id}/cancel/").status_code == 200

    assert _refund_finished(order).status == Job.Status.SUCCEEDED
    payment = Payment.objects.get(order=order)
    assert payment.status == Payment.Status.REFUNDED and payment.refund_reference.startswith("re_")
    assert Product.objects.get(id=apples.id).available == 10
    assert Order.objects.get(id=order.id).status == Order.Status.CANCELLED
    assert mailbox.count() == 0


def test_cancel_while_a_slow_charge_runs_refunds_the_late_capture_once(worker, mailbox, api, apples):
    order = Order.objects.get(id=checkout(api, [(apples.id, 2)], card=CARD_SLOW).json()["id"])
    # The payment is pending while the gateway takes its time (devservers/payment_gateway.py SLOW_SECONDS).
    wait_until(lambda: Payment.objects.filter(order=order, status=Payment.Status.PENDING).exists(),
               message="the gateway is charging")  # fmt: skip

    response = api.post(f"/api/orders/{order.id}/cancel/")

    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    assert Product.objects.get(id=apples.id).available == 10  # released at once, not after the charge
    assert _refund_finished(order).status == Job.Status.SUCCEEDED
    payment = Payment.objects.get(order=order)
    assert payment.status == Payment.Status.REFUNDED
    assert len(redis_client().keys("gateway:refund:*")) == 1
    order.refresh_from_db()
    assert order.status == Order.Status.CANCELLED and not order.invoice
    assert Product.objects.get(id=apples.id).available == 10
    assert mailbox.count() == 0


def test_cancelling_a_completed_order_is_a_409_and_a_cancelled_one_stays_cancelled(
    worker, mailbox, api, apples
):
    completed = checkout(api, [(apples.id, 1)]).json()
    wait_for_job(completed["job"]["id"])
    mailbox.wait_for(1)

    response = api.post(f"/api/orders/{completed['id']}/cancel/")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "order_not_cancellable"
    assert Payment.objects.get(order_id=completed["id"]).status == Payment.Status.CAPTURED
    assert Product.objects.get(id=apples.id).available == 9

    with transaction.atomic():
        placed = checkout(api, [(apples.id, 1)]).json()
        first, again = (api.post(f"/api/orders/{placed['id']}/cancel/") for _ in range(2))
    assert (first.status_code, again.status_code) == (200, 200)
    assert Product.objects.get(id=apples.id).available == 9
