"""Order tasks: thin wrappers that own the retry, time-limit and failure policy.

Only transient errors are retried (a gateway timeout, a step that ran before the one it
needs), with exponential backoff, full jitter, a cap and a bounded number of retries. A step
that finds its order cancelled raises Ignore: it did nothing and the chain stops there.
Routing (shop/celery.py): every task here -> the orders queue.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from celery import shared_task
from celery.exceptions import Ignore

from shop.jobs.tracking import TrackedTask

from . import compensation, services, steps
from .payments import TransientGatewayError

logger = logging.getLogger(__name__)

TRANSIENT_RETRY = {
    "autoretry_for": (TransientGatewayError, steps.StepNotReady),
    "retry_backoff": 2,
    "retry_backoff_max": 60,
    "retry_jitter": True,
    "max_retries": 6,
}


class OrderStepTask(TrackedTask):
    """Records on the order why a step failed for good (the errback then fails the order)."""

    def on_failure(self, exc, task_id, args, kwargs, einfo):
        order_id = args[0] if args else kwargs.get("order_id")
        if order_id is not None:
            step = self.name.rsplit(".", 1)[-1].removesuffix("_task")
            if isinstance(exc, steps.PaymentDeclined):
                reason = str(exc)
            else:
                reason = f"{step} failed: {type(exc).__name__}: {exc}"
            compensation.order_failure_note(order_id=order_id, reason=reason)
        super().on_failure(exc, task_id, args, kwargs, einfo)


def _step_run(step: Callable[..., Any], order_id: int) -> Any:
    try:
        return step(order_id=order_id)
    except steps.OrderNotActive as exc:
        logger.info("Order %s: %s", order_id, exc)
        raise Ignore() from exc


@shared_task(base=OrderStepTask, soft_time_limit=30, time_limit=45, **TRANSIENT_RETRY)
def charge_payment_task(order_id: int) -> dict[str, Any]:
    return _step_run(steps.charge_payment, order_id)


@shared_task(base=OrderStepTask, soft_time_limit=30, time_limit=45, **TRANSIENT_RETRY)
def render_invoice_pdf_task(order_id: int) -> dict[str, Any]:
    return _step_run(steps.render_invoice_pdf, order_id)


@shared_task(base=OrderStepTask, soft_time_limit=10, time_limit=20, **TRANSIENT_RETRY)
def book_shipment_task(order_id: int) -> dict[str, Any]:
    return _step_run(steps.book_shipment, order_id)


@shared_task(base=OrderStepTask, soft_time_limit=20, time_limit=30, **TRANSIENT_RETRY)
def prepare_confirmation_task(order_id: int) -> int:
    return _step_run(steps.prepare_confirmation, order_id)


@shared_task(base=OrderStepTask, soft_time_limit=10, time_limit=20, **TRANSIENT_RETRY)
def complete_order_task(order_id: int) -> dict[str, Any]:
    return _step_run(steps.complete_order, order_id)


@shared_task(ignore_result=True, soft_time_limit=20, time_limit=30)
def order_fail_task(order_id: int) -> None:
    compensation.order_fail(order_id=order_id)


@shared_task(ignore_result=True, soft_time_limit=30, time_limit=45, **TRANSIENT_RETRY)
def payments_refund_task(order_id: int) -> None:
    compensation.payments_refund(order_id=order_id)


@shared_task(ignore_result=True, soft_time_limit=60, time_limit=90)
def sweep_stalled_orders() -> int:
    return services.stalled_orders_redispatch()
