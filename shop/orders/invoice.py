"""The invoice PDF (ReportLab): shop header, number, date, lines, totals and the VAT note."""

from __future__ import annotations

import io
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

from django.utils import timezone
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from .models import Order, OrderLine

SELLER_LINES = (
    "Greengrocer B.V.",
    "Marktstraat 1, 1012 AB Amsterdam, the Netherlands",
    "VAT NL000000000B01 · Chamber of Commerce 00000000 (demo data)",
)
# Groceries carry the Dutch reduced VAT rate; shop prices include it.
VAT_RATE = Decimal("0.09")
CENT = Decimal("0.01")


def vat_included(amount: Decimal) -> Decimal:
    """The VAT contained in a VAT-inclusive amount."""
    return (amount - amount / (1 + VAT_RATE)).quantize(CENT, rounding=ROUND_HALF_UP)


def _money(amount: Decimal, currency: str) -> str:
    return f"{currency} {amount:,.2f}"


def invoice_pdf(*, order: Order, lines: Sequence[OrderLine]) -> bytes:
    """Render the invoice of `order` and return the PDF's bytes."""
    styles = getSampleStyleSheet()
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=20 * mm,
        rightMargin=20 * mm,
        topMargin=18 * mm,
        bottomMargin=18 * mm,
        title=f"Invoice {order.number}",
        author=SELLER_LINES[0],
    )
    customer = order.customer
    placed = timezone.localtime(order.placed_at)
    story = [
        Paragraph(SELLER_LINES[0], styles["Title"]),
        *(Paragraph(line, styles["Normal"]) for line in SELLER_LINES[1:]),
        Spacer(1, 8 * mm),
        Paragraph(f"Invoice {order.number}", styles["Heading2"]),
        Paragraph(f"Date: {placed:%d %B %Y}", styles["Normal"]),
        Paragraph(
            f"Customer: {customer.get_full_name() or customer.get_username()} ({customer.email})",
            styles["Normal"],
        ),
        Paragraph(f"Delivery: {'express' if order.express else 'standard'}", styles["Normal"]),
        Spacer(1, 6 * mm),
    ]
    rows = [["Item", "SKU", "Qty", "Unit price", "Amount"]]
    rows += [
        [line.product_name, line.sku, str(line.quantity), _money(line.unit_price, order.currency),
         _money(line.line_total, order.currency)]
        for line in lines
    ]  # fmt: skip
    first_total_row = len(rows)
    rows += [
        ["", "", "", "Subtotal", _money(order.subtotal, order.currency)],
        ["", "", "", "Shipping", _money(order.shipping, order.currency)],
        ["", "", "", "Total", _money(order.total, order.currency)],
    ]
    table = Table(rows, colWidths=[62 * mm, 30 * mm, 14 * mm, 30 * mm, 34 * mm], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
                ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black),
                ("ALIGN", (2, 0), (-1, -1), "RIGHT"),
                ("LINEABOVE", (3, first_total_row), (-1, first_total_row), 0.5, colors.grey),
                ("FONTNAME", (3, -1), (-1, -1), "Helvetica-Bold"),
                ("ROWBACKGROUNDS", (0, 1), (-1, first_total_row - 1), [colors.white, colors.whitesmoke]),
            ]
        )
    )
    story += [
        table,
        Spacer(1, 6 * mm),
        Paragraph(
            f"All prices include {VAT_RATE * 100:.0f}% VAT: "
            f"{_money(vat_included(order.total), order.currency)} of the total is VAT.",
            styles["Normal"],
        ),
        Paragraph(f"Paid by card ending in {order.card_number}. Thank you for your order.", styles["Normal"]),
    ]
    document.build(story)
    return buffer.getvalue()
