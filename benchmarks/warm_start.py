"""Benchmark: warm-started tuning on datasets the meta-model has not seen.

Grouped leave-one-out over corpus datasets: for each benchmark dataset, the meta-model is
fitted on the knowledge base *without that dataset's family* (``KnowledgeBase.subset``), then
five strategies tune the dataset for real (cross-validated fits, several seeds):

- ``tpe``: plain multivariate TPE, cold (the reference, run for ``--cold-trials``);
- ``random``: random search;
- ``tpe_warm``: TPE with the meta-model's top recommendations enqueued first;
- ``meta``: :class:`autometa.MetaLearnedSampler` (meta-model as the prior of a GP);
- ``meta_cost``: the same sampler, cost-aware (``cost_weight=--cost-weight``: expensive
  configurations must earn their expected fit time);
- ``tpe_replicate``: cold TPE again with another sampler seed on the same folds, for
  ``--cold-trials``: how soon the *same* method reaches the target when only its luck
  changes (the noise ceiling of the "trials to reach" figure).

For each (dataset, seed) the target is cold TPE's best score after ``--cold-trials`` trials;
the benchmark reports how many trials each strategy needs to reach it (median over seeds,
then over datasets) and plots best-so-far curves.

A best-so-far CV score is biased upwards, the more so the more trials it is the best of;
so the incumbents at trials 5, 10, 20, 30 (and cold TPE's at ``--cold-trials``) are also
re-evaluated on fresh CV splits (``--rescore-repeats``; ``rescored.csv``), and the same
"trials to reach" is reported on those unbiased scores.

Usage (from the repository root)::

    python benchmarks/warm_start.py --campaign campaigns/corpus --datasets 6 --seeds 2 \\
        --trials 30 --cold-trials 50 --cv 3 --max-rows 1000 --out benchmarks/results/warm_start

``--kb FOLDER`` uses a saved knowledge base instead of building one from a campaign folder.
Runs are appended to ``runs.csv`` in ``--out`` as they finish; re-running skips them.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import sys
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

STRATEGIES = ("tpe", "random", "tpe_warm", "meta", "meta_cost", "tpe_replicate")
LABELS = {"tpe": "TPE (cold)", "random": "random search", "tpe_warm": "TPE + enqueued",
          "meta": "meta-learned sampler", "meta_cost": "meta-learned sampler, cost-aware",
          "tpe_replicate": "TPE (cold, other seed)"}
#: Strategies warm-started by the meta-model.
WARM_STRATEGIES = ("tpe_warm", "meta", "meta_cost")
#: Strategies run for ``--cold-trials`` (the others for ``--trials``).
LONG_STRATEGIES = ("tpe", "tpe_replicate")
#: Offset of the replicate's sampler seed (its folds and models keep the pair's seed).
REPLICATE_SEED_OFFSET = 1_000


# ------------------------------------------------------------------ knowledge base
def build_kb(args: argparse.Namespace):
    """The knowledge base: a saved folder, or the campaign's results + meta-features."""
    from knowledge_base import KnowledgeBase

    if args.kb is not None:
        return KnowledgeBase.load(args.kb)
    from knowledge_base.campaign import Campaign, Corpus

    corpus = Corpus(args.corpus)
    campaign = Campaign(args.campaign, corpus)
    records = campaign.records()
    ids = sorted(set(records["dataset_id"]))
    metafeatures = table_metafeatures(corpus, ids, args.out / "metafeatures.parquet")
    return campaign.to_knowledge_base(metafeatures=metafeatures)


def table_metafeatures(corpus, ids: list[str], cache: Path) -> pd.DataFrame:
    """Meta-features of corpus datasets (the groups the recommender reads), cached."""
    import metafeatures
    from autometa._cache import RECOMMEND_GROUPS
    from knowledge_base.campaign import load_dataset

    known = pd.read_parquet(cache) if cache.is_file() else pd.DataFrame(
        columns=["dataset_id", "name", "value"])
    todo = [i for i in ids if i not in set(known["dataset_id"])]
    frames = [known]
    for position, dataset_id in enumerate(todo):
        spec = corpus.get(dataset_id)
        X, y = load_dataset(spec.path, spec.target, spec.task_type)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            values = metafeatures.extract(X, y, task=spec.task_type,
                                          groups=list(RECOMMEND_GROUPS), random_state=0)
        frames.append(pd.DataFrame({"dataset_id": dataset_id, "name": values.index.astype(str),
                                    "value": values.to_numpy(dtype=float)}))
        if (position + 1) % 20 == 0 or position + 1 == len(todo):
            cache.parent.mkdir(parents=True, exist_ok=True)
            pd.concat(frames, ignore_index=True).to_parquet(cache, index=False)
            print(f"  meta-features: {position + 1}/{len(todo)}", file=sys.stderr)
    return pd.concat(frames, ignore_index=True)


def choose_datasets(kb, corpus, args: argparse.Namespace) -> list[str]:
    """Benchmark datasets: given ids, else small-to-medium ones chosen by a seeded hash."""
    if args.dataset:
        return list(args.dataset)
    table = kb.datasets.copy()
    # only datasets the corpus holds can be tuned (a knowledge base may also hold OpenML
    # records without their data); a no-op on the corpus campaign
    table = table[table["dataset_id"].isin({spec.dataset_id for spec in corpus})]
    evaluated = kb.evaluations.groupby("dataset_id")["config_id"].nunique()
    table = table[table["dataset_id"].isin(evaluated[evaluated >= 4].index)]
    table = table[(table["n_rows"] >= args.min_rows) & (table["n_rows"] <= args.max_source_rows)
                  & (table["n_features"] <= args.max_features)]
    tasks = ["classification", "regression"] if args.task == "both" else [args.task]
    chosen = []
    for position, task in enumerate(tasks):
        mine = table[table["task_type"] == task]
        keys = sorted(mine["dataset_id"], key=lambda i: hashlib.sha256(
            f"{args.selection_seed}:{i}".encode()).hexdigest())
        share = args.datasets // len(tasks) + (1 if position < args.datasets % len(tasks) else 0)
        families = set()
        for key in keys if share > 0 else ():  # --datasets 1 --task both: one in all
            family = str(mine.loc[mine["dataset_id"] == key, "family"].iloc[0])
            if family in families:
                continue
            families.add(family)
            chosen.append(key)
            if len([c for c in chosen if c in set(mine["dataset_id"])]) >= share:
                break
    return chosen


# ------------------------------------------------------------------------- runs
def loo_recommendation(kb, dataset_id: str, df: pd.DataFrame, target: str, task: str):
    """Recommendation from a meta-model fitted without the dataset's family."""
    from autometa._cache import default_metamodel
    from autometa._recommend import recommend

    datasets = kb.datasets
    family = str(datasets.loc[datasets["dataset_id"] == dataset_id, "family"].iloc[0])
    keep = datasets.loc[datasets["family"].astype(str) != family, "dataset_id"]
    train = kb.subset(list(keep))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = default_metamodel(train, task=task)
        return recommend(df, target, task=task, model=model, n_configs=10, random_state=0)


def run_one(df: pd.DataFrame, target: str, task: str, strategy: str, seed: int, n_trials: int,
            cv: int, recommendation, fit_timeout: float | None,
            cost_weight: float = 0.0) -> pd.DataFrame:
    import optuna

    import autometa
    from autometa._tune import _make_sampler

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    replicate = _make_sampler("tpe", seed=seed + REPLICATE_SEED_OFFSET, prior=None)
    kwargs = {"tpe": dict(sampler="tpe", warm_start=False),
              "tpe_replicate": dict(sampler=replicate, warm_start=False),
              "random": dict(sampler="random", warm_start=False),
              "tpe_warm": dict(sampler="tpe", warm_start=True),
              "meta": dict(sampler="meta", warm_start=True),
              "meta_cost": dict(sampler="meta", warm_start=True,
                                cost_weight=cost_weight)}[strategy]
    result = autometa.tune(df, target, task=task, n_trials=n_trials, cv=cv, random_state=seed,
                           recommendation=recommendation, refit=False,
                           fit_timeout=fit_timeout, **kwargs)
    history = result.history()
    history["trial"] = np.arange(1, len(history) + 1)
    configurations = {trial.number: trial.user_attrs.get("configuration")
                      for trial in result.study.get_trials(deepcopy=False)}
    history["configuration"] = history["number"].map(configurations)
    return history[["trial", "value", "best_so_far", "algorithm", "source", "fit_time",
                    "configuration"]]


def run(args: argparse.Namespace) -> pd.DataFrame:
    from knowledge_base import METRICS
    from knowledge_base.campaign import Corpus

    args.out.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("AUTOMETA_CACHE_DIR", str(args.out / "cache"))
    corpus = Corpus(args.corpus)
    kb = build_kb(args)
    print(f"knowledge base: {kb}", file=sys.stderr)
    ids = choose_datasets(kb, corpus, args)
    print(f"datasets: {ids}", file=sys.stderr)
    runs_file = args.out / "runs.csv"
    finished = finished_runs(runs_file, "strategy")
    strategies = [s for s in args.strategies.split(",") if s]
    for dataset_id in ids:
        spec, df, metric = benchmark_table(corpus, dataset_id, args.max_rows)
        recommendation = None
        for seed in range(args.seeds):
            for strategy in strategies:
                if (dataset_id, seed, strategy) in finished:
                    continue
                if recommendation is None and strategy in WARM_STRATEGIES:
                    recommendation = loo_recommendation(kb, dataset_id, df, spec.target,
                                                        spec.task_type)
                n_trials = args.cold_trials if strategy in LONG_STRATEGIES else args.trials
                started = time.perf_counter()
                history = run_one(df, spec.target, spec.task_type, strategy, seed, n_trials,
                                  args.cv, recommendation if strategy in WARM_STRATEGIES
                                  else None, args.fit_timeout or None, args.cost_weight)
                elapsed = time.perf_counter() - started
                history.insert(0, "dataset", dataset_id)
                history.insert(1, "task", spec.task_type)
                history.insert(2, "metric", metric)
                history.insert(3, "higher_is_better", METRICS[metric])
                history.insert(4, "seed", seed)
                history.insert(5, "strategy", strategy)
                history.to_csv(runs_file, mode="a", header=not runs_file.is_file(), index=False)
                best = history["best_so_far"].iloc[-1]
                print(f"{dataset_id} seed={seed} {strategy:<9} {len(history)} trials "
                      f"best={best:.5g} ({elapsed:.0f} s)", file=sys.stderr)
    runs = pd.read_csv(runs_file)
    return runs[runs["dataset"].isin(ids)]


def finished_runs(runs_file: Path, arm_column: str) -> set[tuple[str, int, str]]:
    """(dataset, seed, arm) triples already in a runs file (re-running skips them)."""
    if not runs_file.is_file():
        return set()
    done = pd.read_csv(runs_file, usecols=["dataset", "seed", arm_column])
    return set(zip(done["dataset"], done["seed"], done[arm_column], strict=True))


def benchmark_table(corpus, dataset_id: str, max_rows: int) -> tuple[Any, pd.DataFrame, str]:
    """A corpus dataset as a benchmark tunes it: its spec, the table (target included,
    at most ``max_rows`` rows) and the metric."""
    from knowledge_base.campaign import load_dataset

    spec = corpus.get(dataset_id)
    X, y = load_dataset(spec.path, spec.target, spec.task_type, max_rows=max_rows,
                        random_state=0)
    metric = "roc_auc" if spec.task_type == "classification" else "rmse"
    return spec, X.assign(**{spec.target: y.to_numpy()}), metric


# -------------------------------------------------------------------- rescoring
RESCORE_AT = (5, 10, 20, 30)


def incumbents(runs: pd.DataFrame, cold_trials: int) -> pd.DataFrame:
    """Per (dataset, seed, strategy) and checkpoint: the configuration then best.

    Checkpoints are :data:`RESCORE_AT` within the strategy's budget, plus ``cold_trials``
    for cold TPE (its incumbent there defines the target) and its replicate.  Ties go to
    the earlier trial.
    """
    rows = []
    for (dataset, seed, strategy), mine in runs.groupby(["dataset", "seed", "strategy"]):
        mine = mine.sort_values("trial")
        higher = bool(mine["higher_is_better"].iloc[0])
        values = mine["value"].to_numpy(dtype=float)
        values = np.where(np.isfinite(values), values, -np.inf if higher else np.inf)
        budget = int(mine["trial"].max())
        checkpoints = [k for k in RESCORE_AT if k <= budget]
        if strategy in LONG_STRATEGIES and cold_trials <= budget:
            checkpoints.append(cold_trials)
        for k in sorted(set(checkpoints)):
            head = values[:k]
            if not np.isfinite(head).any():
                continue
            best = int(np.argmax(head) if higher else np.argmin(head))
            rows.append({"dataset": dataset, "task": mine["task"].iloc[0], "seed": seed,
                         "strategy": strategy, "checkpoint": k,
                         "higher_is_better": higher, "cv_value": float(head[best]),
                         "configuration": mine["configuration"].iloc[best]})
    return pd.DataFrame(rows)


def rescore(runs: pd.DataFrame, args: argparse.Namespace) -> pd.DataFrame:
    """Each incumbent (:func:`incumbents`) re-evaluated on fresh cross-validation folds.

    A best-so-far CV score is optimistically biased, and more so the more trials it is the
    maximum of (the "winner's curse" of model selection, Cawley & Talbot 2010); comparing
    a 10-trial best with a 50-trial best on the folds that selected them favours the
    longer search.  Here every incumbent is cross-validated again with ``--rescore-repeats``
    new fold assignments (seeds unrelated to the tuning folds) and the mean is kept.
    Results go to ``rescored.csv`` as they are computed; re-running skips them.
    """
    if "configuration" not in runs or runs["configuration"].isna().all():
        return pd.DataFrame()
    return rescore_incumbents(incumbents(runs, args.cold_trials), args)


def rescore_incumbents(table: pd.DataFrame, args: argparse.Namespace) -> pd.DataFrame:
    """``table`` (dataset, seed, configuration, ...) with the mean ``fresh_value`` of each
    configuration over ``args.rescore_repeats`` fresh fold assignments (see :func:`rescore`;
    cached in ``args.out / "rescored.csv"``)."""
    from autometa._tune import _CrossValidation
    from knowledge_base.campaign import Corpus, load_dataset
    from knowledge_base.portfolio import Configuration

    if table.empty:
        return pd.DataFrame()
    cache_file = args.out / "rescored.csv"
    done = pd.read_csv(cache_file) if cache_file.is_file() else pd.DataFrame(
        columns=["dataset", "seed", "configuration", "fresh_value"])
    known = {(d, s, c): v for d, s, c, v in zip(done["dataset"], done["seed"],
                                                done["configuration"], done["fresh_value"],
                                                strict=True)}
    corpus = Corpus(args.corpus)
    for dataset, block in table.groupby("dataset", sort=False):
        todo = [(seed, config) for seed, config in
                dict.fromkeys(zip(block["seed"], block["configuration"], strict=True))
                if (dataset, seed, config) not in known and isinstance(config, str)]
        if not todo:
            continue
        spec = corpus.get(dataset)
        X, y = load_dataset(spec.path, spec.target, spec.task_type, max_rows=args.max_rows,
                            random_state=0)
        X, y = X.reset_index(drop=True), pd.Series(y).reset_index(drop=True)
        metric = "roc_auc" if spec.task_type == "classification" else "rmse"
        for seed, config in todo:
            values = []
            for repeat in range(args.rescore_repeats):
                data = _CrossValidation(X, y, spec.task_type, metric, args.cv,
                                        10_000 + 100 * int(seed) + repeat,
                                        args.fit_timeout or None)
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    try:
                        values.append(data.evaluate(Configuration.from_json(config))["score"])
                    except Exception:  # noqa: BLE001 - a failing fit scores nothing
                        values.append(math.nan)
            finite = [v for v in values if math.isfinite(v)]
            fresh = float(np.mean(finite)) if finite else math.nan
            known[(dataset, seed, config)] = fresh
            pd.DataFrame([{"dataset": dataset, "seed": seed, "configuration": config,
                           "fresh_value": fresh}]).to_csv(
                cache_file, mode="a", header=not cache_file.is_file(), index=False)
        print(f"rescored {dataset}: {len(todo)} incumbents", file=sys.stderr)
    table["fresh_value"] = [known.get((d, s, c), math.nan) for d, s, c in
                            zip(table["dataset"], table["seed"], table["configuration"],
                                strict=True)]
    return table


def fresh_reach(rescored: pd.DataFrame, cold_trials: int) -> pd.DataFrame:
    """Per (dataset, seed, strategy): first checkpoint whose incumbent, on fresh folds, is
    at least as good as cold TPE's ``cold_trials`` incumbent on the same fresh folds."""
    rows = []
    for (dataset, seed), group in rescored.groupby(["dataset", "seed"]):
        cold = group[(group["strategy"] == "tpe") & (group["checkpoint"] == cold_trials)]
        if cold.empty or not np.isfinite(cold["fresh_value"].iloc[0]):
            continue
        target = float(cold["fresh_value"].iloc[0])
        higher = bool(group["higher_is_better"].iloc[0])
        for strategy, mine in group.groupby("strategy"):
            # cold TPE's own final incumbent is the target; a replicate's may reach it
            checkpoints = [*RESCORE_AT, *([cold_trials] if strategy != "tpe" else [])]
            mine = mine[mine["checkpoint"].isin(checkpoints)].sort_values("checkpoint")
            fresh = mine["fresh_value"].to_numpy(dtype=float)
            reached = fresh >= target if higher else fresh <= target
            first = (int(mine["checkpoint"].to_numpy()[np.argmax(reached)]) if reached.any()
                     else math.nan)
            at10 = mine.loc[mine["checkpoint"] == 10, "fresh_value"]
            rows.append({"dataset": dataset, "task": group["task"].iloc[0], "seed": seed,
                         "strategy": strategy, "fresh_target": target,
                         "fresh_at_10": float(at10.iloc[0]) if len(at10) else math.nan,
                         "trials_to_reach": first,
                         "budget": int(mine["checkpoint"].max()) if len(mine) else 0})
    return pd.DataFrame(rows)


# ---------------------------------------------------------------------- summary
def trials_to_reach(runs: pd.DataFrame, cold_trials: int) -> pd.DataFrame:
    """Per (dataset, seed, strategy): first trial whose best-so-far reaches the target.

    The target is cold TPE's best-so-far at trial ``cold_trials`` of the same dataset and
    seed (same folds).  ``NaN`` = not reached within the strategy's trials.
    """
    rows = []
    for (dataset, seed), group in runs.groupby(["dataset", "seed"]):
        cold = group[(group["strategy"] == "tpe") & (group["trial"] <= cold_trials)]
        if cold.empty or cold["trial"].max() < cold_trials:
            continue
        higher = bool(group["higher_is_better"].iloc[0])
        target = float(cold.sort_values("trial")["best_so_far"].iloc[-1])
        for strategy, mine in group.groupby("strategy"):
            mine = mine.sort_values("trial")
            best = mine["best_so_far"].to_numpy(dtype=float)
            reached = best >= target - 1e-12 if higher else best <= target + 1e-12
            first = int(mine["trial"].to_numpy()[np.argmax(reached)]) if reached.any() else math.nan
            at10 = best[min(9, len(best) - 1)]
            rows.append({"dataset": dataset, "task": group["task"].iloc[0], "seed": seed,
                         "strategy": strategy, "target": target, "trials_to_reach": first,
                         "budget": int(mine["trial"].max()), "best_at_10": at10,
                         "final_best": best[-1]})
    return pd.DataFrame(rows)


def gap_closed(runs: pd.DataFrame, cold_trials: int,
               ks: tuple[int, ...] = (1, 5, 10, 20, 30)) -> pd.DataFrame:
    """How far each strategy got, at trial k, from a typical configuration to the target.

    Per (dataset, seed): ``(best_so_far(k) - typical) / (target - typical)``, where the
    target is cold TPE's best after ``cold_trials`` and ``typical`` the median score of the
    random-search trials (1 = reached the target, 0 = no better than a typical
    configuration).  Medians over (dataset, seed) pairs.
    """
    rows = []
    for (dataset, seed), group in runs.groupby(["dataset", "seed"]):
        cold = group[(group["strategy"] == "tpe") & (group["trial"] == cold_trials)]
        typical = group.loc[group["strategy"] == "random", "value"].median()
        if cold.empty or not np.isfinite(typical):
            continue
        target = float(cold["best_so_far"].iloc[0])
        if target == typical:
            continue
        for strategy, mine in group.groupby("strategy"):
            best = mine.set_index("trial")["best_so_far"]
            row = {"dataset": dataset, "seed": seed, "strategy": strategy}
            for k in ks:
                value = best.loc[min(k, int(best.index.max()))]
                row[f"trial {k}"] = (value - typical) / (target - typical)
            rows.append(row)
    columns = [f"trial {k}" for k in ks]
    table = pd.DataFrame(rows, columns=["dataset", "seed", "strategy", *columns])
    return table.groupby("strategy")[[f"trial {k}" for k in ks]].median().reindex(
        [s for s in STRATEGIES if s in set(table["strategy"])])


def shortfall(runs: pd.DataFrame, cold_trials: int,
              ks: tuple[int, ...] = (5, 10, 20, 30, 50)) -> pd.DataFrame:
    """How far each strategy's best-so-far at trial k stays from the target, in percent.

    Per (dataset, seed): ``100 * (target - best(k)) / |target|`` for a score (the sign
    flipped for an error such as RMSE), so 0 = at the target and negative = beyond it;
    the target is cold TPE's best after ``cold_trials``.  Medians over (dataset, seed)
    pairs; budgets beyond a strategy's trials are left empty.  Where "trials to reach"
    only says *whether* a strategy got there, this says by how much it missed.
    """
    rows = []
    for (dataset, seed), group in runs.groupby(["dataset", "seed"]):
        cold = group[(group["strategy"] == "tpe") & (group["trial"] == cold_trials)]
        if cold.empty:
            continue
        target = float(cold["best_so_far"].iloc[0])
        sign = 1.0 if bool(group["higher_is_better"].iloc[0]) else -1.0
        if not np.isfinite(target) or target == 0:
            continue
        for strategy, mine in group.groupby("strategy"):
            best = mine.set_index("trial")["best_so_far"]
            row = {"dataset": dataset, "seed": seed, "strategy": strategy}
            for k in ks:
                value = best.get(k, math.nan)
                row[f"trial {k}"] = 100.0 * sign * (target - value) / abs(target)
            rows.append(row)
    columns = [f"trial {k}" for k in ks]
    table = pd.DataFrame(rows, columns=["dataset", "seed", "strategy", *columns])
    return table.groupby("strategy")[columns].median().reindex(
        [s for s in STRATEGIES if s in set(table["strategy"])])


def mean_curve_reach(runs: pd.DataFrame, cold_trials: int) -> pd.DataFrame:
    """Trials to reach the target when the seeds are averaged first.

    Per dataset: the first trial at which a strategy's best-so-far, averaged over seeds,
    is at least cold TPE's best after ``cold_trials`` averaged over the same seeds
    (``inf`` = never within the strategy's trials).  Averaging first reads "on the median
    dataset" as a statement about expected curves rather than about single seeds.
    """
    rows = []
    for dataset, group in runs.groupby("dataset"):
        sign = 1.0 if bool(group["higher_is_better"].iloc[0]) else -1.0
        curves = sign * group.pivot_table(index="trial", columns=["strategy", "seed"],
                                          values="best_so_far")
        mean = curves.T.groupby(level="strategy").mean().T
        if "tpe" not in mean or cold_trials not in mean.index:
            continue
        target = mean.loc[cold_trials, "tpe"]
        for strategy in mean.columns:
            curve = mean[strategy].dropna()
            hits = curve.index[curve.to_numpy() >= target - 1e-12]
            rows.append({"dataset": dataset, "strategy": strategy,
                         "t": float(hits.min()) if len(hits) else math.inf})
    return _over_datasets(pd.DataFrame(rows, columns=["dataset", "strategy", "t"]))


def json_safe(value: object) -> object:
    """``value`` with non-finite floats as ``None``, so that ``summary.json`` is valid JSON."""
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    if isinstance(value, float | np.floating):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, np.integer):
        return int(value)
    return value


def summarize(reach: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Median over seeds per dataset, then median over datasets (censored = inf)."""
    reach = reach.assign(t=reach["trials_to_reach"].fillna(np.inf))
    per_dataset = reach.groupby(["task", "dataset", "strategy"])["t"].median().reset_index()
    return _over_datasets(per_dataset), per_dataset


def _over_datasets(per_dataset: pd.DataFrame) -> pd.DataFrame:
    """Per strategy, from one trials-to-reach ``t`` per dataset (``inf`` = never): the
    number of datasets, the median, how many within 10 trials and how many never."""
    rows = []
    for strategy, group in per_dataset.groupby("strategy"):
        values = group["t"].to_numpy(dtype=float)
        rows.append({"strategy": strategy, "datasets": len(values),
                     "median_trials_to_reach": float(np.median(values)),
                     "reached_within_10": int((values <= 10).sum()),
                     "never_reached": int(np.isinf(values).sum())})
    return pd.DataFrame(rows).set_index("strategy").reindex(
        [s for s in STRATEGIES if s in set(per_dataset["strategy"])])


def plot(runs: pd.DataFrame, reach: pd.DataFrame, path: Path, cold_trials: int) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    datasets = sorted(runs["dataset"].unique())
    n = len(datasets) + 1
    cols = min(3, n)
    rows = math.ceil(n / cols)
    fig, axes = plt.subplots(rows, cols, figsize=(5 * cols, 3.6 * rows), squeeze=False)
    for ax, dataset in zip(axes.flat, datasets, strict=False):
        mine = runs[runs["dataset"] == dataset]
        for strategy in STRATEGIES:
            curve = mine[mine["strategy"] == strategy].groupby("trial")["best_so_far"].mean()
            if len(curve):
                ax.plot(curve.index, curve.to_numpy(), label=LABELS[strategy])
        target = reach.loc[reach["dataset"] == dataset, "target"].mean()
        if np.isfinite(target):
            ax.axhline(target, color="grey", linestyle=":", linewidth=1)
        ax.axvline(10, color="grey", linestyle="--", linewidth=0.8)
        ax.set_title(f"{dataset.split('/')[-1]} ({mine['metric'].iloc[0]})", fontsize=9)
        ax.set_xlabel("trial")
        ax.set_ylabel("best-so-far CV score (mean over seeds)", fontsize=7)
    ax = axes.flat[len(datasets)]
    pairs = reach.groupby(["dataset", "seed"]).ngroups
    for strategy in STRATEGIES:
        mine = reach[reach["strategy"] == strategy]
        if mine.empty:
            continue
        horizon = np.arange(1, max(cold_trials, int(mine["budget"].max())) + 1)
        reached = [(mine["trials_to_reach"] <= t).sum() / pairs for t in horizon]
        ax.step(horizon, reached, where="post", label=LABELS[strategy])
    ax.axvline(10, color="grey", linestyle="--", linewidth=0.8)
    ax.set_title(f"reached cold TPE's {cold_trials}-trial score", fontsize=9)
    ax.set_xlabel("trial")
    ax.set_ylabel("fraction of (dataset, seed)")
    ax.legend(fontsize=7, loc="upper left")
    for extra in list(axes.flat)[n:]:
        extra.axis("off")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def markdown_table(frame: pd.DataFrame, *, digits: int = 3) -> str:
    """A small DataFrame as a Markdown table (index included)."""
    frame = frame.reset_index()

    def cell(value: object) -> str:
        if isinstance(value, float):
            if math.isnan(value):
                return "–"
            if math.isinf(value):
                return "not reached"
            return f"{value:.{digits}g}" if abs(value) >= 1 else f"{value:.{digits}f}"
        return str(value)

    lines = ["| " + " | ".join(map(str, frame.columns)) + " |",
             "|" + "---|" * len(frame.columns)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |"
              for row in frame.itertuples(index=False)]
    return "\n".join(lines)


def reached_by(reach: pd.DataFrame, ks: tuple[int, ...] = (5, 10, 20, 30, 50)) -> pd.DataFrame:
    """Per strategy: how many (dataset, seed) pairs reach the target by trial k.

    Equal budgets side by side: e.g. a warm start at 10 trials against the cold-TPE
    replicate at 50.  Budgets beyond a strategy's trials are left empty.
    """
    budget = reach.groupby("strategy")["budget"].max()
    rows = {}
    for strategy in [s for s in STRATEGIES if s in set(reach["strategy"])]:
        mine = reach.loc[reach["strategy"] == strategy, "trials_to_reach"]
        limit = budget[strategy]
        rows[strategy] = {f"by {k}": int((mine <= k).sum()) if k <= limit else math.nan
                          for k in ks}
    return pd.DataFrame.from_dict(rows, orient="index").rename_axis("strategy")


def write_report(path: Path, *, command: str, runs: pd.DataFrame, reach: pd.DataFrame,
                 overall: pd.DataFrame, gaps: pd.DataFrame, short: pd.DataFrame,
                 averaged: pd.DataFrame, fresh: pd.DataFrame, fresh_overall: pd.DataFrame,
                 cold_trials: int, rescore_repeats: int, note: str = "") -> None:
    """``report.md``: every figure of the run, in Markdown, beside ``curves.png``."""
    def pairs_table(frame: pd.DataFrame) -> pd.DataFrame:
        table = frame.pivot_table(index=["dataset", "seed"], columns="strategy",
                                  values="trials_to_reach", dropna=False)
        table = table.reindex(columns=[s for s in STRATEGIES if s in table.columns])
        table.index = pd.MultiIndex.from_tuples(
            [(d.split("/")[-1], s) for d, s in table.index], names=["dataset", "seed"])
        return table

    def within(frame: pd.DataFrame) -> str:
        n = frame[["dataset", "seed"]].drop_duplicates().shape[0]
        return ", ".join(
            f"{LABELS[s]} {int((frame.loc[frame['strategy'] == s, 'trials_to_reach'] <= 10).sum())}"
            f" of {n}" for s in STRATEGIES if s in set(frame["strategy"]))

    stamp = pd.Timestamp.now(tz="UTC").strftime("%Y-%m-%d %H:%M UTC")
    parts = [
        "# Warm-started tuning against cold TPE",
        "",
        f"Generated by `{command}` on {stamp}; every number below comes from `runs.csv`"
        " (and `rescored.csv`) in this folder.",
        "",
        *([note, ""] if note else []),
        f"{runs['dataset'].nunique()} corpus datasets the meta-model did not see (grouped "
        "leave-one-out: the dataset's family is removed from the knowledge base), "
        f"{runs['seed'].nunique()} seeds each.  Target: cold TPE's best CV score after "
        f"{cold_trials} trials, same dataset, seed and folds.",
        "",
        *([f"{LABELS['tpe_replicate']} is cold TPE run again on the same folds with "
           "another sampler seed: how soon the same method reaches the target when only "
           "its luck changes, the noise ceiling of this figure.", ""]
          if "tpe_replicate" in set(runs["strategy"]) else []),
        "## Trials needed to reach the target (best-so-far CV score)",
        "",
        f"Pairs (dataset, seed) reaching it within 10 trials: {within(reach)}.",
        "",
        f"Pairs reaching it by trial k, out of {len(reach[['dataset', 'seed']].drop_duplicates())}"
        " (empty: beyond the strategy's trials):",
        "",
        markdown_table(reached_by(reach)),
        "",
        "Per dataset: median over seeds; then the median over datasets "
        "(\"not reached\" = not within the strategy's trials):",
        "",
        markdown_table(overall),
        "",
        "Per (dataset, seed), the first trial at the target (– = not reached):",
        "",
        markdown_table(pairs_table(reach)),
        "",
        "Gap closed from a typical configuration (median random-search trial) to the target "
        "(median over pairs; 1 = reached):",
        "",
        markdown_table(gaps),
        "",
        "How far below the target the best-so-far score still is at trial k, in percent of "
        "the target (median over pairs; 0 = at the target, negative = beyond it; for the "
        "replicate at 50 this is the size of the target's own luck):",
        "",
        markdown_table(short),
        "",
        "Seeds averaged first: per dataset, the first trial at which the strategy's "
        f"best-so-far averaged over seeds reaches cold TPE's {cold_trials}-trial best averaged "
        "over the same seeds; then the median over datasets:",
        "",
        markdown_table(averaged),
        "",
    ]
    if not fresh.empty:
        parts += [
            "## The same on fresh folds",
            "",
            "The best of 50 noisy CV scores is biased upwards more than the best of 10 (the "
            "winner's curse of model selection), which favours the longer search.  Each "
            "strategy's incumbents after 5, 10, 20 and 30 trials and cold TPE's (and its "
            "replicate's) after "
            f"{cold_trials} were cross-validated again on {rescore_repeats} new fold "
            "assignments; a strategy reaches the target at the first checkpoint whose "
            "incumbent scores at least as well as cold TPE's final one on those folds.",
            "",
            f"Pairs reaching it by trial 10: {within(fresh)}.",
            "",
            "By trial k (checkpoints 5, 10, 20, 30 and, for the replicate, 50):",
            "",
            markdown_table(reached_by(fresh)),
            "",
            markdown_table(fresh_overall),
            "",
            markdown_table(pairs_table(fresh)),
            "",
        ]
    parts += ["## Curves", "", "![best-so-far curves](curves.png)", ""]
    path.write_text("\n".join(parts))


def main(argv: list[str] | None = None) -> int:
    here = Path(__file__).resolve().parents[1]
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kb", type=Path, default=None, help="Saved knowledge-base folder.")
    parser.add_argument("--campaign", type=Path, default=here / "campaigns" / "corpus",
                        help="Campaign folder to build the knowledge base from.")
    parser.add_argument("--corpus", type=Path,
                        default=here.parent / "shared" / "data" / "datasets.csv")
    parser.add_argument("--out", type=Path, default=here / "benchmarks" / "results" /
                        "warm_start")
    parser.add_argument("--datasets", type=int, default=6)
    parser.add_argument("--dataset", action="append", help="Benchmark this dataset id.")
    parser.add_argument("--task", choices=["classification", "regression", "both"],
                        default="both")
    parser.add_argument("--seeds", type=int, default=2)
    parser.add_argument("--trials", type=int, default=30)
    parser.add_argument("--cold-trials", type=int, default=50)
    parser.add_argument("--cv", type=int, default=3)
    parser.add_argument("--max-rows", type=int, default=1000)
    parser.add_argument("--fit-timeout", type=float, default=20.0,
                        help="Seconds one fit may take (slower: a failed trial; 0: none).")
    parser.add_argument("--min-rows", type=int, default=150)
    parser.add_argument("--max-source-rows", type=int, default=5000)
    parser.add_argument("--max-features", type=int, default=40)
    parser.add_argument("--selection-seed", type=int, default=0)
    parser.add_argument("--strategies", default=",".join(STRATEGIES))
    parser.add_argument("--cost-weight", type=float, default=0.5,
                        help="cost_weight of the meta_cost strategy")
    parser.add_argument("--rescore-repeats", type=int, default=2,
                        help="Fresh CV repetitions per incumbent (0: no rescoring).")
    parser.add_argument("--note", default="",
                        help="A paragraph for the report (e.g. which arms were re-run when).")
    parser.add_argument("--summary-only", action="store_true",
                        help="Summarise runs.csv without running anything.")
    args = parser.parse_args(argv)
    if args.summary_only:
        runs = pd.read_csv(args.out / "runs.csv")
    else:
        runs = run(args)
    reach = trials_to_reach(runs, args.cold_trials)
    if reach.empty:
        print(f"no (dataset, seed) with {args.cold_trials} cold TPE trials in "
              f"{args.out / 'runs.csv'}: nothing to compare against", file=sys.stderr)
        return 1
    reach.to_csv(args.out / "trials_to_reach.csv", index=False)
    overall, per_dataset = summarize(reach)
    per_task = {task: summarize(reach[reach["task"] == task])[0]
                for task in sorted(reach["task"].unique())}
    plot(runs, reach, args.out / "curves.png", args.cold_trials)
    table = per_dataset.pivot(index=["task", "dataset"], columns="strategy", values="t")
    pairs = reach.pivot_table(index=["dataset", "seed"], columns="strategy",
                              values="trials_to_reach", dropna=False)
    gaps = gap_closed(runs, args.cold_trials)
    short = shortfall(runs, args.cold_trials)
    averaged = mean_curve_reach(runs, args.cold_trials)
    within = {s: int((reach.loc[reach["strategy"] == s, "trials_to_reach"] <= 10).sum())
              for s in STRATEGIES if s in set(reach["strategy"])}
    fresh = pd.DataFrame()
    if args.rescore_repeats > 0:
        rescored = rescore(runs, args)
        if not rescored.empty:
            fresh = fresh_reach(rescored, args.cold_trials)
            fresh.to_csv(args.out / "fresh_trials_to_reach.csv", index=False)
    fresh_overall = summarize(fresh)[0] if not fresh.empty else pd.DataFrame()
    fresh_within = ({s: int((fresh.loc[fresh["strategy"] == s, "trials_to_reach"] <= 10).sum())
                     for s in STRATEGIES if s in set(fresh["strategy"])}
                    if not fresh.empty else {})
    summary = {"settings": {k: str(v) for k, v in vars(args).items()},
               "overall": overall.reset_index().to_dict("records"),
               "per_task": {task: frame.reset_index().to_dict("records")
                            for task, frame in per_task.items()},
               "per_dataset": table.reset_index().to_dict("records"),
               "per_pair": pairs.reset_index().to_dict("records"),
               "pairs_reached_within_10": within,
               "gap_closed_median": gaps.reset_index().to_dict("records"),
               "shortfall_percent_median": short.reset_index().to_dict("records"),
               "seed_averaged": averaged.reset_index().to_dict("records"),
               "fresh_folds": {"overall": fresh_overall.reset_index().to_dict("records"),
                               "pairs_reached_within_10": fresh_within},
               "knowledge_base": {"datasets": int(runs["dataset"].nunique())}}
    write_report(args.out / "report.md",
                 command="python benchmarks/warm_start.py " + " ".join(
                     sys.argv[1:] if argv is None else argv),
                 runs=runs, reach=reach, overall=overall, gaps=gaps, short=short,
                 averaged=averaged, fresh=fresh,
                 fresh_overall=fresh_overall, cold_trials=args.cold_trials,
                 rescore_repeats=args.rescore_repeats, note=args.note)
    (args.out / "summary.json").write_text(
        json.dumps(json_safe(summary), indent=2, default=str, allow_nan=False) + "\n")
    with pd.option_context("display.width", 160, "display.max_columns", 20):
        print("\ntrials to reach cold TPE's best after", args.cold_trials,
              "trials (median over seeds; inf = not reached):")
        print(table.to_string())
        print("\nper (dataset, seed) (NaN = not reached within the strategy's trials):")
        print(pairs.to_string())
        print(f"\n(dataset, seed) pairs reaching the target within 10 trials: {within} "
              f"of {pairs.shape[0]}")
        print("\ngap closed from a typical configuration to the target (median over pairs):")
        print(gaps.round(3).to_string())
        print("\nshortfall from the target, percent of the target (median over pairs):")
        print(short.round(3).to_string())
        print("\nseeds averaged first, then the median over datasets:")
        print(averaged.to_string())
        print("\nmedian over datasets:")
        print(overall.to_string())
        for task, frame in per_task.items():
            print(f"\n{task}:")
            print(frame.to_string())
        if not fresh.empty:
            print("\non fresh folds (incumbents at trials", RESCORE_AT, "re-evaluated with",
                  args.rescore_repeats, "new CV splits; target: cold TPE's incumbent after",
                  args.cold_trials, "trials, rescored alike):")
            print(fresh.pivot_table(index=["dataset", "seed"], columns="strategy",
                                    values="trials_to_reach", dropna=False).to_string())
            print(f"pairs reaching the target within 10 trials: {fresh_within} "
                  f"of {fresh[['dataset', 'seed']].drop_duplicates().shape[0]}")
            print(fresh_overall.to_string())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
