"""Merge the blind judged set's parts and split it once, at random, into dev and test.

Run once when the set was written (the output files say so); never re-run to "improve" a split.

    python scripts/split_blind_set.py PART.yaml ... --seed 20261125

Each kind of query (and the drafts) is shuffled with the seed and halved, dev taking the odd one,
so both halves hold every kind in the same proportion.
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

import yaml

HEADER = """\
# Blind judged set, {split} half ({n_queries} queries, {n_drafts} drafts) for `programfinder eval`.
#
# How it was written: four writers, each given only the corpus records (113 files) and a one-page
# brief, never the ranking code, the synonym list, the entry-term list or the tool itself, and
# never running any search over the records. Each wrote queries of five kinds (keyword, question,
# paraphrase in lay words whose key words do not occur in the target record, misspelling,
# place + topic) and draft paragraphs of a proposal (drafts avoid the target record's names and
# distinctive words), for about 28 target records each, and graded every query and draft against
# the whole corpus: 2 = what the user is looking for, 1 = also useful.
#
# How it was split: once, at random (scripts/split_blind_set.py, seed {seed}), per kind, half to
# dev and half to test, before any ranking change was made. Tune on dev only; test is frozen:
# its figures are reported, never tuned on.
"""


Item = dict[str, object]


def read_parts(parts: list[Path]) -> tuple[dict[str, list[Item]], list[Item]]:
    """The queries of the writers' part files, by kind, and their drafts, in the judged-set shape
    (``type`` for the kind, the draft's text on one line)."""
    queries: dict[str, list[Item]] = {}
    drafts: list[Item] = []
    for part in parts:
        data = yaml.safe_load(part.read_text(encoding="utf-8"))
        for query in data["queries"]:
            kind = str(query["kind"])
            queries.setdefault(kind, []).append(
                {
                    "query": query["query"],
                    "type": kind,
                    "target": query["target"],
                    "relevant": query["relevant"],
                }
            )
        drafts.extend(
            {
                "name": d["name"],
                "target": d["target"],
                "text": " ".join(str(d["text"]).split()),
                "relevant": d["relevant"],
            }
            for d in data["drafts"]
        )
    return queries, drafts


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("parts", nargs="+", type=Path)
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--out", type=Path, default=Path("eval"))
    args = parser.parse_args()
    queries, drafts = read_parts(args.parts)
    rng = random.Random(args.seed)
    halves: dict[str, dict[str, list[dict[str, object]]]] = {
        "dev": {"queries": [], "drafts": []},
        "test": {"queries": [], "drafts": []},
    }
    for kind in sorted(queries):
        items = queries[kind]
        rng.shuffle(items)
        cut = (len(items) + 1) // 2
        halves["dev"]["queries"] += items[:cut]
        halves["test"]["queries"] += items[cut:]
    rng.shuffle(drafts)
    cut = (len(drafts) + 1) // 2
    halves["dev"]["drafts"], halves["test"]["drafts"] = drafts[:cut], drafts[cut:]
    for split, content in halves.items():
        path = args.out / f"blind-{split}.yaml"
        header = HEADER.format(
            split=split,
            n_queries=len(content["queries"]),
            n_drafts=len(content["drafts"]),
            seed=args.seed,
        )
        body = yaml.safe_dump(content, sort_keys=False, allow_unicode=True, width=100)
        path.write_text(header + body, encoding="utf-8")
        print(path, len(content["queries"]), "queries", len(content["drafts"]), "drafts")


if __name__ == "__main__":
    main()
