"""Charts as plain geometry for the templates to draw as SVG (no script needed to see them).

Each chart is computed here from rows of (period, series, value) and comes out
as rectangles, polylines and labels with the link each mark leads to; the
template only places them, escaping every label.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from .queries import PERIOD_FORMATS

WIDTH, HEIGHT = 760, 200
PAD_L, PAD_R, PAD_T, PAD_B = 36, 8, 10, 24


def period_labels(period: str, first: str, last: str) -> list[str]:
    """Every period label from the one holding *first* to the one holding *last*, gaps included."""
    d0, d1 = date.fromisoformat(first[:10]), date.fromisoformat(last[:10])
    if period == "month":
        out, y, m = [], d0.year, d0.month
        while (y, m) <= (d1.year, d1.month):
            out.append(f"{y:04d}-{m:02d}")
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        return out
    step = timedelta(days=1 if period == "day" else 7)
    if period == "week":
        d0 -= timedelta(days=d0.weekday())
    out = []
    while d0 <= d1:
        out.append(d0.strftime(PERIOD_FORMATS[period]))
        d0 += step
    return out


@dataclass(slots=True)
class Rect:
    x: float
    y: float
    w: float
    h: float
    css: str
    href: str
    title: str


@dataclass(slots=True)
class Line:
    css: str
    label: str
    points: str
    dots: list[Rect] = field(default_factory=list)  # x, y of each point, with its link (w, h unused)


@dataclass(slots=True)
class Chart:
    width: int
    height: int
    top: int  # the y-axis maximum
    ticks: list[tuple[float, str]]  # x, label along the bottom
    rects: list[Rect] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    legend: list[tuple[str, str]] = field(default_factory=list)  # css, label
    y_top: float = PAD_T
    y_base: float = HEIGHT - PAD_B
    x_left: float = PAD_L

    @property
    def empty(self) -> bool:
        return not self.rects and not self.lines


def _ticks(labels: list[str], x_of: dict[str, float], n: int = 7) -> list[tuple[float, str]]:
    """About *n* labels along the axis, none so near the right edge that its text would be cut."""
    if not labels:
        return []
    step = max(1, -(-len(labels) // n))
    return [(x_of[lab], lab) for lab in labels[::step] if x_of[lab] <= WIDTH - 70]


def _nice_top(v: int) -> int:
    for m in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000):
        if v <= m:
            return m
    return v


Href = Callable[[str, str], str]  # (period label, series) -> link
Title = Callable[[str, str, int], str]  # (period label, series, value) -> tooltip


def stacked_bars(labels: list[str], values: dict[tuple[str, str], int], series: list[str], href: Href, title: Title) -> Chart:
    """Bars per label, stacked by series in the given order; ``href(label, series)`` and
    ``title(label, series, value)`` give each block's link and tooltip."""
    plot_w, plot_h = WIDTH - PAD_L - PAD_R, HEIGHT - PAD_T - PAD_B
    totals = [sum(values.get((lab, s), 0) for s in series) for lab in labels]
    top = _nice_top(max(totals, default=0) or 1)
    slot = plot_w / max(len(labels), 1)
    bar_w = min(max(slot * 0.8, 1.0), 48.0)
    x_of = {lab: PAD_L + i * slot + (slot - bar_w) / 2 for i, lab in enumerate(labels)}
    chart = Chart(WIDTH, HEIGHT, top, _ticks(labels, x_of), legend=[(f"s{i}", s) for i, s in enumerate(series)])
    for lab in labels:
        base = HEIGHT - PAD_B
        for i, s in enumerate(series):
            v = values.get((lab, s), 0)
            if not v:
                continue
            h = v / top * plot_h
            base -= h
            chart.rects.append(Rect(round(x_of[lab], 1), round(base, 1), round(bar_w, 1), round(h, 1), f"s{i}",
                                    href(lab, s), title(lab, s, v)))  # fmt: skip
    return chart


def lines(labels: list[str], values: dict[tuple[str, str], int], series: list[str], href: Href, title: Title,
          names: dict[str, str] | None = None) -> Chart:
    """One polyline per series over the labels (missing values are 0)."""
    plot_w, plot_h = WIDTH - PAD_L - PAD_R, HEIGHT - PAD_T - PAD_B
    top = _nice_top(max(values.values(), default=0) or 1)
    step = plot_w / max(len(labels) - 1, 1)
    x_of = {lab: PAD_L + i * step for i, lab in enumerate(labels)}
    names = names or {}
    chart = Chart(WIDTH, HEIGHT, top, _ticks(labels, x_of), legend=[(f"s{i}", names.get(s, s)) for i, s in enumerate(series)])
    for i, s in enumerate(series):
        pts, dots = [], []
        for lab in labels:
            v = values.get((lab, s), 0)
            x, y = round(x_of[lab], 1), round(HEIGHT - PAD_B - v / top * plot_h, 1)
            pts.append(f"{x},{y}")
            if v:
                dots.append(Rect(x, y, 0, 0, f"s{i}", href(lab, s), title(lab, names.get(s, s), v)))
        chart.lines.append(Line(f"s{i}", names.get(s, s), " ".join(pts), dots))
    return chart


def when(label: str) -> str:
    """A period label as a person reads it: 2025-03 -> Mar 2025, 2025-W08 -> 24 Feb 2025 (its Monday)."""
    try:
        if len(label) == 7:
            return datetime.strptime(label, "%Y-%m").strftime("%b %Y")
        if "-W" in label:
            return datetime.strptime(label + "-1", "%Y-W%W-%w").strftime("%d %b %Y").lstrip("0")
    except ValueError:
        pass
    return label
