"""Derive programfinder's general-English thesaurus from WordNet 3.0.

Usage (Debian or Ubuntu):

    apt-get install wordnet-base
    python scripts/build_thesaurus.py [/usr/share/wordnet] > src/programfinder/data/thesaurus.tsv

The output is one line per WordNet word or phrase, sorted by its bytes so that a query can find
a word by binary search without reading the file (see ``programfinder.language.thesaurus``):

    word<TAB>sense<TAB>sense...

Senses come most frequent first (WordNet's own order). Each sense is three comma-separated lists
joined by ``|``: the other words of the same sense (synonyms), the words of its direct hypernyms
(the broader term: "youngster" -> "juvenile"), and words derived from the same root by WordNet's
derivational links ("burglar" -> "burglary"). Inflected forms that WordNet lists as exceptions
("thieves" -> "thief") are lines of their own that point to their base form with ``=``.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from pathlib import Path

PARTS_OF_SPEECH = {"noun": "n", "verb": "v", "adj": "a", "adv": "r"}
# Only a word's most frequent senses are kept: rare senses are where wrong expansions come from.
MAX_SENSES = 4
MAX_WORDS_PER_LIST = 12
MAX_PHRASE_WORDS = 3
# A broader term is useful when it is close ("youngster" -> "juvenile"); a category with
# hundreds of kinds under it ("hangar" -> "structure") matches everything and nothing.
MAX_BROADER_DESCENDANTS = 400


def clean(lemma: str) -> str:
    """A WordNet lemma as a user would type it: lower case, spaces, no syntactic marker."""
    lemma = lemma.split("(")[0]
    return lemma.replace("_", " ").strip().lower()


def read_synsets(folder: Path) -> dict[tuple[str, int], dict[str, object]]:
    """(part of speech, offset) -> its words, hypernym offsets and derivational links."""
    synsets: dict[tuple[str, int], dict[str, object]] = {}
    for name, pos in PARTS_OF_SPEECH.items():
        for line in (folder / f"data.{name}").read_text(encoding="latin-1").splitlines():
            if line.startswith(" "):  # licence header
                continue
            fields = line.split(" | ")[0].split()
            offset = int(fields[0])
            word_count = int(fields[3], 16)
            raw = [fields[4 + 2 * i] for i in range(word_count)]
            # Capitalised lemmas are names ("Paris", "John Barleycorn"): never an expansion.
            words = [clean(w) if not w[0].isupper() else "" for w in raw]
            at = 4 + 2 * word_count
            pointer_count = int(fields[at])
            hypernyms: list[tuple[str, int]] = []
            derived: list[tuple[int, str, int, int]] = []  # (source word, pos, offset, target word)
            for i in range(pointer_count):
                symbol, target, target_pos, source_target = fields[at + 1 + 4 * i : at + 5 + 4 * i]
                target_pos = "a" if target_pos == "s" else target_pos
                if symbol == "@":
                    hypernyms.append((target_pos, int(target)))
                elif symbol == "+":
                    source, goal = int(source_target[:2], 16), int(source_target[2:], 16)
                    derived.append((source, target_pos, int(target), goal))
            synsets[(pos, offset)] = {"words": words, "hypernyms": hypernyms, "derived": derived}
    return synsets


def read_sense_counts(folder: Path) -> dict[tuple[str, str, int], int]:
    """(word, part of speech, sense number) -> how often that sense was seen in WordNet's
    tagged texts (``cntlist.rev``); senses never seen are absent."""
    ss_types = {"1": "n", "2": "v", "3": "a", "4": "r", "5": "a"}
    counts: dict[tuple[str, str, int], int] = {}
    for line in (folder / "cntlist.rev").read_text(encoding="latin-1").splitlines():
        key, number, count = line.split()
        lemma, _, lex_sense = key.partition("%")
        pos = ss_types.get(lex_sense[:1], "")
        counts[(clean(lemma), pos, int(number))] = int(count)
    return counts


def read_senses(folder: Path) -> dict[str, list[tuple[str, int]]]:
    """Word -> its senses as (part of speech, offset), most frequent first across parts of speech.

    WordNet orders a word's senses by frequency within one part of speech; across parts of speech
    they are ordered by their counts in WordNet's tagged texts, untagged senses last in the
    interleaved order (first noun, first verb, ..., second noun, ...).
    """
    sense_counts = read_sense_counts(folder)
    per_pos: dict[str, dict[str, list[tuple[str, int]]]] = defaultdict(dict)
    for name, pos in PARTS_OF_SPEECH.items():
        for line in (folder / f"index.{name}").read_text(encoding="latin-1").splitlines():
            if line.startswith(" "):
                continue
            fields = line.split()
            synset_count = int(fields[2])
            offsets = [int(f) for f in fields[-synset_count:]]
            per_pos[clean(fields[0])][pos] = [(pos, o) for o in offsets]
    senses: dict[str, list[tuple[str, int]]] = {}
    for word, by_pos in per_pos.items():
        ranked: list[tuple[int, int, tuple[str, int]]] = []
        for rank in range(max(len(s) for s in by_pos.values())):
            for pos in "nvar":
                if pos in by_pos and rank < len(by_pos[pos]):
                    count = sense_counts.get((word, pos, rank + 1), 0)
                    ranked.append((-count, len(ranked), by_pos[pos][rank]))
        senses[word] = [sense for _, _, sense in sorted(ranked)][:MAX_SENSES]
    return senses


def descendant_counts(synsets: dict) -> dict[tuple[str, int], int]:  # type: ignore[type-arg]
    """How many synsets lie below each synset (by hypernym links)."""
    children: dict[tuple[str, int], list[tuple[str, int]]] = defaultdict(list)
    for key, synset in synsets.items():
        for parent in synset["hypernyms"]:
            children[parent].append(key)
    counts: dict[tuple[str, int], int] = {}

    def below(key: tuple[str, int]) -> set[tuple[str, int]]:
        found: set[tuple[str, int]] = set()
        stack = list(children.get(key, ()))
        while stack:
            child = stack.pop()
            if child not in found:
                found.add(child)
                stack.extend(children.get(child, ()))
        return found

    for key in synsets:
        counts[key] = len(below(key)) if key in children else 0
    return counts


def unique(words: list[str], exclude: str) -> list[str]:
    seen: dict[str, None] = {}
    for word in words:
        if (
            word
            and word != exclude
            and len(word.split()) <= MAX_PHRASE_WORDS
            and "," not in word
            and "|" not in word
            and "\t" not in word
        ):
            seen.setdefault(word, None)
    return list(seen)[:MAX_WORDS_PER_LIST]


def sense_line(word: str, pos: str, offset: int, synsets: dict, descendants: dict) -> str:  # type: ignore[type-arg]
    synset = synsets[(pos, offset)]
    words: list[str] = synset["words"]
    if word not in words:  # the word is capitalised here: a name, not this sense
        return "||"
    synonyms = unique(words, word)
    broader = unique(
        [
            w
            for target in synset["hypernyms"]
            if descendants[target] <= MAX_BROADER_DESCENDANTS
            for w in synsets[target]["words"]
        ],
        word,
    )
    position = words.index(word) + 1 if word in words else 0
    derived = unique(
        [
            synsets[(target_pos, target)]["words"][goal - 1]
            for source, target_pos, target, goal in synset["derived"]
            if source == position
        ],
        word,
    )
    return "|".join(",".join(group) for group in (synonyms, broader, derived))


def main() -> None:
    folder = Path(sys.argv[1] if len(sys.argv) > 1 else "/usr/share/wordnet")
    synsets = read_synsets(folder)
    senses = read_senses(folder)
    descendants = descendant_counts(synsets)
    lines: dict[str, str] = {}
    for word, word_senses in senses.items():
        if len(word.split()) > MAX_PHRASE_WORDS:
            continue
        parts = [sense_line(word, pos, offset, synsets, descendants) for pos, offset in word_senses]
        parts = [p for p in parts if p != "||"]
        if parts:
            lines[word] = "\t".join(parts)
    for name in PARTS_OF_SPEECH:
        for line in (folder / f"{name}.exc").read_text(encoding="latin-1").splitlines():
            inflected, *bases = (clean(w) for w in line.split())
            if inflected not in lines and bases and bases[0] in lines:
                lines[inflected] = "=" + bases[0]
    out = sys.stdout.buffer
    for word in sorted(lines, key=lambda w: w.encode("utf-8")):
        out.write(f"{word}\t{lines[word]}\n".encode())


if __name__ == "__main__":
    main()
