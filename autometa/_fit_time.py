"""How long one fit of a configuration takes on a table (the meta-model's time estimate).

:class:`FitTimeModel` is a LightGBM model of ``log10(seconds / (rows + c) ** b)`` on the
rows fitted, the table's meta-features and the configuration's features, where ``b`` is the
algorithm's :attr:`~knowledge_base.portfolio.Algorithm.fit_time_exponent` (1 for most
algorithms, about 2 for kernel SVMs; measured on LCDB by ``benchmarks/fit_time_scaling.py``)
and ``c`` its :attr:`~knowledge_base.portfolio.Algorithm.fit_time_overhead_rows` (a fixed
cost, per tree or iteration, counted in rows; ``benchmarks/fit_time_growth.py``).  Trees
cannot extrapolate a total time; modelled per ``(rows + c) ** b``, a table larger than every
timed fit takes ``((rows + c) / (timed rows + c)) ** b`` longer instead of as long as the
largest one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import lightgbm
import numpy as np

from knowledge_base.portfolio import fit_time_exponent, fit_time_overhead_rows

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
        Model of ``log10(seconds / rows ** b)`` on log10(rows), the meta-features and the
        configuration features.
    rows_column : int or None
        Position of the row count among the meta-features (set to the rows fitted: a
        timed fit may have used a sample of a larger dataset); ``None`` if absent.
    """

    def __init__(self, booster: lightgbm.Booster, rows_column: int | None) -> None:
        self.booster = booster
        self.rows_column = rows_column

    @classmethod
    def fit(cls, rows: np.ndarray, metafeatures: np.ndarray, config_features: np.ndarray,
            algorithms: Sequence[str], log10_seconds: np.ndarray, *, rows_column: int | None,
            train: Callable[[np.ndarray, np.ndarray], lightgbm.Booster]
            ) -> FitTimeModel | None:
        """Fit on timed fits (one per row of the arrays); ``None`` below 20 usable ones.

        ``train(design, target)`` fits the booster (the meta-model's LightGBM settings).
        """
        rows = np.asarray(rows, dtype=float)
        target = np.asarray(log10_seconds, dtype=float) - _log_scale(rows, algorithms)
        usable = np.isfinite(target)
        if usable.sum() < 20:
            return None
        design = _design(rows[usable], np.asarray(metafeatures)[usable],
                         np.asarray(config_features)[usable], rows_column)
        return cls(train(design, target[usable]), rows_column)

    def predict(self, rows: float, metafeatures: np.ndarray, config_features: np.ndarray,
                algorithms: Sequence[str]) -> np.ndarray:
        """Expected seconds of each configuration on one table of ``rows`` rows."""
        n = len(config_features)
        if not (np.isfinite(rows) and rows > 0):
            return np.full(n, np.nan)
        design = _design(np.full(n, float(rows)),
                         np.broadcast_to(metafeatures, (n, len(metafeatures))),
                         config_features, self.rows_column)
        return 10.0 ** (self.booster.predict(design) + _log_scale(float(rows), algorithms))
