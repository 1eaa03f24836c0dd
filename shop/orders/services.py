"""Placing orders, and the sweeper for workflows that never started.

The workflow's steps live in steps.py; failing, cancelling and refunding in compensation.py.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone

from catalog.selectors import products_by_id
from catalog.services import StockLine, StockShort, stock_allocate
from shop.celery import Priority
from shop.platform.errors import Conflict, InvalidInput
from shop.platform.jobs.dispatch import job_redispatch
from shop.platform.jobs.models import Job
from shop.platform.jobs.services import workflow_start

from . import payments
from .models import Order, OrderLine
from .workflows import order_workflow

if TYPE_CHECKING:
    from catalog.models import Product

MAX_LINES = 50
MAX_QUANTITY = 99
STANDARD_SHIPPING = Decimal("3.95")
EXPRESS_SHIPPING = Decimal("7.50")
FREE_STANDARD_SHIPPING_FROM = Decimal("40.00")
# Order numbers: GG-<yymmdd>-<6 characters>, without look-alikes (0/O, 1/I/L).
NUMBER_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
# An order whose workflow has not started this long after it was sent lost its messages.
STALLED_AFTER = timedelta(minutes=10)


@dataclass(frozen=True)
class LineRequest:
    product_id: int
    quantity: int


@dataclass(frozen=True)
class Placement:
    order: Order
    created: bool  # False: an earlier request with the same Idempotency-Key placed it


def order_priority(order: Order) -> Priority:
    return Priority.CRITICAL if order.express else Priority.HIGH


def _line_error(index: int, line: LineRequest, problem: str) -> InvalidInput:
    return InvalidInput(
        f"lines[{index}]: {problem}",
        code="invalid_line",
        details={"line": index, "product": line.product_id, "quantity": line.quantity, "problem": problem},
    )


def _products_for(lines: Sequence[LineRequest]) -> dict[int, Product]:
    """Check every line; return the products by id. Raises InvalidInput naming the first bad line."""
    if not lines:
        raise InvalidInput(
            "lines: an order needs at least one line.", code="invalid_line", details={"line": None}
        )
    if len(lines) > MAX_LINES:
        raise InvalidInput(
            f"lines: at most {MAX_LINES} lines per order.", code="invalid_line", details={"line": None}
        )
    seen: set[int] = set()
    for index, line in enumerate(lines):
        if not 1 <= line.quantity <= MAX_QUANTITY:
            raise _line_error(index, line, f"quantity must be between 1 and {MAX_QUANTITY}.")
        if line.product_id in seen:
            raise _line_error(index, line, "this product is already on another line.")
        seen.add(line.product_id)
    products = products_by_id(ids=seen)
    for index, line in enumerate(lines):
        product = products.get(line.product_id)
        if product is None or not product.is_active:
            raise _line_error(index, line, f"product {line.product_id} does not exist or is not for sale.")
    return products


def _stock_allocate(order: Order, lines: Sequence[LineRequest], products: dict[int, Product]) -> None:
    """Hold the units of every line for the order; Conflict (out_of_stock) naming the first short line.

    Raised inside the checkout transaction, it rolls the order back with whatever was held.
    """
    try:
        stock_allocate(
            holder=order.stock_holder,
            lines=[StockLine(product_id=line.product_id, quantity=line.quantity) for line in lines],
        )
    except StockShort as short:
        index = next(i for i, line in enumerate(lines) if line.product_id == short.line.product_id)
        product = products[short.line.product_id]
        raise Conflict(
            f"Not enough stock for {product.name}: {short.line.quantity} requested, {short.available} available.",
            code="out_of_stock",
            details={"line": index, "product": product.id, "sku": product.sku,
                     "requested": short.line.quantity, "available": short.available},
        ) from short  # fmt: skip


def _fingerprint(lines: Sequence[LineRequest], express: bool, card: payments.CardToken) -> str:
    body = {"lines": [[line.product_id, line.quantity] for line in lines], "express": express,
            "card": [card.token, card.last4]}  # fmt: skip
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


def _replay(customer: AbstractBaseUser, idempotency_key: str, fingerprint: str) -> Order | None:
    """The order an earlier request with this key placed; Conflict if that request was different."""
    if not idempotency_key:
        return None
    order = Order.objects.filter(customer=customer, idempotency_key=idempotency_key).first()
    if order is not None and order.request_fingerprint != fingerprint:
        raise Conflict(
            "This Idempotency-Key was used for a different order request.",
            code="idempotency_key_reused",
            details={"order": order.id, "number": order.number},
        )
    return order


def _order_number() -> str:
    suffix = "".join(secrets.choice(NUMBER_ALPHABET) for _ in range(6))
    return f"GG-{timezone.localdate():%y%m%d}-{suffix}"


def _order_create(**fields) -> Order:
    """Create the order under a fresh number (a clash is retried; the space is ~887M a day)."""
    for _ in range(5):
        number = _order_number()
        try:
            with transaction.atomic():
                return Order.objects.create(number=number, **fields)
        except IntegrityError:
            if not Order.objects.filter(number=number).exists():
                raise
    raise IntegrityError("Could not find a free order number.")


def order_place(
    *,
    customer: AbstractBaseUser,
    lines: Sequence[LineRequest],
    express: bool,
    card_number: str,
    idempotency_key: str = "",
) -> Placement:
    """Check the lines, record the order, hold its stock and start its workflow, atomically.

    The workflow is sent when the transaction commits (or later by the outbox sweeper).
    The same Idempotency-Key with the same request returns the first order; with a
    different request it is a Conflict.
    """
    try:
        card = payments.gateway().card_tokenize(card_number)
    except payments.InvalidCard as exc:
        raise InvalidInput(
            f"card_number: {exc}", code="invalid_card", details={"card_number": [str(exc)]}
        ) from exc
    fingerprint = _fingerprint(lines, express, card)
    if (earlier := _replay(customer, idempotency_key, fingerprint)) is not None:
        return Placement(order=earlier, created=False)
    try:
        order = _order_place_atomically(
            customer=customer, lines=lines, express=express, card=card,
            idempotency_key=idempotency_key, fingerprint=fingerprint,
        )  # fmt: skip
    except IntegrityError:
        # A concurrent request with the same key won the race: answer as it did.
        if (earlier := _replay(customer, idempotency_key, fingerprint)) is not None:
            return Placement(order=earlier, created=False)
        raise
    return Placement(order=order, created=True)


@transaction.atomic
def _order_place_atomically(
    *,
    customer: AbstractBaseUser,
    lines: Sequence[LineRequest],
    express: bool,
    card: payments.CardToken,
    idempotency_key: str,
    fingerprint: str,
) -> Order:

    products = _products_for(lines)
    subtotal = sum((products[line.product_id].price * line.quantity for line in lines), Decimal("0.00"))
    if express:
        shipping = EXPRESS_SHIPPING
    else:
        shipping = Decimal("0.00") if subtotal >= FREE_STANDARD_SHIPPING_FROM else STANDARD_SHIPPING
    order = _order_create(
        customer=customer,
        express=express,
        currency="EUR",
        subtotal=subtotal,
        shipping=shipping,
        total=subtotal + shipping,
        card_number=card.last4,
        payment_token=card.token,
        idempotency_key=idempotency_key,
        request_fingerprint=fingerprint,
        placed_at=timezone.now(),
    )
    OrderLine.objects.bulk_create(
        OrderLine(
            order=order,
            product=products[line.product_id],
            product_name=products[line.product_id].name,
            sku=products[line.product_id].sku,
            quantity=line.quantity,
            unit_price=products[line.product_id].price,
            line_total=products[line.product_id].price * line.quantity,
        )
        for line in lines
    )
    _stock_allocate(order, lines, products)
    order.job = workflow_start(
        kind="order",
        subject=f"order:{order.id}",
        workflow=order_workflow(order_id=order.id),
        priority=order_priority(order),
        owner=customer,
    )
    order.save(update_fields=["job"])
    return order


def stalled_orders_redispatch(*, older_than: timedelta = STALLED_AFTER) -> int:
    """Send again the workflows of unfinished orders whose Job has been quiet `older_than`.

    Their messages were lost (Redis lost data, a worker was SIGKILLed at the wrong moment);
    see shop.platform.jobs.dispatch.job_redispatch. The outbox sweeper covers workflows that were
    never sent. STALLED_AFTER exceeds every order step's hard limit plus the longest retry
    countdown (the confirmation mail's 300 s), so a slow order is never resent.
    """
    stalled = Order.objects.filter(
        status__in=[Order.Status.PLACED, Order.Status.PAID],
        job__status__in=[Job.Status.PENDING, Job.Status.RUNNING],
        job__dispatch_state=Job.DispatchState.DISPATCHED,
        job__updated_at__lte=timezone.now() - older_than,
    ).values_list("job_id", flat=True)
    return sum(1 for job_id in stalled[:200] if job_redispatch(job_id=job_id, quiet_for=older_than))
