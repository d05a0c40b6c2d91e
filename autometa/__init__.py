"""autometa: what to try first on a new table, learned from hundreds of past datasets.

The public API is small:

- :func:`read_table` reads a CSV, Parquet or ARFF file as the command line does;
- :func:`recommend` ranks the portfolio's algorithms and concrete configurations for a table;
- :func:`tune` runs a warm-started Optuna study, :func:`warm_start` seeds a user's own study,
  :class:`MetaLearnedSampler` uses the meta-model as a prior inside Optuna, over an objective
  that draws its configuration with :func:`suggest_configuration`;
- :class:`MetaModel` is the scikit-learn-style meta-learner behind them;
- :class:`KnowledgeBase` is the store of past runs (re-exported from ``knowledge_base``).
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_EXPORTS = {
    "read_table": "autometa._io",
    "recommend": "autometa._recommend",
    "Recommendation": "autometa._recommend",
    "MetaModel": "autometa._metamodel",
    "tune": "autometa._tune",
    "warm_start": "autometa._warm_start",
    "TuneResult": "autometa._tune",
    "MetaLearnedSampler": "autometa._sampler",
    "suggest_configuration": "autometa._search_space",
    "evaluate": "autometa._evaluate",
    "EvaluationReport": "autometa._evaluate",
    "Strategy": "autometa._evaluate",
    "KnowledgeBase": "knowledge_base",
    "AutometaError": "autometa._exceptions",
    "InvalidInputError": "autometa._exceptions",
}

__all__ = sorted(_EXPORTS) + ["__version__"]


def __getattr__(name: str) -> Any:
    """Import public names lazily so that ``import autometa`` stays fast."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'autometa' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
