"""Charts drawn on the server as SVG: the geometry here, the markup in ``templates/charts.html``, where
autoescaping keeps every label text. No script draws them, and each view puts the numbers beside the
chart as a table.

Three shapes: bars (adviezen per year), stacked bars (seats per group per allocation) and a timeline
of periods (chairs, covenants). Coordinates are in the SVG's own units; the SVG scales to its box.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

WIDTH = 720
BAR_AREA = 220  # height of the bars' area
TOP = 10
LEFT = 40
ROW = 22  # height of one timeline row
SERIES = 6  # colours of stacked series, by position (css classes s0..s5)


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    w: float
    h: float
    title: str  # the tooltip (<title>), the label and the number
    css: str = "bar"


@dataclass(frozen=True)
class Text:
    x: float
    y: float
    text: str
    anchor: str = "middle"


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    label: str  # the SVG's accessible name
    rects: tuple[Rect, ...]
    texts: tuple[Text, ...]
    legend: tuple[tuple[str, str], ...] = ()  # (css class, label)


def bars(points: Sequence[tuple[str, int]], label: str) -> Chart:
    """One bar per (label, value), in the order given; the labels of every fifth bar written under it."""
    top = max((v for _, v in points), default=0) or 1
    step = (WIDTH - LEFT) / max(len(points), 1)
    rects, texts = [], [Text(LEFT - 4, TOP + 8, str(top), "end"), Text(LEFT - 4, TOP + BAR_AREA, "0", "end")]
    for i, (name, value) in enumerate(points):
        h = BAR_AREA * value / top
        x = LEFT + i * step
        rects.append(Rect(round(x + step * 0.1, 1), round(TOP + BAR_AREA - h, 1), round(step * 0.8, 1),
                          round(h, 1), f"{name}: {value}"))
        if i % 5 == 0 or i == len(points) - 1:
            texts.append(Text(round(x + step / 2, 1), TOP + BAR_AREA + 16, name))
    return Chart(WIDTH, TOP + BAR_AREA + 24, label, tuple(rects), tuple(texts))


def stacked(columns: Sequence[tuple[str, Sequence[tuple[str, int]]]], series: Sequence[str], label: str) -> Chart:
    """One stacked bar per (column label, [(series, value)]); series coloured by their place in ``series``."""
    top = max((sum(v for _, v in parts) for _, parts in columns), default=0) or 1
    step = (WIDTH - LEFT) / max(len(columns), 1)
    rects, texts = [], [Text(LEFT - 4, TOP + 8, str(top), "end"), Text(LEFT - 4, TOP + BAR_AREA, "0", "end")]
    for i, (name, parts) in enumerate(columns):
        x = LEFT + i * step
        y: float = TOP + BAR_AREA
        for part, value in parts:
            h = BAR_AREA * value / top
            y -= h
            css = f"s{series.index(part) % SERIES}" if part in series else "bar"
            rects.append(Rect(round(x + step * 0.15, 1), round(y, 1), round(step * 0.7, 1), round(h, 1),
                              f"{name} · {part}: {value}", css))
        texts.append(Text(round(x + step / 2, 1), TOP + BAR_AREA + 16, name))
    legend = tuple((f"s{i % SERIES}", s) for i, s in enumerate(series))
    return Chart(WIDTH, TOP + BAR_AREA + 24, label, tuple(rects), tuple(texts), legend)


STATES = {"ended": "bar", "running": "bar running", "open": "bar open"}  # a period's bar, by what is known of its end


def timeline(spans: Sequence[tuple[str, float, float, str]], first: int, last: int, label: str) -> Chart:
    """One row per (label, start year, end year, state), on an axis from ``first`` to ``last``. The state is
    one of :data:`STATES`: ``ended``, ``running`` (drawn to today) or ``open`` (ended on a day the sources do
    not give: a short, faded stub at its start, so that it never looks as if it ran on)."""
    left = 230
    span = max(last - first, 1)

    def at(year: float) -> float:
        return round(left + (WIDTH - left - 10) * (year - first) / span, 1)

    rects, texts = [], []
    for i, (name, start, end, state) in enumerate(spans):
        y = TOP + i * ROW
        rects.append(Rect(at(start), y + 3, max(at(end) - at(start), 3), ROW - 6, name, STATES[state]))
        texts.append(Text(left - 6, y + ROW - 7, name, "end"))
    height = TOP + len(spans) * ROW
    ticks = range(first - first % 10 + 10 if first % 10 else first, last + 1, 10)
    texts.extend(Text(at(year), height + 14, str(year)) for year in ticks)
    return Chart(WIDTH, height + 20, label, tuple(rects), tuple(texts))
