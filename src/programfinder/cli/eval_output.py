"""`programfinder eval` in the terminal: relevance per judged set and kind, similar programs,
and the draft report's precision and recall."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

if TYPE_CHECKING:  # imported for annotations only: `list` and `show` must not pull in numpy
    from ..retrieval.evaluation import SystemScores


def print_evaluation(console: Console, systems: Sequence[SystemScores], title: str = "") -> None:
    """One judged set: metrics per system overall, then nDCG@10 and hit@3 per kind of query,
    systems side by side (the best of each row in bold)."""
    from ..retrieval.evaluation import METRICS

    label = f"{title}: " if title else ""
    overall = Table(title=f"{label}all queries", title_justify="left", title_style="bold")
    overall.add_column("System")
    for metric in METRICS:
        overall.add_column(metric, justify="right")
    for system in systems:
        overall.add_row(system.name, *(f"{system.overall[m]:.3f}" for m in METRICS))
    console.print(overall)
    for metric in ("ndcg@10", "hit@3"):
        by_kind = Table(title=f"{label}{metric} by kind", title_justify="left", title_style="bold")
        by_kind.add_column("Kind")
        by_kind.add_column("n", justify="right")
        for system in systems:
            by_kind.add_column(system.name, justify="right")
        for kind, _values in systems[0].by_type.items():
            figures = [s.by_type[kind][metric] for s in systems]
            best = max(figures)
            by_kind.add_row(
                kind,
                str(systems[0].counts.get(kind, "")),
                *(Text(f"{f:.3f}", style="bold" if f == best else "") for f in figures),
            )
        console.print(by_kind)


def print_similar_evaluation(
    console: Console, figures: dict[str, dict[str, dict[str, float]]]
) -> None:
    """hit@1, hit@3 and MRR for drafts and record pairs, per scoring method."""
    from ..retrieval.evaluation import SIMILAR_METRICS

    table = Table(title="Similar programs", title_justify="left", title_style="bold")
    table.add_column("Scoring")
    table.add_column("Cases")
    for metric in SIMILAR_METRICS:
        table.add_column(metric, justify="right")
    for method, groups in figures.items():
        for group, values in groups.items():
            table.add_row(method, group, *(f"{values[m]:.3f}" for m in SIMILAR_METRICS))
    console.print(table)


def print_report_evaluation(console: Console, methods: dict[str, Any], title: str = "") -> None:
    """The draft report's precision and recall per criterion, for partners and for themes, read
    by words (before meaning) and by meaning, side by side."""
    table = Table(title=f"{title}: the draft report, precision / recall", title_justify="left")
    table.add_column("Criterion")
    for method in methods:
        table.add_column(f"by {method}", justify="right")
    first = next(iter(methods.values()))
    rows: list[tuple[str, str, str | None]] = [
        (name, "criteria", name) for name in sorted(first["criteria"])
    ]
    rows += [("Named partners", "partners", None), ("Themes covered", "themes", None)]
    for label, part, name in rows:
        cells = []
        for figures in methods.values():
            value = figures[part].get(name) if name is not None else figures[part]
            cells.append(
                "" if value is None else f"{value['precision']:.2f} / {value['recall']:.2f}"
            )
        table.add_row(label, *cells)
    table.add_row(
        "Evidence quoted (precision)",
        *(f"{figures['evidence precision']:.2f}" for figures in methods.values()),
    )
    console.print(table)
