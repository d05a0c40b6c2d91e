"""FLAML's zero-shot configurations scored for real, the way the campaign scores ours.

:class:`autometa._baselines.FlamlZeroShot` can map FLAML's suggestions onto the nearest
recorded configuration (an approximation).  Where the held-out dataset is a corpus
dataset, this module measures FLAML's *exact* configurations instead, with the
campaign's own data loading (same row cap and subsample), folds, time limit and
scoring (:mod:`knowledge_base.campaign`), so that the scores are comparable with the
recorded ones:

1. for each fold, FLAML's ranked suggestions are asked for with the training fold, as
   a FLAML user would (``flaml.default.suggest_config(task, X_train, y_train, "all")``),
   keeping the learners our portfolio shares (lgbm, rf, extra_tree);
2. the estimator FLAML would build (``LGBMClassifier``, ``RandomForestRegressor``, ...
   with FLAML's parameter translation, e.g. ``log_max_bin`` -> ``max_bin``,
   ``max_leaves`` -> ``max_leaf_nodes``) is put behind the preprocessing our portfolio
   uses for the same algorithm, fitted on the training fold (one thread, the campaign's
   seed and time limit) and scored on the test fold with
   :func:`knowledge_base.campaign.score_fold`.

The preprocessing is ours, not FLAML's ``DataTransformer``: the comparison is of the
configurations, on the same encoded features.
"""

from __future__ import annotations

import json
import time
import warnings
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from autometa._baselines import FLAML_LEARNERS
from knowledge_base import CLASSIFICATION_METRICS, REGRESSION_METRICS
from knowledge_base.campaign import (
    Corpus,
    EvaluationTimeout,
    cv_splits,
    load_dataset,
    score_fold,
    time_limit,
)
from knowledge_base.portfolio import get_algorithm, make_preprocessor

__all__ = ["flaml_cv_scores", "load_settings", "summarise"]


def load_settings(campaign_dir: str | Path) -> dict[str, Any]:
    """The settings a campaign was run with (``campaign.json``)."""
    return json.loads((Path(campaign_dir) / "campaign.json").read_text())["settings"]


def _estimator(learner: str, hyperparams: Mapping[str, Any], task_type: str, seed: int) -> Any:
    from flaml.automl.task.factory import task_factory

    task = task_factory(task_type)
    wrapper = task.estimator_class_from_str(learner)(task=task.name, **dict(hyperparams))
    params = dict(wrapper.params) if hyperparams else {}
    dropped = ("n_jobs", "verbose", "random_state")
    params = {key: value for key, value in params.items() if key not in dropped}
    estimator_class = wrapper.estimator_class
    extra = {"n_jobs": 1, "random_state": seed}
    if learner == "lgbm":
        extra["verbose"] = -1
    return estimator_class(**params, **extra)


def _pipeline(learner: str, hyperparams: Mapping[str, Any], task_type: str, seed: int) -> Any:
    from sklearn.pipeline import Pipeline

    algorithm = get_algorithm(FLAML_LEARNERS[learner])
    preprocess = make_preprocessor(encoding=algorithm.encoding, scale=algorithm.scale,
                                   impute=algorithm.impute)
    return Pipeline([("preprocess", preprocess),
                     ("model", _estimator(learner, hyperparams, task_type, seed))])


def _suggest(task_type: str, X: pd.DataFrame, y: pd.Series, k: int) -> list[dict[str, Any]]:
    from flaml.default import suggest_config

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        configs = suggest_config(task_type, X, y, "all")
    kept = [{"learner": c["class"], "hyperparameters": dict(c.get("hyperparameters") or {})}
            for c in configs if c["class"] in FLAML_LEARNERS]
    return kept[:k]


def _proba(pipeline: Any, X: pd.DataFrame, classes: np.ndarray) -> np.ndarray:
    raw = pipeline.predict_proba(X)
    out = np.zeros((len(X), len(classes)))
    out[:, np.searchsorted(classes, pipeline.classes_)] = raw
    return out


def evaluate_dataset(spec: Any, settings: Mapping[str, Any], *, k: int,
                     skip: Iterable[int] = ()) -> list[dict[str, Any]]:
    """Fold records of FLAML's first ``k`` suggestions on one corpus dataset.

    Ranks in ``skip`` (already measured) are not fitted again.
    """
    skip = set(skip)
    from threadpoolctl import threadpool_limits

    seed = int(settings["seed"])
    X, y = load_dataset(spec.path, spec.target, spec.task_type, max_rows=settings["max_rows"],
                        random_state=seed)
    classes = np.array(sorted(y.unique())) if spec.task_type == "classification" else None
    names = CLASSIFICATION_METRICS if spec.task_type == "classification" else REGRESSION_METRICS
    records = []
    for fold, (train, test) in enumerate(cv_splits(y, spec.task_type, settings["n_folds"], seed)):
        X_train, y_train = X.iloc[train], y.iloc[train]
        X_test, y_test = X.iloc[test], y.iloc[test]
        for rank, suggestion in enumerate(_suggest(spec.task_type, X_train, y_train, k)):
            if rank in skip:
                continue
            record: dict[str, Any] = {
                "dataset_id": spec.dataset_id, "rank": rank, "fold": fold,
                "learner": suggestion["learner"],
                "hyperparameters": json.dumps(suggestion["hyperparameters"], sort_keys=True),
                "n_train": len(train), **{name: np.nan for name in names},
                "fit_time": np.nan, "status": "ok", "error": None}
            try:
                pipeline = _pipeline(suggestion["learner"], suggestion["hyperparameters"],
                                     spec.task_type, seed)
                with warnings.catch_warnings(), threadpool_limits(1):
                    warnings.simplefilter("ignore")
                    start = time.perf_counter()
                    with time_limit(settings.get("time_limit")):
                        pipeline.fit(X_train, y_train)
                    record["fit_time"] = time.perf_counter() - start
                    limit = settings.get("time_limit")
                    if limit is not None and record["fit_time"] > limit:
                        raise EvaluationTimeout(f"fit took {record['fit_time']:.1f} s")
                    predicted = pipeline.predict(X_test)
                    proba = (_proba(pipeline, X_test, classes)
                             if spec.task_type == "classification" else None)
                record.update(score_fold(spec.task_type, y_test, predicted, proba, classes))
            except EvaluationTimeout as error:
                record.update(status="timeout", error=str(error))
            except Exception as error:  # noqa: BLE001 - a failing model is a result
                record.update(status="error", error=f"{type(error).__name__}: {error}"[:300])
            records.append(record)
    return records


def flaml_cv_scores(corpus: Corpus | str | Path, dataset_ids: Iterable[str], *,
                    settings: Mapping[str, Any], k: int = 3, cache: str | Path | None = None,
                    n_jobs: int = 1,
                    on_result: Callable[[int, int], None] | None = None) -> pd.DataFrame:
    """Fold records of FLAML's zero-shot configurations on corpus datasets.

    Parameters
    ----------
    corpus : Corpus or path of its index CSV
        Where the datasets are.
    dataset_ids : iterable of str
        Datasets to evaluate on.
    settings : mapping
        The campaign's settings (:func:`load_settings`): ``n_folds``, ``max_rows``,
        ``time_limit``, ``seed``.
    k : int, default=3
        FLAML's first ``k`` suggestions (among its lgbm, rf and extra_tree ones).
    cache : str or Path, optional
        Parquet file of records already measured; (dataset, rank) pairs in it are not
        measured again and new records are added to it.
    n_jobs : int, default=1
        Datasets measured in parallel (joblib processes).
    on_result : callable, optional
        ``on_result(done, total)`` after each dataset.

    Returns
    -------
    DataFrame
        One row per dataset, rank and fold: ``learner``, ``hyperparameters`` (JSON),
        the metrics, ``fit_time``, ``status``, ``error``.
    """
    import joblib

    corpus = corpus if isinstance(corpus, Corpus) else Corpus(corpus)
    cache = Path(cache) if cache is not None else None
    known = pd.read_parquet(cache) if cache is not None and cache.is_file() else None
    measured: dict[str, set[int]] = {}
    if known is not None:
        for dataset_id, rank in known[["dataset_id", "rank"]].drop_duplicates().to_numpy():
            measured.setdefault(str(dataset_id), set()).add(int(rank))
    todo = [spec for spec in corpus.select(list(dataset_ids))
            if not set(range(k)) <= measured.get(spec.dataset_id, set())]
    frames = [] if known is None else [known]
    parallel = joblib.Parallel(n_jobs=n_jobs, return_as="generator_unordered")
    for count, records in enumerate(parallel(joblib.delayed(evaluate_dataset)(
            spec, settings, k=k, skip=measured.get(spec.dataset_id, ()))
            for spec in todo), start=1):
        frames.append(pd.DataFrame(records))
        if cache is not None:
            table = pd.concat(frames, ignore_index=True)
            cache.parent.mkdir(parents=True, exist_ok=True)
            table.to_parquet(cache, index=False)
        if on_result is not None:
            on_result(count, len(todo))
    if not frames:
        return pd.DataFrame(columns=["dataset_id", "rank", "fold", "learner", "status"])
    return pd.concat(frames, ignore_index=True)


def summarise(records: pd.DataFrame, metric: str) -> pd.DataFrame:
    """Per dataset and rank: mean ``metric`` over folds, ``NaN`` if any fold failed.

    Returns
    -------
    DataFrame
        Columns ``dataset_id``, ``rank``, ``learner`` (of the first fold) and ``score``,
        as :class:`autometa._baselines.FlamlZeroShot` takes them in ``mode="cv"``.
    """
    ok = (records["status"] == "ok") & records[metric].notna()
    grouped = records.assign(ok=ok).groupby(["dataset_id", "rank"], sort=True)
    table = grouped.agg(learner=("learner", "first"), all_ok=("ok", "all"),
                        score=(metric, "mean")).reset_index()
    table.loc[~table["all_ok"], "score"] = np.nan
    return table.drop(columns="all_ok")
