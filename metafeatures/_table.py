"""Input validation and conversion of user tables into a :class:`PreparedTable`.

Every meta-feature group works on the same prepared representation, so the (messy) type
handling lives in one place:

* pandas ``category`` columns are nominal with their *declared* categories (as in an ARFF
  header), booleans are nominal with two values, object/string columns are nominal with their
  sorted distinct values (numbers stored as strings stay nominal).
* Integer, float and nullable numeric columns are numeric, and so are datetimes and
  timedeltas (converted to seconds since the epoch / seconds). Integer-coded categories are
  therefore numeric: cast them to ``category`` to have them treated as nominal.
* ``+/-inf`` are treated as missing, and finite values beyond float32's range are clipped to
  it (each with a :class:`MetafeatureWarning`).
* Column names are irrelevant (duplicates and non-string names are fine): columns are used
  by position.
* Rows whose target is missing are dropped (with a warning giving the count).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Literal

import numpy as np
import pandas as pd
from pandas.api import types as ptypes
from pyarrow import types as pa_types

from ._exceptions import (
    AmbiguousTaskError,
    EmptyTableError,
    InvalidParameterError,
    InvalidTableError,
    MetafeatureWarning,
    TargetError,
)

__all__ = ["PreparedTable", "Task", "infer_task", "prepare_table"]

Task = Literal["classification", "regression"]
TASKS: tuple[str, ...] = ("classification", "regression")

#: Integer targets with at most this many distinct values (and at most ``n / 5``) are classes.
MAX_CLASSES_FOR_INFERENCE = 20
#: Integer targets with more distinct values than this (or more than ``n / 2``) are regression.
MIN_DISTINCT_FOR_REGRESSION = 50


@dataclass(frozen=True, eq=False)
class PreparedTable:
    """A validated table split into a numeric block, a nominal block and the target.

    Attributes
    ----------
    numeric : numpy.ndarray
        ``(n_rows, n_numeric)`` float64 array; missing values are NaN.
    nominal : numpy.ndarray
        ``(n_rows, n_nominal)`` int32 array of category codes; missing values are -1.
    nominal_levels : numpy.ndarray
        Number of declared categories of each nominal column.
    column_kinds : tuple of (str, int)
        For each original column, in order, ``("numeric", j)`` or ``("nominal", j)``: where it
        went. Algorithms whose result depends on the column order (Weka's naive Bayes) use it.
    y : numpy.ndarray or None
        Classification: int codes in ``[0, n_classes)``; regression: float64. No missing values.
    task : str or None
        ``"classification"``, ``"regression"`` or None when no target was given.
    n_classes : int
        Number of declared classes (classification), else 0.
    n_datetime : int
        How many columns were datetimes or timedeltas converted to numbers.
    """

    numeric: np.ndarray
    nominal: np.ndarray
    nominal_levels: np.ndarray
    column_kinds: tuple[tuple[str, int], ...]
    y: np.ndarray | None
    task: str | None
    n_classes: int = 0
    n_datetime: int = 0
    row_index: np.ndarray | None = field(default=None, repr=False)

    @property
    def n_rows(self) -> int:
        """Number of rows."""
        return int(self.numeric.shape[0])

    @property
    def n_numeric(self) -> int:
        """Number of numeric feature columns."""
        return int(self.numeric.shape[1])

    @property
    def n_nominal(self) -> int:
        """Number of nominal feature columns."""
        return int(self.nominal.shape[1])

    @property
    def n_features(self) -> int:
        """Number of feature columns (the target excluded)."""
        return self.n_numeric + self.n_nominal

    @cached_property
    def numeric_missing(self) -> np.ndarray:
        """Boolean mask of missing numeric cells."""
        return np.isnan(self.numeric)

    @cached_property
    def numeric_counts(self) -> np.ndarray:
        """Number of non-missing values per numeric column."""
        return self.n_rows - self.numeric_missing.sum(axis=0)

    @cached_property
    def numeric_sorted(self) -> np.ndarray:
        """Each numeric column sorted ascending (NaN last); shared by several groups."""
        return np.sort(self.numeric, axis=0)

    @cached_property
    def numeric_distinct(self) -> np.ndarray:
        """Number of distinct non-missing values per numeric column."""
        s = self.numeric_sorted
        if s.shape[0] == 0:
            return np.zeros(s.shape[1], dtype=np.int64)
        changes = (s[1:] != s[:-1]) & ~np.isnan(s[1:])
        return changes.sum(axis=0) + (self.numeric_counts > 0)

    @cached_property
    def nominal_distinct(self) -> np.ndarray:
        """Number of distinct observed (non-missing) values per nominal column."""
        counts = self.nominal_value_counts
        return np.array([int((c > 0).sum()) for c in counts], dtype=np.int64)

    @cached_property
    def nominal_value_counts(self) -> list[np.ndarray]:
        """Per nominal column, the count of each declared category (missing excluded)."""
        return _value_counts(self.nominal, self.nominal_levels)

    def subsample(self, n_rows: int, rng: np.random.Generator) -> PreparedTable:
        """Return a random subset of ``n_rows`` rows (in their original order)."""
        if n_rows >= self.n_rows:
            return self
        rows = np.sort(rng.choice(self.n_rows, size=n_rows, replace=False))
        return PreparedTable(
            numeric=self.numeric[rows],
            nominal=self.nominal[rows],
            nominal_levels=self.nominal_levels,
            column_kinds=self.column_kinds,
            y=None if self.y is None else self.y[rows],
            task=self.task,
            n_classes=self.n_classes,
            n_datetime=self.n_datetime,
            row_index=rows if self.row_index is None else self.row_index[rows],
        )

    def select_columns(self, n_columns: int, rng: np.random.Generator) -> PreparedTable:
        """Return a random subset of ``n_columns`` feature columns (in their original order)."""
        if n_columns >= self.n_features:
            return self
        chosen = np.sort(rng.choice(self.n_features, size=n_columns, replace=False))
        kinds = [self.column_kinds[i] for i in chosen]
        numeric = [j for kind, j in kinds if kind == "numeric"]
        nominal = [j for kind, j in kinds if kind == "nominal"]
        where = {("numeric", j): ("numeric", k) for k, j in enumerate(numeric)}
        where.update({("nominal", j): ("nominal", k) for k, j in enumerate(nominal)})
        return PreparedTable(
            numeric=self.numeric[:, numeric],
            nominal=self.nominal[:, nominal],
            nominal_levels=self.nominal_levels[nominal],
            column_kinds=tuple(where[kind] for kind in kinds),
            y=self.y,
            task=self.task,
            n_classes=self.n_classes,
            n_datetime=self.n_datetime,
            row_index=self.row_index,
        )


def _value_counts(codes: np.ndarray, levels: np.ndarray) -> list[np.ndarray]:
    """Count the categories of every code column with a single ``bincount``."""
    if codes.shape[1] == 0:
        return []
    offsets = np.concatenate([[0], np.cumsum(levels)[:-1]]).astype(np.int64)
    valid = codes >= 0
    flat = (codes.astype(np.int64) + offsets)[valid]
    total = np.bincount(flat, minlength=int(levels.sum()))
    return [total[o : o + v] for o, v in zip(offsets, levels, strict=True)]


# ---------------------------------------------------------------------------------------------
# X
# ---------------------------------------------------------------------------------------------


def _as_frame(X: Any) -> pd.DataFrame:
    if isinstance(X, pd.DataFrame):
        return X
    if isinstance(X, pd.Series):
        return X.to_frame()
    if hasattr(X, "toarray") and hasattr(X, "nnz"):
        raise InvalidTableError(
            "X is a sparse matrix; pass a dense numpy array or a pandas DataFrame "
            "(e.g. X.toarray())."
        )
    if isinstance(X, np.ndarray):
        if X.ndim == 1:
            raise InvalidTableError(
                f"X must be 2-dimensional (rows x columns), got a 1-d array of shape {X.shape}; "
                "use X.reshape(-1, 1) for a single column."
            )
        if X.ndim != 2:
            raise InvalidTableError(f"X must be 2-dimensional, got an array of shape {X.shape}.")
        return pd.DataFrame(X)
    if isinstance(X, (list, tuple)):
        try:
            arr = np.asarray(X, dtype=object)
        except ValueError as exc:  # ragged
            raise InvalidTableError(f"X could not be read as a table: {exc}") from exc
        if arr.ndim != 2:
            raise InvalidTableError(
                f"X must be 2-dimensional (a list of rows), got nesting depth {arr.ndim}."
            )
        return pd.DataFrame(list(X)).infer_objects()
    raise InvalidTableError(
        f"X must be a pandas DataFrame or a 2-d numpy array, got {type(X).__name__}."
    )


def _is_duration(dtype: Any) -> bool:
    """NumPy timedelta64 or Arrow duration."""
    if isinstance(dtype, pd.ArrowDtype):
        return pa_types.is_duration(dtype.pyarrow_dtype)
    return ptypes.is_timedelta64_dtype(dtype)


#: What :func:`pandas.api.types.infer_dtype` calls an object column that holds numbers,
#: datetimes or durations (converted as their type, not as levels).
_TYPED_OBJECTS = frozenset({"integer", "floating", "mixed-integer-float", "datetime",
                            "datetime64", "timedelta", "timedelta64"})


def _convert_column(s: pd.Series) -> tuple[str, np.ndarray, int, bool]:
    """Convert one column to ``(kind, values, n_levels, was_datetime)``."""
    dtype = s.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        codes = s.cat.codes.to_numpy(dtype=np.int32)
        return "nominal", codes, len(dtype.categories), False
    if ptypes.is_bool_dtype(dtype):
        values = s.to_numpy(dtype=np.float64, na_value=np.nan)
        codes = np.where(np.isnan(values), -1, values).astype(np.int32)
        return "nominal", codes, 2, False
    if ptypes.is_datetime64_any_dtype(dtype):
        if getattr(dtype, "tz", None) is not None or isinstance(dtype, pd.ArrowDtype):
            s = pd.to_datetime(s, utc=True).dt.tz_localize(None)
        # in the column's own unit: years beyond 2262 overflow nanoseconds
        secs = (s.to_numpy() - np.datetime64(0, "s")) / np.timedelta64(1, "s")
        return "numeric", secs.astype(np.float64), 0, True
    if _is_duration(dtype):
        secs = pd.to_timedelta(s).dt.total_seconds()
        return "numeric", secs.to_numpy(dtype=np.float64, na_value=np.nan), 0, True
    if ptypes.is_numeric_dtype(dtype) and not ptypes.is_complex_dtype(dtype):
        return "numeric", s.to_numpy(dtype=np.float64, na_value=np.nan), 0, False
    held = ptypes.infer_dtype(s, skipna=True) if ptypes.is_object_dtype(dtype) else ""
    if held == "decimal":  # SQL/Parquet decimal columns
        values = pd.to_numeric(s).to_numpy(dtype=np.float64, na_value=np.nan)
        return "numeric", values, 0, False
    if held == "boolean":  # True/False with gaps
        return _convert_column(s.astype("boolean"))
    if held == "date":  # datetime.date objects (pyarrow's to_pandas, SQL drivers)
        try:
            return _convert_column(pd.to_datetime(s))
        except (ValueError, OverflowError):
            pass  # beyond what datetime64 holds: levels, as text
    if held in _TYPED_OBJECTS:
        # pd.NA (Int64.astype(object) writes it) would keep numbers an object column
        inferred = s.where(s.notna(), None).infer_objects()
        if not ptypes.is_object_dtype(inferred.dtype):
            return _convert_column(inferred)
    # strings, mixed objects, periods, intervals, complex numbers...: nominal, sorted levels
    text = held == "string" or ptypes.is_string_dtype(dtype) and not held
    missing = s.isna().to_numpy(dtype=bool, copy=True)
    if not text:  # only objects of other types can hold an infinite float, or need str()
        missing |= _infinite_cells(s)
    present = s[~missing] if text else s.astype(object)[~missing].map(str)
    codes = np.full(len(s), -1, dtype=np.int32)
    if len(present):
        c, uniques = pd.factorize(present.to_numpy(dtype=object), sort=True)
        codes[~missing] = c
        n_levels = len(uniques)
    else:
        n_levels = 0
    return "nominal", codes, n_levels, False


# ---------------------------------------------------------------------------------------------
# y
# ---------------------------------------------------------------------------------------------


def _target_name(s: pd.Series) -> str:
    """``y`` in messages, with the column's name when it has one: "y ('price')"."""
    return "y" if s.name is None else f"y ({s.name!r})"


def _as_series(y: Any, n_rows: int | None) -> pd.Series:
    if isinstance(y, pd.DataFrame):
        if y.shape[1] != 1:
            raise TargetError(f"y must be one column, got a DataFrame with {y.shape[1]} columns.")
        y = y.iloc[:, 0]
    if isinstance(y, pd.Series):
        s = y.reset_index(drop=True)
    else:
        arr = np.asarray(y) if not isinstance(y, np.ndarray) else y
        if arr.ndim == 0:
            raise TargetError("y must be a 1-d array or Series, got a scalar.")
        if arr.ndim == 2 and arr.shape[1] == 1:
            arr = arr[:, 0]
        if arr.ndim != 1:
            raise TargetError(f"y must be 1-dimensional, got shape {arr.shape}.")
        s = pd.Series(arr)
        if s.dtype == object:
            s = s.infer_objects()
    if n_rows is not None and len(s) != n_rows:
        raise TargetError(
            f"y has {len(s)} values but X has {n_rows} rows; they must have the same length."
        )
    return s


def _is_integral(values: np.ndarray) -> bool:
    return bool(np.all(np.mod(values, 1.0) == 0.0))


def infer_task(y: Any) -> str:
    """Infer the learning task from a target vector.

    The rule, applied to the non-missing values of ``y``:

    1. bool, category, object or string dtype: ``"classification"``;
    2. datetime or timedelta dtype: error (not a usable target);
    3. numeric with non-integer values: ``"regression"``;
    4. integer values (integer dtype, or float holding only whole numbers), with ``k`` distinct
       values among ``n``: ``"classification"`` if ``k <= 2``, or if ``k <= 20`` and
       ``k <= n / 5``; ``"regression"`` if ``k > 50`` or ``k > n / 2``; otherwise the task is
       ambiguous and :class:`AmbiguousTaskError` asks for ``task=``.

    Parameters
    ----------
    y : array-like or pandas.Series
        Target values.

    Returns
    -------
    str
        ``"classification"`` or ``"regression"``.

    Raises
    ------
    TargetError
        If ``y`` is empty, all missing, or has an unusable dtype.
    AmbiguousTaskError
        If the rule cannot decide (a :class:`TargetError` subclass).

    Examples
    --------
    >>> infer_task(["a", "b", "a"])
    'classification'
    >>> infer_task([0.5, 1.25, 3.0])
    'regression'
    """
    s = _as_series(y, None)
    return _infer_task_series(s)


def _infer_task_series(s: pd.Series) -> str:
    dtype = s.dtype
    if isinstance(dtype, pd.CategoricalDtype) or ptypes.is_bool_dtype(dtype):
        return "classification"
    if ptypes.is_datetime64_any_dtype(dtype) or _is_duration(dtype):
        raise TargetError(f"y has dtype {dtype}; datetimes cannot be a target.")
    if not ptypes.is_numeric_dtype(dtype) or ptypes.is_complex_dtype(dtype):
        if s.notna().sum() == 0:
            raise TargetError("y has no non-missing value.")
        return "classification"
    values = s.to_numpy(dtype=np.float64, na_value=np.nan)
    values = values[np.isfinite(values)]
    if values.size == 0:
        raise TargetError("y has no finite, non-missing value.")
    if not _is_integral(values):
        return "regression"
    n = values.size
    k = int(np.unique(values).size)
    if k <= 2 or (k <= MAX_CLASSES_FOR_INFERENCE and k <= n / 5):
        return "classification"
    if k > MIN_DISTINCT_FOR_REGRESSION or k > n / 2:
        return "regression"
    raise AmbiguousTaskError(
        f"Cannot infer the task: y holds whole numbers with {k} distinct values among {n} rows "
        "(classes or a count?). Pass task='classification' or task='regression'."
    )


#: A regression target beyond float32's range is scaled by a power of two below this.
TARGET_SCALE_LIMIT = 2.0**100


def _scaled_target(values: np.ndarray) -> np.ndarray:
    """A regression target beyond float32's range, scaled by a power of two (exactly).

    Its moments and the landmarkers' errors would overflow to inf (and a target spanning
    +/-1e308 breaks the binning of the information-theoretic features); clipping it like
    ``X`` would flatten it.  Scaling keeps its shape: skewness, correlations and R^2 are
    unchanged, scale-dependent values (standard deviation, RMSE) describe the scaled target.
    """
    peak = float(np.max(np.abs(values))) if values.size else 0.0
    if peak <= float(np.finfo(np.float32).max):
        return values
    exponent = int(np.ceil(np.log2(peak / TARGET_SCALE_LIMIT)))
    warnings.warn(
        f"y reaches {peak:.3g}, beyond float32's range; it is scaled by 2**-{exponent} "
        "(skewness, correlations and R^2 are unchanged; standard deviations and RMSE "
        "describe the scaled target).",
        MetafeatureWarning,
        stacklevel=4,
    )
    return np.ldexp(values, -exponent)


def _infinite_cells(s: pd.Series) -> np.ndarray:
    """Cells of an object column holding +/-inf (missing, as in numeric columns)."""
    if not ptypes.is_object_dtype(s.dtype):
        return np.zeros(len(s), dtype=bool)
    return np.fromiter((isinstance(v, float) and math.isinf(v) for v in s), dtype=bool,
                       count=len(s))


def _all_missing(s: pd.Series) -> bool:
    """Whether every value of ``s`` is missing (or, for numbers, infinite)."""
    if ptypes.is_float_dtype(s.dtype):
        return not np.isfinite(s.to_numpy(dtype=np.float64, na_value=np.nan)).any()
    return bool(s.isna().all())


def _encode_target(s: pd.Series, task: str) -> tuple[np.ndarray, np.ndarray, int]:
    """Return ``(values, missing_mask, n_classes)`` for the target."""
    dtype = s.dtype
    if task == "classification":
        if isinstance(dtype, pd.CategoricalDtype):
            codes = s.cat.codes.to_numpy(dtype=np.int64)
            return codes, codes < 0, len(dtype.categories)
        if ptypes.is_datetime64_any_dtype(dtype) or _is_duration(dtype):
            raise TargetError(f"y has dtype {dtype}; datetimes cannot be a class label.")
        missing = s.isna().to_numpy(copy=True)  # pandas 3 views are read-only
        if ptypes.is_float_dtype(dtype):
            missing |= ~np.isfinite(s.to_numpy(dtype=np.float64, na_value=np.nan))
        present = s[~missing]
        if ptypes.is_bool_dtype(dtype):
            labels = present.to_numpy(dtype=np.int64)
            codes = np.full(len(s), -1, dtype=np.int64)
            codes[~missing] = labels
            return codes, missing, 2
        if ptypes.is_numeric_dtype(dtype) and not ptypes.is_complex_dtype(dtype):
            raw = present.to_numpy(dtype=np.float64)
        else:
            raw = present.astype(object).map(str).to_numpy(dtype=object)
        c, uniques = pd.factorize(raw, sort=True)
        codes = np.full(len(s), -1, dtype=np.int64)
        codes[~missing] = c
        return codes, missing, len(uniques)
    # regression
    if isinstance(dtype, pd.CategoricalDtype) or not (
        ptypes.is_numeric_dtype(dtype) or ptypes.is_bool_dtype(dtype)
    ):
        converted = pd.to_numeric(s.astype(object), errors="coerce")
        bad = converted.isna() & s.notna()
        if bad.any():
            example = s[bad.to_numpy()].iloc[0]
            raise TargetError(
                f"task='regression' needs a numeric {_target_name(s)}, but "
                f"{int(bad.sum())} values are not "
                f"numbers (e.g. {example!r})."
            )
        s = converted
    if ptypes.is_datetime64_any_dtype(s.dtype) or _is_duration(s.dtype):
        raise TargetError(f"{_target_name(s)} has dtype {s.dtype}; datetimes cannot be a "
                          "regression target.")
    values = s.to_numpy(dtype=np.float64, na_value=np.nan)
    missing = ~np.isfinite(values)
    return values, missing, 0


# ---------------------------------------------------------------------------------------------
# entry point
# ---------------------------------------------------------------------------------------------


def prepare_table(X: Any, y: Any = None, *, task: str | None = None) -> PreparedTable:
    """Validate ``X`` and ``y`` and convert them into a :class:`PreparedTable`.

    Parameters
    ----------
    X : pandas.DataFrame or numpy.ndarray
        The feature table.
    y : array-like, optional
        The target; rows where it is missing (or infinite) are dropped with a warning.
    task : {"classification", "regression"}, optional
        Learning task; inferred from ``y`` by :func:`infer_task` when omitted.

    Returns
    -------
    PreparedTable
        The converted table.
    """
    if task is not None and task not in TASKS:
        raise InvalidParameterError(
            f"task must be 'classification', 'regression' or None, got {task!r}."
        )
    frame = _as_frame(X)
    n_rows, n_cols = frame.shape
    if n_rows == 0:
        raise EmptyTableError("X has no rows; meta-features need at least one row.")
    if n_cols == 0:
        raise EmptyTableError("X has no columns; meta-features need at least one feature.")

    y_values: np.ndarray | None = None
    n_classes = 0
    keep: np.ndarray | None = None
    if y is None:
        if task is not None:
            raise InvalidParameterError(
                f"task={task!r} was given without y; pass the target as y (or drop task=)."
            )
    else:
        ys = _as_series(y, n_rows)
        if task is None:
            if _all_missing(ys):  # the same error as with task= given
                raise EmptyTableError(f"Every value of {_target_name(ys)} is missing; no "
                                      "row is left to describe.")
            task = _infer_task_series(ys)
        y_values, y_missing, n_classes = _encode_target(ys, task)
        n_missing = int(y_missing.sum())
        if n_missing == n_rows:
            raise EmptyTableError(f"Every value of {_target_name(ys)} is missing; no row is "
                                  "left to describe.")
        if n_missing:
            warnings.warn(
                f"Dropped {n_missing} of {n_rows} rows whose target {_target_name(ys)} is "
                f"missing or infinite; "
                f"the meta-features describe the remaining {n_rows - n_missing} rows.",
                MetafeatureWarning,
                stacklevel=3,
            )
            keep = ~y_missing
            y_values = y_values[keep]
        if task == "classification":
            y_values = y_values.astype(np.int64)
        else:
            y_values = _scaled_target(y_values)

    kinds: list[tuple[str, int]] = []
    numeric_cols: dict[int, np.ndarray] = {}  # numeric position -> values (block ones apart)
    nominal_cols: list[np.ndarray] = []
    levels: list[int] = []
    n_datetime = 0
    # plain numpy int/float columns are converted as one block (a wide table has thousands)
    plain = np.array([isinstance(dtype, np.dtype) and dtype.kind in "iuf"
                      for dtype in frame.dtypes], dtype=bool)
    block = frame.iloc[:, np.flatnonzero(plain)].to_numpy(dtype=np.float64)
    if keep is not None:
        block = block[keep]
    from_block: list[int] = []  # numeric positions filled from the block, in block order
    n_numeric = 0
    for pos in range(n_cols):
        if plain[pos]:
            kind, values, n_levels, was_dt = "numeric", None, 0, False
        else:
            kind, values, n_levels, was_dt = _convert_column(frame.iloc[:, pos])
            values = values if keep is None else values[keep]
        n_datetime += was_dt
        if kind == "numeric":
            if values is None:
                from_block.append(n_numeric)
            else:
                numeric_cols[n_numeric] = values
            kinds.append(("numeric", n_numeric))
            n_numeric += 1
        else:
            kinds.append(("nominal", len(nominal_cols)))
            nominal_cols.append(values)
            levels.append(n_levels)
    n_kept = n_rows if keep is None else int(keep.sum())
    numeric = np.empty((n_kept, n_numeric), dtype=np.float64, order="F")
    numeric[:, from_block] = block
    for position, values in numeric_cols.items():
        numeric[:, position] = values
    n_inf = int(np.isinf(numeric).sum()) if numeric.size else 0
    if n_inf:
        numeric[np.isinf(numeric)] = np.nan
        warnings.warn(
            f"X contains {n_inf} infinite values; they are treated as missing values.",
            MetafeatureWarning,
            stacklevel=3,
        )
    limit = float(np.finfo(np.float32).max)
    n_huge = 0
    if numeric.size and (np.fmax.reduce(numeric, axis=None) > limit
                         or np.fmin.reduce(numeric, axis=None) < -limit):  # NaN ignored
        n_huge = int((numeric > limit).sum() + (numeric < -limit).sum())
    if n_huge:  # scikit-learn's trees compute in float32; moments would overflow to inf
        np.clip(numeric, -limit, limit, out=numeric)
        warnings.warn(
            f"X contains {n_huge} values beyond float32's range (|x| > {limit:.3g}); they "
            "are clipped to it.",
            MetafeatureWarning,
            stacklevel=3,
        )
    nominal = _stack(nominal_cols, n_kept, np.int32)
    return PreparedTable(
        numeric=numeric,
        nominal=nominal,
        nominal_levels=np.asarray(levels, dtype=np.int64),
        column_kinds=tuple(kinds),
        y=y_values,
        task=task,
        n_classes=n_classes,
        n_datetime=n_datetime,
    )


def _stack(columns: Sequence[np.ndarray], n_rows: int, dtype: type) -> np.ndarray:
    out = np.empty((n_rows, len(columns)), dtype=dtype, order="F")
    for j, col in enumerate(columns):
        out[:, j] = col
    return out
