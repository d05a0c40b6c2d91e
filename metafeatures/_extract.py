"""The public entry points: :func:`extract` and :func:`list_metafeatures`."""

from __future__ import annotations

import numbers
import time
import warnings
from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from ._base import ComputeContext, MetafeatureGroup
from ._exceptions import InvalidParameterError, MetafeatureWarning
from ._general import GeneralGroup
from ._info_theory import InfoTheoryGroup
from ._landmarkers import LandmarkerGroup
from ._model_based import ModelBasedGroup
from ._statistical import StatisticalGroup
from ._table import TASKS, prepare_table

__all__ = ["GROUPS", "extract", "list_metafeatures"]

_ORDER: tuple[MetafeatureGroup, ...] = (
    GeneralGroup(),
    StatisticalGroup(),
    InfoTheoryGroup(),
    ModelBasedGroup(),
    LandmarkerGroup(),
)
#: The registered meta-feature groups, by name, in the order they are computed.
GROUPS: Mapping[str, MetafeatureGroup] = MappingProxyType({g.name: g for g in _ORDER})
#: Fewest columns a per-attribute group may be narrowed to by the time budget (else skipped).
MIN_COLUMNS = 20


def _resolve_groups(groups: str | Iterable[str] | None) -> list[str]:
    if groups is None:
        return list(GROUPS)
    requested = [groups] if isinstance(groups, str) else list(groups)
    unknown = [g for g in requested if g not in GROUPS]
    if unknown:
        raise InvalidParameterError(
            f"Unknown meta-feature group(s) {unknown}; choose among {list(GROUPS)}."
        )
    if not requested:
        raise InvalidParameterError(f"groups is empty; choose among {list(GROUPS)} or pass None.")
    return [g for g in GROUPS if g in requested]


def _check_parameters(random_state: Any, time_budget: Any) -> None:
    if isinstance(random_state, bool) or not isinstance(random_state, numbers.Integral):
        raise InvalidParameterError(
            f"random_state must be a non-negative integer, got {random_state!r}."
        )
    if random_state < 0 or random_state > 2**32 - 1:
        raise InvalidParameterError(
            f"random_state must be an integer in [0, 2**32 - 1], got {random_state}."
        )
    if time_budget is not None and (
        isinstance(time_budget, bool)
        or not isinstance(time_budget, numbers.Real)
        or not np.isfinite(time_budget)
        or time_budget <= 0
    ):
        raise InvalidParameterError(
            f"time_budget must be a positive number of seconds or None, got {time_budget!r}."
        )


def extract(
    X: Any,
    y: Any = None,
    *,
    task: str | None = None,
    groups: str | Iterable[str] | None = None,
    random_state: int = 0,
    time_budget: float | None = None,
) -> pd.Series:
    """Compute meta-features describing a tabular dataset.

    Parameters
    ----------
    X : pandas.DataFrame or numpy.ndarray
        Feature table (not including the target). Categorical, boolean and string columns
        are nominal; numeric, datetime and timedelta columns numeric; see
        :mod:`metafeatures` for the full type rules.
    y : array-like or pandas.Series, optional
        Target, one value per row of ``X`` (matched by position). Rows whose target is
        missing are dropped with a :class:`MetafeatureWarning`. Without ``y`` only the
        target-free meta-features are returned.
    task : {"classification", "regression"}, optional
        The learning task; inferred from ``y`` with :func:`infer_task` when omitted.
    groups : str or iterable of str, optional
        Groups to compute, among ``"general"``, ``"statistical"``, ``"info_theory"``,
        ``"model_based"`` and ``"landmarkers"``; all by default.
    random_state : int, default 0
        Seed of the row subsamples and of the fitted models; results are reproducible.
    time_budget : float, optional
        Seconds. Groups are computed in the order listed above; before each expensive group
        its run time is estimated, and the group is run on a smaller random subsample of
        the rows, or skipped (its meta-features NaN), when the estimate exceeds the time
        left.  Groups that summarise per-attribute values (statistical, information-
        theoretic) are run on a random subset of the columns of a wide table instead of
        being skipped (at least :data:`MIN_COLUMNS`).
        Landmarkers also stop starting new learners once the budget is spent. What was
        skipped or subsampled is reported in a :class:`MetafeatureWarning` and in
        ``result.attrs``. The ``general`` group always runs.

    Returns
    -------
    pandas.Series
        Float meta-features indexed by name, sorted by name. NaN marks a value that is
        undefined for this table (or skipped by the time budget). ``attrs`` holds ``task``,
        ``n_rows``, ``subsampled_rows`` (group -> rows used), ``subsampled_columns``
        (group -> feature columns used), ``skipped`` (names left NaN by the time budget)
        and ``notes``.

    Raises
    ------
    EmptyTableError
        If ``X`` has no rows or no columns, or every target value is missing.
    InvalidTableError
        If ``X`` is not a two-dimensional table.
    TargetError
        If ``y`` has the wrong length or shape, or a dtype unusable for the task.
    AmbiguousTaskError
        If ``task`` is omitted and cannot be inferred from ``y``.
    InvalidParameterError
        If ``task``, ``groups``, ``random_state`` or ``time_budget`` is invalid.

    Examples
    --------
    >>> import pandas as pd
    >>> X = pd.DataFrame({"a": [1.0, 2.0, 3.0, 4.0], "b": ["x", "y", "x", "y"]})
    >>> mf = extract(X, ["p", "q", "p", "q"], groups=["general"])
    >>> int(mf["NumberOfFeatures"]), int(mf["NumberOfSymbolicFeatures"])
    (3, 2)
    """
    start = time.perf_counter()
    _check_parameters(random_state, time_budget)
    selected = _resolve_groups(groups)
    table = prepare_table(X, y, task=task)
    deadline = None if time_budget is None else start + float(time_budget)
    n_rows = table.n_rows
    n_columns = table.n_features + int(table.y is not None)

    values: dict[str, float] = {}
    subsampled: dict[str, int] = {}
    column_subsampled: dict[str, int] = {}
    skipped: list[str] = []
    notes: list[str] = []
    with threadpool_limits(limits=1, user_api="blas"):
        for salt, group in enumerate(_ORDER):
            if group.name not in selected:
                continue
            names = group.names(table.task)
            if not names:
                continue
            rows = n_rows if group.max_rows is None else min(n_rows, group.max_rows)
            columns = table.n_features
            if deadline is not None and group.name != "general":
                left = max(deadline - time.perf_counter(), 0.0)
                estimate = group.estimate_seconds(n_rows, n_columns)
                if estimate > left:
                    rows = int(rows * left / estimate)
                    floor = min(group.min_rows, n_rows)
                    if rows < floor and group.per_attribute:
                        # a wide table: the fewest rows allowed, and the columns that fit
                        # in this group's share of the time left
                        share = left / _per_attribute_groups_from(salt, selected, table.task)
                        share /= group.estimate_seconds(floor, n_columns)
                        columns = int(table.n_features * share)
                        if columns >= MIN_COLUMNS:
                            rows = floor
                    if rows < floor:
                        skipped.extend(names)
                        values.update(dict.fromkeys(names, float("nan")))
                        notes.append(f"{group.name}: skipped (estimated {estimate:.2f}s)")
                        continue
            context = ComputeContext(random_state=int(random_state), deadline=deadline)
            sub = table
            if rows < n_rows:
                sub = table.subsample(rows, np.random.default_rng([int(random_state), salt]))
                subsampled[group.name] = rows
            if columns < table.n_features:
                sub = sub.select_columns(
                    columns, np.random.default_rng([int(random_state), salt, 1]))
                column_subsampled[group.name] = columns
            result = dict(group.compute(sub, context))
            if sorted(result) != names:
                raise RuntimeError(
                    f"meta-feature group {group.name!r} returned {sorted(result)} instead of "
                    f"its declared names {names}"
                )
            values.update(result)
            skipped.extend(context.skipped)
            notes.extend(context.notes)
    if time_budget is not None and (skipped or subsampled or column_subsampled):
        limited = {g: r for g, r in subsampled.items() if GROUPS[g].max_rows != r}
        narrowed = (f"; on a column subsample (of {table.n_features}): {column_subsampled}"
                    if column_subsampled else "")
        warnings.warn(
            f"time_budget={time_budget}s: {len(skipped)} meta-features left NaN "
            f"({sorted(set(skipped))[:5]}{'...' if len(skipped) > 5 else ''}); "
            f"groups run on a row subsample: {limited or 'none'}{narrowed}.",
            MetafeatureWarning,
            stacklevel=2,
        )
    series = pd.Series(values, dtype=np.float64).sort_index()
    series.attrs = {
        "task": table.task,
        "n_rows": n_rows,
        "subsampled_rows": subsampled,
        "subsampled_columns": column_subsampled,
        "skipped": sorted(set(skipped)),
        "notes": notes,
    }
    return series


def _per_attribute_groups_from(position: int, selected: list[str], task: str | None) -> int:
    """How many selected per-attribute groups are still to run, from ``position`` on."""
    return sum(1 for group in _ORDER[position:]
               if group.per_attribute and group.name in selected and group.names(task))


def list_metafeatures(task: str | None = None) -> pd.DataFrame:
    """Describe every meta-feature :func:`extract` can return.

    Parameters
    ----------
    task : {"classification", "regression"}, optional
        Only list the meta-features defined for this task; all by default.

    Returns
    -------
    pandas.DataFrame
        One row per meta-feature, ordered by group then name, with columns ``name``,
        ``group``, ``description`` (the definition), ``tasks`` (comma-separated),
        ``needs_target`` (False: also computed without ``y``) and ``openml`` (True: the
        definition of the OpenML data quality of that name).

    Examples
    --------
    >>> table = list_metafeatures()
    >>> bool((table["name"] == "ClassEntropy").any())
    True
    """
    if task is not None and task not in TASKS:
        raise InvalidParameterError(
            f"task must be 'classification', 'regression' or None, got {task!r}."
        )
    rows = []
    for group in _ORDER:
        for spec in sorted(group.features, key=lambda s: s.name):
            if task is not None and task not in spec.tasks:
                continue
            rows.append(
                {
                    "name": spec.name,
                    "group": group.name,
                    "description": spec.description,
                    "tasks": ", ".join(spec.tasks),
                    "needs_target": spec.needs_target,
                    "openml": spec.openml,
                }
            )
    return pd.DataFrame(
        rows, columns=["name", "group", "description", "tasks", "needs_target", "openml"]
    )
