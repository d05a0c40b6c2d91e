"""How long ``autometa.recommend`` takes, against FLAML's zero-shot suggestion, in one run.

Three situations a user meets, each timed in a fresh child process so that nothing is
shared between them:

1. **cold**: the first call on a machine (empty meta-model cache): load the shipped
   knowledge base, fit the meta-model, cache it on disk, recommend;
2. **disk-cached**: a later process (what a second ``autometa recommend`` run sees):
   load the cached meta-model, recommend;
3. **warm**: further calls in the same process (meta-model in memory).

Warm calls are timed on the README's example CSV, on synthetic 10,000 x 50 tables
(classification and regression, with categorical columns and missing values) and on a wide
200 x 20,000 table (numeric, as from gene expression), split into meta-feature extraction
and the rest.  The peer is ``flaml.default.suggest_config`` (FLAML's
zero-shot suggestion, which also reads the table) on the same tables, in the same process.
Import time is reported separately.  Wall-clock seconds; the median of ``--repeats`` calls.

Usage::

    python benchmarks/recommend_latency.py
    python benchmarks/recommend_latency.py --repeats 5 \
        --out benchmarks/results/recommend_latency.json
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "breast_cancer.csv"


def synthetic(task: str, n_rows: int = 10_000, n_columns: int = 50, seed: int = 0
              ) -> pd.DataFrame:
    """A ``n_rows x n_columns`` table: numeric, categorical and missing values, target ``y``."""
    from sklearn.datasets import make_classification, make_regression

    if task == "classification":
        X, y = make_classification(n_samples=n_rows, n_features=n_columns - 5, n_informative=15,
                                   n_classes=3, random_state=seed)
    else:
        X, y = make_regression(n_samples=n_rows, n_features=n_columns - 5, n_informative=15,
                               noise=10.0, random_state=seed)
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(X, columns=[f"x{i}" for i in range(X.shape[1])])
    frame = frame.mask(rng.random(frame.shape) < 0.02)
    for i in range(5):
        frame[f"c{i}"] = pd.Categorical(rng.choice([f"v{j}" for j in range(3 + 4 * i)], n_rows))
    frame["y"] = y
    return frame


def wide(n_rows: int = 200, n_columns: int = 20_000, seed: int = 0) -> pd.DataFrame:
    """A wide numeric table (columns ``g0, g1, ...``) with a binary target ``y``."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(rng.normal(size=(n_rows, n_columns)),
                         columns=[f"g{i}" for i in range(n_columns)])
    frame["y"] = (frame["g0"] + frame["g1"] + rng.normal(size=n_rows) > 0).astype(int)
    return frame


def _median_time(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def child(mode: str, repeats: int) -> dict:
    """Run inside a child process: time the import, then ``mode``'s calls."""
    start = time.perf_counter()
    import autometa
    import metafeatures
    from autometa._cache import RECOMMEND_GROUPS
    result: dict = {"import_s": time.perf_counter() - start}
    example = pd.read_csv(EXAMPLE)
    start = time.perf_counter()
    autometa.recommend(example, target="target")
    result["first_call_s"] = time.perf_counter() - start
    if mode != "warm":
        return result
    tables = {"example (569 x 31)": (example, "target"),
              "synthetic classification (10,000 x 50)": (synthetic("classification"), "y"),
              "synthetic regression (10,000 x 50)": (synthetic("regression"), "y"),
              "wide classification (200 x 20,000)": (wide(), "y")}
    rows = []
    for name, (frame, target) in tables.items():
        autometa.recommend(frame, target=target)  # the regression meta-model's first fit
        X, y = frame.drop(columns=target), frame[target]
        total = _median_time(lambda f=frame, t=target: autometa.recommend(f, target=t), repeats)
        extract = _median_time(lambda X=X, y=y: metafeatures.extract(
            X, y, groups=RECOMMEND_GROUPS, random_state=0), repeats)
        row = {"table": name, "recommend_s": total, "metafeatures_s": extract,
               "flaml_suggest_s": None}
        try:
            from flaml.default import suggest_config

            task = ("regression" if frame[target].dtype.kind == "f"
                    else "binary" if frame[target].nunique() == 2 else "multiclass")
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                row["flaml_suggest_s"] = _median_time(
                    lambda X=X, y=y, task=task: suggest_config(task, X, y, "all"), repeats)
        except ImportError:
            pass
        rows.append(row)
    result["tables"] = rows
    return result


def run_child(mode: str, repeats: int, cache: str) -> dict:
    env = {**os.environ, "AUTOMETA_CACHE_DIR": cache}
    out = subprocess.run([sys.executable, __file__, "--child", mode, "--repeats", str(repeats)],
                         env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", type=Path, default=None, help="write the figures as JSON")
    parser.add_argument("--child", choices=["cold", "disk", "warm"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.repeats)))
        return
    with tempfile.TemporaryDirectory() as cache:
        cold = run_child("cold", args.repeats, cache)
        disk = run_child("disk", args.repeats, cache)
        warm = run_child("warm", args.repeats, cache)
    print(f"import autometa: {disk['import_s']:.2f} s")
    print(f"first recommend on the example, empty cache (fit + cache the meta-model): "
          f"{cold['first_call_s']:.2f} s")
    print(f"first recommend on the example, meta-model cached on disk: "
          f"{disk['first_call_s']:.2f} s")
    table = pd.DataFrame(warm["tables"]).set_index("table")
    print("\nwarm calls (meta-model in memory), median seconds:")
    print(table.to_string(float_format=lambda v: f"{v:.3f}"))
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps({"cold": cold, "disk_cached": disk, "warm": warm},
                                       indent=2) + "\n")


if __name__ == "__main__":
    main()
