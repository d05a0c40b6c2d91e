"""Warm-started tuning: one Optuna study over the portfolio, seeded by the meta-model.

:func:`tune` runs (or resumes) a study whose search space is the whole portfolio
(``algorithm``, then ``<algorithm>__<param>``, see :mod:`autometa._sampler`), seeded with
the configurations :func:`autometa.recommend` ranks first, cross-validated with the same
folds and metrics as the evaluation campaign, and refits the best configuration.

:func:`warm_start` enqueues recommended configurations into a user's own study, in that
study's parameter names and ranges.

Design notes
------------
- **One definition of a score.**  Folds come from
  :func:`knowledge_base.campaign._evaluation.cv_splits` and metrics from
  :func:`~knowledge_base.campaign.score_fold`, so a trial's value is comparable with the
  knowledge base.  Each trial records ``cv_score``, ``fold_scores``, ``fit_time``,
  ``config_id`` and ``configuration`` (JSON) as user attributes.
- **Budget.**  ``n_trials`` counts *evaluated* trials of the study: complete ones and
  ones whose model failed (user attribute ``error``).  Trials interrupted by a dead
  worker do not count, so a resumed study runs exactly what is missing.  Several
  workers may overshoot by at most ``workers - 1`` trials (each checks the budget
  after its trial, as Optuna's ``MaxTrialsCallback``).
- **Resume.**  With a ``storage`` the study is loaded if it exists (default name:
  derived from the target and a fingerprint of the table, so re-running the same call
  resumes).  A ``RUNNING`` trial left by a dead process on this host (user attribute
  ``worker`` holds host and pid) is marked ``FAIL`` and its parameters re-enqueued
  once; on other hosts, RDB storages use Optuna's heartbeat
  (``RetryHeartbeatStaleTrialCallback``) to do the same.
- **Warm start and TPE's startup trials (optuna #3573).**  Enqueued recommendations
  count as TPE's ``n_startup_trials`` (10): they *are* the initial design, better than
  random draws, and TPE models the study from the first trial after them.  Only the
  process that creates the study enqueues (a creation is atomic in every storage), so
  concurrent workers never enqueue twice.
- **Many workers.**  ``n_jobs > 1`` starts that many worker processes on the study's
  storage (a temporary journal file when ``storage`` is ``None``); on several machines
  run :func:`tune` with the same ``storage`` URL and ``study_name`` on each.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import numbers
import os
import socket
import tempfile
import time
import traceback
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import optuna
import pandas as pd
from optuna.distributions import (
    BaseDistribution,
    CategoricalDistribution,
    FloatDistribution,
    IntDistribution,
)
from optuna.samplers import BaseSampler, RandomSampler, TPESampler
from optuna.storages import BaseStorage
from optuna.trial import FrozenTrial, TrialState

from autometa._exceptions import InvalidInputError
from autometa._metamodel import DEFAULT_METRICS
from autometa._sampler import (
    ALGORITHM_PARAM,
    MISSING,
    SEPARATOR,
    MetaLearnedSampler,
    MetaModelPrior,
    _special_value,
    configuration_to_params,
    fit_value,
    params_to_configuration,
    resolve_algorithms,
    suggest_configuration,
)
from autometa._validation import check_table, check_target_name, check_task
from knowledge_base import METRICS
from knowledge_base.campaign import cv_splits, fit_and_score
from knowledge_base.portfolio import Configuration, build_pipeline, get_algorithm

__all__ = ["TuneResult", "tune", "warm_start"]

#: Study user attributes that must match when a study is resumed.
_CHECKED = ("task", "metric", "target", "cv", "random_state", "algorithms", "fingerprint")
_PREFIX = "autometa:"
#: Study user attribute holding the settings a study was started with.
SETTINGS_ATTR = _PREFIX + "settings"
#: Study user attribute set once the creator has enqueued its warm start (or decided not to).
WARM_ATTR = _PREFIX + "warm_started"
SAMPLERS = ("tpe", "meta", "random")
#: File suffixes that make a storage path an SQLite database instead of a journal file.
SQLITE_SUFFIXES = (".db", ".sqlite", ".sqlite3")


# =================================================================== the result
@dataclass
class TuneResult:
    """What :func:`tune` found.

    Attributes
    ----------
    pipeline : sklearn.pipeline.Pipeline or None
        The best configuration refitted on every row (``None`` with ``refit=False``).
    best_score : float
        Its mean cross-validated score (``metric``).
    best_params : dict
        Its parameters in the study's names (``algorithm``, ``<algorithm>__<param>``).
    configuration : Configuration
        The same in the portfolio's names.
    fold_scores : list of float
        Its score on each fold.
    metric : str
        The metric optimised (direction from :data:`knowledge_base.METRICS`).
    task : str
        ``"classification"`` or ``"regression"``.
    study : optuna.Study
        The study (on the given storage; in memory otherwise).
    warm_start : DataFrame or None
        Report of the configurations enqueued by this call (see :func:`warm_start`).
    elapsed : float
        Seconds this call spent.
    sampler : str
        ``"tpe"``, ``"meta"``, ``"random"`` or the class name of a given sampler.
    interrupted : list of int
        Trials left ``RUNNING`` by dead processes that this call marked failed (their
        parameters were enqueued again).
    notes : list of str
        What was done to the table (rows without a target dropped, columns that carry no
        information), as in :attr:`Recommendation.notes`.
    """

    pipeline: Any
    best_score: float
    best_params: dict[str, Any]
    configuration: Configuration
    fold_scores: list[float]
    metric: str
    task: str
    study: optuna.Study
    warm_start: pd.DataFrame | None = None
    elapsed: float = 0.0
    sampler: str = "tpe"
    interrupted: list[int] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def algorithm(self) -> str:
        """The best configuration's algorithm."""
        return self.configuration.algorithm

    @property
    def n_trials(self) -> int:
        """Evaluated trials of the study (complete, or failed with a model error)."""
        return len(_evaluated(self.study))

    def history(self) -> pd.DataFrame:
        """One row per evaluated trial, in trial order, with the best score so far.

        Columns: ``number``, ``state``, ``value``, ``best_so_far``, ``algorithm``,
        ``source`` (``"warm_start"`` for enqueued recommendations, else ``"sampler"``),
        ``fit_time``, ``error``.
        """
        higher = METRICS[self.metric]
        rows, best = [], math.nan
        for trial in sorted(_evaluated(self.study), key=lambda t: t.number):
            value = trial.value if trial.state == TrialState.COMPLETE else math.nan
            if value is not None and math.isfinite(value):
                if math.isnan(best) or (value > best if higher else value < best):
                    best = value
            rows.append({"number": trial.number, "state": trial.state.name, "value": value,
                         "best_so_far": best,
                         "algorithm": trial.params.get(ALGORITHM_PARAM),
                         "source": trial.user_attrs.get("source", "sampler"),
                         "fit_time": trial.user_attrs.get("fit_time", math.nan),
                         "error": trial.user_attrs.get("error")})
        return pd.DataFrame(rows, columns=["number", "state", "value", "best_so_far",
                                           "algorithm", "source", "fit_time", "error"])

    def plot(self, path: str | Path | None = None, *, ax: Any = None) -> Any:
        """Draw every trial's score by algorithm (warm-start trials marked) and the best.

        Parameters
        ----------
        path : str or Path, optional
            Image file to write (format from the suffix: ``.png``, ``.svg``, ``.pdf``).
        ax : matplotlib Axes, optional
            Axes to draw on (default: a new figure).

        Returns
        -------
        matplotlib.axes.Axes
        """
        from autometa._plots import plot_history

        return plot_history(self, path, ax=ax)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready summary (no pipeline, no study object)."""
        history = self.history()
        return {
            "study_name": self.study.study_name, "task": self.task, "metric": self.metric,
            "direction": self.study.direction.name.lower(), "sampler": self.sampler,
            "best_score": self.best_score, "fold_scores": list(self.fold_scores),
            "algorithm": self.algorithm, "best_params": _jsonable(self.best_params),
            "configuration": json.loads(self.configuration.to_json()),
            "best_trial": self.study.best_trial.number, "n_trials": self.n_trials,
            "n_failed": int((history["state"] == "FAIL").sum()),
            "n_warm_start": int((history["source"] == "warm_start").sum()),
            "elapsed": self.elapsed, "notes": list(self.notes),
        }

    def __repr__(self) -> str:
        return (f"TuneResult(algorithm={self.algorithm!r}, best_score={self.best_score:.5g}, "
                f"metric={self.metric!r}, n_trials={self.n_trials})")


def _jsonable(value: Any) -> Any:
    return json.loads(json.dumps(value, default=lambda v: v.item() if hasattr(v, "item")
                                 else str(v)))


# ============================================================== validation
def _check_table(df: Any, target: Any) -> tuple[pd.DataFrame, pd.Series, list[str]]:
    X, y, notes = check_table(df, target)
    if isinstance(y.dtype, pd.CategoricalDtype):
        y = y.astype(object)
    return X.reset_index(drop=True), y.reset_index(drop=True), notes


def _small_classes(y: pd.Series, cv: int) -> list[str]:
    """A note when classes have fewer rows than folds (some folds test without them)."""
    counts = y.value_counts()
    small = counts[counts < cv]
    if small.empty:
        return []
    label, size = small.index[-1], int(small.iloc[-1])
    if len(small) == len(counts):
        return [f"every class has fewer rows than the {cv} folds (smallest: {label!r} with "
                f"{size}); the folds cannot be stratified and are plain shuffled K-fold"]
    return [f"{len(small)} class(es) have fewer rows than the {cv} folds (smallest: "
            f"{label!r} with {size}); some folds are scored without them"]


def _positive_int(name: str, value: Any, *, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise InvalidInputError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def _infer_task(y: pd.Series, task: str | None) -> str:
    return check_task(y=y, task=task)


def _resolve_metric(task: str, metric: str | None) -> str:
    if metric is None:
        return DEFAULT_METRICS[task][0]
    from knowledge_base import CLASSIFICATION_METRICS, REGRESSION_METRICS

    allowed = CLASSIFICATION_METRICS if task == "classification" else REGRESSION_METRICS
    if metric not in allowed:
        raise InvalidInputError(f"metric {metric!r} does not apply to {task}; use one of "
                                f"{sorted(allowed)}")
    return metric


def _fingerprint(X: pd.DataFrame, y: pd.Series) -> str:
    """A short hash of the table's content (resuming on another table is an error)."""
    digest = hashlib.sha256()
    digest.update(json.dumps([list(map(str, X.columns)), len(X)]).encode())
    try:
        hashed = pd.util.hash_pandas_object(X, index=False)
    except TypeError:  # unhashable cells (lists, dicts): hash their text instead
        objects = X.select_dtypes(include="object").columns
        hashed = pd.util.hash_pandas_object(X.astype(dict.fromkeys(objects, str)), index=False)
    digest.update(hashed.to_numpy().tobytes())
    digest.update(pd.util.hash_pandas_object(y.astype(str), index=False).to_numpy().tobytes())
    return digest.hexdigest()[:16]


# ============================================================ cross-validation
@dataclass(frozen=True)
class _CrossValidation:
    """Everything needed to score a configuration on one table, picklable."""

    X: pd.DataFrame
    y: pd.Series
    task: str
    metric: str
    cv: int
    random_state: int
    fit_timeout: float | None = None

    @property
    def classes(self) -> np.ndarray | None:
        return np.array(sorted(self.y.unique())) if self.task == "classification" else None

    def splits(self) -> list[tuple[np.ndarray, np.ndarray]]:
        return cv_splits(self.y, self.task, self.cv, self.random_state)

    def evaluate(self, config: Configuration) -> dict[str, Any]:
        """Cross-validate ``config``; the campaign's folds and metrics.

        Returns
        -------
        dict
            ``score`` (mean over folds), ``fold_scores``, ``fit_time`` (total seconds).
        """
        scores, fit_time = [], 0.0
        for train, test in self.splits():
            fold = fit_and_score(config, self.task, self.X, self.y, train, test, self.classes,
                                 random_state=self.random_state,
                                 time_limit_s=self.fit_timeout)
            fit_time += fold["fit_time"]
            scores.append(float(fold[self.metric]))
        finite = [score for score in scores if math.isfinite(score)]
        return {"score": float(np.mean(finite)) if finite else math.nan,
                "fold_scores": scores, "fit_time": fit_time}

    def refit(self, config: Configuration) -> Any:
        """Fit ``config`` on every row."""
        pipeline = build_pipeline(config, task=self.task, random_state=self.random_state,
                                  n_samples=len(self.X), n_features=self.X.shape[1])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            pipeline.fit(self.X, self.y)
        return pipeline


class _ModelError(Exception):
    """A configuration could not be fitted or scored (recorded, the study goes on)."""


def _worker_id() -> dict[str, Any]:
    return {"host": socket.gethostname(), "pid": os.getpid()}


@dataclass
class _Objective:
    """The study's objective: suggest a portfolio configuration, cross-validate it."""

    data: _CrossValidation
    algorithms: list[str]

    def __call__(self, trial: optuna.Trial) -> float:
        trial.set_user_attr("worker", _worker_id())
        config = suggest_configuration(trial, self.data.task, self.algorithms)
        trial.set_user_attr("config_id", config.config_id)
        trial.set_user_attr("configuration", config.to_json())
        try:
            result = self.data.evaluate(config)
        except Exception as error:  # noqa: BLE001 - a failing model is a result
            last = traceback.extract_tb(error.__traceback__)[-1]
            message = (f"{type(error).__name__}: {error} "
                       f"[{last.filename.rsplit('/', 1)[-1]}:{last.lineno}]")[:500]
            trial.set_user_attr("error", message)
            raise _ModelError(message) from error
        trial.set_user_attr("fold_scores", result["fold_scores"])
        trial.set_user_attr("fit_time", result["fit_time"])
        if not math.isfinite(result["score"]):
            message = f"{self.data.metric} is undefined on every fold"
            trial.set_user_attr("error", message)
            raise _ModelError(message)
        trial.set_user_attr("cv_score", result["score"])
        return result["score"]


# ================================================================= the budget
def _evaluated(study: optuna.Study) -> list[FrozenTrial]:
    """Trials that used the budget: complete, or failed with a recorded model error."""
    trials = study.get_trials(deepcopy=False, states=(TrialState.COMPLETE, TrialState.FAIL))
    return [trial for trial in trials if trial.state == TrialState.COMPLETE
            or "error" in trial.user_attrs]


@dataclass
class _StopWhenDone:
    """Stop a worker once the study has ``n_trials`` evaluated trials."""

    n_trials: int

    def __call__(self, study: optuna.Study, trial: FrozenTrial) -> None:
        if len(_evaluated(study)) >= self.n_trials:
            study.stop()


# ====================================================================== storage
def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    stat = Path(f"/proc/{pid}/stat")
    with contextlib.suppress(OSError):
        if stat.read_text().rsplit(")", 1)[1].split()[0] == "Z":  # zombie: exited
            return False
    return True


def make_storage(storage: str | os.PathLike | BaseStorage | None, *,
                 heartbeat_interval: int = 30) -> BaseStorage | None:
    """Open a storage from a URL, a journal file path, or pass an object through.

    - ``"sqlite:///x.db"``, ``"postgresql://..."``, any SQLAlchemy URL: an
      :class:`optuna.storages.RDBStorage` with a heartbeat (stale trials of dead workers
      on any machine are failed and retried once);
    - a path ending in ``.db``, ``.sqlite`` or ``.sqlite3``, or naming an existing SQLite
      file: that SQLite database (as ``"sqlite:///<path>"``);
    - any other string or path (e.g. ``"study.log"``): Optuna's journal storage in that
      file (no server; many processes on one machine or a shared file system);
    - a :class:`optuna.storages.BaseStorage`: used as is.
    """
    if storage is None or isinstance(storage, BaseStorage):
        return storage
    if not isinstance(storage, str | os.PathLike):
        raise InvalidInputError(f"storage must be a URL, a path or an Optuna storage, got "
                                f"{type(storage).__name__}")
    text = storage_url(storage)
    if "://" in text:
        kwargs: dict[str, Any] = {}
        if text.startswith("sqlite"):
            kwargs["engine_kwargs"] = {"connect_args": {"timeout": 60}}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
            from optuna.storages import RetryHeartbeatStaleTrialCallback

            return optuna.storages.RDBStorage(
                text, heartbeat_interval=heartbeat_interval,
                grace_period=4 * heartbeat_interval,
                heartbeat_stale_trial_callback=RetryHeartbeatStaleTrialCallback(max_retry=1),
                **kwargs)
    from optuna.storages.journal import JournalFileBackend, JournalStorage

    path = Path(text)
    path.parent.mkdir(parents=True, exist_ok=True)
    return JournalStorage(JournalFileBackend(str(path)))


def storage_url(storage: str | os.PathLike) -> str:
    """The storage as Optuna and optuna-dashboard name it: a URL, or a journal file path.

    A path ending in ``.db``, ``.sqlite`` or ``.sqlite3``, or naming an existing SQLite
    file, becomes ``"sqlite:///<path>"`` (writing a journal into a SQLite file would
    corrupt it).
    """
    text = os.fspath(storage)
    if "://" in text:
        return text
    path = Path(text)
    if path.suffix.lower() in SQLITE_SUFFIXES or _is_sqlite(path):
        return f"sqlite:///{path}"
    return text


def _is_sqlite(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return handle.read(16) == b"SQLite format 3\x00"
    except OSError:  # missing or unreadable: not an existing SQLite file
        return False


def _recover_interrupted(study: optuna.Study) -> list[int]:
    """Fail ``RUNNING`` trials of dead processes on this host; re-enqueue them once.

    Returns
    -------
    list of int
        Numbers of the trials marked failed.
    """
    host = socket.gethostname()
    recovered = []
    for trial in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
        worker = trial.user_attrs.get("worker")
        if not isinstance(worker, dict) or worker.get("host") != host:
            continue
        pid = int(worker.get("pid", -1))
        if pid == os.getpid() or _pid_alive(pid):
            continue
        try:
            study._storage.set_trial_system_attr(trial._trial_id, _PREFIX + "interrupted", True)
            if not study._storage.set_trial_state_values(trial._trial_id, TrialState.FAIL):
                continue
        except optuna.exceptions.UpdateFinishedTrialError:
            continue  # another process recovered it first
        recovered.append(trial.number)
        if trial.user_attrs.get("retry_of") is not None:
            continue  # retried once already
        params = dict(trial.system_attrs.get("fixed_params") or trial.params)
        attrs = {key: value for key, value in trial.user_attrs.items()
                 if key in ("source", "rank", "config_id", "predicted_score")}
        if params:
            study.enqueue_trial(params, user_attrs={**attrs, "retry_of": trial.number})
    return recovered


# ===================================================== recommendations (warm start)
@dataclass
class _Recommender:
    """Calls :func:`autometa.recommend` at most once, when a recommendation is needed."""

    df: pd.DataFrame
    target: str
    task: str
    metric: str
    kb: Any
    random_state: int
    n_configs: int
    recommendation: Any = None

    def get(self) -> Any:
        if self.recommendation is None:
            from autometa._recommend import recommend

            self.recommendation = recommend(
                self.df, self.target, task=self.task, metric=self.metric,
                n_configs=max(self.n_configs, 1), kb=self.kb, random_state=self.random_state)
        return self.recommendation

    def configs(self, n: int, algorithms: Sequence[str] | None = None) -> pd.DataFrame:
        """Recommended configurations: rank, algorithm, params, config_id, predicted_score.

        With ``algorithms``, configurations of other algorithms are left out before the
        first ``n`` are taken (``Recommendation.candidates`` fills the gap).
        """
        recommendation = self.get()
        table = recommendation.configs if hasattr(recommendation, "configs") else recommendation
        if not isinstance(table, pd.DataFrame) or not {"algorithm", "params"} <= set(
                table.columns):
            raise InvalidInputError("recommendation must be a Recommendation or a DataFrame "
                                    "with columns 'algorithm' and 'params'")
        table = table.reset_index(drop=True).copy()
        if "rank" not in table.columns:
            table["rank"] = np.arange(1, len(table) + 1)
        if algorithms is not None:
            table = table[table["algorithm"].isin(set(algorithms))]
            extra = getattr(recommendation, "candidates", None)
            if len(table) < n and isinstance(extra, pd.DataFrame) and len(extra):
                extra = extra[extra["algorithm"].isin(set(algorithms))].copy()
                extra["config_id"] = [Configuration(str(a), dict(p)).config_id for a, p in
                                      zip(extra["algorithm"], extra["params"], strict=True)]
                if "config_id" in table.columns:
                    extra = extra[~extra["config_id"].isin(set(table["config_id"]))]
                extra = extra.sort_values("predicted_score", ascending=False, kind="stable")
                table = pd.concat([table.sort_values("rank", kind="stable"),
                                   extra.head(n - len(table))[
                                       [c for c in table.columns if c in extra]]],
                                  ignore_index=True)
            table["rank"] = np.arange(1, len(table) + 1)  # rank among the allowed algorithms
        for column in ("predicted_score", "uncertainty"):
            if column not in table.columns:
                table[column] = math.nan
        if "config_id" not in table.columns:
            table["config_id"] = [Configuration(a, dict(p)).config_id for a, p in
                                  zip(table["algorithm"], table["params"], strict=True)]
        return table.sort_values("rank", kind="stable").head(n).reset_index(drop=True)

    def prior(self) -> tuple[Any, pd.Series, list[Configuration]]:
        """The fitted meta-model, the table's meta-features and the candidate configs."""
        recommendation = self.get()
        model = getattr(recommendation, "model", None)
        metafeatures = getattr(recommendation, "metafeatures", None)
        if model is None or metafeatures is None:
            raise InvalidInputError("sampler='meta' needs a Recommendation that carries its "
                                    "meta-model (.model) and the table's .metafeatures")
        candidates = getattr(recommendation, "candidates", None)
        if isinstance(candidates, pd.DataFrame) and len(candidates):
            configs = [Configuration(str(a), dict(p)) for a, p in
                       zip(candidates["algorithm"], candidates["params"], strict=True)]
        else:
            configs = list(model.configs_.values())
        return model, metafeatures, configs


_REPORT_COLUMNS = ["rank", "algorithm", "config_id", "predicted_score", "status", "reason",
                   "params", "clipped", "dropped"]


def _enqueue_rows(study: optuna.Study, rows: Iterable[dict[str, Any]]) -> pd.DataFrame:
    """Enqueue report rows with status ``"enqueued"``; duplicates become ``"skipped"``."""
    existing = {_params_key(trial.system_attrs.get("fixed_params") or trial.params)
                for trial in study.get_trials(deepcopy=False)}
    out = []
    for row in rows:
        if row["status"] == "enqueued":
            key = _params_key(row["params"])
            if key in existing:
                row = {**row, "status": "skipped", "reason": "already in the study"}
            else:
                existing.add(key)
                study.enqueue_trial(
                    row["params"], skip_if_exists=True,
                    user_attrs={"source": "warm_start", "rank": int(row["rank"]),
                                "config_id": row["config_id"],
                                "predicted_score": _finite_or_none(row["predicted_score"])})
        out.append(row)
    return pd.DataFrame(out, columns=_REPORT_COLUMNS)


def _finite_or_none(value: Any) -> float | None:
    try:
        value = float(value)
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


def _params_key(params: Mapping[str, Any]) -> str:
    return json.dumps(sorted((str(k), round(v, 9) if isinstance(v, float) else v)
                             for k, v in params.items()), default=str)


def _portfolio_rows(configs: pd.DataFrame, *, task: str, algorithms: list[str],
                    n_features: int) -> list[dict[str, Any]]:
    """Report rows for a study in autometa's own parameter names."""
    rows = []
    for record in configs.to_dict("records"):
        config = Configuration(str(record["algorithm"]), dict(record["params"]))
        base = {"rank": record["rank"], "algorithm": config.algorithm,
                "config_id": record["config_id"],
                "predicted_score": record.get("predicted_score", math.nan)}
        params, notes = configuration_to_params(config, task, algorithms=algorithms,
                                                n_features=n_features)
        if not params:
            rows.append({**base, "status": "skipped", "reason": notes[ALGORITHM_PARAM],
                         "params": {}, "clipped": [], "dropped": []})
            continue
        clipped = sorted(k for k, v in notes.items() if v.startswith("clipped"))
        dropped = sorted(k for k, v in notes.items() if v.startswith("not representable"))
        rows.append({**base, "status": "enqueued", "reason": "", "params": params,
                     "clipped": clipped, "dropped": dropped})
    return rows


# ================================================================ the samplers
def _make_sampler(sampler: str | BaseSampler, *, seed: int, prior: Callable[[], Any] | None
                  ) -> BaseSampler:
    if isinstance(sampler, BaseSampler):
        return sampler
    if sampler == "random":
        return RandomSampler(seed=seed)
    if sampler == "tpe":
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
            return TPESampler(seed=seed, multivariate=True, group=True, constant_liar=True)
    if sampler == "meta":
        if prior is None:
            raise InvalidInputError("sampler='meta' needs the meta-model")  # pragma: no cover
        return prior()
    raise InvalidInputError(f"sampler must be one of {SAMPLERS} or an optuna sampler, "
                            f"got {sampler!r}")


# ======================================================================== tune
def tune(df: pd.DataFrame, target: str, *, n_trials: int = 50, timeout: float | None = None,
         storage: str | os.PathLike | BaseStorage | None = None,
         study_name: str | None = None, n_jobs: int = 1, warm_start: bool = True,
         cv: int = 5, random_state: int = 0, task: str | None = None,
         metric: str | None = None, algorithms: Iterable[str] | None = None,
         sampler: str | BaseSampler = "tpe", n_warm: int = 10, kb: Any = None,
         recommendation: Any = None, refit: bool = True, fit_timeout: float | None = None,
         callbacks: Sequence[Callable[[optuna.Study, FrozenTrial], None]] | None = None
         ) -> TuneResult:
    """Tune the portfolio on a table with one Optuna study, warm-started by the meta-model.

    The study chooses an ``algorithm`` and then that algorithm's parameters
    (``<algorithm>__<param>``).  Each trial is scored by K-fold cross-validation (the
    evaluation campaign's folds and metrics).  With ``warm_start`` the first trials are
    the configurations :func:`autometa.recommend` ranks first (enqueued; ``sampler="tpe"``
    or ``"random"``) or the meta-model is the sampler's prior (``sampler="meta"``).

    Parameters
    ----------
    df : DataFrame
        The table, features and target (rows with a missing target are dropped).
    target : str
        Name of the target column.
    n_trials : int, default=50
        Evaluated trials the study should have in the end (an existing study counts
        what it already has: a resumed study only runs the rest).
    timeout : float, optional
        Stop starting new trials after this many seconds.
    storage : str, path or optuna storage, optional
        Where the study lives: an SQLAlchemy URL (``sqlite:///tune.db``,
        ``postgresql://...``), an SQLite file path (``tune.db``), a journal file path
        (``tune.log``), or an Optuna storage.
        Default: in memory.  With a storage an existing study is resumed.
    study_name : str, optional
        Default: ``"autometa-<target>-<fingerprint of the table>"``, so that the same
        call on the same storage resumes.
    n_jobs : int, default=1
        Worker processes on this machine (``-1``: one per core).
    warm_start : bool, default=True
        Seed the study with the meta-model's recommendations.
    cv : int, default=5
        Folds of the cross-validation.
    random_state : int, default=0
        Seeds folds, models and the sampler.
    task : {"classification", "regression"}, optional
        Default: inferred from the target.
    metric : str, optional
        Default: ``roc_auc`` (classification) or ``rmse`` (regression).
    algorithms : iterable of str, optional
        Portfolio algorithms to search (default: all).
    sampler : {"tpe", "meta", "random"} or optuna sampler, default="tpe"
        ``"tpe"``: multivariate grouped TPE (recommendations enqueued first);
        ``"meta"``: :class:`~autometa.MetaLearnedSampler` (with ``warm_start=False`` it
        has no prior: plain Gaussian-process optimisation); ``"random"``: random search.
    n_warm : int, default=10
        Recommended configurations to enqueue.
    kb : KnowledgeBase or path, optional
        Knowledge base of the meta-model (default: the shipped one).
    recommendation : Recommendation, optional
        Reuse the output of :func:`autometa.recommend` for this table.
    refit : bool, default=True
        Fit the best configuration on every row.
    fit_timeout : float, optional
        Seconds one fit (one fold) may take; a slower configuration fails with a timeout
        error (recorded, counted in the budget), as in the evaluation campaign.
    callbacks : list of callable, optional
        Optuna callbacks ``(study, trial)``, called after each finished trial (with
        ``n_jobs > 1`` in this process, as trials finish in the workers).

    Returns
    -------
    TuneResult

    Raises
    ------
    InvalidInputError
        Bad arguments, or a stored study of the same name that was started with another
        table, task, metric, cross-validation, ``random_state`` (the folds) or set of
        algorithms.

    Examples
    --------
    >>> result = autometa.tune(df, "class", n_trials=30, storage="sqlite:///tune.db")
    >>> result.best_score, result.algorithm
    >>> result.pipeline.predict(new_rows)
    """
    started = time.perf_counter()
    target = check_target_name(target)
    X, y, notes = _check_table(df, target)
    n_trials = _positive_int("n_trials", n_trials)
    cv = _positive_int("cv", cv, minimum=2)
    n_warm = _positive_int("n_warm", n_warm, minimum=0)
    if n_jobs == -1:
        n_jobs = os.cpu_count() or 1
    n_jobs = _positive_int("n_jobs", n_jobs)
    for name, value in (("timeout", timeout), ("fit_timeout", fit_timeout)):
        if value is not None and (isinstance(value, bool) or not isinstance(
                value, numbers.Real) or not value > 0):
            raise InvalidInputError(f"{name} must be a positive number of seconds, got "
                                    f"{value!r}")
    if isinstance(random_state, bool) or not isinstance(random_state, numbers.Integral):
        raise InvalidInputError(f"random_state must be an integer, got {random_state!r}")
    if not (isinstance(sampler, BaseSampler) or sampler in SAMPLERS):
        raise InvalidInputError(f"sampler must be one of {SAMPLERS} or an optuna sampler, "
                                f"got {sampler!r}")
    task = _infer_task(y, task)
    metric = _resolve_metric(task, metric)
    names = resolve_algorithms(algorithms, task)
    if len(X) < cv:
        raise InvalidInputError(f"df has {len(X)} rows with a target; cv={cv} needs at least "
                                f"{cv}")
    if task == "classification":
        notes += _small_classes(y, cv)
    data = _CrossValidation(X, y, task, metric, cv, int(random_state),
                            None if fit_timeout is None else float(fit_timeout))
    fingerprint = _fingerprint(X, y)
    settings = {"task": task, "metric": metric, "target": target, "cv": cv,
                "algorithms": names, "fingerprint": fingerprint,
                "random_state": int(random_state)}
    study_name = study_name or f"autometa-{target}-{fingerprint[:8]}"

    temporary = None
    opened = make_storage(storage)
    if opened is None and n_jobs > 1:  # processes need a storage they can share
        temporary = tempfile.TemporaryDirectory(prefix="autometa-tune-")
        opened = make_storage(Path(temporary.name) / "study.log")
    try:
        study, created = _open_study(opened, study_name, settings)
        interrupted = _recover_interrupted(study)
        recommender = _Recommender(df, target, task, metric, kb, int(random_state), n_warm,
                                   recommendation)
        report = None
        enqueue = warm_start and n_warm > 0 and sampler != "meta"
        if created or not _wait_for(study, WARM_ATTR, seconds=10.0):
            # the creator enqueues (or whoever finds its setup unfinished: it died)
            if enqueue:
                configs = recommender.configs(min(n_warm, n_trials), names)
                report = _enqueue_rows(study, _portfolio_rows(
                    configs, task=task, algorithms=names, n_features=X.shape[1]))
            study.set_user_attr(WARM_ATTR, bool(enqueue))
        remaining = n_trials - len(_evaluated(study))
        if remaining > 0:
            seed = int(random_state) if created else _joiner_seed(int(random_state))
            prior_factory = _prior_factory(recommender, algorithms=names,
                                           n_features=X.shape[1],
                                           use_prior=warm_start and sampler == "meta")
            run = _Run(data=data, algorithms=names, sampler=sampler, seed=seed,
                       prior_factory=prior_factory, n_trials=n_trials, timeout=timeout)
            if n_jobs == 1:
                run.optimize(study, callbacks=list(callbacks or []), remaining=remaining)
            else:
                _run_processes(run, opened, study, n_jobs=n_jobs, remaining=remaining,
                               callbacks=list(callbacks or []))
        if temporary is not None:  # keep the study after its temporary file is gone
            in_memory = optuna.storages.InMemoryStorage()
            optuna.copy_study(from_study_name=study_name, from_storage=opened,
                              to_storage=in_memory)
            study = optuna.load_study(study_name=study_name, storage=in_memory)
    finally:
        if temporary is not None:
            temporary.cleanup()
    return _result(study, data, refit=refit, report=report, elapsed=time.perf_counter() - started,
                   sampler=sampler if isinstance(sampler, str) else type(sampler).__name__,
                   interrupted=interrupted, notes=notes)


def _wait_for(study: optuna.Study, key: str, *, seconds: float) -> bool:
    """Wait until the study has user attribute ``key``; whether it appeared in time."""
    deadline = time.monotonic() + seconds
    while key not in study.user_attrs:
        if time.monotonic() > deadline:
            return False
        time.sleep(0.2)
    return True


def _joiner_seed(random_state: int) -> int:
    """A different seed for every process that joins an existing study."""
    return int(np.random.SeedSequence([random_state, os.getpid(), time.time_ns() % 2**32])
               .generate_state(1)[0])


def _open_study(storage: BaseStorage | None, study_name: str,
                settings: dict[str, Any]) -> tuple[optuna.Study, bool]:
    """Create the study, or load it and check it was started with the same settings.

    The settings are one study user attribute (``autometa:settings``), written in a
    single step after creation; a process joining a study that another one is creating
    waits for it (up to a minute).
    """
    direction = "maximize" if METRICS[settings["metric"]] else "minimize"
    try:
        study = optuna.create_study(storage=storage, study_name=study_name,
                                    direction=direction)
    except optuna.exceptions.DuplicatedStudyError:
        study = optuna.load_study(study_name=study_name, storage=storage)
    else:
        study.set_user_attr(SETTINGS_ATTR, settings)
        return study, True
    deadline = time.monotonic() + 60.0
    while SETTINGS_ATTR not in study.user_attrs:
        if time.monotonic() > deadline or study.get_trials(deepcopy=False):
            raise InvalidInputError(
                f"study {study_name!r} exists in the storage but was not created by "
                f"autometa.tune; use autometa.warm_start on it, or choose another study_name")
        time.sleep(0.2)
    stored = study.user_attrs[SETTINGS_ATTR]
    for key in _CHECKED:
        if stored.get(key) != settings[key]:
            raise InvalidInputError(
                f"study {study_name!r} was started with {key}={stored.get(key)!r}, not "
                f"{settings[key]!r}; resume it with the same arguments and table, or choose "
                f"another study_name")
    if study.direction.name.lower() != direction:
        raise InvalidInputError(f"study {study_name!r} has direction "
                                f"{study.direction.name.lower()}, the metric needs {direction}")
    return study, False


@dataclass
class _SamplerFactory:
    """Builds a :class:`MetaLearnedSampler` (in any worker process) from a prior."""

    prior: MetaModelPrior | None
    candidates: list[Configuration]
    task: str
    algorithms: list[str]
    n_features: int
    seed: int | None = None

    def __call__(self, seed: int | None = None) -> MetaLearnedSampler:
        return MetaLearnedSampler(self.prior, task=self.task, algorithms=self.algorithms,
                                  candidates=self.candidates, n_features=self.n_features,
                                  seed=self.seed if seed is None else seed)


def _prior_factory(recommender: _Recommender, *, algorithms: list[str], n_features: int,
                   use_prior: bool) -> _SamplerFactory:
    """The meta-learned sampler's prior for this table (none when not warm-started)."""
    if not use_prior:
        return _SamplerFactory(None, [], recommender.task, algorithms, n_features)
    model, metafeatures, configs = recommender.prior()
    candidates = [config for config in configs if config.algorithm in algorithms]
    return _SamplerFactory(MetaModelPrior(model, metafeatures), candidates, recommender.task,
                           algorithms, n_features)


@dataclass
class _Run:
    """One worker's optimisation loop (picklable: runs in worker processes too)."""

    data: _CrossValidation
    algorithms: list[str]
    sampler: str | BaseSampler
    seed: int
    prior_factory: _SamplerFactory
    n_trials: int
    timeout: float | None

    def optimize(self, study: optuna.Study, *, callbacks: list[Any], remaining: int,
                 seed: int | None = None) -> None:
        seed = self.seed if seed is None else seed
        sampler = _make_sampler(self.sampler, seed=seed,
                                prior=lambda: self.prior_factory(seed))
        study.sampler = sampler
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*fixed parameter.*")
            study.optimize(_Objective(self.data, self.algorithms), n_trials=remaining,
                           timeout=self.timeout, catch=(_ModelError,),
                           callbacks=[_StopWhenDone(self.n_trials), *callbacks],
                           gc_after_trial=False)


def _worker_main(run: _Run, storage: Any, study_name: str, remaining: int, seed: int) -> int:
    """Entry point of a worker process: optimise the shared study."""
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.load_study(study_name=study_name, storage=storage)
    run.optimize(study, callbacks=[], remaining=remaining, seed=seed)
    return os.getpid()


def _run_processes(run: _Run, storage: BaseStorage, study: optuna.Study, *, n_jobs: int,
                   remaining: int, callbacks: list[Any]) -> None:
    """Run ``n_jobs`` worker processes on the shared study.

    Trials finished by the workers are replayed to ``callbacks`` in this process.
    """
    from concurrent.futures import ProcessPoolExecutor, wait
    from multiprocessing import get_context

    seeds = np.random.SeedSequence(run.seed).generate_state(n_jobs)
    seen = {t.number for t in study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,
                                                                         TrialState.FAIL))}
    with ProcessPoolExecutor(n_jobs, mp_context=get_context("spawn")) as pool:
        futures = [pool.submit(_worker_main, run, storage, study.study_name, remaining,
                               int(seed)) for seed in seeds]
        while True:
            done, pending = wait(futures, timeout=0.5)
            for trial in study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,
                                                                  TrialState.FAIL)):
                if trial.number not in seen:
                    seen.add(trial.number)
                    for callback in callbacks:
                        callback(study, trial)
            if not pending:
                break
        for future in futures:
            future.result()


def _result(study: optuna.Study, data: _CrossValidation, *, refit: bool,
            report: pd.DataFrame | None, elapsed: float, sampler: str,
            interrupted: list[int], notes: list[str]) -> TuneResult:
    complete = study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
    if not complete:
        errors = [t.user_attrs.get("error") for t in _evaluated(study)]
        raise InvalidInputError(f"no trial of study {study.study_name!r} completed; errors: "
                                f"{errors[:3]}")
    best = study.best_trial
    config = params_to_configuration(best.params)
    pipeline = data.refit(config) if refit else None
    return TuneResult(pipeline=pipeline, best_score=float(best.value),
                      best_params=dict(best.params), configuration=config,
                      fold_scores=list(best.user_attrs.get("fold_scores", [])),
                      metric=data.metric, task=data.task, study=study, warm_start=report,
                      elapsed=elapsed, sampler=sampler, interrupted=interrupted,
                      notes=notes)


# ================================================================= warm_start
def warm_start(study: optuna.Study, df: pd.DataFrame, target: str, *, n: int = 10,
               search_space: Mapping[str, BaseDistribution] | None = None,
               param_names: Mapping[str, str] | None = None, algorithm: str | None = None,
               out_of_range: str = "clip", task: str | None = None,
               metric: str | None = None, kb: Any = None, recommendation: Any = None,
               random_state: int = 0) -> pd.DataFrame:
    """Enqueue recommended configurations into an existing study, in its own terms.

    The study's search space is read from its trials (every distribution seen) unless
    ``search_space`` is given.  Each of the study's parameters is matched to a portfolio
    parameter by ``param_names`` (study name -> ours), else by its own name: either
    autometa's (``algorithm``, ``lightgbm__learning_rate``) or the portfolio's bare
    name (``learning_rate``) of a study that tunes a single algorithm.  Values are
    converted into the study's distributions: numeric values outside a (narrower) range
    are clipped (``out_of_range="clip"``) or make the configuration skipped
    (``"skip"``), snapped to a ``step``; categorical values must be among the choices.
    Only values valid in the study's distributions are enqueued; parameters that cannot
    be set are left to the study's sampler.

    Parameters
    ----------
    study : optuna.Study
        The user's study (single objective).
    df : DataFrame
        The table being tuned.
    target : str
        Name of the target column.
    n : int, default=10
        Number of recommendations to consider (the first ``n`` by rank).
    search_space : mapping of str to BaseDistribution, optional
        The study's parameters and distributions (needed when the study has no trial).
    param_names : mapping of str to str, optional
        Study parameter -> autometa name (``"lr": "lightgbm__learning_rate"``, or the
        bare ``"learning_rate"`` together with ``algorithm=``).  A study parameter mapped
        to ``"algorithm"`` chooses the algorithm: its choices must be portfolio names.
    algorithm : str, optional
        The portfolio algorithm a single-algorithm study tunes (default: inferred from
        the parameter names; a study with an ``algorithm`` parameter needs none).
    out_of_range : {"clip", "skip"}, default="clip"
        What to do with a numeric value outside the study's range.
    task, metric, kb, recommendation, random_state
        As for :func:`autometa.recommend` (``recommendation`` reuses its output).

    Returns
    -------
    DataFrame
        One row per recommended configuration: ``rank``, ``algorithm``, ``config_id``,
        ``predicted_score``, ``status`` (``"enqueued"`` or ``"skipped"``), ``reason``,
        ``params`` (in the study's names), ``clipped`` and ``dropped`` (study parameters
        whose value was clipped, or left to the sampler).

    Raises
    ------
    InvalidInputError
        No search space to match, unknown names in ``param_names``, or no study parameter
        that corresponds to a portfolio parameter.

    Examples
    --------
    >>> study = optuna.create_study(direction="maximize")
    >>> report = autometa.warm_start(study, df, "y", param_names={"lr": "learning_rate"},
    ...                              algorithm="lightgbm",
    ...                              search_space={"lr": FloatDistribution(0.01, 0.3)})
    >>> report[["rank", "status", "params"]]
    """
    if not isinstance(study, optuna.Study):
        raise InvalidInputError(f"study must be an optuna.Study, got {type(study).__name__}")
    if study._is_multi_objective():
        raise InvalidInputError("warm_start needs a single-objective study")
    n = _positive_int("n", n)
    if out_of_range not in ("clip", "skip"):
        raise InvalidInputError(f"out_of_range must be 'clip' or 'skip', got {out_of_range!r}")
    X, y, _ = _check_table(df, target)
    task = _infer_task(y, task)
    metric = _resolve_metric(task, metric)
    space = dict(search_space) if search_space is not None else _study_space(study)
    if not space:
        raise InvalidInputError(
            "the study has no trial to read its search space from; pass search_space= "
            "(study parameter -> optuna distribution)")
    for name, dist in space.items():
        if not isinstance(dist, BaseDistribution):
            raise InvalidInputError(f"search_space[{name!r}] must be an optuna distribution, "
                                    f"got {type(dist).__name__}")
    mapping = _match_names(space, param_names or {}, task=task, algorithm=algorithm)
    recommender = _Recommender(df, target, task, metric, kb, random_state, n, recommendation)
    configs = recommender.configs(n)
    rows = [_user_row(record, space, mapping, task=task, n_features=X.shape[1],
                      out_of_range=out_of_range) for record in configs.to_dict("records")]
    return _enqueue_rows(study, rows)


def _study_space(study: optuna.Study) -> dict[str, BaseDistribution]:
    """Every parameter seen in the study's trials, with its latest distribution."""
    space: dict[str, BaseDistribution] = {}
    for trial in study.get_trials(deepcopy=False):
        space.update(trial.distributions)
    return space


@dataclass(frozen=True)
class _Mapping:
    """How a user's study parameters correspond to autometa's."""

    algorithm_param: str | None  # the study's parameter choosing the algorithm
    fixed_algorithm: str | None  # the algorithm of a single-algorithm study
    params: dict[str, tuple[str, str]]  # study name -> (algorithm, portfolio param)


def _match_names(space: Mapping[str, BaseDistribution], param_names: Mapping[str, str], *,
                 task: str, algorithm: str | None) -> _Mapping:
    unknown = [name for name in param_names if name not in space]
    if unknown:
        raise InvalidInputError(f"param_names has names that are not parameters of the study: "
                                f"{unknown}; the study has {sorted(space)}")
    if algorithm is not None:
        resolve_algorithms([algorithm], task)
    spaces = {name: get_algorithm(name).search_space(task)
              for name in resolve_algorithms(None, task)}
    targets = {name: param_names.get(name, name) for name in space}
    algorithm_param = next((name for name, ours in targets.items() if ours == ALGORITHM_PARAM),
                           None)
    if algorithm_param is not None and not isinstance(space[algorithm_param],
                                                      CategoricalDistribution):
        raise InvalidInputError(f"study parameter {algorithm_param!r} chooses the algorithm and "
                                f"must be categorical")
    params: dict[str, tuple[str, str]] = {}
    bare: dict[str, str] = {}
    for name, ours in targets.items():
        if name == algorithm_param:
            continue
        head, sep, tail = ours.partition(SEPARATOR)
        if sep and head in spaces:
            if tail not in spaces[head]:
                raise InvalidInputError(f"{ours!r} (for study parameter {name!r}) is not a "
                                        f"parameter of {head}; it has {sorted(spaces[head])}")
            params[name] = (head, tail)
        else:
            bare[name] = ours
    fixed = None
    if bare:
        if algorithm_param is not None and algorithm is None:
            raise InvalidInputError(
                f"study parameters {sorted(bare)} do not name their algorithm; map them to "
                f"'<algorithm>__<param>' in param_names")
        fixed = algorithm or _infer_algorithm(bare, spaces)
        for name, ours in bare.items() if fixed is not None else ():
            if ours in spaces[fixed]:
                params[name] = (fixed, ours)
            elif name in param_names:
                raise InvalidInputError(f"{ours!r} (for study parameter {name!r}) is not a "
                                        f"parameter of {fixed}; it has {sorted(spaces[fixed])}")
    if not params and algorithm_param is None:
        raise InvalidInputError(
            f"no parameter of the study ({sorted(space)}) corresponds to a portfolio "
            f"parameter; map them with param_names (study name -> e.g. "
            f"'lightgbm__learning_rate')")
    return _Mapping(algorithm_param, fixed, params)


def _infer_algorithm(bare: Mapping[str, str],
                     spaces: Mapping[str, Mapping[str, Any]]) -> str | None:
    """The portfolio algorithm whose parameter names cover most of a study's names.

    ``None`` when no name is a portfolio parameter; an error when several algorithms tie.
    """
    coverage = {name: sum(ours in space for ours in bare.values())
                for name, space in spaces.items()}
    best = max(coverage.values())
    winners = [name for name, count in coverage.items() if count == best]
    if best == 0:
        return None
    if len(winners) > 1:
        raise InvalidInputError(
            f"cannot tell which algorithm the study's parameters {sorted(bare)} belong to "
            f"(candidates: {winners}); pass algorithm= or param_names=")
    return winners[0]


def _user_row(record: Mapping[str, Any], space: Mapping[str, BaseDistribution],
              mapping: _Mapping, *, task: str, n_features: int,
              out_of_range: str) -> dict[str, Any]:
    """Convert one recommended configuration into a study's parameters."""
    config = Configuration(str(record["algorithm"]), dict(record["params"]))
    base = {"rank": record["rank"], "algorithm": config.algorithm,
            "config_id": record["config_id"],
            "predicted_score": record.get("predicted_score", math.nan),
            "clipped": [], "dropped": []}
    params: dict[str, Any] = {}
    if mapping.algorithm_param is not None:
        dist = space[mapping.algorithm_param]
        if config.algorithm not in dist.choices:
            return {**base, "status": "skipped", "params": {},
                    "reason": f"algorithm {config.algorithm!r} is not among the choices of "
                              f"{mapping.algorithm_param!r}"}
        params[mapping.algorithm_param] = config.algorithm
    elif mapping.fixed_algorithm is not None and config.algorithm != mapping.fixed_algorithm:
        return {**base, "status": "skipped", "params": {},
                "reason": f"the study tunes {mapping.fixed_algorithm}, not {config.algorithm}"}
    algorithm = get_algorithm(config.algorithm)
    values = {**algorithm.defaults(task), **config.params}
    clipped, dropped, outside = [], [], []
    for name, (owner, param) in mapping.params.items():
        if owner != config.algorithm:
            continue
        dist = space[name]
        raw = values.get(param)
        value = _special_value(param, raw, dist, n_features)
        fitted = fit_value(value, dist)
        if fitted is MISSING:
            dropped.append(name)
            continue
        if isinstance(dist, IntDistribution | FloatDistribution) and not math.isclose(
                float(fitted), float(value), rel_tol=1e-9, abs_tol=1e-12):
            low, high = float(dist.low), float(dist.high)
            if not low <= float(value) <= high:
                outside.append(f"{name}={raw!r} outside [{dist.low}, {dist.high}]")
            clipped.append(name)
        params[name] = fitted
    if outside and out_of_range == "skip":
        return {**base, "status": "skipped", "params": {}, "dropped": sorted(dropped),
                "reason": "; ".join(outside)}
    if not params:
        return {**base, "status": "skipped", "params": {}, "dropped": sorted(dropped),
                "reason": "no parameter of this configuration can be set in the study"}
    reason = "; ".join(outside)
    return {**base, "status": "enqueued", "reason": reason, "params": params,
            "clipped": sorted(clipped), "dropped": sorted(dropped)}
