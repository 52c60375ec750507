"""Reading a search query: free words, "quoted phrases", -excluded terms, and spelling fixes.

Example:
    >>> parse_query('co-responder "mental health" -youth')
    ParsedQuery(text='co-responder mental health', phrases=('mental health',), excluded=('youth',))
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .text import normalize, tokenize

if TYPE_CHECKING:  # numpy is imported where spelling is corrected: parsing a query needs none
    import numpy as np

# Longer queries are cut here: a pasted document belongs in `similar --file`, and the cut keeps
# every query fast whatever is pasted.
MAX_QUERY_CHARS = 2_000
_PART = re.compile(r'(?P<neg>(?<![^\s(])-)?(?:"(?P<phrase>[^"]*)"?|(?P<word>[^\s"]+))')


@dataclass(frozen=True)
class ParsedQuery:
    """A query split into its parts. ``text`` is everything that counts toward the score."""

    text: str
    phrases: tuple[str, ...] = ()
    excluded: tuple[str, ...] = ()


@dataclass(frozen=True)
class QueryPart:
    """Text to match and its weight; ``via``/``found`` say where it came from.

    ``via`` is ``"typed"`` for the user's own words, else ``"synonym"``, ``"tag"`` or
    ``"thesaurus"``, and ``found`` is the typed word or phrase that led to it.
    """

    text: str
    weight: float
    via: str = "typed"
    found: str = ""


@dataclass(frozen=True)
class Correction:
    """A query word not found in the corpus, replaced by the closest word that is."""

    original: str
    replacement: str

    def __str__(self) -> str:
        return f"{self.original} → {self.replacement}"


def parse_query(query: str) -> ParsedQuery:
    """Split ``query`` into scored text, required phrases and excluded terms.

    ``"two words"`` is a phrase that must appear as written (after stemming); ``-word`` or
    ``-"two words"`` excludes records that contain it. An unclosed quote runs to the end.
    """
    query = normalize(query[:MAX_QUERY_CHARS]).replace("“", '"').replace("”", '"')
    kept: list[str] = []
    phrases: list[str] = []
    excluded: list[str] = []
    for match in _PART.finditer(query):
        phrase, word = match.group("phrase"), match.group("word")
        content = (phrase if phrase is not None else word or "").strip()
        if not content:
            continue
        if match.group("neg"):
            excluded.append(content)
        else:
            kept.append(content)
            if phrase is not None and len(tokenize(content)) > 1:
                phrases.append(content)
    return ParsedQuery(" ".join(kept), tuple(phrases), tuple(excluded))


def _letter_counts(words: Collection[str]) -> np.ndarray:
    """Per word, how many times each character occurs (characters other than a-z share the last
    column, which can only overstate what two words share: the bound stays a bound)."""
    import numpy as np

    counts = np.zeros((len(words), 27), dtype=np.int16)
    for row, word in enumerate(words):
        for char in word:
            code = ord(char) - 97
            counts[row, code if 0 <= code < 26 else 26] += 1
    return counts


class Speller:
    """Spelling candidates (the corpus's words) grouped by first letter and length, so that a
    correction compares a word with a few hundred candidates, not the whole vocabulary."""

    def __init__(self, words: Collection[str]) -> None:
        self.words = words
        self._counts: dict[tuple[str, int], np.ndarray] = {}
        self._buckets: dict[tuple[str, int], list[str]] = {}
        for word in words:
            self._buckets.setdefault((word[:1], len(word)), []).append(word)

    def candidates(self, word: str) -> list[str]:
        """Known words with the same first letter and a length within two of ``word``."""
        found: list[str] = []
        for length in range(len(word) - 2, len(word) + 3):
            found.extend(self._buckets.get((word[:1], length), ()))
        return found

    def close_candidates(self, word: str, cutoff: float) -> list[str]:
        """The ``candidates`` that ``difflib``'s quick ratio (an upper bound of its ratio) does
        not rule out at ``cutoff``, computed for all of them at once: ``get_close_matches``
        over these finds what it finds over all candidates, without comparing thousands."""
        import numpy as np

        found: list[str] = []
        own = _letter_counts([word])[0]
        for length in range(len(word) - 2, len(word) + 3):
            bucket = self._buckets.get((word[:1], length), [])
            if not bucket:
                continue
            counts = self._counts.get((word[:1], length))
            if counts is None:
                counts = self._counts.setdefault((word[:1], length), _letter_counts(bucket))
            shared = np.minimum(counts, own).sum(axis=1)
            # difflib's quick_ratio: 2 * shared characters / total length
            possible = 2.0 * shared / (len(word) + length) >= cutoff - 1e-9
            found.extend(bucket[i] for i in np.flatnonzero(possible))
        return found


def correct_spelling(
    text: str,
    speller: Speller,
    stop_words: Collection[str],
    cutoff: float = 0.84,
    in_corpus: Callable[[str], bool] | None = None,
) -> tuple[str, list[Correction]]:
    """Replace words of ``text`` that never occur in the corpus by the closest word that does.

    ``speller`` holds the candidates (the corpus's most frequent words); ``in_corpus`` tells
    whether a word occurs at all, so that a rare but real word is never "corrected". Only words
    of five letters or more are corrected (short unknown words are more often real words than
    typos), and only against words of similar length and the same first letter.
    """
    corrections: list[Correction] = []
    fixed = []
    for word in tokenize(text):
        if (
            word in speller.words
            or word in stop_words
            or len(word) < 5
            or not word[0].isalpha()
            or (in_corpus is not None and in_corpus(word))
        ):
            fixed.append(word)
            continue
        candidates = speller.candidates(word)
        # "coresponder" and "co-responder" differ only by the hyphen: prefer that match outright.
        compact = word.replace("-", "")
        same = [c for c in candidates if c.replace("-", "") == compact]
        best = same or difflib.get_close_matches(
            word, speller.close_candidates(word, cutoff), n=1, cutoff=cutoff
        )
        if best:
            corrections.append(Correction(word, best[0]))
            fixed.append(best[0])
        else:
            fixed.append(word)
    return " ".join(fixed), corrections
