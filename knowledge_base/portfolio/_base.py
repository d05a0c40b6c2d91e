"""The one definition of a candidate algorithm: estimator factory, defaults, search space."""

from __future__ import annotations

import abc
import math
from collections.abc import Mapping
from typing import Any

from optuna.distributions import (
    BaseDistribution,
    CategoricalDistribution,
    FloatDistribution,
    IntDistribution,
)
from sklearn.base import BaseEstimator
from sklearn.pipeline import Pipeline

from knowledge_base._schema import TASK_TYPES
from knowledge_base.portfolio._preprocessing import make_preprocessor

__all__ = ["TASKS", "Algorithm", "UnknownTaskError"]

TASKS = TASK_TYPES


class UnknownTaskError(ValueError):
    """A task type other than ``"classification"`` or ``"regression"`` was given."""


def check_task(task: str) -> str:
    """Return ``task`` if it is a known task type, else raise :class:`UnknownTaskError`."""
    if task not in TASKS:
        raise UnknownTaskError(f"task must be one of {TASKS}, got {task!r}")
    return task


class Algorithm(abc.ABC):
    """A candidate algorithm of the portfolio.

    Subclasses declare, per task, the library defaults (in the portfolio's own parameter
    names), an Optuna search space over the same names, and build a complete scikit-learn
    pipeline (preprocessing included) from a parameter dict.  The same object serves the
    evaluation campaign, the meta-model and the tuner.

    Lifecycle: ``defaults(task)`` and ``search_space(task)`` describe; ``adapt(params, ...)``
    clips a configuration to a table's size; ``build(params, task=...)`` returns an unfitted
    pipeline.
    """

    #: Short stable identifier, e.g. ``"random_forest"``.
    name: str
    #: Human-readable label.
    label: str
    #: How categorical columns are encoded: ``"onehot"`` or ``"ordinal"``.
    encoding: str = "onehot"
    #: Whether numeric columns are standardised.
    scale: bool = True
    #: Whether missing numeric values are imputed (False: the model handles NaN itself).
    impute: bool = True
    #: How fit time grows with training rows beyond the knowledge base's timed fits:
    #: ``time ~ rows ** fit_time_exponent``.  Measured on LCDB's learning curves at >= 1,000
    #: rows (``benchmarks/fit_time_scaling.py``): about 1 for trees, boosting, MLPs,
    #: linear models and kNN (medians 0.7-1.2), about 2 for kernel SVMs.
    fit_time_exponent: float = 1.0
    #: A fixed cost of a fit counted in rows: ``time ~ (rows + fit_time_overhead_rows) **
    #: fit_time_exponent``, so that the time of small fits (per tree, per iteration)
    #: is not extrapolated as if it grew with the rows (``benchmarks/fit_time_growth.py``).
    fit_time_overhead_rows: float = 0.0
    #: How fit time grows with the table's columns beyond the knowledge base's widest timed fit:
    #: ``time ~ columns ** fit_time_column_exponent`` (of a configuration:
    #: :meth:`column_exponent`).  Measured on corpus tables widened from 16 to 4,096
    #: columns (``benchmarks/fit_time_width.py``): 0.75-1.03 for boosting, linear models,
    #: kNN and SVMs; the campaign timed nothing wider than 279 columns.
    fit_time_column_exponent: float = 1.0

    def column_exponent(self, params: Mapping[str, Any]) -> float:
        """How a configuration's fit time grows with columns (``time ~ columns ** e``)."""
        return float(self.fit_time_column_exponent)

    @abc.abstractmethod
    def defaults(self, task: str) -> dict[str, Any]:
        """Library default configuration, in the portfolio's parameter names."""

    @abc.abstractmethod
    def search_space(self, task: str) -> dict[str, BaseDistribution]:
        """Optuna distributions over the portfolio's parameter names."""

    @abc.abstractmethod
    def make_estimator(self, params: Mapping[str, Any], task: str,
                       random_state: int) -> BaseEstimator:
        """Build the bare estimator (no preprocessing) from portfolio parameters."""

    def adapt(self, params: Mapping[str, Any], *, n_samples: int,
              n_features: int) -> dict[str, Any]:
        """Clip a configuration so that it is valid on a table of the given size.

        Parameters
        ----------
        params : mapping
            Portfolio parameters.
        n_samples : int
            Number of training rows the pipeline will be fitted on.
        n_features : int
            Number of input columns.

        Returns
        -------
        dict
            A copy of ``params`` with data-size-dependent values clipped.
        """
        return dict(params)

    def build(self, params: Mapping[str, Any] | None = None, *, task: str,
              random_state: int = 0) -> Pipeline:
        """Return an unfitted pipeline (preprocessing + estimator) for ``params``.

        Parameters missing from ``params`` take their default value.
        """
        check_task(task)
        merged = {**self.defaults(task), **dict(params or {})}
        unknown = set(merged) - set(self.defaults(task)) - set(self.search_space(task))
        if unknown:
            raise ValueError(f"unknown parameters for {self.name}: {sorted(unknown)}")
        preprocess = make_preprocessor(encoding=self.encoding, scale=self.scale,
                                       impute=self.impute)
        model = self.make_estimator(merged, task, random_state)
        return Pipeline([("preprocess", preprocess), ("model", model)])

    def supports(self, task: str) -> bool:
        """Whether the algorithm is defined for ``task``."""
        return task in TASKS

    def in_space(self, params: Mapping[str, Any], task: str) -> dict[str, Any]:
        """The subset of ``params`` representable in this algorithm's search space.

        Values outside a numeric range are clipped to it; categorical values that are
        not among the choices and non-numeric values of numeric parameters are dropped.
        """
        space = self.search_space(task)
        kept: dict[str, Any] = {}
        for key, value in params.items():
            dist = space.get(key)
            if dist is None:
                continue
            fitted = fit_to_distribution(value, dist)
            if fitted is not None:
                kept[key] = fitted
        return kept

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r})"


def fit_to_distribution(value: Any, dist: BaseDistribution) -> Any | None:
    """Clip ``value`` into ``dist``; ``None`` when it cannot be represented there."""
    if isinstance(dist, CategoricalDistribution):
        return value if value in dist.choices else None
    if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value):
        return None
    if isinstance(dist, IntDistribution):
        clipped = int(min(max(round(value), dist.low), dist.high))
        if dist.step != 1:
            clipped = dist.low + round((clipped - dist.low) / dist.step) * dist.step
        return clipped
    if isinstance(dist, FloatDistribution):
        return float(min(max(float(value), dist.low), dist.high))
    return None
