"""The everyday-words glossary: informal, slang and regional words and the standard words that
program descriptions use for them ("coppers" -> police officers, "nicking" -> theft).

The list lives in ``everyday-words.yaml`` next to the records (the shipped corpus has one; a
corpus of your own may carry its own, else the shipped list is used). Unlike a synonym group it
points one way: a query with "motors" also searches for "cars", but "cars" does not pull in
"motors".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ..errors import CorpusError
from .synonyms import Expansion, PhraseTable, phrase_stems
from .text import Analyzer, normalize, tokenize
from .word_lists import read_word_list, word_list_path

GLOSSARY_FILE = "everyday-words.yaml"


def glossary_path(corpus_root: Path) -> Path | None:
    """The glossary for a corpus: its own file, else the shipped one (if any)."""
    return word_list_path(corpus_root, GLOSSARY_FILE)


def load_glossary(path: Path | None) -> dict[str, list[str]]:
    """Everyday word -> standard words, from a YAML mapping (``coppers: [police officers]``)."""
    if path is None:
        return {}
    data = read_word_list(
        path,
        "everyday-words glossary",
        "It must map each word to the standard words, e.g. coppers: [police officers].",
    )
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise CorpusError(
            f"{path}: the glossary must map each word to the standard words, "
            "e.g. coppers: [police officers]."
        )
    glossary: dict[str, list[str]] = {}
    for word, meanings in data.items():
        if isinstance(meanings, str):
            meanings = [meanings]
        if not isinstance(meanings, list):
            raise CorpusError(
                f"{path}: the meanings of {word!r} must be a list, e.g. {word}: [standard word]"
            )
        kept = [str(m).strip() for m in meanings if m is not None and str(m).strip()]
        if kept and str(word).strip():
            glossary[str(word).strip().lower()] = kept
    return glossary


AnalyzedWord = tuple[str, str, list[tuple[str, str]]]  # word, its stems, (meaning, stems)


def analyze_glossary(glossary: Mapping[str, list[str]], analyzer: Analyzer) -> list[AnalyzedWord]:
    """Every glossary word and meaning with its stemmed words, computed once per index."""
    analyzed = []
    for word, meanings in glossary.items():
        stems = " ".join(phrase_stems(word, analyzer))
        if stems:
            analyzed.append((word, stems, [(m, " ".join(analyzer.sequence(m))) for m in meanings]))
    return analyzed


def find_everyday_words(query_text: str, table: PhraseTable, analyzer: Analyzer) -> list[Expansion]:
    """Each glossary word found in ``query_text``, with the standard words it stands for
    (those not already in the query). ``table`` holds the entries of ``analyze_glossary``."""
    entries, present = table.found_in(query_text, analyzer)
    typed = set(tokenize(normalize(query_text)))
    chosen: dict[str, Sequence[Any]] = {}
    for entry in entries:
        stems = str(entry[1])
        # "nick", "nicked" and "nicking" share a stem but not a meaning: keep the form the
        # user typed, else the first listed
        if stems not in chosen or (
            set(str(entry[0]).split()) <= typed and not set(str(chosen[stems][0]).split()) <= typed
        ):
            chosen[stems] = entry
    expansions = []
    for word, _stems, meanings in (e for e in entries if chosen[str(e[1])] is e):
        added = tuple(m for m, m_stems in meanings if tuple(m_stems.split()) not in present)
        if added:
            expansions.append(Expansion(found=str(word), added=added, via="glossary"))
    return expansions
