"""How far a perfect ranking of the known configurations could take warm-started tuning.

For each (dataset, seed) of a warm-start benchmark run (``runs.csv`` of
``benchmarks/warm_start.py``), the *oracle warm start* enqueues the held-out dataset's own
``--n`` best configurations in the knowledge base's campaign records (what a meta-model
that ranked the known configurations perfectly would enqueue first) and evaluates them
exactly as the benchmark evaluates its trials: the same table and row cap, folds, seed
and fit time limit (``autometa.tune`` with the configurations enqueued into TPE).

Reported beside the benchmark's strategies, against the same target (cold TPE's best CV
score after 50 trials): pairs reaching it by trial 1, 5 and 10, datasets where more than
half the seeds (certainly a median within 10) or at least half (possibly) reach it by
trial 10, and the median shortfall at trial 10.

The oracle knows what no warm start can (the dataset's own results), but only through the
knowledge base: the records were cross-validated at the campaign's row cap on other folds
and hold some 25 configurations per algorithm, so the figure bounds what ranking the
knowledge base's configurations better could give, not what tuning could.

Usage (from the repository root; two processes on 2 cores)::

    python benchmarks/warm_start_oracle.py --part 0/2 & \\
    python benchmarks/warm_start_oracle.py --part 1/2; wait
    python benchmarks/warm_start_oracle.py --summary-only
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from warm_start import (  # noqa: E402  (the benchmark's tables, runs files and tables)
    LABELS,
    benchmark_table,
    finished_runs,
    markdown_table,
)

ORACLE = "oracle"


def oracle_configurations(kb, dataset_id: str, metric: str, n: int) -> pd.DataFrame:
    """The dataset's ``n`` best configurations in the campaign records, best first."""
    from knowledge_base import METRICS

    scores = kb.scores(metric, source="campaign").loc[dataset_id].dropna()
    best = scores.sort_values(ascending=not METRICS[metric], kind="stable").index[:n]
    table = kb.config_table().loc[best]
    return pd.DataFrame({"algorithm": table["algorithm"].to_numpy(),
                         "params": list(table["params"])})


def run(args: argparse.Namespace) -> None:
    import optuna

    import autometa
    from knowledge_base import METRICS, KnowledgeBase
    from knowledge_base.campaign import Corpus

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    benchmark = pd.read_csv(args.runs)
    part, parts = (int(v) for v in args.part.split("/"))
    ids = sorted(benchmark["dataset"].unique())[part::parts]
    seeds = sorted(benchmark["seed"].unique())
    kb, corpus = KnowledgeBase.load(args.kb), Corpus(args.corpus)
    args.out.mkdir(parents=True, exist_ok=True)
    runs_file = args.out / f"runs-{part}.csv"
    finished = finished_runs(runs_file, "strategy")
    for dataset_id in ids:
        spec, df, metric = benchmark_table(corpus, dataset_id, args.max_rows)
        configurations = oracle_configurations(kb, dataset_id, metric, args.n)
        for seed in seeds:
            if (dataset_id, seed, ORACLE) in finished:
                continue
            started = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                result = autometa.tune(df, spec.target, task=spec.task_type, n_trials=args.n,
                                       cv=args.cv, random_state=int(seed),
                                       recommendation=configurations, sampler="tpe",
                                       warm_start=True, n_warm=args.n, refit=False,
                                       fit_timeout=args.fit_timeout or None)
            history = result.history()
            history = pd.DataFrame({
                "dataset": dataset_id, "task": spec.task_type, "metric": metric,
                "higher_is_better": METRICS[metric], "seed": seed, "strategy": ORACLE,
                "trial": np.arange(1, len(history) + 1), "value": history["value"],
                "algorithm": history["algorithm"], "source": history["source"]})
            history.to_csv(runs_file, mode="a", header=not runs_file.is_file(), index=False)
            print(f"{dataset_id} seed={seed} oracle {len(history)} trials "
                  f"({time.perf_counter() - started:.0f} s)", file=sys.stderr)


def first_at_target(benchmark: pd.DataFrame, oracle: pd.DataFrame, n: int,
                    cold_trials: int) -> pd.DataFrame:
    """Per (dataset, seed, strategy): first trial (of the first ``n``) at the target, and
    the shortfall at trial ``n`` in percent of the target (NaN trial: not reached)."""
    runs = pd.concat([benchmark, oracle], ignore_index=True)
    rows = []
    for (dataset, seed), pair in runs.groupby(["dataset", "seed"]):
        sign = 1.0 if bool(pair["higher_is_better"].iloc[0]) else -1.0
        cold = pair[(pair["strategy"] == "tpe") & (pair["trial"] <= cold_trials)]
        if len(cold) < cold_trials:
            continue
        target = sign * cold["value"].max() if sign > 0 else -cold["value"].min()
        for strategy, trials in pair.groupby("strategy"):
            if strategy == "tpe":
                continue
            best = (sign * trials.sort_values("trial")["value"]).cummax().to_numpy()[:n]
            if len(best) < n:
                continue
            hit = np.flatnonzero(best >= target - 1e-12)
            rows.append({"dataset": dataset, "seed": seed, "strategy": strategy,
                         "trial": hit[0] + 1 if len(hit) else np.nan,
                         "shortfall": 100 * (target - best[-1]) / abs(target)})
    return pd.DataFrame(rows)


def summary(reach: pd.DataFrame, n: int) -> pd.DataFrame:
    """One row per strategy: pairs by trial 1 / 5 / n, datasets, median shortfall."""
    rows = []
    for strategy, frame in reach.groupby("strategy"):
        within = frame.assign(hit=frame["trial"] <= n).groupby("dataset")["hit"]
        share = within.mean()
        rows.append({
            "strategy": strategy, "pairs": len(frame),
            **{f"by {k}": int((frame["trial"] <= k).sum()) for k in (1, 5, n)},
            "datasets": len(share),
            f"datasets, median within {n}: certainly": int((share > 0.5).sum()),
            "possibly": int((share >= 0.5).sum()),
            f"median shortfall at {n} (%)": round(float(frame["shortfall"].median()), 3)})
    order = [ORACLE, "meta", "meta_cost", "tpe_warm", "random", "tpe_replicate"]
    table = pd.DataFrame(rows)
    return table.sort_values("strategy", key=lambda s: s.map(
        {name: i for i, name in enumerate(order)}).fillna(len(order)))


def write_report(path: Path, table: pd.DataFrame, reach: pd.DataFrame, n: int) -> None:
    labels = {**LABELS, ORACLE: "oracle warm start"}
    per_dataset = reach.assign(hit=reach["trial"] <= n).pivot_table(
        index="dataset", columns="strategy", values="hit", aggfunc="sum")
    per_dataset = per_dataset.reindex(columns=table["strategy"])
    per_dataset.index = pd.Index([name.split("/")[-1] for name in per_dataset.index],
                                 name="dataset")
    lines = [
        "# Oracle warm start: the held-out dataset's own best known configurations",
        "",
        "Generated by `python benchmarks/warm_start_oracle.py` (two `--part` processes, "
        f"then `--summary-only`) on {time.strftime('%Y-%m-%d')}; every number below comes "
        "from `runs-*.csv` in this folder and the warm-start benchmark's `runs.csv`.",
        "",
        (__doc__ or "").split("\n\n")[1].replace("\n", " "),
        "",
        (__doc__ or "").split("\n\n")[3].replace("\n", " "),
        "",
        f"## Reaching cold TPE's 50-trial score within {n} trials",
        "",
        markdown_table(table.assign(strategy=table["strategy"].map(labels))
                       .set_index("strategy")),
        "",
        f"Seeds reaching it by trial {n}, per dataset:",
        "",
        markdown_table(per_dataset.rename(columns=labels)),
        "",
    ]
    path.write_text("\n".join(lines))


def main(argv: list[str] | None = None) -> int:
    here = Path(__file__).resolve().parents[1]
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=Path,
                        default=here / "benchmarks" / "results" / "warm_start" / "runs.csv",
                        help="runs.csv of benchmarks/warm_start.py (datasets, seeds, target)")
    parser.add_argument("--out", type=Path,
                        default=here / "benchmarks" / "results" / "warm_start_oracle")
    parser.add_argument("--kb", type=Path, default=None,
                        help="Knowledge-base folder (default: the shipped one)")
    parser.add_argument("--corpus", type=Path,
                        default=here.parent / "shared" / "data" / "datasets.csv")
    parser.add_argument("--n", type=int, default=10, help="Configurations enqueued")
    parser.add_argument("--cv", type=int, default=3)
    parser.add_argument("--max-rows", type=int, default=1000)
    parser.add_argument("--fit-timeout", type=float, default=20.0)
    parser.add_argument("--cold-trials", type=int, default=50)
    parser.add_argument("--part", default="0/1", help="K/N: the K-th of N dataset shares")
    parser.add_argument("--summary-only", action="store_true")
    args = parser.parse_args(argv)
    if not args.summary_only:
        run(args)
    files = sorted(args.out.glob("runs-*.csv"))
    if not files:
        print(f"no runs in {args.out}", file=sys.stderr)
        return 1
    oracle = pd.concat([pd.read_csv(f) for f in files], ignore_index=True)
    reach = first_at_target(pd.read_csv(args.runs), oracle, args.n, args.cold_trials)
    table = summary(reach, args.n)
    print(table.to_string(index=False))
    write_report(args.out / "report.md", table, reach, args.n)
    return 0


if __name__ == "__main__":
    sys.exit(main())
