"""The public face of an index: search, rank, similar programs, and what notebooks look at.

``ProgramIndex`` is what ``programfinder.open_index()`` returns. It is built from two layers
below it: ``index_files.IndexFiles`` opens and checks the files of an index folder, and
``scoring.Scorer`` scores records against a query vector (with exact dynamic pruning when the
index has no latent semantic space). This module reads queries, picks the records and turns
them into ``Hit``s; it imports neither ``similarity`` nor the command line.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import CacheError, QueryError
from ..index.build import build_index_folder
from ..index.dense import MeaningScores
from ..index.format import FIELD_WEIGHTS, FORMAT_VERSION
from ..index.record_terms import record_segments, title_key
from ..index.scoring import LSA_WEIGHT, MAX_QUERY_TERMS
from ..index.vector_cache import SHIPPED_VECTORS
from ..index.vectors import VectorSettings
from ..language.passages import first_sentence, shortened
from ..language.query import Correction, QueryPart, Speller, correct_spelling, parse_query
from ..language.synonyms import Expansion
from ..language.text import Analyzer, normalize, tokenize
from ..records.corpus import Corpus
from ..records.filters import Filters
from ..records.program import Program
from .expansion import read_query
from .explain import best_snippet, collapse_terms, display_term
from .hits import Hit, Match, SearchResults
from .hybrid import MEANING_ALONE_MIN, HitMeaning, blend_for, listed_line, meaning_of, weak_line
from .similar_programs import MAX_DRAFT_CHARS, RecordIndex, looks_like_id

__all__ = [
    "FIELD_WEIGHTS",
    "FORMAT_VERSION",
    "LSA_WEIGHT",
    "MAX_DRAFT_CHARS",
    "MAX_QUERY_TERMS",
    "CacheError",
    "ProgramIndex",
    "looks_like_id",
    "record_segments",
]

# Share of a search score that comes from the latent semantic space (when the index has one):
# it reorders the records that match the query's words, chosen on the blind dev set.
SEARCH_LSA_WEIGHT = 0.15
# Longer "queries" are passages (pasted text): no spelling correction or synonym expansion.
SPELL_CHECK_MAX_WORDS = 30
# A phrase query checks the text of at most this many candidates (best first).
PHRASE_CHECKS = 5_000


class ProgramIndex(RecordIndex):
    """A searchable index over a corpus of programs.

    Get the cached one for a corpus with ``programfinder.open_index()``, or build one in memory
    with ``ProgramIndex.build(corpus)`` (needs scikit-learn); query it with ``search`` and
    ``similar``.

    Example:
        >>> index = open_index()
        >>> index.search("package theft", limit=1)[0].id
        'iacp-crime-prevention-2019-round-rock-pd'
    """

    def __init__(self, folder: Path, *, mmap: bool = True) -> None:
        """Open a built index folder; ``CacheError`` if it is damaged or of another version."""
        super().__init__(folder, mmap=mmap)
        self._temporary: Any = None
        self._speller: Speller | None = None

    @classmethod
    def build(
        cls,
        corpus: Corpus | Sequence[Program],
        *,
        analyzer: Analyzer | None = None,
        synonyms: list[list[str]] | None = None,
        entry_terms: Mapping[str, list[str]] | None = None,
        glossary: Mapping[str, list[str]] | None = None,
        field_weights: Mapping[str, float] | None = None,
        semantic: bool | None = None,
    ) -> ProgramIndex:
        """Index ``corpus`` (a ``Corpus`` or a list of programs) in a temporary folder; with
        ``semantic=False`` without record vectors (words only)."""
        programs = list(corpus)
        if not programs:
            raise QueryError("Cannot build an index of an empty corpus.")
        temporary = tempfile.TemporaryDirectory(prefix="programfinder-index-")
        folder = Path(temporary.name)
        build_index_folder(
            programs,
            folder,
            expected_records=len(programs),
            analyzer=analyzer,
            synonyms=synonyms,
            entry_terms=entry_terms,
            glossary=glossary,
            field_weights=field_weights,
            problems=corpus.problems if isinstance(corpus, Corpus) else (),
            corpus_root=corpus.root if isinstance(corpus, Corpus) else None,
            semantic=semantic,
            vectors=VectorSettings(cache_files=(SHIPPED_VECTORS,)),
        )
        index = cls(folder)
        index._temporary = temporary  # the folder is removed with the index object
        return index

    # ----------------------------------------------------------------- queries
    def _has_word(self, word: str) -> bool:
        from ..language.text import stem

        return self.terms_.lookup(stem(word)) is not None

    def make_hit(
        self,
        row: int,
        rank: int,
        weights: Mapping[int, float],
        score: float,
        origins: Mapping[int, QueryPart] | None = None,
        lsa_weight: float = 0.0,
        meaning: HitMeaning | None = None,
    ) -> Hit:
        """A ``Hit`` for ``row``: matched terms, their contributions, how each was reached (from
        ``origins``, the query part each column came from) and the best sentence; with
        ``meaning``, the share of the score that came from meaning and the passage behind it."""
        lexical_share = 1.0 - lsa_weight if self.doc_lsa_.size else 1.0
        if meaning is not None:
            lexical_share *= meaning.word_scale
        contributions = [(c, lexical_share * v) for c, v in self.shared_terms(weights, row)]
        contributions.sort(key=lambda item: (-item[1], self.terms_[item[0]]))
        term_weights = {self.terms_[column]: value for column, value in contributions}
        snippet, highlights = best_snippet(self.programs[row].body, term_weights, self.analyzer)
        shown = [(display_term(self.terms_[c], self.surface_), v) for c, v in contributions]
        matched = collapse_terms(term for term, _ in shown)
        matches = []
        if origins is not None:
            seen: set[str] = set()
            for (term, value), (column, _) in zip(shown, contributions, strict=True):
                part = origins.get(column)
                if part is None or term not in matched or term in seen:
                    continue
                seen.add(term)
                matches.append(Match(term, value, part.via, part.found))
        rest = score - sum(v for _, v in contributions) - (meaning.share if meaning else 0.0)
        named = (meaning.words if meaning is not None else score) >= 1.0
        if named and rest > 1e-4:  # promoted as an exact program name
            shown.append(("(exact program name)", rest))
        elif rest > 1e-4:
            shown.append(("(related words, latent semantic)", rest))
        if meaning is not None and meaning.share > 1e-4:
            shown.append(("(meaning)", meaning.share))
        if meaning is not None and not term_weights and meaning.passage:
            snippet, highlights = shortened(meaning.passage, 320), ()  # found by meaning alone
        return Hit(
            program=self.programs[row],
            score=min(1.0, max(0.0, score)),
            rank=rank,
            matched_terms=tuple(matched),
            snippet=snippet,
            highlights=highlights,
            contributions=tuple(shown),
            matches=tuple(matches),
            meaning=None if meaning is None else meaning.share,
            passage="" if meaning is None else meaning.passage,
            weak=meaning is not None and meaning.weak,
        )

    def search(
        self, query: str, *, limit: int = 10, filters: Filters | None = None, **criteria: Any
    ) -> SearchResults:
        """The programs that best match ``query``, best first.

        ``query`` is free text; ``"quoted phrases"`` must appear as written; ``-term`` excludes.
        Unknown words are corrected to the closest corpus word and synonyms are expanded; both
        are reported on the result. Filters (``award``, ``year``, ``since``, ``until``,
        ``country``, ``tags``) may be given as a ``Filters`` or as keywords. A query of filters
        only lists the matching programs, newest first.
        """
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            raise QueryError(f"limit must be a whole number of at least 1, got {limit!r}.")
        active = filters if filters is not None else Filters(**criteria)
        parsed = parse_query(query or "")
        mask = self.filter_mask(active)
        for excluded in parsed.excluded:
            mask &= ~self.rows_with(excluded)
        if not parsed.text.strip():
            if not active.active and not parsed.excluded:
                raise QueryError(
                    "Empty query: type some words to search for, e.g. programfinder search "
                    '"package theft", or filters such as --award goldstein.'
                )
            matching = np.flatnonzero(mask)
            # newest first, then in corpus order (a file's own order; folders sort by path)
            rows = [
                int(r) for r in matching[np.argsort(-self.award_year_[matching], kind="stable")]
            ]
            hits = [
                Hit(
                    program=self.programs[r],
                    score=0.0,
                    rank=i + 1,
                    snippet=first_sentence(self.programs[r].body),
                )
                for i, r in enumerate(rows[:limit])
            ]
            return SearchResults(
                hits, query=query, filters=active, excluded=parsed.excluded, total=len(rows)
            )
        text, corrections, expansions, weights, origins = self._read_query(parsed.text)
        results = dict(
            query=query,
            corrections=corrections,
            expansions=expansions,
            phrases=parsed.phrases,
            excluded=parsed.excluded,
            filters=active,
        )
        meaning = self._meaning_of_query(text, weights)
        if meaning is not None:
            ranked, strong, parts = self._rank_with_meaning(
                parsed.text, parsed.phrases, weights, meaning, mask
            )
            hits = [
                self.make_hit(row, rank, weights, score, origins, SEARCH_LSA_WEIGHT, parts(row))
                for rank, (row, score) in enumerate(ranked[:limit], 1)
            ]
            note = "" if ranked else "No program is close enough to the query in words or meaning."
            return SearchResults(
                hits,
                total=strong,
                weaker=len(ranked) - strong,
                note=note,
                **results,  # type: ignore[arg-type]
            )
        if not weights:
            return SearchResults(note=_no_terms_note(text, self.analyzer), **results)  # type: ignore[arg-type]
        if self.doc_lsa_.size == 0 and not active.active and not parsed.excluded:
            # No blend and no filter: the pruned ranking, with the same hits and scores.
            found, total = self._pruned_search(parsed.text, weights, parsed.phrases, limit)
        else:
            scores = self.blended_scores(weights, SEARCH_LSA_WEIGHT, matched_only=True)
            self._promote_exact_titles(parsed.text, scores)
            if parsed.phrases:
                rows, total = self._rows_with_phrases(scores, mask, parsed.phrases, limit)
            else:
                total = int(np.count_nonzero(mask & (scores > 0)))
                rows = self.top_rows(scores, mask, limit)
            found = [(row, float(scores[row])) for row in rows]
        hits = [
            self.make_hit(row, rank, weights, score, origins, SEARCH_LSA_WEIGHT)
            for rank, (row, score) in enumerate(found, 1)
        ]
        return SearchResults(hits, total=total, **results)  # type: ignore[arg-type]

    def _meaning_of_query(self, text: str, weights: Mapping[int, float]) -> MeaningScores | None:
        """The meaning scores of a typed query, or None when the index reads no meaning, the
        query has no words but stop words, or none of its words is in the corpus and nothing is
        close to it in meaning either (``MEANING_ALONE_MIN``)."""
        if not self.has_meaning or not self.analyzer.words(text):
            return None
        meaning = meaning_of(self, text)
        if meaning is not None and not weights and meaning.scores.max() < MEANING_ALONE_MIN:
            return None
        return meaning

    def _rank_with_meaning(
        self,
        text: str,
        phrases: Sequence[str],
        weights: Mapping[int, float],
        meaning: MeaningScores,
        mask: np.ndarray,
    ) -> tuple[list[tuple[int, float]], int, Callable[[int], HitMeaning]]:
        """Records by words and meaning together (``retrieval.hybrid``), best first: every
        record listed, how many are strong matches (the rest are weaker ones), and what meaning
        added to each hit."""
        if weights:
            words = np.array(self.blended_scores(weights, SEARCH_LSA_WEIGHT, matched_only=True))
        else:
            words = np.zeros(len(self), dtype=np.float32)
        self._promote_exact_titles(text, words)
        blend = blend_for(words)
        scores = blend.combine(words, meaning.scores)
        # Lines drawn from the best record that passes the filters: narrowed to one country, the
        # best programs there are its matches, however they compare with the rest of the world.
        best = float(scores[mask].max()) if mask.any() else 0.0
        listed = mask & (scores >= listed_line(best))
        rows = self.top_rows(scores, listed, PHRASE_CHECKS if phrases else len(self))
        if phrases:
            rows = [
                r for r in rows if all(self.contains_phrase(self.programs[r], p) for p in phrases)
            ]
        line = weak_line(best)
        strong = sum(1 for r in rows if scores[r] >= line)

        def parts(row: int) -> HitMeaning:
            share = blend.meaning_scale * max(float(meaning.scores[row]), 0.0)
            return HitMeaning(
                share=share,
                words=float(words[row]),
                word_scale=blend.word_scale,
                passage=self.passage(int(meaning.best_passage[row])),
                weak=bool(scores[row] < line),
            )

        return [(r, float(scores[r])) for r in rows], strong, parts

    def _rows_with_phrases(
        self, scores: np.ndarray, mask: np.ndarray, phrases: Sequence[str], limit: int
    ) -> tuple[list[int], int]:
        """Best rows whose text holds every phrase, checked best first (at most PHRASE_CHECKS)."""
        kept = [
            row
            for row in self.top_rows(scores, mask, PHRASE_CHECKS)
            if all(self.contains_phrase(self.programs[row], p) for p in phrases)
        ]
        return kept[:limit], len(kept)

    def _exact_titles(self, text: str) -> list[int]:
        """Rows whose program name is exactly ``text`` (see ``_promote_exact_titles``)."""
        wanted = " ".join(tokenize(normalize(text)))
        return [
            int(row)
            for row in np.flatnonzero(self.title_key_ == np.uint64(title_key(text)))
            if " ".join(tokenize(normalize(self.programs[int(row)].title))) == wanted
        ]

    def _pruned_search(
        self, text: str, weights: Mapping[int, float], phrases: Sequence[str], limit: int
    ) -> tuple[list[tuple[int, float]], int]:
        """Best (row, score) pairs and the number of matching records, as the exhaustive path
        finds them, for an index without LSA and a search without filters."""
        named = self._exact_titles(text)
        total = self.matching_count(weights, np.asarray(named, dtype=np.int64))
        wanted = PHRASE_CHECKS if phrases else limit
        found = [(row, 1.0) for row in named]
        found += self.top(weights, wanted, exclude=named)
        found.sort(key=lambda item: (-item[1], item[0]))
        if phrases:
            kept = [
                (row, score)
                for row, score in found[:PHRASE_CHECKS]
                if all(self.contains_phrase(self.programs[row], p) for p in phrases)
            ]
            return kept[:limit], len(kept)
        return found[:limit], total

    def _promote_exact_titles(self, text: str, scores: np.ndarray) -> None:
        """A query that is exactly a program's name scores 1.0 for that program: its words may
        all be common ("Project One"), but the user named it."""
        for row in self._exact_titles(text):
            scores[row] = 1.0

    def _read_query(
        self, text: str
    ) -> tuple[str, list[Correction], list[Expansion], dict[int, float], dict[int, QueryPart]]:
        """Spelling fixes, expansions, the query vector of free text and each term's origin."""
        if len(text.split()) > SPELL_CHECK_MAX_WORDS:  # a passage, not a typed query
            weights, origins = self.part_weights([QueryPart(text, 1.0)])
            return text, [], [], weights, origins
        if self._speller is None:
            self._speller = Speller(self.known_words_)
        text, corrections = correct_spelling(
            text,
            self._speller,
            self.analyzer.stop_words,
            # When every corpus word is a candidate, an unknown word is surely not in the corpus;
            # when only the most frequent are, a rare real word must not be "corrected".
            in_corpus=None if self.spelling_complete_ else self._has_word,
        )
        parts, expansions = read_query(text, self)
        weights, origins = self.part_weights(parts)
        used = {(p.via, p.found, p.text) for p in origins.values()}
        expansions = [
            e for e in expansions if any((e.via, e.found, added) in used for added in e.added)
        ]
        return text, corrections, expansions, weights, origins

    def rank(self, query: str, *, limit: int = 10) -> list[tuple[str, float]]:
        """Just the (id, score) pairs of ``search`` for free text, best first: no filters,
        phrases or explanations. For scripts and benchmarks that only need the ranking."""
        return [(self.record_id(row), score) for row, score in self.rank_rows(query, limit=limit)]

    def rank_rows(
        self, query: str, *, limit: int = 10, mask: np.ndarray | None = None
    ) -> list[tuple[int, float]]:
        """``rank`` as (row, score) pairs: for code that goes on to read the index's stored codes
        (facet counts) without looking each id up again. With meaning, only the strong matches
        among the rows of ``mask`` (those ``search`` counts in ``total`` with the same filters)."""
        free_text = parse_query(query or "").text
        text, _, _, weights, _ = self._read_query(free_text)
        meaning = self._meaning_of_query(text, weights)
        if meaning is not None:
            rows = mask if mask is not None else np.ones(len(self), dtype=bool)
            ranked, strong, _ = self._rank_with_meaning(free_text, (), weights, meaning, rows)
            return ranked[: min(limit, strong)]
        if not weights:
            return []
        return self.best(weights, SEARCH_LSA_WEIGHT, limit, matched_only=True)


def _no_terms_note(text: str, analyzer: Analyzer) -> str:
    if not analyzer.words(text):
        return "The query has only very common words (such as 'the', 'of') or no words at all."
    return "None of the query's words occur in any program."
