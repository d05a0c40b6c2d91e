"""How close is ``recommend``'s expected fit time to the real one as tables grow?

``Recommendation.configs["expected_fit_time"]`` is a prediction of the seconds one fit of a
configuration takes on the user's whole table.  The knowledge base timed most fits on at
most 1,333 training rows (the corpus campaign's 2,000-row cap, 3 folds), LCDB's on up to a
million.  This script checks the prediction where users need it most, on larger tables:
for the first ``--datasets`` corpus datasets (in index order) with at least the largest
``--sizes`` rows, a seeded sample of each size is passed to :func:`autometa.recommend`,
and the pipelines of its first ``--top`` configurations are fitted on that whole sample
and timed.  Printed: per size and per algorithm, the median of predicted / measured and
the share of predictions within a factor of 3.  Fits longer than ``--max-seconds`` are
stopped there (a measured time of at least that much, counted as such).

The shipped knowledge base holds these datasets' campaign runs (at <= 2,000 rows), so the
figures are not a held-out estimate of score predictions; the times depend on the machine
(the campaign ran on one like this: 2 cores).

Usage::

    python benchmarks/fit_time_accuracy.py [--datasets 4] [--sizes 1000 4000 16000]
        [--top 3] [--max-seconds 180] [--out benchmarks/results/fit_time_accuracy.csv]
        [--reuse earlier.csv] [--algorithm svm]
"""

from __future__ import annotations

import argparse
import multiprocessing
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

import autometa
from knowledge_base.campaign import Corpus
from knowledge_base.campaign._corpus import load_dataset

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "data" / "datasets.csv"


def _timed_fit(pipeline, X, y, queue) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        start = time.perf_counter()
        pipeline.fit(X, y)
        queue.put(time.perf_counter() - start)


def measure(pipeline, X: pd.DataFrame, y: pd.Series, limit: float) -> tuple[float, bool]:
    """Seconds of one fit in a child process, and whether it was stopped at ``limit``."""
    queue: multiprocessing.Queue = multiprocessing.Queue()
    child = multiprocessing.Process(target=_timed_fit, args=(pipeline, X, y, queue))
    child.start()
    child.join(limit)
    if child.is_alive():
        child.terminate()
        child.join()
        return limit, True
    return float(queue.get()), False


def run(corpus: Path, n_datasets: int, sizes: list[int], top: int, limit: float,
        measured: pd.DataFrame | None = None,
        algorithms: tuple[str, ...] = ()) -> pd.DataFrame:
    """Predicted and measured seconds of every fit; ``measured`` holds earlier timings
    (``dataset``, ``rows``, ``config_id``) that are reused instead of fitting again.

    Besides the first ``top`` configurations, the best-ranked one of each of
    ``algorithms`` is timed (wherever it is ranked)."""
    known = ({} if measured is None else
             {(r.dataset, r.rows, r.config_id): (r.measured_s, r.stopped)
              for r in measured.itertuples()})
    specs = [spec for spec in Corpus(corpus).select(None)
             if spec.n_rows >= max(sizes)][:n_datasets]
    rows = []
    for spec in specs:
        X_all, y_all = load_dataset(spec.path, spec.target, spec.task_type, max_rows=None,
                                    random_state=0)
        for size in sizes:
            chosen = np.sort(np.random.default_rng(0).choice(len(X_all), size, replace=False))
            X, y = X_all.iloc[chosen].reset_index(drop=True), y_all.iloc[chosen]
            y = y.reset_index(drop=True)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                rec = autometa.recommend(X.assign(__target=y.to_numpy()), "__target",
                                         task=spec.task_type,
                                         n_configs=10_000 if algorithms else top)
            ranked = rec.configs["algorithm"].reset_index(drop=True)
            chosen_ranks = list(range(min(top, len(ranked))))
            for algorithm in algorithms:
                first = ranked.index[ranked == algorithm]
                if len(first) and first[0] not in chosen_ranks:
                    chosen_ranks.append(int(first[0]))
            for i in chosen_ranks:
                config = next(rec.configs.iloc[[i]].itertuples())
                key = (spec.dataset_id, size, config.config_id)
                seconds, stopped = (known[key] if key in known
                                    else measure(rec.pipeline(i), X, y, limit))
                rows.append({"dataset": spec.dataset_id, "rows": size,
                             "config_id": config.config_id,
                             "algorithm": config.algorithm, "rank": i + 1,
                             "predicted_s": float(config.expected_fit_time),
                             "measured_s": seconds, "stopped": stopped})
                print(f"{spec.dataset_id} {size} #{i + 1} {config.algorithm}: predicted "
                      f"{config.expected_fit_time:.2f} s, measured {seconds:.2f} s"
                      f"{' (stopped)' if stopped else ''}", flush=True)
    return pd.DataFrame(rows)


def summarise(table: pd.DataFrame) -> str:
    table = table.assign(ratio=table["predicted_s"] / table["measured_s"])
    table = table.assign(within3=(table["ratio"] >= 1 / 3) & (table["ratio"] <= 3))

    def lines(by: str) -> list[str]:
        out = [f"{by:<24}{'fits':>6}{'median predicted/measured':>28}{'within 3x':>11}"]
        for key, group in table.groupby(by):
            out.append(f"{key!s:<24}{len(group):>6}{group['ratio'].median():>28.2f}"
                       f"{group['within3'].mean():>11.0%}")
        return out

    return "\n".join([*lines("rows"), "", *lines("algorithm"), "",
                      f"all: {len(table)} fits, median predicted/measured "
                      f"{table['ratio'].median():.2f}, within 3x {table['within3'].mean():.0%}, "
                      f"stopped at the limit {int(table['stopped'].sum())}"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--datasets", type=int, default=4)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 4000, 16000])
    parser.add_argument("--top", type=int, default=3)
    parser.add_argument("--max-seconds", type=float, default=180.0)
    parser.add_argument("--algorithm", action="append", default=[],
                        help="also time the best-ranked configuration of this algorithm "
                             "(repeatable), e.g. svm, whose fit time grows fastest")
    parser.add_argument("--out", type=Path, default=None, help="write every fit as CSV")
    parser.add_argument("--reuse", type=Path, default=None,
                        help="CSV of an earlier run whose measured times are reused (to "
                             "compare two versions of the prediction on the same fits)")
    args = parser.parse_args()
    if args.out is not None:  # made now, not found missing after all the fitting
        args.out.parent.mkdir(parents=True, exist_ok=True)
    measured = pd.read_csv(args.reuse) if args.reuse is not None else None
    table = run(args.corpus, args.datasets, args.sizes, args.top, args.max_seconds, measured,
                tuple(args.algorithm))
    if args.out is not None:
        table.to_csv(args.out, index=False)
    print()
    print(summarise(table))


if __name__ == "__main__":
    main()
