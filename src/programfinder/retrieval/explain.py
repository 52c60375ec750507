"""Explaining a hit: readable term names, the best-matching sentence and where to highlight it."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import TYPE_CHECKING

from ..language.passages import sentences
from ..language.text import Analyzer, stem, token_spans
from .hits import Hit

if TYPE_CHECKING:
    from ..index.scoring import Scorer
    from ..records.program import Program

SNIPPET_CHARS = 260
# How many shared terms a similar-program hit shows.
SHARED_TERMS = 6


def display_term(term: str, surface: Mapping[str, str]) -> str:
    """A stemmed term as a reader would write it: ``"packag theft"`` -> ``"package theft"``."""
    if term in surface:
        return surface[term]
    return " ".join(surface.get(part, part) for part in term.split(" "))


def collapse_terms(terms: Iterable[str]) -> list[str]:
    """Terms in order, without a single word already said by a phrase kept before or after it:
    ``["mental", "mental health", "crisis"]`` -> ``["mental health", "crisis"]``."""
    kept: list[str] = []
    for term in dict.fromkeys(terms):
        words = term.split(" ")
        if len(words) == 1 and any(term in k.split(" ") for k in kept if " " in k):
            continue
        if len(words) > 1:
            kept = [k for k in kept if " " in k or k not in words]
        kept.append(term)
    return kept


@lru_cache(maxsize=65_536)
def _token_terms(token: str, analyzer: Analyzer) -> frozenset[str]:
    # Cached: the same few thousand words recur in every snippet a page shows.
    if token in analyzer.stop_words:
        return frozenset()
    terms = {stem(token)}
    if "-" in token:
        terms.update(stem(part) for part in token.split("-") if part)
    return frozenset(terms)


@lru_cache(maxsize=4_096)
def _sentence_terms(text: str, analyzer: Analyzer) -> tuple[tuple[str, frozenset[str]], ...]:
    """Each sentence of a description with its stemmed words and word pairs. Cached: a page of
    hits, and the next query, read the same descriptions again."""
    analysed = []
    for sentence in sentences(text):
        seen: set[str] = set()
        for _, _, token in token_spans(sentence):
            seen.update(_token_terms(token, analyzer))
        sequence = analyzer.sequence(sentence)
        seen.update(" ".join(pair) for pair in itertools.pairwise(sequence))
        analysed.append((sentence, frozenset(seen)))
    return tuple(analysed)


def best_snippet(
    text: str, term_weights: Mapping[str, float], analyzer: Analyzer
) -> tuple[str, tuple[tuple[int, int], ...]]:
    """The sentence of ``text`` whose words carry the most weight, and the spans to highlight.

    ``term_weights`` maps stemmed unigrams (and bigrams) to how much they count. A sentence with
    no matched word falls back to the first sentence, unhighlighted. Long sentences are cut to
    about 260 characters around their first highlight.
    """
    analysed = _sentence_terms(text, analyzer)
    if not analysed:
        return "", ()
    candidates = [sentence for sentence, _ in analysed]
    best_index, best_score = 0, 0.0
    for index, (_, seen) in enumerate(analysed):
        score = sum(weight for term, weight in term_weights.items() if term in seen)
        if score > best_score:
            best_index, best_score = index, score
    sentence = candidates[best_index]
    spans = [
        (start, end)
        for start, end, token in token_spans(sentence)
        if best_score > 0 and _token_terms(token, analyzer) & term_weights.keys()
    ]
    return _trim(sentence, spans)


def _trim(sentence: str, spans: list[tuple[int, int]]) -> tuple[str, tuple[tuple[int, int], ...]]:
    if len(sentence) <= SNIPPET_CHARS:
        return sentence, tuple(spans)
    first = spans[0][0] if spans else 0
    start = max(0, min(first - 60, len(sentence) - SNIPPET_CHARS))
    if start > 0:
        space = sentence.find(" ", start)
        start = space + 1 if 0 <= space < first else start
    end = min(len(sentence), start + SNIPPET_CHARS)
    if end < len(sentence):
        space = sentence.rfind(" ", start, end)
        end = space if space > start else end
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(sentence) else ""
    shift = len(prefix) - start
    kept = tuple((s + shift, e + shift) for s, e in spans if s >= start and e <= end)
    return prefix + sentence[start:end] + suffix, kept


def similar_hit(
    program: Program, rank: int, score: float, shared: list[tuple[str, float]], index: Scorer
) -> Hit:
    """A similar-program hit: the terms it shares with the record or draft (largest
    contribution first), its best sentence and the themes (bare numbers left out)."""
    shared = sorted(shared, key=lambda item: (-item[1], item[0]))
    snippet, highlights = best_snippet(program.body, dict(shared[:20]), index.analyzer)
    shown = [(display_term(term, index.surface_), value) for term, value in shared]
    # Bare numbers ("2019", "300") say little about what two programs share.
    themes = collapse_terms(term for term, _ in shown if not _is_number(term))[:SHARED_TERMS]
    return Hit(
        program=program,
        score=min(1.0, max(0.0, score)),
        rank=rank,
        snippet=snippet,
        highlights=highlights,
        contributions=tuple(shown[:SHARED_TERMS]),
        shared_terms=tuple(themes),
    )


def _is_number(term: str) -> bool:
    return term.replace(",", "").replace(".", "").replace(" ", "").isdigit()
