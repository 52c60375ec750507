"""Entry terms: the everyday words, slang, spellings and jargon that mean a problem or tactic tag.

The list lives in ``entry-terms.yaml`` next to the records (the shipped corpus has one; a corpus of
your own may carry its own, else the shipped list is used). A query that contains an entry term
("rough sleepers", "joyriding", "ASB") also searches for the tag it means, so it reaches every
record that carries the tag, and the hit says which entry term led there.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from ..errors import CorpusError
from .synonyms import Expansion, PhraseTable, phrase_stems
from .text import Analyzer
from .word_lists import read_word_list, word_list_path

ENTRY_TERMS_FILE = "entry-terms.yaml"


def entry_terms_path(corpus_root: Path) -> Path | None:
    """The entry-term list for a corpus: its own file, else the shipped one (if any)."""
    return word_list_path(corpus_root, ENTRY_TERMS_FILE)


def load_entry_terms(path: Path | None) -> dict[str, list[str]]:
    """Tag -> its entry terms, from a YAML file of ``problem:`` and ``tactics:`` mappings."""
    if path is None:
        return {}
    example = "e.g.\nproblem:\n  homelessness: [rough sleepers, unhoused]"
    data = read_word_list(
        path, "entry-term list", f"It must map each tag to a list of words, {example}"
    )
    if data is None:
        return {}
    if not isinstance(data, dict) or not all(
        isinstance(section, dict) or section is None for section in data.values()
    ):
        raise CorpusError(
            f"{path}: the entry-term list must have sections (problem:, tactics:) that map "
            f"each tag to a list of words, {example}"
        )
    terms: dict[str, list[str]] = {}
    for section in data.values():
        for tag, words in (section or {}).items():
            if isinstance(words, str):
                words = [words]
            if not isinstance(words, list):
                raise CorpusError(
                    f"{path}: the entry terms of {tag!r} must be a list, e.g. {tag}: [word, other word]"
                )
            found = terms.setdefault(str(tag).strip().lower(), [])
            found.extend(str(w).strip() for w in words if w is not None and str(w).strip())
    return terms


AnalyzedEntryTerm = tuple[str, str, str, str]  # tag, its stems, entry term, its stems


def analyze_entry_terms(
    entry_terms: Mapping[str, list[str]], analyzer: Analyzer
) -> list[AnalyzedEntryTerm]:
    """Every entry term with its stemmed words, computed once when the index is built (so a
    query does not stem two thousand phrases)."""
    analyzed = []
    for tag, words in entry_terms.items():
        tag_stems = " ".join(analyzer.sequence(tag))
        for word in words:
            stems = " ".join(phrase_stems(word, analyzer))
            if stems and stems != tag_stems:
                analyzed.append((tag, tag_stems, word, stems))
    return analyzed


def find_tags(query_text: str, table: PhraseTable, analyzer: Analyzer) -> list[Expansion]:
    """The tags whose entry terms occur in ``query_text`` (and whose own name does not), each as
    an expansion from the longest entry term found to the tag. ``table`` holds the entries of
    ``analyze_entry_terms``."""
    found: dict[str, str] = {}
    tag_stems: dict[str, str] = {}
    entries, present = table.found_in(query_text, analyzer)
    for tag, stems_of_tag, word, _stems in entries:  # the first longest entry term wins
        if len(word) > len(found.get(tag, "")):
            found[tag] = word
            tag_stems[tag] = stems_of_tag
    return [
        Expansion(found=word, added=(tag,), via="tag")
        for tag, word in found.items()
        if tuple(tag_stems[tag].split()) not in present
    ]
