"""Dense, surrogate-scored knowledge bases from sparse records of random configurations.

OpenML's random-search records (openml-pimp's random forests and AdaBoost, sklearn-bot's
SVCs) evaluate *different* random configurations on every task, so no configuration has
a recorded score on the held-out dataset and the dataset x configuration evaluation of
:func:`autometa.evaluate` cannot score a recommendation.  The standard remedy
(Eggensperger et al., 2015; Probst, Boulesteix and Bischl, 2019; Pfisterer et al., 2021)
is a per-dataset surrogate: a random forest fitted on that dataset's own runs
(configuration -> score) predicts the score of any configuration there.

:func:`surrogate_knowledge_base` draws a fixed pool of candidate configurations (real
recorded configurations, seeded, spread over the algorithms, plus the portfolio's
defaults of the algorithms present) and scores every candidate on every dataset with
that dataset's surrogate.  The result is an ordinary, dense :class:`KnowledgeBase`
whose evaluations have ``source="surrogate"``; regrets measured on it are regrets of
*surrogate-predicted* scores (the surrogates' out-of-bag R^2 is recorded in the
manifest).
"""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
import pandas as pd

from autometa._exceptions import InvalidInputError
from knowledge_base import METRICS, KnowledgeBase
from knowledge_base.portfolio import ALGORITHMS, default_configuration

__all__ = ["surrogate_knowledge_base"]


def _numeric(value: Any, name: str, n_features: float) -> float:
    """A parameter value as a number (strings that name a size become that size)."""
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, int | float):
        return float(value)
    if name == "max_features" and value in ("sqrt", "auto"):
        return math.sqrt(n_features) / n_features
    if name == "max_features" and value == "log2":
        return max(1.0, math.log2(n_features)) / n_features
    if name == "gamma" and value in ("scale", "auto"):
        return 1.0 / n_features  # standardised features: var(X) = 1
    return math.nan


class _Encoder:
    """Configurations -> float rows: one-hot algorithm, then every (algorithm, parameter)."""

    def __init__(self, configs: pd.DataFrame) -> None:
        self.algorithms = sorted(set(configs["algorithm"].astype(str)))
        columns: dict[tuple[str, str], str] = {}
        categories: dict[tuple[str, str], list[str]] = {}
        for algorithm, params in zip(configs["algorithm"], configs["params"], strict=True):
            for name, value in params.items():
                key = (str(algorithm), name)
                if isinstance(value, str) and math.isnan(_numeric(value, name, 10.0)):
                    columns.setdefault(key, "cat")
                    categories.setdefault(key, [])
                    if value not in categories[key]:
                        categories[key].append(value)
                elif value is None:
                    columns.setdefault(key, "cat")
                    categories.setdefault(key, [])
                else:
                    columns[key] = columns.get(key, "num")
        self.columns = sorted(columns)
        self.kinds = columns
        self.categories = {key: sorted(values) for key, values in categories.items()}
        logs = {}
        for key in self.columns:
            if self.kinds[key] != "num":
                continue
            algorithm, name = key
            values = [float(params[name]) for a, params in zip(
                configs["algorithm"], configs["params"], strict=True)
                if a == algorithm and isinstance(params.get(name), int | float)
                and not isinstance(params.get(name), bool)]
            positive = [value for value in values if value > 0]
            logs[key] = bool(values) and len(positive) == len(values) and \
                max(positive) / min(positive) >= 100
        self.logs = logs

    def transform(self, configs: pd.DataFrame, n_features: float) -> np.ndarray:
        out = np.full((len(configs), len(self.algorithms) + len(self.columns)), np.nan)
        out[:, :len(self.algorithms)] = 0.0
        position = {key: len(self.algorithms) + i for i, key in enumerate(self.columns)}
        for row, (algorithm, params) in enumerate(zip(configs["algorithm"], configs["params"],
                                                      strict=True)):
            algorithm = str(algorithm)
            if algorithm in self.algorithms:
                out[row, self.algorithms.index(algorithm)] = 1.0
            for name, value in params.items():
                key = (algorithm, name)
                if key not in position:
                    continue
                if self.kinds[key] == "cat":
                    choices = self.categories.get(key, [])
                    out[row, position[key]] = (choices.index(value) if value in choices
                                               else -1.0)
                    continue
                number = _numeric(value, name, n_features)
                if self.logs.get(key) and number > 0:
                    number = math.log10(number)
                out[row, position[key]] = number
        return out


def surrogate_knowledge_base(kb: KnowledgeBase, *, metric: str, task_type: str = "classification",
                             n_candidates: int = 200, min_runs: int = 20,
                             include_defaults: bool = True, n_estimators: int = 100,
                             random_state: int = 0) -> KnowledgeBase:
    """A dense knowledge base whose scores are per-dataset surrogate predictions.

    Parameters
    ----------
    kb : KnowledgeBase
        Records of (mostly distinct) configurations per dataset.
    metric : str
        The metric to model (e.g. ``"accuracy"`` or ``"roc_auc"``).
    task_type : str, default="classification"
        Task type of the datasets to use.
    n_candidates : int, default=200
        Recorded configurations drawn as the candidate pool, in proportion to each
        algorithm's share of the records (at least 10 per algorithm when it has them).
    min_runs : int, default=20
        Datasets with fewer successful runs of ``metric`` get no surrogate (left out).
    include_defaults : bool, default=True
        Add the portfolio's default configuration of each portfolio algorithm present.
    n_estimators : int, default=100
        Trees of each surrogate random forest.
    random_state : int, default=0
        Seeds the pool and the forests.

    Returns
    -------
    KnowledgeBase
        Same datasets (those with a surrogate) and meta-features; the candidate
        configurations; one ``ok`` evaluation (fold 0, ``source="surrogate"``) per dataset
        and candidate.  ``manifest["surrogates"]`` holds each dataset's number of runs
        and out-of-bag R^2.
    """
    from sklearn.ensemble import RandomForestRegressor

    if metric not in METRICS:
        raise InvalidInputError(f"unknown metric {metric!r}; known: {sorted(METRICS)}")
    rng = np.random.default_rng(random_state)
    datasets = kb.datasets[kb.datasets["task_type"] == task_type].set_index("dataset_id")
    runs = kb.evaluations[(kb.evaluations["status"] == "ok") & kb.evaluations[metric].notna()
                          & kb.evaluations["dataset_id"].isin(set(datasets.index))]
    runs = runs.groupby(["dataset_id", "config_id"], as_index=False)[metric].mean()
    table = kb.config_table()
    used = table.loc[sorted(set(runs["config_id"]))]
    if used.empty:
        raise InvalidInputError(f"no successful {task_type} runs with {metric!r} to model")
    encoder = _Encoder(used)

    shares = used["algorithm"].value_counts(normalize=True)
    pool: list[str] = []
    for algorithm, share in shares.sort_index().items():
        ids = sorted(used.index[used["algorithm"] == algorithm])
        count = min(len(ids), max(10, round(share * n_candidates)))
        pool += list(rng.choice(ids, size=count, replace=False))
    candidates = used.loc[pool, ["algorithm", "params"]]
    if include_defaults:
        extra = {}
        for algorithm in sorted(set(used["algorithm"]) & set(ALGORITHMS)):
            config = default_configuration(algorithm, task_type)
            extra[config.config_id] = {"algorithm": algorithm, "params": config.params}
        extra_frame = pd.DataFrame.from_dict(extra, orient="index")
        candidates = pd.concat([candidates, extra_frame[~extra_frame.index.isin(
            candidates.index)]])

    rows, quality = [], {}
    for dataset_id, block in runs.groupby("dataset_id"):
        if len(block) < min_runs:
            continue
        n_features = datasets.at[dataset_id, "n_features"]
        n_features = float(n_features) if pd.notna(n_features) and n_features > 0 else 10.0
        X = encoder.transform(used.loc[block["config_id"]], n_features)
        y = block[metric].to_numpy(dtype=float)
        forest = RandomForestRegressor(n_estimators=n_estimators, min_samples_leaf=2,
                                       oob_score=True, random_state=random_state, n_jobs=1)
        forest.fit(X, y)
        predicted = forest.predict(encoder.transform(candidates, n_features))
        quality[str(dataset_id)] = {"runs": int(len(block)),
                                    "oob_r2": round(float(forest.oob_score_), 4)}
        rows.append(pd.DataFrame({"dataset_id": dataset_id, "config_id": candidates.index,
                                  "fold": 0, metric: predicted, "status": "ok",
                                  "source": "surrogate"}))
    if not rows:
        raise InvalidInputError(f"no dataset has {min_runs} successful runs to fit a surrogate")
    evaluations = pd.concat(rows, ignore_index=True)
    kept = sorted(quality)
    configurations = pd.DataFrame({
        "config_id": candidates.index, "algorithm": candidates["algorithm"].astype(str),
        "params": [json.dumps(params, sort_keys=True, default=str)
                   for params in candidates["params"]], "origin": "surrogate-pool"})
    manifest = {"sources": [*kb.manifest.get("sources", []),
                            {"name": "surrogate", "kind": "per-dataset random-forest "
                             "surrogates of the records", "metric": metric,
                             "candidates": int(len(candidates)),
                             "random_state": random_state}],
                "surrogates": quality}
    return KnowledgeBase(
        datasets=datasets.loc[kept].reset_index(),
        metafeatures=kb.metafeatures[kb.metafeatures["dataset_id"].isin(set(kept))],
        configurations=configurations, evaluations=evaluations, manifest=manifest)
