"""How long one fit of a configuration takes on a table (the meta-model's time estimate).

:class:`FitTimeModel` is a LightGBM model of ``log10(seconds / (rows + c) ** b)`` on the
rows fitted, the table's meta-features and the configuration's features, where ``b`` is the
algorithm's :attr:`~knowledge_base.portfolio.Algorithm.fit_time_exponent` (1 for most
algorithms, about 2 for kernel SVMs; measured on LCDB by ``benchmarks/fit_time_scaling.py``)
and ``c`` its :attr:`~knowledge_base.portfolio.Algorithm.fit_time_overhead_rows` (a fixed
cost, per tree or iteration, counted in rows; ``benchmarks/fit_time_growth.py``).  Trees
cannot extrapolate a total time; modelled per ``(rows + c) ** b``, a table larger than every
timed fit takes ``((rows + c) / (timed rows + c)) ** b`` longer instead of as long as the
largest one.  Likewise a table wider than every timed fit of an algorithm takes
``(columns / widest timed) ** e`` longer than the trees say, with ``e`` the configuration's
:func:`~knowledge_base.portfolio.fit_time_column_exponent` (``benchmarks/fit_time_width.py``;
within the timed widths the trees alone decide, which predicts held-out datasets better).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import lightgbm
import numpy as np
import pandas as pd

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


def _log_scale(rows: np.ndarray | float, algorithms: Sequence[str]) -> np.ndarray:
    """``exponent * log10(rows + overhead)`` of each algorithm: how its fit time scales.

    ``time ~ (rows + overhead) ** exponent`` (``fit_time_exponent``,
    ``fit_time_overhead_rows``); NaN where ``rows`` is not positive.
    """
    names = sorted(set(algorithms))
    exponent = dict(zip(names, map(fit_time_exponent, names), strict=True))
    overhead = dict(zip(names, map(fit_time_overhead_rows, names), strict=True))
    rows = np.broadcast_to(np.asarray(rows, dtype=float), (len(algorithms),))
    scaled = rows + np.array([overhead[name] for name in algorithms])
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(rows > 0, np.array([exponent[name] for name in algorithms])
                        * np.log10(scaled), np.nan)


def _log_width_growth(columns: float, widest: Mapping[str, float],
                      configs: Sequence[Configuration]) -> np.ndarray:
    """How much longer each configuration takes than the trees say, in log10 seconds.

    ``e * log10(columns / widest)`` beyond its algorithm's widest timed table
    (``fit_time_column_exponent``); 0 within it, or where a width is unknown.
    """
    out = np.zeros(len(configs))
    if not (np.isfinite(columns) and columns > 0):
        return out
    for i, config in enumerate(configs):
        bound = widest.get(config.algorithm, np.nan)
        if np.isfinite(bound) and columns > bound > 0:
            out[i] = fit_time_column_exponent(config) * np.log10(columns / bound)
    return out


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
        Model of ``log10(seconds / (rows + c) ** b)`` on log10(rows), the meta-features and
        the configuration features.
    rows_column : int or None
        Position of the row count among the meta-features (set to the rows fitted: a
        timed fit may have used a sample of a larger dataset); ``None`` if absent.
    columns_column : int or None
        Position of the column count among the meta-features; ``None`` if absent (no
        growth with columns beyond the timed ones then).
    widest_columns : dict, optional
        The widest timed table of each algorithm (columns).
    """

    def __init__(self, booster: lightgbm.Booster, rows_column: int | None,
                 columns_column: int | None = None,
                 widest_columns: Mapping[str, float] | None = None) -> None:
        self.booster = booster
        self.rows_column = rows_column
        self.columns_column = columns_column
        self.widest_columns = dict(widest_columns or {})

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
        algorithms = [config.algorithm for config in configs]
        target = np.asarray(log10_seconds, dtype=float) - _log_scale(rows, algorithms)
        usable = np.isfinite(target)
        if usable.sum() < 20:
            return None
        widest: dict[str, float] = {}
        if columns_column is not None:
            timed = pd.DataFrame({"algorithm": algorithms,
                                  "columns": metafeatures[:, columns_column]})[usable]
            widest = timed.groupby("algorithm")["columns"].max().dropna().to_dict()
        design = _design(rows[usable], metafeatures[usable],
                         np.asarray(config_features)[usable], rows_column)
        return cls(train(design, target[usable]), rows_column, columns_column, widest)

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
        log_seconds = self.booster.predict(design) + _log_scale(
            float(rows), [config.algorithm for config in configs])
        # a model pickled before widths were kept has neither attribute: no width growth
        column = getattr(self, "columns_column", None)
        if column is not None:
            log_seconds += _log_width_growth(float(metafeatures[column]),
                                             getattr(self, "widest_columns", {}), configs)
        return 10.0 ** log_seconds
