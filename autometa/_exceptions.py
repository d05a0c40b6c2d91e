"""The errors of autometa: one root, and a ``ValueError`` subclass for bad input."""

from __future__ import annotations

__all__ = ["AutometaError", "InvalidInputError"]


class AutometaError(Exception):
    """Root of the errors raised by autometa itself."""


class InvalidInputError(AutometaError, ValueError):
    """An argument given to autometa cannot be used; the message names it and the fix.

    Raised early, before any model is fitted: a target that is not a column, an empty
    table, a single class, an unknown task or metric, a knowledge base of the wrong type,
    meta-data whose tables do not line up.
    """
