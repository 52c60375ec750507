"""Building an index folder from a stream of records, in one pass and bounded memory.

Each record's fields are analysed and counted with their weights; the counts go into compact
arrays (not Python objects), the record itself, compressed, into ``records.zlib``. At the end the counts are
turned into L2-normalised sublinear TF-IDF, exactly as scikit-learn's ``TfidfTransformer
(sublinear_tf=True, smooth_idf=True, norm="l2")`` computes it (a test holds the two equal), and
saved once, by term (CSC), with 16-bit values, per-block maxima for pruned queries and a sorted
term table. A large corpus is analysed by worker processes, batch by batch; their results are
merged here, in one process, in the order of the records.
"""

from __future__ import annotations

import json
import time
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..language.entry_terms import analyze_entry_terms
from ..language.glossary import analyze_glossary
from ..language.text import Analyzer, stem, stem_many
from ..records.filters import evaluation_code, setting_bits
from ..records.problems import Problem
from ..records.program import Program
from .arrays import (
    Chunks,
    block_maxima,
    fit_lsa,
    impact_prefixes,
    quantise_by_record,
    tfidf_in_place,
)
from .batches import Batch, BatchAnalysis, Numbering, WordTotals, analysis_workers, batches_of
from .format import (
    ARRAYS_FILE,
    BATCH_RECORDS,
    BIGRAM_MAX_RECORDS,
    FIELD_WEIGHTS,
    FORMAT_VERSION,
    MAX_STORED_PROBLEMS,
    META_FILE,
    MIN_BIGRAM_RECORDS,
    PRUNE_BIGRAMS_ABOVE,
    RECORDS_FILE,
    RECORDS_PER_BLOCK,
    SEMANTIC_MAX_RECORDS,
    SPELLING_WORDS,
)
from .record_terms import program_to_json, title_key
from .storage import (
    CompressedRecordWriter,
    file_fingerprint,
    pack_strings,
    save_npz,
    sorted_keys,
)
from .vector_cache import SHIPPED_VECTORS
from .vectors import RecordVectorBuilder, VectorSettings, empty_vector_arrays


@dataclass(frozen=True)
class BuildSummary:
    """What a build produced, for the final line of ``programfinder index build``."""

    records: int
    terms: int
    seconds: float
    bytes_on_disk: int
    bigrams: bool
    lsa: bool
    meaning: bool = False

    def __str__(self) -> str:
        size = self.bytes_on_disk / 1e6
        return (
            f"{self.records:,} records, {self.terms:,} terms, built in {self.seconds:.1f} s, "
            f"index {size:,.1f} MB"
            + ("" if self.bigrams else " (single words only)")
            + ("" if self.meaning else " (words only: no record vectors)")
        )


Progress = Callable[[int], None]


def build_index_folder(
    records: Iterable[Program],
    folder: Path,
    *,
    expected_records: int | None = None,
    analyzer: Analyzer | None = None,
    synonyms: list[list[str]] | None = None,
    entry_terms: Mapping[str, list[str]] | None = None,
    glossary: Mapping[str, list[str]] | None = None,
    field_weights: Mapping[str, float] | None = None,
    problems: Iterable[Problem] = (),
    corpus_root: Path | None = None,
    key: str = "",
    progress: Progress | None = None,
    workers: int | None = None,
    semantic: bool | None = None,
    vectors: VectorSettings | None = None,
) -> BuildSummary:
    """Index ``records`` (any iterable, read once) into ``folder``, which must exist and be empty.

    ``expected_records`` decides up front whether two-word terms are indexed (see
    ``BIGRAM_MAX_RECORDS``) and whether the analysis is spread over worker processes
    (``workers``, default: the machine's cores for a large corpus); the merge of their results
    happens here, in one place. ``progress`` is called with the number of records done so far.

    ``semantic`` says whether record vectors are computed (``index.vectors``): by default for a
    corpus of up to ``SEMANTIC_MAX_RECORDS`` records; ``vectors`` names the caches of vectors
    computed before and who hears the progress of reading meaning.
    """
    from ..language.text import english_stop_words

    started = time.perf_counter()
    weights = dict(field_weights or FIELD_WEIGHTS)
    for name, weight in weights.items():
        # sublinear tf is 1 + ln(count): a weight below 1/e would give a negative tf.
        if weight < 0.5:
            raise ValueError(f"field weight {name}={weight} must be at least 0.5")
    bigrams = expected_records is None or expected_records <= BIGRAM_MAX_RECORDS
    analyzer = analyzer or Analyzer(
        stop_words=english_stop_words(), ngram_range=(1, 2) if bigrams else (1, 1)
    )
    settings = analyzer.settings()
    vocabulary = Numbering()
    all_columns = Chunks(np.int32)
    all_values = Chunks(np.float32)
    length_parts: list[np.ndarray] = []
    ids: list[str] = []
    title_keys = array("Q")
    years = array("h")
    award_codes = array("h")
    country_codes = array("h")
    tag_codes = array("h")
    evaluation_codes = array("b")  # see filters.evaluation_code
    setting_codes = array("B")  # see filters.setting_bits
    tag_starts = array("q", [0])
    awards: dict[str, int] = {}
    countries: dict[str, int] = {}
    tags: dict[str, int] = {}
    word_totals = WordTotals()
    pair_counts: Counter[str] = Counter()
    done = 0
    if semantic is None:
        semantic = expected_records is None or expected_records <= SEMANTIC_MAX_RECORDS
    vector_settings = vectors or VectorSettings(cache_files=(SHIPPED_VECTORS,))
    meaning = RecordVectorBuilder(vector_settings) if semantic else None

    def merge(batch: Batch) -> None:
        nonlocal done
        to_global = np.fromiter(
            map(vocabulary.__getitem__, batch.terms), dtype=np.int32, count=len(batch.terms)
        )
        all_columns.append(to_global[batch.columns] if len(batch.columns) else batch.columns)
        all_values.append(batch.values)
        length_parts.append(batch.lengths)
        word_totals.add(batch.words)
        pair_counts.update(batch.pairs)
        writer.add_compressed(batch.blocks)
        done += len(batch.lengths)
        if progress is not None:
            progress(done)

    analysis = BatchAnalysis(workers if workers is not None else analysis_workers(expected_records))
    try:
        with CompressedRecordWriter(folder / RECORDS_FILE, RECORDS_PER_BLOCK) as writer:
            for programs in batches_of(records, BATCH_RECORDS):
                lines = []
                for program in programs:
                    record = json.dumps(program_to_json(program), ensure_ascii=False)
                    lines.append(record.encode("utf-8") + b"\n")
                    ids.append(program.id)
                    title_keys.append(title_key(program.title))
                    years.append(program.award_year)
                    award_codes.append(awards.setdefault(program.award, len(awards)))
                    country_codes.append(countries.setdefault(program.country, len(countries)))
                    tag_codes.extend(tags.setdefault(t.casefold(), len(tags)) for t in program.tags)
                    tag_starts.append(len(tag_codes))
                    evaluation_codes.append(evaluation_code(program.evaluation))
                    setting_codes.append(setting_bits(program.setting))
                    if meaning is not None:
                        meaning.add(len(ids) - 1, program)
                for batch in analysis.submit(settings, weights, lines):
                    merge(batch)
            for batch in analysis.finish():
                merge(batch)
            writer.close()
    finally:
        analysis.close()
    n_records = len(ids)
    word_counts = word_totals.counter()
    if progress is not None:
        progress(n_records)
    if n_records == 0:
        raise ValueError("cannot build an index of no records")

    cols = all_columns.join()
    data = all_values.join()
    indptr = np.zeros(n_records + 1, dtype=np.int64)
    np.cumsum(np.concatenate(length_parts), out=indptr[1:])
    length_parts.clear()
    # In a large corpus, a two-word term found in one record only mostly repeats what its two
    # words already say; dropping those keeps the index a fraction of the size. A small,
    # curated corpus keeps them: there they tell similar records apart (measured on eval/).
    min_records = MIN_BIGRAM_RECORDS if n_records > PRUNE_BIGRAMS_ABOVE else 1
    document_frequency = np.bincount(cols, minlength=len(vocabulary))
    kept_terms = [
        term
        for term, column in vocabulary.items()
        if " " not in term or document_frequency[column] >= min_records
    ]
    # Terms in sorted (UTF-8 byte) order, so that a query finds a term by binary search.
    terms = sorted(kept_terms, key=lambda t: t.encode("utf-8"))
    remap = np.full(len(vocabulary), -1, dtype=np.int32)
    for new, term in enumerate(terms):
        remap[vocabulary[term]] = new
    vocabulary.clear()
    del kept_terms
    chunk = 10_000_000
    for start in range(0, len(cols), chunk):
        cols[start : start + chunk] = remap[cols[start : start + chunk]]
    if (cols < 0).any():
        keep = cols >= 0
        kept_before = np.concatenate(([0], np.cumsum(keep, dtype=np.int64)))
        indptr = kept_before[indptr]
        cols, data = cols[keep], data[keep]
        del keep, kept_before
    id_keys = sorted_keys(ids)
    id_rows = np.asarray(sorted(range(n_records), key=lambda i: ids[i].encode("utf-8")))
    ids.clear()
    idf = tfidf_in_place(data, cols, indptr, len(terms), n_records)

    from scipy import sparse

    # 32-bit row starts when they fit: with 64-bit ones scipy widens every column number to 64
    # bits too (and so does the by-term copy), a gigabyte more at a million records.
    small = indptr[-1] < np.iinfo(np.int32).max
    starts = indptr.astype(np.int32) if small else indptr
    doc_lsa, term_lsa = fit_lsa(
        sparse.csr_matrix((data, cols, starts), shape=(n_records, len(terms)))
    )
    # Quantised before the by-term copy is made, so that the copy (and the by-record original
    # it is made from) hold 16-bit values rather than 32-bit ones at the build's peak.
    scale, quantised_by_record = quantise_by_record(data, cols, len(terms))
    del data
    rows_matrix = sparse.csr_matrix(
        (quantised_by_record, cols, starts), shape=(n_records, len(terms))
    )
    del cols, quantised_by_record, starts
    by_term = rows_matrix.tocsc()
    del rows_matrix
    by_term.sort_indices()
    term_ptr = by_term.indptr.astype(np.int64, copy=False)
    quantised = by_term.data
    postings = by_term.indices.astype(np.int32, copy=False)
    del by_term
    block_ptr, block_max = block_maxima(quantised, term_ptr)
    impact_ptr, impact_rows, impact_values = impact_prefixes(quantised, postings, term_ptr)

    vector_arrays = meaning.compute() if meaning is not None else empty_vector_arrays()
    surface = _surfaces(terms, word_counts, pair_counts)
    surface_blob, surface_offsets = pack_strings(surface)
    arrays = {
        "idf": idf,
        "data": quantised,
        "indices": postings,
        "indptr": term_ptr,
        "scale": scale,
        "block_max": block_max,
        "block_ptr": block_ptr,
        "impact_ptr": impact_ptr,
        "impact_rows": impact_rows,
        "impact_values": impact_values,
        "doc_lsa": doc_lsa,
        "term_lsa": term_lsa,
        "term_keys": sorted_keys(terms),
        "surface_blob": surface_blob,
        "surface_offsets": surface_offsets,
        "id_keys": id_keys,
        "id_rows": id_rows.astype(np.int64),
        "record_blocks": np.asarray(writer.block_offsets, dtype=np.int64),
        "title_key": np.frombuffer(title_keys, dtype=np.uint64),
        "award_year": np.frombuffer(years, dtype=np.int16),
        "award_code": np.frombuffer(award_codes, dtype=np.int16),
        "country_code": np.frombuffer(country_codes, dtype=np.int16),
        "tag_codes": np.frombuffer(tag_codes, dtype=np.int16),
        "tag_indptr": np.frombuffer(tag_starts, dtype=np.int64),
        "evaluation_code": np.frombuffer(evaluation_codes, dtype=np.int8),
        "setting_bits": np.frombuffer(setting_codes, dtype=np.uint8),
        **vector_arrays,
    }
    save_npz(folder / ARRAYS_FILE, arrays)
    kept_problems = list(problems)
    spelling = [w for w, _ in word_counts.most_common(SPELLING_WORDS) if w.isalpha() or "-" in w]
    meta = {
        "format_version": FORMAT_VERSION,
        "key": key,
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "records": n_records,
        "records_per_block": RECORDS_PER_BLOCK,
        "meaning": meaning.describe() if meaning is not None else None,
        "terms": len(terms),
        "arrays_bytes": (folder / ARRAYS_FILE).stat().st_size,
        "arrays_checksum": file_fingerprint(folder / ARRAYS_FILE),
        "records_bytes": (folder / RECORDS_FILE).stat().st_size,
        "analyzer": settings,
        "field_weights": weights,
        "corpus_root": str(corpus_root) if corpus_root else None,
        "synonyms": list(synonyms or []),
        "entry_terms": analyze_entry_terms(entry_terms or {}, analyzer),
        "glossary": analyze_glossary(glossary or {}, analyzer),
        "spelling_words": spelling,
        # every corpus word is a spelling candidate, so a word that is none is not in the corpus
        "spelling_complete": len(word_counts) <= SPELLING_WORDS,
        "awards": list(awards),
        "countries": list(countries),
        "tags": list(tags),
        "problems": [p.to_json() for p in kept_problems[:MAX_STORED_PROBLEMS]],
        "problems_total": len(kept_problems),
    }
    with (folder / META_FILE).open("w", encoding="utf-8") as handle:
        json.dump(meta, handle, ensure_ascii=False)
    size = sum(p.stat().st_size for p in folder.iterdir())
    return BuildSummary(
        records=n_records,
        terms=len(terms),
        seconds=time.perf_counter() - started,
        bytes_on_disk=size,
        bigrams=analyzer.ngram_range[1] >= 2,
        lsa=doc_lsa.size > 0,
        meaning=meaning is not None,
    )


def _surfaces(terms: list[str], words: Counter[str], pairs: Counter[str]) -> list[str]:
    """For each term, the most frequent original words that produced it (stems read badly)."""
    best_word: dict[str, tuple[int, str]] = {}
    for (word, count), key in zip(words.items(), stem_many(words), strict=True):
        if key not in best_word or (count, -len(word)) > (
            best_word[key][0],
            -len(best_word[key][1]),
        ):
            best_word[key] = (count, word)
    best_pair: dict[str, tuple[int, str]] = {}
    for pair, count in pairs.items():
        first, second = pair.split(" ", 1)
        key = f"{stem(first)} {stem(second)}"
        if key not in best_pair or count > best_pair[key][0]:
            best_pair[key] = (count, pair)
    result = []
    for term in terms:
        if term in best_pair:
            result.append(best_pair[term][1])
        elif " " in term:
            result.append(" ".join(best_word.get(p, (0, p))[1] for p in term.split(" ")))
        else:
            result.append(best_word.get(term, (0, term))[1])
    return result
