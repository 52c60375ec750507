"""Commands that rank records: search and similar (programs like a record or a draft)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..errors import ProgramFinderError, QueryError
from ..language.query import MAX_QUERY_CHARS
from ..records.corpus import normalize_record_id
from ..records.known_values import KnownValues, check_known
from .options import (
    AwardOption,
    CorpusOption,
    CountryOption,
    CsvOption,
    EvaluationOption,
    FormatOption,
    JsonOption,
    SettingOption,
    SinceOption,
    SortOption,
    TagOption,
    UntilOption,
    YearOption,
    filters_from,
    output_format,
    user_errors,
)

CITATION_FORMATS = ("text", "ris", "bibtex", "csl-json")


@user_errors
def search_command(
    query: Annotated[
        list[str] | None,
        typer.Argument(
            help='Words to search for. "quoted phrase" must appear as written; -word excludes.',
            show_default=False,
        ),
    ] = None,
    award: AwardOption = None,
    year: YearOption = None,
    since: SinceOption = None,
    until: UntilOption = None,
    country: CountryOption = None,
    tag: TagOption = None,
    evaluation: EvaluationOption = None,
    setting: SettingOption = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="Show at most this many hits.")] = 10,
    explain: Annotated[
        bool, typer.Option("--explain", help="Show each term's contribution to the score.")
    ] = False,
    sort: SortOption = None,
    as_json: JsonOption = False,
    as_csv: CsvOption = False,
    fmt: FormatOption = None,
    corpus: CorpusOption = None,
) -> None:
    """Search the programs: best matches first (or by year), each with the sentence that
    matches best."""
    from ..records.ordering import check_sort
    from ..retrieval.opening import open_index
    from ..retrieval.ordering import ordered_search
    from ..retrieval.payloads import hit_rows, hits_payload
    from .output import (
        emit_citations,
        emit_csv,
        emit_json,
        make_console,
        print_search_results,
        warn_skipped,
    )

    output = output_format(fmt, as_json, as_csv, ("json", "csv", *CITATION_FORMATS))
    order = check_sort(sort) if sort is not None else ""
    index = open_index(corpus)
    warn_skipped(index.problems)
    text = " ".join(query or [])
    if len(text) > MAX_QUERY_CHARS:
        make_console(stderr=True).print(
            f"note: the query has {len(text):,} characters; the first {MAX_QUERY_CHARS:,} were used. "
            "To compare a whole document, use `programfinder similar --file`."
        )
    filters = filters_from(award, year, since, until, country, tag, evaluation, setting)
    check_known(filters, KnownValues(index.awards, index.countries, index.tags))
    ordered = ordered_search(index, text, sort=order, limit=limit, filters=filters)
    results = ordered.results
    if output == "json":
        emit_json(hits_payload(results))
        return
    if output == "csv":  # the same rows; offsets into the snippet mean nothing in a spreadsheet
        emit_csv(hit_rows(results))
        return
    if output in CITATION_FORMATS:
        emit_citations([hit.program for hit in results], output)
        return
    print_search_results(make_console(), results, explain=explain, order=ordered)


@user_errors
def similar_command(
    record_id: Annotated[
        str | None,
        typer.Argument(
            metavar="[ID | -]",
            help="A record id, or - to read a draft from standard input.",
            show_default=False,
        ),
    ] = None,
    file: Annotated[
        Path | None,
        typer.Option("--file", help="A draft proposal to compare: .txt, .md, .docx, .odt or .pdf."),
    ] = None,
    text: Annotated[str | None, typer.Option("--text", help="A draft given as text.")] = None,
    award: AwardOption = None,
    year: YearOption = None,
    since: SinceOption = None,
    until: UntilOption = None,
    country: CountryOption = None,
    tag: TagOption = None,
    evaluation: EvaluationOption = None,
    setting: SettingOption = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="Show at most this many.")] = 10,
    as_json: JsonOption = False,
    corpus: CorpusOption = None,
) -> None:
    """Programs most like a record, or like your draft proposal (with what the winners show
    that the draft does not, and a checklist against the award criteria)."""
    from ..drafts.comparison import compare_draft
    from ..drafts.documents import Draft, decode_draft, read_draft, with_draft
    from ..retrieval.opening import open_index
    from ..retrieval.payloads import similar_payload
    from .output import emit_json, make_console, print_similar, warn_skipped

    given = [x for x in (record_id, file, text) if x is not None]
    if len(given) != 1:
        raise QueryError(
            'Give exactly one of: a record id, --file PATH, --text "...", or - (standard input). '
            "Example: programfinder similar iacp-crime-prevention-2021-denver-pd"
        )
    if record_id is not None and record_id != "-":
        try:
            record_id = normalize_record_id(record_id)  # upper case read as lower case
        except ProgramFinderError as exc:  # a path or a sentence: say what to use instead
            raise QueryError(
                f'{exc} To compare a draft, use --file PATH or --text "...".'
            ) from None
    draft: Draft | None = None
    if file is not None:
        draft = read_draft(file)
    elif text is not None:
        draft = decode_draft(text.encode("utf-8"), "--text")
    elif record_id == "-":
        draft = read_draft("-")
    index = open_index(corpus)
    warn_skipped(index.problems)
    filters = filters_from(award, year, since, until, country, tag, evaluation, setting)
    check_known(filters, KnownValues(index.awards, index.countries, index.tags))
    if draft is None:
        # the record first: an id-shaped word no record has ("denver") is an unknown id with
        # the closest ones named, never a one-word draft
        source = index.get(str(record_id))
        results = index.similar(source.id, limit=limit, filters=filters)
    else:
        results = with_draft(compare_draft(index, draft.text, limit=limit, filters=filters), draft)
    if as_json:
        emit_json(similar_payload(results))
        return
    print_similar(make_console(), results)
