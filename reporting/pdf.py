"""The report as a PDF (ReportLab): a cover with the period and the headline figures, then
revenue by day, the best-selling products and revenue by category. `charts.py` draws the
charts; this module lays out the pages.
"""

from __future__ import annotations

import io
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import (
    BaseDocTemplate,
    Frame,
    KeepTogether,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from . import charts
from .brand import CREAM, GREEN, GREEN_DARK, LEAF, RULE, euros
from .pdf_pages import CONTENT_WIDTH, MARGIN, PAGE_HEIGHT, NumberedCanvas, draw_cover, draw_inner
from .pdf_styles import report_styles
from .periods import REPORT_TITLES, day_text, period_title, shop_timezone

# --- Content ----------------------------------------------------------------------------


def _kpi_cards(figures: dict[str, Any], styles) -> Table:
    has_shipping = Decimal(figures["shipping"]) > 0
    revenue_note = (
        f"{euros(figures['goods'])} goods + {euros(figures['shipping'])} shipping"
        if has_shipping
        else "completed orders"
    )
    cards = [
        ("Revenue", euros(figures["revenue"]), revenue_note),
        ("Orders", f"{figures['orders']:,}", "completed in the period"),
        ("Average basket", euros(figures["average_basket"]), "revenue per order"),
        ("Units sold", f"{figures['units']:,}", f"{figures['products_sold']:,} different products"),
    ]
    cells = [
        [
            Paragraph(label, styles["kpi_label"]),
            Paragraph(value, styles["kpi_value"]),
            Paragraph(note, styles["kpi_note"]),
        ]
        for label, value, note in cards
    ]
    grid = [[cells[0], cells[1]], [cells[2], cells[3]]]
    table = Table(grid, colWidths=[CONTENT_WIDTH / 2 - 3 * mm] * 2, rowHeights=27 * mm, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, -1), colors.white),
                ("BOX", (0, 0), (-1, -1), 0.6, RULE),
                ("INNERGRID", (0, 0), (-1, -1), 0.6, RULE),
                ("LINEBEFORE", (0, 0), (0, -1), 4, LEAF),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("LEFTPADDING", (0, 0), (-1, -1), 10),
            ]
        )
    )
    return table


def _highlights(figures: dict[str, Any], styles) -> list:
    best_day = max(figures["days"], key=lambda d: Decimal(d["revenue"]))
    lines = [
        f"<b>Best day:</b> {date.fromisoformat(best_day['date']):%A} "
        f"{day_text(date.fromisoformat(best_day['date']))}, {euros(best_day['revenue'])} "
        f"from {best_day['orders']} orders."
    ]
    if figures["top_products"]:
        top = figures["top_products"][0]
        lines.append(f"<b>Best seller:</b> {top['name']} — {top['units']:,} units, {euros(top['revenue'])}.")
    if figures["categories"]:
        category = figures["categories"][0]
        share = Decimal(category["revenue"]) / Decimal(figures["goods"]) * 100
        lines.append(f"<b>Strongest category:</b> {category['name']} — {share:.0f}% of goods revenue.")
    return [Paragraph("Highlights", styles["h1"])] + [Paragraph(text, styles["body"]) for text in lines]


def _products_table(figures: dict[str, Any], styles) -> Table:
    header = ["#", "Product", "Category", "Units", "Revenue"]
    rows = [header] + [
        [
            str(rank),
            Paragraph(
                f"{item['name']}<br/><font size=7.5 color='#6b7b6e'>{item['sku']}</font>", styles["cell"]
            ),
            item["category"],
            f"{item['units']:,}",
            euros(item["revenue"]),
        ]
        for rank, item in enumerate(figures["top_products"], start=1)
    ]
    widths = [9 * mm, 74 * mm, 38 * mm, 20 * mm, CONTENT_WIDTH - 141 * mm]
    table = Table(rows, colWidths=widths, repeatRows=1, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), GREEN),
                ("TEXTCOLOR", (0, 0), (-1, 0), colors.white),
                ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
                ("FONTSIZE", (0, 0), (-1, -1), 9),
                ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, CREAM]),
                ("ALIGN", (3, 0), (-1, -1), "RIGHT"),
                ("ALIGN", (0, 0), (0, -1), "CENTER"),
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("LINEBELOW", (0, -1), (-1, -1), 0.8, GREEN),
                ("TOPPADDING", (0, 0), (-1, -1), 4),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ]
        )
    )
    return table


def _categories_table(figures: dict[str, Any], styles) -> Table:
    goods = Decimal(figures["goods"])
    rows = [["Category", "Units", "Revenue", "Share"]] + [
        [
            item["name"],
            f"{item['units']:,}",
            euros(item["revenue"]),
            f"{Decimal(item['revenue']) / goods * 100:.1f}%",
        ]
        for item in figures["categories"]
    ]
    rows.append(["Goods total", f"{figures['units']:,}", euros(figures["goods"]), "100%"])
    table = Table(rows, colWidths=[70 * mm, 30 * mm, 40 * mm, 30 * mm], hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
                ("FONTNAME", (0, -1), (-1, -1), "Helvetica-Bold"),
                ("FONTSIZE", (0, 0), (-1, -1), 9),
                ("TEXTCOLOR", (0, 0), (-1, 0), GREEN_DARK),
                ("LINEBELOW", (0, 0), (-1, 0), 0.8, GREEN),
                ("LINEABOVE", (0, -1), (-1, -1), 0.8, GREEN),
                ("ROWBACKGROUNDS", (0, 1), (-1, -2), [colors.white, CREAM]),
                ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
            ]
        )
    )
    return table


def _cover(report, figures: dict[str, Any], styles, generated_at: datetime) -> list:
    title = REPORT_TITLES.get(report.kind, "Sales report")
    story = [
        Spacer(1, 30 * mm),
        Paragraph("SALES REPORT", styles["cover_kicker"]),
        Paragraph(title, styles["cover_title"]),
        Paragraph(period_title(report.kind, report.period_start, report.period_end), styles["cover_period"]),
        Paragraph(
            f"{report.day_count} day{'s' if report.day_count != 1 else ''} · all amounts in "
            f"{figures['currency']}, completed orders, by day placed ({shop_timezone().key} time)",
            styles["muted"],
        ),
        Spacer(1, 10 * mm),
    ]
    if not figures["orders"]:
        story += [
            Spacer(1, 25 * mm),
            Paragraph("No sales in this period", styles["empty_title"]),
            Spacer(1, 4 * mm),
            Paragraph(
                "No completed orders were placed in this period, so there are no figures, "
                "charts or best sellers to show.",
                styles["empty_body"],
            ),
        ]
    else:
        story += [_kpi_cards(figures, styles), Spacer(1, 8 * mm), *_highlights(figures, styles)]
    story += [
        Spacer(1, 12 * mm),
        Paragraph(
            f"Generated {generated_at.astimezone(shop_timezone()):%d %b %Y at %H:%M}"
            f"{' for all staff' if report.audience == 'staff' else ''}.",
            styles["muted"],
        ),
    ]
    return story


def _details(figures: dict[str, Any], styles) -> list:
    return [
        NextPageTemplate("inner"),
        PageBreak(),
        Paragraph("Revenue by day", styles["h1"]),
        Paragraph(
            "Completed orders by the day they were placed. Weekends are shown in a lighter green.",
            styles["muted"],
        ),
        Spacer(1, 3 * mm),
        charts.revenue_by_day(figures["days"], width=CONTENT_WIDTH, height=75 * mm),
        Spacer(1, 8 * mm),
        KeepTogether(
            [
                Paragraph(f"Top {len(figures['top_products'])} products", styles["h1"]),
                Paragraph("By revenue (line totals, without shipping).", styles["muted"]),
                Spacer(1, 3 * mm),
                _products_table(figures, styles),
            ]
        ),
        PageBreak(),
        Paragraph("Revenue by category", styles["h1"]),
        Paragraph("Goods revenue per category, shipping excluded.", styles["muted"]),
        Spacer(1, 3 * mm),
        charts.revenue_by_category(figures["categories"], width=CONTENT_WIDTH),
        Spacer(1, 6 * mm),
        _categories_table(figures, styles),
    ]


def render_report_pdf(*, report, figures: dict[str, Any], generated_at: datetime) -> bytes:
    """The report's PDF: a cover, then (if anything sold) the charts and tables."""
    buffer = io.BytesIO()
    period = period_title(report.kind, report.period_start, report.period_end)
    title = f"{REPORT_TITLES.get(report.kind, 'Sales report')} — {period}"
    doc = BaseDocTemplate(
        buffer,
        pagesize=A4,
        title=title,
        author="Greengrocer",
        subject="Sales report",
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=22 * mm,
        bottomMargin=20 * mm,
    )
    doc.header_caption = title
    doc.footer_caption = f"Greengrocer · {title}"
    frame = Frame(MARGIN, 20 * mm, CONTENT_WIDTH, PAGE_HEIGHT - 42 * mm, id="content")
    cover_frame = Frame(MARGIN, 20 * mm, CONTENT_WIDTH, PAGE_HEIGHT - 70 * mm, id="cover")
    doc.addPageTemplates(
        [
            PageTemplate(id="cover", frames=[cover_frame], onPage=draw_cover),
            PageTemplate(id="inner", frames=[frame], onPage=draw_inner),
        ]
    )
    styles = report_styles()
    story = _cover(report, figures, styles, generated_at)
    if figures["orders"]:
        story += _details(figures, styles)
    doc.build(story, canvasmaker=NumberedCanvas)
    return buffer.getvalue()
