"""Reading a typed query: the words as typed, and other words the user may have meant.

Four sources add words, each weighted below the typed words and each reported, so that a user
can see how a hit was reached and discard it:

- the synonym list (``synonyms.yaml``): groups of words people wrote as meaning the same;
- the everyday-words glossary (``everyday-words.yaml``): slang and regional words pointing to
  the standard words records use ("coppers" -> police officers);
- tag entry terms (``entry-terms.yaml``): lay words, slang and jargon that lead to a problem or
  tactic tag, and so to every record that carries it;
- the general-English thesaurus (WordNet): synonyms, broader and derived words of a typed word,
  kept only when they occur in the corpus and, when the query has other words, only in the sense
  those words suggest (a candidate that never occurs in a record with the query's other words
  is a different meaning: "cop" the verb, not "cop" the officer).
"""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING

import numpy as np

from ..language.entry_terms import find_tags
from ..language.glossary import find_everyday_words
from ..language.query import QueryPart
from ..language.synonyms import Expansion, expand
from ..language.text import normalize, tokenize
from ..language.thesaurus import default_thesaurus

if TYPE_CHECKING:
    from ..index.scoring import Scorer

# Weight of added words relative to typed words (1.0), per source.
SYNONYM_WEIGHT = 0.3
TAG_WEIGHT = 0.6
GLOSSARY_WEIGHT = 0.6
THESAURUS_WEIGHT = 0.35
# Within the thesaurus: a broader or derived word counts less than a synonym; each later sense
# of a word less than the one before.
RELATION_WEIGHTS = {"synonyms": 1.0, "broader": 0.7, "derived": 0.7}
SENSE_DECAY = 0.6
MAX_SENSES = 3
# A typed word found in more than this share of the records is the corpus's own vocabulary
# already; expanding it would only add noise.
COMMON_WORD_SHARE = 0.2
# An added word found in more than this share of the records says nothing about any of them.
GENERIC_CANDIDATE_SHARE = 0.3
MAX_THESAURUS_WORDS = 6  # kept per typed word, best first
MIN_WORD_LENGTH = 3


def read_query(text: str, index: Scorer) -> tuple[list[QueryPart], list[Expansion]]:
    """The parts of a typed query (its own text first) and the expansions applied to it."""
    parts = [QueryPart(text, 1.0)]
    expansions: list[Expansion] = []
    for expansion in expand(text, index.synonyms, index.analyzer):
        expansions.append(expansion)
        parts.extend(
            QueryPart(member, SYNONYM_WEIGHT, "synonym", expansion.found)
            for member in expansion.added
        )
    for expansion in find_everyday_words(text, index.glossary, index.analyzer):
        expansions.append(expansion)
        parts.extend(
            QueryPart(meaning, GLOSSARY_WEIGHT, "glossary", expansion.found)
            for meaning in expansion.added
        )
    # The standard words of everyday words lead to tags too ("nicking" -> theft -> the tag).
    standard = " ".join(p.text for p in parts if p.via == "glossary")
    for expansion in find_tags(f"{text}\n{standard}", index.entry_terms, index.analyzer):
        expansions.append(expansion)
        parts.extend(QueryPart(tag, TAG_WEIGHT, "tag", expansion.found) for tag in expansion.added)
    # A word inside a phrase that a list already understood ("rough sleepers") is not looked
    # up again word by word ("sleepers" -> "winners").
    understood = {w for e in expansions for w in tokenize(normalize(e.found))}
    for expansion, weights in thesaurus_expansions(text, index, skip=understood):
        expansions.append(expansion)
        parts.extend(
            QueryPart(word, THESAURUS_WEIGHT * weight, "thesaurus", expansion.found)
            for word, weight in zip(expansion.added, weights, strict=True)
        )
    return parts, expansions


def thesaurus_expansions(
    text: str, index: Scorer, skip: Collection[str] = ()
) -> list[tuple[Expansion, list[float]]]:
    """For each typed word the thesaurus knows: the corpus words it may mean, with weights."""
    thesaurus = default_thesaurus()
    analyzer = index.analyzer
    n_records = len(index.programs)
    words = [
        w
        for w in tokenize(normalize(text))
        if len(w) >= MIN_WORD_LENGTH and w not in analyzer.stop_words and not w.isdigit()
    ]
    if not words:
        return []
    known = [w for w in dict.fromkeys(words) if w not in skip and thesaurus.senses(w)]
    if not known:
        return []  # the usual case for names and jargon: no record needs to be read
    rows_of = {w: index.rows_with(w) for w in words}
    results = []
    for word in known:
        if rows_of[word].sum() > COMMON_WORD_SHARE * n_records:
            continue
        context = np.zeros(n_records, dtype=bool)
        for other in words:
            if analyzer.sequence(other) != analyzer.sequence(word):
                context |= rows_of[other]
        own = set(analyzer.sequence(word))
        scored: dict[str, float] = {}
        for rank, sense in enumerate(thesaurus.senses(word)[:MAX_SENSES]):
            for relation, candidates in (
                ("synonyms", sense.synonyms),
                ("broader", sense.broader),
                ("derived", sense.derived),
            ):
                for candidate in candidates:
                    sequence = analyzer.sequence(candidate)
                    if not sequence or set(sequence) <= own:
                        continue
                    found = index.rows_with(candidate)
                    count = int(found.sum())
                    if not count or count > GENERIC_CANDIDATE_SHARE * n_records:
                        continue
                    weight = RELATION_WEIGHTS[relation] * SENSE_DECAY**rank
                    if context.any():
                        together = int((found & context).sum())
                        if not together:
                            continue  # never beside the query's other words: another meaning
                        weight *= together / count
                    if weight > scored.get(candidate, 0.0):
                        scored[candidate] = weight
        best = sorted(scored.items(), key=lambda item: (-item[1], item[0]))[:MAX_THESAURUS_WORDS]
        if best:
            results.append(
                (
                    Expansion(found=word, added=tuple(c for c, _ in best), via="thesaurus"),
                    [w for _, w in best],
                )
            )
    return results
