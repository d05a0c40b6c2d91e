"""How long one fit of a configuration takes on a table (the meta-model's time estimate).

:class:`FitTimeModel` is a LightGBM model of ``log10(seconds / ((rows + c) ** b * columns **
e))`` on the rows fitted, the table's meta-features and the configuration's features, where
``b`` is the algorithm's :attr:`~knowledge_base.portfolio.Algorithm.fit_time_exponent` (1 for
most algorithms, about 2 for kernel SVMs; measured on LCDB by
``benchmarks/fit_time_scaling.py``), ``c`` its
:attr:`~knowledge_base.portfolio.Algorithm.fit_time_overhead_rows` (a fixed cost, per tree or
iteration, counted in rows; ``benchmarks/fit_time_growth.py``) and ``e`` the configuration's
:func:`~knowledge_base.portfolio.fit_time_column_exponent` (``benchmarks/fit_time_width.py``).
Trees cannot extrapolate a total time; modelled per ``(rows + c) ** b * columns ** e``, a
table larger or wider than every timed fit takes ``((rows + c) / (timed rows + c)) ** b``
(and ``(columns / timed columns) ** e``) longer instead of as long as the largest one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import lightgbm
import numpy as np

from knowledge_base.portfolio import (
    Configuration,
    fit_time_column_exponent,
    fit_time_exponent,
    fit_time_overhead_rows,
)

__all__ = ["FitTimeModel", "as_float32"]


def as_float32(design: np.ndarray) -> np.ndarray:
    """A LightGBM design in float32, values beyond its range clipped (not overflowed to inf)."""
    limit = float(np.finfo(np.float32).max)
    return np.clip(design, -limit, limit).astype(np.float32)


def _log_scale(rows: np.ndarray | float, columns: np.ndarray | float,
               configs: Sequence[Configuration]) -> np.ndarray:
    """``b * log10(rows + c) + e * log10(columns)`` of each configuration.

    ``time ~ (rows + c) ** b * columns ** e`` (``fit_time_exponent``,
    ``fit_time_overhead_rows``, ``fit_time_column_exponent``); NaN where ``rows`` is not
    positive; no column term where the column count is unknown.
    """
    names = sorted({config.algorithm for config in configs})
    exponent = dict(zip(names, map(fit_time_exponent, names), strict=True))
    overhead = dict(zip(names, map(fit_time_overhead_rows, names), strict=True))
    rows = np.broadcast_to(np.asarray(rows, dtype=float), (len(configs),))
    columns = np.broadcast_to(np.asarray(columns, dtype=float), (len(configs),))
    scaled = rows + np.array([overhead[config.algorithm] for config in configs])
    column_exponent = np.array([fit_time_column_exponent(config) for config in configs])
    with np.errstate(divide="ignore", invalid="ignore"):
        column_term = np.where(columns > 0, column_exponent * np.log10(columns), 0.0)
        return np.where(rows > 0, np.array([exponent[config.algorithm] for config in configs])
                        * np.log10(scaled) + column_term, np.nan)


def _design(rows: np.ndarray, metafeatures: np.ndarray, config_features: np.ndarray,
            rows_column: int | None) -> np.ndarray:
    """log10(rows fitted), the meta-features (row count = rows fitted), the configuration."""
    with np.errstate(divide="ignore", invalid="ignore"):
        log_rows = np.where(rows > 0, np.log10(rows), np.nan)
    metafeatures = np.array(metafeatures, dtype=float)
    if rows_column is not None:
        metafeatures[:, rows_column] = rows
    return as_float32(np.hstack([log_rows[:, None], metafeatures, config_features]))


class FitTimeModel:
    """Seconds one fit takes, from the rows fitted, meta-features and configuration.

    Parameters
    ----------
    booster : lightgbm.Booster
        Model of ``log10(seconds / ((rows + c) ** b * columns ** e))`` on log10(rows), the
        meta-features and the configuration features.
    rows_column : int or None
        Position of the row count among the meta-features (set to the rows fitted: a
        timed fit may have used a sample of a larger dataset); ``None`` if absent.
    columns_column : int or None
        Position of the column count among the meta-features; ``None`` if absent (no
        scaling with columns then).
    """

    def __init__(self, booster: lightgbm.Booster, rows_column: int | None,
                 columns_column: int | None = None) -> None:
        self.booster = booster
        self.rows_column = rows_column
        self.columns_column = columns_column

    @staticmethod
    def _columns(metafeatures: np.ndarray, columns_column: int | None) -> np.ndarray | float:
        return np.nan if columns_column is None else metafeatures[..., columns_column]

    @classmethod
    def fit(cls, rows: np.ndarray, metafeatures: np.ndarray, config_features: np.ndarray,
            configs: Sequence[Configuration], log10_seconds: np.ndarray, *,
            rows_column: int | None, columns_column: int | None,
            train: Callable[[np.ndarray, np.ndarray], lightgbm.Booster]
            ) -> FitTimeModel | None:
        """Fit on timed fits (one per row of the arrays); ``None`` below 20 usable ones.

        ``train(design, target)`` fits the booster (the meta-model's LightGBM settings).
        """
        rows = np.asarray(rows, dtype=float)
        metafeatures = np.asarray(metafeatures, dtype=float)
        target = np.asarray(log10_seconds, dtype=float) - _log_scale(
            rows, cls._columns(metafeatures, columns_column), configs)
        usable = np.isfinite(target)
        if usable.sum() < 20:
            return None
        design = _design(rows[usable], metafeatures[usable],
                         np.asarray(config_features)[usable], rows_column)
        return cls(train(design, target[usable]), rows_column, columns_column)

    def predict(self, rows: float, metafeatures: np.ndarray, config_features: np.ndarray,
                configs: Sequence[Configuration]) -> np.ndarray:
        """Expected seconds of each configuration on one table of ``rows`` rows."""
        n = len(config_features)
        if not (np.isfinite(rows) and rows > 0):
            return np.full(n, np.nan)
        metafeatures = np.asarray(metafeatures, dtype=float)
        design = _design(np.full(n, float(rows)), np.broadcast_to(metafeatures,
                                                                   (n, len(metafeatures))),
                         config_features, self.rows_column)
        # a model pickled before columns were modelled has no columns_column: no column term
        columns = self._columns(metafeatures, getattr(self, "columns_column", None))
        return 10.0 ** (self.booster.predict(design) + _log_scale(float(rows), columns, configs))
