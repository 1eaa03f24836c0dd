"""Order steps (shop.platform.jobs.steps is the contract; shop/celery.py routes `orders.*` to `orders`).

Transient errors (a gateway timeout, a step that ran before the one it needs) are retried;
a step that finds its order cancelled is skipped; a final failure is noted on the order
(the errback, order_fail, then fails and compensates it).
"""

from __future__ import annotations

from typing import Any

from shop.platform.jobs.steps import RetryPolicy, StepFailure, step_task

from . import compensation, services, steps

RETRY = RetryPolicy(max_retries=6, backoff=2, cap=60)


def _order_failed(*, order_id: int, failure: StepFailure) -> None:
    declined = isinstance(failure.error, steps.PaymentDeclined)
    reason = str(failure.error) if declined else f"{failure.step} failed: {failure.message}"
    compensation.order_failure_note(order_id=order_id, reason=reason)


def _order_step(**limits: int):
    return step_task(retry=RETRY, on_final_failure=_order_failed, **limits)


@_order_step(soft_time_limit=30, time_limit=45)
def charge_payment(*, order_id: int) -> dict[str, Any]:
    return steps.charge_payment(order_id=order_id)


@_order_step(soft_time_limit=30, time_limit=45)
def render_invoice_pdf(*, order_id: int) -> dict[str, Any]:
    return steps.render_invoice_pdf(order_id=order_id)


@_order_step(soft_time_limit=10, time_limit=20)
def book_shipment(*, order_id: int) -> dict[str, Any]:
    return steps.book_shipment(order_id=order_id)


@_order_step(soft_time_limit=20, time_limit=30)
def prepare_confirmation(*, order_id: int) -> int:
    return steps.prepare_confirmation(order_id=order_id)


@_order_step(soft_time_limit=10, time_limit=20)
def complete_order(*, order_id: int) -> dict[str, Any]:
    return steps.complete_order(order_id=order_id)


@step_task(ignore_result=True, soft_time_limit=20, time_limit=30)
def order_fail(*, order_id: int) -> None:
    compensation.order_fail(order_id=order_id)


@step_task(retry=RETRY, ignore_result=True, soft_time_limit=30, time_limit=45)
def payments_refund(*, order_id: int) -> None:
    compensation.payments_refund(order_id=order_id)


@step_task(ignore_result=True, soft_time_limit=60, time_limit=90)
def sweep_stalled_orders() -> int:
    return services.stalled_orders_redispatch()
