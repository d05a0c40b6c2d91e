"""How long the candidates' preprocessing takes on wide tables, against plain scikit-learn.

Every candidate pipeline starts with ``TableCleaner`` and a ``ColumnTransformer``
(:func:`knowledge_base.portfolio.make_preprocessor`).  On tables of a few hundred rows and
thousands of numeric columns (gene expression, spectra) that preprocessing, not the
model, can dominate a fit.  This script times ``fit_transform`` then ``transform`` of the
one-hot/scaled preprocessor (linear models, SVM, kNN, MLP) on random numeric tables of
growing width, against the peer a scikit-learn user would write: ``SimpleImputer`` and
``StandardScaler`` on ``make_column_selector(dtype_include="number")``, which does less
(no cleaning of infinities, dates, booleans or constant columns).  Median of ``--repeats``.

Usage::

    python benchmarks/preprocess_width.py [--rows 200] [--widths 1000 5000 20000]
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
from sklearn.preprocessing import StandardScaler

from knowledge_base.portfolio import make_preprocessor


def table(rows: int, columns: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(rng.normal(size=(rows, columns)),
                         columns=[f"g{i}" for i in range(columns)])
    return frame.mask(rng.random(frame.shape) < 0.01)


def peer() -> ColumnTransformer:
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
    args = parser.parse_args()
    print(f"fit + transform, {args.rows} rows, median of {args.repeats} (seconds)")
    print(f"{'columns':>8} {'autometa':>9} {'scikit-learn':>13} {'ratio':>6}")
    for width in args.widths:
        X = table(args.rows, width)
        ours = seconds(lambda: make_preprocessor(encoding="onehot", scale=True, impute=True),
                       X, args.repeats)
        theirs = seconds(peer, X, args.repeats)
        print(f"{width:>8} {ours:>9.3f} {theirs:>13.3f} {ours / theirs:>6.2f}")


if __name__ == "__main__":
    main()
