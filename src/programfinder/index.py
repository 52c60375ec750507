"""The TF-IDF index over program records: building, saving, loading and scoring.

Building uses scikit-learn (``TfidfTransformer`` with sublinear tf over field-weighted term
counts). What is saved is plain arrays (``.npz``) and JSON, never a pickle, and a saved index is
queried with numpy alone: a query only touches the posting lists (CSC columns) of its own terms,
and the top hits are picked with ``argpartition``.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import time
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .corpus import Corpus, Problem
from .errors import CacheError, QueryError
from .explain import best_snippet, collapse_terms, display_term
from .filters import Filters
from .hits import Hit, SearchResults

if TYPE_CHECKING:
    from .similarity import SimilarResults
from .model import Outcome, Program
from .query import correct_spelling, parse_query
from .synonyms import Expansion, expand
from .text import Analyzer, surface_forms

FORMAT_VERSION = 5
# How much a term found in each part of a record counts, relative to the description.
FIELD_WEIGHTS: dict[str, float] = {
    "title": 3.0,
    "tags": 3.0,
    "body": 1.0,
    "who": 1.0,
    "outcomes": 1.0,
    "award": 0.5,
}
# Weight of terms added by a synonym expansion, relative to the words typed.
SYNONYM_WEIGHT = 0.5
ARRAYS_FILE = "index.npz"
# The fitted arrays saved in ARRAYS_FILE; each is the attribute of the same name plus "_".
_ARRAYS = (
    "idf", "data", "indices", "indptr", "row_data", "row_indices", "row_indptr", "doc_lsa", "term_lsa",
)  # fmt: skip
# Latent semantic analysis (truncated SVD of the TF-IDF matrix) for "similar programs": the number
# of dimensions, and the corpus size above which it is not built (its term matrix is dense).
LSA_COMPONENTS = 40
LSA_MAX_RECORDS = 200_000
META_FILE = "index.json"


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
    program: Program, analyzer: Analyzer, weights: Mapping[str, float]
) -> dict[str, float]:
    """Term -> field-weighted count for one record."""
    counts: dict[str, float] = {}
    for name, segments in record_segments(program).items():
        weight = weights[name]
        for segment in segments:
            for term in analyzer(segment):
                counts[term] = counts.get(term, 0.0) + weight
    return counts


@dataclass
class ProgramIndex:
    """A searchable index over a corpus of programs.

    Build one with ``ProgramIndex.build(corpus)`` (needs scikit-learn) or get the cached one for a
    corpus folder with ``programfinder.open_index()``; query it with ``search`` (and ``similar``).

    Example:
        >>> index = open_index()
        >>> index.search("package theft", limit=1)[0].id
        'iacp-crime-prevention-2019-round-rock-pd'
    """

    programs: list[Program]
    analyzer: Analyzer
    terms_: list[str]
    idf_: np.ndarray
    data_: np.ndarray  # CSC values of the L2-normalised document-term matrix
    indices_: np.ndarray  # CSC row (document) numbers
    indptr_: np.ndarray  # CSC column (term) starts
    row_data_: np.ndarray  # the same matrix as CSR: one record's terms, for similar-by-id
    row_indices_: np.ndarray
    row_indptr_: np.ndarray
    doc_lsa_: np.ndarray  # records in LSA space (n x k, unit rows); empty when not built
    term_lsa_: np.ndarray  # terms in LSA space (terms x k), to project a query
    surface_: dict[str, str]
    known_words_: frozenset[str]
    synonyms: list[list[str]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    corpus_root: Path | None = None
    key: str = ""
    field_weights: dict[str, float] = field(default_factory=lambda: dict(FIELD_WEIGHTS))

    def __post_init__(self) -> None:
        self.vocabulary_: dict[str, int] = {term: i for i, term in enumerate(self.terms_)}
        self._row_of = {p.id: i for i, p in enumerate(self.programs)}

    # ---------------------------------------------------------------- building
    @classmethod
    def build(
        cls,
        corpus: Corpus | Sequence[Program],
        *,
        analyzer: Analyzer | None = None,
        synonyms: list[list[str]] | None = None,
        field_weights: Mapping[str, float] | None = None,
    ) -> ProgramIndex:
        """Index ``corpus`` (a ``Corpus`` or a list of programs). Imports scikit-learn."""
        from scipy import sparse
        from sklearn.feature_extraction.text import TfidfTransformer

        from .text import english_stop_words

        weights = dict(field_weights or FIELD_WEIGHTS)
        for name, weight in weights.items():
            # sublinear tf is 1 + ln(count): a weight below 1/e would give a negative tf.
            if weight < 0.5:
                raise ValueError(f"field weight {name}={weight} must be at least 0.5")
        analyzer = analyzer or Analyzer(stop_words=english_stop_words())
        programs = list(corpus)
        if not programs:
            raise QueryError("Cannot build an index of an empty corpus.")
        vocabulary: dict[str, int] = {}
        rows: list[int] = []
        cols: list[int] = []
        values: list[float] = []
        for row, program in enumerate(programs):
            for term, count in weighted_term_counts(program, analyzer, weights).items():
                rows.append(row)
                cols.append(vocabulary.setdefault(term, len(vocabulary)))
                values.append(count)
        counts = sparse.csr_matrix(
            (np.asarray(values, dtype=np.float64), (rows, cols)),
            shape=(len(programs), len(vocabulary)),
        )
        transformer = TfidfTransformer(sublinear_tf=True, norm="l2", smooth_idf=True)
        rows_matrix = transformer.fit_transform(counts).tocsr()
        rows_matrix.sort_indices()
        matrix = rows_matrix.tocsc()
        matrix.sort_indices()
        doc_lsa, term_lsa = _fit_lsa(rows_matrix)
        terms = [""] * len(vocabulary)
        for term, column in vocabulary.items():
            terms[column] = term
        texts = [
            segment for p in programs for seg in record_segments(p).values() for segment in seg
        ]
        surface = surface_forms(texts, analyzer)
        known = frozenset(w for w in surface.values()) | frozenset(
            word for text in texts for word in analyzer.words(text)
        )
        problems = list(corpus.problems) if isinstance(corpus, Corpus) else []
        return cls(
            programs=programs,
            analyzer=analyzer,
            terms_=terms,
            idf_=transformer.idf_.astype(np.float32),
            data_=matrix.data.astype(np.float32),
            indices_=matrix.indices.astype(np.int32),
            indptr_=matrix.indptr.astype(np.int64),
            row_data_=rows_matrix.data.astype(np.float32),
            row_indices_=rows_matrix.indices.astype(np.int32),
            row_indptr_=rows_matrix.indptr.astype(np.int64),
            doc_lsa_=doc_lsa,
            term_lsa_=term_lsa,
            surface_=surface,
            known_words_=known,
            synonyms=list(synonyms or []),
            problems=problems,
            corpus_root=corpus.root if isinstance(corpus, Corpus) else None,
            field_weights=weights,
        )

    # ------------------------------------------------------------- persistence
    def save(self, folder: Path) -> None:
        """Write ``index.npz`` and ``index.json`` into ``folder`` (which must exist)."""
        arrays = folder / ARRAYS_FILE
        with arrays.open("wb") as handle:
            np.savez(
                handle,
                **{name: getattr(self, f"{name}_") for name in _ARRAYS},
            )
            handle.flush()
            os.fsync(handle.fileno())
        meta = {
            "format_version": FORMAT_VERSION,
            "key": self.key,
            "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "arrays_sha256": _file_digest(arrays),
            "arrays_bytes": arrays.stat().st_size,
            "analyzer": self.analyzer.settings(),
            "field_weights": self.field_weights,
            "corpus_root": str(self.corpus_root) if self.corpus_root else None,
            "terms": self.terms_,
            "surface": self.surface_,
            "known_words": sorted(self.known_words_),
            "synonyms": self.synonyms,
            "records": [_program_to_json(p) for p in self.programs],
            "problems": [_problem_to_json(p) for p in self.problems],
        }
        with (folder / META_FILE).open("w", encoding="utf-8") as handle:
            json.dump(meta, handle, ensure_ascii=False)
            handle.flush()
            os.fsync(handle.fileno())

    @classmethod
    def load(cls, folder: Path) -> ProgramIndex:
        """Read an index saved by ``save``; ``CacheError`` if it is damaged or of another version."""
        arrays_path, meta_path = folder / ARRAYS_FILE, folder / META_FILE
        try:
            with meta_path.open(encoding="utf-8") as handle:
                meta = json.load(handle)
            if meta.get("format_version") != FORMAT_VERSION:
                raise CacheError(
                    f"{folder}: index format {meta.get('format_version')!r} is not {FORMAT_VERSION}"
                )
            if (
                arrays_path.stat().st_size != meta["arrays_bytes"]
                or _file_digest(arrays_path) != meta["arrays_sha256"]
            ):
                raise CacheError(f"{arrays_path}: checksum mismatch (damaged or replaced)")
            with np.load(arrays_path, allow_pickle=False) as stored:
                arrays = {f"{name}_": stored[name] for name in _ARRAYS}
            index = cls(
                programs=[_program_from_json(r) for r in meta["records"]],
                analyzer=Analyzer.from_settings(meta["analyzer"]),
                terms_=list(meta["terms"]),
                **arrays,
                surface_=dict(meta["surface"]),
                known_words_=frozenset(meta["known_words"]),
                synonyms=[list(g) for g in meta["synonyms"]],
                problems=[_problem_from_json(p) for p in meta["problems"]],
                corpus_root=Path(meta["corpus_root"]) if meta.get("corpus_root") else None,
                key=str(meta.get("key", "")),
                field_weights=dict(meta["field_weights"]),
            )
        except CacheError:
            raise
        except (OSError, ValueError, KeyError, TypeError, EOFError) as exc:
            raise CacheError(
                f"{folder}: unreadable index ({exc.__class__.__name__}: {exc})"
            ) from exc
        if len(index.idf_) != len(index.terms_) or len(index.indptr_) != len(index.terms_) + 1:
            raise CacheError(f"{folder}: index arrays do not match its vocabulary")
        return index

    # ----------------------------------------------------------------- queries
    def __len__(self) -> int:
        return len(self.programs)

    def get(self, record_id: str) -> Program:
        """The record with this id (see ``Corpus.get``)."""
        from .corpus import check_record_id
        from .errors import RecordNotFoundError

        check_record_id(record_id)
        row = self._row_of.get(record_id)
        if row is None:
            import difflib

            close = difflib.get_close_matches(record_id, list(self._row_of), n=3, cutoff=0.5)
            close = close or [i for i in self._row_of if record_id in i][:3]
            hint = f" Did you mean: {', '.join(close)}?" if close else ""
            raise RecordNotFoundError(f"No program with id '{record_id}'.{hint}")
        return self.programs[row]

    def query_weights(self, text: str, extra: Iterable[tuple[str, float]] = ()) -> dict[int, float]:
        """Column -> weight of the L2-normalised query vector for ``text`` (sublinear tf x idf).

        ``extra`` adds (text, multiplier) pairs, e.g. synonym expansions at a lower weight; a term
        present in several parts keeps its largest weight.
        """
        weights: dict[int, float] = {}
        for part, multiplier in [(text, 1.0), *extra]:
            for term, count in Counter(self.analyzer(part)).items():
                column = self.vocabulary_.get(term)
                if column is None:
                    continue
                value = (1.0 + math.log(count)) * float(self.idf_[column]) * multiplier
                weights[column] = max(weights.get(column, 0.0), value)
        norm = math.sqrt(sum(v * v for v in weights.values()))
        return {c: v / norm for c, v in weights.items()} if norm else {}

    def posting(self, column: int) -> tuple[np.ndarray, np.ndarray]:
        """(document rows, values) of one term."""
        start, end = self.indptr_[column], self.indptr_[column + 1]
        return self.indices_[start:end], self.data_[start:end]

    def score(self, weights: Mapping[int, float]) -> np.ndarray:
        """Cosine score of every document against a normalised query vector."""
        scores = np.zeros(len(self.programs), dtype=np.float32)
        for column, weight in weights.items():
            rows, values = self.posting(column)
            scores[rows] += np.float32(weight) * values
        return scores

    def value(self, row: int, column: int) -> float:
        """One entry of the document-term matrix."""
        rows, values = self.posting(column)
        position = int(np.searchsorted(rows, row))
        if position < len(rows) and rows[position] == row:
            return float(values[position])
        return 0.0

    def rows_with(self, text: str) -> np.ndarray:
        """Boolean mask of documents that contain every unigram of ``text``."""
        mask = np.ones(len(self.programs), dtype=bool)
        terms = set(self.analyzer.unigrams(text))
        if not terms:
            return np.zeros(len(self.programs), dtype=bool)
        for term in terms:
            column = self.vocabulary_.get(term)
            hit = np.zeros(len(self.programs), dtype=bool)
            if column is not None:
                hit[self.posting(column)[0]] = True
            mask &= hit
        return mask

    def contains_phrase(self, program: Program, phrase: str) -> bool:
        """True when the words of ``phrase`` appear together, in order, in one part of the record."""
        wanted = self.analyzer.sequence(phrase)
        if not wanted:
            return True
        n = len(wanted)
        for segments in record_segments(program).values():
            for segment in segments:
                seq = self.analyzer.sequence(segment)
                if any(seq[i : i + n] == wanted for i in range(len(seq) - n + 1)):
                    return True
        return False

    def filter_mask(self, filters: Filters) -> np.ndarray:
        """Boolean mask of documents that pass ``filters``."""
        if not filters.active:
            return np.ones(len(self.programs), dtype=bool)
        return np.fromiter(
            (filters.matches(p) for p in self.programs), dtype=bool, count=len(self.programs)
        )

    def top_rows(self, scores: np.ndarray, mask: np.ndarray, limit: int) -> list[int]:
        """The best ``limit`` rows among ``mask`` with a positive score, best first (ties by row)."""
        candidates = np.flatnonzero(mask & (scores > 0))
        if len(candidates) > limit:
            cut = np.argpartition(-scores[candidates], limit - 1)[:limit]
            # include every candidate tied with the last one so that the result is deterministic
            threshold = scores[candidates[cut]].min()
            candidates = candidates[scores[candidates] >= threshold]
        order = np.lexsort((candidates, -scores[candidates]))
        return [int(r) for r in candidates[order][:limit]]

    def make_hit(self, row: int, rank: int, weights: Mapping[int, float], score: float) -> Hit:
        """A ``Hit`` for ``row``: matched terms, their contributions and the best sentence."""
        contributions = []
        for column, weight in weights.items():
            value = self.value(row, column)
            if value > 0:
                contributions.append((self.terms_[column], weight * value))
        contributions.sort(key=lambda item: (-item[1], item[0]))
        term_weights = {term: value for term, value in contributions}
        snippet, highlights = best_snippet(self.programs[row].body, term_weights, self.analyzer)
        shown = [(display_term(t, self.surface_), v) for t, v in contributions]
        matched = collapse_terms(term for term, _ in shown)
        return Hit(
            program=self.programs[row],
            score=min(1.0, max(0.0, score)),
            rank=rank,
            matched_terms=tuple(matched),
            snippet=snippet,
            highlights=highlights,
            contributions=tuple(shown),
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
            rows = [r for r in range(len(self.programs)) if mask[r]]
            rows.sort(key=lambda r: (-self.programs[r].award_year, self.programs[r].id))
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
        text, corrections = correct_spelling(
            parsed.text, self.known_words_, self.analyzer.stop_words
        )
        expansions: list[Expansion] = expand(text, self.synonyms, self.analyzer)
        extra = [(member, SYNONYM_WEIGHT) for e in expansions for member in e.added]
        weights = self.query_weights(text, extra)
        used = {self.terms_[c] for c in weights}
        expansions = [
            e for e in expansions if any(t in used for m in e.added for t in self.analyzer(m))
        ]
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
        scores = self.score(weights)
        if parsed.phrases:
            for row in np.flatnonzero(mask & (scores > 0)):
                if not all(self.contains_phrase(self.programs[row], p) for p in parsed.phrases):
                    mask[row] = False
        total = int(np.count_nonzero(mask & (scores > 0)))
        rows = self.top_rows(scores, mask, limit)
        hits = [
            self.make_hit(row, rank, weights, float(scores[row]))
            for rank, row in enumerate(rows, 1)
        ]
        return SearchResults(hits, total=total, **results)  # type: ignore[arg-type]

    def distinctive_terms(self, record_id: str, n: int = 10) -> list[tuple[str, float]]:
        """The ``n`` terms with the highest TF-IDF weight in one record, as (term, weight)."""
        from .similarity import row_weights

        row = self._row_of[self.get(record_id).id]
        weights = sorted(row_weights(self, row).items(), key=lambda item: -item[1])
        return [(display_term(self.terms_[c], self.surface_), w) for c, w in weights[:n]]

    def award_terms(self, n: int = 10) -> dict[str, list[tuple[str, float]]]:
        """For each award, the terms whose mean weight in its records most exceeds the corpus mean."""
        n_docs = len(self.programs)
        overall = np.zeros(len(self.terms_), dtype=np.float64)
        np.add.at(overall, self.row_indices_, self.row_data_)
        overall /= n_docs
        result: dict[str, list[tuple[str, float]]] = {}
        awards = sorted({p.award for p in self.programs})
        for award in awards:
            rows = [i for i, p in enumerate(self.programs) if p.award == award]
            total = np.zeros(len(self.terms_), dtype=np.float64)
            for row in rows:
                start, end = self.row_indptr_[row], self.row_indptr_[row + 1]
                np.add.at(total, self.row_indices_[start:end], self.row_data_[start:end])
            lift = total / len(rows) - overall
            top = np.argsort(-lift, kind="stable")[:n]
            result[award] = [
                (display_term(self.terms_[c], self.surface_), float(lift[c])) for c in top
            ]
        return result

    def document_matrix(self) -> Any:
        """The L2-normalised TF-IDF matrix (records x terms) as a scipy CSR matrix."""
        from scipy import sparse

        return sparse.csr_matrix(
            (self.row_data_, self.row_indices_, self.row_indptr_),
            shape=(len(self.programs), len(self.terms_)),
        )

    def similar(
        self,
        record_id_or_text: str,
        *,
        limit: int = 10,
        filters: Filters | None = None,
        **criteria: Any,
    ) -> SimilarResults:
        """The records most like a record id or a draft text (see ``similarity.similar``)."""
        from .similarity import similar

        return similar(self, record_id_or_text, limit=limit, filters=filters, **criteria)

    def similarity_matrix(self) -> tuple[list[str], np.ndarray]:
        """Record ids and the matrix of similarities between every pair of records."""
        from .similarity import similarity_matrix

        return similarity_matrix(self)


def _fit_lsa(matrix: Any) -> tuple[np.ndarray, np.ndarray]:
    """Document and term coordinates of a truncated SVD of ``matrix`` (empty if too small/large)."""
    n_docs, n_terms = matrix.shape
    components = min(LSA_COMPONENTS, n_docs - 1, n_terms - 1)
    if components < 2 or n_docs > LSA_MAX_RECORDS:
        return np.zeros((0, 0), dtype=np.float32), np.zeros((0, 0), dtype=np.float32)
    from sklearn.decomposition import TruncatedSVD

    svd = TruncatedSVD(n_components=components, random_state=0)
    docs = svd.fit_transform(matrix)
    norms = np.linalg.norm(docs, axis=1, keepdims=True)
    docs = docs / np.where(norms > 0, norms, 1.0)
    return docs.astype(np.float32), np.ascontiguousarray(svd.components_.T, dtype=np.float32)


def _no_terms_note(text: str, analyzer: Analyzer) -> str:
    if not analyzer.words(text):
        return "The query has only very common words (such as 'the', 'of') or no words at all."
    return "None of the query's words occur in any program."


def _first_sentence(program: Program) -> str:
    from .explain import sentences

    found = sentences(program.body)
    return found[0] if found else ""


def _file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _program_to_json(program: Program) -> dict[str, Any]:
    data = program.to_dict()
    data.pop("place")
    data["body"] = data.pop("description")
    return data


def _program_from_json(data: dict[str, Any]) -> Program:
    return Program(
        id=data["id"],
        title=data["title"],
        agency=data["agency"],
        country=data["country"],
        award=data["award"],
        award_year=int(data["award_year"]),
        body=data["body"],
        city=data.get("city"),
        region=data.get("region"),
        category=data.get("category"),
        division=data.get("division"),
        problem=tuple(data.get("problem", ())),
        tactics=tuple(data.get("tactics", ())),
        partners=tuple(data.get("partners", ())),
        outcomes=tuple(Outcome(o["measure"], o["value"]) for o in data.get("outcomes", ())),
        started=data.get("started"),
        source_url=data.get("source_url"),
        other_sources=tuple(data.get("other_sources", ())),
        related=tuple(data.get("related", ())),
        path=Path(data["path"]) if data.get("path") else None,
    )


def _problem_to_json(problem: Problem) -> dict[str, Any]:
    return {
        "severity": problem.severity,
        "path": str(problem.path),
        "message": problem.message,
        "hint": problem.hint,
        "line": problem.line,
        "field": problem.field,
    }


def _problem_from_json(data: dict[str, Any]) -> Problem:
    return Problem(
        severity=data["severity"],
        path=Path(data["path"]),
        message=data["message"],
        hint=data.get("hint", ""),
        line=data.get("line"),
        field=data.get("field"),
    )
