"""Server-rendered charts: inline SVG, no JavaScript, no external assets (CONTRACTS.md §C).

Used by the leadership dashboard (reports) and the satisfaction figures. Each function returns
a `<figure>` holding an `<svg role="img">` named by its `<title>` and described by a `<desc>`
that lists every number, so a screen reader gets the data; the page also shows a table with the
same numbers (the caller renders it: a chart is never the only way to read a figure).

Design rules:
- Legible at 390 px and in print: the drawing is sized in CSS pixels with percentage
  x-coordinates (`width="100%"`), so text keeps its size whatever the width instead of shrinking
  with a `viewBox`. Only the plot of a line chart is stretched horizontally (its strokes use
  `vector-effect="non-scaling-stroke"`, so they keep their width).
- Colour is never the only cue (WCAG 1.4.1): series also differ by dash pattern and marker
  shape; every colour has at least 4.5:1 contrast on white.
- Everything is presentation attributes: the chart needs no stylesheet. One scoped `<style>`
  hides every other x-axis label on narrow screens.
- Every text is escaped; numbers use the active locale's decimal separator.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.formats import number_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

# (colour, dash pattern, marker line-cap). Contrast on white: 8.6:1, 5.2:1, 6.3:1, 7.4:1.
SERIES_STYLES = (
    ("#0b4f8a", "", "round"),
    ("#a8480a", "7 4", "square"),
    ("#1b6e3a", "2 3", "round"),
    ("#5b2a86", "10 3 2 3", "square"),
)
BAR_COLOUR = "#0b4f8a"
TRACK_COLOUR = "#e4e8ee"
TEXT_COLOUR = "#212529"
MUTED_COLOUR = "#495057"
GRID_COLOUR = "#c5ccd4"

FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', 'DejaVu Sans', sans-serif"
FONT_SIZE = 13
SMALL_FONT_SIZE = 11

# Line chart geometry (CSS pixels).
PLOT_TOP = 16
PLOT_HEIGHT = 180
X_LABEL_GAP = 18
LINE_CHART_HEIGHT = PLOT_TOP + PLOT_HEIGHT + X_LABEL_GAP + 6
PLOT_VIEW_WIDTH = 1000
# Width of the y-axis labels' gutter.
Y_GUTTER = 42
# With more x labels than this, every other one is hidden below 576 px (phones).
DENSE_LABELS = 8

# Bar chart geometry: label line, then the bar; bars use at most this share of the width so
# the value text at the right never overlaps them.
BAR_ROW_HEIGHT = 42
BAR_HEIGHT = 14
BAR_MAX_SHARE = 80.0
# Longer labels are shortened in the drawing (the full text is in the row's <title> and in the
# table beside the chart): about what fits on one line at 390 px.
BAR_LABEL_CHARS = 52


@dataclass(frozen=True)
class Series:
    """One line of a line chart: a legend label and one value per x label (None = a gap)."""

    label: str
    values: list[float | None]


def format_value(value: float | None, suffix: str = "") -> str:
    """A chart number as text: whole numbers without decimals, others with one decimal, in the
    active locale ("87,5%" in Vietnamese); None is "N/A"."""
    if value is None:
        return _("N/A")
    if float(value).is_integer():
        text = number_format(int(value))
    else:
        text = number_format(round(value, 1), decimal_pos=1)
    return f"{text}{suffix}"


def _chart_id(kind: str, payload: object) -> str:
    """A stable id from the chart's content (the same chart renders the same bytes)."""
    digest = hashlib.sha1(repr((kind, payload)).encode(), usedforsecurity=False).hexdigest()
    return f"chart-{digest[:10]}"


def _nice_ceiling(value: float) -> tuple[float, float]:
    """(top, step) of a y axis covering `value` with about four steps of 1, 2, 2.5 or 5 x 10^k."""
    if value <= 0:
        return 1.0, 0.25
    raw = value / 4
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        step = factor * magnitude
        if step >= raw:
            break
    top = step * math.ceil(value / step - 1e-9)
    return top, step


def _num(value: float) -> str:
    """A coordinate for an SVG attribute (always a dot, never the locale's comma)."""
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _svg_open(chart_id: str, height: int, title: str, description: str) -> SafeString:
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="chart-svg" role="img" width="100%" '
        'height="{}" aria-labelledby="{}-title {}-desc" font-family="{}" font-size="{}" '
        'fill="{}" style="display:block;overflow:visible">'
        '<title id="{}-title">{}</title><desc id="{}-desc">{}</desc>',
        height,
        chart_id,
        chart_id,
        FONT,
        FONT_SIZE,
        TEXT_COLOUR,
        chart_id,
        title,
        chart_id,
        description,
    )


def _figure(chart_id: str, kind: str, title: str, body: SafeString, legend: str = "") -> SafeString:
    return format_html(
        '<figure class="chart chart-{}" id="{}" style="margin:0 0 .75rem">'
        '<figcaption style="font-weight:600;margin-bottom:.25rem">{}</figcaption>{}{}</figure>',
        kind,
        chart_id,
        title,
        body,
        mark_safe(legend),  # noqa: S308 - built with format_html below
    )


# --- line chart ------------------------------------------------------------------------------
def line_chart(
    *,
    title: str,
    labels: list[str],
    series: list[Series],
    y_max: float | None = None,
    y_suffix: str = "",
) -> SafeString:
    """A line chart of one or more series over the same x labels (e.g. 12 weeks).

    - `y_max`: top of the y axis (100 for percentages); default: a round number above the
      largest value. Values above it are drawn at the top.
    - `y_suffix`: appended to axis and value texts ("%").
    - A None value leaves a gap in its line; a lone value between gaps shows as its marker.
    Returns a `<figure>` with the SVG and an HTML legend (line style + label).
    """
    labels = [str(label) for label in labels]
    count = len(labels)
    values_seen = [v for s in series for v in s.values if v is not None]
    top, step = _nice_ceiling(max(values_seen, default=0.0))
    if y_max is not None and y_max > 0:
        top = float(y_max)
        _top, step = _nice_ceiling(top)
        if not math.isclose(_top, top):
            step = top / 4
    chart_id = _chart_id("line", (title, labels, [(s.label, s.values) for s in series], top))

    def y_of(value: float) -> float:
        clamped = min(max(value, 0.0), top)
        return PLOT_TOP + PLOT_HEIGHT * (1 - clamped / top)

    def x_view(index: int) -> float:  # in the plot's viewBox
        return (index + 0.5) / max(count, 1) * PLOT_VIEW_WIDTH

    def x_pct(index: int) -> float:
        return (index + 0.5) / max(count, 1) * 100

    description = "; ".join(
        "{}: {}".format(
            s.label,
            ", ".join(
                f"{label} {format_value(value, y_suffix)}"
                for label, value in zip(labels, s.values, strict=False)
            ),
        )
        for s in series
    )
    parts: list[str] = [_svg_open(chart_id, LINE_CHART_HEIGHT, title, description)]
    if count > DENSE_LABELS:
        parts.append(
            format_html(
                "<style>@media (max-width: 575.98px) {{ #{} .x-minor {{ display: none }} }}"
                "</style>",
                chart_id,
            )
        )
    # The y axis: values right-aligned on their grid line, in the gutter left of the drawing
    # (negative x: the SVG is as wide as the plot, so percentages inside are of the plot).
    ticks = int(round(top / step)) if step else 4
    grid: list[str] = []
    for tick in range(ticks + 1):
        value = step * tick
        y = y_of(value)
        parts.append(
            format_html(
                '<text x="-6" y="{}" text-anchor="end" font-size="{}" fill="{}">{}</text>',
                _num(y + 4),
                SMALL_FONT_SIZE,
                MUTED_COLOUR,
                format_value(value, y_suffix),
            )
        )
        grid.append(
            format_html(
                '<line x1="0" x2="100%" y1="{}" y2="{}" stroke="{}" stroke-width="1"{}/>',
                _num(y),
                _num(y),
                GRID_COLOUR if tick else MUTED_COLOUR,
                mark_safe(' stroke-dasharray="2 3"') if tick else "",
            )
        )
    # The plot: stretched horizontally only; strokes and markers keep their size.
    plot: list[str] = []
    for index, one in enumerate(series):
        colour, dash, cap = SERIES_STYLES[index % len(SERIES_STYLES)]
        segments: list[list[tuple[float, float]]] = [[]]
        for position, value in enumerate(one.values[:count]):
            if value is None:
                segments.append([])
                continue
            segments[-1].append((x_view(position), y_of(value)))
        for segment in segments:
            if len(segment) > 1:
                plot.append(
                    format_html(
                        '<polyline points="{}" fill="none" stroke="{}" stroke-width="2.5" '
                        'stroke-linejoin="round"{} vector-effect="non-scaling-stroke"/>',
                        " ".join(f"{_num(x)},{_num(y)}" for x, y in segment),
                        colour,
                        format_html(' stroke-dasharray="{}"', dash) if dash else "",
                    )
                )
        # Markers: zero-length paths with a round or square cap draw a dot or a square that
        # the horizontal stretch cannot turn into an ellipse.
        for position, value in enumerate(one.values[:count]):
            if value is None:
                continue
            plot.append(
                format_html(
                    '<path d="M{} {}h0" stroke="{}" stroke-width="8" stroke-linecap="{}" '
                    'vector-effect="non-scaling-stroke"><title>{}</title></path>',
                    _num(x_view(position)),
                    _num(y_of(value)),
                    colour,
                    cap,
                    f"{one.label}, {labels[position]}: {format_value(value, y_suffix)}",
                )
            )
    # X labels; on phones every other one hides when there are many (the last one stays).
    label_y = PLOT_TOP + PLOT_HEIGHT + X_LABEL_GAP
    x_labels: list[str] = []
    for index, label in enumerate(labels):
        minor = count > DENSE_LABELS and (count - 1 - index) % 2 == 1
        x_labels.append(
            format_html(
                '<text x="{}%" y="{}" text-anchor="middle" font-size="{}" fill="{}"{}>{}</text>',
                _num(x_pct(index)),
                label_y,
                SMALL_FONT_SIZE,
                MUTED_COLOUR,
                mark_safe(' class="x-minor"') if minor else "",
                label,
            )
        )
    parts.append(mark_safe("".join(grid)))  # noqa: S308 - every piece built with format_html
    parts.append(
        format_html(
            '<svg x="0" y="0" width="100%" height="{}" viewBox="0 0 {} {}" '
            'preserveAspectRatio="none" overflow="visible" aria-hidden="true">{}</svg>',
            PLOT_TOP + PLOT_HEIGHT,
            PLOT_VIEW_WIDTH,
            PLOT_TOP + PLOT_HEIGHT,
            mark_safe("".join(plot)),  # noqa: S308
        )
    )
    parts.append(mark_safe("".join(x_labels)))  # noqa: S308
    parts.append(mark_safe("</svg>"))
    legend = _legend(series)
    body = format_html(
        '<div style="padding-left:{}px">{}</div>',
        Y_GUTTER,
        mark_safe("".join(parts)),  # noqa: S308
    )
    return _figure(chart_id, "line", title, body, legend)


def _legend(series: Sequence[Series]) -> str:
    if not series:
        return ""
    items = []
    for index, one in enumerate(series):
        colour, dash, cap = SERIES_STYLES[index % len(SERIES_STYLES)]
        swatch = format_html(
            '<svg width="34" height="12" aria-hidden="true" style="vertical-align:middle">'
            '<line x1="2" x2="32" y1="6" y2="6" stroke="{}" stroke-width="2.5"{}/>'
            '<path d="M17 6h0" stroke="{}" stroke-width="8" stroke-linecap="{}"/></svg>',
            colour,
            format_html(' stroke-dasharray="{}"', dash) if dash else "",
            colour,
            cap,
        )
        items.append((swatch, one.label))
    return format_html(
        '<ul class="chart-legend" style="list-style:none;margin:.25rem 0 0;padding:0;'
        'display:flex;flex-wrap:wrap;gap:.25rem 1rem;font-size:.875rem">{}</ul>',
        format_html_join("", "<li>{} {}</li>", items),
    )


# --- bar chart -------------------------------------------------------------------------------
def bar_chart(
    *,
    title: str,
    rows: list[tuple[str, float | None]],
    max_value: float | None = None,
    value_suffix: str = "",
) -> SafeString:
    """Horizontal bars, one per (label, value) row, in the given order.

    Each row is its label on one line and, below it, the bar with the value written at the
    right edge. `max_value` is the full-length value (100 for percentages; default: the largest
    value). A None value draws no bar and says "N/A" (e.g. no dossier counted).
    """
    rows = [(str(label), value) for label, value in rows]
    largest = max((v for _label, v in rows if v is not None), default=0.0)
    full = float(max_value) if max_value else (largest or 1.0)
    chart_id = _chart_id("bar", (title, rows, full))
    description = "; ".join(
        f"{label}: {format_value(value, value_suffix)}" for label, value in rows
    )
    height = max(len(rows), 1) * BAR_ROW_HEIGHT
    parts: list[str] = [_svg_open(chart_id, height, title, description)]
    for index, (label, value) in enumerate(rows):
        top = index * BAR_ROW_HEIGHT
        text_y = top + FONT_SIZE + 1
        bar_y = top + FONT_SIZE + 6
        short = label if len(label) <= BAR_LABEL_CHARS else label[: BAR_LABEL_CHARS - 1] + "…"
        parts.append(
            format_html(
                '<g><title>{}</title><text x="0" y="{}">{}</text>'
                '<rect x="0" y="{}" width="{}%" height="{}" fill="{}" rx="2"/>',
                f"{label}: {format_value(value, value_suffix)}",
                text_y,
                short,
                bar_y,
                _num(BAR_MAX_SHARE),
                BAR_HEIGHT,
                TRACK_COLOUR,
            )
        )
        if value is None:
            parts.append(
                format_html(
                    '<text x="4" y="{}" font-style="italic" fill="{}">{}</text></g>',
                    bar_y + BAR_HEIGHT - 3,
                    MUTED_COLOUR,
                    format_value(None),
                )
            )
            continue
        share = min(max(value, 0.0) / full, 1.0) * BAR_MAX_SHARE
        parts.append(
            format_html(
                '<rect x="0" y="{}" width="{}%" height="{}" fill="{}" rx="2"/>'
                '<text x="100%" y="{}" text-anchor="end" font-weight="600">{}</text></g>',
                bar_y,
                _num(share),
                BAR_HEIGHT,
                BAR_COLOUR,
                bar_y + BAR_HEIGHT - 2,
                format_value(value, value_suffix),
            )
        )
    if not rows:
        parts.append(
            format_html(
                '<text x="0" y="{}" font-style="italic" fill="{}">{}</text>',
                FONT_SIZE + 6,
                MUTED_COLOUR,
                _("No data for this period."),
            )
        )
    parts.append(mark_safe("</svg>"))
    return _figure(chart_id, "bar", title, mark_safe("".join(parts)))  # noqa: S308


__all__ = ["Series", "bar_chart", "format_value", "line_chart"]
