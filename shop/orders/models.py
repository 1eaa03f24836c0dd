"""Orders, their lines and payments. Status changes go through `Order.transition_to`."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q


class Order(models.Model):
    class Status(models.TextChoices):
        PLACED = "placed", "Placed"  # stock allocated, workflow dispatched (or waiting for the broker)
        PAID = "paid", "Paid"
        COMPLETED = "completed", "Completed"  # its allocations fulfilled: the units left
        FAILED = "failed", "Failed"  # compensated: stock released, refunded if charged
        CANCELLED = "cancelled", "Cancelled"  # by the customer; compensated

    TRANSITIONS = {
        Status.PLACED: {Status.PAID, Status.FAILED, Status.CANCELLED},
        Status.PAID: {Status.COMPLETED, Status.FAILED, Status.CANCELLED},
        Status.COMPLETED: set(),
        Status.FAILED: set(),
        Status.CANCELLED: set(),
    }
    FINAL = frozenset({Status.COMPLETED, Status.FAILED, Status.CANCELLED})

    number = models.CharField(max_length=20, unique=True)
    customer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="orders")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PLACED, db_index=True)
    express = models.BooleanField(default=False)
    currency = models.CharField(max_length=3, default="EUR")
    subtotal = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0.00"))
    shipping = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal("0.00"))
    total = models.DecimalField(max_digits=12, decimal_places=2, default=Decimal("0.00"))
    card_number = models.CharField(max_length=4, blank=True, help_text="Last four digits only.")
    payment_token = models.CharField(
        max_length=40,
        blank=True,
        help_text="The gateway's token for the card; the number itself is never stored.",
    )
    tracking_number = models.CharField(max_length=40, blank=True, help_text="Booked by the shipment step.")
    idempotency_key = models.CharField(max_length=100, blank=True)
    request_fingerprint = models.CharField(max_length=64, blank=True)
    failure_reason = models.TextField(blank=True)
    job = models.ForeignKey("jobs.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    invoice = models.FileField(upload_to="invoices/%Y/%m/", blank=True)
    stock_released = models.BooleanField(default=False)
    placed_at = models.DateTimeField(db_index=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-placed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="order_unique_idempotency_key_per_customer",
            )
        ]

    def __str__(self) -> str:
        return f"Order {self.number} ({self.status})"

    @property
    def stock_holder(self) -> str:
        """Who holds the order's units in the catalog's stock allocations."""
        return f"order:{self.id}"

    @property
    def is_final(self) -> bool:
        return self.status in self.FINAL

    def transition_to(self, status: str) -> None:
        """The one place that says which status changes are allowed (does not save)."""
        if status not in self.TRANSITIONS[self.Status(self.status)]:
            raise ValidationError(f"Order {self.number}: cannot go from {self.status} to {status}.")
        self.status = status


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey("catalog.Product", on_delete=models.PROTECT, related_name="order_lines")
    product_name = models.CharField(max_length=120)
    sku = models.CharField(max_length=40)
    quantity = models.PositiveIntegerField()
    unit_price = models.DecimalField(max_digits=10, decimal_places=2)
    line_total = models.DecimalField(max_digits=12, decimal_places=2)

    class Meta:
        ordering = ["order", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="orderline_quantity_positive"),
            models.UniqueConstraint(fields=["order", "product"], name="orderline_unique_product"),
        ]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.product_name}"


class Payment(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        CAPTURED = "captured", "Captured"
        DECLINED = "declined", "Declined"
        REFUNDED = "refunded", "Refunded"

    order = models.ForeignKey(Order, on_delete=models.PROTECT, related_name="payments")
    idempotency_key = models.CharField(max_length=100, unique=True)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3, default="EUR")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    gateway_reference = models.CharField(max_length=64, blank=True)
    refund_reference = models.CharField(max_length=64, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Payment {self.idempotency_key} {self.status} {self.amount}"


class OrderStepRecord(models.Model):
    """The effect of one workflow step on one order, recorded once: (order, step) is unique.

    A step that Celery redelivers or retries finds its record and does nothing twice.
    """

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="step_records")
    step = models.CharField(max_length=40)
    result = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["order", "step"], name="order_step_once")]

    def __str__(self) -> str:
        return f"{self.order_id}:{self.step}"
