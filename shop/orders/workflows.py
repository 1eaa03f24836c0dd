"""The order app's canvases. Services start them with shop.platform.jobs.services.workflow_start.

    charge_payment
      -> chord(render_invoice_pdf, book_shipment)        (in parallel; results are tiny dicts)
      -> prepare_confirmation                             (returns the message id)
      -> send_message                                     (mail queue, HIGH)
      -> complete_order

Every task carries its own errback, order_fail, so a step that fails for good (a declined
card, retries spent) fails and compensates the order. The chord header tasks carry it too:
Celery folds the steps after a chord into the chord's body, and a chain body has no errback
of its own for a failed header to reach.
"""

from __future__ import annotations

from celery import chain, chord
from celery.canvas import Signature

from notifications.workflows import message_send_workflow
from shop.platform.jobs.steps import step


def order_workflow(*, order_id: int) -> Signature:
    def order_step(signature: Signature) -> Signature:
        return signature.on_error(step("orders.order_fail", order_id=order_id))

    return chain(
        order_step(step("orders.charge_payment", order_id=order_id)),
        chord(
            [
                order_step(step("orders.render_invoice_pdf", order_id=order_id)),
                order_step(step("orders.book_shipment", order_id=order_id)),
            ],
            order_step(step("orders.prepare_confirmation", order_id=order_id)),
        ),
        order_step(message_send_workflow()),
        order_step(step("orders.complete_order", order_id=order_id)),
    )


def refund_workflow(*, order_id: int) -> Signature:
    return step("orders.payments_refund", order_id=order_id)
