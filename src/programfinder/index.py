"""The TF-IDF index over program records: loading a built index folder and scoring queries.

An index folder (written by ``build.build_index_folder``) holds ``index.npz`` (arrays, memory-
mapped), ``records.jsonl`` and ``index.json``; never a pickle. Queries use numpy alone: a query
only touches the posting lists (CSC columns) of its own terms, and the top hits are picked with
``argpartition``. ``ProgramIndex.build`` builds an index in a temporary folder for in-memory use.
"""

from __future__ import annotations

import json
import math
import tempfile
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from .build import (
    ARRAYS_FILE,
    FIELD_WEIGHTS,
    FORMAT_VERSION,
    META_FILE,
    RECORDS_FILE,
    SPELLING_WORDS,
    build_index_folder,
    record_segments,
    title_key,
)
from .corpus import EVALUATION_VALUES, SETTING_VALUES, Corpus, Problem
from .errors import CacheError, QueryError, RecordNotFoundError
from .expansion import QueryPart, read_query
from .explain import best_snippet, collapse_terms, display_term
from .filters import Filters, award_matches, normalize_country
from .hits import Hit, Match, SearchResults
from .model import Program
from .query import Correction, Speller, correct_spelling, parse_query
from .storage import RecordStore, SortedKeys, StringTable, file_fingerprint, load_npz
from .synonyms import Expansion
from .text import Analyzer, normalize, tokenize

if TYPE_CHECKING:
    from .similarity import SimilarResults

__all__ = ["FIELD_WEIGHTS", "FORMAT_VERSION", "ProgramIndex", "record_segments"]

# Share of a search score that comes from the latent semantic space (when the index has one):
# it reorders the records that match the query's words, chosen on the blind dev set.
SEARCH_LSA_WEIGHT = 0.15
# Longer "queries" are passages (pasted text): no spelling correction or synonym expansion.
SPELL_CHECK_MAX_WORDS = 30
# A query vector keeps at most this many terms (the most weighted; see query_weights).
MAX_QUERY_TERMS = 200
# A phrase query checks the text of at most this many candidates (best first).
PHRASE_CHECKS = 5_000
# similarity_matrix() is dense: n x n floats.
MATRIX_MAX_RECORDS = 20_000


class SurfaceForms(Mapping[str, str]):
    """Term -> how a reader would write it, from the index's term and surface tables."""

    def __init__(self, terms: SortedKeys, surfaces: StringTable) -> None:
        self._terms = terms
        self._surfaces = surfaces

    def __getitem__(self, term: str) -> str:
        column = self._terms.lookup(term)
        if column is None:
            raise KeyError(term)
        return self._surfaces[column]

    def __len__(self) -> int:
        return len(self._terms)

    def __iter__(self) -> Iterator[str]:
        return iter(self._terms)


class ProgramIndex:
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
        self.folder = folder
        self._temporary: Any = None
        self._speller: Speller | None = None
        try:
            with (folder / META_FILE).open(encoding="utf-8") as handle:
                meta = json.load(handle)
            if not isinstance(meta, dict) or meta.get("format_version") != FORMAT_VERSION:
                found = meta.get("format_version") if isinstance(meta, dict) else None
                raise CacheError(f"{folder}: index format {found!r} is not {FORMAT_VERSION}")
            arrays_path = folder / ARRAYS_FILE
            if arrays_path.stat().st_size != meta["arrays_bytes"]:
                raise CacheError(f"{arrays_path}: size differs from when it was written")
            if file_fingerprint(arrays_path) != meta["arrays_checksum"]:
                raise CacheError(f"{arrays_path}: checksum mismatch (damaged or replaced)")
            records_path = folder / RECORDS_FILE
            if records_path.stat().st_size != meta["records_bytes"]:
                raise CacheError(f"{records_path}: size differs from when it was written")
            arrays = load_npz(arrays_path, mmap=mmap)
            self.meta: dict[str, Any] = meta
            self.analyzer = Analyzer.from_settings(meta["analyzer"])
            self.field_weights: dict[str, float] = dict(meta["field_weights"])
            self.synonyms: list[list[str]] = [list(g) for g in meta["synonyms"]]
            # (tag, stems, entry term, stems) and (word, stems, [(meaning, stems)]), analysed
            # when the index was built
            self.entry_terms: list[list[str]] = meta["entry_terms"]
            self.glossary: list[list[Any]] = meta["glossary"]
            self.known_words_ = frozenset(meta["spelling_words"])
            self.problems = [Problem.from_json(p) for p in meta["problems"]]
            self.corpus_root = Path(meta["corpus_root"]) if meta.get("corpus_root") else None
            self.key = str(meta.get("key", ""))
            self.idf_ = arrays["idf"]
            self.data_ = arrays["data"]  # CSC values of the L2-normalised document-term matrix
            self.indices_ = arrays["indices"]  # CSC rows (records)
            self.indptr_ = arrays["indptr"]  # CSC column (term) starts
            self.row_data_ = arrays["row_data"]  # the same matrix as CSR: a record's own terms
            self.row_indices_ = arrays["row_indices"]
            self.row_indptr_ = arrays["row_indptr"]
            self.doc_lsa_ = arrays["doc_lsa"]  # records in LSA space; empty when not built
            self.term_lsa_ = arrays["term_lsa"]  # terms in LSA space, to project a query
            self.terms_ = SortedKeys(arrays["term_keys"])
            self.surface_ = SurfaceForms(
                self.terms_, StringTable(arrays["surface_blob"], arrays["surface_offsets"])
            )
            self._ids = SortedKeys(arrays["id_keys"])
            self._id_rows = arrays["id_rows"]
            self.title_key_ = arrays["title_key"]
            self.award_year_ = arrays["award_year"]
            self.award_code_ = arrays["award_code"]
            self.country_code_ = arrays["country_code"]
            self.tag_codes_ = arrays["tag_codes"]
            self.tag_indptr_ = arrays["tag_indptr"]
            self.evaluation_code_ = arrays["evaluation_code"]
            self.setting_bits_ = arrays["setting_bits"]
            self.awards: list[str] = list(meta["awards"])
            self.countries: list[str] = list(meta["countries"])
            self.tags: list[str] = list(meta["tags"])
            self.programs: Sequence[Program] = RecordStore(
                records_path, arrays["record_offsets"], Program.from_dict
            )
        except CacheError:
            raise
        except (OSError, ValueError, KeyError, TypeError, EOFError, AttributeError) as exc:
            raise CacheError(
                f"{folder}: unreadable index ({exc.__class__.__name__}: {exc})"
            ) from exc
        n_terms, n_records = len(self.terms_), len(self.programs)
        if (
            len(self.idf_) != n_terms
            or len(self.indptr_) != n_terms + 1
            or len(self.row_indptr_) != n_records + 1
            or len(self.award_year_) != n_records
            or len(self.evaluation_code_) != n_records
            or len(self.setting_bits_) != n_records
            or meta.get("records") != n_records
        ):
            raise CacheError(f"{folder}: index arrays do not match each other")

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
    def __len__(self) -> int:
        return len(self.programs)

    def get(self, record_id: str) -> Program:
        """The record with this id (see ``Corpus.get``)."""
        from .corpus import check_record_id

        check_record_id(record_id)
        row = self.row_of(record_id)
        if row is None:
            raise RecordNotFoundError(
                f"No program with id '{record_id}'.{self._closest_ids(record_id)}"
            )
        return self.programs[row]

    def _has_word(self, word: str) -> bool:
        from .text import stem

        return self.terms_.lookup(stem(word)) is not None

    def row_of(self, record_id: str) -> int | None:
        """The row number of a record id, or None."""
        position = self._ids.lookup(record_id)
        return None if position is None else int(self._id_rows[position])

    def _closest_ids(self, record_id: str) -> str:
        import difflib

        if len(self._ids) > 50_000:  # suggestions from a huge corpus would be slow and noisy
            return ""
        ids = list(self._ids)
        close = difflib.get_close_matches(record_id, ids, n=3, cutoff=0.5)
        close = close or [i for i in ids if record_id in i][:3]
        return f" Did you mean: {', '.join(close)}?" if close else ""

    def query_weights(self, text: str, extra: Iterable[tuple[str, float]] = ()) -> dict[int, float]:
        """Column -> weight of the L2-normalised query vector for ``text`` (sublinear tf x idf).

        ``extra`` adds (text, multiplier) pairs, e.g. synonym expansions at a lower weight; a term
        present in several parts keeps its largest weight.
        """
        parts = [QueryPart(text, 1.0), *(QueryPart(t, m, "synonym") for t, m in extra)]
        return self.part_weights(parts)[0]

    def part_weights(
        self, parts: Sequence[QueryPart]
    ) -> tuple[dict[int, float], dict[int, QueryPart]]:
        """The normalised query vector of weighted parts, and the part each term came from."""
        weights: dict[int, float] = {}
        origins: dict[int, QueryPart] = {}
        for part in parts:
            counts = Counter(self.analyzer(part.text))
            terms = list(counts)
            for term, column in zip(terms, self.terms_.lookup_many(terms), strict=True):
                if column < 0:
                    continue
                value = (1.0 + math.log(counts[term])) * float(self.idf_[column]) * part.weight
                if value > weights.get(int(column), 0.0):
                    weights[int(column)] = value
                    origins[int(column)] = part
        norm = math.sqrt(sum(v * v for v in weights.values()))
        if not norm:
            return {}, {}
        if len(weights) > MAX_QUERY_TERMS:
            # A long draft: its most weighted terms decide the ranking; the many common words
            # it also holds have the longest posting lists and the smallest weights.
            kept = sorted(weights.items(), key=lambda item: -item[1])[:MAX_QUERY_TERMS]
            weights = dict(kept)
        return {c: v / norm for c, v in weights.items()}, {c: origins[c] for c in weights}

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

    def semantic_scores(self, weights: Mapping[int, float]) -> np.ndarray | None:
        """Cosine of every record with ``weights`` in the latent semantic (LSA) space, in [0, 1];
        ``None`` when the index has no LSA space (large corpora) or the query projects to 0."""
        if self.doc_lsa_.size == 0 or not weights:
            return None
        columns = np.fromiter(weights.keys(), dtype=np.int64, count=len(weights))
        values = np.fromiter(weights.values(), dtype=np.float32, count=len(weights))
        projected = values @ self.term_lsa_[columns]
        norm = float(np.linalg.norm(projected))
        if norm == 0:
            return None
        semantic: np.ndarray = np.clip(self.doc_lsa_ @ (projected / norm), 0.0, 1.0)
        return semantic

    def blended_scores(
        self, weights: Mapping[int, float], lsa_weight: float, *, matched_only: bool = False
    ) -> np.ndarray:
        """TF-IDF cosine blended with the LSA cosine: ``(1 - w) * tfidf + w * lsa``.

        With ``matched_only`` a record that shares no term with the query keeps score 0: a search
        hit always has a word the user can see, the latent space only reorders.
        """
        lexical = self.score(weights)
        semantic = self.semantic_scores(weights) if lsa_weight > 0 else None
        if semantic is None:
            return lexical
        blended: np.ndarray = ((1 - lsa_weight) * lexical + lsa_weight * semantic).astype(
            np.float32
        )
        if matched_only:
            blended[lexical <= 0] = 0.0
        return blended

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
            column = self.terms_.lookup(term)
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
        """Boolean mask of documents that pass ``filters`` (vectorised over stored codes)."""
        n = len(self.programs)
        mask = np.ones(n, dtype=bool)
        if not filters.active:
            return mask
        years = self.award_year_
        if filters.year is not None:
            mask &= years == filters.year
        if filters.since is not None:
            mask &= years >= filters.since
        if filters.until is not None:
            mask &= years <= filters.until
        if filters.award:
            award = filters.award
            codes = [i for i, name in enumerate(self.awards) if award_matches(award, name)]
            mask &= np.isin(self.award_code_, codes)
        if filters.country:
            country = normalize_country(filters.country)
            codes = [i for i, c in enumerate(self.countries) if normalize_country(c) == country]
            mask &= np.isin(self.country_code_, codes)
        if filters.evaluation:
            mask &= self.evaluation_code_ == EVALUATION_VALUES.index(filters.evaluation)
        if filters.setting:
            mask &= (self.setting_bits_ & (1 << SETTING_VALUES.index(filters.setting))) > 0
        if filters.tags:
            owners = np.repeat(np.arange(n), np.diff(self.tag_indptr_))
            for tag in filters.tags:
                wanted_tag = tag.casefold().strip()
                has_tag = np.zeros(n, dtype=bool)
                if wanted_tag in self.tags:
                    has_tag[owners[self.tag_codes_ == self.tags.index(wanted_tag)]] = True
                mask &= has_tag
        return mask

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
        contributions = []
        for column, weight in weights.items():
            value = self.value(row, column)
            if value > 0:
                contributions.append((column, lexical_share * weight * value))
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
        scores = self.blended_scores(weights, SEARCH_LSA_WEIGHT, matched_only=True)
        self._promote_exact_titles(parsed.text, scores)
        if parsed.phrases:
            rows, total = self._rows_with_phrases(scores, mask, parsed.phrases, limit)
        else:
            total = int(np.count_nonzero(mask & (scores > 0)))
            rows = self.top_rows(scores, mask, limit)
        hits = [
            self.make_hit(row, rank, weights, float(scores[row]), origins, SEARCH_LSA_WEIGHT)
            for rank, row in enumerate(rows, 1)
        ]
        return SearchResults(hits, total=total, **results)  # type: ignore[arg-type]

    def _promote_exact_titles(self, text: str, scores: np.ndarray) -> None:
        """A query that is exactly a program's name scores 1.0 for that program: its words may
        all be common ("Project One"), but the user named it."""
        for row in np.flatnonzero(self.title_key_ == np.uint64(title_key(text))):
            if " ".join(tokenize(normalize(self.programs[int(row)].title))) == " ".join(
                tokenize(normalize(text))
            ):
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
            in_corpus=None if len(self.known_words_) < SPELLING_WORDS else self._has_word,
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
        weights = self._read_query(parse_query(query or "").text)[3]
        if not weights:
            return []
        scores = self.blended_scores(weights, SEARCH_LSA_WEIGHT, matched_only=True)
        rows = self.top_rows(scores, np.ones(len(scores), dtype=bool), limit)
        return [(self._record_id(row), float(scores[row])) for row in rows]

    def _record_id(self, row: int) -> str:
        """A record's id without reading the record (from the stored id table)."""
        if not hasattr(self, "_id_of_row"):
            self._id_of_row = np.empty(len(self._id_rows), dtype=np.int64)
            self._id_of_row[self._id_rows] = np.arange(len(self._id_rows))
        return self._ids[int(self._id_of_row[row])]

    def distinctive_terms(self, record_id: str, n: int = 10) -> list[tuple[str, float]]:
        """The ``n`` terms with the highest TF-IDF weight in one record, as (term, weight)."""
        from .similarity import row_weights

        row = self.row_of(self.get(record_id).id)
        assert row is not None
        weights = sorted(row_weights(self, row).items(), key=lambda item: -item[1])
        return [(display_term(self.terms_[c], self.surface_), w) for c, w in weights[:n]]

    def award_terms(self, n: int = 10) -> dict[str, list[tuple[str, float]]]:
        """For each award, the terms whose mean weight in its records most exceeds the corpus mean."""
        n_docs = len(self.programs)
        overall = np.zeros(len(self.terms_), dtype=np.float64)
        np.add.at(overall, self.row_indices_, self.row_data_)
        overall /= n_docs
        result: dict[str, list[tuple[str, float]]] = {}
        for code, award in sorted(enumerate(self.awards), key=lambda item: item[1]):
            rows = np.flatnonzero(self.award_code_ == code)
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


def _no_terms_note(text: str, analyzer: Analyzer) -> str:
    if not analyzer.words(text):
        return "The query has only very common words (such as 'the', 'of') or no words at all."
    return "None of the query's words occur in any program."


def _first_sentence(program: Program) -> str:
    from .explain import sentences

    found = sentences(program.body)
    return found[0] if found else ""
