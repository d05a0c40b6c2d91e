"""Speed of ``metafeatures.extract`` against pymfe, and on a 100,000 x 100 synthetic table.

For corpus datasets with at least 1,000 rows, both extractors run on the same table in one
process: ours with its default (all) groups, pymfe with ``MFE(random_state=0)`` and its
default groups (general, info-theory, statistical, model-based, landmarking). pymfe does not
accept missing values, so it gets a copy with missing values imputed (median / mode); ours
gets the raw table. pymfe runs in a child process, killed after ``--pymfe-timeout``
seconds (the ratio is then a lower bound, marked ``>=``); its time is measured inside the
child, around ``fit`` and ``extract``. Wall-clock and CPU times are both reported: this machine is
shared, and CPU time is less sensitive to the other processes.

Usage::

    python benchmarks/metafeatures_vs_pymfe.py --max-datasets 12
    python benchmarks/metafeatures_vs_pymfe.py --max-datasets 0   # synthetic table only
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import time
import warnings
from pathlib import Path
from queue import Empty

import numpy as np
import pandas as pd

import metafeatures

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("AUTOMETA_SHARED_DATA", ROOT.parent / "shared" / "data"))


def _timed(fn):
    wall, cpu = time.perf_counter(), time.process_time()
    result = fn()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def _impute(X: pd.DataFrame) -> pd.DataFrame:
    X = X.copy()
    for column in X.columns:
        if X[column].isna().any():
            if pd.api.types.is_numeric_dtype(X[column]):
                X[column] = X[column].fillna(X[column].median())
            else:
                mode = X[column].mode(dropna=True)
                X[column] = X[column].astype(object).fillna(mode.iloc[0] if len(mode) else "?")
    return X


def _pymfe_worker(values, target, queue) -> None:
    import warnings as _warnings

    from pymfe.mfe import MFE

    _warnings.simplefilter("ignore")
    wall, cpu = time.perf_counter(), time.process_time()
    model = MFE(random_state=0)
    model.fit(values, target, suppress_warnings=True)
    names, vals = model.extract(suppress_warnings=True)
    queue.put(
        (
            len(names),
            int(np.isfinite(np.asarray(vals, dtype=float)).sum()),
            time.perf_counter() - wall,
            time.process_time() - cpu,
        )
    )


def _run_pymfe(X: pd.DataFrame, y: pd.Series, task: str, timeout: int):
    """Run pymfe in a child process (killed after ``timeout`` seconds)."""
    Xi = _impute(X)
    numeric = all(pd.api.types.is_numeric_dtype(dtype) for dtype in Xi.dtypes)
    values = Xi.to_numpy(dtype=float) if numeric else Xi.astype(object).to_numpy()
    target = y.astype(str).to_numpy() if task == "classification" else y.to_numpy(float)
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    process = context.Process(target=_pymfe_worker, args=(values, target, queue))
    process.start()
    try:
        n_names, n_finite, wall, cpu = queue.get(timeout=timeout)
        return n_names, n_finite, wall, cpu, False
    except Empty:
        return 0, 0, float(timeout), float("nan"), True
    finally:
        if process.is_alive():
            process.kill()
        process.join()


def _corpus(max_datasets: int) -> pd.DataFrame:
    index = pd.read_csv(SHARED / "datasets.csv")
    big = index[(index["n_rows"] >= 1000) & (index["target_missing"] == 0)]
    big = big.sort_values("dataset_key").reset_index(drop=True)
    if max_datasets >= len(big):
        return big
    picks = np.unique(np.linspace(0, len(big) - 1, max_datasets).round().astype(int))
    return big.iloc[picks]


def synthetic(n: int = 100_000, n_numeric: int = 70, n_nominal: int = 30, seed: int = 0):
    """A mixed table: 70 numeric (2% missing) and 30 categorical columns, and two targets."""
    rng = np.random.default_rng(seed)
    columns = {}
    for j in range(n_numeric):
        x = rng.normal(size=n) * (j + 1) + j
        x[rng.random(n) < 0.02] = np.nan
        columns[f"num{j}"] = x
    for j in range(n_nominal):
        k = 2 + j % 15
        columns[f"cat{j}"] = pd.Categorical.from_codes(
            rng.integers(0, k, n), [f"v{i}" for i in range(k)]
        )
    X = pd.DataFrame(columns)
    signal_ = X["num0"].fillna(0) / 1.0 + (X["cat0"] == "v1") + rng.normal(size=n)
    y_class = pd.Series(np.where(signal_ > 0.5, "a", "b")).astype("category")
    y_reg = X["num1"].fillna(0) * 2 + signal_
    return X, y_class, y_reg


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-datasets", type=int, default=12)
    parser.add_argument("--pymfe-timeout", type=int, default=300)
    parser.add_argument("--out", type=Path, default=None, help="Optional CSV of the timings.")
    args = parser.parse_args()
    warnings.simplefilter("ignore")

    warm_up, warm_y, _ = synthetic(n=300)
    metafeatures.extract(warm_up, warm_y)  # first-call costs (lazy imports) are not timed

    rows = []
    for _, entry in _corpus(args.max_datasets).iterrows():
        frame = pd.read_parquet(SHARED / entry["path"])
        X, y = frame.drop(columns=[entry["target"]]), frame[entry["target"]]
        task = entry["task_type"]
        ours, wall, cpu = _timed(lambda X=X, y=y, task=task: metafeatures.extract(X, y, task=task))
        n_names, n_finite, p_wall, p_cpu, timed_out = _run_pymfe(X, y, task, args.pymfe_timeout)
        rows.append(
            {
                "dataset": entry["dataset_key"],
                "task": task,
                "rows": len(X),
                "cols": X.shape[1],
                "ours_s": wall,
                "ours_cpu_s": cpu,
                "ours_features": len(ours),
                "ours_finite": int(np.isfinite(ours).sum()),
                "pymfe_s": p_wall,
                "pymfe_cpu_s": p_cpu,
                "pymfe_features": n_names,
                "pymfe_finite": n_finite,
                "pymfe_timeout": timed_out,
                "ratio": p_wall / wall,
                "cpu_ratio": p_cpu / cpu if cpu > 0 else float("nan"),
            }
        )
        r = rows[-1]
        print(
            f"{r['dataset']:45s} {r['rows']:6d}x{r['cols']:<4d} ours {wall:6.2f}s "
            f"({r['ours_features']} mf) pymfe {'>=' if timed_out else '  '}{p_wall:7.2f}s "
            f"({n_names} mf) ratio {'>=' if timed_out else '  '}{r['ratio']:6.1f}x",
            flush=True,
        )
    if rows:
        table = pd.DataFrame(rows)
        if args.out is not None:
            table.to_csv(args.out, index=False)
        done = table[~table.pymfe_timeout]
        print()
        print(
            f"datasets (>= 1,000 rows): {len(table)}; pymfe finished on {len(done)}, "
            f"timed out on {int(table.pymfe_timeout.sum())} (after {args.pymfe_timeout}s)"
        )
        print(
            "median time ratio pymfe / ours, datasets where pymfe finished: wall "
            f"{done.ratio.median():.1f}x, CPU {done.cpu_ratio.median():.1f}x"
        )
        print(
            "median wall ratio over all datasets (timeouts counted at the timeout, a lower "
            f"bound): {table.ratio.median():.1f}x"
        )
        print(
            f"median wall time: ours {table.ours_s.median():.2f}s (all), pymfe "
            f"{done.pymfe_s.median():.2f}s (finished runs)"
        )
        print(
            f"meta-features per dataset (median): ours {table.ours_features.median():.0f} "
            f"({table.ours_finite.median():.0f} finite); pymfe {done.pymfe_features.median():.0f}"
            f" ({done.pymfe_finite.median():.0f} finite, finished runs)"
        )

    X, y_class, y_reg = synthetic()
    print(f"\nsynthetic table {X.shape[0]:,} x {X.shape[1]} (70 numeric, 30 categorical):")
    for label, target in (("classification", y_class), ("regression", y_reg)):
        for attempt in (1, 2):
            result, wall, cpu = _timed(lambda target=target: metafeatures.extract(X, target))
            print(
                f"  {label:14s} run {attempt}: {wall:5.2f}s wall, {cpu:5.2f}s CPU, "
                f"{len(result)} meta-features, subsampled rows: {result.attrs['subsampled_rows']}"
            )


if __name__ == "__main__":
    main()
