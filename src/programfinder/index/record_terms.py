"""A record's searchable text, field by field, and its field-weighted term counts."""

from __future__ import annotations

import itertools
import zlib
from collections import Counter
from collections.abc import Mapping
from typing import Any

from ..language.text import Analyzer, normalize, tokenize
from ..records.program import Program


def record_segments(program: Program) -> dict[str, list[str]]:
    """The searchable text of a record, per weighted field, as separate segments.

    Segments are analysed separately so that no bigram spans two tags or two partners.
    """
    return {
        "title": [program.title],
        "tags": list(program.tags),
        "body": [program.body],
        "who": [
            part for part in (program.agency, program.city, program.region, program.country) if part
        ]
        + list(program.partners),
        "outcomes": [f"{o.measure}: {o.value}" for o in program.outcomes],
        "award": [program.award],
    }


def weighted_term_counts(
    program: Program,
    analyzer: Analyzer,
    weights: Mapping[str, float],
    words_seen: Counter[str] | None = None,
    pairs_seen: Counter[str] | None = None,
) -> dict[str, float]:
    """Term -> field-weighted count for one record.

    The record's words (before stemming) are added to ``words_seen``; word pairs of its title
    and tags (where multi-word concepts such as "behavioral health" live) to ``pairs_seen``.
    """
    return segment_term_counts(record_segments(program), analyzer, weights, words_seen, pairs_seen)


def segment_term_counts(
    segments: Mapping[str, list[str]],
    analyzer: Analyzer,
    weights: Mapping[str, float],
    words_seen: Counter[str] | None = None,
    pairs_seen: Counter[str] | None = None,
) -> dict[str, float]:
    """``weighted_term_counts`` of a record's segments (``record_segments``)."""
    counts: dict[str, float] = {}
    if analyzer.ngram_range[1] == 1:
        # No term spans two words, so all fields of one weight can be analysed as one text:
        # the counts are the same and the analyser runs 3 times per record instead of ~15.
        grouped: dict[float, list[str]] = {}
        for name, parts in segments.items():
            grouped.setdefault(weights[name], []).extend(parts)
        for weight, parts in grouped.items():
            for term, count in analyzer.unigram_counts("\n".join(parts), words_seen).items():
                counts[term] = counts.get(term, 0.0) + weight * count
        return counts
    for name, parts in segments.items():
        weight = weights[name]
        for segment in parts:
            words = analyzer.words(segment)
            if words_seen is not None:
                words_seen.update(words)
            if pairs_seen is not None and name in ("title", "tags"):
                pairs_seen.update(f"{a} {b}" for a, b in itertools.pairwise(words))
            for term, count in Counter(analyzer.terms_from_words(words)).items():
                counts[term] = counts.get(term, 0.0) + weight * count
    return counts


def title_key(text: str) -> int:
    """A 64-bit key of a title's words, so that a query that is exactly a program's name can be
    found among a million titles with one comparison per title."""
    words = " ".join(tokenize(normalize(text))).encode("utf-8")
    return (zlib.crc32(words) << 32) | zlib.adler32(words)


def program_to_json(program: Program) -> dict[str, Any]:
    """A record as stored in ``records.jsonl``."""
    data = program.to_dict()
    data.pop("place")
    data["body"] = data.pop("description")
    return data
