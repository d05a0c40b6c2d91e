"""A resumable, deterministic evaluation campaign of the portfolio on a corpus."""

from __future__ import annotations

import json
import os
import platform
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import joblib
import pandas as pd

from knowledge_base._store import KnowledgeBase
from knowledge_base.campaign._corpus import Corpus, DatasetSpec
from knowledge_base.campaign._evaluation import EvaluationTask, evaluate_task
from knowledge_base.portfolio import (
    Configuration,
    algorithm_names,
    default_configuration,
    get_algorithm,
    sample_configurations,
)

__all__ = ["Campaign", "CampaignSettings", "CampaignSettingsMismatch"]

SETTINGS_FILE = "campaign.json"


class CampaignSettingsMismatch(ValueError):
    """A campaign folder was resumed with settings other than those it was started with."""


@dataclass(frozen=True)
class CampaignSettings:
    """What a campaign evaluates, fixed when the campaign starts.

    Parameters
    ----------
    n_configs : int
        Sampled configurations per algorithm and task type, besides the defaults.  The
        same configurations are evaluated on every dataset of a task type, so that the
        knowledge base is a full dataset x configuration matrix.
    n_folds : int
        K of the K-fold cross-validation (stratified for classification).
    max_rows : int or None
        Datasets with more rows are subsampled (seeded, stratified) to this many rows.
    time_limit : float or None
        Seconds one fit may take; a slower fit is recorded as a timeout.
    seed : int
        Seeds configuration sampling, subsampling, folds and models.
    algorithms : tuple of str
        Portfolio algorithms to evaluate (default: all).
    """

    n_configs: int = 24
    n_folds: int = 3
    max_rows: int | None = 2000
    time_limit: float | None = 60.0
    seed: int = 0
    algorithms: tuple[str, ...] = field(default_factory=lambda: tuple(algorithm_names()))

    def __post_init__(self) -> None:
        for name in self.algorithms:
            get_algorithm(name)
        if self.n_configs < 0 or self.n_folds < 2:
            raise ValueError("n_configs must be >= 0 and n_folds >= 2")
        if self.max_rows is not None and self.max_rows < self.n_folds:
            raise ValueError(f"max_rows must be at least n_folds ({self.n_folds}) or None "
                             f"(no cap), got {self.max_rows}")
        if self.time_limit is not None and not self.time_limit > 0:
            raise ValueError(f"time_limit must be a positive number of seconds or None (no "
                             f"limit), got {self.time_limit}")

    def configurations(self, task_type: str) -> list[Configuration]:
        """Defaults first, then the sampled configurations, for every algorithm."""
        configs = []
        for name in self.algorithms:
            configs.append(default_configuration(name, task_type))
            configs.extend(sample_configurations(name, task_type, self.n_configs,
                                                 seed=self.seed))
        return configs

    def to_json(self) -> dict[str, Any]:
        """Plain-JSON form, as stored in ``campaign.json``."""
        data = asdict(self)
        data["algorithms"] = list(self.algorithms)
        return data


class Campaign:
    """Evaluate the portfolio on every dataset of a corpus; resumable and chunked.

    Results are appended to a journal (one JSON line per fold record, flushed as each
    configuration finishes), so a killed campaign loses nothing already measured;
    :meth:`compact` folds journals into Parquet parts.  Running again skips every
    (dataset, configuration) already recorded.  Results do not depend on ``n_jobs`` or
    on the scheduler, only on the settings (timings aside).

    Parameters
    ----------
    directory : str or Path
        Where results live (created if needed).
    corpus : Corpus
        The datasets.
    settings : CampaignSettings, optional
        Required for a new campaign; for an existing one they must equal the stored ones
        (default: the stored ones).
    """

    def __init__(self, directory: str | Path, corpus: Corpus,
                 settings: CampaignSettings | None = None) -> None:
        self.directory = Path(directory)
        self.corpus = corpus
        stored = self._stored_settings()
        if stored is None:
            self.settings = settings or CampaignSettings()
        elif settings is not None and settings != stored:
            raise CampaignSettingsMismatch(
                f"{self.directory} was started with {stored.to_json()}; "
                f"cannot resume it with {settings.to_json()}")
        else:
            self.settings = stored

    # ------------------------------------------------------------ state
    def _stored_settings(self) -> CampaignSettings | None:
        file = self.directory / SETTINGS_FILE
        if not file.is_file():
            return None
        data = json.loads(file.read_text())["settings"]
        data["algorithms"] = tuple(data["algorithms"])
        return CampaignSettings(**data)

    def _write_settings(self) -> None:
        file = self.directory / SETTINGS_FILE
        if file.is_file():
            return
        self.directory.mkdir(parents=True, exist_ok=True)
        info = {"settings": self.settings.to_json(),
                "corpus_index": self.corpus.index.name,
                "started": datetime.now(UTC).isoformat(timespec="seconds"),
                "versions": _versions()}
        file.write_text(json.dumps(info, indent=2) + "\n")

    def records(self) -> pd.DataFrame:
        """Every fold record measured so far (Parquet parts and journals), deduplicated."""
        frames = [pd.read_parquet(part) for part in sorted(self._parts())]
        rows = [row for journal in sorted(self._journals()) for row in _read_journal(journal)]
        if rows:
            frames.append(pd.DataFrame(rows))
        if not frames:
            return pd.DataFrame(columns=["dataset_id", "config_id", "fold", "status"])
        table = pd.concat(frames, ignore_index=True)
        # parts and journals are read in the order they were written: a re-measurement
        # (see ``retry_errors``) supersedes the record it retried
        table = table.drop_duplicates(["dataset_id", "config_id", "fold"], keep="last")
        return table.reset_index(drop=True)

    def done(self, *, retry_errors: bool = False) -> set[tuple[str, str]]:
        """(dataset_id, config_id) pairs whose folds are all recorded.

        With ``retry_errors``, pairs with a fold that ended in an error are not done (to
        measure them again after a fix); timeouts stay done.
        """
        table = self.records()
        if table.empty:
            return set()
        if retry_errors:
            failed = table.groupby(["dataset_id", "config_id"])["status"].transform(
                lambda status: (status == "error").any())
            table = table[~failed.astype(bool)]
        counts = table.groupby(["dataset_id", "config_id"]).size()
        complete = counts[counts >= self.settings.n_folds].index
        return {(str(d), str(c)) for d, c in complete}

    def plan(self, dataset_ids: Iterable[str] | None = None) -> list[EvaluationTask]:
        """Every task of the campaign, in round order.

        All defaults first, then the first sampled configuration of every algorithm on
        every dataset, and so on.

        So a partly run campaign is a balanced matrix: every dataset has the same
        configurations measured, give or take one round.
        """
        specs = self.corpus.select(list(dataset_ids) if dataset_ids is not None else None)
        per_task = {task: self.settings.configurations(task)
                    for task in {spec.task_type for spec in specs}}
        n_rounds = self.settings.n_configs + 1
        tasks = []
        for round_ in range(n_rounds):
            for spec in specs:
                configs = per_task[spec.task_type]
                for position in range(len(self.settings.algorithms)):
                    config = configs[position * n_rounds + round_]
                    tasks.append(self._task(spec, config))
        return tasks

    def _task(self, spec: DatasetSpec, config: Configuration) -> EvaluationTask:
        s = self.settings
        return EvaluationTask(dataset_id=spec.dataset_id, path=str(spec.path),
                              target=spec.target, task_type=spec.task_type, config=config,
                              n_folds=s.n_folds, max_rows=s.max_rows,
                              time_limit=s.time_limit, seed=s.seed)

    def pending(self, dataset_ids: Iterable[str] | None = None, *,
                retry_errors: bool = False) -> list[EvaluationTask]:
        """Tasks of :meth:`plan` not yet recorded (see :meth:`done`)."""
        done = self.done(retry_errors=retry_errors)
        return [task for task in self.plan(dataset_ids)
                if (task.dataset_id, task.config.config_id) not in done]

    # ------------------------------------------------------------ running
    def run(self, *, n_jobs: int = 1, scheduler: str | Any | None = None,
            dataset_ids: Iterable[str] | None = None, max_tasks: int | None = None,
            time_budget: float | None = None, retry_errors: bool = False,
            on_result: Callable[[int, int], None] | None = None) -> dict[str, int]:
        """Evaluate pending tasks and journal every result as it arrives.

        Parameters
        ----------
        n_jobs : int
            Local worker processes (joblib/loky); ``-1`` for all cores.
        scheduler : str or distributed.Client, optional
            Address of a Dask scheduler (or a client) to run the tasks on instead.
        dataset_ids : iterable of str, optional
            Restrict to these datasets.
        max_tasks : int, optional
            Stop after this many tasks (a chunk).
        time_budget : float, optional
            Submit no new task after this many seconds (running ones finish).
        retry_errors : bool
            Measure again the tasks that ended in an error (after a fix); the new records
            supersede the old ones.
        on_result : callable, optional
            Called as ``on_result(done, total)`` after each task (progress bars).

        Returns
        -------
        dict
            ``{"completed": ..., "pending_before": ..., "records": ...}``.
        """
        self._write_settings()
        tasks = self.pending(dataset_ids, retry_errors=retry_errors)
        pending_before = len(tasks)
        if max_tasks is not None:
            tasks = tasks[:max_tasks]
        journal = self.directory / "journal" / (
            f"{datetime.now(UTC).strftime('%Y%m%dT%H%M%S')}-{os.getpid()}.jsonl")
        journal.parent.mkdir(parents=True, exist_ok=True)
        deadline = None if time_budget is None else time.monotonic() + time_budget
        completed = 0
        n_records = 0
        results = (self._run_dask(tasks, scheduler, deadline) if scheduler is not None
                   else self._run_local(tasks, n_jobs, deadline))
        with journal.open("a") as handle:
            for records in results:
                for record in records:
                    handle.write(json.dumps(record, default=_json_default) + "\n")
                handle.flush()
                os.fsync(handle.fileno())
                completed += 1
                n_records += len(records)
                if on_result is not None:
                    on_result(completed, len(tasks))
        if journal.stat().st_size == 0:
            journal.unlink()
        return {"completed": completed, "pending_before": pending_before, "records": n_records}

    def _run_local(self, tasks: list[EvaluationTask], n_jobs: int,
                   deadline: float | None) -> Iterator[list[dict[str, Any]]]:
        if n_jobs == 1:
            for task in tasks:
                if deadline is not None and time.monotonic() > deadline:
                    return
                yield evaluate_task(task)
            return

        def submitted() -> Iterator[Any]:
            # consumed lazily (``pre_dispatch``): a new task is submitted when a worker
            # frees up, so no worker idles at chunk boundaries, and none after the deadline
            for task in tasks:
                if deadline is not None and time.monotonic() > deadline:
                    return
                yield joblib.delayed(evaluate_task)(task)

        parallel = joblib.Parallel(n_jobs=n_jobs, return_as="generator_unordered",
                                   batch_size=1, pre_dispatch="n_jobs + 1")
        yield from parallel(submitted())

    def _run_dask(self, tasks: list[EvaluationTask], scheduler: str | Any,
                  deadline: float | None) -> Iterator[list[dict[str, Any]]]:
        from distributed import Client, as_completed

        try:
            client = scheduler if isinstance(scheduler, Client) else Client(scheduler)
        except OSError as error:  # distributed's "Timed out trying to connect"
            raise ConnectionError(f"cannot reach the Dask scheduler at {scheduler}: "
                                  f"{error}") from error
        try:
            window = max(4, 4 * sum(client.nthreads().values()))
            queue = iter(tasks)
            futures = as_completed([client.submit(evaluate_task, task, pure=False)
                                    for task in _take(queue, window)])
            for future in futures:
                yield future.result()
                if deadline is None or time.monotonic() <= deadline:
                    for task in _take(queue, 1):
                        futures.add(client.submit(evaluate_task, task, pure=False))
        finally:
            if client is not scheduler:
                client.close()

    # ------------------------------------------------------------ results
    def compact(self) -> Path | None:
        """Fold all journals into one new Parquet part; returns the part written."""
        journals = sorted(self._journals())
        rows = [row for journal in journals for row in _read_journal(journal)]
        if not rows:
            for journal in journals:
                journal.unlink()
            return None
        parts = self.directory / "evaluations"
        parts.mkdir(parents=True, exist_ok=True)
        index = len(list(self._parts()))
        part = parts / f"part-{index:04d}.parquet"
        table = pd.DataFrame(rows).drop_duplicates(["dataset_id", "config_id", "fold"])
        tmp = part.with_suffix(".tmp")
        table.to_parquet(tmp, index=False, compression="zstd", compression_level=19)
        tmp.rename(part)
        for journal in journals:
            journal.unlink()
        return part

    def _parts(self) -> Iterator[Path]:
        return (self.directory / "evaluations").glob("part-*.parquet")

    def _journals(self) -> Iterator[Path]:
        return (self.directory / "journal").glob("*.jsonl")

    def datasets_table(self) -> pd.DataFrame:
        """The ``datasets`` table of the corpus."""
        return pd.DataFrame([{
            "dataset_id": spec.dataset_id, "name": spec.name, "source": spec.source,
            "task_type": spec.task_type, "family": spec.family,
            "openml_did": spec.openml_did, "n_rows": spec.n_rows,
            "n_features": spec.n_features, "n_classes": spec.n_classes,
        } for spec in self.corpus])

    def configurations_table(self) -> pd.DataFrame:
        """The ``configurations`` table: every configuration the campaign evaluates."""
        rows = {}
        for task_type in ("classification", "regression"):
            for config in self.settings.configurations(task_type):
                rows[config.config_id] = {"config_id": config.config_id,
                                          "algorithm": config.algorithm,
                                          "params": json.dumps(config.params, sort_keys=True),
                                          "origin": "campaign"}
        return pd.DataFrame(list(rows.values()))

    def to_knowledge_base(self, *, metafeatures: pd.DataFrame | None = None,
                          source: str = "campaign") -> KnowledgeBase:
        """The campaign's results as a :class:`KnowledgeBase`.

        Parameters
        ----------
        metafeatures : DataFrame, optional
            Long table ``(dataset_id, name, value)``; see
            :func:`knowledge_base.campaign.compute_metafeatures`.
        source : str
            Value of the ``source`` column of the evaluations.
        """
        records = self.records()
        measured = set(records["dataset_id"])
        datasets = self.datasets_table()
        datasets = datasets[datasets["dataset_id"].isin(measured)]
        records = records.assign(source=source)
        metafeatures = (None if metafeatures is None
                        else metafeatures[metafeatures["dataset_id"].isin(measured)])
        info = json.loads((self.directory / SETTINGS_FILE).read_text()) \
            if (self.directory / SETTINGS_FILE).is_file() else {}
        manifest = {"sources": [{"name": source, "kind": "evaluation campaign",
                                 "corpus": self.corpus.index.name,
                                 "settings": self.settings.to_json(),
                                 "started": info.get("started"),
                                 "versions": info.get("versions", _versions())}]}
        return KnowledgeBase(datasets=datasets, configurations=self.configurations_table(),
                             evaluations=records, metafeatures=metafeatures
                             if metafeatures is not None else
                             pd.DataFrame(columns=["dataset_id", "name"]), manifest=manifest)


def _take(iterator: Iterator[EvaluationTask], n: int) -> list[EvaluationTask]:
    out = []
    for _ in range(n):
        try:
            out.append(next(iterator))
        except StopIteration:
            break
    return out


def _read_journal(path: Path) -> Iterator[dict[str, Any]]:
    """Rows of a journal; a line cut short by a kill is skipped."""
    with path.open() as handle:
        for line in handle:
            try:
                yield json.loads(line)
            except json.JSONDecodeError:
                continue


def _json_default(value: Any) -> Any:
    if hasattr(value, "item"):
        return value.item()
    raise TypeError(f"cannot serialise {type(value).__name__}")


def _versions() -> dict[str, str]:
    import lightgbm
    import numpy
    import sklearn

    return {"python": platform.python_version(), "scikit-learn": sklearn.__version__,
            "lightgbm": lightgbm.__version__, "numpy": numpy.__version__,
            "pandas": pd.__version__}
