"""The index's record-level face: looking a record up by id, and the programs most like a record
or a text, by words and by meaning (``ProgramIndex`` adds search on top)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from ..errors import QueryError, RecordNotFoundError
from ..index.dense import MeaningScores, meaning_scores, record_meaning
from ..index.scoring import LSA_WEIGHT, Scorer
from ..language.passages import passages
from ..language.synonyms import Expansion, expand
from ..records.filters import Filters
from ..records.program import Program
from .explain import display_term, similar_hit
from .hits import Hit, SimilarResults
from .hybrid import DRAFT_WORD_WEIGHT, Blend, blend_for, meaning_of

# similarity_matrix() is dense: n x n floats.
MATRIX_MAX_RECORDS = 20_000
# Synonyms of a draft's words count this much (its own words: 1).
DRAFT_SYNONYM_WEIGHT = 0.5
#: A text is compared on at most this many characters (about 150 pages).
MAX_DRAFT_CHARS = 1_000_000


class RecordIndex(Scorer):
    """Records by id, and similar programs; the base of ``ProgramIndex``."""

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

    def _closest_ids(self, record_id: str) -> str:
        import difflib

        if len(self._ids) > 50_000:  # suggestions from a huge corpus would be slow and noisy
            return ""
        ids = list(self._ids)
        close = difflib.get_close_matches(record_id, ids, n=3, cutoff=0.5)
        close = close or [i for i in ids if record_id in i][:3]
        return f" Did you mean: {', '.join(close)}?" if close else ""

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
        meaning: MeaningScores | None = None,
    ) -> tuple[list[tuple[int, float]], Blend | None]:
        """The best rows by words (and meaning, when given: ``retrieval.hybrid``), and the blend."""
        if meaning is None and not filters.active:
            return self.best(weights, lsa_weight, limit, exclude=exclude), None
        mask = self.filter_mask(filters)
        mask[list(exclude)] = False
        scores = self.blended_scores(weights, lsa_weight)
        blend = None
        if meaning is not None:
            blend = blend_for(scores, DRAFT_WORD_WEIGHT)
            scores = blend.combine(scores, meaning.scores)
        return [(row, float(scores[row])) for row in self.top_rows(scores, mask, limit)], blend

    def _similar_hits(
        self,
        found: list[tuple[int, float]],
        weights: Mapping[int, float],
        blend: Blend | None = None,
        meaning: MeaningScores | None = None,
    ) -> list[Hit]:
        hits = []
        for rank, (row, score) in enumerate(found, 1):
            shared = [
                (self.terms_[column], value) for column, value in self.shared_terms(weights, row)
            ]
            hit = similar_hit(self.programs[row], rank, score, shared, self)
            if blend is not None and meaning is not None:
                share = blend.meaning_scale * max(float(meaning.scores[row]), 0.0)
                hit = replace(
                    hit,
                    contributions=(
                        *((t, v * blend.word_scale) for t, v in hit.contributions),
                        ("(meaning)", share),
                    ),
                    meaning=share,
                    passage=self.passage(int(meaning.best_passage[row])),
                )
            hits.append(hit)
        return hits

    def passage(self, position: int) -> str:
        """The text of the index's passage number ``position`` (``index.vectors``), or ""."""
        if position < 0 or position >= len(self.passage_rows_):
            return ""
        row = int(self.passage_rows_[position])
        first = int(np.searchsorted(self.passage_rows_, row))
        texts = self._passages_of(row)
        return texts[position - first] if position - first < len(texts) else ""

    def _passages_of(self, row: int) -> list[str]:
        """A record's passages (``language.passages``), remembered for the records shown lately."""
        remembered: dict[int, list[str]] = self.__dict__.setdefault("_recent_passages", {})
        if row not in remembered:
            if len(remembered) > 2_048:
                remembered.clear()
            program = self.programs[row]
            remembered[row] = passages(program.title, program.body)
        return remembered[row]

    def _record_meanings(self) -> np.ndarray:
        """One unit vector per record (``index.dense.record_meaning``), computed once."""
        cached: np.ndarray | None = getattr(self, "_meanings", None)
        if cached is None:
            cached = np.stack([record_meaning(self, row) for row in range(len(self))])
            self._meanings = cached
        return cached

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
            meaning = None
            if self.has_meaning:
                meanings = self._record_meanings()
                closest = meaning_scores(self, meanings[row]).best_passage
                meaning = MeaningScores(meanings @ meanings[row], closest)
            found, blend = self._nearest(weights, active, limit, lsa_weight, [row], meaning)
            hits = self._similar_hits(found, weights, blend, meaning)
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
        meaning = meaning_of(self, text)
        if not weights and meaning is None:
            return SimilarResults(
                draft_words=words,
                filters=active,
                note="The draft shares no indexed word with any program.",
                notices=notices,
            )
        found, blend = self._nearest(weights, active, limit, lsa_weight, (), meaning)
        return SimilarResults(
            self._similar_hits(found, weights, blend, meaning),
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
