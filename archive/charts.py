"""Charts of the statistics, drawn on the server: inline SVG for the page (the CSP allows no script and no CDN)
and reportlab graphics for the PDF report. Pure: fed plain numbers, no Django."""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import Decimal
from xml.sax.saxutils import escape

from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.charts.legends import Legend
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors

PALETTE = ["#2f6db5", "#d9822b", "#3a9a5b", "#b5443a", "#7a5ab5", "#8c8c8c"]


def _nice_step(value: float, parts: int) -> float:
    """The smallest of 1, 2, 5 × 10^k with `parts` steps reaching `value`."""
    if value <= 0:
        return 1
    magnitude = 10 ** math.floor(math.log10(value / parts))
    for step in (1, 2, 5, 10):
        if value <= step * magnitude * parts:
            return step * magnitude
    return 10 * magnitude


def axis_ticks(value: float, *, integer: bool = False) -> list[float]:
    """The value axis from 0 up to `value`: four equal steps of a round size; a count (`integer`) steps by whole
    numbers, so a project axis never reads 1.25 or 3.75."""
    if integer:
        step = _nice_step(max(value, 1), 4)
        step = max(1, int(step))
        top = step * max(1, -(-int(value) // step))
        return [float(n) for n in range(0, top + 1, step)]
    step = _nice_step(value, 4) if value > 0 else 0.25
    return [step * n for n in range(max(1, math.ceil(value / step - 1e-9)) + 1)]


def _text_width(text: str, size: float) -> float:
    """About how wide a label is drawn: a CJK character takes a full em, anything else about half of one."""
    return sum(size if ord(c) >= 0x2E80 else size * 0.6 for c in text)


def stacked_bars_svg(categories: Sequence[str], series: Sequence[tuple[str, Sequence[float | Decimal]]], *,
                     title: str, width: int = 720, height: int = 300, integer: bool = False) -> str:
    """A stacked bar chart as an <svg> element with a <title>, axis ticks and a legend sized to its longest
    label (never cut off); text escaped. `integer`: the values are counts."""
    legend_w = 32 + max((_text_width(name, 11) for name, _ in series), default=0) + 8
    left, right, top, bottom = 48, max(150, int(legend_w) + 14), 28, 36
    plot_w, plot_h = width - left - right, height - top - bottom
    totals = [sum(float(values[i]) for _, values in series) for i in range(len(categories))]
    ticks = axis_ticks(max(totals, default=0), integer=integer)
    top_value = ticks[-1]
    slot = plot_w / max(len(categories), 1)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
             f'class="chart"><title>{escape(title)}</title>',
             f'<text x="{left}" y="16" font-size="13">{escape(title)}</text>']
    for value in ticks:
        y = top + plot_h - plot_h * value / top_value
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="#ddd"/>'
                     f'<text x="{left - 6}" y="{y + 4:.1f}" font-size="10" text-anchor="end">{value:g}</text>')
    for i, category in enumerate(categories):
        base = top + plot_h
        for n, (_, values) in enumerate(series):
            h = plot_h * float(values[i]) / top_value
            if h > 0:
                parts.append(f'<rect x="{left + i * slot + slot * 0.15:.1f}" y="{base - h:.1f}" '
                             f'width="{slot * 0.7:.1f}" height="{h:.1f}" fill="{PALETTE[n % len(PALETTE)]}">'
                             f'<title>{escape(category)} {escape(series[n][0])}: {float(values[i]):g}</title></rect>')
                base -= h
        parts.append(f'<text x="{left + (i + 0.5) * slot:.1f}" y="{top + plot_h + 16}" font-size="10" '
                     f'text-anchor="middle">{escape(category)}</text>')
    for n, (name, _) in enumerate(series):
        y = top + 14 + n * 18
        parts.append(f'<rect x="{width - right + 14}" y="{y - 10}" width="12" height="12" '
                     f'fill="{PALETTE[n % len(PALETTE)]}"/><text x="{width - right + 32}" y="{y}" '
                     f'font-size="11">{escape(name)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def stacked_bars_drawing(categories: Sequence[str], series: Sequence[tuple[str, Sequence[float | Decimal]]], *,
                         title: str, font: str, width: float = 480, height: float = 220,
                         integer: bool = False) -> Drawing:
    """The same chart as a reportlab Drawing (a flowable) for the PDF report, labels in the CJK font."""
    drawing = Drawing(width, height)
    drawing.add(String(0, height - 12, title, fontName=font, fontSize=11))
    chart = VerticalBarChart()
    legend_w = 22 + max((_text_width(name, 9) for name, _ in series), default=0)
    chart.x, chart.y, chart.width, chart.height = 36, 24, width - 36 - max(110, legend_w + 16), height - 48
    chart.data = [[float(v) for v in values] for _, values in series] or [[0] * len(categories)]
    chart.categoryAxis.style = "stacked"
    chart.categoryAxis.categoryNames = list(categories)
    chart.categoryAxis.labels.fontName = font
    chart.categoryAxis.labels.fontSize = 8
    chart.valueAxis.labels.fontSize = 8
    chart.valueAxis.valueMin = 0
    totals = [sum(float(values[i]) for _, values in series) for i in range(len(categories))]
    ticks = axis_ticks(max(totals, default=0), integer=integer)
    chart.valueAxis.valueMax, chart.valueAxis.valueStep = ticks[-1], ticks[1] - ticks[0]
    for n in range(len(chart.data)):
        chart.bars[n].fillColor = colors.HexColor(PALETTE[n % len(PALETTE)])
        chart.bars[n].strokeColor = None
    drawing.add(chart)
    legend = Legend()
    legend.x, legend.y = chart.x + chart.width + 12, height - 30
    legend.alignment, legend.columnMaximum = "right", max(len(series), 1)
    legend.fontName, legend.fontSize = font, 9
    legend.colorNamePairs = [(colors.HexColor(PALETTE[n % len(PALETTE)]), name) for n, (name, _) in enumerate(series)]
    drawing.add(legend)
    return drawing
