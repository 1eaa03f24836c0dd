"""The order app's canvases. Services start them with shop.jobs.services.workflow_start.

    charge_payment
      -> chord(render_invoice_pdf, book_shipment)        (in parallel; results are tiny dicts)
      -> prepare_confirmation                             (returns the message id)
      -> send_message_task                                (mail queue, HIGH)
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

from . import tasks


def order_workflow(*, order_id: int) -> Signature:
    def step(signature: Signature) -> Signature:
        return signature.on_error(tasks.order_fail_task.si(order_id))

    return chain(
        step(tasks.charge_payment_task.si(order_id)),
        chord(
            [step(tasks.render_invoice_pdf_task.si(order_id)), step(tasks.book_shipment_task.si(order_id))],
            step(tasks.prepare_confirmation_task.si(order_id)),
        ),
        step(message_send_workflow()),
        step(tasks.complete_order_task.si(order_id)),
    )


def refund_workflow(*, order_id: int) -> Signature:
    return tasks.payments_refund_task.si(order_id)
