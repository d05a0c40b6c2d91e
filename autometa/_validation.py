"""Early checks of user input, with errors that name the problem and the fix."""

from __future__ import annotations

import difflib
import numbers
import os
import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from autometa._exceptions import InvalidInputError
from autometa._io import HEADER_TWINS
from autometa._text_columns import is_text, iso_dates, numbers_and_dates, stray_words
from knowledge_base import KnowledgeBase
from knowledge_base.portfolio import TASKS

#: Labelled rows from which a classification target with more classes than half the rows
#: (most classes a single row: an identifier, or numbers written as text) is refused.
MIN_ROWS_PER_CLASS_CHECK = 20
#: Rows below which a column of distinct whole numbers is not taken for row numbers, nor a
#: column in one-to-one correspondence with the target for a copy of it.
MIN_ROWS_COLUMN_NOTES = 20
#: The largest seed NumPy, scikit-learn and Optuna's samplers accept.
MAX_SEED = 2**32 - 1
#: Cells per block when numeric columns are checked many at a time.
BLOCK_CELLS = 2_000_000
#: Rows on which feature columns are screened for being a copy of the target.
LEAK_PROBE_ROWS = 2000
#: Target values up to which any one-to-one column counts as a copy of the target (above,
#: or with fewer than two rows per value, only an exactly monotone numeric one).
FEW_TARGET_VALUES = 50
#: Rows each target value needs before a column is noted for giving the target by
#: thresholds (with fewer, a column's extreme values separate a small class by chance).
MIN_ROWS_PER_RUN = 10
#: Target values looked at to tell whether a text target holds numbers.
PROBE_LABELS = 1000
#: Text targets with more distinct labels than this are not screened for look-alike labels.
MAX_LABELS_COMPARED = 10_000
#: Share of a group's rows above which labels differing only in case are taken for one.
DOMINANT_SPELLING = 0.8
#: How the note on rows dropped for a missing target starts.
DROPPED_TARGET_ROWS = "dropped"

NUMBERS_AS_TEXT = ("its values look like numbers written as text (e.g. '$1,234.50'): strip "
                   "the symbols and separators and convert them to numbers")

__all__ = [
    "check_knowledge_base",
    "check_n_jobs",
    "check_positive_int",
    "check_seed",
    "check_table",
    "check_target_column",
    "check_target_name",
    "check_task",
    "check_tuning_table",
    "lone_class",
]


def check_positive_int(name: str, value: Any, *, minimum: int = 1) -> int:
    """Return ``value`` as an int if it is an integer of at least ``minimum``, else raise."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        wanted = "a positive integer" if minimum == 1 else f"an integer >= {minimum}"
        raise InvalidInputError(f"{name} must be {wanted}, got {value!r}")
    return int(value)


def check_n_jobs(value: Any) -> int:
    """Return ``n_jobs`` as a number of workers (-1: one per core), else raise."""
    if isinstance(value, numbers.Integral) and not isinstance(value, bool) and value == -1:
        return os.cpu_count() or 1
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise InvalidInputError(f"n_jobs must be a positive integer or -1 (one worker per "
                                f"core), got {value!r}")
    return int(value)


def check_seed(value: Any) -> int:
    """Return ``random_state`` as an int if it is in [0, 2**32 - 1] (NumPy's seeds), else raise."""
    if (isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 0
            or value > MAX_SEED):
        raise InvalidInputError(f"random_state must be an integer in [0, 2**32 - 1], got "
                                f"{value!r}")
    return int(value)


def check_target_name(target: Any) -> str | int:
    """Return the target's column name, a numpy scalar as its Python value, else raise.

    ``df.columns[-1]`` of an integer-labelled table is a ``numpy.int64``; it names the
    column as well as ``5`` does (and, unlike it, cannot be written to JSON as is).
    """
    if isinstance(target, np.generic):
        target = target.item()
    if not isinstance(target, str | int) or isinstance(target, bool):
        raise InvalidInputError(f"target must be a column name, got {type(target).__name__}")
    return target


def check_table(df: Any, target: Any) -> tuple[pd.DataFrame, pd.Series, list[str]]:
    """Split a user table into features and target, dropping rows with a missing target.

    An infinite value of a numeric target counts as missing.

    Parameters
    ----------
    df : DataFrame
        The table, target included.
    target : str
        Name of the target column.

    Returns
    -------
    X, y, notes
        Features, target, and notes about what was dropped.

    Raises
    ------
    InvalidInputError
        If ``df`` is not a non-empty DataFrame, ``target`` is not one of its columns, two
        columns share a name, the target is entirely missing, or no feature column is left
        or carries information (every one missing on every row or constant).

    Notes
    -----
    Columns missing on every row or constant carry no information; they are kept (every
    portfolio pipeline fits with them) and named in ``notes``.  A column with one value
    and some missing cells is informative (its missingness) and is not reported.
    """
    if not isinstance(df, pd.DataFrame):
        kind = f"{type(df).__module__}.{type(df).__qualname__}"
        hint = "; convert it with .to_pandas()" if hasattr(df, "to_pandas") else ""
        raise InvalidInputError(f"df must be a pandas DataFrame, got {kind}{hint}")
    if df.shape[0] == 0:
        raise InvalidInputError("the table is empty (0 rows)")
    if isinstance(df.columns, pd.MultiIndex):
        raise InvalidInputError(
            f"the table's columns are a {df.columns.nlevels}-level MultiIndex; flatten them "
            "first, e.g. df.columns = ['_'.join(map(str, c)) for c in df.columns]")
    target = check_target_column(df, target)
    repeated = df.columns[df.columns.duplicated()].unique()
    if len(repeated):
        counts = ", ".join(f"{name!r} ({list(df.columns).count(name)} columns)"
                           for name in repeated[:5])
        raise InvalidInputError(
            f"column names are repeated: {counts}{', ...' if len(repeated) > 5 else ''}; "
            "give each column its own name (autometa.read_table names a file's repeated "
            "headers a, a.1, ...)")
    twins = df.attrs.get(HEADER_TWINS) or {}
    if target in twins:
        raise InvalidInputError(
            f"the file's header names {len(twins[target])} columns {target!r} (read as "
            f"{_names(twins[target])}); which one is the target? Rename them in the file, "
            f"or pass the name as read")
    y = df[target]
    if pd.api.types.is_complex_dtype(y) or (
            y.dtype == object and pd.api.types.infer_dtype(y, skipna=True) == "complex"):
        raise InvalidInputError(
            f"the target {target!r} holds complex numbers; autometa predicts class labels "
            "or real-valued targets")
    X = df.drop(columns=[target])
    if X.shape[1] == 0:
        raise InvalidInputError(f"the table has no feature column besides the target {target!r}")
    infinite = y.isin([np.inf, -np.inf]) if pd.api.types.is_float_dtype(y) else False
    missing = y.isna() | infinite
    notes = []
    # before rows are dropped (0..n-1 of the file), but without blank rows (a spreadsheet's
    # ';;;;' lines), which make an id column float with gaps
    blank = missing.to_numpy() & X.isna().all(axis=1).to_numpy()
    row_numbers = _row_number_columns(_without_blank_rows(X, blank) if blank.any() else X)
    if missing.all():
        raise InvalidInputError(f"the target {target!r} is missing (NaN) on every row")
    if missing.any():
        notes.append(f"{DROPPED_TARGET_ROWS} {int(missing.sum())} rows whose target is missing"
                     + (" or infinite" if np.any(infinite) else ""))
        X, y = X.loc[~missing.to_numpy()], y.loc[~missing.to_numpy()]
    y = _typed_target(y, notes)
    if isinstance(y.dtype, pd.CategoricalDtype):
        # declared labels no row holds are no class (they were counted in the meta-features)
        y = y.cat.remove_unused_categories()
    notes += _look_alike_labels(y)
    notes += _target_with_stray_words(y)
    notes += _header_twin_notes(twins)
    notes += _value_like_names(df.columns) or _names_among_values(df, twins)
    notes += _uninformative_columns(X)
    notes += _row_number_note(row_numbers)
    copies = _target_copies(X, y)
    notes += _target_copy_note(copies)
    notes += _target_by_thresholds(X, y, named={*row_numbers, *copies})
    notes += _disguised_text_columns(X)
    notes += _numbers_with_stray_words(X)
    notes += _distinct_text_columns(X)
    return X, y, notes


def check_target_column(df: pd.DataFrame, target: Any) -> str | int:
    """Return the target's name if it names exactly one column of ``df``, else raise.

    The error suggests a near miss (case, spaces, spelling), says when the target is the
    index, and asks whether a file lacks its header row when most names are numbers.
    """
    target = check_target_name(target)
    if target not in df.columns and isinstance(target, str):
        # the same letters in another Unicode form ('é' as one code point or as 'e' and an
        # accent, as macOS writes file names): the same name
        same = [name for name in df.columns if isinstance(name, str)
                and unicodedata.normalize("NFC", name) == unicodedata.normalize("NFC", target)]
        if len(same) == 1:
            target = same[0]
    if target not in df.columns and target in df.index.names:
        raise InvalidInputError(f"target {target!r} is the table's index, not a column; "
                                "move it back with df.reset_index()")
    if target not in df.columns:
        shown = ", ".join(map(repr, list(df.columns)[:10]))
        more = ", ..." if df.shape[1] > 10 else ""
        raise InvalidInputError(f"target {target!r} is not a column of the table"
                                f"{_did_you_mean(target, df.columns)}; columns are "
                                f"{shown}{more}{_headerless_hint(df.columns)}")
    if list(df.columns).count(target) > 1:
        raise InvalidInputError(f"target {target!r} names more than one column")
    return target


def check_tuning_table(df: Any, target: Any) -> tuple[pd.DataFrame, pd.Series, list[str]]:
    """:func:`check_table` for tuning: a categorical target as its values, a 0..n-1 index.

    Categories of ints or booleans become ints or booleans, not objects: scikit-learn's
    splitters call an ``object`` column of numbers an "unknown" target.
    """
    X, y, notes = check_table(df, target)
    if isinstance(y.dtype, pd.CategoricalDtype):
        y = _typed_target(y.astype(object), [])
    return X.reset_index(drop=True), y.reset_index(drop=True), notes


def lone_class(y: pd.Series) -> str | None:
    """Why a two-class target cannot be cross-validated: one class is a single row.

    The fold that tests that row trains on the other class alone, and every model fails
    there.  ``None`` for other targets.
    """
    counts = y.value_counts()
    if len(counts) != 2 or counts.min() >= 2:
        return None
    return (f"class {label_repr(counts.index[-1])} has a single row (the other, "
            f"{label_repr(counts.index[0])}, {int(counts.iloc[0])}): the fold that tests it "
            "would train on one class; cross-validation needs at least 2 rows of each class "
            "(is that row a typo, or is the target another column?)")


def label_repr(value: Any) -> str:
    """``repr`` of a value as the user wrote it (``1``, not ``np.int64(1)``)."""
    return repr(value.item() if isinstance(value, np.generic) else value)


def _did_you_mean(target: Any, columns: pd.Index) -> str:
    """`` (did you mean 'Y '?)`` for a near miss in case, spaces or spelling, else ``""``."""
    names = {str(name): name for name in columns}
    wanted = str(target).strip().lower()
    close = [names[key] for key in names if key.strip().lower() == wanted]
    if not close:
        folded = {key.strip().lower(): key for key in names}
        close = [names[folded[key]] for key in difflib.get_close_matches(wanted, folded, n=1)]
    return f" (did you mean {close[0]!r}?)" if close else ""


def _headerless_hint(columns: pd.Index) -> str:
    """A hint when most column names are numbers: a file without a header row."""
    names = [str(name) for name in columns]
    numbers = pd.to_numeric(pd.Series(names, dtype=object), errors="coerce").notna()
    if len(names) > 1 and numbers.mean() >= 0.5:
        return ("; most column names are numbers: does the file lack a header row? (its "
                "first row was read as the column names)")
    return ""


def _value_like_names(columns: pd.Index) -> list[str]:
    """A note when most column names are numbers written as text (no header row?).

    A UCI ``.data`` file has no header row: its first row (``5.1,3.5,1.4,0.2,Iris-setosa``)
    becomes the names and is lost from the rows.  Names ``0, 1, 2, ...`` (a saved
    ``pd.DataFrame(array)``) are a header, not values.
    """
    names = [name for name in columns if isinstance(name, str)]
    if len(names) < 2 or len(names) < len(columns) / 2:
        return []
    numbers = pd.to_numeric(pd.Series(names, dtype=object), errors="coerce")
    values = numbers.dropna()
    if len(values) < len(columns) / 2:
        return []
    if (values == values.round()).all() and values.is_unique \
            and values.max() - values.min() == len(values) - 1:
        return []  # 0, 1, 2, ...: a numbered header
    shown = ", ".join(repr(name) for name, number in zip(names, numbers, strict=True)
                      if not pd.isna(number))
    return [f"most column names are numbers ({_shorten(shown)}): does the file lack a header "
            "row? Its first row was read as the column names and is not among the rows"]


def _names_among_values(df: pd.DataFrame, twins: dict[str, list[str]],
                        rows: int = 1000) -> list[str]:
    """A note when most column names are values of their own columns (no header row?).

    UCI's ``car.data`` has no header row and no numbers: its first row (``vhigh, vhigh,
    2, 2, small, low, unacc``) becomes the names, each a value its column holds again
    further down.  Names are compared with the first ``rows`` values (a repeated name's
    copies, ``a.1``, as the name itself).
    """
    original = {read: name for name, reads in twins.items() for read in reads}
    named = [(column, dtype) for column, dtype in zip(df.columns, df.dtypes, strict=True)
             if isinstance(column, str)]
    names = [column for column, _ in named]
    if len(names) < 2 or len(names) < df.shape[1] / 2:
        return []
    as_numbers = pd.to_numeric(pd.Series([original.get(c, c) for c in names], dtype=object),
                               errors="coerce").to_numpy()
    head = df.head(rows)
    numeric = [pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)
               for _, dtype in named]
    misses_allowed = len(names) - max(2, -(-len(names) // 2))
    boolean = [pd.api.types.is_bool_dtype(dtype) for _, dtype in named]
    # a numeric column whose name is not a number cannot hold its name, nor a boolean
    # one (True/False) another name: wide tables of measurements named "g0", "g1", ...
    # are settled without reading a value
    cannot = [is_numeric and np.isnan(number)
              or is_boolean and original.get(column, column) not in ("True", "False")
              for column, is_numeric, is_boolean, number
              in zip(names, numeric, boolean, as_numbers, strict=True)]
    if sum(cannot) > misses_allowed:
        return []
    found, misses = [], 0
    for column, is_numeric, number, miss in zip(names, numeric, as_numbers, cannot,
                                                strict=True):
        name = original.get(column, column)
        if miss:
            hit = False
        elif is_numeric:
            values = head[column]
            hit = not np.isnan(number) and bool((values == number).any())
        else:
            hit = bool(head[column].dropna().astype(str).str.strip().eq(name).any())
        if hit:
            found.append(name)
        else:
            misses += 1
            if misses > misses_allowed:
                return []
    if len(found) < 2 or len(found) < len(names) / 2:
        return []
    shown = ", ".join(repr(name) for name in found)
    return [f"most column names are also values of their own columns ({_shorten(shown)}): "
            "does the file lack a header row? Its first row was read as the column names "
            "and is not among the rows"]


def _shorten(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[:limit].rsplit(",", 1)[0] + ", ..."


def _typed_target(y: pd.Series, notes: list[str]) -> pd.Series:
    """The target with a concrete dtype where ``object`` hid one.

    A column of ``True``/``False`` (or numbers) with gaps is read as ``object``; once the
    missing rows are gone it is given back its type, since scikit-learn's splitters call
    an ``object`` column of booleans an "unknown" target.  Labels mixing numbers and text
    are compared as text (noted).
    """
    numpy_dtype = getattr(y.dtype, "numpy_dtype", None)  # nullable and Arrow types
    if (not isinstance(y.dtype, np.dtype) and isinstance(numpy_dtype, np.dtype)
            and numpy_dtype.kind in "biuf"):
        return y.astype(numpy_dtype)  # gaps dropped: predictions as bool/int, not float
    if y.dtype != object:
        return y
    kind = pd.api.types.infer_dtype(y, skipna=True)
    yourself = "; do the same to fit a recommended pipeline yourself"
    if kind in ("boolean", "integer", "floating", "mixed-integer-float", "decimal"):
        typed = y.astype(float) if kind == "decimal" else y.infer_objects()
        notes.append(f"the target's {kind} values come as an object column, which "
                     "scikit-learn's classifiers take for an unknown kind of target: it is "
                     f"used as y.astype({typed.dtype.name!r}){yourself}")
        return typed
    if kind not in ("string", "empty"):
        notes.append(f"the target mixes value types ({kind}); its labels are compared as "
                     f"text (y.astype(str)){yourself}")
        return y.astype(str)
    return y


def _header_twin_notes(twins: dict[str, list[str]]) -> list[str]:
    """A note on names the file's header repeats (pandas renamed them ``a.1``, ...)."""
    if not twins:
        return []
    described = "; ".join(f"{name!r} x{len(read)} (read as {_names(read)})"
                          for name, read in list(twins.items())[:5])
    return [f"the file's header repeats {len(twins)} name(s): {described}; the copies were "
            "renamed as pandas does: check that each is the column you think"]


def _look_alike_labels(y: pd.Series) -> list[str]:
    """A note on text labels that differ only in surrounding spaces, a final dot or case.

    ``'yes'`` and ``' yes'`` (or adult's ``'>50K'`` and ``'>50K.'``) are learned as
    different classes; usually they are one, spelt inconsistently.  Case alone can be
    meaningful (vowel's ``'hAd'`` and ``'had'`` are two vowels, as frequent as each other),
    so labels differing only in case are named when one spelling holds most of the group's
    rows (:data:`DOMINANT_SPELLING`), as a slip of the keyboard would leave it.
    """
    if not (pd.api.types.is_object_dtype(y.dtype) or pd.api.types.is_string_dtype(y.dtype)
            or isinstance(y.dtype, pd.CategoricalDtype)):
        return []
    counts = y.dropna().astype(str).value_counts()
    if len(counts) > MAX_LABELS_COMPARED:
        return []
    labels = counts.index.to_series()
    trimmed = labels.str.strip().str.rstrip(".").str.strip()
    groups = []
    for _, group in labels.groupby(trimmed.str.casefold().to_numpy()):
        if len(group) < 2:
            continue
        # a label with surrounding spaces or a final dot is a slip whatever the case
        spaced = bool((trimmed[group.index] != group).any())
        share = counts[group.index].max() / counts[group.index].sum()
        if spaced or share >= DOMINANT_SPELLING:
            groups.append(sorted(group))
    if not groups:
        return []
    shown = "; ".join(", ".join(map(repr, group)) for group in groups[:3])
    more = f" and {len(groups) - 3} more groups" if len(groups) > 3 else ""
    return [f"the target's labels {shown}{more} differ only in case, spaces or a final "
            "dot and are learned as different classes; if each group is one class, spell "
            "its labels the same first"]


def _names(columns: list[Any], limit: int = 5) -> str:
    shown = ", ".join(map(repr, columns[:limit]))
    return shown + (f" and {len(columns) - limit} more" if len(columns) > limit else "")


def _without_blank_rows(X: pd.DataFrame, blank: np.ndarray) -> pd.DataFrame:
    """``X`` without its ``blank`` rows, float columns of whole numbers back as integers.

    The empty cells of a blank row (``;;;;`` at the end of a spreadsheet's export) make
    pandas read an integer column as floats; without them it is integers again.
    """
    rows = X.loc[~blank]
    whole = {}
    for position, dtype in enumerate(rows.dtypes):
        if pd.api.types.is_float_dtype(dtype):
            values = rows.iloc[:, position].to_numpy(dtype=float)
            if np.isfinite(values).all() and (values == np.round(values)).all():
                whole[position] = values.astype(np.int64)
    if not whole:
        return rows
    rows = rows.copy()
    for position, values in whole.items():
        rows.isetitem(position, values)
    return rows


def _row_number_columns(X: pd.DataFrame) -> list[Any]:
    """Integer feature columns that number the rows (a saved index, an id).

    Such a column is a distinct integer per row, either consecutive in some order (``0, 1,
    2, ...``, shuffled or not) or under pandas' name for a header-less column (``Unnamed:
    0``, the index ``DataFrame.to_csv`` writes).  A model learns the file's row order from
    it: on a file sorted by the target it scores perfectly, and on new rows it means nothing.
    """
    found = []
    for position, dtype in enumerate(X.dtypes):
        if not pd.api.types.is_integer_dtype(dtype) or len(X) < MIN_ROWS_COLUMN_NOTES:
            continue
        column, name = X.iloc[:, position], X.columns[position]
        if column.isna().any():
            continue
        unnamed = isinstance(name, str) and re.fullmatch(r"Unnamed: \d+", name) is not None
        consecutive = int(column.max()) - int(column.min()) == len(column) - 1
        if (consecutive or unnamed) and column.is_unique:
            found.append(name)
    return found


def _row_number_note(found: list[Any]) -> list[str]:
    if not found:
        return []
    return [f"{len(found)} feature column(s) number the rows (a distinct whole number per "
            f"row, e.g. an index saved by DataFrame.to_csv, or an id): {_names(found)}; a "
            "model learns the file's row order from them (a file sorted by the target "
            "scores perfectly) and they mean nothing on new rows: drop them unless the "
            "order is information"]


def _target_copies(X: pd.DataFrame, y: pd.Series) -> list[Any]:
    """Feature columns that determine the target one-to-one (a leaked copy?).

    A column is named when each of its values goes with one target value and the other
    way round (a copy of the labels, an encoding of them, the target in other units); with
    more than :data:`FEW_TARGET_VALUES` target values, or fewer than two rows per value on
    average, only an exactly monotone numeric column counts, since any two columns of
    distinct values pair up one-to-one.  Columns are screened on the first
    :data:`LEAK_PROBE_ROWS` rows, then checked on all.
    """
    if len(y) < MIN_ROWS_COLUMN_NOTES:
        return []
    head = min(len(y), LEAK_PROBE_ROWS)
    y_head, y_all = _Coded(y.iloc[:head]), _Coded(y)
    # numbers and booleans first, in blocks: a copy has as many distinct values as the
    # target, no gap, and sorted by it each target value is one run of rows
    ruled_out = set()
    for positions, block in _numeric_blocks(X, rows=head, kinds="iufb"):
        runs, n_distinct = _runs_of_one_value(block, y_head.codes, y_head.n_values)
        ruled_out.update(position for position, run, n
                         in zip(positions, runs, n_distinct, strict=True)
                         if not run or n != y_head.n_values)
    found = [X.columns[position] for position in range(X.shape[1])
             if position not in ruled_out
             and y_head.one_to_one(X.iloc[:head, position])
             and y_all.one_to_one(X.iloc[:, position])]
    return found


def _target_copy_note(found: list[Any]) -> list[str]:
    if not found:
        return []
    return [f"{len(found)} feature column(s) determine the target one-to-one: "
            f"{_names(found)}; is the target (or an encoding of it) among the features? A "
            "model scores perfectly with it and cannot have it on new rows: drop it unless "
            "it will be known when predicting"]


def _target_by_thresholds(X: pd.DataFrame, y: pd.Series, named: set[Any]) -> list[str]:
    """A note on numeric feature columns whose value ranges give the target exactly.

    Sorted by such a column, each target value (class) occupies one run of rows, and no
    value of the column is shared by two targets: thresholds on it alone predict every
    row (a card's monthly spending above 0 exactly when the application was accepted).
    Checked for targets of at most :data:`FEW_TARGET_VALUES` values with at least
    :data:`MIN_ROWS_PER_RUN` rows each (a lone row at a column's extreme would be
    "separated" by chance), on columns with at least three values and no missing cell;
    columns ``named`` by other notes (row numbers, copies) are left to those.
    """
    codes, uniques = pd.factorize(y)
    if not 2 <= len(uniques) <= FEW_TARGET_VALUES \
            or np.bincount(codes[codes >= 0]).min() < MIN_ROWS_PER_RUN:
        return []
    head = min(len(y), LEAK_PROBE_ROWS)
    n_head = len(np.unique(codes[:head]))
    found = []
    for positions, block in _numeric_blocks(X, rows=head):  # screened on the first rows
        runs, n_distinct = _runs_of_one_value(block, codes[:head], n_head)
        candidates = [(position, n) for position, run, n
                      in zip(positions, runs, n_distinct, strict=True) if run]
        if candidates and head < len(y):
            whole = X.iloc[:, [position for position, _ in candidates]].to_numpy()
            runs, n_distinct = _runs_of_one_value(whole, codes, len(uniques))
            candidates = [(position, n) for (position, _), run, n
                          in zip(candidates, runs, n_distinct, strict=True) if run]
        found += [X.columns[position] for position, n in candidates
                  if n >= 3 and X.columns[position] not in named]
    if not found:
        return []
    return [f"{len(found)} numeric feature column(s) give the target exactly by thresholds "
            f"(sorted by one, each target value is a single run of rows): {_names(found)}; "
            "a model scores perfectly with it: is it computed from the target, or recorded "
            "after it? Drop it unless it will be known when predicting"]


def _runs_of_one_value(block: np.ndarray, codes: np.ndarray, n_values: int
                       ) -> tuple[np.ndarray, np.ndarray]:
    """Whether, sorted by each column of ``block``, each of ``n_values`` codes is one run.

    Values shared by rows of two codes, and columns with a missing cell, do not qualify.
    Also returns each column's number of distinct values.
    """
    block = block.astype(float, copy=False)
    order = np.argsort(block, axis=0, kind="stable")
    values = np.take_along_axis(block, order, axis=0)
    classes = codes[order]
    changes = classes[1:] != classes[:-1]
    ties = values[1:] == values[:-1]
    runs = ((changes.sum(axis=0) == n_values - 1) & ~(changes & ties).any(axis=0)
            & ~np.isnan(block).any(axis=0))
    return runs, 1 + (~ties).sum(axis=0)


class _Coded:
    """A target (no missing values) coded once, to test columns against it."""

    def __init__(self, y: pd.Series) -> None:
        self.y = y
        self.codes, uniques = pd.factorize(y)
        self.n_values = len(uniques)

    def one_to_one(self, column: pd.Series) -> bool:
        """Whether ``column`` (no missing values) and the target map one-to-one."""
        if self.n_values < 2 or column.isna().any():
            return False
        try:
            if column.nunique() != self.n_values:
                return False
            pairs = pd.factorize(column)[0] * self.n_values + self.codes
        except TypeError:  # unhashable cells (lists, dicts)
            return False
        if len(np.unique(pairs)) != self.n_values:
            return False
        if self.n_values <= FEW_TARGET_VALUES and 2 * self.n_values <= len(self.y):
            return True
        if not (pd.api.types.is_numeric_dtype(column)
                and pd.api.types.is_numeric_dtype(self.y)) \
                or pd.api.types.is_bool_dtype(column):
            return False
        order = np.argsort(column.to_numpy(dtype=float), kind="stable")
        steps = np.diff(self.y.to_numpy(dtype=float)[order])
        return bool((steps >= 0).all() or (steps <= 0).all())


def _constant(column: pd.Series) -> bool:
    """Whether a column without missing cells holds a single value."""
    if pd.api.types.is_numeric_dtype(column) and not pd.api.types.is_bool_dtype(column):
        return bool(column.min() == column.max())
    try:
        return bool((column == column.iloc[0]).all())
    except (TypeError, ValueError):  # cells that do not compare (lists, arrays)
        return False


def _numeric_blocks(X: pd.DataFrame, rows: int | None = None, kinds: str = "iuf"
                    ) -> Iterator[tuple[list[int], np.ndarray]]:
    """Plain NumPy numeric columns (int, unsigned, float) as 2-d arrays, a few at a time.

    ``kinds`` are the NumPy dtype kinds taken (``"iufb"``: booleans too).

    Column by column, pandas costs ~50 us per column: 1 s on a 20,000-column table.  Each
    block holds columns of one dtype (ints stay exact), at most :data:`BLOCK_CELLS` cells.
    """
    groups: dict[np.dtype, list[int]] = {}
    for position, dtype in enumerate(X.dtypes):
        if isinstance(dtype, np.dtype) and dtype.kind in kinds:
            groups.setdefault(dtype, []).append(position)
    n_rows = len(X) if rows is None else min(rows, len(X))
    width = max(1, BLOCK_CELLS // max(n_rows, 1))
    for positions in groups.values():
        for start in range(0, len(positions), width):
            chunk = positions[start:start + width]
            yield chunk, X.iloc[:n_rows, chunk].to_numpy()


def _uninformative_columns(X: pd.DataFrame) -> list[str]:
    """Notes on feature columns missing on every row or constant; raise if all are."""
    n_missing = X.isna().sum().to_numpy()
    numeric_constant: dict[int, bool] = {}
    for positions, block in _numeric_blocks(X, kinds="iufb"):
        numeric_constant.update(zip(positions, block.min(axis=0) == block.max(axis=0),
                                    strict=True))
    empty, constant = [], []
    for position, name in enumerate(X.columns):
        if n_missing[position] == len(X):
            empty.append(name)
        elif n_missing[position] == 0 and (
                numeric_constant[position] if position in numeric_constant
                else _constant(X.iloc[:, position])):
            constant.append(name)  # one value and some gaps is informative: not here
    if len(empty) + len(constant) == X.shape[1]:
        problems = ([f"missing (NaN) on every row: {_names(empty)}"] if empty else []) + (
            [f"constant: {_names(constant)}"] if constant else [])
        raise InvalidInputError(
            "no feature column carries information (" + "; ".join(problems) + "); "
            "nothing can be learned from this table")
    notes = []
    if empty:
        notes.append(f"{len(empty)} feature column(s) missing on every row (no information): "
                     f"{_names(empty)}")
    if constant:
        notes.append(f"{len(constant)} constant feature column(s) (no information): "
                     f"{_names(constant)}")
    return notes


def _disguised_text_columns(X: pd.DataFrame) -> list[str]:
    """Notes on text feature columns that hold numbers or dates (used as categories).

    The same conversions as :func:`autometa.read_table` applies to a file: a column is
    named when every value reads as a number (``"1.5"``, ``"$1,234"``, ``"45%"``) or as an
    unambiguous date.  The table is not changed; the user's pipeline sees what they pass.
    """
    text = [position for position, dtype in enumerate(X.dtypes) if is_text(dtype)]
    if not text:
        return []
    X = X.iloc[:, text]
    positional = X.set_axis([f"c{i}" for i in range(X.shape[1])], axis=1)  # any names
    converted = numbers_and_dates(iso_dates(positional))
    changed = [name for (name, column), after in zip(X.items(), converted.dtypes, strict=True)
               if column.dtype != after and not _decimal(column)]
    if not changed:
        return []
    return [f"{len(changed)} text feature column(s) hold numbers or dates and are used as "
            f"categories (one level per value, no order): {_names(changed)}; if they are "
            "quantities or times, convert them first (pd.to_numeric, pd.to_datetime), or "
            "read the file with autometa.read_table, which does"]


def _distinct_text_columns(X: pd.DataFrame) -> list[str]:
    """A note on text feature columns with a different value on every row (ids, free text).

    The pipelines use a text column as categories; one whose every value is new carries
    nothing over to the next row (one-hot and ordinal encodings pool levels seen once).
    Text that reads as numbers or dates is left to :func:`_disguised_text_columns`.
    """
    if len(X) < MIN_ROWS_COLUMN_NOTES:
        return []
    found = []
    for position, dtype in enumerate(X.dtypes):
        if not (pd.api.types.is_object_dtype(dtype) or pd.api.types.is_string_dtype(dtype)
                or isinstance(dtype, pd.CategoricalDtype)):
            continue
        name, column = X.columns[position], X.iloc[:, position]
        if _decimal(column):
            continue
        present = column.dropna()
        if len(present) < MIN_ROWS_COLUMN_NOTES or len(present) < len(column) / 2:
            continue
        try:  # a repeat among the first rows settles most columns cheaply
            distinct = (present.iloc[:LEAK_PROBE_ROWS].astype(str).is_unique
                        and present.astype(str).is_unique)
        except (TypeError, ValueError):
            continue
        if distinct and not _reads_as_numbers_or_dates(present.iloc[:LEAK_PROBE_ROWS]):
            found.append(name)
    if not found:
        return []
    return [f"{len(found)} text feature column(s) hold a different value on every row (an "
            f"identifier, or free text): {_names(found)}; as categories they carry nothing "
            "over to new rows: drop them, or turn free text into features first"]


def _reads_as_numbers_or_dates(column: pd.Series) -> bool:
    """Whether read_table's conversions would turn a text column into numbers or dates."""
    frame = column.to_frame("c")
    return bool((numbers_and_dates(iso_dates(frame)).dtypes != frame.dtypes).any())


def _decimal(column: pd.Series) -> bool:
    """Objects holding decimal.Decimal (SQL, Parquet): the pipelines read them as numbers."""
    return (pd.api.types.is_object_dtype(column.dtype)
            and pd.api.types.infer_dtype(column, skipna=True) == "decimal")


def _numbers_with_stray_words(X: pd.DataFrame) -> list[str]:
    """A note on text feature columns of numbers but for a few words (see stray_words)."""
    found = stray_words(X)
    if not found:
        return []
    described = "; ".join(f"{name!r} ({_word_counts(words)})"
                          for name, words in list(found.items())[:5])
    more = f" and {len(found) - 5} more" if len(found) > 5 else ""
    return [f"{len(found)} text feature column(s) hold numbers but for a few words: "
            f"{described}{more}; the numbers are used as categories: if the column measures "
            "a quantity, make those cells empty (missing) to have it read as numbers"]


def _target_with_stray_words(y: pd.Series) -> list[str]:
    """A note on a text target of numbers but for a few words (see stray_words).

    Red-wine quality with four cells ``unknown`` is a text column: the numbers and the
    word become classes, where the word most likely means "no value".
    """
    found = stray_words(y.to_frame())
    if not found:
        return []
    [words] = found.values()
    return [f"the target holds numbers but for a few words ({_word_counts(words)}), so it "
            "is read as text and every value, the words too, is a class: if those cells "
            "mean 'no value', make them empty (missing) to have their rows dropped and the "
            "target read as numbers"]


def _word_counts(words: pd.Series) -> str:
    """``'Total' x1, 'unknown' x3`` from a word -> count series."""
    return ", ".join(f"{word!r} x{count}" for word, count in words.items())


def check_task(task: Any, y: pd.Series, notes: list[str] | None = None) -> str:
    """Validate ``task`` (or infer it from ``y``) and check that ``y`` suits it.

    A target of whole numbers that :func:`metafeatures.infer_task` cannot decide on (more
    distinct values than classes usually have, too few for a measured quantity: ages,
    ratings, counts) is taken as a regression target; a note in ``notes`` says so, as it
    does when more than two whole numbers are taken as classes.

    Raises
    ------
    InvalidInputError
        Unknown task, a target that cannot be one (all missing, datetimes), a single
        class, fractional numbers as classes, or a non-numeric target for regression.
    """
    n_values, n_rows = y.nunique(dropna=True), int(y.notna().sum())
    numeric = pd.api.types.is_numeric_dtype(y) and not pd.api.types.is_bool_dtype(y)
    if task is None:
        task = _inferred_task(y, n_values, numeric, notes)
    elif task not in TASKS:
        raise InvalidInputError(f"task must be one of {TASKS} or None, got {task!r}")
    if task == "classification":
        if n_values < 2:
            dropped = n_rows < len(y) or any(note.startswith(DROPPED_TARGET_ROWS)
                                             for note in notes or [])
            raise InvalidInputError(
                f"the target has a single class ({label_repr(y.dropna().iloc[0])}); "
                "classification needs at least two" + (
                    " (rows whose target is missing, None, NaN or an empty cell, are not a "
                    "class: they were left out)" if dropped else ""))
        if n_rows >= MIN_ROWS_PER_CLASS_CHECK and n_values > n_rows / 2:
            if numeric:
                hint = "a measured quantity is learned with task='regression'"
            elif numbers := _numbers_hint(y):
                hint = f"{numbers} for regression"
            else:
                hint = "is it an identifier? Choose the column to predict"
            raise InvalidInputError(
                f"the target has {n_values} distinct values among {n_rows} rows, too many "
                f"classes to learn (most have a single row); {hint}")
        if pd.api.types.is_float_dtype(y) and _fractional(y):
            shown = ", ".join(label_repr(value) for value in sorted(y.dropna().unique())[:3])
            raise InvalidInputError(
                f"task='classification' needs class labels, but the target holds "
                f"fractional numbers ({shown}{', ...' if n_values > 3 else ''}), which "
                "scikit-learn's classifiers refuse: cast them to text (y.astype(str)) to "
                "use them as classes, or learn them with task='regression'")
    elif not numeric:
        numbers = _numbers_hint(y)
        hint = f"; {numbers}" if numbers else ""
        raise InvalidInputError(
            f"regression needs a numeric target, got dtype {y.dtype}; pass "
            f"task='classification' for labels{hint}")
    elif n_values < 2:
        raise InvalidInputError("the regression target is constant")
    return str(task)


def _fractional(y: pd.Series) -> bool:
    """Whether a numeric target holds a number that is not whole (1.5: not a class label)."""
    values = y.dropna().to_numpy(dtype=float, na_value=np.nan)
    finite = values[np.isfinite(values)]
    return bool(np.any(finite != np.round(finite)))


def _inferred_task(y: pd.Series, n_values: int, numeric: bool,
                   notes: list[str] | None) -> str:
    """:func:`metafeatures.infer_task`, deciding its ambiguous case; a note on a guess."""
    from metafeatures import AmbiguousTaskError, MetafeatureError, infer_task

    try:
        task = infer_task(y)
    except AmbiguousTaskError:
        task = "regression"
        note = (f"the target holds whole numbers with {n_values} distinct values, taken as "
                "a regression target; pass task='classification' (on the command line: "
                "--task classification) if they are class labels")
    except MetafeatureError as error:
        raise InvalidInputError(f"the target cannot be learned: {error}") from error
    else:
        if task == "classification" and not numeric:
            note = _quantity_as_text_note(y, n_values)
            if note is None:
                return task
        elif not (task == "classification" and numeric and n_values > 2):
            return task
        else:
            note = (f"the target's {n_values} whole-number values are taken as classes; "
                    "pass task='regression' (on the command line: --task regression) if "
                    "they measure a quantity (ratings, counts)")
    if notes is not None:
        notes.append(note)
    return task


def _quantity_as_text_note(y: pd.Series, n_values: int) -> str | None:
    """A note when a text target holds numbers that, as numbers, would be a quantity.

    ``"151.0"``, ``"75.0"``, ... as text are class labels (classification), but the same
    values as numbers are learned by regression (``"0"``/``"1"`` stay classes quietly).
    """
    from metafeatures import MetafeatureError, infer_task

    if isinstance(y.dtype, pd.CategoricalDtype) or pd.api.types.is_bool_dtype(y):
        return None
    numbers = pd.to_numeric(y.dropna().astype(str).str.strip(), errors="coerce")
    if numbers.isna().any():
        return None
    try:
        as_numbers = infer_task(numbers)
    except MetafeatureError:  # ambiguous: whole numbers of an uncertain kind
        as_numbers = "regression"
    if as_numbers == "classification":
        return None
    shown = ", ".join(repr(value) for value in y.dropna().astype(str).unique()[:3])
    return (f"the target holds numbers written as text ({shown}, ...), taken as "
            f"{n_values} classes; if they measure a quantity, make the column numeric "
            "(pd.to_numeric; read_table reads such a file column as numbers) to learn it "
            "by regression")


def _numbers_hint(y: pd.Series) -> str:
    """How to make a text target that holds numbers numeric ("" if it does not hold any)."""
    words = stray_words(y.to_frame())
    if words:
        return (f"its values are numbers but for a few words "
                f"({_word_counts(next(iter(words.values())))}): make those cells empty "
                "(missing) to have them read as numbers")
    return NUMBERS_AS_TEXT if _numbers_as_text(y) else ""


def _numbers_as_text(y: pd.Series) -> bool:
    """Whether a text target holds numbers written with currency signs, separators or %."""
    if pd.api.types.is_numeric_dtype(y) or pd.api.types.is_bool_dtype(y):
        return False
    text = y.dropna().astype(str).head(PROBE_LABELS).str.replace(r"[\s$€£¥%,']", "",
                                                                 regex=True)
    return bool(len(text)) and pd.to_numeric(text, errors="coerce").notna().mean() >= 0.9


def check_knowledge_base(kb: Any) -> KnowledgeBase | Path | None:
    """Accept a KnowledgeBase, a folder path, or None (the shipped default).

    Raises
    ------
    InvalidInputError
        For any other type.
    """
    if kb is None or isinstance(kb, KnowledgeBase):
        return kb
    if isinstance(kb, str | Path):
        return Path(kb)
    raise InvalidInputError(
        f"kb must be a KnowledgeBase, a path to a saved knowledge base, or None, got "
        f"{type(kb).__name__}")
