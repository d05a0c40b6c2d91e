"""The errors of autometa: one root, and a ``ValueError`` subclass for bad input."""

from __future__ import annotations

__all__ = ["AutometaError", "InvalidInputError"]


class AutometaError(Exception):
    """Root of the errors raised by autometa itself.

    The packages it composes have their own: :class:`knowledge_base.KnowledgeBaseError`
    (a missing or damaged knowledge base) and :class:`metafeatures.MetafeatureError`
    pass through unchanged.  All of them, and :class:`InvalidInputError`, are
    ``ValueError`` subclasses.
    """


class InvalidInputError(AutometaError, ValueError):
    """An argument given to autometa cannot be used; the message names it and the fix.

    Raised early, before any model is fitted: a target that is not a column, an empty
    table, a single class, an unknown task or metric, a knowledge base of the wrong type,
    meta-data whose tables do not line up.
    """
