"""The order workflow's steps (see workflows.py), each applying its effect at most once.

Every step records its effect in an OrderStepRecord, unique per (order, step), inside the
transaction that applies the effect, under a lock on the order row. A step Celery redelivers
or retries finds its record and returns the recorded result: no second charge, invoice,
mail or status change. A step that finds the order cancelled or failed does nothing and
raises OrderNotActive (the task then stops the chain).

Calls to the gateway happen outside any transaction (a slow gateway must not hold the
database); they are idempotent by key, so repeating one is safe.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from catalog.services import stock_fulfil
from notifications.services import MessageKind, message_prepare
from shop.platform.errors import ShopError, StepSkipped, TransientError

from . import compensation, payments
from .invoice import invoice_pdf
from .models import Order, OrderStepRecord, Payment


class OrderNotActive(StepSkipped):
    """The order is no longer in the state this step works in (cancelled or failed)."""


class PaymentDeclined(ShopError):
    """The gateway declined the card: the order fails (see compensation.order_fail)."""


class StepNotReady(TransientError):
    """A step ran before the one it depends on (a redelivered chord header): retry later."""


class Step:
    CHARGE = "charge"
    INVOICE = "invoice"
    SHIPMENT = "shipment"
    CONFIRMATION = "confirmation"
    COMPLETE = "complete"


def _recorded(order_id: int, step: str) -> dict[str, Any] | None:
    return (
        OrderStepRecord.objects.filter(order_id=order_id, step=step).values_list("result", flat=True).first()
    )


def _step_once(
    *, order_id: int, step: str, requires: str, effect: Callable[[Order], dict[str, Any]]
) -> dict[str, Any]:
    """Apply `effect` to the locked order and record it, unless `step` was recorded before."""
    with transaction.atomic():
        order = Order.objects.select_for_update().select_related("customer").get(id=order_id)
        record, created = OrderStepRecord.objects.get_or_create(order=order, step=step)
        if not created:
            return record.result
        if order.status != requires:
            raise OrderNotActive(f"Order {order.number} is {order.status}: {step} does nothing.")
        record.result = effect(order)
        record.save(update_fields=["result"])
        return record.result


def _active_order(order_id: int, *, requires: str) -> Order:
    order = Order.objects.select_related("customer").get(id=order_id)
    if order.status != requires:
        raise OrderNotActive(f"Order {order.number} is {order.status}.")
    return order


# --- charge_payment ----------------------------------------------------------------------


def _payment_open(order_id: int) -> tuple[Payment, str]:
    """The order's one Payment (created pending on the first run), and the card token."""
    with transaction.atomic():
        order = Order.objects.select_for_update().get(id=order_id)
        if order.status != Order.Status.PLACED:
            raise OrderNotActive(f"Order {order.number} is {order.status}: nothing to charge.")
        payment, _ = Payment.objects.get_or_create(
            idempotency_key=f"order:{order.number}:charge",
            defaults={"order": order, "amount": order.total, "currency": order.currency},
        )
    return payment, order.payment_token


def charge_payment(*, order_id: int) -> dict[str, Any]:
    """Charge the order's total once. Raises PaymentDeclined, TransientGatewayError, OrderNotActive."""
    if (done := _recorded(order_id, Step.CHARGE)) is not None:
        return done
    payment, token = _payment_open(order_id)
    try:
        receipt = payments.gateway().charge(
            idempotency_key=payment.idempotency_key,
            amount=payment.amount,
            currency=payment.currency,
            token=token,
        )
    except payments.CardDeclined as exc:
        Payment.objects.filter(id=payment.id, status=Payment.Status.PENDING).update(
            status=Payment.Status.DECLINED, error=str(exc)
        )
        raise PaymentDeclined(f"Payment declined: {exc}") from exc

    def capture(order: Order) -> dict[str, Any]:
        Payment.objects.filter(id=payment.id).update(
            status=Payment.Status.CAPTURED, gateway_reference=receipt.reference, error=""
        )
        order.transition_to(Order.Status.PAID)
        order.save(update_fields=["status", "updated_at"])
        return {"payment": payment.id, "reference": receipt.reference}

    try:
        return _step_once(order_id=order_id, step=Step.CHARGE, requires=Order.Status.PLACED, effect=capture)
    except OrderNotActive:
        # Cancelled while the gateway was charging: the money was taken, so give it back.
        compensation.late_capture_refund(payment_id=payment.id, gateway_reference=receipt.reference)
        raise


# --- render_invoice_pdf and book_shipment (run in parallel) ------------------------------


def render_invoice_pdf(*, order_id: int) -> dict[str, Any]:
    """Render the invoice once and store it in Order.invoice."""
    if (done := _recorded(order_id, Step.INVOICE)) is not None:
        return done
    order = _active_order(order_id, requires=Order.Status.PAID)
    pdf = invoice_pdf(order=order, lines=list(order.lines.all()))

    def store(locked: Order) -> dict[str, Any]:
        # Media files are served without a login: an unguessable folder keeps invoices private.
        name = f"{secrets.token_urlsafe(16)}/invoice-{locked.number}.pdf"
        locked.invoice.save(name, ContentFile(pdf), save=False)
        locked.save(update_fields=["invoice", "updated_at"])
        return {"invoice": locked.invoice.name, "bytes": len(pdf)}

    return _step_once(order_id=order_id, step=Step.INVOICE, requires=Order.Status.PAID, effect=store)


def book_shipment(*, order_id: int) -> dict[str, Any]:
    """Book the parcel with the carrier once: a tracking number, next-day for express orders."""

    def book(order: Order) -> dict[str, Any]:
        # The demo carrier's barcode format: 3S, the shop's customer code, the order id.
        order.tracking_number = f"3SGRGR{order.id:09d}"
        order.save(update_fields=["tracking_number", "updated_at"])
        return {
            "tracking_number": order.tracking_number,
            "service": "next-day" if order.express else "standard",
        }

    return _step_once(order_id=order_id, step=Step.SHIPMENT, requires=Order.Status.PAID, effect=book)


# --- prepare_confirmation and complete_order ---------------------------------------------


def _confirmation_context(order: Order) -> dict[str, Any]:
    return {
        "name": order.customer.first_name or order.customer.get_username(),
        "order_number": order.number,
        "lines": [
            {"quantity": line.quantity, "name": line.product_name, "total": f"{line.line_total:.2f}"}
            for line in order.lines.all()
        ],
        "total": f"{order.total:.2f}",
        "currency": order.currency,
        "tracking_number": order.tracking_number,
        "order_url": f"{settings.SITE_URL}/orders/{order.id}/",
    }


def prepare_confirmation(*, order_id: int) -> int:
    """Prepare the confirmation mail (invoice attached) once; return its message id."""

    def prepare(order: Order) -> dict[str, Any]:
        if not order.invoice:
            raise StepNotReady(f"Order {order.number}: the invoice is not rendered yet.")
        message = message_prepare(
            kind=MessageKind.ORDER_CONFIRMATION,
            key=f"order:{order.number}:confirmation",
            to=order.customer.email,
            context=_confirmation_context(order),
            attachments=[order.invoice.name],
        )
        return {"message": message.id}

    result = _step_once(order_id=order_id, step=Step.CONFIRMATION, requires=Order.Status.PAID, effect=prepare)
    return result["message"]


def complete_order(*, order_id: int) -> dict[str, Any]:
    """Mark the paid order completed, once: its units leave the stock (allocations fulfilled).

    Not at book_shipment: until the order completes it may still fail or be cancelled, and
    then its parcel is not sent and its units go back on sale.
    """

    def complete(order: Order) -> dict[str, Any]:
        stock_fulfil(holder=order.stock_holder)
        order.transition_to(Order.Status.COMPLETED)
        order.completed_at = timezone.now()
        order.save(update_fields=["status", "completed_at", "updated_at"])
        return {"completed_at": order.completed_at.isoformat()}

    return _step_once(order_id=order_id, step=Step.COMPLETE, requires=Order.Status.PAID, effect=complete)
