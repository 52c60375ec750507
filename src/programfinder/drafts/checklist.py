"""Draft proposals: reading them safely, what the nearest winners show that a draft does not,
and what a draft contains for each published award criterion.

The checklist reports what the text contains (figures, named partners, words about data or cost);
it does not judge the program.
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import DraftError
from ..retrieval.explain import display_term, sentences

if TYPE_CHECKING:
    from ..index.scoring import Scorer

#: A draft is compared on at most this many characters (about 150 pages).
MAX_DRAFT_CHARS = 1_000_000
#: Bytes read from a draft file; a larger file is cut, with a notice.
MAX_DRAFT_BYTES = 4_000_000


@dataclass(frozen=True)
class Draft:
    """The text of a draft and what was noticed while reading it."""

    text: str
    notices: tuple[str, ...] = ()


def decode_draft(data: bytes, name: str) -> Draft:
    """Decode draft bytes: UTF-8, else Windows-1252 (word processors), saying so."""
    if b"\x00" in data[:8192]:
        raise DraftError(
            f"{name} looks like a binary file, not text. Save the draft as .docx, .odt, .pdf or plain "
            "text (.txt) and try again."
        )
    notices: list[str] = []
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
            notices.append(
                f"{name} is not UTF-8; it was read as Windows-1252 (the usual word-processor encoding)."
            )
        except UnicodeDecodeError:
            text = data.decode("latin-1")
            notices.append(
                f"{name} is not UTF-8 or Windows-1252; it was read as Latin-1, so some characters may be wrong."
            )
    if not text.strip():
        raise DraftError(f"{name} is empty: there is no text to compare.")
    return Draft(text, tuple(notices))


def read_draft(path: Path | str) -> Draft:
    """Read a draft file (``.txt``, ``.md``, ``.docx``, ``.odt`` or ``.pdf``; see ``documents``),
    or standard input for ``-``; a clear ``DraftError`` for anything that cannot be read."""
    from .documents import MAX_DOCUMENT_BYTES, read_document, read_document_file

    if str(path) == "-":
        data = sys.stdin.buffer.read(max(MAX_DOCUMENT_BYTES, MAX_DRAFT_BYTES) + 1)
        return read_document(data, "standard input")
    return read_document_file(Path(path))


@dataclass(frozen=True)
class Gaps:
    """What the nearest winners show that the draft does not mention."""

    programs: tuple[str, ...]
    terms: tuple[str, ...]
    themes: tuple[tuple[str, int], ...]  # (tag, how many of the nearest programs have it)

    def to_dict(self) -> dict[str, Any]:
        return {
            "compared_with": list(self.programs),
            "missing_terms": list(self.terms),
            "missing_themes": [{"theme": t, "programs": n} for t, n in self.themes],
        }


def find_gaps(
    index: Scorer,
    text: str,
    weights: Mapping[int, float],
    rows: Sequence[int],
    nearest: int = 3,
    n_terms: int = 10,
) -> Gaps:
    """Distinctive terms and tags of the ``nearest`` hits that never occur in the draft.

    Names of agencies, places and partners are left out: a draft is not expected to share them.
    """
    rows = list(rows[:nearest])
    draft_terms = set(index.analyzer(text))
    draft_sequence = index.analyzer.sequence(text)
    totals: dict[str, float] = {}
    for row in rows:
        program = index.programs[row]
        names = {
            term
            for part in (
                program.agency,
                program.city,
                program.region,
                program.country,
                program.title,
                *program.partners,
            )
            if part
            for term in index.analyzer(part)
        }
        for column, value in index.record_weights(row).items():
            term = index.terms_[int(column)]
            if int(column) in weights or term in draft_terms or term in names or term[:1].isdigit():
                continue
            totals[term] = totals.get(term, 0.0) + float(value)
    chosen: list[str] = []
    for term, _ in sorted(totals.items(), key=lambda item: (-item[1], item[0])):
        if any(term in other.split(" ") or other in term.split(" ") for other in chosen):
            continue  # "gang" adds nothing next to "gang violence"
        chosen.append(term)
        if len(chosen) == n_terms:
            break
    tag_counts: Counter[str] = Counter(tag for row in rows for tag in index.programs[row].tags)
    themes = tuple(
        (tag, count)
        for tag, count in tag_counts.most_common()
        if not _mentions(draft_sequence, index.analyzer.sequence(tag))
    )
    return Gaps(
        programs=tuple(index.programs[r].id for r in rows),
        terms=tuple(display_term(t, index.surface_) for t in chosen),
        themes=themes,
    )


def _mentions(sequence: list[str], phrase: list[str]) -> bool:
    n = len(phrase)
    return n > 0 and any(sequence[i : i + n] == phrase for i in range(len(sequence) - n + 1))


# ------------------------------------------------------------------------------- criteria
@dataclass(frozen=True)
class CheckItem:
    """One award criterion: what was looked for and what the draft contains."""

    criterion: str
    looked_for: str
    evidence: tuple[str, ...] = field(default_factory=tuple)

    @property
    def found(self) -> bool:
        return bool(self.evidence)

    def to_dict(self) -> dict[str, Any]:
        return {
            "criterion": self.criterion,
            "found": self.found,
            "looked_for": self.looked_for,
            "evidence": list(self.evidence),
        }


_FIGURE = r"\d[\d,.]*\s?(?:%|per ?cent\b|percent\b)"
_NUMBER = r"(?<![\w/])\d[\d,.]*\b"
_ORGANISATION = re.compile(
    r"\b(?:[A-Z][\w&'.-]*\s+(?:(?:of|for|the|de|du)\s+)?){1,6}"
    r"(?:Department|Council|University|College|Center|Centre|Association|Foundation|Commission|"
    r"Service|Services|Authority|Agency|Trust|Society|Church|District|Office|Bureau|Partnership|"
    r"Coalition|Institute|Hospital|Board|Ministry|Network|Alliance|Chamber of Commerce)\b"
)
# (criterion, what is looked for, patterns of which any one in a sentence counts)
_CRITERIA: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (
        "Specific measures of success",
        "figures and percentages: targets, before/after counts",
        (
            _FIGURE,
            r"\bfrom\s+\d[\d,.]*\s+(?:\w+\s+){0,3}to\s+\d[\d,.]*",
            r"\b(?:target|baseline|benchmark)\b",
        ),
    ),
    (
        "Data-driven",
        "data, analysis, mapping, surveys, evaluation",
        (
            r"\bdata\b",
            r"\banaly[sz]",
            r"\bstatistic",
            r"\bmap(?:s|ped|ping)?\b",
            r"\bhot ?spots?\b",
            r"\bsurvey",
            r"\bevaluat",
            r"\bmeasur",
            r"\btrend",
        ),
    ),
    (
        "Low-cost",
        "costs, budgets, funding, volunteers, in-kind help",
        (
            r"[$£€]\s?\d",
            r"\bcosts?\b",
            r"\bbudget",
            r"\bfund(?:s|ed|ing)\b",
            r"\bgrants?\b",
            r"\bvolunteer",
            r"\bin-kind\b",
            r"\bno additional\b",
            r"\bsavings?\b",
            r"\bfree\b",
        ),
    ),
    (
        "High-impact",
        "reported or intended reductions with a figure",
        (
            rf"\b(?:reduc|decreas|fell|fall|drop|cut|lower|declin)\w*\b[^.]*?{_NUMBER}",
            rf"{_NUMBER}[^.]*?\b(?:reduc|decreas|fewer|drop|declin)\w*",
        ),
    ),
    (
        "Innovative",
        "what is new: pilots, firsts, new methods or technology",
        (
            r"\bnew\b",
            r"\bfirst\b",
            r"\bpilot",
            r"\binnovat",
            r"\bnovel\b",
            r"\bunique\b",
            r"\bnever before\b",
            r"\btechnolog",
            r"\bapp\b",
            r"\bonline\b",
        ),
    ),
    (
        "Community trust and engagement",
        "residents, community groups, meetings, named partners",
        (
            r"\bcommunit",
            r"\bresidents?\b",
            r"\bneighbou?rhood",
            r"\btrust\b",
            r"\bengag",
            r"\bpartner",
            r"\bmeetings?\b",
            r"\bvolunteer",
        ),
    ),
)


_COMPILED_CRITERIA = tuple(
    (criterion, looked_for, re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE))
    for criterion, looked_for, patterns in _CRITERIA
)


def _short(sentence: str, limit: int = 160) -> str:
    return sentence if len(sentence) <= limit else sentence[: limit - 1].rsplit(" ", 1)[0] + "…"


def check_criteria(text: str, examples: int = 3) -> list[CheckItem]:
    """For each criterion of the IACP Leadership in Crime Prevention Award, the draft's sentences
    that speak to it (up to ``examples``), or none. Named partner organisations are listed too."""
    found_sentences = sentences(text)
    items = []
    for criterion, looked_for, pattern in _COMPILED_CRITERIA:
        evidence = [_short(s) for s in found_sentences if pattern.search(s)]
        items.append(CheckItem(criterion, looked_for, tuple(evidence[:examples])))
    partners = list(dict.fromkeys(m.group(0).strip() for m in _ORGANISATION.finditer(text)))
    items.append(CheckItem("Named partners", "names of partner organisations", tuple(partners[:8])))
    return items
