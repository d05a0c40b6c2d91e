"""Evaluate one configuration on one dataset with K-fold cross-validation."""

from __future__ import annotations

import contextlib
import signal
import threading
import time
import traceback
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sklearn.metrics import (
    accuracy_score,
    balanced_accuracy_score,
    log_loss,
    mean_absolute_error,
    r2_score,
    roc_auc_score,
    root_mean_squared_error,
)
from sklearn.model_selection import KFold, StratifiedKFold
from threadpoolctl import threadpool_limits

from knowledge_base._schema import CLASSIFICATION_METRICS, REGRESSION_METRICS
from knowledge_base.portfolio import Configuration, build_pipeline

__all__ = [
    "EvaluationTask",
    "EvaluationTimeout",
    "aligned_proba",
    "cv_splits",
    "evaluate_task",
    "fit_and_score",
    "keyboard_interrupts_kept",
    "score_fold",
    "time_limit",
]


class EvaluationTimeout(Exception):
    """Raised inside a fit that exceeded its time limit."""


@dataclass(frozen=True)
class EvaluationTask:
    """One unit of campaign work: a configuration on a dataset, all folds."""

    dataset_id: str
    path: str
    target: str
    task_type: str
    config: Configuration
    n_folds: int
    max_rows: int | None
    time_limit: float | None
    seed: int


def cv_splits(y: pd.Series, task_type: str, n_folds: int,
              seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Seeded K-fold splits, stratified for classification.

    Classes with fewer rows than folds are spread as far as they go (scikit-learn warns
    and places them in some folds only); that is recorded, not an error.  When *every*
    class has fewer rows than folds, stratification cannot be honoured (scikit-learn's
    splitter refuses) and the folds are plain shuffled K-fold ones.
    """
    if task_type == "classification" and pd.Series(y).value_counts().max() >= n_folds:
        splitter = StratifiedKFold(n_folds, shuffle=True, random_state=seed)
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*least populated class.*")
            return list(splitter.split(np.zeros(len(y)), y))
    return list(KFold(n_folds, shuffle=True, random_state=seed).split(np.zeros(len(y))))


@contextlib.contextmanager
def time_limit(seconds: float | None) -> Iterator[None]:
    """Raise :class:`EvaluationTimeout` in the block after ``seconds`` (main thread only).

    Off the main thread (Dask workers run tasks in threads) no alarm can be set; the
    limit is then checked after the fit instead.
    """
    usable = (seconds is not None and seconds > 0
              and threading.current_thread() is threading.main_thread()
              and hasattr(signal, "setitimer"))
    if not usable:
        yield
        return

    def _raise(signum: int, frame: object) -> None:
        raise EvaluationTimeout(f"fit exceeded the time limit of {seconds:g} s")

    previous = signal.signal(signal.SIGALRM, _raise)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


#: What scikit-learn's MLP warns after catching Ctrl-C (it then stops training early).
_INTERRUPTED_TRAINING = "Training interrupted by user"


@contextlib.contextmanager
def keyboard_interrupts_kept() -> Iterator[None]:
    """Let Ctrl-C in the block stop the program, even inside a multi-layer perceptron.

    scikit-learn's ``MLPClassifier`` / ``MLPRegressor`` catch :class:`KeyboardInterrupt`,
    stop training early and only warn "Training interrupted by user."; a fit cut short
    would then be scored as a finished one and the run would go on.  In the block that
    warning raises :class:`KeyboardInterrupt` again, even where warnings are ignored.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=_INTERRUPTED_TRAINING, category=UserWarning)
        try:
            yield
        except UserWarning as warning:
            if not str(warning).startswith(_INTERRUPTED_TRAINING):
                raise
            raise KeyboardInterrupt from warning


def score_fold(task_type: str, y_true: pd.Series, y_pred: np.ndarray,
               proba: np.ndarray | None, classes: np.ndarray) -> dict[str, float]:
    """Metrics of one fold.

    Classification: macro one-vs-rest ROC AUC over the classes present in the test fold
    (with both positives and negatives), log loss against all classes of the dataset,
    accuracy and balanced accuracy.  Regression: RMSE, MAE and R2.
    """
    if task_type == "regression":
        return {"rmse": float(root_mean_squared_error(y_true, y_pred)),
                "mae": float(mean_absolute_error(y_true, y_pred)),
                "r2": float(r2_score(y_true, y_pred)) if len(y_true) > 1 else float("nan")}
    truth = np.asarray(y_true)
    out = {"accuracy": float(accuracy_score(truth, y_pred))}
    with warnings.catch_warnings():
        # a fold testing one class (tiny tables): the score is defined, the warnings are noise
        warnings.filterwarnings("ignore", message=".*y_pred contains classes not in y_true.*")
        warnings.filterwarnings("ignore", message=".*single label was found in 'y_true'.*")
        out["balanced_accuracy"] = float(balanced_accuracy_score(truth, y_pred))
    if proba is None:
        out.update(roc_auc=float("nan"), log_loss=float("nan"))
        return out
    aucs = []
    for position, label in enumerate(classes):
        positive = truth == label
        if positive.all() or not positive.any():
            continue
        aucs.append(roc_auc_score(positive, proba[:, position]))
        if len(classes) == 2:
            break
    out["roc_auc"] = float(np.mean(aucs)) if aucs else float("nan")
    clipped = np.clip(proba, 1e-15, 1.0)
    clipped /= clipped.sum(axis=1, keepdims=True)
    out["log_loss"] = float(log_loss(truth, clipped, labels=classes))
    return out


def aligned_proba(model: Any, X: pd.DataFrame, classes: np.ndarray) -> np.ndarray | None:
    """Class probabilities with one column per class of the dataset, in ``classes`` order.

    A class the model never saw in training gets probability 0; ``None`` for models
    without ``predict_proba``.
    """
    if not hasattr(model, "predict_proba"):
        return None
    raw = model.predict_proba(X)
    out = np.zeros((len(X), len(classes)))
    positions = np.searchsorted(classes, model.classes_)
    out[:, positions] = raw
    return out


def _empty_metrics(task_type: str) -> dict[str, float]:
    names = CLASSIFICATION_METRICS if task_type == "classification" else REGRESSION_METRICS
    return {name: float("nan") for name in names}


def evaluate_task(task: EvaluationTask) -> list[dict[str, Any]]:
    """Cross-validate ``task.config`` on its dataset; one record per fold.

    Never raises for a failing model: the record gets ``status="error"`` (or
    ``"timeout"``) and the message.  After a timeout the remaining folds are not fitted
    and are recorded as timeouts too.
    """
    from knowledge_base.campaign._corpus import load_dataset

    X, y = load_dataset(task.path, task.target, task.task_type, max_rows=task.max_rows,
                        random_state=task.seed)
    classes = np.array(sorted(y.unique())) if task.task_type == "classification" else None
    base = {"dataset_id": task.dataset_id, "config_id": task.config.config_id}
    records: list[dict[str, Any]] = []
    timed_out: str | None = None
    for fold, (train, test) in enumerate(cv_splits(y, task.task_type, task.n_folds, task.seed)):
        record = {**base, "fold": fold, "n_train": len(train), **_empty_metrics(task.task_type),
                  "fit_time": float("nan"), "predict_time": float("nan"), "error": None}
        if timed_out is not None:
            records.append({**record, "status": "timeout", "error": timed_out})
            continue
        try:
            record.update(_fit_and_score(task, X, y, train, test, classes))
            record["status"] = "ok"
        except EvaluationTimeout as error:
            timed_out = str(error)
            record.update(status="timeout", error=timed_out)
        except Exception as error:  # noqa: BLE001 - a failing model is a result, not a crash
            last = traceback.extract_tb(error.__traceback__)[-1]
            record.update(status="error",
                          error=f"{type(error).__name__}: {error} "
                                f"[{last.filename.rsplit('/', 1)[-1]}:{last.lineno}]"[:500])
        records.append(record)
    return records


def _fit_and_score(task: EvaluationTask, X: pd.DataFrame, y: pd.Series, train: np.ndarray,
                   test: np.ndarray, classes: np.ndarray | None) -> dict[str, float]:
    return fit_and_score(task.config, task.task_type, X, y, train, test, classes,
                         random_state=task.seed, time_limit_s=task.time_limit)


def fit_and_score(config: Configuration, task_type: str, X: pd.DataFrame, y: pd.Series,
                  train: np.ndarray, test: np.ndarray, classes: np.ndarray | None, *,
                  random_state: int, time_limit_s: float | None) -> dict[str, float]:
    """Fit ``config`` on the ``train`` rows, score it on the ``test`` rows.

    The one definition of a fold's score, shared by the campaign and the tuner: the
    pipeline is clipped to the training size, fitted single-threaded under the time
    limit, and scored by :func:`score_fold`.

    Returns
    -------
    dict
        The fold's metrics plus ``fit_time`` and ``predict_time`` (seconds).

    Raises
    ------
    EvaluationTimeout
        If the fit exceeds ``time_limit_s``.
    """
    X_train, y_train = X.iloc[train], y.iloc[train]
    X_test, y_test = X.iloc[test], y.iloc[test]
    pipeline = build_pipeline(config, task=task_type, random_state=random_state,
                              n_samples=len(train), n_features=X.shape[1])
    with warnings.catch_warnings(), threadpool_limits(1):
        warnings.simplefilter("ignore")
        start = time.perf_counter()
        with time_limit(time_limit_s), keyboard_interrupts_kept():
            pipeline.fit(X_train, y_train)
        fit_time = time.perf_counter() - start
        if time_limit_s is not None and fit_time > time_limit_s:
            raise EvaluationTimeout(f"fit took {fit_time:.1f} s, over the time limit of "
                                    f"{time_limit_s:g} s")
        start = time.perf_counter()
        # the test rows preprocessed once for both predictions (as pipeline.predict would)
        model, Z_test = pipeline[-1], pipeline[:-1].transform(X_test)
        y_pred = model.predict(Z_test)
        proba = (aligned_proba(model, Z_test, classes)
                 if task_type == "classification" else None)
        predict_time = time.perf_counter() - start
    metrics = score_fold(task_type, y_test, y_pred, proba, classes)
    return {**metrics, "fit_time": fit_time, "predict_time": predict_time}
