"""A draft comparison as a Markdown document: closest winners, gaps, the criteria checklist, and
the sources of every winner it names, with when and against what it was made.

The web page offers it as a download; it reads well pasted into a word processor or an issue.
Record text is put in Markdown as text: the characters that would start markup (emphasis,
code, links, HTML, a table cell, a character reference) are escaped, and nothing else, so that
ids, figures and hyphenated words copy cleanly while a record cannot add links or HTML.

Example:
    >>> from programfinder import similar
    >>> print(draft_report_markdown(similar("Volunteers store parcels for residents."))[:40])  # doctest: +SKIP
    # Draft compared with the award winners
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..records.checks import WEB_ADDRESS
from ..records.citation import long_date
from ..version import __version__
from .documents import plural

if TYPE_CHECKING:
    from .comparison import DraftComparison

# Inline markup anywhere in a line (emphasis, code, links and images, HTML, strikethrough,
# table cells); a character reference such as &amp; would be read as the character.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>|~])|&(?=#?\w+;)")


@dataclass(frozen=True)
class ReportSource:
    """What a report was made with: the date, the programfinder version and the corpus (its
    name, record count and a fingerprint of its content, which changes when any record does)."""

    corpus: str = ""
    records: int = 0
    fingerprint: str = ""
    version: str = __version__
    made: _dt.date = field(default_factory=_dt.date.today)

    def line(self) -> str:
        """``Compared on 7 December 2026 by programfinder 0.1.0 with the shipped corpus (254
        records, fingerprint 3f2a...)``."""
        corpus = f" with {self.corpus}" if self.corpus else ""
        details = [plural(self.records, "record")] if self.records else []
        if self.fingerprint:
            details.append(f"fingerprint {self.fingerprint}")
        if details:
            corpus += f" ({', '.join(details)})"
        return f"Compared on {long_date(self.made)} by programfinder {self.version}{corpus}."


def md_text(text: object) -> str:
    """``text`` on one line with the characters that would start Markdown markup escaped."""
    return _MARKDOWN_SPECIAL.sub(
        lambda m: "\\" + m[0] if m[1] else "&amp;", " ".join(str(text).split())
    )


def md_code(text: object) -> str:
    """``text`` as inline code (an id): shown as typed, copied without escapes."""
    value = " ".join(str(text).split()).replace("`", "'")
    return f"`{value}`"


def draft_report_markdown(
    results: DraftComparison, *, title: str = "", source: ReportSource | None = None
) -> str:
    """The report of ``similar(draft_text)`` as Markdown, ending with the sources of every
    winner it names and what it was made with (``source``; today and this version if None)."""
    made = source or ReportSource()
    lines = [f"# {md_text(title or 'Draft compared with the award winners')}", ""]
    lines.append(f"A draft of {plural(results.draft_words, 'word')}. {md_text(made.line())}")
    for notice in results.notices:
        lines.append(f"\n> Note: {md_text(notice)}")
    if results.expansions:
        lines.append(
            "\nAlso matched synonyms: " + "; ".join(md_text(str(e)) for e in results.expansions)
        )
    lines += ["", "## Closest winners", ""]
    if not results:
        lines.append(md_text(results.note or "No similar programs found."))
    for hit in results:
        program = hit.program
        lines.append(
            f"{hit.rank}. **{md_text(program.title)}** ({md_text(program.agency)}, "
            f"{md_text(program.place)}; {md_text(program.award)}, {program.award_year}); "
            f"similarity {hit.score:.2f}; id {md_code(program.id)}"
        )
        if hit.shared_terms:
            lines.append(f"   - Shared themes: {md_text(', '.join(hit.shared_terms))}")
        if hit.snippet:
            lines.append(f"   - “{md_text(hit.snippet)}”")
    if results.gaps is not None:
        gaps = results.gaps
        lines += ["", "## What the closest winners show that the draft does not", ""]
        lines.append("Compared with: " + ", ".join(md_code(i) for i in gaps.programs))
        lines.append("")
        themes = ", ".join(f"{tag} ({n} of {len(gaps.programs)})" for tag, n in gaps.themes)
        lines.append(f"- Themes not mentioned: {md_text(themes or 'none')}")
        lines.append(f"- Distinctive words not used: {md_text(', '.join(gaps.terms) or 'none')}")
        lines += ["", "## What the draft shows for the award criteria", ""]
        lines.append("What the text contains, not a judgement of the program.")
        lines.append("")
        for item in results.checklist:
            mark = "[x]" if item.found else "[ ]"
            if item.found:
                lines.append(f"- {mark} **{md_text(item.criterion)}**")
                lines.extend(f"  - “{md_text(example)}”" for example in item.evidence)
            else:
                lines.append(
                    f"- {mark} **{md_text(item.criterion)}**: nothing found "
                    f"(looked for {md_text(item.looked_for)})"
                )
    lines += _sources(results, made)
    return "\n".join(lines) + "\n"


def _sources(results: DraftComparison, made: ReportSource) -> list[str]:
    """The sources of every winner named, as links where they are web addresses."""
    if not results:
        return []
    lines = ["", "## Sources", ""]
    lines.append(
        f"Where the facts about each winner come from (accessed {long_date(made.made)}); "
        "check a figure there before citing it."
    )
    lines.append("")
    for hit in results:
        program = hit.program
        urls = [program.source_url, *program.other_sources]
        # an autolink holds an address whole; WEB_ADDRESS has no spaces, '<' or '>' is checked
        shown = [
            f"<{u}>" if WEB_ADDRESS.match(u) and not re.search(r"[<>]", u) else md_text(u)
            for u in urls
            if u
        ]
        where = "; ".join(shown) if shown else "no source named"
        lines.append(f"{hit.rank}. {md_text(program.title)} ({md_code(program.id)}): {where}")
    return lines
