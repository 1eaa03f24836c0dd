from __future__ import annotations

from django.urls import reverse
from rest_framework import serializers
from rest_framework.settings import api_settings

from shop.api_urls import absolute_url
from shop.platform.jobs.serializers import JobSummarySerializer

from .models import Order, OrderLine, Payment
from .services import MAX_LINES, LineRequest


class LineRequestSerializer(serializers.Serializer):
    # Bounded to what the database can store, so a huge id is a 400 rather than an overflow.
    product = serializers.IntegerField(min_value=1, max_value=2**63 - 1, help_text="The product's id.")
    quantity = serializers.IntegerField(help_text="1 to 99.")

    def to_internal_value(self, data) -> LineRequest:
        values = super().to_internal_value(data)
        return LineRequest(product_id=values["product"], quantity=values["quantity"])


class LinesField(serializers.ListField):
    """A list of lines whose errors name the line: `lines[2].quantity: ...`."""

    def __init__(self, **kwargs):
        super().__init__(child=LineRequestSerializer(), max_length=MAX_LINES, **kwargs)

    def run_child_validation(self, data):
        lines = []
        for index, item in enumerate(data):
            try:
                lines.append(self.child.run_validation(item))
            except serializers.ValidationError as exc:
                detail = exc.detail
                field, messages = next(iter(detail.items())) if isinstance(detail, dict) else ("", detail)
                where = f"lines[{index}]"
                if field not in ("", api_settings.NON_FIELD_ERRORS_KEY):
                    where += f".{field}"
                message = f"{where}: {messages[0] if isinstance(messages, list) else messages}"
                raise serializers.ValidationError([message]) from exc
        return lines


class OrderPlaceSerializer(serializers.Serializer):
    lines = LinesField(help_text="What to buy: each product once, 1 to 99 of it.")
    express = serializers.BooleanField(
        default=False, help_text="Express delivery: the workflow runs at CRITICAL."
    )
    card_number = serializers.CharField(
        max_length=32,
        write_only=True,
        help_text="A test card: 4242424242424242 succeeds, 4000000000000002 is declined, "
        "4000000000009995 fails transiently twice then succeeds, 4000000000000077 is slow.",
    )


class OrderLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = OrderLine
        fields = ["product", "product_name", "sku", "quantity", "unit_price", "line_total"]
        read_only_fields = fields


class PaymentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Payment
        fields = [
            "amount",
            "currency",
            "status",
            "gateway_reference",
            "refund_reference",
            "error",
            "created_at",
        ]
        read_only_fields = fields


class OrderSerializer(serializers.ModelSerializer):
    lines = OrderLineSerializer(many=True, read_only=True)
    payments = PaymentSerializer(many=True, read_only=True)
    job = JobSummarySerializer(read_only=True)
    card_last4 = serializers.CharField(source="card_number", read_only=True)
    invoice_url = serializers.SerializerMethodField()

    class Meta:
        model = Order
        fields = [
            "id", "number", "status", "express", "currency", "subtotal", "shipping", "total", "card_last4",
            "tracking_number", "failure_reason", "placed_at", "completed_at", "lines", "payments", "job",
            "invoice_url",
        ]  # fmt: skip
        read_only_fields = fields

    def get_invoice_url(self, order: Order) -> str | None:
        return (
            absolute_url(self.context, reverse("order-invoice", args=[order.id])) if order.invoice else None
        )
