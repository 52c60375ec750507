"""Turning records, statistics and problems into terminal tables, JSON or CSV.

This is the only module that knows about rich. Text from records is always passed to rich as
``Text`` objects, never as markup strings, and control characters are removed first, so that a
record can neither restyle nor hijack the terminal.
"""

from __future__ import annotations

import json
import re
import sys
import textwrap
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..errors import echo
from ..records.problems import Problem
from ..records.program import Program
from ..records.spreadsheet import csv_text

if TYPE_CHECKING:  # imported for annotations only: `list` and `show` must not pull in numpy
    from ..language.synonyms import Expansion
    from ..records.stats import CorpusStats
    from ..retrieval.hits import Hit, SearchResults
    from ..retrieval.ordering import OrderedResults
    from ..retrieval.similarity import SimilarResults

_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Piped output has no terminal width; this keeps tables readable in a file or a pager.
_PIPE_WIDTH = 120


def clean(text: object) -> str:
    """Text safe to print: control characters (escape sequences, bells) removed."""
    return _CONTROL_CHARS.sub("", str(text))


def make_console(stderr: bool = False) -> Console:
    """A console for stdout (or stderr) that wraps to the terminal, or to 120 columns in a pipe."""
    stream = sys.stderr if stderr else sys.stdout
    terminal = stream.isatty()
    # In a pipe, lines of prose are not wrapped, so that grep and scripts see whole messages.
    return Console(
        file=stream,
        width=None if terminal else _PIPE_WIDTH,
        highlight=False,
        soft_wrap=not terminal,
        markup=False,
    )


def emit_json(data: Any) -> None:
    """Print ``data`` as indented JSON on stdout (UTF-8, not ASCII-escaped)."""
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def emit_csv(rows: Sequence[dict[str, Any]]) -> None:
    """Print ``rows`` as CSV with a header, safe to open in a spreadsheet (see
    ``records.spreadsheet``: formula starts neutralised, lists of words joined with '; ',
    other lists and mappings as JSON)."""
    sys.stdout.write(csv_text(rows))


def emit_citations(programs: Sequence[Program], fmt: str) -> None:
    """Print the citations of ``programs`` in ``fmt`` (text, ris, bibtex or csl-json), accessed
    today."""
    from ..records.citation import cite

    sys.stdout.write(cite(programs, fmt))


def programs_table(programs: Iterable[Program], title: str | None = None) -> Table:
    """A table of records: year, program (title over id), agency over country, award."""
    table = Table(title=title, title_justify="left", title_style="bold", show_lines=True)
    table.add_column("Year", justify="right", no_wrap=True)
    table.add_column("Program / ID", ratio=5, overflow="fold")
    table.add_column("Agency / Country", ratio=3)
    table.add_column("Award", ratio=1, min_width=10)
    for program in programs:
        name = Text(clean(program.title), style="bold")
        if program.is_brief:
            name.append(" (brief record)", style="yellow")
        name.append("\n" + clean(program.id), style="cyan")
        agency = Text(clean(program.agency))
        agency.append("\n" + clean(program.country), style="dim")
        table.add_row(Text(str(program.award_year)), name, agency, Text(clean(program.award_short)))
    return table


BRIEF_NOTE = "Brief record: the public description of this program is short."


def print_program(console: Console, program: Program) -> None:
    """The whole record, readable: heading, facts, outcomes, description, source."""
    console.print(Text(clean(program.title), style="bold underline"))
    console.print(Text(f"{clean(program.agency)} — {clean(program.place)}"))
    award_line = f"{clean(program.award)}, {program.award_year}"
    if program.category:
        award_line += f" ({clean(program.category)}"
        award_line += f", {clean(program.division)})" if program.division else ")"
    console.print(Text(award_line, style="italic"))
    if program.is_brief:
        console.print(Text(BRIEF_NOTE, style="yellow"))
    console.print()
    facts = Table.grid(padding=(0, 2))
    facts.add_column(style="bold", no_wrap=True)
    facts.add_column()
    rows = [
        ("ID", program.id),
        ("Problem", ", ".join(program.problem)),
        ("Tactics", ", ".join(program.tactics)),
        ("Partners", "; ".join(program.partners)),
        ("Started", str(program.started) if program.started else ""),
        ("Evaluation", program.evaluation_text),
        ("Setting", ", ".join(program.setting)),
        ("Population", f"{program.population:,}" if program.population else ""),
        ("Officers", f"{program.officers:,}" if program.officers else ""),
    ]
    for label, value in rows:
        if value:
            facts.add_row(Text(label), Text(clean(value)))
    console.print(facts)
    if program.outcomes:
        console.print()
        console.print(Text("Outcomes", style="bold"))
        for outcome in program.outcomes:
            line = Text("  • ")
            line.append(clean(outcome.measure))
            line.append(": ")
            line.append(clean(outcome.value), style="bold")
            console.print(line)
    console.print()
    for paragraph in clean(program.body).split("\n\n"):
        console.print(Text(" ".join(paragraph.split())))
        console.print()
    if program.source_url:
        console.print(Text("Source: ", style="bold") + Text(clean(program.source_url)))
    for url in program.other_sources:
        console.print(Text("Also:   ", style="bold") + Text(clean(url)))
    if program.related:
        console.print(Text("Related: ", style="bold") + Text(clean(", ".join(program.related))))
    from ..records.citation import citation_text

    console.print()
    console.print(Text("Cite as: ", style="bold") + Text(clean(citation_text(program))))
    console.print(
        Text(
            f"(programfinder show {program.id} --cite --format ris, bibtex or csl-json for a "
            "reference manager)",
            style="dim",
        )
    )


def _count_table(title: str, label: str, rows: Sequence[tuple[Any, int]], total: int) -> Table:
    table = Table(title=title, title_justify="left", title_style="bold")
    table.add_column(label)
    table.add_column("Records", justify="right")
    table.add_column("Share", justify="right")
    for name, count in rows:
        share = f"{100 * count / total:.0f}%" if total else "-"
        table.add_row(Text(clean(name)), str(count), share)
    return table


def print_stats(console: Console, stats: CorpusStats, top: int = 15) -> None:
    """Counts by award, decade (with its years), country and the most frequent tags."""
    console.print(
        Text(
            f"{stats.records} records · {len(stats.by_award)} awards · "
            f"{len(stats.by_country)} countries"
            + (f" · {stats.brief} brief" if stats.brief else ""),
            style="bold",
        )
    )
    console.print()
    console.print(_count_table("By award", "Award", stats.by_award, stats.records))
    decades = Table(title="By decade", title_justify="left", title_style="bold")
    decades.add_column("Decade")
    decades.add_column("Records", justify="right")
    decades.add_column("Years (records)")
    for decade, count in stats.by_decade:
        start = int(decade[:-1])
        years = ", ".join(f"{y}: {n}" for y, n in stats.by_year if start <= y < start + 10)
        decades.add_row(decade, str(count), years)
    console.print(decades)
    console.print(_count_table("By country", "Country", stats.by_country, stats.records))
    console.print(
        _count_table(f"Top {top} problem tags", "Problem", stats.by_problem[:top], stats.records)
    )
    console.print(
        _count_table(f"Top {top} tactic tags", "Tactic", stats.by_tactic[:top], stats.records)
    )
    console.print(
        _count_table(
            "How the effect was measured", "Evaluation", stats.by_evaluation, stats.records
        )
    )
    console.print(_count_table("By setting", "Setting", stats.by_setting, stats.records))


def print_problems(console: Console, problems: Iterable[Problem]) -> None:
    """One block per problem: location and field, what is wrong, how to fix it."""
    for problem in problems:
        style = "bold red" if problem.severity == "error" else "yellow"
        head = Text(f"{problem.severity}: ", style=style)
        head.append(clean(problem.location), style="bold")
        if problem.field:
            head.append(f" [{clean(problem.field)}]")
        console.print(head)
        console.print(Text("  " + clean(problem.message)))
        if problem.hint:
            console.print(Text("  fix: " + clean(problem.hint), style="dim"))


def warn_skipped(problems: Iterable[Problem], shown: int = 3) -> None:
    """Tell the user on stderr which broken records were left out (errors only)."""
    errors = [p for p in problems if p.severity == "error"]
    if not errors:
        return
    console = make_console(stderr=True)
    files = sorted({p.location.split(":")[0] for p in errors})
    console.print(
        Text(
            f"warning: {len(files)} record file(s) could not be read and were skipped "
            "(run `programfinder validate` for every problem):",
            style="yellow",
        )
    )
    for problem in errors[:shown]:
        console.print(Text("  " + textwrap.shorten(clean(str(problem)), 160)))
    if len(errors) > shown:
        console.print(Text(f"  … and {len(errors) - shown} more"))


def _hit_cell(hit: Hit, explain: bool) -> Text:
    cell = Text(clean(hit.program.title), style="bold")
    if hit.program.is_brief:
        cell.append(" (brief record)", style="yellow")
    cell.append("\n" + clean(hit.id), style="cyan")
    if hit.snippet:
        snippet = Text("\n" + clean(hit.snippet), style="italic")
        for start, end in hit.highlights:
            snippet.stylize("bold yellow", start + 1, end + 1)  # +1 for the leading newline
        cell.append_text(snippet)
    if hit.shared_terms and not explain:
        cell.append("\nshared themes: " + clean(", ".join(hit.shared_terms)), style="dim")
    elif hit.matched_terms and not explain:
        typed = [m.term for m in hit.matches if m.via == "typed"] if hit.matches else []
        reached = [str(m) for m in hit.matches if m.via != "typed"][:4]
        shown = typed[:8] if hit.matches else list(hit.matched_terms[:8])
        if shown:
            cell.append("\nmatched: " + clean(", ".join(shown)), style="dim")
        if reached:
            cell.append("\nreached through: " + clean("; ".join(reached)), style="dim")
    if explain and hit.matches:
        cell.append("\nhow each word was reached:", style="dim")
        for match in hit.matches:
            how = {
                "typed": "as typed",
                "synonym": f"synonym of '{match.found}'",
                "glossary": f"everyday word '{match.found}'",
                "tag": f"'{match.found}' is an entry term of this tag",
                "thesaurus": f"thesaurus, from '{match.found}'",
            }.get(match.via, match.via)
            cell.append(f"\n  {match.score:.3f} {clean(match.term)} ({clean(how)})", style="dim")
    if hit.meaning is not None and (explain or not hit.matched_terms):
        cell.append(f"\nfound by meaning ({hit.meaning:.3f} of the score)", style="dim")
        if explain and hit.passage:
            cell.append("\nclosest passage: " + clean(hit.passage), style="dim italic")
    if explain and hit.contributions:
        cell.append("\nscore = ", style="dim")
        cell.append(
            " + ".join(f"{value:.3f} {clean(term)}" for term, value in hit.contributions),
            style="dim",
        )
    return cell


def hits_table(hits: Sequence[Hit], *, explain: bool = False, show_score: bool = True) -> Table:
    """Ranked hits: rank, program (title, id, best sentence with matched words), agency and
    place, year and score."""
    table = Table(show_lines=True, title_justify="left")
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("Program", ratio=5)
    table.add_column("Agency / Place", ratio=2)
    table.add_column("Year", justify="right", no_wrap=True)
    if show_score:
        table.add_column("Score", justify="right", no_wrap=True)
    for hit in hits:
        if hit.weak and hit is next(h for h in hits if h.weak):
            table.add_section()  # the weaker matches come after the others
        place = Text(clean(hit.program.agency))
        place.append("\n" + clean(hit.program.place), style="dim")
        place.append("\nevidence: " + clean(hit.program.evidence), style="dim")
        rank = Text(str(hit.rank))
        if hit.weak:
            rank.append("\nweaker", style="dim italic")
        row = [
            rank,
            _hit_cell(hit, explain),
            place,
            Text(str(hit.program.award_year)),
        ]
        if show_score:
            row.append(Text(f"{hit.score:.3f}"))
        table.add_row(*row)
    return table


EXPANSION_LABELS = {
    "synonym": "Also searched for synonyms",
    "glossary": "Read everyday words as",
    "tag": "Words that lead to a tag",
    "thesaurus": "Also searched (thesaurus)",
}


def print_expansions(console: Console, expansions: Sequence[Expansion], limit: int = 8) -> None:
    """How the query was widened, one line per source (synonyms, everyday words, tags,
    thesaurus)."""
    for via, label in EXPANSION_LABELS.items():
        found = [clean(str(e)) for e in expansions if e.via == via]
        if found:
            console.print(Text(f"{label}: " + "; ".join(found[:limit]), style="dim"))


def print_search_results(
    console: Console,
    results: SearchResults,
    *,
    explain: bool = False,
    order: OrderedResults | None = None,
) -> None:
    """How the query was read (and sorted), the hits, and what to try when there are none."""
    for correction in results.corrections:
        console.print(
            Text(
                f"Searched for '{clean(correction.replacement)}' (no program uses '{clean(correction.original)}').",
                style="yellow",
            )
        )
    print_expansions(console, results.expansions)
    if not results:
        advice = [results.note] if results.note else []
        advice.append("Try fewer or other words, check the spelling")
        if results.phrases:
            advice[-1] += ", drop the quotes around phrases"
        if results.excluded:
            advice[-1] += ", drop the -excluded terms"
        if results.filters.active:
            advice[-1] += f", or loosen the filters ({results.filters.describe()})"
        advice[-1] += "; `programfinder list` shows every program."
        console.print(
            Text("No programs found for " + echo(clean(results.query)) + ". " + " ".join(advice))
        )
        return
    browsing = not results.query.strip() or all(h.score == 0 for h in results)
    if order is not None and order.sort != "relevance" and not browsing:
        line = f"Sorted {order.sort} first"
        if order.left_out:
            line += (
                f": the {results.total} strong match{'es' if results.total != 1 else ''}; "
                f"{order.left_out} weaker left out (--sort relevance shows every match)"
            )
        console.print(Text(line + ".", style="yellow"))
    console.print(hits_table(results, explain=explain, show_score=not browsing))
    strong = sum(not h.weak for h in results)
    shown = f"{strong} of {results.total}" if results.total > strong else f"{strong}"
    summary = f"{shown} matching program{'s' if results.total != 1 else ''}"
    if results.weaker:
        weak = len(results) - strong
        summary += f", then {weak} of {results.weaker} weaker matches (marked 'weaker')"
    console.print(Text(f"{summary}. Show one with: programfinder show ID", style="dim"))


def print_similar(console: Console, results: SimilarResults) -> None:
    """Programs like a record or a draft; for a draft, the gaps and the criteria checklist."""
    from ..drafts.documents import plural

    for notice in results.notices:
        console.print(Text("note: " + clean(notice), style="yellow"))
    if results.source is not None:
        head = Text("Programs most like ", style="bold")
        head.append(clean(results.source.title), style="bold cyan")
        head.append(f" ({clean(results.source.id)})")
        console.print(head)
    else:
        console.print(
            Text(
                f"Programs closest to your draft ({plural(results.draft_words, 'word')})",
                style="bold",
            )
        )
    print_expansions(console, results.expansions, limit=6)
    if not results:
        console.print(Text(results.note or "No similar programs found with these filters."))
        return
    console.print(hits_table(results))
    from ..drafts.comparison import DraftComparison  # numpy-backed; `list` must not load it

    if not isinstance(results, DraftComparison) or results.gaps is None:
        return
    console.print()
    console.print(
        Text("What the closest winners show that your draft does not", style="bold underline")
    )
    gaps = results.gaps
    console.print(Text("Compared with: " + clean(", ".join(gaps.programs)), style="dim"))
    if gaps.themes:
        console.print(
            Text("  Themes not mentioned: ")
            + Text(
                clean(
                    ", ".join(f"{tag} ({n} of {len(gaps.programs)})" for tag, n in gaps.themes[:8])
                ),
                style="bold",
            )
        )
    if gaps.terms:
        console.print(
            Text("  Distinctive words not used: ")
            + Text(clean(", ".join(gaps.terms)), style="bold")
        )
    console.print()
    console.print(Text("What your draft shows for the award criteria", style="bold underline"))
    console.print(Text("(what the text contains, not a judgement of the program)", style="dim"))
    for item in results.checklist:
        mark = Text("  ✓ " if item.found else "  ✗ ", style="green" if item.found else "red")
        mark.append(item.criterion, style="bold")
        if not item.found:
            mark.append(f": nothing found (looked for {clean(item.looked_for)})", style="dim")
        console.print(mark)
        for example in item.evidence:
            console.print(Text("      “" + clean(example) + "”", style="italic"))
