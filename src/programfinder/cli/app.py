"""The `programfinder` command line: parses options, calls the library, prints the result.

Every command that can fail on user input catches ``ProgramFinderError`` in one place
(``_user_errors``) and turns it into a one-line message and an exit code.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, ParamSpec, TypeVar

import typer

from ..errors import ProgramFinderError, QueryError
from ..language.query import MAX_QUERY_CHARS
from ..records.corpus import Corpus, check_record_id, resolve_corpus_path
from ..records.filters import Filters
from ..records.sources import load_corpus
from ..version import __version__

P = ParamSpec("P")
R = TypeVar("R")

app = typer.Typer(
    name="programfinder",
    help="Find precedent among award-winning crime-prevention programs.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)

CorpusOption = Annotated[
    Path | None,
    typer.Option(
        "--corpus",
        envvar="PROGRAMFINDER_CORPUS",
        help="Folder of record files to use instead of the shipped corpus "
        "(or set PROGRAMFINDER_CORPUS).",
        show_default=False,
    ),
]
AwardOption = Annotated[
    str | None, typer.Option("--award", help="Award slug or part of its name, e.g. goldstein.")
]
YearOption = Annotated[int | None, typer.Option("--year", help="Only this award year.")]
SinceOption = Annotated[int | None, typer.Option("--since", help="Award year from (inclusive).")]
UntilOption = Annotated[int | None, typer.Option("--until", help="Award year up to (inclusive).")]
CountryOption = Annotated[
    str | None, typer.Option("--country", help="Country, e.g. 'United Kingdom' or UK.")
]
TagOption = Annotated[
    list[str] | None,
    typer.Option("--tag", help="Problem or tactic tag; repeat to require several."),
]
EvaluationOption = Annotated[
    str | None,
    typer.Option(
        "--evaluation",
        help="Only programs whose effect was measured this way: 'none reported', "
        "'agency figures', 'independent evaluation' or 'controlled study'.",
        show_default=False,
    ),
]
SettingOption = Annotated[
    str | None,
    typer.Option(
        "--setting",
        help="Only programs in this setting: urban, suburban, rural, regional, national, "
        "online or custodial.",
        show_default=False,
    ),
]
LimitOption = Annotated[
    int | None, typer.Option("--limit", min=1, help="Show at most this many records.")
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]
CsvOption = Annotated[bool, typer.Option("--csv", help="Print CSV for spreadsheets.")]


def _user_errors(command: Callable[P, R]) -> Callable[P, R]:
    """Turn a ``ProgramFinderError`` into `error: ...` on stderr and the error's exit code."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        from .output import clean, make_console

        try:
            return command(*args, **kwargs)
        except ProgramFinderError as exc:
            make_console(stderr=True).print(f"error: {clean(exc)}", style="bold red")
            raise typer.Exit(exc.exit_code) from None
        except OSError as exc:  # disk full, permissions, a file vanishing mid-run
            where = f" ({exc.filename})" if getattr(exc, "filename", None) else ""
            make_console(stderr=True).print(
                f"error: {clean(exc.strerror or exc)}{clean(where)}", style="bold red"
            )
            raise typer.Exit(1) from None
        except KeyboardInterrupt:
            make_console(stderr=True).print("interrupted; nothing was changed.")
            raise typer.Exit(130) from None

    return wrapper


def _load(corpus_path: Path | None) -> Corpus:
    from .output import warn_skipped

    corpus = load_corpus(corpus_path)
    warn_skipped(corpus.problems)
    return corpus


def _filters(
    award: str | None,
    year: int | None,
    since: int | None,
    until: int | None,
    country: str | None,
    tags: list[str] | None,
    evaluation: str | None = None,
    setting: str | None = None,
) -> Filters:
    return Filters(
        award=award,
        year=year,
        since=since,
        until=until,
        country=country,
        tags=tuple(tags or ()),
        evaluation=evaluation,
        setting=setting,
    )


def _version(value: bool) -> None:
    if value:
        typer.echo(f"programfinder {__version__}")
        raise typer.Exit()


@app.callback()
def main_callback(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """Find precedent among award-winning crime-prevention programs.

    Run `programfinder COMMAND --help` for the options of a command.
    """


@app.command("list")
@_user_errors
def list_command(
    award: AwardOption = None,
    year: YearOption = None,
    since: SinceOption = None,
    until: UntilOption = None,
    country: CountryOption = None,
    tag: TagOption = None,
    evaluation: EvaluationOption = None,
    setting: SettingOption = None,
    limit: LimitOption = None,
    as_json: JsonOption = False,
    as_csv: CsvOption = False,
    corpus: CorpusOption = None,
) -> None:
    """List the programs in the corpus, newest first."""
    from .output import emit_csv, emit_json, make_console, programs_table

    loaded = _load(corpus)
    filters = _filters(award, year, since, until, country, tag, evaluation, setting)
    matching = loaded.filter(filters)
    shown = matching[:limit] if limit else matching
    if as_json:
        emit_json([p.summary() for p in shown])
        return
    if as_csv:
        emit_csv([p.summary() for p in shown])
        return
    console = make_console()
    if not shown:
        console.print(
            f"No programs match {filters.describe()}. Try fewer filters, "
            "or `programfinder stats` to see which awards, years, countries and tags there are."
        )
        return
    more = f" (showing {len(shown)})" if len(shown) < len(matching) else ""
    console.print(programs_table(shown, title=f"{len(matching)} programs{more}"))
    console.print("Show one with: programfinder show ID", style="dim")


@app.command("search")
@_user_errors
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
    as_json: JsonOption = False,
    as_csv: CsvOption = False,
    corpus: CorpusOption = None,
) -> None:
    """Search the programs: best matches first, each with the sentence that matches best."""
    from ..retrieval.opening import open_index
    from ..retrieval.payloads import hits_payload
    from .output import emit_csv, emit_json, make_console, print_search_results, warn_skipped

    index = open_index(corpus)
    warn_skipped(index.problems)
    text = " ".join(query or [])
    if len(text) > MAX_QUERY_CHARS:
        make_console(stderr=True).print(
            f"note: the query has {len(text):,} characters; the first {MAX_QUERY_CHARS:,} were used. "
            "To compare a whole document, use `programfinder similar --file`."
        )
    results = index.search(
        " ".join(query or []),
        limit=limit,
        filters=_filters(award, year, since, until, country, tag, evaluation, setting),
    )
    if as_json:
        emit_json(hits_payload(results))
        return
    if as_csv:  # the same rows; offsets into the snippet mean nothing in a spreadsheet
        emit_csv(
            [{k: v for k, v in row.items() if k != "highlights"} for row in hits_payload(results)]
        )
        return
    print_search_results(make_console(), results, explain=explain)


@app.command("similar")
@_user_errors
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
    from ..drafts.documents import Draft, decode_draft, read_draft
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
            check_record_id(record_id)
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
    filters = _filters(award, year, since, until, country, tag, evaluation, setting)
    target = draft.text if draft is not None else str(record_id)
    if draft is None:
        results = index.similar(target, limit=limit, filters=filters)
    else:
        results = compare_draft(index, target, limit=limit, filters=filters)
        results.notices[:0] = list(draft.notices)
    if as_json:
        emit_json(similar_payload(results))
        return
    print_similar(make_console(), results)


@app.command("show")
@_user_errors
def show_command(
    record_id: Annotated[str, typer.Argument(metavar="ID", help="The record id.")],
    as_json: JsonOption = False,
    corpus: CorpusOption = None,
) -> None:
    """Show one program in full."""
    from ..retrieval.payloads import program_payload
    from .output import emit_json, make_console, print_program

    program = _load(corpus).get(record_id)
    if as_json:
        emit_json(program_payload(program))
        return
    print_program(make_console(), program)


@app.command("stats")
@_user_errors
def stats_command(
    award: AwardOption = None,
    year: YearOption = None,
    since: SinceOption = None,
    until: UntilOption = None,
    country: CountryOption = None,
    tag: TagOption = None,
    evaluation: EvaluationOption = None,
    setting: SettingOption = None,
    as_json: JsonOption = False,
    corpus: CorpusOption = None,
) -> None:
    """Count the programs by award, decade and year, country and tag."""
    from ..records.stats import corpus_stats
    from .output import emit_json, make_console, print_stats

    loaded = _load(corpus)
    stats = corpus_stats(
        loaded.filter(_filters(award, year, since, until, country, tag, evaluation, setting))
    )
    if as_json:
        emit_json(stats.to_dict())
        return
    print_stats(make_console(), stats)


@app.command("validate")
@_user_errors
def validate_command(
    strict: Annotated[
        bool, typer.Option("--strict", help="Treat warnings as errors (exit 1).")
    ] = False,
    as_json: JsonOption = False,
    corpus: CorpusOption = None,
) -> None:
    """Check every record file and report every problem (exit 1 if any record is broken)."""
    from .output import emit_json, make_console, print_problems

    loaded = load_corpus(corpus)
    errors, warnings = loaded.errors, loaded.warnings
    failed = bool(errors) or (strict and bool(warnings))
    if as_json:
        emit_json(
            {
                "corpus": str(loaded.root),
                "files": loaded.files_checked,
                "valid_records": len(loaded),
                "errors": len(errors),
                "warnings": len(warnings),
                "problems": [p.to_dict() for p in loaded.problems],
            }
        )
        raise typer.Exit(1 if failed else 0)
    console = make_console()
    print_problems(console, loaded.problems)
    if loaded.problems:
        console.print()
    if loaded.vocabulary.is_empty:
        console.print("note: no vocabulary.yaml in this corpus, so tags were not checked.")
    verdict = "FAILED" if failed else "OK"
    console.print(
        f"{verdict}: {loaded.files_checked} files checked in {loaded.root}: "
        f"{len(loaded)} valid records, {len(errors)} errors, {len(warnings)} warnings.",
        style="bold red" if failed else "bold green",
    )
    raise typer.Exit(1 if failed else 0)


DEFAULT_JUDGEMENTS = (
    Path("eval/blind-dev.yaml"),
    Path("eval/blind-test.yaml"),
    Path("eval/queries.yaml"),
)


@app.command("eval")
@_user_errors
def eval_command(
    queries: Annotated[
        list[Path] | None,
        typer.Option(
            "--queries",
            help="Judgements file (YAML); repeat for several. Default: the blind dev and test "
            "sets, then eval/queries.yaml.",
            show_default=False,
        ),
    ] = None,
    drafts: Annotated[
        Path, typer.Option("--drafts", help="Draft cases for similar programs (YAML).")
    ] = Path("eval/drafts.yaml"),
    pairs: Annotated[
        Path, typer.Option("--pairs", help="Record pairs judged similar (YAML).")
    ] = Path("eval/pairs.yaml"),
    peers: Annotated[
        bool, typer.Option("--peers/--no-peers", help="Also score TF-IDF and BM25 baselines.")
    ] = True,
    as_json: JsonOption = False,
    corpus: CorpusOption = None,
) -> None:
    """Measure search relevance (nDCG@10, MRR, hit@3, Recall@10) per judged set and per kind of
    query, beside baselines, and similar-program quality (hit@1, hit@3, MRR)."""
    from ..retrieval.evaluation import compare, evaluate_similar
    from .output import emit_json, make_console, print_evaluation, print_similar_evaluation

    paths = list(queries) if queries else [p for p in DEFAULT_JUDGEMENTS if p.is_file()]
    missing = [p for p in paths if not p.is_file()]
    if missing or not paths:
        where = missing[0] if missing else DEFAULT_JUDGEMENTS[0]
        raise ProgramFinderError(
            f"No judgements file at {where}: run from a checkout of programfinder "
            "(it has eval/blind-dev.yaml, eval/blind-test.yaml and eval/queries.yaml) "
            "or pass --queries PATH."
        )
    results = {str(path): compare(path, corpus, peers=peers) for path in paths}
    similar_figures = (
        evaluate_similar(drafts, pairs, corpus) if drafts.is_file() and pairs.is_file() else None
    )
    if as_json:
        emit_json(
            {
                "sets": {name: [s.to_dict() for s in systems] for name, systems in results.items()},
                "similar": similar_figures,
            }
        )
        return
    console = make_console()
    for name, systems in results.items():
        print_evaluation(console, systems, title=name)
    if similar_figures is not None:
        print_similar_evaluation(console, similar_figures)


index_app = typer.Typer(
    help="Build or inspect the cached search index.", no_args_is_help=True, add_completion=False
)
app.add_typer(index_app, name="index")


@index_app.command("build")
@_user_errors
def index_build_command(corpus: CorpusOption = None) -> None:
    """Build the search index of a corpus now (it is otherwise built on first use), with progress."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeRemainingColumn,
    )

    from ..records.corpus import check_corpus_path
    from ..records.sources import count_records
    from ..retrieval.opening import build_index
    from .output import make_console, warn_skipped

    root = resolve_corpus_path(corpus)
    check_corpus_path(root)
    total = count_records(root)
    console = make_console(stderr=True)
    with Progress(
        TextColumn("indexing"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("records"),
        TimeRemainingColumn(),
        console=console,
        transient=False,
    ) as bar:
        task = bar.add_task("index", total=total)
        index, summary = build_index(root, progress=lambda done: bar.update(task, completed=done))
    warn_skipped(index.problems)
    make_console().print(f"Built: {summary}. Cached in {index.folder}")


@index_app.command("info")
@_user_errors
def index_info_command(as_json: JsonOption = False, corpus: CorpusOption = None) -> None:
    """Where the index of a corpus is cached and what it holds (builds it if needed)."""
    from ..retrieval.opening import open_index
    from .output import emit_json, make_console

    index = open_index(corpus)
    size = sum(p.stat().st_size for p in index.folder.iterdir())
    info = {
        "folder": str(index.folder),
        "corpus": str(index.corpus_root),
        "records": len(index.programs),
        "terms": len(index.terms_),
        "bytes": size,
        "built_at": index.meta.get("built_at"),
        "two_word_terms": index.analyzer.ngram_range[1] >= 2,
        "semantic_blend": index.doc_lsa_.size > 0,
    }
    if as_json:
        emit_json(info)
        return
    console = make_console()
    for key, value in info.items():
        console.print(f"{key:>15}: {value}")


WEB_PACKAGES = ("starlette", "jinja2", "uvicorn", "python_multipart")


@app.command("serve")
@_user_errors
def serve_command(
    host: Annotated[
        str,
        typer.Option(
            "--host", help="Address to listen on; anything but loopback is open to your network."
        ),
    ] = "127.0.0.1",
    port: Annotated[
        int, typer.Option("--port", min=1, max=65535, help="Port to listen on.")
    ] = 8765,
    workers: Annotated[
        int,
        typer.Option(
            "--workers", min=1, max=64, help="Server processes sharing the index (behind a proxy)."
        ),
    ] = 1,
    open_browser: Annotated[
        bool, typer.Option("--open", help="Open the page in your web browser.")
    ] = False,
    corpus: CorpusOption = None,
) -> None:
    """A local web page over the corpus: search, records, draft comparison, statistics, and a
    JSON API. Read-only; Ctrl-C stops it."""
    import importlib

    for package in WEB_PACKAGES:  # the web stack is imported here only, never by other commands
        try:
            importlib.import_module(package)
        except ImportError:
            raise ProgramFinderError(
                f"The web page needs the package {package!r}, which is not installed. "
                'Install the web extra: pip install "programfinder[web]"'
            ) from None
    from ..web.server import serve

    try:
        serve(corpus, host=host, port=port, workers=workers, open_browser=open_browser)
    except SystemExit as exc:  # uvicorn exits with 1 when it cannot bind the address
        if exc.code in (0, None):
            return
        raise ProgramFinderError(
            f"Could not serve on {host}:{port}: is another program using the port? "
            "Try --port with another number."
        ) from None


def _ask(value: Any, label: str, interactive: bool, cast: type = str) -> Any:
    if value not in (None, ""):
        return value
    if not interactive:
        raise ProgramFinderError(
            f"--{label} is required (or run `programfinder add` in a terminal)."
        )
    return typer.prompt(label.replace("-", " ").capitalize(), type=cast)


@app.command("add")
@_user_errors
def add_command(
    title: Annotated[str | None, typer.Option(help="Program name.")] = None,
    agency: Annotated[str | None, typer.Option(help="Lead agency, as it names itself.")] = None,
    country: Annotated[str | None, typer.Option(help="Full English country name.")] = None,
    award: Annotated[
        str | None, typer.Option(help="Award name, or a known slug such as goldstein.")
    ] = None,
    year: Annotated[int | None, typer.Option("--year", help="Award year.")] = None,
    body: Annotated[str | None, typer.Option(help="The description (prose).")] = None,
    body_file: Annotated[
        Path | None, typer.Option(help="Read the description from this text file.")
    ] = None,
    city: Annotated[str | None, typer.Option()] = None,
    region: Annotated[str | None, typer.Option(help="State, province or county.")] = None,
    category: Annotated[str | None, typer.Option(help="winner, finalist, ...")] = None,
    problem: Annotated[list[str] | None, typer.Option(help="Problem tag (repeat).")] = None,
    tactic: Annotated[list[str] | None, typer.Option(help="Tactic tag (repeat).")] = None,
    partner: Annotated[list[str] | None, typer.Option(help="Partner (repeat).")] = None,
    started: Annotated[int | None, typer.Option(help="Year the program started.")] = None,
    source_url: Annotated[str | None, typer.Option(help="Page the facts come from.")] = None,
    record_id: Annotated[
        str | None, typer.Option("--id", help="Record id (default: award-year-agency).")
    ] = None,
    corpus: CorpusOption = None,
) -> None:
    """Write a new program record into a corpus folder (never overwrites a file)."""
    from ..records.authoring import NewRecord, add_record
    from .output import make_console, print_problems

    interactive = sys.stdin.isatty()
    if body_file is not None:
        try:
            body = body_file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ProgramFinderError(f"Cannot read --body-file {body_file}: {exc}") from exc
    record = NewRecord(
        title=_ask(title, "title", interactive),
        agency=_ask(agency, "agency", interactive),
        country=_ask(country, "country", interactive),
        award=_ask(award, "award", interactive),
        award_year=_ask(year, "year", interactive, int),
        body=_ask(body, "body", interactive),
        city=city,
        region=region,
        category=category,
        problem=tuple(problem or ()),
        tactics=tuple(tactic or ()),
        partners=tuple(partner or ()),
        started=started,
        source_url=source_url,
        id=record_id,
    )
    path, warnings = add_record(resolve_corpus_path(corpus), record)
    console = make_console()
    print_problems(console, warnings)
    console.print(f"Wrote {path}", style="bold green")


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
