"""Building an index folder from a stream of records, in one pass and bounded memory.

Each record's fields are analysed and counted with their weights; the counts go into compact
arrays (not Python objects), the record itself into ``records.jsonl``. At the end the counts are
turned into L2-normalised sublinear TF-IDF, exactly as scikit-learn's ``TfidfTransformer
(sublinear_tf=True, smooth_idf=True, norm="l2")`` computes it (a test holds the two equal), and
saved as CSR and CSC arrays with a sorted term table.
"""

from __future__ import annotations

import itertools
import json
import time
import zlib
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .corpus import EVALUATION_VALUES, SETTING_VALUES, Problem
from .entry_terms import analyze_entry_terms
from .glossary import analyze_glossary
from .model import Program
from .storage import file_fingerprint, pack_strings, save_npz, sorted_keys
from .text import Analyzer, normalize, stem, tokenize

FORMAT_VERSION = 11
ARRAYS_FILE = "index.npz"
RECORDS_FILE = "records.jsonl"
META_FILE = "index.json"
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
    segments = record_segments(program)
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
) -> BuildSummary:
    """Index ``records`` (any iterable, read once) into ``folder``, which must exist and be empty.

    ``expected_records`` decides up front whether two-word terms are indexed (see
    ``BIGRAM_MAX_RECORDS``); ``progress`` is called with the number of records done so far.
    """
    from .text import english_stop_words

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
    vocabulary: dict[str, int] = {}
    columns = array("i")
    values = array("f")
    row_starts = array("q", [0])
    record_offsets = array("q", [0])
    ids: list[str] = []
    title_keys = array("Q")
    years = array("h")
    award_codes = array("h")
    country_codes = array("h")
    tag_codes = array("h")
    evaluation_codes = array("b")  # index in EVALUATION_VALUES, -1 when not stated
    setting_bits = array("B")  # bit i set: SETTING_VALUES[i]
    tag_starts = array("q", [0])
    awards: dict[str, int] = {}
    countries: dict[str, int] = {}
    tags: dict[str, int] = {}
    word_counts: Counter[str] = Counter()
    pair_counts: Counter[str] = Counter()
    with (folder / RECORDS_FILE).open("wb") as out:
        for done, program in enumerate(records, start=1):
            counts = weighted_term_counts(program, analyzer, weights, word_counts, pair_counts)
            columns.extend([vocabulary.setdefault(term, len(vocabulary)) for term in counts])
            values.extend(counts.values())
            row_starts.append(len(columns))
            line = json.dumps(program_to_json(program), ensure_ascii=False).encode("utf-8") + b"\n"
            out.write(line)
            record_offsets.append(record_offsets[-1] + len(line))
            ids.append(program.id)
            title_keys.append(title_key(program.title))
            years.append(program.award_year)
            award_codes.append(awards.setdefault(program.award, len(awards)))
            country_codes.append(countries.setdefault(program.country, len(countries)))
            tag_codes.extend(tags.setdefault(t.casefold(), len(tags)) for t in program.tags)
            tag_starts.append(len(tag_codes))
            evaluation_codes.append(
                EVALUATION_VALUES.index(program.evaluation)
                if program.evaluation in EVALUATION_VALUES
                else -1
            )
            setting_bits.append(
                sum(
                    1 << SETTING_VALUES.index(s)
                    for s in set(program.setting)
                    if s in SETTING_VALUES
                )
            )
            if progress is not None and done % 1000 == 0:
                progress(done)
    n_records = len(ids)
    if progress is not None:
        progress(n_records)
    if n_records == 0:
        raise ValueError("cannot build an index of no records")

    cols = np.frombuffer(columns, dtype=np.int32)
    data = np.frombuffer(values, dtype=np.float32).copy()
    indptr = np.frombuffer(row_starts, dtype=np.int64).copy()
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
    del vocabulary, kept_terms
    chunk = 10_000_000
    mapped = np.empty_like(cols)
    for start in range(0, len(cols), chunk):
        mapped[start : start + chunk] = remap[cols[start : start + chunk]]
    del cols, columns
    if (mapped < 0).any():
        keep = mapped >= 0
        kept_before = np.concatenate(([0], np.cumsum(keep, dtype=np.int64)))
        indptr = kept_before[indptr]
        mapped, data = mapped[keep], data[keep]
        del keep, kept_before
    idf = _tfidf_in_place(data, mapped, indptr, len(terms), n_records)

    from scipy import sparse

    rows_matrix = sparse.csr_matrix((data, mapped, indptr), shape=(n_records, len(terms)))
    rows_matrix.sort_indices()
    by_term = rows_matrix.tocsc()
    by_term.sort_indices()
    doc_lsa, term_lsa = _fit_lsa(rows_matrix)

    surface = _surfaces(terms, word_counts, pair_counts)
    surface_blob, surface_offsets = pack_strings(surface)
    id_order = sorted(range(n_records), key=lambda i: ids[i].encode("utf-8"))
    arrays = {
        "idf": idf,
        "data": by_term.data.astype(np.float32, copy=False),
        "indices": by_term.indices.astype(np.int32, copy=False),
        "indptr": by_term.indptr.astype(np.int64, copy=False),
        "row_data": rows_matrix.data.astype(np.float32, copy=False),
        "row_indices": rows_matrix.indices.astype(np.int32, copy=False),
        "row_indptr": rows_matrix.indptr.astype(np.int64, copy=False),
        "doc_lsa": doc_lsa,
        "term_lsa": term_lsa,
        "term_keys": sorted_keys(terms),
        "surface_blob": surface_blob,
        "surface_offsets": surface_offsets,
        "id_keys": sorted_keys(ids),
        "id_rows": np.asarray(id_order, dtype=np.int64),
        "record_offsets": np.frombuffer(record_offsets, dtype=np.int64),
        "title_key": np.frombuffer(title_keys, dtype=np.uint64),
        "award_year": np.frombuffer(years, dtype=np.int16),
        "award_code": np.frombuffer(award_codes, dtype=np.int16),
        "country_code": np.frombuffer(country_codes, dtype=np.int16),
        "tag_codes": np.frombuffer(tag_codes, dtype=np.int16),
        "tag_indptr": np.frombuffer(tag_starts, dtype=np.int64),
        "evaluation_code": np.frombuffer(evaluation_codes, dtype=np.int8),
        "setting_bits": np.frombuffer(setting_bits, dtype=np.uint8),
    }
    save_npz(folder / ARRAYS_FILE, arrays)
    kept_problems = list(problems)
    spelling = [w for w, _ in word_counts.most_common(SPELLING_WORDS) if w.isalpha() or "-" in w]
    meta = {
        "format_version": FORMAT_VERSION,
        "key": key,
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "records": n_records,
        "terms": len(terms),
        "arrays_bytes": (folder / ARRAYS_FILE).stat().st_size,
        "arrays_checksum": file_fingerprint(folder / ARRAYS_FILE),
        "records_bytes": (folder / RECORDS_FILE).stat().st_size,
        "analyzer": analyzer.settings(),
        "field_weights": weights,
        "corpus_root": str(corpus_root) if corpus_root else None,
        "synonyms": list(synonyms or []),
        "entry_terms": analyze_entry_terms(entry_terms or {}, analyzer),
        "glossary": analyze_glossary(glossary or {}, analyzer),
        "spelling_words": spelling,
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
    squares = np.square(data, dtype=np.float64)
    lengths = np.diff(indptr)
    sums = np.add.reduceat(squares, indptr[:-1]) if len(squares) else np.zeros(len(lengths))
    norms = np.sqrt(np.where(lengths > 0, sums, 1.0))
    del squares
    rows_per_chunk = 100_000
    for first in range(0, len(lengths), rows_per_chunk):
        last = min(first + rows_per_chunk, len(lengths))
        start, end = indptr[first], indptr[last]
        data[start:end] /= np.repeat(norms[first:last], lengths[first:last]).astype(np.float32)
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
    for word, count in words.items():
        key = stem(word)
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
