"""Preprocessing shared by every candidate pipeline: raw pandas table in, numbers out."""

from __future__ import annotations

import re
import warnings

import numpy as np
import pandas as pd
from pyarrow import types as pa_types
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.compose import ColumnTransformer, make_column_selector
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, OrdinalEncoder, StandardScaler
from sklearn.utils.validation import check_is_fitted

__all__ = ["DATE_FORMATS", "TableCleaner", "make_preprocessor"]

#: ``DataFrame.attrs`` key of the formats a table's text dates were read with (column name
#: -> ``strptime`` format, e.g. ``"%d/%m/%Y"``), as ``autometa.read_table`` records them.
DATE_FORMATS = "date_formats"

#: Categorical columns keep at most this many levels in one-hot encodings (rarer ones are pooled).
MAX_ONE_HOT_LEVELS = 20
#: Ordinal encodings for tree models keep at most this many levels (rarer ones are pooled).
MAX_ORDINAL_LEVELS = 64
#: Numbers beyond float32's range are clipped to it (trees compute in float32).
FLOAT32_MAX = float(np.finfo(np.float32).max)
#: A categorical column's fitted levels are kept (to tell new values at ``transform``) when
#: it has at most this many, and at most one per two rows (not an identifier).
MAX_KEPT_LEVELS = 1000
#: ``transform`` warns when more than this share of a categorical column's values (of at
#: least ``MIN_DRIFT_VALUES``) were never seen at ``fit``.
UNSEEN_SHARE_WARNED = 0.5
MIN_DRIFT_VALUES = 20


#: Text read as booleans by a column fitted as booleans.
_TRUTH = {"true": 1.0, "false": 0.0, "t": 1.0, "f": 0.0, "yes": 1.0, "no": 0.0}


def _safe_name(position: int, name: object) -> str:
    text = re.sub(r"[^0-9A-Za-z_]+", "_", str(name))[:40]
    return f"c{position}_{text}"


class TableCleaner(TransformerMixin, BaseEstimator):
    """Turn a raw table into numeric (float) and categorical (object) columns.

    Learned at ``fit``: which columns are numeric, categorical (category, object, string,
    boolean), datetime or duration; columns that are entirely missing or constant are dropped.
    At ``transform``: datetimes (NumPy or Arrow, any unit or time zone) become seconds since
    the epoch, durations become seconds, booleans become 0/1,
    ``+/-inf`` become missing, finite numbers beyond float32's range are clipped to it
    (scikit-learn's trees compute in float32), categorical values become strings
    (whole floats as ints, ``1.0`` as ``"1"``; missing stays missing).
    Column names are replaced by unique, safe names so that duplicated or non-string
    names cannot break the estimators downstream.

    A datetime column that arrives as text at ``transform`` (a new file where no value
    told day from month, left as text by ``read_table``) is parsed with the format the
    fitted table's dates were read with (its ``attrs``, see :data:`DATE_FORMATS`), else
    day first or month first as its values say, else month first with a warning.

    A categorical column whose values were mostly never seen at ``fit`` (``'1'`` where the
    fitted table wrote ``'001'``) is encoded as unknown categories, with a warning.

    A table fitted with unique column names is matched by name at ``transform``: its
    columns may come in another order, and columns it did not have (the target, an id)
    are ignored; a missing one is an error naming it.  Other input (arrays, duplicated
    names) is matched by position.
    """

    def fit(self, X: pd.DataFrame, y: object = None) -> TableCleaner:
        """Learn the column kinds of ``X``."""
        self._fit(X)
        return self

    def fit_transform(self, X: pd.DataFrame, y: object = None) -> pd.DataFrame:
        """Learn the column kinds of ``X`` and return it cleaned (each column read once)."""
        return self._assemble(*self._fit(X))

    def _fit(self, X: pd.DataFrame
             ) -> tuple[pd.DataFrame, np.ndarray, dict[int, int], dict[int, pd.Series]]:
        """Fit; return the table, its numeric block and the other kept columns converted."""
        frame = _as_frame(X)
        kinds: list[tuple[int, str, str]] = []
        read_with = frame.attrs.get(DATE_FORMATS) or {}
        formats: dict[int, str] = {}
        levels: dict[int, frozenset[str]] = {}
        converted: dict[int, pd.Series] = {}
        column_kinds = [_column_kind(frame, position, dtype)
                        for position, dtype in enumerate(frame.dtypes)]
        block, in_block = _numeric_block(frame, column_kinds)
        kept = _varying_columns(block)
        for position, (name, kind) in enumerate(zip(frame.columns, column_kinds, strict=True)):
            if position in in_block:
                if kept[in_block[position]]:
                    kinds.append((position, _safe_name(position, name), kind))
                continue
            values = _convert(frame.iloc[:, position], kind)
            cells = values.to_numpy()
            missing = pd.isna(cells)
            distinct = pd.unique(cells[~missing])
            if missing.all() or len(distinct) <= 1 and not missing.any():
                continue
            kinds.append((position, _safe_name(position, name), kind))
            converted[position] = values
            if kind == "datetime" and isinstance(read_with.get(name), str):
                formats[position] = read_with[name]
            if kind == "categorical" and len(distinct) <= min(MAX_KEPT_LEVELS,
                                                              (~missing).sum() / 2):
                levels[position] = frozenset(distinct)
        self.n_features_in_ = frame.shape[1]
        self.columns_ = kinds
        self.date_formats_ = formats
        self.levels_ = levels
        named = isinstance(X, pd.DataFrame) and frame.columns.is_unique
        self.input_names_ = list(frame.columns) if named else None
        if named and all(isinstance(name, str) for name in frame.columns):
            # as scikit-learn's estimators keep them (Pipeline.feature_names_in_ reads it)
            self.feature_names_in_ = np.asarray(frame.columns, dtype=object)
        elif hasattr(self, "feature_names_in_"):
            del self.feature_names_in_  # refitted on an array
        return frame, block, in_block, converted

    def transform(self, X: pd.DataFrame) -> pd.DataFrame:
        """Return the cleaned table (float and object columns only)."""
        check_is_fitted(self, "columns_")
        frame = self._matched_by_name(_as_frame(X)) if isinstance(X, pd.DataFrame) else \
            _as_frame(X)
        if frame.shape[1] != self.n_features_in_:
            raise ValueError(
                f"X has {frame.shape[1]} columns, but the pipeline was fitted on "
                f"{self.n_features_in_}."
            )
        formats = getattr(self, "date_formats_", {})  # {}: fitted before formats were kept
        levels = getattr(self, "levels_", {})  # {}: fitted before levels were kept
        column_kinds = [None] * frame.shape[1]
        for position, _, kind in self.columns_:
            column_kinds[position] = kind
        block, in_block = _numeric_block(frame, column_kinds)
        converted: dict[int, pd.Series] = {}
        for position, _, kind in self.columns_:
            if position in in_block:
                continue
            values = _convert(frame.iloc[:, position], kind, formats.get(position))
            if position in levels:
                _warn_unseen(values, levels[position])
            converted[position] = values
        return self._assemble(frame, block, in_block, converted)

    def _assemble(self, frame: pd.DataFrame, block: np.ndarray, in_block: dict[int, int],
                  converted: dict[int, pd.Series]) -> pd.DataFrame:
        """The cleaned table from the numeric block and the other columns converted."""
        out: dict[str, np.ndarray | pd.Series] = {}
        for position, safe, kind in self.columns_:
            if position in in_block:
                out[safe] = block[:, in_block[position]]
            else:
                # float columns as arrays (no index alignment); object columns stay Series,
                # since pandas would infer a string dtype from an object array
                values = converted[position]
                out[safe] = values if kind == "categorical" else values.to_numpy()
        if not out:
            out["c_constant"] = np.zeros(len(frame))
        if self.columns_ and all(p in in_block for p, _, _ in self.columns_):
            # numbers only: one block, no column-by-column copy
            return pd.DataFrame(block[:, [in_block[p] for p, _, _ in self.columns_]],
                                index=frame.index, columns=list(out))
        return pd.DataFrame(out, index=frame.index)

    def _matched_by_name(self, frame: pd.DataFrame) -> pd.DataFrame:
        """The fitted columns of ``frame``, by name, in the fitted order."""
        names = getattr(self, "input_names_", None)  # None: fitted before names were kept
        if names is None or list(frame.columns) == names or not frame.columns.is_unique:
            return frame
        missing = [name for name in names if name not in frame.columns]
        if missing:
            shown = ", ".join(map(repr, missing[:5])) + (" ..." if len(missing) > 5 else "")
            raise ValueError(f"X lacks {len(missing)} column(s) the pipeline was fitted on: "
                             f"{shown}")
        return frame[names]

    def get_feature_names_out(self, input_features: object = None) -> np.ndarray:
        """Names of the output columns."""
        check_is_fitted(self, "columns_")
        names = [safe for _, safe, _ in self.columns_] or ["c_constant"]
        return np.asarray(names, dtype=object)


def _as_frame(X: object) -> pd.DataFrame:
    if isinstance(X, pd.DataFrame):
        return X
    if hasattr(X, "tocsr") or hasattr(X, "sparse"):  # scipy.sparse, pydata sparse
        raise TypeError(f"a sparse matrix ({type(X).__name__}) is not supported: pass a "
                        "DataFrame or a dense array (X.toarray())")
    return pd.DataFrame(np.asarray(X))


def _numeric_block(frame: pd.DataFrame, kinds: list[str | None]
                   ) -> tuple[np.ndarray, dict[int, int]]:
    """The columns of kind ``"numeric"`` that hold numbers, converted as one float block.

    :func:`_finite_float32`, as :func:`_convert` applies it to a numeric column, done once
    for all of them: a table of 20,000 measurements is cleaned in a fraction of a second
    instead of column by column (``iloc`` with a list of positions copies the columns).
    Returns the block and, for each of its columns, the position of the column in
    ``frame`` -> its position in the block.
    Numeric columns that arrive as text (a CSV read anew) are left to :func:`_convert`.
    """
    positions = [position for position, (kind, dtype) in enumerate(zip(kinds, frame.dtypes,
                                                                        strict=True))
                 if kind == "numeric" and _holds_numbers(dtype)]
    block = _finite_float32(frame.iloc[:, positions].to_numpy(dtype="float64",
                                                              na_value=np.nan))
    return block.reshape(len(frame), len(positions)), {
        position: index for index, position in enumerate(positions)}


def _finite_float32(values: np.ndarray) -> np.ndarray:
    """Numbers as the models take them: ``+/-inf`` missing, the rest within float32's range.

    In place where ``values`` may be written to (else on a copy): pass an array of one's
    own, never a view of the user's table.
    """
    if not values.flags.writeable:  # a read-only view (copy-on-write)
        values = values.copy()
    values[np.isinf(values)] = np.nan
    # scikit-learn's trees compute in float32 and reject anything beyond its range
    return np.clip(values, -FLOAT32_MAX, FLOAT32_MAX, out=values)


def _varying_columns(block: np.ndarray) -> np.ndarray:
    """Which columns of a float block are kept.

    Not all missing, and not constant without a gap (a constant with gaps is a
    missing-value indicator).
    """
    if block.shape[0] == 0:
        return np.zeros(block.shape[1], dtype=bool)
    missing = np.isnan(block)
    filled = np.where(missing, block[np.argmax(~missing, axis=0), np.arange(block.shape[1])],
                      block)  # gaps filled with the column's first number
    constant = (filled == filled[0]).all(axis=0)
    return ~missing.all(axis=0) & (missing.any(axis=0) | ~constant)


def _holds_numbers(dtype: object) -> bool:
    return pd.api.types.is_numeric_dtype(dtype) and not isinstance(dtype, pd.CategoricalDtype) \
        and not pd.api.types.is_bool_dtype(dtype)


def _column_kind(frame: pd.DataFrame, position: int, dtype: object) -> str:
    """The kind of ``frame``'s column at ``position``, whose dtype is ``dtype``."""
    if pd.api.types.is_bool_dtype(dtype):
        return "boolean"
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return "datetime"
    if _is_duration(dtype):
        return "duration"
    if pd.api.types.is_numeric_dtype(dtype) and not isinstance(dtype, pd.CategoricalDtype):
        return "numeric"
    if (pd.api.types.is_object_dtype(dtype)
            and pd.api.types.infer_dtype(frame.iloc[:, position], skipna=True) == "decimal"):
        return "numeric"  # decimal.Decimal values (SQL/Parquet decimal columns)
    return "categorical"


def _is_duration(dtype: object) -> bool:
    """NumPy timedelta64 or Arrow duration."""
    if isinstance(dtype, pd.ArrowDtype):
        return pa_types.is_duration(dtype.pyarrow_dtype)
    return pd.api.types.is_timedelta64_dtype(dtype)


def _convert(column: pd.Series, kind: str, date_format: str | None = None) -> pd.Series:
    if kind == "numeric":
        if not (pd.api.types.is_numeric_dtype(column.dtype)
                and not isinstance(column.dtype, pd.CategoricalDtype)):
            numbers = pd.to_numeric(column, errors="coerce")
            _warn_unread(column, numbers, "numbers")
            column = numbers
        values = _finite_float32(column.to_numpy(dtype="float64", na_value=np.nan, copy=True))
        return pd.Series(values, index=column.index, name=column.name)
    if kind == "boolean":
        if pd.api.types.is_bool_dtype(column.dtype) or pd.api.types.is_numeric_dtype(column.dtype):
            return column.astype("float64")
        # text at predict time (a CSV): True/False as written by pandas, any case
        words = column.map(lambda value: _TRUTH.get(str(value).strip().casefold(), value)
                           if isinstance(value, str) else value)
        numbers = pd.to_numeric(words, errors="coerce").astype("float64")
        _warn_unread(column, numbers, "booleans")
        return numbers
    if kind == "datetime":
        # NumPy datetimes in their own unit (Arrow's nanoseconds overflow its float division)
        stamps = (_text_dates(column, date_format) if _holds_text(column)
                  else pd.to_datetime(column, errors="coerce", utc=True))
        _warn_unread(column, stamps, "dates")
        stamps = stamps.dt.tz_localize(None)
        seconds = (stamps.to_numpy() - np.datetime64(0, "s")) / np.timedelta64(1, "s")
        return pd.Series(seconds, index=column.index, name=column.name, dtype="float64")
    if kind == "duration":
        durations = pd.to_timedelta(column, errors="coerce")
        _warn_unread(column, durations, "durations")
        seconds = durations.dt.total_seconds()
        return pd.Series(seconds.to_numpy(dtype="float64", na_value=np.nan),
                         index=column.index, name=column.name)
    return pd.Series(_category_values(column), index=column.index, name=column.name,
                     dtype=object)


def _category_values(column: pd.Series) -> np.ndarray:
    """A categorical column's values as text (object array), missing values as NaN.

    Text columns are taken as they are and categorical ones through their categories:
    only other columns (numbers, bytes, mixed types) are converted cell by cell, which
    costs about a microsecond per cell (a second per million).
    """
    dtype = column.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        texts = _cell_texts(np.asarray(dtype.categories, dtype=object))
        # code -1 (missing) takes the NaN appended last
        return np.append(texts, np.nan).astype(object)[column.cat.codes.to_numpy()]
    values = column.to_numpy(dtype=object, copy=True)
    if _holds_text(column):  # str values only: their text is themselves
        values[pd.isna(values)] = np.nan
        return values
    return _cell_texts(values)


def _cell_texts(values: np.ndarray) -> np.ndarray:
    """Each value's :func:`_category_text` (in place); missing and +/-inf as NaN."""
    mask = pd.isna(values) | np.fromiter(  # +/-inf: missing, as in numeric columns
        (isinstance(value, float) and np.isinf(value) for value in values), dtype=bool,
        count=len(values))
    values[mask] = np.nan
    values[~mask] = [_category_text(value) for value in values[~mask]]
    return values


#: A date with its day and month as one or two digits, in either order (``05/02/2023``).
_NUMERIC_DATE = r"\s*(?P<a>\d{1,2})[/.-](?P<b>\d{1,2})[/.-]\d{4}(?:\D.*)?"


def _holds_text(column: pd.Series) -> bool:
    """Whether a column holds text (not datetime objects, which pandas reads as they are)."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        return False
    if pd.api.types.is_object_dtype(column.dtype):
        return pd.api.types.infer_dtype(column, skipna=True) == "string"
    return pd.api.types.is_string_dtype(column.dtype)


def _text_dates(column: pd.Series, date_format: str | None) -> pd.Series:
    """Dates written as text, as UTC timestamps (what cannot be read is missing).

    With the format the fitted dates were read with, that format (other forms of date,
    such as ISO 8601, are read as pandas reads them).  Without one, dates whose day and
    month are numbers are read day first or month first as their values say
    (``13/01/2023`` is day first); when every value could be either, month first, as
    pandas reads them, with a warning.
    """
    text = column.where(column.isna(), column.astype(str).str.strip())
    if date_format is not None:
        stamps = pd.to_datetime(text, format=date_format, errors="coerce", utc=True)
        rest = stamps.isna() & text.notna()
        if rest.any():
            stamps[rest] = pd.to_datetime(text[rest], errors="coerce", utc=True)
        return stamps
    parts = text.dropna().str.extract(_NUMERIC_DATE)
    if parts.empty or parts["a"].isna().any():
        return pd.to_datetime(text, errors="coerce", utc=True)
    first, second = parts["a"].astype(int), parts["b"].astype(int)
    day_first = bool((first > 12).any() and not (second > 12).any())
    if not day_first and not (second > 12).any():
        warnings.warn(f"column {column.name!r} was fitted as dates and arrives as text whose "
                      f"day and month could be either way round ({text.dropna().iloc[0]!r}); "
                      "it is read month first: pass it parsed (pd.to_datetime(..., "
                      "dayfirst=True)) if its days come first", UserWarning, stacklevel=3)
    return pd.to_datetime(text, dayfirst=day_first, errors="coerce", utc=True)


def _warn_unread(column: pd.Series, converted: pd.Series, kind: str) -> None:
    """Warn when cells of a column fitted as numbers (dates, durations) do not read as such.

    A column that was numeric at ``fit`` and arrives as text at ``transform`` is converted;
    cells that do not convert (``"1,234"``, ``"n/a"``) become missing, which changes the
    predictions: say so rather than predict from the gaps silently.
    """
    unread = converted.isna().to_numpy() & ~column.isna().to_numpy()
    if not unread.any():
        return
    examples = ", ".join(repr(value) for value in pd.unique(column[unread])[:3])
    warnings.warn(f"column {column.name!r} was fitted as {kind}, but {int(unread.sum())} of "
                  f"its cells do not read as {kind} ({examples}); they are treated as "
                  "missing", UserWarning, stacklevel=2)


def _warn_unseen(values: pd.Series, fitted: frozenset[str]) -> None:
    """Warn when most values of a categorical column were never seen at ``fit``.

    They are encoded as unknown categories, as if missing: a column written differently in
    a new file (``'1'`` for ``'001'``, other case or spelling) would otherwise change the
    predictions without a word.
    """
    present = values.dropna()
    if len(present) < MIN_DRIFT_VALUES:
        return
    unseen = ~present.isin(fitted)
    if unseen.mean() <= UNSEEN_SHARE_WARNED:
        return
    new = ", ".join(repr(value) for value in pd.unique(present[unseen])[:3])
    known = ", ".join(repr(value) for value in sorted(fitted)[:3])
    warnings.warn(f"column {values.name!r}: {unseen.mean():.0%} of its {len(present)} values "
                  f"were never seen at fit ({new}; fitted: {known}, ...); they are encoded as "
                  "unknown categories: is the column written differently (e.g. '001' and "
                  "'1', another case or spelling)?", UserWarning, stacklevel=3)


def _category_text(value: object) -> str:
    """A category's text, the same whether its codes arrive as ints or floats.

    A code column read with a missing cell is float (``1.0``), without one int (``1``):
    both are ``"1"``, so a pipeline fitted on one predicts the other with known levels.
    """
    if isinstance(value, bytes):
        return value.decode()
    if isinstance(value, float | np.floating) and abs(value) < 2**53 and value == int(value):
        return str(int(value))
    return str(value)


class ColumnPositions:
    """Positions of a table's columns of the given dtypes, as a ``ColumnTransformer`` column.

    What :func:`sklearn.compose.make_column_selector` selects, as positions rather than
    names: ``ColumnTransformer`` looks names up one by one in the list of columns, which
    is quadratic in the columns (1.7 s per fit on 20,000 columns).
    """

    def __init__(self, dtype_include: object) -> None:
        self.dtype_include = dtype_include

    def __call__(self, X: pd.DataFrame) -> np.ndarray:
        names = make_column_selector(dtype_include=self.dtype_include)(X)
        return X.columns.get_indexer(names)

    def __repr__(self) -> str:
        return f"ColumnPositions(dtype_include={self.dtype_include!r})"


def make_preprocessor(*, encoding: str, scale: bool, impute: bool) -> Pipeline:
    """Build the preprocessing pipeline of a candidate algorithm.

    Parameters
    ----------
    encoding : {"onehot", "ordinal"}
        How categorical columns are encoded: one-hot for linear, kernel, neighbour and
        neural models; ordinal codes for tree models.
    scale : bool
        Standardise numeric columns (after imputation).
    impute : bool
        Impute missing numeric values with the median and add missing-value indicators.
        Models that handle missing values natively (gradient boosting) skip it.

    Returns
    -------
    sklearn.pipeline.Pipeline
        ``TableCleaner`` followed by a ``ColumnTransformer``.
    """
    numeric_steps: list[tuple[str, object]] = []
    if impute:
        numeric_steps.append(("impute", SimpleImputer(strategy="median", add_indicator=True,
                                                      keep_empty_features=True)))
    if scale:
        numeric_steps.append(("scale", StandardScaler()))
    numeric = Pipeline(numeric_steps) if numeric_steps else "passthrough"
    if encoding == "onehot":
        categorical = Pipeline([
            ("impute", SimpleImputer(strategy="constant", fill_value="__missing__")),
            ("encode", OneHotEncoder(handle_unknown="infrequent_if_exist",
                                     max_categories=MAX_ONE_HOT_LEVELS, sparse_output=False)),
        ])
    elif encoding == "ordinal":
        categorical = Pipeline([
            ("impute", SimpleImputer(strategy="constant", fill_value="__missing__")),
            ("encode", OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1,
                                      max_categories=MAX_ORDINAL_LEVELS)),
        ])
    else:
        raise ValueError(f"encoding must be 'onehot' or 'ordinal', got {encoding!r}")
    columns = ColumnTransformer(
        [
            ("numeric", numeric, ColumnPositions(dtype_include="number")),
            ("categorical", categorical, ColumnPositions(dtype_include=object)),
        ],
        verbose_feature_names_out=False,
    )
    return Pipeline([("clean", TableCleaner()), ("columns", columns)])
