"""The ``autometa`` command line: a thin layer over the public API."""

from __future__ import annotations

import typer

from autometa._cli.evaluate import evaluate_command
from autometa._cli.kb import kb_app
from autometa._cli.metafeatures import metafeatures_command
from autometa._cli.recommend import recommend_command
from autometa._cli.tune import tune_command

__all__ = ["app", "main"]

app = typer.Typer(
    name="autometa",
    help="What to try first on a new table: meta-learned algorithm and configuration "
    "recommendations, warm-started tuning, and the knowledge base behind them.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _print_version(value: bool) -> None:
    if value:
        from autometa import __version__

        typer.echo(f"autometa {__version__}")
        raise typer.Exit()


@app.callback()
def _root(version: bool = typer.Option(  # noqa: FBT001 - a flag
        False, "--version", callback=_print_version, is_eager=True,
        help="Print the version and exit.")) -> None:
    """Options of the ``autometa`` command itself (the help text is the app's)."""


app.command("recommend")(recommend_command)
app.command("tune")(tune_command)
app.command("metafeatures")(metafeatures_command)
app.command("evaluate")(evaluate_command)
app.add_typer(kb_app, name="kb")


def main() -> None:
    """Entry point of the ``autometa`` console script."""
    app()
