"""The award criteria checklist by meaning: each sentence of a draft judged by what it says.

A sentence speaks to a criterion when its meaning is close to what the criterion asks for (the
cosine of the sentence with the closest of a few descriptions of the criterion, written for
this purpose, reaches ``MEANING_FIT``) or when it uses the criterion's own words, and when it
holds the cue that makes the criterion real:

- *Specific measures of success*: a figure (a percentage, a count with a unit of result) or a
  before/after comparison, not a date, an age or a phone number;
- *High-impact*: a reduction (or a target reduction) with a figure;
- *Low-cost*: a cost, a budget, a saving, volunteers or donated help;
- *Named partners*: an organisation named in the draft other than the applicant (the
  organisation the draft names first), not the generic "the university".

One sentence is evidence for at most ``MAX_CRITERIA_PER_SENTENCE`` criteria (those it fits
best), and a criterion nothing speaks to is reported as not found. ``MEANING_FIT`` was chosen
on the blind dev half of ``eval/report-*.yaml``.
"""

from __future__ import annotations

import re
from functools import lru_cache

import numpy as np

from ..language.embedding import DIMENSIONS, shared_encoder
from ..language.passages import sentences
from .checklist import _COMPILED_CRITERIA, CheckItem, _short

MEANING_FIT = 0.45
MAX_CRITERIA_PER_SENTENCE = 2
#: A draft's first this many sentences are judged (about 10,000 words, a few seconds).
MAX_JUDGED_SENTENCES = 500

# Descriptions of what each criterion asks for, in the words a draft might use.
_DESCRIPTIONS: dict[str, tuple[str, ...]] = {
    "Specific measures of success": (
        "burglaries fell from 120 to 74 in the first year",
        "we aim to cut repeat calls by a quarter within two years",
        "the number of offences dropped by 30 percent compared with the year before",
        "success will be measured against a baseline of last year's figures",
    ),
    "Data-driven": (
        "crime analysis and mapping showed where and when the incidents happened",
        "we reviewed police records and survey results to choose the response",
        "an independent evaluation with a comparison group will measure the effect",
    ),
    "Low-cost": (
        "the project costs little because volunteers and donated equipment do the work",
        "the budget is small and the savings are larger than the cost",
        "it needs no extra staff and runs on existing resources",
    ),
    "High-impact": (
        "the number of crimes fell sharply after the program started",
        "victimisation was reduced by half in the target area",
        "repeat offending dropped by a third among participants",
    ),
    "Innovative": (
        "this is the first program of its kind in the region",
        "a new approach that has never been tried here before",
        "a pilot using new technology and a novel method",
    ),
    "Community trust and engagement": (
        "residents and community groups helped design and run the program",
        "we met with neighbours and local leaders to build trust with the police",
        "the public was consulted and volunteers from the neighbourhood took part",
    ),
}

_FIGURE = re.compile(
    r"\d[\d,.]*\s?(?:%|per ?cent\b|percent\b)|\bfrom\s+\d[\d,.]*\s+(?:\w+\s+){0,3}to\s+\d|"
    r"\b(?:by|to)\s+(?:a\s+)?(?:half|third|quarter|\d[\d,.]*)\b|\b(?:baseline|target)\b|"
    r"\b\d[\d,.]*\s+(?:fewer|more|less)\b",
    re.IGNORECASE,
)
_REDUCTION = re.compile(
    r"\b(?:reduc|decreas|fell|fall|drop|cut|lower|declin|fewer|halv)\w*", re.IGNORECASE
)
_NUMBER = re.compile(r"(?<![\w/:])\d[\d,.]*\b|\b(?:half|third|quarter)\b", re.IGNORECASE)
_COST = re.compile(
    r"[$£€]\s?\d|\b(?:costs?|budget\w*|fund(?:s|ed|ing)?|grants?|sav(?:e|es|ed|ing|ings)|"
    r"volunteer\w*|in-kind|donat\w*|no (?:extra|additional)|cheap\w*|inexpensive|"
    r"free of charge|low-cost)\b",
    re.IGNORECASE,
)
_CUES: dict[str, tuple[re.Pattern[str], ...]] = {
    "Specific measures of success": (_FIGURE,),
    "High-impact": (_REDUCTION, _NUMBER),
    "Low-cost": (_COST,),
}
_KEYWORDS = {criterion: pattern for criterion, _, pattern in _COMPILED_CRITERIA}
_LOOKED_FOR = {criterion: looked_for for criterion, looked_for, _ in _COMPILED_CRITERIA}
# A name of capitalised words ending in a word that names a kind of organisation ("Harbor House
# Family Shelter", "Hank's Tire & Lube Inc"), or starting with one ("Department of Corrections").
_KINDS = (
    r"Department|Council|University|College|School|Academy|Center|Centre|Association|Associates|"
    r"Foundation|Commission|Service|Services|Authority|Agency|Trust|Society|Church|Mosque|Temple|"
    r"Synagogue|District|Office|Bureau|Partnership|Coalition|Institute|Hospital|Clinic|Board|"
    r"Ministry|Network|Alliance|Forum|Collective|Organi[sz]ation|Co-operative|Cooperative|Bank|"
    r"Shelter|Homes|Accord|Police|Constabulary|Company|Corporation|Group|Club|Charity|Inc|Ltd|LLC|BV|"
    r"Chamber of Commerce"
)
_ORGANISATION = re.compile(
    rf"\b(?:[A-Z][\w&'.-]*\s+(?:(?:of|for|the|de|du|&)\s+)?){{1,6}}(?:{_KINDS})\b"
    rf"|\b(?:{_KINDS})\s+of\s+(?:the\s+)?(?:[A-Z][\w&'.-]*\s?){{1,4}}"
)
# Words that introduce an organisation as a partner rather than as the one writing.
_PARTNERING = re.compile(
    r"\b(?:with|and|alongside|partners?|partnering|including|by|from|to)\s+(?:the\s+)?$",
    re.IGNORECASE,
)
# An organisation named without a proper name says nothing about who the partner is.
_GENERIC = re.compile(r"^(?:The|Our|Local|A|An)\s+(?:[A-Z][a-z]+\s+)?[A-Z][a-z]+$")


@lru_cache(maxsize=1)
def _description_vectors() -> dict[str, np.ndarray]:
    encoder = shared_encoder(1)
    return {name: encoder.encode(list(texts)) for name, texts in _DESCRIPTIONS.items()}


def _has_cues(criterion: str, sentence: str) -> bool:
    return all(cue.search(sentence) for cue in _CUES.get(criterion, ()))


@lru_cache(maxsize=4)
def draft_sentences(text: str) -> tuple[tuple[str, ...], np.ndarray]:
    """A draft's first ``MAX_JUDGED_SENTENCES`` sentences and their vectors, read once for the
    checklist and the themes alike."""
    found = tuple(sentences(text)[:MAX_JUDGED_SENTENCES])
    if not found:
        return found, np.zeros((0, DIMENSIONS), dtype=np.float32)
    return found, shared_encoder(1).encode(list(found))


def criteria_fits(vectors: np.ndarray) -> np.ndarray:
    """For each sentence vector (rows) and criterion (columns, in ``_DESCRIPTIONS`` order): its
    cosine with the closest description of the criterion."""
    if not len(vectors):
        return np.zeros((0, len(_DESCRIPTIONS)), dtype=np.float32)
    return np.stack(
        [(vectors @ d.T).max(axis=1) for d in _description_vectors().values()], axis=1
    ).astype(np.float32)


def named_partners(text: str) -> list[str]:
    """Organisations the draft names other than the applicant: the first organisation it
    names, unless the draft names it as someone it works with ("with the ... Authority")."""
    matches = list(_ORGANISATION.finditer(text))
    names = list(dict.fromkeys(m.group(0).strip() for m in matches))
    if not names:
        return []
    before = text[max(0, matches[0].start() - 40) : matches[0].start()]
    applicant = "" if _PARTNERING.search(before) else names[0]
    return [
        name
        for name in names
        if not (applicant and (name in applicant or applicant in name)) and not _GENERIC.match(name)
    ]


def check_criteria_by_meaning(text: str, examples: int = 3) -> list[CheckItem]:
    """For each criterion, the draft's sentences that speak to it by what they say (up to
    ``examples``), or none; then the named partner organisations (see the module's note)."""
    found, vectors = draft_sentences(text)
    fits = criteria_fits(vectors)
    names = list(_DESCRIPTIONS)
    chosen: dict[str, list[str]] = {name: [] for name in names}
    for row, sentence in enumerate(found):
        candidates = [
            (float(fits[row, column]), name)
            for column, name in enumerate(names)
            if _has_cues(name, sentence)
            and (fits[row, column] >= MEANING_FIT or _KEYWORDS[name].search(sentence))
        ]
        for _, name in sorted(candidates, reverse=True)[:MAX_CRITERIA_PER_SENTENCE]:
            chosen[name].append(_short(sentence))
    items = [CheckItem(name, _LOOKED_FOR[name], tuple(chosen[name][:examples])) for name in names]
    partners = named_partners(text)
    items.append(
        CheckItem("Named partners", "organisations other than the applicant", tuple(partners[:8]))
    )
    return items
