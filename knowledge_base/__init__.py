"""Knowledge base of past runs: the store, its builders, and the candidate portfolio.

``knowledge_base`` never imports ``autometa``; ``autometa`` composes it with ``metafeatures``.
"""

from __future__ import annotations

from knowledge_base._schema import (
    CLASSIFICATION_METRICS,
    METRICS,
    REGRESSION_METRICS,
    SCHEMA_VERSION,
    TABLES,
    CorruptKnowledgeBaseError,
    IncompatibleKnowledgeBaseError,
    KnowledgeBaseError,
    MissingKnowledgeBaseError,
)
from knowledge_base._store import KnowledgeBase, default_path

__all__ = [
    "CLASSIFICATION_METRICS",
    "METRICS",
    "REGRESSION_METRICS",
    "SCHEMA_VERSION",
    "TABLES",
    "CorruptKnowledgeBaseError",
    "IncompatibleKnowledgeBaseError",
    "KnowledgeBase",
    "KnowledgeBaseError",
    "MissingKnowledgeBaseError",
    "default_path",
]
