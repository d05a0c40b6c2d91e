"""How every command reports bad input: one line on stderr, exit status 1."""

from __future__ import annotations

import typer

__all__ = ["fail"]


def fail(message: object) -> typer.Exit:
    """Print ``Error: <message>`` as one line on stderr; return the exit (status 1) to raise.

    Use as ``raise fail(error) from None`` so that no traceback is shown.
    """
    typer.echo(f"Error: {' '.join(str(message).split())}", err=True)
    return typer.Exit(code=1)
