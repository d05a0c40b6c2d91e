"""Durations as people read them (tables, reprs, progress)."""

from __future__ import annotations

import math

__all__ = ["format_seconds"]


def format_seconds(seconds: float) -> str:
    """A duration with a unit that fits: ``0.35 s``, ``12 s``, ``14 min``, ``4.6 h``, ``3.1 d``.

    Two significant digits below 10 of the unit, whole units above; ``-`` when not finite.
    """
    if not math.isfinite(seconds):
        return "-"
    for unit, size in (("d", 86400.0), ("h", 3600.0), ("min", 60.0)):
        if seconds >= size:
            value = seconds / size
            return f"{value:.2g} {unit}" if value < 10 else f"{value:.0f} {unit}"
    return f"{seconds:.2g} s" if seconds < 10 else f"{seconds:.0f} s"
