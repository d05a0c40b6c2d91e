"""A tiny synthetic knowledge base for tests (real meta-features, simulated scores).

The datasets are generated tables whose meta-features are computed with
:func:`metafeatures.extract` (so that they are comparable with a user's table); the
evaluations are *simulated*: a smooth function of the meta-features and the
configuration plus seeded noise, with fit times growing with the table size, a few
failures and an imported algorithm outside the portfolio.  Nothing is fitted, so a
knowledge base of a dozen datasets per task builds in seconds.
"""

from __future__ import annotations

import hashlib
import json
import math
import warnings

import numpy as np
import pandas as pd

from knowledge_base import KnowledgeBase
from knowledge_base.portfolio import (
    Configuration,
    algorithm_names,
    default_configuration,
    sample_configurations,
)

__all__ = ["make_table", "synthetic_knowledge_base"]

_GROUPS = ("general", "statistical", "info_theory")
# algorithm -> (base quality, preference for many rows, preference for many features)
_PROFILE = {
    "lightgbm": (0.8, 0.6, 0.1), "hist_gradient_boosting": (0.78, 0.6, 0.1),
    "random_forest": (0.75, 0.2, 0.3), "extra_trees": (0.72, 0.1, 0.4),
    "linear": (0.6, -0.3, 0.6), "svm": (0.65, -0.5, 0.2), "knn": (0.5, 0.0, -0.6),
    "mlp": (0.55, 0.4, 0.0), "openml_adaboost": (0.7, 0.0, 0.0),
}


def make_table(n_rows: int, n_features: int, *, task: str, seed: int, n_classes: int = 2,
               categorical: int = 0, missing: float = 0.0) -> tuple[pd.DataFrame, pd.Series]:
    """A random table with a learnable target (classification or regression)."""
    rng = np.random.default_rng(seed)
    X = pd.DataFrame(rng.normal(size=(n_rows, n_features)),
                     columns=[f"x{i}" for i in range(n_features)])
    signal = X.iloc[:, : max(1, n_features // 2)].sum(axis=1).to_numpy()
    signal = signal + np.sin(3 * X.iloc[:, 0].to_numpy()) + rng.normal(scale=0.5, size=n_rows)
    for i in range(min(categorical, n_features)):
        X[f"x{i}"] = pd.Categorical(np.where(X[f"x{i}"] > 0, "hi", "lo"))
    if missing:
        mask = rng.random(X.shape) < missing
        X = X.mask(mask)
    if task == "classification":
        edges = np.quantile(signal, np.linspace(0, 1, n_classes + 1)[1:-1])
        y = pd.Series(pd.Categorical([f"c{v}" for v in np.digitize(signal, edges)]),
                      name="target")
    else:
        y = pd.Series(signal * 10.0 + 3.0, name="target")
    return X, y


def _noise(*keys: str) -> float:
    digest = hashlib.sha256("|".join(keys).encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 - 0.5


def _configs(task: str) -> list[Configuration]:
    configs = []
    for name in algorithm_names():
        configs.append(default_configuration(name, task))
        configs.extend(sample_configurations(name, task, 2, seed=7))
    configs.append(Configuration("openml_adaboost", {"n_estimators": 50, "learning_rate": 1.0}))
    configs.append(Configuration("openml_adaboost", {"n_estimators": 500,
                                                     "learning_rate": 0.1}))
    return configs


def _quality(config: Configuration, mf: pd.Series, dataset_id: str) -> float:
    base, rows_pref, features_pref = _PROFILE[config.algorithm]
    rows = math.log10(max(float(mf.get("NumberOfInstances", 100.0)), 10.0)) - 2.5
    features = math.log10(max(float(mf.get("NumberOfFeatures", 5.0)), 1.0)) - 1.0
    params = config.params
    tweak = 0.0
    if "learning_rate" in params and config.algorithm != "openml_adaboost":
        tweak -= 0.05 * abs(math.log10(float(params["learning_rate"])) + 1.2)
    if "n_estimators" in params:
        tweak += 0.02 * math.log10(float(params["n_estimators"]))
    if "n_neighbors" in params:
        tweak -= 0.02 * abs(math.log10(max(float(params["n_neighbors"]), 1.0)) - 1.0)
    value = (base + 0.1 * rows_pref * rows + 0.1 * features_pref * features + tweak
             + 0.04 * _noise(dataset_id, config.config_id))
    return float(min(max(value, 0.05), 0.999))


def synthetic_knowledge_base(*, n_classification: int = 10, n_regression: int = 8,
                             seed: int = 0) -> KnowledgeBase:
    """Build a small knowledge base of generated datasets and simulated evaluations.

    Parameters
    ----------
    n_classification, n_regression : int
        Number of datasets of each task.
    seed : int
        Seed of the generated tables.

    Returns
    -------
    KnowledgeBase
        Two folds per (dataset, configuration); SVMs time out on the largest table of
        each task; ``openml_adaboost`` is an imported algorithm outside the portfolio.
    """
    import metafeatures

    rng = np.random.default_rng(seed)
    datasets, metafeature_rows, configuration_rows, evaluations = [], [], [], []
    specs = ([("classification", i) for i in range(n_classification)]
             + [("regression", i) for i in range(n_regression)])
    for task in ("classification", "regression"):
        for config in _configs(task):
            configuration_rows.append({"config_id": config.config_id,
                                       "algorithm": config.algorithm,
                                       "params": json.dumps(config.params, sort_keys=True),
                                       "origin": "synthetic"})
    for task, i in specs:
        n_rows = int(rng.choice([60, 120, 250, 500, 900]))
        n_features = int(rng.choice([3, 6, 12, 25]))
        n_classes = int(rng.choice([2, 2, 3, 5])) if task == "classification" else 0
        X, y = make_table(n_rows, n_features, task=task, seed=seed * 1000 + len(datasets),
                          n_classes=max(n_classes, 2), categorical=int(rng.integers(0, 3)),
                          missing=float(rng.choice([0.0, 0.0, 0.05])))
        dataset_id = f"synthetic/{task[:3]}{i}"
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            mf = metafeatures.extract(X, y, task=task, groups=list(_GROUPS), random_state=0)
        datasets.append({"dataset_id": dataset_id, "name": f"{task[:3]}-{i}",
                         "source": "synthetic", "task_type": task, "family": dataset_id,
                         "openml_did": 1000 + len(datasets) if i % 2 == 0 else None,
                         "n_rows": n_rows, "n_features": n_features,
                         "n_classes": n_classes if task == "classification" else None})
        metafeature_rows.extend({"dataset_id": dataset_id, "name": name, "value": value}
                                for name, value in mf.items())
        largest = n_rows >= 900
        for config in _configs(task):
            quality = _quality(config, mf, dataset_id)
            for fold in range(2):
                jitter = 0.01 * _noise(dataset_id, config.config_id, str(fold))
                row = {"dataset_id": dataset_id, "config_id": config.config_id, "fold": fold,
                       "fit_time": 1e-4 * n_rows * (1 + n_features / 10)
                       * (3.0 if config.algorithm in ("svm", "mlp") else 1.0),
                       "predict_time": 0.01, "n_train": n_rows // 2, "status": "ok",
                       "source": "synthetic"}
                if largest and config.algorithm == "svm":
                    row.update(status="timeout", error="time limit", fit_time=60.0)
                elif task == "classification":
                    row.update(roc_auc=quality + jitter, accuracy=quality - 0.1 + jitter,
                               balanced_accuracy=quality - 0.12 + jitter,
                               log_loss=1.5 - quality + jitter)
                else:
                    row.update(r2=quality + jitter, rmse=10.0 * (1.1 - quality) + jitter,
                               mae=8.0 * (1.1 - quality) + jitter)
                evaluations.append(row)
    return KnowledgeBase(datasets=pd.DataFrame(datasets),
                         metafeatures=pd.DataFrame(metafeature_rows),
                         configurations=pd.DataFrame(configuration_rows).drop_duplicates(
                             "config_id"),
                         evaluations=pd.DataFrame(evaluations),
                         manifest={"sources": [{"name": "synthetic", "seed": seed}]})
