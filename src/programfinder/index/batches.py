"""Analysing records batch by batch, inline or in worker processes: each batch comes back as
compact arrays of term numbers and counts for the one process that merges them."""

from __future__ import annotations

import itertools
import json
import os
import signal
from array import array
from collections import Counter, deque
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from itertools import compress
from typing import Any

import numpy as np

from ..language.text import Analyzer, normalize, stem, stem_many, tokenize
from ..records.program import Program
from .format import MAX_WORKERS, PARALLEL_MIN_RECORDS, RECORDS_PER_BLOCK
from .record_terms import record_segments, segment_term_counts
from .storage import (
    compress_block,
)


@dataclass
class Batch:
    """What the analysis of a batch of records gives back to the one process that merges."""

    terms: list[str]  # the batch's own vocabulary, in first-seen order
    columns: np.ndarray  # int32 positions in ``terms``, record after record
    values: np.ndarray  # float32 field-weighted counts
    lengths: np.ndarray  # int32 terms per record
    words: dict[str, int]  # words before stemming, for spelling and surface forms
    pairs: dict[str, int]  # word pairs of titles and tags (when two-word terms are indexed)
    blocks: list[bytes]  # the records, compressed in blocks of RECORDS_PER_BLOCK


_WORKER_ANALYZER: dict[str, Analyzer] = {}


def analyse_batch(
    settings: dict[str, Any], weights: Mapping[str, float], lines: list[bytes]
) -> Batch:
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
        return unigram_batch(segments, analyzer, weights, blocks)
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
    return Batch(
        list(local),
        np.frombuffer(columns, dtype=np.int32),
        np.frombuffer(values, dtype=np.float32),
        np.frombuffer(lengths, dtype=np.int32),
        dict(words),
        dict(pairs),
        blocks,
    )


class Numbering(dict[str, int]):
    """Numbers keys in the order they are first looked up."""

    def __missing__(self, key: str) -> int:
        number = self[key] = len(self)
        return number


class WordTotals:
    """Word counts summed over batches with numpy (a Counter adds them one word at a time)."""

    def __init__(self) -> None:
        self.numbers = Numbering()
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


def unigram_batch(
    segments: list[dict[str, list[str]]],
    analyzer: Analyzer,
    weights: Mapping[str, float],
    blocks: list[bytes],
) -> Batch:
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
    terms = Numbering(zip(dict.fromkeys(stems), itertools.count()))
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
    return Batch(
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


class BatchAnalysis:
    """Runs ``analyse_batch`` inline, or over a pool of worker processes (results in order)."""

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

    def submit(self, *args: Any) -> Iterator[Batch]:
        """Queue one batch; yields the results that are ready to merge, oldest first."""
        if self._pool is None:
            yield analyse_batch(*args)
            return
        self._pending.append(self._pool.apply_async(analyse_batch, args))
        while len(self._pending) >= self._depth:
            yield self._pending.popleft().get()

    def finish(self) -> Iterator[Batch]:
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


def batches_of(records: Iterable[Program], size: int) -> Iterator[list[Program]]:
    batch: list[Program] = []
    for program in records:
        batch.append(program)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
