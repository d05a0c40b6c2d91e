"""How long the candidates' preprocessing takes on wide tables, against plain scikit-learn.

Every candidate pipeline starts with ``TableCleaner`` and a ``ColumnTransformer``
(:func:`knowledge_base.portfolio.make_preprocessor`).  On tables of a few hundred rows and
thousands of numeric columns (gene expression, spectra) that preprocessing, not the
model, can dominate a fit.  This script times ``fit_transform`` then ``transform`` of the
one-hot/scaled preprocessor (linear models, SVM, kNN, MLP) on random numeric tables of
growing width, against the peer a scikit-learn user would write: ``SimpleImputer`` and
``StandardScaler`` on ``make_column_selector(dtype_include="number")``, which does less
(no cleaning of infinities, dates, booleans or constant columns).  ``--text`` does the
same on text columns (4 levels, 1 % missing) against ``SimpleImputer`` and
``OneHotEncoder`` on ``make_column_selector(dtype_include=object)``.  Median of
``--repeats``.

Usage::

    python benchmarks/preprocess_width.py [--rows 200] [--widths 1000 5000 20000] [--text]
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer, make_column_selector
from sklearn.impute import SimpleImputer
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from knowledge_base.portfolio import make_preprocessor


def table(rows: int, columns: int, *, text: bool = False, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    if text:
        frame = pd.DataFrame(rng.choice(np.array(list("abcd"), dtype=object), (rows, columns)),
                             columns=[f"t{i}" for i in range(columns)])
    else:
        frame = pd.DataFrame(rng.normal(size=(rows, columns)),
                             columns=[f"g{i}" for i in range(columns)])
    return frame.mask(rng.random(frame.shape) < 0.01)


def peer(text: bool) -> ColumnTransformer:
    if text:
        encode = make_pipeline(SimpleImputer(strategy="constant", fill_value="__missing__"),
                               OneHotEncoder(handle_unknown="ignore", sparse_output=False))
        return ColumnTransformer([("text", encode, make_column_selector(dtype_include=object))])
    numeric = make_pipeline(SimpleImputer(strategy="median", add_indicator=True),
                            StandardScaler())
    return ColumnTransformer([("numeric", numeric, make_column_selector(dtype_include="number"))])


def seconds(build, X: pd.DataFrame, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        build().fit(X).transform(X)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=200)
    parser.add_argument("--widths", type=int, nargs="+", default=[1000, 5000, 20000])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--text", action="store_true", help="text columns instead of numbers")
    args = parser.parse_args()
    kind = "text" if args.text else "numeric"
    print(f"fit + transform, {args.rows} rows, {kind} columns, median of {args.repeats} "
          "(seconds)")
    print(f"{'columns':>8} {'autometa':>9} {'scikit-learn':>13} {'ratio':>6}")
    for width in args.widths:
        X = table(args.rows, width, text=args.text)
        ours = seconds(lambda: make_preprocessor(encoding="onehot", scale=True, impute=True),
                       X, args.repeats)
        theirs = seconds(lambda: peer(args.text), X, args.repeats)
        print(f"{width:>8} {ours:>9.3f} {theirs:>13.3f} {ours / theirs:>6.2f}")


if __name__ == "__main__":
    main()
