"""What a draft contains for each published award criterion.

The checklist reports what the text contains (figures, named partners, words about data or cost);
it does not judge the program.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ..language.passages import sentences, shortened


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


#: A sentence quoted as evidence is cut to this many characters.
EVIDENCE_CHARS = 160


def _short(sentence: str) -> str:
    return shortened(sentence, EVIDENCE_CHARS)


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
