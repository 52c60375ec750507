"""Commands that build, measure and serve: index build, index info, eval, serve."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from ..errors import ProgramFinderError
from ..records.corpus import resolve_corpus_path
from .options import CorpusOption, JsonOption, user_errors

DEFAULT_JUDGEMENTS = (
    Path("eval/blind-dev.yaml"),
    Path("eval/blind-test.yaml"),
    Path("eval/queries.yaml"),
)


@user_errors
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
    from .eval_output import print_evaluation, print_report_evaluation, print_similar_evaluation
    from .output import emit_json, make_console

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
    from ..drafts.report_evaluation import compare_report

    report_figures = compare_report() if queries is None else {}
    if as_json:
        emit_json(
            {
                "sets": {name: [s.to_dict() for s in systems] for name, systems in results.items()},
                "similar": similar_figures,
                "report": report_figures,
            }
        )
        return
    console = make_console()
    for name, systems in results.items():
        print_evaluation(console, systems, title=name)
    if similar_figures is not None:
        print_similar_evaluation(console, similar_figures)
    for name, methods in report_figures.items():
        print_report_evaluation(console, methods, title=name)


@user_errors
def index_build_command(
    corpus: CorpusOption = None,
    semantic: Annotated[
        bool | None,
        typer.Option(
            "--semantic/--words-only",
            help="Read every record's meaning (record vectors) whatever the corpus's size, or "
            "build a words-only index. Default: meaning for up to 20,000 records.",
            show_default=False,
        ),
    ] = None,
) -> None:
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
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[unit]}"),
        TimeRemainingColumn(),
        console=console,
        transient=False,
    ) as bar:
        task = bar.add_task("indexing", total=total, unit="records")
        meaning_task: list[Any] = []

        def meaning_progress(done: int, to_read: int, _left: float | None) -> None:
            # the bar's own estimate of the time left follows the model's pace
            if not meaning_task and to_read:
                meaning_task.append(bar.add_task("reading meaning", total=to_read, unit="passages"))
            if meaning_task:
                bar.update(meaning_task[0], completed=done)

        index, summary = build_index(
            root,
            progress=lambda done: bar.update(task, completed=done),
            semantic=semantic,
            meaning_progress=meaning_progress,
        )
    warn_skipped(index.problems)
    make_console().print(f"Built: {summary}. Cached in {index.folder}")


@user_errors
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


@user_errors
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
