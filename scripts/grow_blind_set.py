"""Grow the blind judged set with a corpus: add grades for new records to the existing items and
split new queries and drafts into dev and test the way the first set was split.

    python scripts/grow_blind_set.py --parts NEW_PART.yaml ... \
        --regrade-dev REGRADE.yaml --regrade-test REGRADE.yaml --seed 20261126

Re-grades map an existing query's text (or a draft's name) to grades of new records; they only add
grades, never change one. New items are shuffled with the seed per kind and halved (dev takes the
odd one), as scripts/split_blind_set.py did.
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

import yaml
from split_blind_set import read_parts

WAVE_NOTE = """\
#
# {wave} (corpus of {records} records): more writers, under the same rules and never having
# run the tool, wrote queries and drafts for the {new} new records and graded them against all
# {records}; other readers re-graded every existing item against the new records (grades only
# added). The new items were split per kind with scripts/grow_blind_set.py (seed {seed}), half
# to each side.
"""


def add_grades(items: list[dict[str, object]], regrade: dict[str, dict[str, int]]) -> int:
    changed = 0
    for item in items:
        key = str(item.get("query") or item.get("name"))
        for record_id, grade in (regrade.get(key) or {}).items():
            relevant = item["relevant"]
            assert isinstance(relevant, dict)
            if record_id not in relevant:
                relevant[record_id] = int(grade)
                changed += 1
    return changed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--parts", nargs="+", type=Path, required=True)
    parser.add_argument("--regrade-dev", type=Path, required=True)
    parser.add_argument("--regrade-test", type=Path, required=True)
    parser.add_argument("--seed", type=int, required=True)
    parser.add_argument("--eval", type=Path, default=Path("eval"))
    parser.add_argument("--wave", default="Second wave", help="how the header names this growth")
    parser.add_argument("--records", type=int, required=True, help="records in the corpus now")
    parser.add_argument("--new", type=int, required=True, help="records added in this wave")
    args = parser.parse_args()
    sets = {}
    headers = {}
    for split in ("dev", "test"):
        text = (args.eval / f"blind-{split}.yaml").read_text(encoding="utf-8")
        body_at = text.index("\nqueries:") + 1
        headers[split] = text[:body_at]
        sets[split] = yaml.safe_load(text[body_at:])
    for split, path in (("dev", args.regrade_dev), ("test", args.regrade_test)):
        regrade = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        data = sets[split]
        n = add_grades(data["queries"], regrade) + add_grades(data["drafts"], regrade)
        print(f"{split}: {n} grades added to existing items")
    queries, drafts = read_parts(args.parts)
    rng = random.Random(args.seed)
    for kind in sorted(queries):
        items = queries[kind]
        rng.shuffle(items)
        cut = (len(items) + 1) // 2
        sets["dev"]["queries"] += items[:cut]
        sets["test"]["queries"] += items[cut:]
    rng.shuffle(drafts)
    cut = (len(drafts) + 1) // 2
    sets["dev"]["drafts"] += drafts[:cut]
    sets["test"]["drafts"] += drafts[cut:]
    for split, data in sets.items():
        header = headers[split]
        first, rest = header.split("\n", 1)
        first = (
            f"# Blind judged set, {split} half ({len(data['queries'])} queries, "
            f"{len(data['drafts'])} drafts) for `programfinder eval`."
        )
        header = (
            first
            + "\n"
            + rest.rstrip("\n")
            + "\n"
            + WAVE_NOTE.format(wave=args.wave, records=args.records, new=args.new, seed=args.seed)
        )
        body = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
        (args.eval / f"blind-{split}.yaml").write_text(header + body, encoding="utf-8")
        print(split, len(data["queries"]), "queries", len(data["drafts"]), "drafts")


if __name__ == "__main__":
    main()
