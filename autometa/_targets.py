"""What the meta-model learns: one metric per dataset, its scores normalised per dataset.

Raw metrics are not comparable across datasets (an AUC of 0.8 is poor on one, the best
possible on another); :func:`normalize_scores` puts each dataset's scores on ``[0, 1]``.
:func:`resolve_metric` gives the metric chain of a task (the first metric a dataset has).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from autometa._exceptions import InvalidInputError
from knowledge_base import CLASSIFICATION_METRICS, METRICS, REGRESSION_METRICS
from knowledge_base.portfolio import TASKS

__all__ = ["DEFAULT_METRICS", "TASK_METRICS", "normalize_scores", "resolve_metric"]

#: Metric chain per task: the first is used on every dataset that has it, the next where
#: a dataset lacks it (e.g. OpenML runs that only report accuracy).
DEFAULT_METRICS: dict[str, tuple[str, ...]] = {
    "classification": ("roc_auc", "accuracy"),
    "regression": ("rmse", "r2"),
}
TASK_METRICS = {"classification": CLASSIFICATION_METRICS, "regression": REGRESSION_METRICS}

_NEAR_ZERO = 1e-12


def normalize_scores(scores: pd.DataFrame, *, higher_is_better: bool = True,
                     failures: pd.DataFrame | None = None,
                     method: str = "minmax") -> pd.DataFrame:
    """Put each dataset's scores on a common ``[0, 1]`` scale (1 = best on that dataset).

    Parameters
    ----------
    scores : DataFrame
        Datasets x configurations of one metric; ``NaN`` = not evaluated.
    higher_is_better : bool
        Direction of the metric.
    failures : DataFrame of bool, optional
        Same shape: ``True`` where the configuration failed or timed out on the dataset.
        A failure counts as the worst result there (0).
    method : {"minmax", "rank"}
        ``"minmax"``: ``(score - low) / (best - low)`` where ``low`` is the worst score,
        but never below ``median - 3 * (best - median)`` so that one catastrophic run does
        not squash every other configuration to 1 (scores below are clipped to 0).
        ``"rank"``: the average-rank percentile among the configurations evaluated there.

    Returns
    -------
    DataFrame
        Same shape; a dataset whose configurations all scored the same (and none failed)
        carries no information about their order and is left entirely ``NaN``.
    """
    if method not in ("minmax", "rank"):
        raise InvalidInputError(f"normalization must be 'minmax' or 'rank', got {method!r}")
    values = scores.to_numpy(dtype=float, copy=True)
    values[~np.isfinite(values)] = np.nan
    if not higher_is_better:
        values = -values
    failed = np.zeros(values.shape, dtype=bool)
    if failures is not None:
        if not (failures.index.equals(scores.index) and failures.columns.equals(scores.columns)):
            failures = failures.reindex(index=scores.index, columns=scores.columns)
        failed = failures.fillna(False).to_numpy(dtype=bool) & np.isnan(values)
    # normalised in place, row by row (the matrix can hold 10^7-10^8 cells)
    for row in range(values.shape[0]):
        observed = ~np.isnan(values[row])
        if not observed.any():
            values[row, failed[row]] = 0.0
            continue
        vals = values[row, observed]
        best = vals.max()
        if method == "minmax":
            median = float(np.median(vals))
            low = max(vals.min(), median - 3.0 * (best - median))
            spread = best - low
            if spread <= _NEAR_ZERO * max(1.0, abs(best)):
                if not failed[row].any():
                    values[row] = np.nan
                    continue
                values[row, observed] = 1.0
            else:
                values[row, observed] = np.clip((vals - low) / spread, 0.0, 1.0)
            values[row, failed[row]] = 0.0
        else:
            combined = np.where(failed[row], -np.inf, values[row])
            usable = observed | failed[row]
            ranks = pd.Series(combined[usable]).rank(method="average").to_numpy()
            if usable.sum() < 2 or np.ptp(ranks) == 0:
                values[row] = np.nan
                continue
            values[row, usable] = (ranks - 1.0) / (usable.sum() - 1.0)
    return pd.DataFrame(values, index=scores.index, columns=scores.columns, copy=False)


def resolve_metric(task: str, metric: str | None) -> tuple[str, ...]:
    """The metric chain for a task: ``(metric,)`` if given, else the default chain.

    Raises
    ------
    InvalidInputError
        If ``metric`` is unknown or belongs to the other task type.
    """
    if task not in TASKS:
        raise InvalidInputError(f"task must be one of {TASKS}, got {task!r}")
    if metric is None:
        return DEFAULT_METRICS[task]
    if metric not in METRICS:
        raise InvalidInputError(f"unknown metric {metric!r}; known metrics: {sorted(METRICS)}")
    if metric not in TASK_METRICS[task]:
        raise InvalidInputError(f"metric {metric!r} does not apply to {task}; use one of "
                                f"{sorted(TASK_METRICS[task])}")
    return (metric,)
