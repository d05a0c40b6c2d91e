"""Exception and warning classes of the :mod:`metafeatures` package."""

from __future__ import annotations

__all__ = [
    "AmbiguousTaskError",
    "EmptyTableError",
    "InvalidParameterError",
    "InvalidTableError",
    "MetafeatureError",
    "MetafeatureWarning",
    "TargetError",
]


class MetafeatureError(ValueError):
    """Root of every error raised by :mod:`metafeatures` for bad user input.

    It subclasses :class:`ValueError`, so ``except ValueError`` keeps working.
    """


class EmptyTableError(MetafeatureError):
    """The table has no rows or no columns (maybe after dropping rows with a missing target)."""


class InvalidTableError(MetafeatureError):
    """``X`` cannot be read as a two-dimensional table (wrong type or shape)."""


class TargetError(MetafeatureError):
    """``y`` is unusable: wrong length, wrong shape, all missing, or a dtype the task cannot use."""


class AmbiguousTaskError(TargetError):
    """The task cannot be inferred from ``y``; pass ``task="classification"/"regression"``."""


class InvalidParameterError(MetafeatureError):
    """A keyword argument of :func:`metafeatures.extract` has an invalid value."""


class MetafeatureWarning(UserWarning):
    """Something was adjusted on the way: rows dropped, values replaced, groups skipped."""
