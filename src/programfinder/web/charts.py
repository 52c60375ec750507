"""Bar charts drawn on the server as SVG geometry: the template writes the shapes, the page needs
no script, font or image from elsewhere."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

LABEL_CHARS = 34


@dataclass(frozen=True)
class Bar:
    """One bar: its label, count, where it goes, and the search it links to."""

    label: str
    title: str  # the full label, for the tooltip and screen readers
    count: int
    href: str
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class Chart:
    """A chart's size, its bars and a one-line description for assistive technology."""

    kind: str  # "rows" (horizontal bars with labels on the left) or "columns" (years)
    width: int
    height: int
    bars: tuple[Bar, ...]
    description: str
    label_width: int = 0


def _short(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1].rstrip() + "…"


def row_chart(
    rows: Sequence[tuple[str, int, str]],
    *,
    what: str,
    width: int = 640,
    label_width: int = 250,
    row_height: int = 24,
) -> Chart:
    """Horizontal bars, one per (label, count, link), longest first as given."""
    top = max((count for _, count, _ in rows), default=0) or 1
    room = width - label_width - 50
    bars = tuple(
        Bar(
            label=_short(label),
            title=f"{label}: {count}",
            count=count,
            href=href,
            x=label_width,
            y=i * row_height + 4,
            width=max(1.0, round(room * count / top, 1)),
            height=row_height - 8,
        )
        for i, (label, count, href) in enumerate(rows)
    )
    return Chart(
        kind="rows",
        width=width,
        height=max(row_height, len(rows) * row_height),
        bars=bars,
        description=f"Bar chart of records by {what}",
        label_width=label_width,
    )


def column_chart(
    columns: Sequence[tuple[int, int, str]], *, what: str, width: int = 640, height: int = 180
) -> Chart:
    """Vertical bars, one per (year, count, link), in the order given; every fifth year labelled."""
    top = max((count for _, count, _ in columns), default=0) or 1
    plot = height - 30
    step = (width - 20) / max(1, len(columns))
    bars = tuple(
        Bar(
            label=str(year) if year % 5 == 0 or len(columns) <= 12 else "",
            title=f"{year}: {count}",
            count=count,
            href=href,
            x=round(10 + i * step + step * 0.1, 1),
            y=round(plot - plot * count / top + 4, 1),
            width=round(step * 0.8, 1),
            height=round(plot * count / top, 1),
        )
        for i, (year, count, href) in enumerate(columns)
    )
    return Chart(
        kind="columns",
        width=width,
        height=height,
        bars=bars,
        description=f"Column chart of records by {what}",
    )
