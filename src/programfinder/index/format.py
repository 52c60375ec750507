"""What an index folder holds and the settings it is built with: the numbers that the builder
writes and the reader checks, kept in one place."""

from __future__ import annotations

FORMAT_VERSION = 14
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
# Above this many records, record vectors (reading each record's meaning with the model, about
# 0.1 s a record on 2 cores) are computed only when asked: `programfinder index build --semantic`.
SEMANTIC_MAX_RECORDS = 20_000
