"""Reading a search query: free words, "quoted phrases", -excluded terms, and spelling fixes.

Example:
    >>> parse_query('co-responder "mental health" -youth')
    ParsedQuery(text='co-responder mental health', phrases=('mental health',), excluded=('youth',))
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Collection, Sequence
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


def _letter_counts(words: Sequence[str]) -> np.ndarray:
    """Per word, how many times each character occurs (characters other than a-z share the last
    column, which can only overstate what two words share: the bound stays a bound). The words
    must all have the same length (a speller bucket)."""
    import numpy as np

    if not words:
        return np.zeros((0, 27), dtype=np.int16)
    length = len(words[0])
    # one 32-bit code per character: a (words x length) array without a loop over characters
    codes = np.frombuffer("".join(words).encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
    codes = codes - 97
    codes[(codes < 0) | (codes > 25)] = 26
    rows = np.repeat(np.arange(len(words), dtype=np.int64), length)
    counts = np.bincount(rows * 27 + codes, minlength=len(words) * 27)
    return counts.reshape(len(words), 27).astype(np.int16)


class Speller:
    """Spelling candidates (the corpus's words) grouped by first letter and length, so that a
    correction compares a word with a few hundred candidates, not the whole vocabulary."""

    def __init__(self, words: Collection[str]) -> None:
        self.words = words
        self._counts: dict[tuple[str, int], np.ndarray] = {}
        # both built on first use: most queries have no word to correct, and a large corpus
        # has a hundred thousand candidates to sort
        self._grouped: dict[tuple[str, int], list[str]] | None = None
        self._hyphenated: dict[str, list[str]] | None = None

    @property
    def _buckets(self) -> dict[tuple[str, int], list[str]]:
        if self._grouped is None:
            self._grouped = {}
            for word in self.words:
                self._grouped.setdefault((word[:1], len(word)), []).append(word)
        return self._grouped

    def candidates(self, word: str) -> list[str]:
        """Known words with the same first letter and a length within two of ``word``."""
        found: list[str] = []
        for length in range(len(word) - 2, len(word) + 3):
            found.extend(self._buckets.get((word[:1], length), ()))
        return found

    def same_but_hyphens(self, word: str) -> list[str]:
        """The ``candidates`` that differ from ``word`` only by hyphens, in candidate order."""
        if self._hyphenated is None:
            self._hyphenated = {}
            for known in self.words:
                if "-" in known:
                    self._hyphenated.setdefault(known.replace("-", ""), []).append(known)
        compact = word.replace("-", "")
        found = list(self._hyphenated.get(compact, ()))
        if compact in self.words:
            found.append(compact)
        return sorted(
            (c for c in found if c[:1] == word[:1] and abs(len(c) - len(word)) <= 2), key=len
        )

    def close_candidates(self, word: str, cutoff: float) -> list[tuple[float, str]]:
        """The ``candidates`` that ``difflib``'s quick ratio (an upper bound of its ratio) does
        not rule out at ``cutoff``, with that bound, computed for all of them at once."""
        import numpy as np

        found: list[tuple[float, str]] = []
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
            bounds = 2.0 * shared / (len(word) + length)
            found.extend(
                (float(bounds[i]), bucket[i]) for i in np.flatnonzero(bounds >= cutoff - 1e-9)
            )
        return found

    def closest(self, word: str, cutoff: float) -> str | None:
        """What ``difflib.get_close_matches(word, candidates, n=1, cutoff)`` returns (the best
        ratio, then the greatest word), comparing candidates in order of their quick-ratio bound
        and stopping once no bound left can match the best ratio found."""
        matcher = difflib.SequenceMatcher()
        matcher.set_seq2(word)
        best: tuple[float, str] | None = None
        for bound, candidate in sorted(self.close_candidates(word, cutoff), reverse=True):
            if best is not None and bound < best[0] - 1e-9:
                break
            matcher.set_seq1(candidate)
            ratio = matcher.ratio()
            if ratio >= cutoff and (best is None or (ratio, candidate) > best):
                best = (ratio, candidate)
        return None if best is None else best[1]


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
        # "coresponder" and "co-responder" differ only by the hyphen: prefer that match outright.
        same = speller.same_but_hyphens(word)
        best = same[0] if same else speller.closest(word, cutoff)
        if best:
            corrections.append(Correction(word, best))
            fixed.append(best)
        else:
            fixed.append(word)
    return " ".join(fixed), corrections
