"""Warm-started tuning: one Optuna study over the portfolio, seeded by the meta-model.

:func:`tune` runs (or resumes) a study whose search space is the whole portfolio
(``algorithm``, then ``<algorithm>__<param>``, see :mod:`autometa._search_space`), warm-started
by the meta-model (the prior of :class:`~autometa.MetaLearnedSampler`, or the configurations
:func:`autometa.recommend` ranks first enqueued before TPE), cross-validated with the same
folds and metrics as the evaluation campaign, and refits the best configuration.

:func:`autometa.warm_start` (:mod:`autometa._warm_start`) enqueues recommended
configurations into a user's own study, in that study's parameter names and ranges;
storages are opened by :mod:`autometa._storage`.

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
import logging
import math
import numbers
import os
import re
import signal
import socket
import tempfile
import time
import traceback
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import optuna
import pandas as pd
from optuna.samplers import BaseSampler, RandomSampler, TPESampler
from optuna.storages import BaseStorage
from optuna.trial import FrozenTrial, TrialState
from threadpoolctl import threadpool_limits

from autometa._exceptions import InvalidInputError
from autometa._sampler import (
    INTERRUPTED_ATTR,
    MetaLearnedSampler,
    MetaModelPrior,
    training_scores,
)
from autometa._search_space import (
    ALGORITHM_PARAM,
    params_to_configuration,
    resolve_algorithms,
    suggest_configuration,
)
from autometa._storage import make_storage
from autometa._targets import resolve_metric
from autometa._validation import (
    check_n_jobs,
    check_positive_int,
    check_seed,
    check_target_name,
    check_task,
    check_tuning_table,
    label_repr,
    lone_class,
)
from autometa._warm_start import (
    Recommender,
    carries_meta_model,
    check_recommendation_fits,
    enqueue_rows,
    portfolio_rows,
)
from knowledge_base import METRICS
from knowledge_base.campaign import (
    EvaluationTimeout,
    cv_splits,
    fit_and_score,
    keyboard_interrupts_kept,
)
from knowledge_base.portfolio import Configuration, build_pipeline

__all__ = ["TuneResult", "tune"]

#: Study user attributes that must match when a study is resumed.
_CHECKED = ("task", "metric", "target", "cv", "random_state", "algorithms", "fingerprint")
_PREFIX = "autometa:"
#: Study user attribute holding the settings a study was started with.
SETTINGS_ATTR = _PREFIX + "settings"
#: Study user attribute set once the creator has enqueued its warm start (or decided not to).
WARM_ATTR = _PREFIX + "warm_started"
#: Seconds a process joining a study waits for its creator to record the settings (the
#: creator does so right after creating it; a study that still has none was made by
#: someone else).
SETTINGS_WAIT = 10.0
SAMPLERS = ("tpe", "meta", "random")
#: The meta-learned sampler's cost weight when ``tune`` is given a ``timeout``.
DEFAULT_COST_WEIGHT = 0.5
#: Evaluated trials of a study unless told otherwise.
DEFAULT_N_TRIALS = 50

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
    cost_weight : float
        The meta-learned sampler's fit-time penalty (0: fit time ignored; see
        :func:`tune`'s ``cost_weight``).
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
    sampler: str = "meta"
    cost_weight: float = 0.0
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
            "cost_weight": self.cost_weight,
            "best_score": self.best_score,
            "fold_scores": [score if math.isfinite(score) else None
                            for score in self.fold_scores],  # JSON has no NaN
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
def _small_classes(y: pd.Series, cv: int) -> list[str]:
    """A note when classes have fewer rows than folds (some folds test without them).

    Raises
    ------
    InvalidInputError
        With two classes, one of them a single row: the fold that tests it trains on the
        other class alone, and every model fails there.
    """
    if reason := lone_class(y):
        raise InvalidInputError(reason)
    counts = y.value_counts()
    small = counts[counts < cv]
    if small.empty:
        return []
    label, size = small.index[-1], int(small.iloc[-1])
    if len(small) == len(counts):
        return [f"every class has fewer rows than the {cv} folds (smallest: "
                f"{label_repr(label)} with {size}); the folds cannot be stratified and are "
                "plain shuffled K-fold"]
    return [f"{len(small)} class(es) have fewer rows than the {cv} folds (smallest: "
            f"{label_repr(label)} with {size}); some folds are scored without them"]


def _defined_metric(y: pd.Series, cv: int, random_state: int, metric: str,
                    requested: str | None, notes: list[str]) -> str:
    """ROC AUC unless every validation fold holds a single class (then it is undefined).

    On a few rows with as many folds (5 rows, ``cv=5``) every trial failed with "roc_auc
    is undefined on every fold".  The default metric falls back to accuracy, with a note;
    a requested ROC AUC is an error naming the remedies.
    """
    if metric != "roc_auc":
        return metric
    folds = cv_splits(y, "classification", cv, random_state)
    if any(y.iloc[test].nunique() > 1 for _, test in folds):
        return metric
    reason = (f"every validation fold of the {cv} holds a single class ({len(y)} rows), "
              "where roc_auc is undefined")
    if requested is not None:
        raise InvalidInputError(f"{reason}: use fewer folds (cv) or metric='accuracy'")
    notes.append(f"{reason}: trials are scored by accuracy")
    return "accuracy"


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

    def evaluate(self, config: Configuration, *,
                 seconds_left: Callable[[], float | None] | None = None) -> dict[str, Any]:
        """Cross-validate ``config``; the campaign's folds and metrics.

        ``seconds_left()``, asked before each fold, is how long the study may still run
        (``None``: no limit); a fold is stopped when it runs out.

        Returns
        -------
        dict
            ``score`` (mean over folds), ``fold_scores``, ``fit_time`` (total seconds).

        Raises
        ------
        _DeadlineReached
            When ``seconds_left`` runs out before or during a fold.
        """
        scores, fit_time = [], 0.0
        for train, test in self.splits():
            limit, by_deadline = self.fit_timeout, False
            left = None if seconds_left is None else seconds_left()
            if left is not None:
                if left <= 0:
                    raise _DeadlineReached(_DEADLINE_MESSAGE)
                if limit is None or left < limit:
                    limit, by_deadline = left, True
            try:
                fold = fit_and_score(config, self.task, self.X, self.y, train, test,
                                     self.classes, random_state=self.random_state,
                                     time_limit_s=limit)
            except EvaluationTimeout:
                if by_deadline:
                    raise _DeadlineReached(_DEADLINE_MESSAGE) from None
                raise
            fit_time += fold["fit_time"]
            scores.append(float(fold[self.metric]))
        finite = [score for score in scores if math.isfinite(score)]
        return {"score": float(np.mean(finite)) if finite else math.nan,
                "fold_scores": scores, "fit_time": fit_time}

    def refit(self, config: Configuration) -> Any:
        """Fit ``config`` on every row."""
        pipeline = build_pipeline(config, task=self.task, random_state=self.random_state,
                                  n_samples=len(self.X), n_features=self.X.shape[1])
        # one BLAS/OpenMP thread, as the trials' fits (their fit times were measured so;
        # several threads on a busy machine made an MLP refit several times slower)
        with warnings.catch_warnings(), threadpool_limits(1):
            warnings.simplefilter("ignore")
            with keyboard_interrupts_kept():  # after "ignore", which would hide its warning
                pipeline.fit(self.X, self.y)
        return pipeline


class _ModelError(Exception):
    """A configuration could not be fitted or scored (recorded, the study goes on)."""


class _DeadlineReached(Exception):
    """The study's ``timeout`` came during a trial: no result, the trial is queued again."""


class _QuietDeadline(logging.Filter):
    """Optuna's log of a trial the timeout stopped: one line, no traceback.

    Optuna logs every caught exception as a failed trial, traceback included; a trial
    stopped on purpose by ``tune``'s timeout is no failure to alarm anyone with.
    """

    def __init__(self) -> None:
        super().__init__()
        self._stopped: set[str] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        message = record.getMessage()
        number = re.match(r"Trial (\d+) failed", message)
        if isinstance(error, _DeadlineReached) and number:
            self._stopped.add(number.group(1))
            record.msg, record.args = f"Trial {number.group(1)}: {error}.", ()
            record.exc_info = record.exc_text = None
            return True
        # Optuna's second line on the same trial ("failed with value None")
        return not (number and number.group(1) in self._stopped
                    and "failed with value" in message)


#: User attribute of a trial stopped by the study's ``timeout``.
STOPPED_ATTR = "stopped"
_DEADLINE_MESSAGE = ("the timeout came before this trial finished (no result); it is "
                     "queued to run first when the study resumes")


def _worker_id() -> dict[str, Any]:
    """Who runs a trial: host, process id and the process's start (tells reused ids apart)."""
    return {"host": socket.gethostname(), "pid": os.getpid(),
            "started": _process_start(os.getpid())}


def _process_start(pid: int) -> int | None:
    """When a process started (clock ticks since boot, Linux's /proc), if known."""
    with contextlib.suppress(OSError, IndexError, ValueError):
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19])
    return None


@dataclass
class _Objective:
    """The study's objective: suggest a portfolio configuration, cross-validate it."""

    data: _CrossValidation
    algorithms: list[str]
    #: When the study's ``timeout`` ends (``time.time()``), if it has one.
    deadline: float | None = None

    def __call__(self, trial: optuna.Trial) -> float:
        try:
            return self._cross_validate(trial)
        except KeyboardInterrupt:
            # Optuna marks the trial failed and stops; queue its configuration again, so
            # that a resumed study runs it first instead of losing it, and mark it as no
            # result for the meta-learned sampler
            trial.study._storage.set_trial_system_attr(trial._trial_id, INTERRUPTED_ATTR, True)
            _enqueue_retry(trial.study, trial.study._storage.get_trial(trial._trial_id))
            raise

    def _cross_validate(self, trial: optuna.Trial) -> float:
        trial.set_user_attr("worker", _worker_id())
        config = suggest_configuration(trial, self.data.task, self.algorithms)
        trial.set_user_attr("config_id", config.config_id)
        trial.set_user_attr("configuration", config.to_json())
        try:
            result = self.data.evaluate(config, seconds_left=lambda: self._seconds_left(trial))
        except _DeadlineReached:
            # the budget ran out, not the configuration: no result, and a resumed study
            # runs it first (as after Ctrl-C)
            storage = trial.study._storage
            storage.set_trial_system_attr(trial._trial_id, INTERRUPTED_ATTR, True)
            trial.set_user_attr(STOPPED_ATTR, _DEADLINE_MESSAGE)
            _enqueue_retry(trial.study, storage.get_trial(trial._trial_id))
            raise
        except Exception as error:  # noqa: BLE001 - a failing model is a result
            last = traceback.extract_tb(error.__traceback__)[-1]
            message = (f"{type(error).__name__}: {error} "
                       f"[{last.filename.rsplit('/', 1)[-1]}:{last.lineno}]")[:500]
            trial.set_user_attr("error", message)
            raise _ModelError(message) from None  # the message names it: no 80-line log
        trial.set_user_attr("fold_scores", result["fold_scores"])
        trial.set_user_attr("fit_time", result["fit_time"])
        if not math.isfinite(result["score"]):
            message = f"{self.data.metric} is undefined on every fold"
            trial.set_user_attr("error", message)
            raise _ModelError(message)
        trial.set_user_attr("cv_score", result["score"])
        return result["score"]

    def _seconds_left(self, trial: optuna.Trial) -> float | None:
        """Seconds until the study's timeout (``None``: no limit).

        No limit without a timeout, nor while the study has no complete trial: the first
        result is worth waiting for.
        """
        if self.deadline is None:
            return None
        if not trial.study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,)):
            return None
        return self.deadline - time.time()


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
        started = worker.get("started")
        if started is None and pid == os.getpid():
            continue  # this process, as far as can be told
        if _pid_alive(pid):
            current = _process_start(pid)
            if started is None or current is None or current == started:
                continue  # alive (a process of that id that started later is another one)
        try:
            study._storage.set_trial_system_attr(trial._trial_id, INTERRUPTED_ATTR, True)
            if not study._storage.set_trial_state_values(trial._trial_id, TrialState.FAIL):
                continue
        except optuna.exceptions.UpdateFinishedTrialError:
            continue  # another process recovered it first
        recovered.append(trial.number)
        if trial.user_attrs.get("retry_of") is not None:
            continue  # retried once already: the configuration may be what kills workers
        _enqueue_retry(study, trial)
    return recovered


def _enqueue_retry(study: optuna.Study, trial: FrozenTrial) -> None:
    """Queue an interrupted trial's configuration again (its warm-start marks kept)."""
    params = dict(trial.system_attrs.get("fixed_params") or trial.params)
    attrs = {key: value for key, value in trial.user_attrs.items()
             if key in ("source", "rank", "config_id", "predicted_score")}
    if params:
        original = trial.user_attrs.get("retry_of", trial.number)
        study.enqueue_trial(params, user_attrs={**attrs, "retry_of": original})


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


def _check_sampler_fits(sampler: Any, *, task: str, algorithms: list[str],
                        n_features: int) -> None:
    """Refuse a MetaLearnedSampler built for another task, table width or algorithms.

    Its proposals would name algorithms the study's objective does not offer (Optuna's
    "CategoricalDistribution does not support dynamic value space"), score a regression
    with a classification prior, or seed the study with another table's prior (as a
    ``recommendation`` of another table would; that is refused too).
    """
    if not isinstance(sampler, MetaLearnedSampler):
        return
    if sampler.task != task:
        raise InvalidInputError(f"the sampler was built for {sampler.task}; this table's task "
                                f"is {task}")
    built_for = sampler._n_features
    if built_for is not None and built_for != n_features:
        raise InvalidInputError(
            f"the sampler was built for a table with {built_for} feature columns, this one "
            f"has {n_features}: build it from this table's recommendation")
    if list(sampler.algorithms) != list(algorithms):
        raise InvalidInputError(
            f"the sampler proposes {list(sampler.algorithms)} but the study tunes "
            f"{list(algorithms)}: pass algorithms={list(sampler.algorithms)!r} to tune, or "
            "build the sampler with the study's algorithms")


# ======================================================================== tune
def tune(df: pd.DataFrame, target: str, *, n_trials: int | None = DEFAULT_N_TRIALS,
         timeout: float | None = None,
         storage: str | os.PathLike | BaseStorage | None = None,
         study_name: str | None = None, n_jobs: int = 1, warm_start: bool = True,
         cv: int = 5, random_state: int = 0, task: str | None = None,
         metric: str | None = None, algorithms: Iterable[str] | None = None,
         sampler: str | BaseSampler | None = None, n_warm: int | None = None, kb: Any = None,
         recommendation: Any = None, refit: bool = True, fit_timeout: float | None = None,
         cost_weight: float | None = None,
         callbacks: Sequence[Callable[[optuna.Study, FrozenTrial], None]] | None = None
         ) -> TuneResult:
    """Tune the portfolio on a table with one Optuna study, warm-started by the meta-model.

    The study chooses an ``algorithm`` and then that algorithm's parameters
    (``<algorithm>__<param>``).  Each trial is scored by K-fold cross-validation (the
    evaluation campaign's folds and metrics).  With ``warm_start`` the meta-model is the
    sampler's prior (``sampler="meta"``, the default: its first trial is the configuration
    :func:`autometa.recommend` rates best) or the configurations it ranks first are
    enqueued (``sampler="tpe"`` or ``"random"``, or a ``recommendation`` table without a
    meta-model).

    Parameters
    ----------
    df : DataFrame
        The table, features and target (rows with a missing target are dropped).
    target : str
        Name of the target column.
    n_trials : int or None, default=50
        Evaluated trials the study should have in the end (an existing study counts
        what it already has: a resumed study only runs the rest); with ``n_jobs > 1``, up
        to ``n_jobs - 1`` more (trials still running when the count is reached finish, as
        with Optuna's ``MaxTrialsCallback``).  ``None``: no limit, run until ``timeout``
        (as in :meth:`optuna.study.Study.optimize`).
    timeout : float, optional
        Seconds to tune: no trial starts after them (as in
        :meth:`optuna.study.Study.optimize`), and, once a trial has completed, a trial
        still running is stopped there (no result; it is queued and runs first when the
        study is resumed).  The refit of the best configuration comes after.
    storage : str, path or optuna storage, optional
        Where the study lives: an SQLAlchemy URL (``sqlite:///tune.db``,
        ``postgresql://...``), an SQLite file path (``tune.db``), a journal file path
        (``tune.log``), or an Optuna storage.
        Default: in memory.  With a storage an existing study is resumed.
    study_name : str, optional
        Default: ``"autometa-<target>-<fingerprint of the table>"``, so that the same
        call on the same storage resumes.
    n_jobs : int, default=1
        Worker processes on this machine (``-1``: one per core).  They are started by
        re-importing the calling script, so a script calling ``tune(n_jobs=2)`` needs
        the usual ``if __name__ == "__main__":`` guard (as for ``multiprocessing``).
        They share the study through ``storage`` (a file or database; not an in-memory
        storage), reseed a ``sampler`` object's copy each (as Optuna does for threads),
        and stop when this process is killed.
    warm_start : bool, default=True
        Seed the study with the meta-model's recommendations.
    cv : int, default=5
        Folds of the cross-validation.
    random_state : int, default=0
        Seeds folds, models and the sampler.
    task : {"classification", "regression"}, optional
        Default: inferred from the target, as by :func:`autometa.recommend`.
    metric : str, optional
        Default: ``roc_auc`` (classification) or ``rmse`` (regression).
    algorithms : iterable of str, optional
        Portfolio algorithms to search (default: all).
    sampler : {"meta", "tpe", "random"} or optuna sampler, optional
        ``"meta"``: :class:`~autometa.MetaLearnedSampler` (with ``warm_start=False`` it
        has no prior: plain Gaussian-process optimisation); ``"tpe"``: multivariate
        grouped TPE (recommendations enqueued first); ``"random"``: random search.
        A :class:`~autometa.MetaLearnedSampler` of your own (e.g. cost-aware,
        ``MetaLearnedSampler.from_recommendation(rec, cost_weight=0.5)``) is used as
        given, with nothing enqueued.
        Default: ``"meta"`` when warm-started by the meta-model; ``"tpe"`` with
        ``warm_start=False`` or a ``recommendation`` that carries no meta-model (a
        table of configurations, which are enqueued).  On 18 corpus datasets the
        meta-model had not seen (x 4 seeds, ``benchmarks/results/warm_start/report.md``)
        ``"meta"`` had the better score after 10 / 20 / 30 trials in 49 / 50 / 47 of 72
        runs, enqueued TPE in 18 / 19 / 24.
    n_warm : int, optional
        Recommended configurations to enqueue (``sampler="tpe"`` or ``"random"``; default
        10).  The meta-learned sampler takes them as its prior instead: given with it, or
        with ``warm_start=False``, ``n_warm`` is not used (noted).
    kb : KnowledgeBase or path, optional
        Knowledge base of the meta-model (default: the shipped one).
    recommendation : Recommendation, optional
        Reuse the output of :func:`autometa.recommend` for this table (one made for a
        table of another task or number of columns is refused).
    refit : bool, default=True
        Fit the best configuration on every row.
    fit_timeout : float, optional
        Seconds one fit (one fold) may take; a slower configuration fails with a timeout
        error (recorded, counted in the budget), as in the evaluation campaign.
    cost_weight : float, optional
        How much the meta-learned sampler (``sampler="meta"``) avoids configurations
        expected to fit slowly (:class:`~autometa.MetaLearnedSampler`'s ``cost_weight``;
        0: fit time is ignored).  Default: 0.5 with a ``timeout`` (seconds count), 0
        without (trials count).  With ``timeout=30`` on 18 corpus datasets the
        meta-model had not seen (x 2 seeds, ``benchmarks/results/tune_timeout/``), the
        cost-aware sampler ran about three times the trials; re-scored on fresh folds,
        its incumbent was better than the sampler ignoring fit time in 20 / 18 / 19 of 36
        runs after 10 / 20 / 30 s (worse in 12 / 13 / 13).
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
    X, y, notes = check_tuning_table(df, target)
    if n_trials is None and timeout is None:
        raise InvalidInputError("n_trials=None runs until the timeout: give a timeout too")
    if n_trials is not None:
        n_trials = check_positive_int("n_trials", n_trials)
    cv = check_positive_int("cv", cv, minimum=2)
    n_warm_given = n_warm is not None
    n_warm = check_positive_int("n_warm", 10 if n_warm is None else n_warm, minimum=0)
    n_jobs = check_n_jobs(n_jobs)
    for name, value in (("timeout", timeout), ("fit_timeout", fit_timeout)):
        if value is not None and (isinstance(value, bool) or not isinstance(
                value, numbers.Real) or not value > 0):
            raise InvalidInputError(f"{name} must be a positive number of seconds, got "
                                    f"{value!r}")
    random_state = check_seed(random_state)
    if sampler is None:
        sampler = "meta" if warm_start and carries_meta_model(recommendation) else "tpe"
    if not (isinstance(sampler, BaseSampler) or sampler in SAMPLERS):
        raise InvalidInputError(f"sampler must be one of {SAMPLERS} or an optuna sampler, "
                                f"got {sampler!r}")
    automatic = cost_weight is None
    cost_weight = _check_cost_weight(cost_weight, sampler=sampler, timeout=timeout,
                                     warm_start=warm_start)
    if automatic and cost_weight > 0:
        notes.append(f"timeout given: the meta-learned sampler weighs each configuration's "
                     f"expected fit time (cost_weight={cost_weight:g}; 0 ignores it)")
    meta_prior = sampler == "meta" or isinstance(sampler, MetaLearnedSampler)
    if n_warm_given and (meta_prior or not warm_start):
        notes.append(f"n_warm={n_warm} not used: " + (
            "the meta-learned sampler takes the recommendations as its prior instead of "
            "enqueueing them (sampler='tpe' or 'random' enqueues them)" if warm_start
            else "warm_start=False enqueues nothing"))
    task = check_task(task, y, notes)
    check_recommendation_fits(recommendation, task=task, n_features=X.shape[1])
    # the recommender gets the metric as given: None is recommend's own default (roc_auc,
    # accuracy on past datasets without it), not roc_auc alone
    requested_metric, metric = metric, resolve_metric(task, metric)[0]
    names = resolve_algorithms(algorithms, task)
    _check_sampler_fits(sampler, task=task, algorithms=names, n_features=X.shape[1])
    if len(X) < cv:
        raise InvalidInputError(f"df has {len(X)} rows with a target; cv={cv} needs at least "
                                f"{cv}")
    if task == "classification":
        notes += _small_classes(y, cv)
        metric = _defined_metric(y, cv, int(random_state), metric, requested_metric, notes)
    data = _CrossValidation(X, y, task, metric, cv, int(random_state),
                            None if fit_timeout is None else float(fit_timeout))
    fingerprint = _fingerprint(X, y)
    settings = {"task": task, "metric": metric, "target": target, "cv": cv,
                "algorithms": names, "fingerprint": fingerprint,
                "random_state": int(random_state)}
    study_name = study_name or f"autometa-{target}-{fingerprint[:8]}"

    temporary = None
    opened = make_storage(storage)
    if n_jobs > 1 and isinstance(opened, optuna.storages.InMemoryStorage):
        raise InvalidInputError(
            "n_jobs > 1 runs worker processes, which cannot share an in-memory storage: "
            "pass a file or database storage (e.g. storage='study.log'), or storage=None")
    if opened is None and n_jobs > 1:  # processes need a storage they can share
        temporary = tempfile.TemporaryDirectory(prefix="autometa-tune-")
        opened = make_storage(Path(temporary.name) / "study.log")
    try:
        study, created = _open_study(opened, study_name, settings)
        interrupted = _recover_interrupted(study)
        recommender = Recommender(df, target, task, requested_metric, kb, int(random_state),
                                  n_warm, recommendation)
        report = None
        # a meta-learned sampler carries its own prior: nothing to enqueue before it
        enqueue = warm_start and n_warm > 0 and not meta_prior
        if created or not _wait_for(study, WARM_ATTR, seconds=10.0):
            # the creator enqueues (or whoever finds its setup unfinished: it died)
            if enqueue:
                configs = recommender.configs(min(n_warm, n_trials or n_warm), names)
                report = enqueue_rows(study, portfolio_rows(
                    configs, task=task, algorithms=names, n_features=X.shape[1]))
            study.set_user_attr(WARM_ATTR, bool(enqueue))
        remaining = None if n_trials is None else n_trials - len(_evaluated(study))
        if remaining is not None and remaining <= 0:
            notes.append(f"the study already has {n_trials - remaining} evaluated trials, "
                         f"at least n_trials={n_trials}: no trial was run (n_trials counts "
                         "the study's trials; raise it to tune further)")
        if remaining is None or remaining > 0:
            seed = int(random_state) if created else _joiner_seed(int(random_state))
            prior_factory = _prior_factory(recommender, algorithms=names,
                                           n_features=X.shape[1],
                                           use_prior=warm_start and sampler == "meta",
                                           cost_weight=cost_weight)
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
                   cost_weight=cost_weight, interrupted=interrupted, notes=notes)


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
    waits for it (up to :data:`SETTINGS_WAIT` seconds).
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
    deadline = time.monotonic() + SETTINGS_WAIT
    while SETTINGS_ATTR not in study.user_attrs:
        if time.monotonic() > deadline or study.get_trials(deepcopy=False):
            raise InvalidInputError(
                f"study {study_name!r} exists in the storage but was not created by "
                f"autometa.tune; use autometa.warm_start on it, or choose another study_name")
        time.sleep(0.2)
    stored = study.user_attrs[SETTINGS_ATTR]
    for key in _CHECKED:
        if stored.get(key) != settings[key] and key == "fingerprint":
            raise InvalidInputError(
                f"study {study_name!r} was started on a different table (its rows, columns "
                f"or values differ: fingerprint {str(stored.get(key))[:12]!r}, this table "
                f"{settings[key][:12]!r}); resume it with the same table, or choose another "
                "study_name")
        if stored.get(key) != settings[key]:
            raise InvalidInputError(
                f"study {study_name!r} was started with {key}={stored.get(key)!r}, not "
                f"{settings[key]!r}; resume it with the same arguments and table, or choose "
                f"another study_name")
    if study.direction.name.lower() != direction:
        raise InvalidInputError(f"study {study_name!r} has direction "
                                f"{study.direction.name.lower()}, the metric needs {direction}")
    return study, False


def _check_cost_weight(cost_weight: float | None, *, sampler: Any, timeout: float | None,
                       warm_start: bool) -> float:
    """The meta-learned sampler's cost weight (default: 0.5 under a ``timeout``, else 0)."""
    meta = sampler == "meta" and warm_start  # the fit times come from the meta-model
    if cost_weight is None:
        return DEFAULT_COST_WEIGHT if timeout is not None and meta else 0.0
    if isinstance(cost_weight, bool) or not isinstance(cost_weight, numbers.Real) \
            or not cost_weight >= 0:
        raise InvalidInputError(f"cost_weight must be a number >= 0, got {cost_weight!r}")
    if cost_weight > 0 and not meta:
        raise InvalidInputError(
            f"cost_weight applies to sampler='meta' with warm_start=True (the meta-model "
            f"expects the fit times), not sampler={sampler!r}, warm_start={warm_start!r}"
            + (" (give the cost weight to your MetaLearnedSampler)"
               if isinstance(sampler, MetaLearnedSampler) else ""))
    return float(cost_weight)


@dataclass
class _SamplerFactory:
    """Builds a :class:`MetaLearnedSampler` (in any worker process) from a prior."""

    prior: MetaModelPrior | None
    candidates: list[Configuration]
    task: str
    algorithms: list[str]
    n_features: int
    seed: int | None = None
    cost_weight: float = 0.0
    candidate_scores: np.ndarray | None = None

    def __call__(self, seed: int | None = None) -> MetaLearnedSampler:
        return MetaLearnedSampler(self.prior, task=self.task, algorithms=self.algorithms,
                                  candidates=self.candidates, n_features=self.n_features,
                                  cost_weight=self.cost_weight,
                                  candidate_scores=self.candidate_scores,
                                  seed=self.seed if seed is None else seed)


def _prior_factory(recommender: Recommender, *, algorithms: list[str], n_features: int,
                   use_prior: bool, cost_weight: float = 0.0) -> _SamplerFactory:
    """The meta-learned sampler's prior for this table (none when not warm-started)."""
    if not use_prior:
        return _SamplerFactory(None, [], recommender.task, algorithms, n_features)
    model, metafeatures, configs, ids = recommender.prior()
    keep = [i for i, config in enumerate(configs) if config.algorithm in algorithms]
    return _SamplerFactory(MetaModelPrior(model, metafeatures), [configs[i] for i in keep],
                           recommender.task, algorithms, n_features, cost_weight=cost_weight,
                           candidate_scores=training_scores(model, [ids[i] for i in keep]))


@dataclass
class _Run:
    """One worker's optimisation loop (picklable: runs in worker processes too)."""

    data: _CrossValidation
    algorithms: list[str]
    sampler: str | BaseSampler
    seed: int
    prior_factory: _SamplerFactory
    n_trials: int | None
    timeout: float | None

    def optimize(self, study: optuna.Study, *, callbacks: list[Any], remaining: int | None,
                 seed: int | None = None) -> None:
        seed = self.seed if seed is None else seed
        sampler = _make_sampler(self.sampler, seed=seed,
                                prior=lambda: self.prior_factory(seed))
        study.sampler = sampler
        deadline = None if self.timeout is None else time.time() + self.timeout
        optuna_log, quiet = logging.getLogger("optuna.study._optimize"), _QuietDeadline()
        optuna_log.addFilter(quiet)
        try:
            with warnings.catch_warnings():
                warnings.filterwarnings("ignore", message=".*fixed parameter.*")
                study.optimize(_Objective(self.data, self.algorithms, deadline),
                               n_trials=remaining, timeout=self.timeout,
                               catch=(_ModelError, _DeadlineReached),
                               callbacks=[*([] if self.n_trials is None else
                                            [_StopWhenDone(self.n_trials)]), *callbacks],
                               gc_after_trial=False)
        finally:
            optuna_log.removeFilter(quiet)


def _worker_main(run: _Run, storage: Any, study_name: str, remaining: int | None,
                 seed: int) -> int:
    """Entry point of a worker process: optimise the shared study.

    A sampler object given to :func:`tune` arrives as the same pickled copy in every
    worker; each reseeds its copy (as Optuna does for its thread workers), or all would
    propose the same points.  The worker exits when the parent process dies (killed):
    its running trial is then recovered by the next :func:`tune` on the study.
    """
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    _exit_with_parent()
    if isinstance(run.sampler, BaseSampler):
        run.sampler.reseed_rng()
    study = optuna.load_study(study_name=study_name, storage=storage)
    if _WORKER_STOP["requested"]:  # interrupted while starting: run nothing
        return os.getpid()
    _WORKER_STOP["optimizing"] = True
    try:
        run.optimize(study, callbacks=[], remaining=remaining, seed=seed)
    except KeyboardInterrupt:
        pass  # the running trial was marked and queued again (_Objective); stop quietly
    finally:
        _WORKER_STOP["optimizing"] = False
    return os.getpid()


#: A worker process's state for interrupts: whether one was asked for, and whether the
#: worker is optimising (where an interrupt stops the running trial).
_WORKER_STOP = {"requested": False, "optimizing": False}
#: Seconds the workers get to stop their running trials after an interrupt (they mark them
#: and queue them again) before they are killed.
STOP_GRACE = 10.0


def _worker_signals() -> None:
    """Initializer of a worker process: SIGINT stops its trials, once."""
    signal.signal(signal.SIGINT, _on_worker_interrupt)


def _on_worker_interrupt(signum: int, frame: Any) -> None:
    """SIGINT in a worker (Ctrl-C in the terminal, or forwarded by the parent).

    The first one stops the running trial (a :class:`KeyboardInterrupt` there, which marks
    it and queues it again); later ones are ignored, so that neither that bookkeeping nor
    the idle worker (a traceback from the pool's queue) is interrupted.
    """
    _WORKER_STOP["requested"] = True
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # Optuna would log the interrupted trial's failure with a traceback per worker; the
    # parent says what happened to it
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    if _WORKER_STOP["optimizing"]:
        raise KeyboardInterrupt


def _exit_with_parent() -> None:
    """Exit this worker process as soon as the process that started it has died."""
    import multiprocessing
    import threading

    parent = multiprocessing.parent_process()
    if parent is None:  # pragma: no cover - not a multiprocessing child
        return

    def watch() -> None:
        parent.join()  # returns when the parent has exited
        os._exit(1)

    threading.Thread(target=watch, name="autometa-parent-watch", daemon=True).start()


def _run_processes(run: _Run, storage: BaseStorage, study: optuna.Study, *, n_jobs: int,
                   remaining: int | None, callbacks: list[Any]) -> None:
    """Run ``n_jobs`` worker processes on the shared study.

    Trials finished by the workers are replayed to ``callbacks`` in this process.
    """
    from concurrent.futures import ProcessPoolExecutor, wait
    from concurrent.futures.process import BrokenProcessPool
    from multiprocessing import get_context

    seeds = np.random.SeedSequence(run.seed).generate_state(n_jobs)
    seen = {t.number for t in study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,
                                                                         TrialState.FAIL))}
    pool = ProcessPoolExecutor(n_jobs, mp_context=get_context("spawn"),
                               initializer=_worker_signals)
    futures: list[Any] = []
    try:
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
    except BaseException:
        # a SIGINT to this process alone (a notebook's "interrupt kernel", kill -INT)
        # reaches no worker, and leaving the pool would wait for them to finish the study
        _stop_workers(pool, futures)
        raise
    pool.shutdown(wait=True)
    for future in futures:
        try:
            future.result()
        except BrokenProcessPool as error:
            raise InvalidInputError(
                "a tuning worker process died before finishing (killed, out of memory, "
                "or started from a script without `if __name__ == \"__main__\":`, "
                "which n_jobs > 1 needs: workers are started by re-importing the "
                "script); with a storage, the study keeps every finished trial: run "
                "tune again on it to resume") from error


def _stop_workers(pool: Any, futures: list[Any]) -> None:
    """Interrupt the workers' trials and wait for them to stop; kill the ones that do not.

    Each worker gets a SIGINT (one it acts on once: a Ctrl-C in the terminal has reached
    it already), which marks its running trial and queues it again, as in a single
    process.  Workers still alive after :data:`STOP_GRACE` seconds, or at a second Ctrl-C,
    are killed (their running trials are recovered by the next :func:`tune` on the study).
    """
    from concurrent.futures import wait

    processes = [process for process in list(getattr(pool, "_processes", {}).values())
                 if process.is_alive()]
    try:
        for process in processes:
            with contextlib.suppress(ProcessLookupError):
                os.kill(process.pid, signal.SIGINT)
        wait(futures, timeout=STOP_GRACE)
    except KeyboardInterrupt:  # a second Ctrl-C: stop waiting
        pass
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
        deadline = time.monotonic() + 2.0
        for process in processes:
            process.join(timeout=max(0.0, deadline - time.monotonic()))
            if process.is_alive():
                process.kill()
                process.join(timeout=5.0)


def _result(study: optuna.Study, data: _CrossValidation, *, refit: bool,
            report: pd.DataFrame | None, elapsed: float, sampler: str, cost_weight: float,
            interrupted: list[int], notes: list[str]) -> TuneResult:
    complete = study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
    if not complete:
        errors = [t.user_attrs.get("error") for t in _evaluated(study)]
        raise InvalidInputError(f"no trial of study {study.study_name!r} completed; errors: "
                                f"{errors[:3]}")
    best = study.best_trial
    config = params_to_configuration(best.params)
    pipeline = data.refit(config) if refit else None
    queued = {t.user_attrs.get("retry_of") for t in study.get_trials(
        deepcopy=False, states=(TrialState.WAITING,))}
    stopped = [t.number for t in study.get_trials(deepcopy=False, states=(TrialState.FAIL,))
               if STOPPED_ATTR in t.user_attrs and t.number in queued]
    if stopped:
        resumable = not isinstance(study._storage, optuna.storages.InMemoryStorage)
        one = len(stopped) == 1
        which = f"trial {stopped[0]} was" if one else \
            f"trials {', '.join(map(str, stopped))} were"
        queued = "it is queued and runs" if one else "they are queued and run"
        notes = [*notes, f"{which} stopped by the timeout before finishing (no result)" + (
            f": {queued} first when the study is resumed (the same storage and study name)"
            if resumable else "")]
    fold_scores = list(best.user_attrs.get("fold_scores", []))
    defined = sum(math.isfinite(score) for score in fold_scores)
    if defined < len(fold_scores):
        notes = [*notes, f"the best score is the mean over {defined} of {len(fold_scores)} "
                 f"folds: {data.metric} is undefined on the others (e.g. AUC on validation "
                 "rows of a single class), so it rests on fewer rows than it seems"]
    return TuneResult(pipeline=pipeline, best_score=float(best.value),
                      best_params=dict(best.params), configuration=config,
                      fold_scores=fold_scores,
                      metric=data.metric, task=data.task, study=study, warm_start=report,
                      elapsed=elapsed, sampler=sampler, cost_weight=cost_weight,
                      interrupted=interrupted, notes=notes)
