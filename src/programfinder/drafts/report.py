"""A draft comparison as a Markdown document: closest winners, gaps and the criteria checklist.

The web page offers it as a download; it reads well pasted into a word processor or an issue.
Record text is put in Markdown as text: characters that Markdown would read as markup are
escaped, so a record cannot add links or HTML to the report.

Example:
    >>> from programfinder import similar
    >>> print(draft_report_markdown(similar("Volunteers store parcels for residents."))[:40])  # doctest: +SKIP
    # Draft compared with the award winners
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .comparison import DraftComparison

_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~])")


def md_text(text: object) -> str:
    """``text`` on one line with Markdown's special characters escaped."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))


def draft_report_markdown(results: DraftComparison, *, title: str = "") -> str:
    """The report of ``similar(draft_text)`` as Markdown."""
    lines = [f"# {md_text(title or 'Draft compared with the award winners')}", ""]
    lines.append(f"Draft of {results.draft_words:,} words.")
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
            f"similarity {hit.score:.2f}; id `{program.id}`"
        )
        if hit.shared_terms:
            lines.append(f"   - Shared themes: {md_text(', '.join(hit.shared_terms))}")
        if hit.snippet:
            lines.append(f"   - “{md_text(hit.snippet)}”")
    if results.gaps is not None:
        gaps = results.gaps
        lines += ["", "## What the closest winners show that the draft does not", ""]
        lines.append(f"Compared with: {md_text(', '.join(gaps.programs))}")
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
    return "\n".join(lines) + "\n"
