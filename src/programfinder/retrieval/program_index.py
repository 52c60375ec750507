"""The public face of an index: search, rank, similar programs, and what notebooks look at.

``ProgramIndex`` is what ``programfinder.open_index()`` returns. It is built from two layers
below it: ``index_files.IndexFiles`` opens and checks the files of an index folder, and
``scoring.Scorer`` scores records against a query vector (with exact dynamic pruning when the
index has no latent semantic space). This module reads queries, picks the records and turns
them into ``Hit``s; it imports neither ``similarity`` nor the command line.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import CacheError, QueryError, RecordNotFoundError
from ..index.build import build_index_folder
from ..index.format import FIELD_WEIGHTS, FORMAT_VERSION
from ..index.record_terms import record_segments, title_key
from ..index.scoring import LSA_WEIGHT, MAX_QUERY_TERMS, Scorer
from ..language.query import Correction, QueryPart, Speller, correct_spelling, parse_query
from ..language.synonyms import Expansion, expand
from ..language.text import Analyzer, normalize, tokenize
from ..records.corpus import Corpus
from ..records.filters import Filters
from ..records.program import Program
from .expansion import read_query
from .explain import best_snippet, collapse_terms, display_term, similar_hit
from .hits import Hit, Match, SearchResults, SimilarResults

__all__ = [
    "FIELD_WEIGHTS",
    "FORMAT_VERSION",
    "LSA_WEIGHT",
    "MAX_QUERY_TERMS",
    "CacheError",
    "ProgramIndex",
    "record_segments",
]

# Share of a search score that comes from the latent semantic space (when the index has one):
# it reorders the records that match the query's words, chosen on the blind dev set.
SEARCH_LSA_WEIGHT = 0.15
# Longer "queries" are passages (pasted text): no spelling correction or synonym expansion.
SPELL_CHECK_MAX_WORDS = 30
# A phrase query checks the text of at most this many candidates (best first).
PHRASE_CHECKS = 5_000
# similarity_matrix() is dense: n x n floats.
MATRIX_MAX_RECORDS = 20_000
# Synonyms of a draft's words count this much (its own words: 1).
DRAFT_SYNONYM_WEIGHT = 0.5
#: A text is compared on at most this many characters (about 150 pages).
MAX_DRAFT_CHARS = 1_000_000


class ProgramIndex(Scorer):
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
    ) -> ProgramIndex:
        """Index ``corpus`` (a ``Corpus`` or a list of programs) in a temporary folder."""
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
        )
        index = cls(folder)
        index._temporary = temporary  # the folder is removed with the index object
        return index

    # ----------------------------------------------------------------- queries
    def get(self, record_id: str) -> Program:
        """The record with this id (see ``Corpus.get``)."""
        from ..records.corpus import check_record_id

        check_record_id(record_id)
        row = self.row_of(record_id)
        if row is None:
            raise RecordNotFoundError(
                f"No program with id '{record_id}'.{self._closest_ids(record_id)}"
            )
        return self.programs[row]

    def _has_word(self, word: str) -> bool:
        from ..language.text import stem

        return self.terms_.lookup(stem(word)) is not None

    def _closest_ids(self, record_id: str) -> str:
        import difflib

        if len(self._ids) > 50_000:  # suggestions from a huge corpus would be slow and noisy
            return ""
        ids = list(self._ids)
        close = difflib.get_close_matches(record_id, ids, n=3, cutoff=0.5)
        close = close or [i for i in ids if record_id in i][:3]
        return f" Did you mean: {', '.join(close)}?" if close else ""

    def make_hit(
        self,
        row: int,
        rank: int,
        weights: Mapping[int, float],
        score: float,
        origins: Mapping[int, QueryPart] | None = None,
        lsa_weight: float = 0.0,
    ) -> Hit:
        """A ``Hit`` for ``row``: matched terms, their contributions, how each was reached (from
        ``origins``, the query part each column came from) and the best sentence."""
        lexical_share = 1.0 - lsa_weight if self.doc_lsa_.size else 1.0
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
        rest = score - sum(v for _, v in contributions)
        if score >= 1.0 and rest > 1e-4:  # promoted as an exact program name
            shown.append(("(exact program name)", rest))
        elif rest > 1e-4:
            shown.append(("(related words, latent semantic)", rest))
        return Hit(
            program=self.programs[row],
            score=min(1.0, max(0.0, score)),
            rank=rank,
            matched_terms=tuple(matched),
            snippet=snippet,
            highlights=highlights,
            contributions=tuple(shown),
            matches=tuple(matches),
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
                    snippet=_first_sentence(self.programs[r]),
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

    def rank_rows(self, query: str, *, limit: int = 10) -> list[tuple[int, float]]:
        """``rank`` as (row, score) pairs: for code that goes on to read the index's stored codes
        (facet counts) without looking each id up again."""
        weights = self._read_query(parse_query(query or "").text)[3]
        if not weights:
            return []
        return self.best(weights, SEARCH_LSA_WEIGHT, limit, matched_only=True)

    def distinctive_terms(self, record_id: str, n: int = 10) -> list[tuple[str, float]]:
        """The ``n`` terms with the highest TF-IDF weight in one record, as (term, weight)."""
        row = self.row_of(self.get(record_id).id)
        assert row is not None
        weights = sorted(self.record_weights(row).items(), key=lambda item: -item[1])
        return [(display_term(self.terms_[c], self.surface_), w) for c, w in weights[:n]]

    def award_terms(self, n: int = 10) -> dict[str, list[tuple[str, float]]]:
        """For each award, the terms whose mean weight in its records most exceeds the corpus mean."""
        matrix = self.document_matrix()
        overall = np.asarray(matrix.sum(axis=0), dtype=np.float64).ravel() / len(self.programs)
        result: dict[str, list[tuple[str, float]]] = {}
        for code, award in sorted(enumerate(self.awards), key=lambda item: item[1]):
            rows = np.flatnonzero(self.award_code_ == code)
            total = np.asarray(matrix[rows].sum(axis=0), dtype=np.float64).ravel()
            lift = total / len(rows) - overall
            top = np.argsort(-lift, kind="stable")[:n]
            result[award] = [
                (display_term(self.terms_[c], self.surface_), float(lift[c])) for c in top
            ]
        return result

    # ----------------------------------------------------------------- similar programs
    def draft_weights(self, text: str) -> tuple[dict[int, float], list[Expansion]]:
        """The unit TF-IDF vector of a draft, synonyms of its words added at a lower weight."""
        expansions = expand(text, self.synonyms, self.analyzer)
        extra = [(member, DRAFT_SYNONYM_WEIGHT) for e in expansions for member in e.added]
        return self.query_weights(text, extra), expansions

    def _nearest(
        self,
        weights: Mapping[int, float],
        filters: Filters,
        limit: int,
        lsa_weight: float,
        exclude: Sequence[int] = (),
    ) -> list[tuple[int, float]]:
        if not filters.active:
            return self.best(weights, lsa_weight, limit, exclude=exclude)
        mask = self.filter_mask(filters)
        mask[list(exclude)] = False
        scores = self.blended_scores(weights, lsa_weight)
        return [(row, float(scores[row])) for row in self.top_rows(scores, mask, limit)]

    def _similar_hits(
        self, found: list[tuple[int, float]], weights: Mapping[int, float]
    ) -> list[Hit]:
        hits = []
        for rank, (row, score) in enumerate(found, 1):
            shared = [
                (self.terms_[column], value) for column, value in self.shared_terms(weights, row)
            ]
            hits.append(similar_hit(self.programs[row], rank, score, shared, self))
        return hits

    def similar(
        self,
        record_id_or_text: str,
        *,
        limit: int = 10,
        filters: Filters | None = None,
        lsa_weight: float = LSA_WEIGHT,
        **criteria: Any,
    ) -> SimilarResults:
        """The records most like a record (given its id) or a draft text, best first.

        ``lsa_weight`` is the share of the latent-semantic cosine in the score (0: TF-IDF only).
        A draft's report (gaps and the criteria checklist) is ``drafts.compare_draft``, which
        ``programfinder.similar`` calls for a text.
        """
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            raise QueryError(f"limit must be a whole number of at least 1, got {limit!r}.")
        active = filters if filters is not None else Filters(**criteria)
        text = record_id_or_text or ""
        if looks_like_id(text):
            source = self.get(text.strip())
            row = self.row_of(source.id)
            assert row is not None  # get() found it
            weights = self.record_weights(row)
            found = self._nearest(weights, active, limit, lsa_weight, exclude=[row])
            hits = self._similar_hits(found, weights)
            return SimilarResults(hits, source=source, filters=active, query=source.id)
        if not text.strip():
            raise QueryError(
                'The draft is empty: give a record id, --text "...", --file PATH or - for standard input.'
            )
        notices = []
        if len(text) > MAX_DRAFT_CHARS:
            notices.append(
                f"The draft has {len(text):,} characters; only the first {MAX_DRAFT_CHARS:,} were compared."
            )
            text = text[:MAX_DRAFT_CHARS]
        weights, expansions = self.draft_weights(text)
        words = len(self.analyzer.words(text))
        if not weights:
            return SimilarResults(
                draft_words=words,
                filters=active,
                note="The draft shares no indexed word with any program.",
                notices=notices,
            )
        found = self._nearest(weights, active, limit, lsa_weight)
        return SimilarResults(
            self._similar_hits(found, weights),
            draft_words=words,
            expansions=expansions,
            filters=active,
            notices=notices,
            query=text[:80],
        )

    def similarity_matrix(self) -> tuple[list[str], np.ndarray]:
        """Record ids and the n x n matrix of blended similarities between all records."""
        n = len(self.programs)
        if n > MATRIX_MAX_RECORDS:
            raise QueryError(
                f"A similarity matrix of {n:,} records would need {n * n * 4 / 1e9:.0f} GB; "
                f"it is offered up to {MATRIX_MAX_RECORDS:,} records. Use similar() per record instead."
            )
        matrix = self.document_matrix()
        lexical = np.asarray((matrix @ matrix.T).toarray(), dtype=np.float32)
        blended = lexical
        if self.doc_lsa_.size:
            projected = np.asarray(matrix @ self.term_lsa_, dtype=np.float32)
            norms = np.linalg.norm(projected, axis=1, keepdims=True)
            projected /= np.where(norms > 0, norms, 1.0)
            semantic = np.clip(self.doc_lsa_ @ projected.T, 0.0, 1.0)
            blended = ((1 - LSA_WEIGHT) * lexical + LSA_WEIGHT * semantic.T).astype(np.float32)
            unprojected = norms.ravel() == 0  # a row with no LSA direction: TF-IDF alone
            blended[unprojected] = lexical[unprojected]
        symmetric: np.ndarray = (blended + blended.T) / 2
        np.fill_diagonal(symmetric, 1.0)
        return [p.id for p in self.programs], symmetric


def looks_like_id(text: str) -> bool:
    """True for a single token of the record-id form (``goldstein-2022-...``)."""
    from ..records.checks import ID_PATTERN

    return bool(ID_PATTERN.match(text.strip())) and "-" in text and " " not in text.strip()


def _no_terms_note(text: str, analyzer: Analyzer) -> str:
    if not analyzer.words(text):
        return "The query has only very common words (such as 'the', 'of') or no words at all."
    return "None of the query's words occur in any program."


def _first_sentence(program: Program) -> str:
    from .explain import sentences

    found = sentences(program.body)
    return found[0] if found else ""
