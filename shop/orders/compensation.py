"""Undoing an order: release its stock once, refund its capture once, fail or cancel it.

The decision to fail or cancel is one status transition under a lock on the order row; the
stock release, the start of the refund and the customer's mail happen in that same
transaction, so they happen exactly once whoever gets there first (the workflow's errback,
the customer's cancel, or a charge that lands after a cancel).
"""

from __future__ import annotations

from django.db import transaction

from catalog.services import stock_deallocate
from notifications.services import MessageKind, message_start
from shop.celery import Priority
from shop.platform.errors import Conflict
from shop.platform.jobs.models import JobStep
from shop.platform.jobs.services import job_cancel, workflow_start

from . import payments
from .models import Order, OrderStepRecord, Payment
from .workflows import refund_workflow

GENERIC_FAILURE = "A step of the order workflow failed."


def stock_release(order: Order) -> bool:
    """Release the units the order holds, once: they go back on sale. Only the allocation
    ends; the quantity on hand (the supplier's count) is not touched, so a release can never
    put on sale units the supplier does not have. Call inside the deciding transaction."""
    if not Order.objects.filter(id=order.id, stock_released=False).update(stock_released=True):
        return False
    stock_deallocate(holder=order.stock_holder)
    order.stock_released = True
    return True


def refund_start(order: Order) -> None:
    """Start the refund of the order's captured payment, if any (on commit, via the outbox)."""

    if order.payments.filter(status=Payment.Status.CAPTURED).exists():
        workflow_start(
            kind="order_refund",
            subject=f"order:{order.id}",
            workflow=refund_workflow(order_id=order.id),
            priority=Priority.HIGH,
            owner=order.customer,
        )


def late_capture_refund(*, payment_id: int, gateway_reference: str) -> None:
    """A charge that succeeded after its order was cancelled: record it and refund it, once."""
    with transaction.atomic():
        captured = Payment.objects.filter(id=payment_id, status=Payment.Status.PENDING).update(
            status=Payment.Status.CAPTURED, gateway_reference=gateway_reference
        )
        if captured:
            refund_start(Payment.objects.select_related("order__customer").get(id=payment_id).order)


def payments_refund(*, order_id: int) -> list[str]:
    """Refund the captured payments of a cancelled or failed order; return the references.

    The gateway refunds once per key and the status moves captured -> refunded once, so a
    retried or redelivered refund does nothing twice.
    """
    references = []
    undone = Payment.objects.filter(
        order_id=order_id,
        status=Payment.Status.CAPTURED,
        order__status__in=[Order.Status.CANCELLED, Order.Status.FAILED],
    )
    for payment in undone:
        receipt = payments.gateway().refund(
            idempotency_key=f"{payment.idempotency_key}:refund",
            charge_reference=payment.gateway_reference,
            amount=payment.amount,
            currency=payment.currency,
        )
        with transaction.atomic():
            OrderStepRecord.objects.get_or_create(
                order_id=order_id,
                step=f"refund:{payment.id}",
                defaults={"result": {"reference": receipt.reference}},
            )
            Payment.objects.filter(id=payment.id, status=Payment.Status.CAPTURED).update(
                status=Payment.Status.REFUNDED, refund_reference=receipt.reference
            )
        references.append(receipt.reference)
    return references


def _failure_reason(order: Order) -> str:
    declined = order.payments.filter(status=Payment.Status.DECLINED).values_list("error", flat=True).first()
    if declined:
        return f"Payment declined: {declined}"
    failed = (
        JobStep.objects.filter(job_id=order.job_id, state=JobStep.State.FAILURE, role=JobStep.Role.STEP)
        .order_by("finished_at")
        .first()
    )
    return f"{failed.name} failed: {failed.error}" if failed else GENERIC_FAILURE


def order_failure_note(*, order_id: int, reason: str) -> None:
    """Record why a step failed for good (a task's failure hook); a specific reason wins."""
    Order.objects.filter(id=order_id, failure_reason__in=["", GENERIC_FAILURE]).exclude(
        status__in=[Order.Status.CANCELLED, Order.Status.COMPLETED]
    ).update(failure_reason=reason[:2000])


def order_fail(*, order_id: int) -> bool:
    """The workflow's errback: fail the order, release its stock, refund it, tell the customer.

    Does nothing for an order that is already final (cancelled orders were compensated by
    the cancel). Returns whether this call failed the order.
    """
    with transaction.atomic():
        order = Order.objects.select_for_update().select_related("customer").get(id=order_id)
        if order.is_final:
            return False
        order.transition_to(Order.Status.FAILED)
        order.failure_reason = order.failure_reason or _failure_reason(order)
        order.save(update_fields=["status", "failure_reason", "updated_at"])
        OrderStepRecord.objects.create(order=order, step="fail", result={"reason": order.failure_reason})
        stock_release(order)
        refund_start(order)
        if order.customer.email:
            message_start(
                kind=MessageKind.PAYMENT_FAILED,
                key=f"order:{order.number}:payment_failed",
                to=order.customer.email,
                context={
                    "name": order.customer.first_name or order.customer.get_username(),
                    "order_number": order.number,
                    "reason": order.failure_reason,
                },
                owner=order.customer,
            )
    return True


def order_cancel(*, order_id: int) -> Order:
    """Cancel an order: revoke the steps that have not run, compensate those that have.

    Race-safe with the running workflow: the transition happens under the order row's lock,
    and every step checks the status under the same lock before it applies its effect.
    Cancelling a cancelled order returns it unchanged; a completed or failed one is a 409.
    """
    with transaction.atomic():
        order = Order.objects.select_for_update().select_related("customer").get(id=order_id)
        if order.status == Order.Status.CANCELLED:
            return order
        if order.is_final:
            raise Conflict(
                f"Order {order.number} is {order.status} and can no longer be cancelled.",
                code="order_not_cancellable",
                details={"order": order.id, "status": order.status},
            )
        order.transition_to(Order.Status.CANCELLED)
        order.save(update_fields=["status", "updated_at"])
        OrderStepRecord.objects.create(order=order, step="cancel", result={})
        stock_release(order)
        refund_start(order)
        if order.job_id:
            job_cancel(job_id=order.job_id, reason=f"Order {order.number} cancelled by the customer.")
    return order
