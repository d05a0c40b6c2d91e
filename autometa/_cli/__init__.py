"""The ``autometa`` command line: a thin layer over the public API."""

from __future__ import annotations

import importlib

import typer

__all__ = ["app", "main"]

app = typer.Typer(
    name="autometa",
    help="What to try first on a new table: meta-learned algorithm and configuration "
    "recommendations, warm-started tuning, and the knowledge base behind them.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# (module, attribute, command name): top-level commands, each owned by one module.
_COMMANDS = [
    ("autometa._cli.recommend", "recommend_command", "recommend"),
    ("autometa._cli.tune", "tune_command", "tune"),
    ("autometa._cli.evaluate", "evaluate_command", "evaluate"),
    ("autometa._cli.metafeatures", "metafeatures_command", "metafeatures"),
]
_GROUPS = [("autometa._cli.kb", "kb_app", "kb")]

for _module, _attribute, _name in _COMMANDS:
    try:
        _command = getattr(importlib.import_module(_module), _attribute)
    except ModuleNotFoundError as _error:  # a command whose module is not written yet
        if _error.name != _module:
            raise
        continue
    app.command(_name)(_command)
for _module, _attribute, _name in _GROUPS:
    try:
        _group = getattr(importlib.import_module(_module), _attribute)
    except ModuleNotFoundError as _error:
        if _error.name != _module:
            raise
        continue
    app.add_typer(_group, name=_name)


def main() -> None:
    """Entry point of the ``autometa`` console script."""
    app()
