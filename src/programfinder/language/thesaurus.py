"""A general-English thesaurus (derived from WordNet 3.0) read one word at a time.

``data/thesaurus.tsv`` is written by ``scripts/build_thesaurus.py``: one line per word, sorted by
bytes, each sense (most frequent first) with its synonyms, broader terms and derived words. A
lookup memory-maps the file and binary-searches it, so a query pays for its own words only and a
cold search never reads the 6 MB table.
"""

from __future__ import annotations

import mmap
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

THESAURUS_FILE = Path(__file__).resolve().parents[1] / "data" / "thesaurus.tsv"

# Regular English inflections, tried in order when a word is not in the table as typed
# (WordNet's "morphy" rules; irregular forms are lines of the table that point to the base).
_SUFFIX_RULES = (
    ("ies", "y"),
    ("ses", "s"),
    ("xes", "x"),
    ("zes", "z"),
    ("ches", "ch"),
    ("shes", "sh"),
    ("men", "man"),
    ("s", ""),
    ("ing", "e"),
    ("ing", ""),
    ("ed", "e"),
    ("ed", ""),
    ("ers", ""),
    ("er", ""),
)


@dataclass(frozen=True)
class Sense:
    """One meaning of a word: words that mean the same, broader words, and derived words."""

    synonyms: tuple[str, ...]
    broader: tuple[str, ...]
    derived: tuple[str, ...]


class Thesaurus:
    """Word -> senses, looked up in a sorted table file without loading it."""

    def __init__(self, path: Path = THESAURUS_FILE) -> None:
        self.path = path
        self._map: mmap.mmap | None = None

    def _table(self) -> mmap.mmap | None:
        if self._map is None:
            try:
                with self.path.open("rb") as handle:
                    self._map = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
            except (OSError, ValueError):  # missing or empty file: no thesaurus
                return None
        return self._map

    def _line(self, key: str) -> str | None:
        """The rest of the line whose first field is ``key``, by binary search over bytes."""
        table = self._table()
        if table is None or not key or "\t" in key or "\n" in key:
            return None
        wanted = key.encode("utf-8")
        low, high = 0, len(table)
        while low < high:
            middle = (low + high) // 2
            start = table.rfind(b"\n", 0, middle) + 1
            end = table.find(b"\n", middle)
            end = len(table) if end < 0 else end
            tab = table.find(b"\t", start, end)
            found = table[start : tab if tab >= 0 else end]
            if found < wanted:
                low = end + 1
            elif found > wanted:
                high = start
            else:
                return table[tab + 1 : end].decode("utf-8") if tab >= 0 else ""
        return None

    def base_forms(self, word: str) -> list[str]:
        """The table's entries for ``word``: itself, or its base form(s) ("thieves" -> "thief")."""
        word = " ".join(word.lower().split())
        line = self._line(word)
        if line is not None:
            return [line[1:]] if line.startswith("=") else [word]
        forms = []
        for suffix, replacement in _SUFFIX_RULES:
            if word.endswith(suffix) and len(word) - len(suffix) >= 3:
                base = word[: -len(suffix)] + replacement
                base_line = self._line(base)
                if base_line is not None and base not in forms:
                    forms.append(base_line[1:] if base_line.startswith("=") else base)
                    break
        return forms

    def senses(self, word: str) -> list[Sense]:
        """Senses of ``word`` (or of its base form), most frequent first; [] when unknown."""
        return list(_senses(self, " ".join(word.lower().split())))


@lru_cache(maxsize=4096)
def _senses(thesaurus: Thesaurus, word: str) -> tuple[Sense, ...]:
    senses: list[Sense] = []
    for base in thesaurus.base_forms(word):
        line = thesaurus._line(base)
        if not line or line.startswith("="):
            continue
        for part in line.split("\t"):
            groups = ([*part.split("|"), "", "", ""])[:3]
            synonyms, broader, derived = (tuple(w for w in g.split(",") if w) for g in groups)
            senses.append(Sense(synonyms, broader, derived))
    return tuple(senses)


@lru_cache(maxsize=1)
def default_thesaurus() -> Thesaurus:
    """The thesaurus shipped with the package."""
    return Thesaurus()
