"""JSON on stdout as strict parsers read it: no NaN or Infinity, ``null`` instead."""

from __future__ import annotations

import json
import math
from typing import Any

import typer

__all__ = ["echo_json", "strict"]


def strict(value: Any) -> Any:
    """``value`` with every non-finite float (NaN, +/-inf) replaced by ``None``."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {key: strict(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [strict(item) for item in value]
    return value


def echo_json(payload: Any, **options: Any) -> None:
    """Print ``payload`` as strict JSON (``json.dumps`` options such as ``indent`` pass on)."""
    text = json.dumps(payload, default=_plain, **options)  # numpy scalars and the like first
    typer.echo(json.dumps(strict(json.loads(text)), allow_nan=False, **options))


def _plain(value: Any) -> Any:
    return value.item() if hasattr(value, "item") else str(value)
