"""The `programfinder` command line: the commands in the order ``--help`` lists them.

Each command parses options, calls the library and prints the result (``browse``, ``find``,
``manage``); every error a user can cause becomes one line and an exit code in
``options.user_errors``.
"""

from __future__ import annotations

from typing import Annotated

import typer

from ..version import __version__
from . import browse, find, manage

app = typer.Typer(
    name="programfinder",
    help="Find precedent among award-winning crime-prevention programs.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
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


app.command("list")(browse.list_command)
app.command("search")(find.search_command)
app.command("similar")(find.similar_command)
app.command("show")(browse.show_command)
app.command("stats")(browse.stats_command)
app.command("validate")(browse.validate_command)
app.command("eval")(manage.eval_command)

index_app = typer.Typer(
    help="Build or inspect the cached search index.", no_args_is_help=True, add_completion=False
)
app.add_typer(index_app, name="index")
index_app.command("build")(manage.index_build_command)
index_app.command("info")(manage.index_info_command)

app.command("serve")(manage.serve_command)
app.command("add")(browse.add_command)


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
