"""Reading user tables from CSV, Parquet and ARFF files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from autometa._exceptions import InvalidInputError

__all__ = ["SUFFIXES", "read_table"]

#: File suffixes understood by :func:`read_table`.
SUFFIXES = (".csv", ".tsv", ".txt", ".parquet", ".pq", ".arff")


def read_table(path: str | Path) -> pd.DataFrame:
    """Read a table from a CSV/TSV, Parquet or ARFF file, chosen by the file suffix.

    ARFF nominal attributes become ``category`` columns, ``?`` becomes missing; the file
    is parsed with liac-arff (installed with ``openml``) when available, else with
    :func:`scipy.io.arff.loadarff` (which does not read string attributes).

    Raises
    ------
    InvalidInputError
        If the file does not exist, has an unknown suffix, or cannot be parsed.
    """
    path = Path(path)
    if not path.is_file():
        raise InvalidInputError(f"no such file: {path}")
    suffix = path.suffix.lower()
    try:
        # the sniffing parser returns one block per column; copy() consolidates them, so
        # later column inserts on a wide table do not warn about fragmentation
        if suffix in (".csv", ".txt"):
            return pd.read_csv(path, sep=None, engine="python").copy()
        if suffix == ".tsv":
            return pd.read_csv(path, sep="\t")
        if suffix in (".parquet", ".pq"):
            return pd.read_parquet(path)
        if suffix == ".arff":
            return _read_arff(path)
    except InvalidInputError:
        raise
    except (OSError, ValueError, UnicodeDecodeError, ImportError) as error:
        raise InvalidInputError(f"cannot read {path}: {error}") from error
    except Exception as error:  # parser-specific errors (pyarrow, liac-arff)
        raise InvalidInputError(f"cannot read {path}: {type(error).__name__}: {error}") \
            from error
    raise InvalidInputError(
        f"unknown file type {suffix!r} of {path}; use one of {', '.join(SUFFIXES)}")


def _read_arff(path: Path) -> pd.DataFrame:
    try:
        import arff  # liac-arff, a dependency of openml
    except ImportError:
        return _read_arff_scipy(path)
    with path.open(encoding="utf-8", errors="replace") as handle:
        data = arff.load(handle)
    columns = {}
    names = [name for name, _ in data["attributes"]]
    rows = data["data"]
    for position, (name, kind) in enumerate(data["attributes"]):
        values = [row[position] for row in rows]
        if isinstance(kind, list):
            columns[name] = pd.Categorical(values, categories=kind)
        elif isinstance(kind, str) and kind.upper() in ("NUMERIC", "REAL", "INTEGER"):
            columns[name] = pd.to_numeric(pd.Series(values, dtype=object), errors="coerce")
        else:
            columns[name] = pd.Series(values, dtype=object)
    return pd.DataFrame(columns, columns=names)


def _read_arff_scipy(path: Path) -> pd.DataFrame:
    from scipy.io import arff as scipy_arff

    data, meta = scipy_arff.loadarff(str(path))
    frame = pd.DataFrame(data)
    for name in meta.names():
        if meta[name][0] == "nominal":
            text = frame[name].map(lambda v: v.decode() if isinstance(v, bytes) else v)
            text = text.where(text != "?", np.nan)
            frame[name] = pd.Categorical(text, categories=list(meta[name][1]))
    return frame
