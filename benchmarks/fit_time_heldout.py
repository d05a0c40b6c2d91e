"""How close is the expected fit time on datasets the meta-model has not seen?

``fit_time_accuracy.py`` times a few dozen fits on large samples of 4 corpus datasets the
shipped meta-model was trained on.  This script measures the fit-time model held out, on
every timed fit of the shipped knowledge base (the corpus campaign, at most 1,333
training rows; LCDB): the datasets of each task are split into ``--folds`` groups; a
meta-model (the default one of ``recommend``) is fitted on the others, and predicts each
held-out dataset's timed fits (mean log time over folds, at the mean training rows, as the
meta-model learns them).  Printed, per task and algorithm, and per band of columns: the
median of predicted / measured and the share within a factor of 2 and 3.

Usage::

    python benchmarks/fit_time_heldout.py [--folds 5] [--seed 0] [--task classification]
"""

from __future__ import annotations

import argparse
import warnings

import numpy as np
import pandas as pd

from autometa import MetaModel
from autometa._cache import _default_names
from knowledge_base import KnowledgeBase, default_path
from knowledge_base.portfolio import Configuration

BANDS = [0, 10, 30, 100, np.inf]


def timed_fits(kb: KnowledgeBase, task: str) -> pd.DataFrame:
    """Mean log10 seconds and training rows per (dataset, configuration) of one task."""
    datasets = kb.datasets.set_index("dataset_id")
    evaluations = kb.evaluations[(kb.evaluations["status"] == "ok")
                                 & (kb.evaluations["fit_time"] > 0)]
    evaluations = evaluations[evaluations["dataset_id"].map(datasets["task_type"]) == task]
    evaluations = evaluations.assign(log_time=np.log10(evaluations["fit_time"]))
    return evaluations.groupby(["dataset_id", "config_id"], as_index=False).agg(
        log_time=("log_time", "mean"), n_rows=("n_train", "mean"))


def held_out_predictions(kb: KnowledgeBase, task: str, folds: int,
                         seed: int) -> pd.DataFrame:
    metafeatures = kb.metafeature_matrix()
    fits = timed_fits(kb, task)
    fits = fits[fits["dataset_id"].isin(metafeatures.index)]  # no meta-features: not learnt
    ids = np.array(sorted(fits["dataset_id"].unique()))
    fold_of = dict(zip(ids, np.random.default_rng(seed).permutation(len(ids)) % folds,
                       strict=True))
    all_ids = kb.datasets.loc[kb.datasets["task_type"] == task, "dataset_id"]
    configs = kb.config_table()
    names = _default_names(task)
    parts = []
    for fold in range(folds):
        held = [i for i in ids if fold_of[i] == fold]
        train = [i for i in all_ids if fold_of.get(i) != fold]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = MetaModel(metafeature_names=names, random_state=0).fit(
                kb.subset(train), task_type=task)
        for dataset_id in held:
            mine = fits[fits["dataset_id"] == dataset_id]
            for n_rows, group in mine.groupby("n_rows"):
                row = metafeatures.loc[dataset_id].copy()
                row["NumberOfInstances"] = n_rows
                wanted = {cid: Configuration(str(configs.at[cid, "algorithm"]),
                                             configs.at[cid, "params"])
                          for cid in group["config_id"]}
                predicted = model.predict(row, configs=wanted).set_index("config_id")
                parts.append(group.assign(
                    algorithm=[wanted[cid].algorithm for cid in group["config_id"]],
                    predicted=predicted.loc[group["config_id"], "expected_fit_time"].to_numpy(),
                    columns=row.get("NumberOfFeatures", np.nan)))
        print(f"{task}: fold {fold + 1} of {folds} done", flush=True)
    out = pd.concat(parts, ignore_index=True)
    out["ratio"] = out["predicted"] / 10.0 ** out["log_time"]
    return out


def summary(ratio: pd.Series) -> str:
    within2 = float(((ratio > 0.5) & (ratio < 2)).mean())
    within3 = float(((ratio > 1 / 3) & (ratio < 3)).mean())
    return (f"{len(ratio):>7} {ratio.median():>8.2f} {within2:>10.0%} {within3:>10.0%}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--task", action="append", choices=["classification", "regression"])
    args = parser.parse_args()
    kb = KnowledgeBase.load(default_path())
    for task in args.task or ["classification", "regression"]:
        out = held_out_predictions(kb, task, args.folds, args.seed)
        print(f"\n{task}: {out['dataset_id'].nunique()} datasets held out in {args.folds} "
              "folds\n" f"{'':<26}{'fits':>7} {'median':>8} {'within 2x':>10} {'within 3x':>10}")
        for name, group in out.groupby("algorithm"):
            print(f"{name:<26}{summary(group['ratio'])}")
        bands = pd.cut(out["columns"], BANDS, right=True)
        for band, group in out.groupby(bands, observed=True):
            print(f"{'columns ' + str(band):<26}{summary(group['ratio'])}")
        print(f"{'all':<26}{summary(out['ratio'])}", flush=True)


if __name__ == "__main__":
    main()
