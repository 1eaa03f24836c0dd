"""The report's charts (reportlab.graphics), in the shop's colours."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib.units import mm

from .brand import CARROT, GREEN, INK, LEAF, MUTED, RULE, euros


def _nice_axis(value: float) -> tuple[float, int]:
    """A round axis maximum a little above `value`, and how many round steps divide it."""
    if value <= 0:
        return 10.0, 5
    magnitude = 10 ** (len(str(int(value))) - 1)
    for mantissa, steps in ((1, 4), (2, 4), (2.5, 5), (5, 5)):
        if value * 1.05 <= mantissa * magnitude:
            return mantissa * magnitude, steps
    return 10.0 * magnitude, 5


def _day_label(day: date, count: int) -> str:
    if count <= 10:
        return f"{day:%a} {day.day}"
    return f"{day.day} {day:%b}"


def _bars(chart, *, x: float, y: float, width: float, height: float, values: list[float]):
    """The shop's bar style: flat green bars, no outlines, a value axis from zero."""
    chart.x, chart.y, chart.width, chart.height = x, y, width, height
    chart.data = [values]
    chart.strokeColor = None
    chart.bars.strokeColor = None
    chart.bars[0].fillColor = GREEN
    chart.valueAxis.valueMin = 0
    chart.valueAxis.valueMax, steps = _nice_axis(max(values, default=0))
    chart.valueAxis.valueSteps = [chart.valueAxis.valueMax * step / steps for step in range(steps + 1)]
    return chart


def revenue_by_day(days: list[dict[str, Any]], *, width: float, height: float) -> Drawing:
    values = [float(Decimal(day["revenue"])) for day in days]
    dates = [date.fromisoformat(day["date"]) for day in days]
    drawing = Drawing(width, height)
    chart = _bars(
        VerticalBarChart(),
        x=16 * mm,
        y=12 * mm,
        width=width - 20 * mm,
        height=height - 18 * mm,
        values=values,
    )
    for index, day in enumerate(dates):
        if day.weekday() >= 5:
            chart.bars[(0, index)].fillColor = LEAF
    chart.barSpacing = 1
    chart.groupSpacing = max(1, 30 // max(1, len(values)))
    # At most about fifteen labels, so they never overlap.
    every = max(1, -(-len(dates) // 15))
    chart.categoryAxis.categoryNames = [
        _day_label(day, len(dates)) if index % every == 0 else "" for index, day in enumerate(dates)
    ]
    chart.categoryAxis.labels.fontName = "Helvetica"
    chart.categoryAxis.labels.fontSize = 7.5
    chart.categoryAxis.labels.fillColor = MUTED
    chart.categoryAxis.labels.angle = 0 if len(dates) <= 10 else 35
    chart.categoryAxis.labels.boxAnchor = "n" if len(dates) <= 10 else "ne"
    chart.categoryAxis.strokeColor = RULE
    chart.categoryAxis.tickDown = 0
    chart.valueAxis.labelTextFormat = lambda value: euros(value, cents=False)
    chart.valueAxis.labels.fontName = "Helvetica"
    chart.valueAxis.labels.fontSize = 7.5
    chart.valueAxis.labels.fillColor = MUTED
    chart.valueAxis.strokeColor = None
    chart.valueAxis.visibleGrid = True
    chart.valueAxis.gridStrokeColor = RULE
    chart.valueAxis.gridStrokeWidth = 0.5
    drawing.add(chart)
    if values:
        average = sum(values) / len(values)
        drawing.add(
            String(
                width,
                height - 4 * mm,
                f"Daily average {euros(average)}",
                textAnchor="end",
                fontName="Helvetica-Bold",
                fontSize=8.5,
                fillColor=CARROT,
            )
        )
    return drawing


def revenue_by_category(categories: list[dict[str, Any]], *, width: float) -> Drawing:
    # Largest first from the top: a horizontal bar chart draws its first category at the bottom.
    ordered = list(reversed(categories))
    values = [float(Decimal(item["revenue"])) for item in ordered]
    row_height = 9 * mm
    height = max(1, len(ordered)) * row_height + 10 * mm
    drawing = Drawing(width, height)
    chart = _bars(
        HorizontalBarChart(),
        x=34 * mm,
        y=6 * mm,
        width=width - 60 * mm,
        height=height - 10 * mm,
        values=values,
    )
    if ordered:
        chart.bars[(0, len(ordered) - 1)].fillColor = LEAF
    chart.barWidth = 6 * mm
    chart.categoryAxis.categoryNames = [item["name"] for item in ordered]
    chart.categoryAxis.labels.fontName = "Helvetica"
    chart.categoryAxis.labels.fontSize = 9
    chart.categoryAxis.labels.fillColor = INK
    chart.categoryAxis.labels.dx = -3
    chart.categoryAxis.strokeColor = RULE
    chart.categoryAxis.tickLeft = 0
    chart.valueAxis.visible = False
    chart.barLabelFormat = lambda value: euros(value, cents=False)
    chart.barLabels.fontName = "Helvetica-Bold"
    chart.barLabels.fontSize = 8.5
    chart.barLabels.fillColor = INK
    chart.barLabels.boxAnchor = "w"
    chart.barLabels.dx = 3
    drawing.add(chart)
    return drawing
