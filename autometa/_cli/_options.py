"""Parsers of the commands' option values, checked before any work.

A bad option value is a usage error: passed as ``typer.Option(parser=...)``, a parser's
:class:`typer.BadParameter` makes typer print the usage and the problem and exit with
status 2, as for an unknown option.  The choices are spelled out here instead of imported, so that
``autometa --help`` does not import scikit-learn; a test checks that they are the
library's.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from typer import BadParameter

__all__ = ["ALGORITHM", "GROUP", "JOBS", "METRIC", "MISSING", "SAMPLER", "SECONDS", "SEED",
           "SHARE", "TASK", "TASKS", "METRICS", "ALGORITHMS", "SAMPLERS", "GROUPS"]

#: ``knowledge_base.portfolio.TASKS``.
TASKS = ("classification", "regression")
#: ``knowledge_base.METRICS``.
METRICS = ("accuracy", "balanced_accuracy", "log_loss", "roc_auc", "mae", "r2", "rmse")
#: ``knowledge_base.portfolio.algorithm_names()``.
ALGORITHMS = ("lightgbm", "hist_gradient_boosting", "random_forest", "extra_trees", "linear",
              "svm", "knn", "mlp")
#: ``autometa._tune.SAMPLERS``.
SAMPLERS = ("meta", "tpe", "random")
#: ``metafeatures.GROUPS``.
GROUPS = ("general", "statistical", "info_theory", "model_based", "landmarkers")


def _choice(choices: Sequence[str]) -> Callable[[Any], str]:
    """One of ``choices``, in any case."""

    def parse(value: Any) -> str:
        text = str(value)
        for choice in choices:
            if text.lower() == choice:
                return choice
        raise BadParameter(f"{text!r} is not one of {', '.join(choices)}")

    return parse


def _integer(text: Any) -> int:
    try:
        return int(text)
    except (TypeError, ValueError):
        raise BadParameter(f"{text!r} is not an integer") from None


def _number(text: Any) -> float:
    try:
        return float(text)
    except (TypeError, ValueError):
        raise BadParameter(f"{text!r} is not a number") from None


def _seed(value: Any) -> int:
    """A NumPy seed: an integer in [0, 2**32 - 1]."""
    number = _integer(value)
    if not 0 <= number <= 2**32 - 1:
        raise BadParameter(f"{number} is not in [0, 2**32 - 1] (4294967295)")
    return number


def _seconds(value: Any) -> float:
    """A positive duration."""
    number = _number(value)
    if not number > 0:
        raise BadParameter(f"{value} is not a positive number of seconds")
    return number


def _share(value: Any) -> float:
    """A share of a whole, in (0, 1]."""
    number = _number(value)
    if not 0 < number <= 1:
        raise BadParameter(f"{value} is not in (0, 1]")
    return number


def _jobs(value: Any) -> int:
    """A number of worker processes: a positive integer, or -1 for one per core."""
    number = _integer(value)
    if number != -1 and number < 1:
        raise BadParameter(f"{number} is not a positive integer or -1 (one per core)")
    return number


TASK = _choice(TASKS)
METRIC = _choice(METRICS)
ALGORITHM = _choice(ALGORITHMS)
SAMPLER = _choice(SAMPLERS)
GROUP = _choice(GROUPS)
MISSING = _choice(("exclude", "failure"))
SEED = _seed
SECONDS = _seconds
SHARE = _share
JOBS = _jobs
