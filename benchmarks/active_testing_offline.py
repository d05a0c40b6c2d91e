"""Active testing against a static order, replayed on the knowledge base's own records.

For each campaign dataset (leave-one-family-out: the other families are the "past"), two
ways of choosing which known configuration to evaluate next, scored with the dataset's
recorded cross-validation results (nothing is refitted):

- ``static``: the single-best order (mean normalised score over the past datasets);
- ``active``: active testing (Leite, Brazdil & Vanschoren, 2012): the same first
  configuration, then each next one maximises the mean improvement over the incumbent on
  the past datasets, each weighted by the share of the pairs evaluated so far that it
  orders as the held-out dataset does, to the power 16 (``active_testing_gain``, the
  rule of :class:`autometa.MetaLearnedSampler`'s portfolio picks).

Printed: regret of the best of the first k (0 = the best recorded configuration on the
dataset, 1 = the worst), median and mean over datasets, and the share of datasets whose
best recorded configuration is among the first 10.

Usage::

    python benchmarks/active_testing_offline.py
"""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd

from autometa._sampler import SIMILARITY_POWER, active_testing_gain
from knowledge_base import METRICS, KnowledgeBase

KS = (1, 3, 5, 10)


def normalised_scores(kb: KnowledgeBase, metric: str, task: str) -> pd.DataFrame:
    """Campaign scores, datasets x configurations run on 95 % of them, 1 = best."""
    scores = kb.scores(metric, source="campaign", task_type=task)
    scores = scores.loc[:, scores.notna().mean() >= 0.95]
    if not METRICS[metric]:
        scores = -scores
    scores = scores.apply(lambda row: row.fillna(row.min()), axis=1)  # failures: worst
    low, high = scores.min(axis=1), scores.max(axis=1)
    return scores.sub(low, axis=0).div((high - low).replace(0, np.nan), axis=0).fillna(0.0)


def active_order(past: np.ndarray, observed: np.ndarray, first: int, n: int) -> list[int]:
    """Columns chosen by active testing; ``observed`` holds the dataset's own scores."""
    picks = [first]
    everything = range(past.shape[1])
    while len(picks) < n:
        gain = active_testing_gain(past, picks, observed[picks], everything)
        gain = np.zeros(past.shape[1]) if gain is None else gain
        gain[picks] = -np.inf
        picks.append(int(np.argmax(gain)))
    return picks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.parse_args()
    kb = KnowledgeBase.load()
    family = kb.datasets.set_index("dataset_id")["family"].astype(str)
    rows = []
    for task, metric in (("classification", "roc_auc"), ("regression", "rmse")):
        table = normalised_scores(kb, metric, task)
        values, families = table.to_numpy(), family.reindex(table.index).to_numpy()
        for i in range(len(table)):
            past = values[families != families[i]]
            static = list(np.argsort(-past.mean(axis=0), kind="stable")[:max(KS)])
            active = active_order(past, values[i], static[0], max(KS))
            for name, order in (("static", static), ("active", active)):
                regret = [1.0 - values[i, order[:k]].max() for k in KS]
                rows.append({"task": task, "strategy": name,
                             **{f"regret@{k}": r for k, r in zip(KS, regret, strict=True)},
                             "best within 10": bool(regret[-1] == 0.0)})
    frame = pd.DataFrame(rows)
    columns = [f"regret@{k}" for k in KS]
    summary = frame.groupby(["task", "strategy"], sort=False).agg(
        datasets=("best within 10", "size"),
        **{f"median {c}": (c, "median") for c in columns},
        **{f"mean {c}": (c, "mean") for c in columns},
        best_within_10=("best within 10", "mean"))
    print(f"active testing (power {SIMILARITY_POWER}) against the single-best order, "
          "replayed on the campaign records")
    print(summary.round(4).to_string())


if __name__ == "__main__":
    main()
