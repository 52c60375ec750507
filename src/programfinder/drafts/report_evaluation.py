"""How well the draft report reads a draft: the criteria checklist, the named partners and the
themes, measured on a blind judged set (``eval/report-dev.yaml``, ``eval/report-test.yaml``).

Each draft of the set lists the sentences that meet each criterion, the partner organisations it
names and the themes (tags) it covers and does not. A criterion counts as found when the
checklist gives it any evidence; precision and recall are over drafts, per criterion. The
evidence's precision is the share of the sentences the checklist quotes that the graders listed
for that criterion. Partners are matched by name (one containing the other), themes by tag, over
the tags the graders judged (covered or not).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ProgramFinderError
from ..language.text import Analyzer, english_stop_words
from .checklist import CheckItem

Checklist = Callable[[str], list[CheckItem]]
ThemeReader = Callable[[str, Sequence[str]], set[str]]


@dataclass
class Counts:
    """True and false positives and negatives."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, predicted: bool, actual: bool) -> None:
        self.tp += predicted and actual
        self.fp += predicted and not actual
        self.fn += actual and not predicted

    def to_dict(self) -> dict[str, float]:
        precision = self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0
        recall = self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0
        return {
            "precision": round(precision, 3),
            "recall": round(recall, 3),
            "n": self.tp + self.fn,
        }


def load_report_set(path: Path) -> list[dict[str, Any]]:
    """The drafts of a judged report set, each with its criteria, partners and themes."""
    import yaml

    if not path.is_file():
        raise ProgramFinderError(f"No judged report set at {path}.")
    drafts = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("drafts") or []
    return [d for d in drafts if isinstance(d, dict) and d.get("text")]


def _same(a: str, b: str) -> bool:
    a, b = " ".join(a.casefold().rstrip("…").split()), " ".join(b.casefold().split())
    return bool(a) and (a in b or b in a)


def evaluate_report(path: Path, checklist: Checklist, themes: ThemeReader) -> dict[str, Any]:
    """Precision and recall of ``checklist`` and ``themes`` on the judged set at ``path``."""
    criteria: dict[str, Counts] = {}
    evidence = Counts()
    partners = Counts()
    theme_counts = Counts()
    for draft in load_report_set(path):
        gold = {name: list(quotes) for name, quotes in (draft.get("criteria") or {}).items()}
        for item in checklist(draft["text"]):
            if item.criterion == "Named partners":
                wanted = [str(p) for p in draft.get("partners") or []]
                for name in item.evidence:
                    partners.add(True, any(_same(name, w) for w in wanted))
                for name in wanted:
                    if not any(_same(name, found) for found in item.evidence):
                        partners.fn += 1
                continue
            criteria.setdefault(item.criterion, Counts()).add(item.found, item.criterion in gold)
            for quote in item.evidence:
                evidence.add(True, any(_same(quote, g) for g in gold.get(item.criterion, [])))
        covered = [str(t) for t in draft.get("themes_covered") or []]
        absent = [str(t) for t in draft.get("themes_absent") or []]
        said = themes(draft["text"], covered + absent)
        for tag in covered + absent:
            theme_counts.add(tag in said, tag in covered)
    return {
        "criteria": {name: counts.to_dict() for name, counts in criteria.items()},
        "evidence precision": evidence.to_dict()["precision"],
        "partners": partners.to_dict(),
        "themes": theme_counts.to_dict(),
    }


def themes_by_words(text: str, tags: Sequence[str]) -> set[str]:
    """Today's reading of themes (before meaning): a tag counts when its words occur in the draft."""
    analyzer = Analyzer(stop_words=english_stop_words())
    sequence = analyzer.sequence(text)
    covered = set()
    for tag in tags:
        phrase = analyzer.sequence(tag)
        n = len(phrase)
        if n and any(sequence[i : i + n] == phrase for i in range(len(sequence) - n + 1)):
            covered.add(tag)
    return covered


REPORT_SETS = (Path("eval/report-dev.yaml"), Path("eval/report-test.yaml"))


def compare_report(
    paths: Sequence[Path] = REPORT_SETS, vocabulary_root: Path | None = None
) -> dict[str, dict[str, Any]]:
    """The report read by words (before meaning) and by meaning, on each judged set."""
    from ..records.corpus import shipped_corpus_path
    from ..records.parse import load_vocabulary
    from .checklist import check_criteria
    from .gaps import themes_covered
    from .meaning_checklist import check_criteria_by_meaning

    vocabulary, _ = load_vocabulary(vocabulary_root or shipped_corpus_path())
    meanings = {**vocabulary.problem, **vocabulary.tactics}

    def by_meaning(text: str, tags: Sequence[str]) -> set[str]:
        return themes_by_words(text, tags) | themes_covered(text, tags, meanings)

    return {
        str(path): {
            "words": evaluate_report(path, check_criteria, themes_by_words),
            "meaning": evaluate_report(path, check_criteria_by_meaning, by_meaning),
        }
        for path in paths
        if path.is_file()
    }
