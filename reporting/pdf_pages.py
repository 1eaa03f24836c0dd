"""Page furniture of the report PDF: the branded cover and inner-page headers, the footer
and "Page n of m".
"""

from __future__ import annotations

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas as pdf_canvas

from .brand import CREAM, GREEN, LEAF, MUTED, RULE

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 18 * mm
CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN


class NumberedCanvas(pdf_canvas.Canvas):
    """Draws "Page n of m" once the page count is known (after the last page)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._saved_pages: list[dict] = []

    def showPage(self):
        self._saved_pages.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        total = len(self._saved_pages)
        for state in self._saved_pages:
            self.__dict__.update(state)
            self.setFont("Helvetica", 8.5)
            self.setFillColor(MUTED)
            self.drawRightString(PAGE_WIDTH - MARGIN, 10 * mm, f"Page {self._pageNumber} of {total}")
            super().showPage()
        super().save()


def _footer(canvas, caption: str) -> None:
    canvas.setStrokeColor(RULE)
    canvas.setLineWidth(0.6)
    canvas.line(MARGIN, 14 * mm, PAGE_WIDTH - MARGIN, 14 * mm)
    canvas.setFont("Helvetica", 8.5)
    canvas.setFillColor(MUTED)
    canvas.drawString(MARGIN, 10 * mm, caption)


def _leaf(canvas, x: float, y: float, size: float, fill) -> None:
    """The shop's mark: a leaf (two arcs) on its stem."""
    canvas.saveState()
    canvas.setFillColor(fill)
    path = canvas.beginPath()
    path.moveTo(x, y)
    path.curveTo(x + size * 0.1, y + size * 0.9, x + size * 0.9, y + size, x + size, y + size)
    path.curveTo(x + size, y + size * 0.1, x + size * 0.4, y - size * 0.1, x, y)
    canvas.drawPath(path, stroke=0, fill=1)
    canvas.restoreState()


def draw_cover(canvas, doc) -> None:
    canvas.saveState()
    canvas.setFillColor(CREAM)
    canvas.rect(0, 0, PAGE_WIDTH, PAGE_HEIGHT, stroke=0, fill=1)
    canvas.setFillColor(GREEN)
    canvas.rect(0, PAGE_HEIGHT - 46 * mm, PAGE_WIDTH, 46 * mm, stroke=0, fill=1)
    _leaf(canvas, MARGIN, PAGE_HEIGHT - 30 * mm, 13 * mm, LEAF)
    canvas.setFillColor(colors.white)
    canvas.setFont("Helvetica-Bold", 26)
    canvas.drawString(MARGIN + 17 * mm, PAGE_HEIGHT - 27 * mm, "Greengrocer")
    canvas.setFont("Helvetica", 11)
    canvas.drawString(MARGIN + 17 * mm, PAGE_HEIGHT - 34 * mm, "Fresh produce, delivered · Sales reporting")
    _footer(canvas, doc.footer_caption)
    canvas.restoreState()


def draw_inner(canvas, doc) -> None:
    canvas.saveState()
    canvas.setFillColor(GREEN)
    canvas.rect(0, PAGE_HEIGHT - 14 * mm, PAGE_WIDTH, 14 * mm, stroke=0, fill=1)
    _leaf(canvas, MARGIN, PAGE_HEIGHT - 10.5 * mm, 6 * mm, LEAF)
    canvas.setFillColor(colors.white)
    canvas.setFont("Helvetica-Bold", 11)
    canvas.drawString(MARGIN + 9 * mm, PAGE_HEIGHT - 8.8 * mm, "Greengrocer")
    canvas.setFont("Helvetica", 9.5)
    canvas.drawRightString(PAGE_WIDTH - MARGIN, PAGE_HEIGHT - 8.8 * mm, doc.header_caption)
    _footer(canvas, doc.footer_caption)
    canvas.restoreState()
