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

import itertools
import json
import os
import signal
import time
import zlib
from array import array
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from itertools import compress
from pathlib import Path
from typing import Any

import numpy as np

from ..language.entry_terms import analyze_entry_terms
from ..language.glossary import analyze_glossary
from ..language.text import Analyzer, normalize, stem, stem_many, tokenize
from ..records.corpus import Problem
from ..records.filters import evaluation_code, setting_bits
from ..records.program import Program
from .storage import (
    CompressedRecordWriter,
    compress_block,
    file_fingerprint,
    pack_strings,
    save_npz,
    sorted_keys,
)

FORMAT_VERSION = 13
ARRAYS_FILE = "index.npz"
RECORDS_FILE = "records.zlib"
META_FILE = "index.json"
# Records are stored compressed, this many to a block: reading one inflates a few kilobytes.
RECORDS_PER_BLOCK = 16
# Postings per block whose largest value is stored, so that a query skips whole blocks.
BLOCK = 128
# Stored values are 16-bit fractions of their term's largest value.
QUANT_LEVELS = 65535
# A term found in at least IMPACT_MIN records also keeps its IMPACT_DEPTH best postings, best
# first: a query of common words reads these few and stops once nothing unread can reach its
# top k (the threshold algorithm), instead of reading lists that span most records.
IMPACT_MIN = 2_048
IMPACT_DEPTH = 4_096
# The analysis is spread over worker processes from this many records on (they take a moment
# to start), in batches of this many records (a multiple of RECORDS_PER_BLOCK).
PARALLEL_MIN_RECORDS = 20_000
MAX_WORKERS = 8
BATCH_RECORDS = 8_192
# How much a term found in each part of a record counts, relative to the description.
FIELD_WEIGHTS: dict[str, float] = {
    "title": 3.0,
    "tags": 3.0,
    "body": 1.0,
    "who": 1.0,
    "outcomes": 1.0,
    "award": 0.5,
}
# Two-word terms multiply the vocabulary many times over; above this many records only single
# words are indexed (quoted phrases are still checked against the text).
BIGRAM_MAX_RECORDS = 50_000
# Latent semantic analysis for "similar programs": dimensions, and the largest corpus it is
# built for (its term matrix is dense).
LSA_COMPONENTS = 40
LSA_MAX_RECORDS = 50_000
# Two-word terms found in fewer records than this are not kept (see build_index_folder).
MIN_BIGRAM_RECORDS = 2
PRUNE_BIGRAMS_ABOVE = 5_000  # records
SPELLING_WORDS = 100_000  # most frequent words kept as spelling-correction candidates
MAX_STORED_PROBLEMS = 1_000


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


@dataclass(frozen=True)
class BuildSummary:
    """What a build produced, for the final line of ``programfinder index build``."""

    records: int
    terms: int
    seconds: float
    bytes_on_disk: int
    bigrams: bool
    lsa: bool

    def __str__(self) -> str:
        size = self.bytes_on_disk / 1e6
        return (
            f"{self.records:,} records, {self.terms:,} terms, built in {self.seconds:.1f} s, "
            f"index {size:,.1f} MB" + ("" if self.bigrams else " (single words only)")
        )


Progress = Callable[[int], None]


@dataclass
class _Batch:
    """What the analysis of a batch of records gives back to the one process that merges."""

    terms: list[str]  # the batch's own vocabulary, in first-seen order
    columns: np.ndarray  # int32 positions in ``terms``, record after record
    values: np.ndarray  # float32 field-weighted counts
    lengths: np.ndarray  # int32 terms per record
    words: dict[str, int]  # words before stemming, for spelling and surface forms
    pairs: dict[str, int]  # word pairs of titles and tags (when two-word terms are indexed)
    blocks: list[bytes]  # the records, compressed in blocks of RECORDS_PER_BLOCK


_WORKER_ANALYZER: dict[str, Analyzer] = {}


def _analyse_batch(
    settings: dict[str, Any], weights: Mapping[str, float], lines: list[bytes]
) -> _Batch:
    """Analyse the text of a batch of records, given as the JSON lines the index stores (in a
    worker process, or inline when small): the text crosses to a worker once, and the record
    is read back from it as a search will read it."""
    segments = [record_segments(Program.from_dict(json.loads(line))) for line in lines]
    key = json.dumps(settings, sort_keys=True)
    analyzer = _WORKER_ANALYZER.get(key)
    if analyzer is None:
        analyzer = _WORKER_ANALYZER.setdefault(key, Analyzer.from_settings(settings))
    blocks = [
        compress_block(lines[i : i + RECORDS_PER_BLOCK])
        for i in range(0, len(lines), RECORDS_PER_BLOCK)
    ]
    if analyzer.ngram_range == (1, 1):
        return _unigram_batch(segments, analyzer, weights, blocks)
    local: dict[str, int] = {}
    columns = array("i")
    values = array("f")
    lengths = array("i")
    words: Counter[str] = Counter()
    pairs: Counter[str] = Counter()
    for parts in segments:
        counts = segment_term_counts(parts, analyzer, weights, words, pairs)
        columns.extend([local.setdefault(term, len(local)) for term in counts])
        values.extend(counts.values())
        lengths.append(len(counts))
    return _Batch(
        list(local),
        np.frombuffer(columns, dtype=np.int32),
        np.frombuffer(values, dtype=np.float32),
        np.frombuffer(lengths, dtype=np.int32),
        dict(words),
        dict(pairs),
        blocks,
    )


class _Numbering(dict[str, int]):
    """Numbers keys in the order they are first looked up."""

    def __missing__(self, key: str) -> int:
        number = self[key] = len(self)
        return number


class _WordTotals:
    """Word counts summed over batches with numpy (a Counter adds them one word at a time)."""

    def __init__(self) -> None:
        self.numbers = _Numbering()
        self.totals = np.zeros(1 << 16, dtype=np.int64)

    def add(self, counts: Mapping[str, int]) -> None:
        numbers = np.fromiter(map(self.numbers.__getitem__, counts), np.int64, len(counts))
        if len(self.numbers) > len(self.totals):
            grown = np.zeros(max(2 * len(self.totals), len(self.numbers)), dtype=np.int64)
            grown[: len(self.totals)] = self.totals
            self.totals = grown
        self.totals[numbers] += np.fromiter(counts.values(), np.int64, len(counts))

    def counter(self) -> Counter[str]:
        return Counter(dict(zip(self.numbers, self.totals.tolist(), strict=False)))


def _unigram_batch(
    segments: list[dict[str, list[str]]],
    analyzer: Analyzer,
    weights: Mapping[str, float],
    blocks: list[bytes],
) -> _Batch:
    """``segment_term_counts`` of a whole batch when no term spans two words (large corpora):
    each record's words are only counted; stop words, stems and compound parts are worked out
    once per distinct word of the batch, and the field-weighted sums are done by numpy."""
    batch_tokens: list[str] = []
    token_counts: list[int] = []
    group_sizes = array("i")
    group_weights = array("d")
    group_records = array("i")
    for record, parts in enumerate(segments):
        grouped: dict[float, list[str]] = {}
        for name, texts in parts.items():
            grouped.setdefault(weights[name], []).extend(texts)
        for weight, texts in grouped.items():
            counted = Counter(tokenize(normalize("\n".join(texts))))
            batch_tokens.extend(counted)
            token_counts.extend(counted.values())
            group_sizes.append(len(counted))
            group_weights.append(weight)
            group_records.append(record)
    distinct = list(dict.fromkeys(batch_tokens))
    tokens = {word: number for number, word in enumerate(distinct)}
    token_numbers = list(map(tokens.__getitem__, batch_tokens))
    del batch_tokens
    # what each distinct word of the batch stands for: one term (its stem), none (a stop
    # word), and the parts of a hyphenated compound as extra terms
    stop = analyzer.stop_words
    is_content = [word not in stop for word in distinct]
    content = list(compress(distinct, is_content))
    stems = stem_many(content)
    terms = _Numbering(zip(dict.fromkeys(stems), itertools.count()))
    first_term = np.full(len(tokens), -1, dtype=np.int64)
    first_term[np.flatnonzero(is_content)] = np.fromiter(
        map(terms.__getitem__, stems), dtype=np.int64, count=len(stems)
    )
    extra_terms: dict[int, list[int]] = {}
    if analyzer.split_compounds:
        for word in (w for w in content if "-" in w):
            extra_terms[tokens[word]] = [
                terms[stem(part)]
                for part in word.split("-")
                if part and part not in stop and len(part) > 1
            ]
    numbers = np.array(token_numbers, dtype=np.int32)
    counts = np.array(token_counts, dtype=np.int32)
    sizes = np.frombuffer(group_sizes, dtype=np.int32)
    records = np.repeat(np.frombuffer(group_records, dtype=np.int32), sizes).astype(np.int64)
    weighted = np.repeat(np.frombuffer(group_weights, dtype=np.float64), sizes) * counts
    term_of = first_term[numbers]
    kept = term_of >= 0
    record_parts, term_parts, value_parts = [records[kept]], [term_of[kept]], [weighted[kept]]
    if extra_terms:
        compound = np.flatnonzero(np.isin(numbers, np.fromiter(extra_terms, dtype=np.int32)))
        for at in compound:
            for term in extra_terms[int(numbers[at])]:
                record_parts.append(records[at : at + 1])
                term_parts.append(np.array([term], dtype=np.int64))
                value_parts.append(weighted[at : at + 1])
    keys = np.concatenate(record_parts) * max(len(terms), 1) + np.concatenate(term_parts)
    values = np.concatenate(value_parts)
    order = np.argsort(keys, kind="stable")
    keys, values = keys[order], values[order]
    starts = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1]))) if len(keys) else keys
    sums = np.add.reduceat(values, starts) if len(keys) else values
    unique = keys[starts]
    words_count = np.bincount(numbers, weights=counts, minlength=len(tokens))
    words = dict(
        zip(content, compress(words_count.astype(np.int64).tolist(), is_content), strict=True)
    )
    return _Batch(
        list(terms),
        (unique % max(len(terms), 1)).astype(np.int32),
        sums.astype(np.float32),
        np.bincount(unique // max(len(terms), 1), minlength=len(segments)).astype(np.int32),
        words,
        {},
        blocks,
    )


def _ignore_interrupts() -> None:
    # Ctrl-C goes to the whole process group; the parent alone handles it (and ends the pool).
    signal.signal(signal.SIGINT, signal.SIG_IGN)


class _Analysis:
    """Runs ``_analyse_batch`` inline, or over a pool of worker processes (results in order)."""

    def __init__(self, workers: int) -> None:
        self._pool: Any = None
        if workers > 1:
            import multiprocessing

            # fork where there is one: a spawned worker re-imports the caller's __main__, which
            # breaks scripts without a main guard and code read from standard input
            methods = multiprocessing.get_all_start_methods()
            context = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
            self._pool = context.Pool(workers, initializer=_ignore_interrupts)
        self._pending: deque[Any] = deque()
        self._depth = 2 * max(workers, 1)

    def submit(self, *args: Any) -> Iterator[_Batch]:
        """Queue one batch; yields the results that are ready to merge, oldest first."""
        if self._pool is None:
            yield _analyse_batch(*args)
            return
        self._pending.append(self._pool.apply_async(_analyse_batch, args))
        while len(self._pending) >= self._depth:
            yield self._pending.popleft().get()

    def finish(self) -> Iterator[_Batch]:
        while self._pending:
            yield self._pending.popleft().get()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.terminate()
            self._pool.join()
            self._pool = None


def analysis_workers(expected_records: int | None) -> int:
    """Worker processes for the analysis: the machine's cores for a large corpus, else none."""
    if expected_records is None or expected_records < PARALLEL_MIN_RECORDS:
        return 1
    return max(1, min(os.cpu_count() or 1, MAX_WORKERS))


def _batches(records: Iterable[Program], size: int) -> Iterator[list[Program]]:
    batch: list[Program] = []
    for program in records:
        batch.append(program)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


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
) -> BuildSummary:
    """Index ``records`` (any iterable, read once) into ``folder``, which must exist and be empty.

    ``expected_records`` decides up front whether two-word terms are indexed (see
    ``BIGRAM_MAX_RECORDS``) and whether the analysis is spread over worker processes
    (``workers``, default: the machine's cores for a large corpus); the merge of their results
    happens here, in one place. ``progress`` is called with the number of records done so far.
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
    vocabulary = _Numbering()
    all_columns = _Chunks(np.int32)
    all_values = _Chunks(np.float32)
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
    word_totals = _WordTotals()
    pair_counts: Counter[str] = Counter()
    done = 0

    def merge(batch: _Batch) -> None:
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

    analysis = _Analysis(workers if workers is not None else analysis_workers(expected_records))
    try:
        with CompressedRecordWriter(folder / RECORDS_FILE, RECORDS_PER_BLOCK) as writer:
            for programs in _batches(records, BATCH_RECORDS):
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
    idf = _tfidf_in_place(data, cols, indptr, len(terms), n_records)

    from scipy import sparse

    # 32-bit row starts when they fit: with 64-bit ones scipy widens every column number to 64
    # bits too (and so does the by-term copy), a gigabyte more at a million records.
    small = indptr[-1] < np.iinfo(np.int32).max
    starts = indptr.astype(np.int32) if small else indptr
    doc_lsa, term_lsa = _fit_lsa(
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
    )


class _Chunks:
    """A growing array kept in large chunks: the batches' small arrays are copied in and freed
    at once, so their memory is reused by the next batch instead of piling up (small freed
    blocks stay in the process's heap; chunks of 64 MB and more go back to the system)."""

    def __init__(self, dtype: type[np.generic], first: int = 1 << 20, largest: int = 1 << 24):
        self.dtype = dtype
        self.full: list[np.ndarray] = []
        self.current = np.empty(first, dtype=dtype)
        self.used = 0
        self.largest = largest

    def append(self, values: np.ndarray) -> None:
        start = 0
        while start < len(values):
            if self.used == len(self.current):
                self.full.append(self.current)
                size = min(2 * len(self.current), self.largest)
                self.current = np.empty(size, dtype=self.dtype)
                self.used = 0
            step = min(len(values) - start, len(self.current) - self.used)
            self.current[self.used : self.used + step] = values[start : start + step]
            self.used += step
            start += step

    def join(self) -> np.ndarray:
        """Everything appended, as one array; each chunk is freed as soon as it is copied (the
        whole and every chunk at once would hold the matrix twice)."""
        parts = [*self.full, self.current[: self.used]]
        self.full, self.current, self.used = [], np.empty(0, dtype=self.dtype), 0
        joined = np.empty(sum(len(p) for p in parts), dtype=self.dtype)
        start = 0
        parts.reverse()
        while parts:
            part = parts.pop()
            joined[start : start + len(part)] = part
            start += len(part)
        return joined


def quantise_by_record(
    data: np.ndarray, columns: np.ndarray, n_terms: int
) -> tuple[np.ndarray, np.ndarray]:
    """Each term's largest value (``scale``) and every value as a 16-bit fraction of its term's.

    A stored value ``q`` stands for ``q * scale / QUANT_LEVELS``: within 1/131,070 of the
    term's largest value, and never 0 for a present term. ``data`` and ``columns`` are the
    matrix's values and term numbers in any order (here, by record).
    """
    scale = np.zeros(n_terms, dtype=np.float32)
    np.maximum.at(scale, columns, data)
    factors = (QUANT_LEVELS / np.maximum(scale, 1e-30)).astype(np.float32)
    quantised = np.empty(len(data), dtype=np.uint16)
    chunk = 10_000_000
    for start in range(0, len(data), chunk):
        end = start + chunk
        levels = np.rint(data[start:end] * factors[columns[start:end]])
        quantised[start:end] = np.clip(levels, 1, QUANT_LEVELS)
    return scale, quantised


def block_maxima(quantised: np.ndarray, indptr: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Blocks of BLOCK postings per term: where each term's blocks start, and their maxima."""
    lengths = np.diff(indptr)
    blocks = (lengths + BLOCK - 1) // BLOCK
    block_ptr = np.zeros(len(lengths) + 1, dtype=np.int64)
    np.cumsum(blocks, out=block_ptr[1:])
    within = np.arange(block_ptr[-1], dtype=np.int64) - np.repeat(block_ptr[:-1], blocks)
    starts = np.repeat(indptr[:-1], blocks) + BLOCK * within
    if not len(starts):
        return block_ptr, np.zeros(0, dtype=np.uint16)
    return block_ptr, np.maximum.reduceat(quantised, starts).astype(np.uint16)


def impact_prefixes(
    quantised: np.ndarray, postings: np.ndarray, indptr: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For each term found in at least IMPACT_MIN records, its IMPACT_DEPTH best postings (all
    of them for a shorter list) ordered by value, best first, ties by record number: where each
    term's prefix starts, the record numbers and the values. Every posting left out of a prefix
    is worth at most the prefix's last value."""
    lengths = np.diff(indptr)
    depths = np.where(lengths >= IMPACT_MIN, np.minimum(lengths, IMPACT_DEPTH), 0)
    impact_ptr = np.zeros(len(lengths) + 1, dtype=np.int64)
    np.cumsum(depths, out=impact_ptr[1:])
    rows = np.empty(int(impact_ptr[-1]), dtype=np.int32)
    values = np.empty(int(impact_ptr[-1]), dtype=np.uint16)
    for term in np.flatnonzero(depths):
        start, end, depth = int(indptr[term]), int(indptr[term + 1]), int(depths[term])
        listed = quantised[start:end].astype(np.int32)
        best = np.arange(end - start)
        if depth < end - start:
            best = np.argpartition(-listed, depth - 1)[:depth]
        best = best[np.lexsort((best, -listed[best]))]
        first = int(impact_ptr[term])
        rows[first : first + depth] = postings[start + best]
        values[first : first + depth] = listed[best]
    return impact_ptr, rows, values


def record_vector(
    program: Program,
    analyzer: Analyzer,
    weights: Mapping[str, float],
    lookup: Callable[[list[str]], np.ndarray],
    idf: np.ndarray,
) -> dict[int, float]:
    """A record's L2-normalised TF-IDF vector computed from its text, exactly as the build does
    (before quantisation): column -> weight. ``lookup`` gives the columns of terms (-1: none)."""
    counts = weighted_term_counts(program, analyzer, weights)
    terms = list(counts)
    columns = lookup(terms)
    present = columns >= 0
    if not present.any():
        return {}
    values = np.fromiter(counts.values(), dtype=np.float32, count=len(terms))[present]
    kept = columns[present]
    np.log(values, out=values)
    values += 1.0
    values *= idf[kept]
    norm = np.sqrt(np.square(values, dtype=np.float64).sum())
    values /= np.float32(norm)
    return {int(c): float(v) for c, v in zip(kept, values, strict=True)}


def _tfidf_in_place(
    data: np.ndarray, columns: np.ndarray, indptr: np.ndarray, n_terms: int, n_records: int
) -> np.ndarray:
    """Turn weighted counts into L2-normalised sublinear TF-IDF (scikit-learn's formula)."""
    np.log(data, out=data)
    data += 1.0
    df = np.bincount(columns, minlength=n_terms)
    idf: np.ndarray = (np.log((1.0 + n_records) / (1.0 + df)) + 1.0).astype(np.float32)
    chunk = 10_000_000
    for start in range(0, len(data), chunk):
        data[start : start + chunk] *= idf[columns[start : start + chunk]]
    lengths = np.diff(indptr)
    rows_per_chunk = 100_000
    for first in range(0, len(lengths), rows_per_chunk):
        last = min(first + rows_per_chunk, len(lengths))
        start, end = indptr[first], indptr[last]
        squares = np.square(data[start:end], dtype=np.float64)
        part = lengths[first:last]
        sums = np.zeros(last - first)
        filled = part > 0
        if filled.any():
            sums[filled] = np.add.reduceat(squares, (indptr[first:last] - start)[filled])
        norms = np.sqrt(np.where(filled, sums, 1.0))
        data[start:end] /= np.repeat(norms, part).astype(np.float32)
    return idf


def _fit_lsa(matrix: Any) -> tuple[np.ndarray, np.ndarray]:
    """Document and term coordinates of a truncated SVD of ``matrix`` (empty if too small/large)."""
    n_docs, n_terms = matrix.shape
    components = min(LSA_COMPONENTS, n_docs - 1, n_terms - 1)
    if components < 2 or n_docs > LSA_MAX_RECORDS:
        return np.zeros((0, 0), dtype=np.float32), np.zeros((0, 0), dtype=np.float32)
    from sklearn.decomposition import TruncatedSVD

    svd = TruncatedSVD(n_components=components, algorithm="arpack", random_state=0)
    docs = svd.fit_transform(matrix)
    norms = np.linalg.norm(docs, axis=1, keepdims=True)
    docs = docs / np.where(norms > 0, norms, 1.0)
    return docs.astype(np.float32), np.ascontiguousarray(svd.components_.T, dtype=np.float32)


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
