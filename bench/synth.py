"""Deterministic synthetic corpora for benchmarks: JSON Lines records with the corpus fields.

Words are pseudo-words drawn from a Zipf distribution (exponent 1.07) over a vocabulary that
grows with the corpus as Heaps' law says a real one does (40 * tokens ** 0.5 words), so that a
bigger corpus also has a bigger, longer-tailed vocabulary. Each record has a 5-10 word title,
1-3 problem and 1-3 tactic tags, an agency, a country, an award and year, and a 100-300 word
body. Queries are 1-4 words whose ranks are drawn log-uniformly over the WHOLE vocabulary (each
order of magnitude of frequency equally likely: the most common words are in about a third of the
queries, and the rarest ranks are not always in the corpus, as real queries are); the queries
holding one of the 100 most frequent words are listed separately (``common``). Drafts are 200
words drawn like a record's text.

    python bench/synth.py --records 10000 --seed 1 --out /tmp/bench/corpus-10k.jsonl
    python bench/synth.py --records 10000 --seed 1 --out /tmp/bench/corpus-10k.jsonl --queries-only
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import numpy as np

SYLLABLES = [
    "ka", "lo", "mi", "nu", "pe", "ra", "si", "to", "vu", "ze",
    "bar", "cor", "den", "fal", "gon", "hul", "jin", "kes", "lum", "mor",
]  # fmt: skip
COUNTRIES = ["United States", "United Kingdom", "Australia", "Canada", "Germany", "Sweden",
             "Netherlands", "France", "Mexico", "Denmark", "Finland", "Spain"]  # fmt: skip
AWARDS = ["IACP Leadership in Crime Prevention Award", "IACP Community Policing Award",
          "Herman Goldstein Award for Excellence in Problem-Oriented Policing", "Tilley Award",
          "European Crime Prevention Award", "Australian Crime and Violence Prevention Awards"]  # fmt: skip
PROBLEMS = ["burglary", "robbery", "domestic violence", "gun violence", "youth crime",
            "vehicle crime", "drug markets", "antisocial behavior", "fraud", "sexual violence"]  # fmt: skip
TACTICS = ["crime analysis", "community engagement", "environmental design", "patrols",
           "multi-agency partnership", "education", "target hardening", "outreach"]  # fmt: skip
ZIPF_EXPONENT = 1.07


def pseudo_word(rank: int) -> str:
    """A pronounceable word for a rank, unique per rank."""
    parts = []
    value = rank + 1
    while value:
        value, digit = divmod(value, len(SYLLABLES))
        parts.append(SYLLABLES[digit])
    return "".join(parts)


class WordSource:
    """Zipf-distributed pseudo-words over a vocabulary sized for ``total_tokens``."""

    def __init__(self, total_tokens: int, rng: np.random.Generator) -> None:
        self.size = int(40 * total_tokens**0.5)
        weights = 1.0 / np.arange(1, self.size + 1) ** ZIPF_EXPONENT
        self.cumulative = np.cumsum(weights / weights.sum())
        self.rng = rng
        self.words = [pseudo_word(r) for r in range(self.size)]

    def ranks(self, count: int) -> np.ndarray:
        return np.minimum(np.searchsorted(self.cumulative, self.rng.random(count)), self.size - 1)

    def text(self, count: int) -> str:
        return " ".join(self.words[r] for r in self.ranks(count))


def records(count: int, seed: int):  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(seed)
    source = WordSource(count * 200, rng)
    for number in range(count):
        yield {
            "id": f"synthetic-{number:07d}",
            "title": source.text(int(rng.integers(5, 11))),
            "agency": f"Agency {int(rng.integers(0, max(10, count // 20)))}",
            "country": COUNTRIES[int(rng.integers(len(COUNTRIES)))],
            "award": AWARDS[int(rng.integers(len(AWARDS)))],
            "award_year": int(rng.integers(1993, 2026)),
            "category": "winner",
            "problem": sorted(
                {PROBLEMS[int(i)] for i in rng.integers(0, len(PROBLEMS), int(rng.integers(1, 4)))}
            ),
            "tactics": sorted(
                {TACTICS[int(i)] for i in rng.integers(0, len(TACTICS), int(rng.integers(1, 4)))}
            ),
            "body": source.text(int(rng.integers(100, 301))),
        }


COMMON_WORDS = 100  # a query holding one of this many most frequent words is "common"
DRAFT_WORDS = 200


def queries(count: int, drafts: int, records_count: int, seed: int) -> dict[str, list[Any]]:
    rng = np.random.default_rng(seed + 1)
    source = WordSource(records_count * 200, rng)
    short, common = [], []
    for number in range(count):
        # log-uniform rank in [0, size): every order of magnitude of frequency equally likely
        ranks = np.exp(rng.uniform(0.0, np.log(source.size), int(rng.integers(1, 5)))) - 1
        ranks = np.minimum(ranks.astype(np.int64), source.size - 1)
        short.append(" ".join(source.words[int(r)] for r in ranks))
        if (ranks < COMMON_WORDS).any():
            common.append(number)
    long = [source.text(DRAFT_WORDS) for _ in range(drafts)]
    return {"queries": short, "common": common, "drafts": long}


def main() -> None:
    parser = argparse.ArgumentParser(
        description="Write a synthetic corpus (JSONL) and queries (JSON)."
    )
    parser.add_argument("--records", type=int, required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, required=True, help="corpus .jsonl path")
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--drafts", type=int, default=100)
    parser.add_argument(
        "--queries-only", action="store_true", help="write the queries of an existing corpus"
    )
    args = parser.parse_args()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    if not args.queries_only:
        with args.out.open("w", encoding="utf-8") as handle:
            for record in records(args.records, args.seed):
                handle.write(json.dumps(record) + "\n")
    query_file = args.out.with_suffix(".queries.json")
    query_file.write_text(json.dumps(queries(args.queries, args.drafts, args.records, args.seed)))
    print(f"wrote {args.records:,} records to {args.out} and queries to {query_file}")


if __name__ == "__main__":
    main()
