"""Benchmark: ``autometa.tune`` under a time budget (``timeout``), with and without cost.

On the held-out datasets of ``benchmarks/warm_start.py`` (grouped leave-one-out: the
meta-model is fitted without the dataset's family), each (dataset, seed) is tuned for
``--timeout`` seconds of wall-clock time by:

- ``meta_cost``: ``tune(timeout=...)`` as shipped: the meta-learned sampler, cost-aware
  (``cost_weight=0.5``, the default under a timeout);
- ``meta``: the same with ``cost_weight=0`` (fit time ignored, the default without a
  timeout);
- ``tpe``: Optuna's TPE, cold (``sampler="tpe", warm_start=False``): what a user without
  autometa would run.

The arms of one (dataset, seed) run one after the other in the same process, so they share
the machine's load.  The recommendation (the leave-one-out meta-model's) is computed once per
dataset before the clock starts.  Every finished trial is written to ``runs.csv`` with its
completion time since the study's first trial started; the report compares the best CV
score reached by ``--checkpoints`` seconds.

Usage (from the repository root)::

    python benchmarks/tune_timeout.py --from-warm-start benchmarks/results/warm_start \\
        --seeds 2 --timeout 30 --out benchmarks/results/tune_timeout
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
import warm_start  # noqa: E402  (the held-out datasets and their recommendations)

ARMS = ("meta_cost", "meta", "tpe")
LABELS = {"meta_cost": "meta-learned sampler, cost-aware (tune's default under a timeout)",
          "meta": "meta-learned sampler, cost ignored", "tpe": "TPE (cold)"}


def tune_for(df: pd.DataFrame, target: str, task: str, arm: str, seed: int,
             args: argparse.Namespace, recommendation) -> pd.DataFrame:
    """One arm on one (dataset, seed): every finished trial and when it finished."""
    import optuna

    import autometa

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    kwargs = {"meta_cost": dict(recommendation=recommendation),
              "meta": dict(recommendation=recommendation, cost_weight=0.0),
              "tpe": dict(sampler="tpe", warm_start=False)}[arm]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = autometa.tune(df, target, task=task, n_trials=args.max_trials,
                               timeout=args.timeout, cv=args.cv, random_state=seed,
                               refit=False, fit_timeout=args.fit_timeout or None, **kwargs)
    trials = sorted(result.study.get_trials(deepcopy=False), key=lambda t: t.number)
    start = min(t.datetime_start for t in trials if t.datetime_start is not None)
    history = result.history()
    finished = {t.number: (t.datetime_complete - start).total_seconds() for t in trials
                if t.datetime_complete is not None}
    history["seconds"] = history["number"].map(finished)
    history["trial"] = np.arange(1, len(history) + 1)
    history["configuration"] = history["number"].map(
        {t.number: t.user_attrs.get("configuration") for t in trials})
    return history[["trial", "seconds", "value", "best_so_far", "algorithm", "fit_time",
                    "configuration"]]


def run(args: argparse.Namespace) -> pd.DataFrame:
    from knowledge_base import METRICS
    from knowledge_base.campaign import Corpus

    args.out.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("AUTOMETA_CACHE_DIR", str(args.cache or args.out / "cache"))
    corpus = Corpus(args.corpus)
    # the knowledge base as the warm-start benchmark built it (and its meta-feature cache)
    kb = warm_start.build_kb(argparse.Namespace(**{**vars(args), "out": args.from_warm_start}))
    ids = datasets(args)
    part, parts = args.part
    ids = ids[part::parts]
    print(f"datasets: {ids}", file=sys.stderr)
    runs_file = args.out / (f"runs-{part}.csv" if parts > 1 else "runs.csv")
    finished = warm_start.finished_runs(runs_file, "arm")
    arms = [arm for arm in args.arms.split(",") if arm]
    for dataset_id in ids:
        spec, df, metric = warm_start.benchmark_table(corpus, dataset_id, args.max_rows)
        recommendation = None
        for seed in range(args.seeds):
            for arm in arms:
                if (dataset_id, seed, arm) in finished:
                    continue
                if recommendation is None and arm != "tpe":
                    recommendation = warm_start.loo_recommendation(
                        kb, dataset_id, df, spec.target, spec.task_type)
                history = tune_for(df, spec.target, spec.task_type, arm, seed, args,
                                   recommendation)
                history.insert(0, "dataset", dataset_id)
                history.insert(1, "task", spec.task_type)
                history.insert(2, "higher_is_better", METRICS[metric])
                history.insert(3, "seed", seed)
                history.insert(4, "arm", arm)
                history.to_csv(runs_file, mode="a", header=not runs_file.is_file(), index=False)
                print(f"{dataset_id} seed={seed} {arm:<9} {len(history)} trials "
                      f"best={history['best_so_far'].iloc[-1]:.5g}", file=sys.stderr)
    return read_runs(args.out)


def read_runs(folder: Path) -> pd.DataFrame:
    """``runs.csv`` and the ``runs-<part>.csv`` of processes that shared the datasets."""
    files = sorted(folder.glob("runs*.csv"))
    if not files:
        raise SystemExit(f"no runs*.csv in {folder}")
    return pd.concat([pd.read_csv(file) for file in files], ignore_index=True)


def datasets(args: argparse.Namespace) -> list[str]:
    """The given ids, or the held-out datasets of a warm-start benchmark folder."""
    if args.dataset:
        return list(args.dataset)
    runs = pd.read_csv(args.from_warm_start / "runs.csv", usecols=["dataset"])
    return list(dict.fromkeys(runs["dataset"]))


# --------------------------------------------------------------------- summary
def incumbents(runs: pd.DataFrame, checkpoints: list[float]) -> pd.DataFrame:
    """Per (dataset, seed, arm) and checkpoint: the best trial finished by then (the
    earliest of equals; none before the first trial finished)."""
    rows = []
    for (dataset, seed, arm), mine in runs.groupby(["dataset", "seed", "arm"]):
        mine = mine.sort_values("trial")
        higher = bool(mine["higher_is_better"].iloc[0])
        score = (1.0 if higher else -1.0) * mine["value"].to_numpy(dtype=float)
        score = np.where(np.isfinite(score), score, -np.inf)
        for seconds in checkpoints:
            finished = (mine["seconds"] <= seconds).to_numpy()
            if not np.isfinite(score[finished]).any():
                continue
            best = int(np.flatnonzero(finished)[np.argmax(score[finished])])
            rows.append({"dataset": dataset, "task": mine["task"].iloc[0], "seed": seed,
                         "arm": arm, "checkpoint": seconds, "higher_is_better": higher,
                         "cv_value": float(mine["value"].iloc[best]),
                         "configuration": mine["configuration"].iloc[best]
                         if "configuration" in mine else None})
    return pd.DataFrame(rows)


def best_by(table: pd.DataFrame, seconds: float, column: str = "cv_value") -> pd.DataFrame:
    """Pairs x arms: each incumbent's ``column`` at the checkpoint, higher is better (RMSE
    negated; NaN: no trial finished by then)."""
    pairs = table[["dataset", "seed"]].drop_duplicates().set_index(["dataset", "seed"]).index
    arms = [arm for arm in ARMS if arm in set(table["arm"])]
    mine = table[table["checkpoint"] == seconds]
    sign = np.where(mine["higher_is_better"].astype(bool), 1.0, -1.0)
    best = mine.assign(score=sign * mine[column].astype(float)).set_index(
        ["dataset", "seed", "arm"])["score"]
    return best.unstack("arm").reindex(index=pairs, columns=arms)


def compare(table: pd.DataFrame, runs: pd.DataFrame, checkpoints: list[float],
            column: str = "cv_value") -> pd.DataFrame:
    """Per checkpoint and arm: pairs where it has the best score of all arms (ties count
    for each), pairs won against each other arm ("–" against itself), trials run."""
    rows = []
    arms = [arm for arm in ARMS if arm in set(table["arm"])]
    for seconds in checkpoints:
        best = best_by(table, seconds, column).fillna(-np.inf)
        trials = runs[runs["seconds"] <= seconds].groupby(["dataset", "seed", "arm"]).size()
        for arm in arms:
            row = {"seconds": seconds, "arm": arm,
                   "median_trials": float(trials.xs(arm, level="arm").median())
                   if arm in trials.index.get_level_values("arm") else 0.0}
            top = best.max(axis=1)
            row["best_of_arms"] = int((best[arm] >= top - 1e-12).sum())
            for other in arms:
                row[f"better_than_{other}"] = (
                    "–" if other == arm else int((best[arm] > best[other] + 1e-12).sum()))
            rows.append(row)
    return pd.DataFrame(rows)


def shortfall(table: pd.DataFrame, checkpoints: list[float],
              column: str = "cv_value") -> pd.DataFrame:
    """Median over pairs of how far each arm's best is below the best arm's at the last
    checkpoint, in percent of that score's magnitude."""
    final = best_by(table, max(checkpoints), column).max(axis=1)
    rows = []
    for seconds in checkpoints:
        best = best_by(table, seconds, column)
        gap = 100 * best.rsub(final, axis=0).div(final.abs(), axis=0)
        rows.append({"seconds": seconds, **gap.median().round(3).to_dict()})
    return pd.DataFrame(rows)


def write_report(path: Path, command: str, runs: pd.DataFrame,
                 results: dict[str, tuple[pd.DataFrame, pd.DataFrame]],
                 args: argparse.Namespace) -> None:
    pairs = runs[["dataset", "seed"]].drop_duplicates()
    lines = [
        "# `autometa.tune` under a time budget",
        "",
        f"Generated by `{command}` on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; "
        "every number below comes from the `runs*.csv` files in this folder.",
        "",
        f"{runs['dataset'].nunique()} corpus datasets the meta-model did not see (grouped "
        f"leave-one-out), {pairs['seed'].nunique()} seeds each: {len(pairs)} (dataset, seed) "
        f"pairs; budget {args.timeout:g} s of wall-clock time per run (`tune(timeout=...)`), "
        f"{args.cv}-fold CV, tables capped at {args.max_rows} rows.  Arms: "
        + "; ".join(f"`{arm}`: {LABELS[arm]}" for arm in ARMS if arm in set(runs["arm"]))
        + ".  The arms of one pair ran one after the other in one process"
        + (f" ({len(list(args.out.glob('runs-*.csv')))} processes shared the datasets, "
           "`--part`)." if list(args.out.glob("runs-*.csv")) else "."),
        "",
    ]
    titles = {"cv": "## Best CV score (the folds that chose it)",
              "fresh": "## The incumbents on fresh folds\n\nThe best of many noisy CV scores "
                       "is biased upwards, the more so the more trials it is the best of "
                       "(the winner's curse), which favours the arm that ran more trials.  "
                       "Each arm's incumbent at each checkpoint was cross-validated again on "
                       f"{args.rescore_repeats} new fold assignments (`rescored.csv`)."}
    for name, (wins, short) in results.items():
        lines += [
            titles[name], "",
            "Pairs where the arm had the best score of all arms (ties count for each), pairs "
            "where it beat each other arm, and the median number of trials finished, by each "
            "checkpoint:", "",
            warm_start.markdown_table(wins.set_index(["seconds", "arm"])), "",
            "Median over pairs of how far the arm's best score is below the best score any "
            f"arm reached by {max(args.checkpoints):g} s, in percent:", "",
            warm_start.markdown_table(short.set_index("seconds")), ""]
    path.write_text("\n".join(lines))


def main(argv: list[str] | None = None) -> int:
    here = Path(__file__).resolve().parent.parent
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--campaign", type=Path, default=here / "campaigns" / "corpus")
    parser.add_argument("--kb", type=Path, default=None)
    parser.add_argument("--corpus", type=Path,
                        default=here.parent / "shared" / "data" / "datasets.csv")
    parser.add_argument("--out", type=Path,
                        default=here / "benchmarks" / "results" / "tune_timeout")
    parser.add_argument("--cache", type=Path, default=None,
                        help="Meta-model cache folder (e.g. the warm-start benchmark's).")
    parser.add_argument("--from-warm-start", type=Path,
                        default=here / "benchmarks" / "results" / "warm_start",
                        help="Take the datasets of this warm-start benchmark folder.")
    parser.add_argument("--dataset", action="append", help="Benchmark this dataset id.")
    parser.add_argument("--seeds", type=int, default=2)
    parser.add_argument("--timeout", type=float, default=30.0)
    parser.add_argument("--checkpoints", type=float, nargs="+", default=[10.0, 20.0, 30.0])
    parser.add_argument("--max-trials", type=int, default=1000)
    parser.add_argument("--cv", type=int, default=3)
    parser.add_argument("--max-rows", type=int, default=1000)
    parser.add_argument("--fit-timeout", type=float, default=20.0)
    parser.add_argument("--arms", default=",".join(ARMS))
    parser.add_argument("--part", type=lambda text: tuple(map(int, text.split("/"))),
                        default=(0, 1), metavar="K/N",
                        help="Run every N-th dataset from the K-th (0-based) into "
                             "runs-K.csv, for N processes; the summary reads them all.")
    parser.add_argument("--rescore-repeats", type=int, default=2,
                        help="Fresh CV repetitions per incumbent (0: no rescoring).")
    parser.add_argument("--summary-only", action="store_true")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    runs = read_runs(args.out) if args.summary_only else run(args)
    table = incumbents(runs, args.checkpoints)
    results = {"cv": (compare(table, runs, args.checkpoints),
                      shortfall(table, args.checkpoints))}
    if args.rescore_repeats > 0 and table["configuration"].notna().any():
        rescored = warm_start.rescore_incumbents(table, args)
        results["fresh"] = (compare(rescored, runs, args.checkpoints, "fresh_value"),
                            shortfall(rescored, args.checkpoints, "fresh_value"))
    for name, (wins, short) in results.items():
        print(f"{name}:\n{wins.to_string(index=False)}\n{short.to_string(index=False)}")
    (args.out / "summary.json").write_text(json.dumps(
        {name: {"comparison": wins.to_dict("records"),
                "shortfall_percent_median": short.to_dict("records")}
         for name, (wins, short) in results.items()}, indent=1))
    command = "python benchmarks/tune_timeout.py " + " ".join(
        sys.argv[1:] if argv is None else argv)
    write_report(args.out / "report.md", command, runs, results, args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
