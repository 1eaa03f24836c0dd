"""The report PDF's paragraph styles (ReportLab), in the shop's colours (brand.py)."""

from __future__ import annotations

from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet

from .brand import GREEN_DARK, INK, LEAF, MUTED


def report_styles() -> dict[str, ParagraphStyle]:
    """The paragraph styles of the report, by role."""
    base = getSampleStyleSheet()["Normal"]
    body = ParagraphStyle("body", parent=base, fontName="Helvetica", fontSize=10, leading=14, textColor=INK)
    return {
        "body": body,
        "muted": ParagraphStyle("muted", parent=body, textColor=MUTED, fontSize=9, leading=12),
        "cover_kicker": ParagraphStyle(
            "kicker",
            parent=body,
            fontName="Helvetica-Bold",
            fontSize=11,
            textColor=LEAF,
            leading=14,
            spaceAfter=4,
        ),
        "cover_title": ParagraphStyle(
            "cover_title",
            parent=body,
            fontName="Helvetica-Bold",
            fontSize=30,
            leading=36,
            textColor=GREEN_DARK,
            spaceAfter=6,
        ),
        "cover_period": ParagraphStyle(
            "cover_period", parent=body, fontSize=15, leading=20, textColor=INK, spaceAfter=4
        ),
        "h1": ParagraphStyle(
            "h1",
            parent=body,
            fontName="Helvetica-Bold",
            fontSize=17,
            leading=22,
            textColor=GREEN_DARK,
            spaceBefore=4,
            spaceAfter=4,
        ),
        "kpi_label": ParagraphStyle("kpi_label", parent=body, fontSize=9, leading=11, textColor=MUTED),
        "kpi_value": ParagraphStyle(
            "kpi_value", parent=body, fontName="Helvetica-Bold", fontSize=20, leading=24, textColor=GREEN_DARK
        ),
        "kpi_note": ParagraphStyle("kpi_note", parent=body, fontSize=8.5, leading=11, textColor=MUTED),
        "cell": ParagraphStyle("cell", parent=body, fontSize=9, leading=11),
        "cell_right": ParagraphStyle("cell_right", parent=body, fontSize=9, leading=11, alignment=TA_RIGHT),
        "empty_title": ParagraphStyle(
            "empty_title",
            parent=body,
            fontName="Helvetica-Bold",
            fontSize=22,
            leading=28,
            textColor=GREEN_DARK,
            alignment=TA_CENTER,
        ),
        "empty_body": ParagraphStyle(
            "empty_body", parent=body, fontSize=11, leading=16, alignment=TA_CENTER, textColor=MUTED
        ),
    }
