"""Opening a built index folder and checking it: nothing here scores or searches.

An index folder (written by ``build.build_index_folder``) holds ``index.npz`` (arrays, memory-
mapped), ``records.zlib`` (the records, compressed in small blocks) and ``index.json``; never a
pickle. ``IndexFiles`` checks the format version, the sizes and the checksum, then exposes the
arrays under names with a trailing underscore (state read from the files).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import CacheError
from ..language.synonyms import PhraseTable
from ..language.text import Analyzer
from ..records.problems import Problem
from ..records.program import Program
from .format import ARRAYS_FILE, FORMAT_VERSION, META_FILE, RECORDS_FILE, RECORDS_PER_BLOCK
from .storage import (
    CompressedRecordStore,
    SortedKeys,
    StringTable,
    file_fingerprint,
    load_npz,
)


class SurfaceForms(Mapping[str, str]):
    """Term -> how a reader would write it, from the index's term and surface tables."""

    # Remembered lookups: the same few hundred terms are displayed on every page of hits.
    CACHE_SIZE = 50_000

    def __init__(self, terms: SortedKeys, surfaces: StringTable) -> None:
        self._terms = terms
        self._surfaces = surfaces
        self._seen: dict[str, str] = {}

    def __getitem__(self, term: str) -> str:
        surface = self._seen.get(term)
        if surface is not None:
            return surface
        column = self._terms.lookup(term)
        if column is None:
            raise KeyError(term)
        if len(self._seen) >= self.CACHE_SIZE:
            self._seen.clear()
        surface = self._seen[term] = self._surfaces[column]
        return surface

    def __len__(self) -> int:
        return len(self._terms)

    def __iter__(self) -> Iterator[str]:
        return iter(self._terms)


class IndexFiles:
    """The checked, memory-mapped contents of one index folder."""

    def __init__(self, folder: Path, *, mmap: bool = True) -> None:
        """Open a built index folder; ``CacheError`` if it is damaged or of another version."""
        self.folder = folder
        try:
            meta = _read_meta(folder)
            arrays_path = folder / ARRAYS_FILE
            if arrays_path.stat().st_size != meta["arrays_bytes"]:
                raise CacheError(f"{arrays_path}: size differs from when it was written")
            if file_fingerprint(arrays_path) != meta["arrays_checksum"]:
                raise CacheError(f"{arrays_path}: checksum mismatch (damaged or replaced)")
            records_path = folder / RECORDS_FILE
            if records_path.stat().st_size != meta["records_bytes"]:
                raise CacheError(f"{records_path}: size differs from when it was written")
            arrays = load_npz(arrays_path, mmap=mmap)
            self._read(meta, arrays, records_path)
        except CacheError:
            raise
        except (OSError, ValueError, KeyError, TypeError, EOFError, AttributeError) as exc:
            raise CacheError(
                f"{folder}: unreadable index ({exc.__class__.__name__}: {exc})"
            ) from exc
        self._check_shapes()

    def _read(self, meta: dict[str, Any], arrays: dict[str, np.ndarray], records: Path) -> None:
        self.meta: dict[str, Any] = meta
        self.analyzer = Analyzer.from_settings(meta["analyzer"])
        self.field_weights: dict[str, float] = dict(meta["field_weights"])
        self.synonyms: list[list[str]] = [list(g) for g in meta["synonyms"]]
        # (tag, stems, entry term, stems) and (word, stems, [(meaning, stems)]), analysed when
        # the index was built
        self.entry_terms = PhraseTable(meta["entry_terms"], 3)
        self.glossary = PhraseTable(meta["glossary"], 1)
        self.known_words_ = frozenset(meta["spelling_words"])
        self.spelling_complete_ = bool(meta["spelling_complete"])
        self.problems = [Problem.from_json(p) for p in meta["problems"]]
        self.corpus_root = Path(meta["corpus_root"]) if meta.get("corpus_root") else None
        self.key = str(meta.get("key", ""))
        self.idf_ = arrays["idf"]
        # The document-term matrix, stored once, by term (CSC): record numbers ascending per
        # term, and each value quantised to 16 bits of the term's largest value (``scale_``).
        self.data_ = arrays["data"]
        self.indices_ = arrays["indices"]
        self.indptr_ = arrays["indptr"]
        self.scale_ = arrays["scale"]
        # plain views of the same memory map: slicing a np.memmap costs a Python call each time
        self._indices = self.indices_.view(np.ndarray)
        self._data = self.data_.view(np.ndarray)
        # The largest quantised value of each block of BLOCK postings, for pruned queries.
        self.block_max_ = arrays["block_max"]
        self.block_ptr_ = arrays["block_ptr"]
        # The best postings of each long list, best first (build.impact_prefixes).
        self.impact_ptr_ = arrays["impact_ptr"]
        self._impact_rows = arrays["impact_rows"].view(np.ndarray)
        self._impact_values = arrays["impact_values"].view(np.ndarray)
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
        self.evaluation_code_ = arrays["evaluation_code"]  # filters.evaluation_code
        self.setting_bits_ = arrays["setting_bits"]  # filters.setting_bits
        # Record vectors (index.vectors): passages and windows, each with its record's row,
        # rows ascending; empty when the index was built without meaning.
        self.passage_vectors_ = arrays["passage_vectors"].view(np.ndarray)
        self.passage_rows_ = arrays["passage_rows"].view(np.ndarray)
        self.window_vectors_ = arrays["window_vectors"].view(np.ndarray)
        self.window_rows_ = arrays["window_rows"].view(np.ndarray)
        self.awards: list[str] = list(meta["awards"])
        self.countries: list[str] = list(meta["countries"])
        self.tags: list[str] = list(meta["tags"])
        self.programs: Sequence[Program] = CompressedRecordStore(
            records,
            arrays["record_blocks"],
            int(meta["records"]),
            int(meta.get("records_per_block", RECORDS_PER_BLOCK)),
            Program.from_dict,
        )

    def _check_shapes(self) -> None:
        n_terms, n_records = len(self.terms_), len(self.programs)
        if (
            len(self.idf_) != n_terms
            or len(self.indptr_) != n_terms + 1
            or len(self.scale_) != n_terms
            or len(self.block_ptr_) != n_terms + 1
            or len(self.impact_ptr_) != n_terms + 1
            or len(self._impact_rows) != len(self._impact_values)
            or len(self.data_) != len(self.indices_)
            or len(self.award_year_) != n_records
            or len(self.evaluation_code_) != n_records
            or len(self.setting_bits_) != n_records
            or self.meta.get("records") != n_records
            or len(self.passage_vectors_) != len(self.passage_rows_)
            or len(self.window_vectors_) != len(self.window_rows_)
        ):
            raise CacheError(f"{self.folder}: index arrays do not match each other")

    def __len__(self) -> int:
        return len(self.programs)

    @property
    def has_meaning(self) -> bool:
        """True when the index holds record vectors (``index.vectors``)."""
        return len(self.passage_rows_) > 0

    def row_of(self, record_id: str) -> int | None:
        """The row number of a record id, or None."""
        position = self._ids.lookup(record_id)
        return None if position is None else int(self._id_rows[position])

    def record_id(self, row: int) -> str:
        """A record's id without reading the record (from the stored id table)."""
        if not hasattr(self, "_id_of_row"):
            self._id_of_row = np.empty(len(self._id_rows), dtype=np.int64)
            self._id_of_row[self._id_rows] = np.arange(len(self._id_rows))
        return self._ids[int(self._id_of_row[row])]


def _read_meta(folder: Path) -> dict[str, Any]:
    with (folder / META_FILE).open(encoding="utf-8") as handle:
        meta = json.load(handle)
    if not isinstance(meta, dict) or meta.get("format_version") != FORMAT_VERSION:
        found = meta.get("format_version") if isinstance(meta, dict) else None
        raise CacheError(f"{folder}: index format {found!r} is not {FORMAT_VERSION}")
    return meta
