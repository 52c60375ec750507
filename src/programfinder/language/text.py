"""Text analysis shared by documents and queries: normalise -> tokenise -> stop words -> stem -> n-grams.

Each step is a small function so it can be tested alone; ``Analyzer`` composes them into the one
callable used to index records and to read queries, so both always agree on what a term is.

Example:
    >>> analyzer = Analyzer(stop_words=frozenset({"with", "the"}))
    >>> analyzer("Clinicians riding with the co-responder teams")
    ['clinician', 'ride', 'co-respond', 'co', 'respond', 'team', 'clinician ride', 'ride co-respond', 'co-respond team']
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

# Typographic characters that word processors put in place of plain ones.
_TRANSLATE = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u00ad": "",  # soft hyphen: invisible, must not split or join words
    }
)
# A token is a run of letters/digits, optionally joined by inner hyphens or slashes, so that
# "co-responder", "24/7", "911" and "covid-19" stay whole; numbers keep their separators
# ("2,000", "3.5"). Apostrophes end a token ("police's").
TOKEN_PATTERN = re.compile(r"\d+(?:[.,]\d+)+|[^\W_]+(?:[-/][^\W_]+)*")
# The same pattern for lower-case ASCII text, where it runs about twice as fast.
_ASCII_TOKEN_PATTERN = re.compile(r"\d+(?:[.,]\d+)+|[a-z0-9]+(?:[-/][a-z0-9]+)*")
# "'s" and "s'" possessives are noise for matching.
_POSSESSIVE = re.compile(r"(?<=\w)'s?\b")


def normalize(text: str) -> str:
    """Unicode NFKC, typographic quotes and hyphens made plain, lower-cased (``casefold``)."""
    if text.isascii():  # the common case, ten times faster; the same result
        text = text.lower()
        return _POSSESSIVE.sub("", text) if "'" in text else text
    text = unicodedata.normalize("NFKC", text).translate(_TRANSLATE)
    return _POSSESSIVE.sub("", text).casefold()


def tokenize(normalized: str) -> list[str]:
    """Words of normalised text; hyphenated and slashed terms are kept whole."""
    if normalized.isascii():
        return _ASCII_TOKEN_PATTERN.findall(normalized)
    return TOKEN_PATTERN.findall(normalized)


def token_spans(text: str) -> list[tuple[int, int, str]]:
    """``(start, end, token)`` for each token of ``text`` (offsets into the original text).

    Used to highlight matched words in a snippet; normalisation is done per token so that
    offsets stay those of the original text.
    """
    spans = []
    for match in re.finditer(r"\d+(?:[.,]\d+)+|[^\W_]+(?:[-/\u2010\u2011\u2012][^\W_]+)*", text):
        token = normalize(match.group())
        if token:
            spans.append((match.start(), match.end(), token))
    return spans


@lru_cache(maxsize=1)
def _english_stemmer() -> Any:
    # PyStemmer: the Snowball stemmers compiled to C; importing it costs about a millisecond.
    import Stemmer

    return Stemmer.Stemmer("english")


_STEMS: dict[str, str] = {}
_STEM_CACHE_LIMIT = 2_000_000


def stem(word: str) -> str:
    """The Snowball (Porter 2) English stem of one word; hyphenated words are stemmed per part."""
    cached = _STEMS.get(word)
    if cached is not None:
        return cached
    if "-" in word:
        result = "-".join(stem(part) for part in word.split("-"))
    elif not word.isalpha():
        result = word  # numbers and codes ("911", "24/7") are kept as they are
    else:
        result = str(_english_stemmer().stemWord(word))
    if len(_STEMS) < _STEM_CACHE_LIMIT:
        _STEMS[word] = result
    return result


def stem_many(words: Iterable[str]) -> list[str]:
    """``stem`` of each word, the plain words not seen before stemmed in one call to the C
    stemmer (a large corpus brings tens of thousands of new words per batch)."""
    words = list(words)
    found = list(map(_STEMS.get, words))
    if None not in found:
        return found  # type: ignore[return-value]
    missing = dict.fromkeys(w for w, s in zip(words, found, strict=True) if s is None)
    new = [w for w in missing if w.isalpha()]
    stems = dict(zip(new, map(str, _english_stemmer().stemWords(new)), strict=True))
    if len(_STEMS) + len(stems) <= _STEM_CACHE_LIMIT:
        _STEMS.update(stems)
    return [
        s if s is not None else stems.get(w) or stem(w) for w, s in zip(words, found, strict=True)
    ]


def word_ngrams(terms: list[str], ngram_range: tuple[int, int]) -> list[str]:
    """Unigrams then bigrams (and longer, per ``ngram_range``) joined by a space."""
    low, high = ngram_range
    result = list(terms) if low <= 1 else []
    for n in range(max(2, low), high + 1):
        result.extend(" ".join(terms[i : i + n]) for i in range(len(terms) - n + 1))
    return result


@dataclass(frozen=True)
class Analyzer:
    """The composed analyzer: text -> list of terms (stemmed unigrams and bigrams).

    Parameters are stored as given; they are saved with an index so that queries are read exactly
    as the documents were.

    ``stop_words``: words dropped before stemming. ``ngram_range``: ``(1, 2)`` for unigrams and
    bigrams. ``split_compounds``: also emit the parts of a hyphenated word, so that
    "co-responder" matches "responder".
    """

    stop_words: frozenset[str] = field(default_factory=frozenset)
    ngram_range: tuple[int, int] = (1, 2)
    split_compounds: bool = True

    def __post_init__(self) -> None:
        low, high = self.ngram_range
        if not (isinstance(low, int) and isinstance(high, int) and 1 <= low <= high <= 4):
            raise ValueError(
                f"ngram_range must be (low, high) with 1 <= low <= high <= 4, got {self.ngram_range!r}"
            )

    def words(self, text: str) -> list[str]:
        """Normalised tokens with stop words removed (before stemming)."""
        return [t for t in tokenize(normalize(text)) if t not in self.stop_words]

    def unigrams(self, text: str) -> list[str]:
        """Stemmed words, in order; compound parts follow their compound."""
        return self.terms_from_words(self.words(text), bigrams=False)

    def sequence(self, text: str) -> list[str]:
        """Stemmed words in reading order, compounds whole: the basis of bigrams and phrases."""
        cache = _STEMS
        return [cache.get(w) or stem(w) for w in self.words(text)]

    def terms_from_words(self, words: list[str], bigrams: bool = True) -> list[str]:
        """The terms of already tokenised words (see ``__call__``)."""
        cache = _STEMS
        stems = [cache.get(w) or stem(w) for w in words]
        terms = stems if self.ngram_range[0] == 1 else []
        if self.split_compounds and self.ngram_range[0] == 1:
            compounds = [w for w in words if "-" in w]
            if compounds:
                terms = []
                for word, stemmed in zip(words, stems, strict=True):
                    terms.append(stemmed)
                    if "-" in word:
                        terms.extend(
                            stem(part)
                            for part in word.split("-")
                            if part and part not in self.stop_words and len(part) > 1
                        )
        high = self.ngram_range[1]
        if bigrams and high >= 2:
            terms = terms + word_ngrams(stems, (2, high))
        return terms

    def __call__(self, text: str) -> list[str]:
        return self.terms_from_words(self.words(text))

    def unigram_counts(self, text: str, words_seen: Counter[str] | None = None) -> dict[str, int]:
        """Counts of the single-word terms of ``text`` (``Counter`` of the unigrams of
        ``__call__``), computed per distinct word: the fast path for indexing large corpora.

        The text's words (before stemming, stop words excluded) are added to ``words_seen``.
        """
        cache = _STEMS
        stop = self.stop_words
        counts: dict[str, int] = {}
        for word, count in Counter(tokenize(normalize(text))).items():
            if word in stop:
                continue
            if words_seen is not None:
                words_seen[word] += count
            stemmed = cache.get(word) or stem(word)
            counts[stemmed] = counts.get(stemmed, 0) + count
            if self.split_compounds and "-" in word:
                for part in word.split("-"):
                    if part and part not in stop and len(part) > 1:
                        part_stem = stem(part)
                        counts[part_stem] = counts.get(part_stem, 0) + count
        return counts

    def settings(self) -> dict[str, Any]:
        """The parameters as JSON-ready data (saved with an index)."""
        return {
            "stop_words": sorted(self.stop_words),
            "ngram_range": list(self.ngram_range),
            "split_compounds": self.split_compounds,
        }

    @classmethod
    def from_settings(cls, settings: dict[str, Any]) -> Analyzer:
        """The analyzer described by ``settings()``."""
        low, high = settings["ngram_range"]
        return cls(
            stop_words=frozenset(settings["stop_words"]),
            ngram_range=(int(low), int(high)),
            split_compounds=bool(settings["split_compounds"]),
        )


def english_stop_words() -> frozenset[str]:
    """scikit-learn's English stop-word list (imports scikit-learn: use at index time only)."""
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return frozenset(ENGLISH_STOP_WORDS)


def surface_forms(texts: Iterable[str], analyzer: Analyzer) -> dict[str, str]:
    """For each stemmed unigram and bigram, the most frequent original words that produced it.

    Lets output show "burglaries" rather than the stem "burglari", and "behavioral health"
    rather than "behavior health".
    """
    counts: dict[str, dict[str, int]] = {}

    def count(term: str, form: str) -> None:
        forms = counts.setdefault(term, {})
        forms[form] = forms.get(form, 0) + 1

    for text in texts:
        words = analyzer.words(text)
        stems = [stem(word) for word in words]
        for word, stemmed in zip(words, stems, strict=True):
            count(stemmed, word)
        for i in range(len(words) - 1):
            count(f"{stems[i]} {stems[i + 1]}", f"{words[i]} {words[i + 1]}")
    return {term: max(forms, key=lambda w: (forms[w], -len(w))) for term, forms in counts.items()}
