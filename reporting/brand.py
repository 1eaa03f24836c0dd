"""The shop's colours and money format, shared by the PDF pages and charts."""

from __future__ import annotations

from decimal import Decimal

from reportlab.lib import colors

GREEN = colors.HexColor("#2f6b3a")
GREEN_DARK = colors.HexColor("#1f4727")
LEAF = colors.HexColor("#8bc34a")
CARROT = colors.HexColor("#e8913a")
CREAM = colors.HexColor("#f7f5ec")
INK = colors.HexColor("#22302a")
MUTED = colors.HexColor("#6b7b6e")
RULE = colors.HexColor("#d9dfd3")


def euros(amount: str | Decimal | float, *, cents: bool = True) -> str:
    """€1,234.56 (or €1,235 without cents, for chart axes)."""
    value = Decimal(str(amount))
    return f"€{value:,.2f}" if cents else f"€{value:,.0f}"
