"""Several processes tune one study through a shared storage; a killed tune resumes.

Real processes (``subprocess``) and real storages: Optuna's journal file, SQLite, and
PostgreSQL (``-m postgres``; needs ``AUTOMETA_TEST_POSTGRES_URL``, which ``.ci/postgres.sh``
exports after starting a local server).  Trials fit linear models and k-NN on 120 rows, made a
little slower so that the workers overlap.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
import uuid
from collections import Counter

import optuna
import pandas as pd
import pytest
from optuna.trial import TrialState

import autometa
from autometa import _storage
from autometa._sampler import PROPOSAL_ATTR
from autometa._testing import make_table, synthetic_knowledge_base

optuna.logging.set_verbosity(optuna.logging.WARNING)
CHEAP = ["linear", "knn"]
POSTGRES_URL = os.environ.get("AUTOMETA_TEST_POSTGRES_URL")

# A worker: tunes the shared study and prints the numbers of the trials it evaluated.
WORKER = textwrap.dedent("""
    import json, sys, time
    import optuna
    import pandas as pd
    from autometa import _tune
    from autometa._testing import make_table

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    storage, study_name, n_trials, delay = sys.argv[1], sys.argv[2], int(sys.argv[3]), \\
        float(sys.argv[4])
    original = _tune._CrossValidation.evaluate

    def slow(self, config, **kwargs):  # a little work per trial: the workers overlap
        time.sleep(delay)
        return original(self, config, **kwargs)

    _tune._CrossValidation.evaluate = slow
    X, y = make_table(120, 4, task="classification", seed=5)
    rec = pd.DataFrame({"algorithm": ["linear", "knn", "linear", "knn"],
                        "params": [{"C": 0.1}, {"n_neighbors": 7}, {"C": 10.0},
                                   {"n_neighbors": 20}]})
    mine = []
    result = _tune.tune(X.assign(target=y), "target", n_trials=n_trials, cv=3,
                        algorithms=["linear", "knn"], storage=storage,
                        study_name=study_name, recommendation=rec, refit=False,
                        callbacks=[lambda study, trial: mine.append(trial.number)])
    print(json.dumps({"trials": mine}))
""")


def start_workers(tmp_path, storage: str, study_name: str, n_workers: int, n_trials: int,
                  delay: float) -> list[subprocess.Popen]:
    script = tmp_path / "worker.py"
    script.write_text(WORKER)
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    return [subprocess.Popen([sys.executable, str(script), storage, study_name,
                              str(n_trials), str(delay)], stdout=subprocess.PIPE, env=env,
                             text=True) for _ in range(n_workers)]


def check_shared_study(storage: str, study_name: str, workers: list[subprocess.Popen],
                       n_trials: int) -> None:
    reported = []
    for process in workers:
        out, _ = process.communicate(timeout=300)
        assert process.returncode == 0, out
        reported.append(json.loads(out.strip().splitlines()[-1])["trials"])
    study = optuna.load_study(study_name=study_name, storage=_storage.make_storage(storage))
    trials = study.get_trials(deepcopy=False)
    numbers = [t.number for t in trials]
    # unique, contiguous numbers: no trial written twice, none missing
    assert sorted(numbers) == list(range(len(trials)))
    assert len({t._trial_id for t in trials}) == len(trials)
    finished = {t.number for t in trials if t.state in (TrialState.COMPLETE, TrialState.FAIL)}
    assert all(t.state == TrialState.COMPLETE for t in trials), Counter(
        t.state.name for t in trials)
    # every trial a worker evaluated is in the storage, and no two workers ran the same one
    flat = [number for mine in reported for number in mine]
    assert len(flat) == len(set(flat)), "a trial was evaluated by two workers"
    assert set(flat) == finished, "a trial is lost (or was evaluated by nobody)"
    # the budget: each worker stops once the study has n_trials; at most one extra each
    assert n_trials <= len(finished) <= n_trials + len(workers) - 1
    assert sum(1 for mine in reported if mine) >= 2, f"workers did not overlap: {reported}"
    # the warm start was enqueued once (by the process that created the study)
    warm = [t for t in trials if t.user_attrs.get("source") == "warm_start"]
    assert sorted(t.user_attrs["rank"] for t in warm) == [1, 2, 3, 4]
    hosts = {(t.user_attrs["worker"]["host"], t.user_attrs["worker"]["pid"]) for t in trials}
    assert len(hosts) == sum(1 for mine in reported if mine)


@pytest.mark.parametrize("backend", ["journal", "sqlite"])
def test_workers_share_a_local_study(tmp_path, backend):
    storage = (str(tmp_path / "study.log") if backend == "journal"
               else f"sqlite:///{tmp_path / 'study.db'}")
    if backend == "sqlite":  # create the schema once, as a user would before scaling out
        optuna.storages.RDBStorage(storage)
    n_trials = 9
    workers = start_workers(tmp_path, storage, "shared", 3, n_trials, delay=0.3)
    check_shared_study(storage, "shared", workers, n_trials)


POPPER = textwrap.dedent("""
    import json, sys
    import optuna
    from autometa._storage import make_storage

    optuna.logging.set_verbosity(optuna.logging.ERROR)
    study = optuna.load_study(study_name="queue", storage=make_storage(sys.argv[1]))
    ran, errors = [], []
    for _ in range(30):  # one trial at a time: as many queue pops as possible
        try:
            study.optimize(lambda t: (ran.append(t.number), t.suggest_float("x", 0, 1))[1],
                           n_trials=1)
        except Exception as error:
            errors.append(type(error).__name__)
    print(json.dumps({"ran": ran, "errors": errors}))
""")


def test_an_enqueued_sqlite_trial_is_taken_by_one_worker_only(tmp_path):
    # sqlite3 begins a transaction only at the first write: two workers could both read
    # a WAITING trial and both take it (Optuna's RDBStorage: 27 errors and 44 trials run
    # twice in 3 such runs); make_storage's SQLite storage begins with BEGIN IMMEDIATE
    url = f"sqlite:///{tmp_path / 'queue.db'}"
    study = optuna.create_study(study_name="queue", storage=_storage.make_storage(url))
    for i in range(80):
        study.enqueue_trial({"x": i / 80})
    script = tmp_path / "popper.py"
    script.write_text(POPPER)
    workers = [subprocess.Popen([sys.executable, str(script), url], stdout=subprocess.PIPE,
                                text=True) for _ in range(3)]
    reports = [json.loads(p.communicate(timeout=300)[0].strip().splitlines()[-1])
               for p in workers]
    assert [report["errors"] for report in reports] == [[], [], []]
    ran = Counter(number for report in reports for number in report["ran"])
    assert max(ran.values()) == 1, "a trial was taken by two workers"
    assert set(range(80)) <= set(ran) and len(ran) == 3 * 30  # each queued trial ran
    # pickled (as tune sends it to worker processes), it keeps the setting
    import pickle

    copy = pickle.loads(pickle.dumps(_storage.make_storage(url)))
    with copy.engine.connect() as connection:
        assert connection.connection.dbapi_connection.isolation_level is None


@pytest.mark.postgres
@pytest.mark.skipif(POSTGRES_URL is None, reason="AUTOMETA_TEST_POSTGRES_URL is not set "
                    "(run `source .ci/postgres.sh` to start a local PostgreSQL server)")
def test_workers_share_a_postgres_study(tmp_path):
    study_name = f"multiworker-{uuid.uuid4().hex[:8]}"
    _storage.make_storage(POSTGRES_URL)  # schema created once; the URL as users write it
    n_trials = 12
    workers = start_workers(tmp_path, POSTGRES_URL, study_name, 3, n_trials, delay=0.3)
    try:
        check_shared_study(POSTGRES_URL, study_name, workers, n_trials)
    finally:
        optuna.delete_study(study_name=study_name, storage=_storage.make_storage(POSTGRES_URL))


def test_tune_starts_worker_processes_itself():
    X, y = make_table(120, 4, task="classification", seed=5)
    finished = []
    result = autometa.tune(X.assign(target=y), "target", n_trials=6, cv=3, n_jobs=2,
                           algorithms=CHEAP, warm_start=False,
                           callbacks=[lambda study, trial: finished.append(trial.number)])
    trials = result.study.get_trials(deepcopy=False)
    assert 6 <= result.n_trials <= 7
    assert sorted(finished) == sorted(t.number for t in trials)
    assert len({t.user_attrs["worker"]["pid"] for t in trials}) >= 1
    assert all(t.user_attrs["worker"]["pid"] != os.getpid() for t in trials)
    assert isinstance(result.study._storage, optuna.storages.InMemoryStorage)
    assert result.pipeline is not None


def test_worker_processes_share_the_meta_learned_sampler(tmp_path, monkeypatch):
    # the default warm start: every worker builds the sampler with the meta-model's prior
    monkeypatch.setenv("AUTOMETA_CACHE_DIR", str(tmp_path / "cache"))
    X, y = make_table(120, 4, task="classification", seed=5)
    kb = synthetic_knowledge_base(n_classification=4, n_regression=0)
    result = autometa.tune(X.assign(target=y), "target", n_trials=6, cv=3, n_jobs=2,
                           algorithms=CHEAP, kb=kb, refit=False)
    trials = result.study.get_trials(deepcopy=False)
    assert result.sampler == "meta" and 6 <= result.n_trials <= 7
    assert all(t.state == TrialState.COMPLETE for t in trials)
    assert all(PROPOSAL_ATTR in t.system_attrs for t in trials)  # proposed, not enqueued
    # no point evaluated twice, not even by the two workers' simultaneous first trials
    assert len({json.dumps(t.params, sort_keys=True) for t in trials}) == len(trials)


def test_a_sampler_object_is_reseeded_in_each_worker():
    # every worker got the same pickled sampler: trials 0/1, 2/3, ... were identical pairs
    # (a linear model's C is continuous: two workers' proposals coincide only if they were
    # seeded alike; kNN's few discrete values coincided by chance in a 9th trial)
    X, y = make_table(120, 4, task="classification", seed=5)
    result = autometa.tune(X.assign(target=y), "target", n_trials=8, cv=3, n_jobs=2,
                           algorithms=["linear"], warm_start=False, refit=False,
                           sampler=optuna.samplers.RandomSampler(seed=1))
    trials = result.study.get_trials(deepcopy=False)
    assert len({json.dumps(t.params, sort_keys=True) for t in trials}) == len(trials)


def test_worker_processes_cannot_share_an_in_memory_storage():
    X, y = make_table(60, 3, task="classification", seed=5)
    with pytest.raises(autometa.InvalidInputError, match="cannot share an in-memory storage"):
        autometa.tune(X.assign(target=y), "target", n_trials=4, n_jobs=2, algorithms=CHEAP,
                      storage=optuna.storages.InMemoryStorage())


# tune with two worker processes on a long budget, killed from outside
PARENT = textwrap.dedent("""
    import sys
    from autometa import _tune
    from autometa._testing import make_table

    if __name__ == "__main__":
        X, y = make_table(120, 4, task="classification", seed=5)
        _tune.tune(X.assign(target=y), "target", n_trials=100_000, cv=3, n_jobs=2,
                   algorithms=["linear", "knn"], storage=sys.argv[1], study_name="orphans",
                   warm_start=False, refit=False)
""")


@contextlib.contextmanager
def tuning_parent(tmp_path, **popen):
    """``tune(n_jobs=2)`` on a 100,000-trial budget in a child process, once both of its
    workers run trials: yields (the process, its storage, the workers' pids); kills all
    of them at the end."""
    storage = str(tmp_path / "study.log")
    (tmp_path / "parent.py").write_text(PARENT)
    parent = subprocess.Popen([sys.executable, str(tmp_path / "parent.py"), storage],
                              env={**os.environ, "PYTHONWARNINGS": "ignore"}, **popen)
    opened = _storage.make_storage(storage)
    workers: set[int] = set()
    try:
        deadline = time.monotonic() + 120
        while len(workers) < 2 and time.monotonic() < deadline:
            with contextlib.suppress(KeyError):
                workers = {t.user_attrs["worker"]["pid"] for t in optuna.load_study(
                    study_name="orphans", storage=opened).get_trials(deepcopy=False)
                    if "worker" in t.user_attrs}
            time.sleep(0.2)
        assert len(workers) == 2, "the workers did not start before the deadline"
        yield parent, opened, workers
    finally:
        parent.kill()
        for pid in workers:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


def wait_until_gone(pids: set[int], seconds: float = 30) -> bool:
    from autometa._tune import _pid_alive

    deadline = time.monotonic() + seconds
    while any(_pid_alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.2)
    return not any(_pid_alive(pid) for pid in pids)


def test_worker_processes_stop_when_tune_is_killed(tmp_path):
    # they were left tuning the study to its budget, then blocked for good
    with tuning_parent(tmp_path) as (parent, _, workers):
        parent.kill()
        parent.wait(timeout=30)
        assert wait_until_gone(workers)


def test_an_interrupt_to_tune_alone_stops_its_workers_trials(tmp_path):
    # a SIGINT to the tuning process only (a notebook's "interrupt kernel", kill -INT)
    # reached no worker, and the pool waited for them to finish the study's budget
    with tuning_parent(tmp_path, stderr=subprocess.PIPE, text=True) as (
            parent, opened, workers):
        parent.send_signal(signal.SIGINT)
        _, stderr = parent.communicate(timeout=60)  # the budget is 100,000 trials
        assert "KeyboardInterrupt" in stderr
        assert wait_until_gone(workers)
        trials = optuna.load_study(study_name="orphans", storage=opened).get_trials(
            deepcopy=False)
        # the workers' running trials were stopped, marked and queued again
        assert not [t for t in trials if t.state == TrialState.RUNNING]
        interrupted = [t for t in trials if t.system_attrs.get("autometa:interrupted")]
        assert interrupted and all(t.state == TrialState.FAIL for t in interrupted)
        assert stderr.count("Traceback") == 1  # the parent's; the workers stop quietly


# ------------------------------------------------------------------ kill and resume
@pytest.mark.parametrize("backend, how", [("journal", signal.SIGKILL),
                                          ("sqlite", signal.SIGKILL),
                                          ("sqlite", signal.SIGINT)],  # Ctrl-C
                         ids=["journal-kill", "sqlite-kill", "sqlite-ctrl-c"])
def test_a_killed_tune_resumes_without_losing_trials(tmp_path, backend, how):
    storage = (str(tmp_path / "study.log") if backend == "journal"
               else f"sqlite:///{tmp_path / 'study.db'}")
    n_trials = 8
    # a second per trial: the trial is still running when this loop, slowed by a busy
    # machine, sees it and sends the signal
    [process] = start_workers(tmp_path, storage, "resume", 1, n_trials, delay=1.0)
    opened = _storage.make_storage(storage)
    deadline = time.monotonic() + 120
    completed: dict[int, float] = {}
    while time.monotonic() < deadline:
        try:
            trials = optuna.load_study(study_name="resume", storage=opened).get_trials(
                deepcopy=False)
        except KeyError:
            trials = []
        completed = {t.number: t.value for t in trials if t.state == TrialState.COMPLETE}
        # a trial inside its cross-validation (not in the middle of a storage write)
        running = [t for t in trials
                   if t.state == TrialState.RUNNING and "config_id" in t.user_attrs]
        if len(completed) >= 3 and running:
            break
        time.sleep(0.05)
    time.sleep(0.1)
    process.send_signal(how)
    process.wait(timeout=30)
    assert len(completed) >= 3, "the worker did not get far enough before the deadline"
    study = optuna.load_study(study_name="resume", storage=opened)
    before = {t.number: t.value for t in study.get_trials(deepcopy=False)
              if t.state == TrialState.COMPLETE}
    # SIGKILL leaves the trial RUNNING; after Ctrl-C Optuna marks it failed, and the
    # interrupted worker queued its configuration again before stopping
    stuck = [t.number for t in study.get_trials(deepcopy=False)
             if t.state == (TrialState.RUNNING if how == signal.SIGKILL else TrialState.FAIL)]
    assert before and len(before) < n_trials
    assert len(stuck) == 1, "the interruption should leave one unfinished trial behind"

    X, y = make_table(120, 4, task="classification", seed=5)
    rec = pd.DataFrame({"algorithm": ["linear", "knn", "linear", "knn"],
                        "params": [{"C": 0.1}, {"n_neighbors": 7}, {"C": 10.0},
                                   {"n_neighbors": 20}]})
    result = autometa.tune(X.assign(target=y), "target", n_trials=n_trials, cv=3,
                           algorithms=CHEAP, storage=storage, study_name="resume",
                           recommendation=rec)
    trials = result.study.get_trials(deepcopy=False)
    after = {t.number: t.value for t in trials if t.state == TrialState.COMPLETE}
    assert all(after[number] == value for number, value in before.items())  # nothing lost
    assert len(after) == n_trials == result.n_trials
    interrupted = [t for t in trials if t.state == TrialState.FAIL]
    assert [t.number for t in interrupted] == stuck
    if how == signal.SIGKILL:  # found dead and failed by the resuming call
        assert result.interrupted == stuck
    else:
        assert result.interrupted == [] and "error" not in interrupted[0].user_attrs
    # marked as no result, which the meta-learned sampler leaves out
    assert all(t.system_attrs.get("autometa:interrupted") for t in interrupted)
    retried = [t for t in trials if t.user_attrs.get("retry_of") in stuck]
    assert len(retried) == 1 and retried[0].state == TrialState.COMPLETE
    assert retried[0].params == interrupted[0].params or not interrupted[0].params
    # the warm-start configurations each ran exactly once, none was enqueued twice
    warm = [t for t in trials if t.user_attrs.get("source") == "warm_start"
            and t.state == TrialState.COMPLETE]
    assert len({json.dumps(t.params, sort_keys=True) for t in warm}) == len(warm) == 4
    assert result.pipeline is not None
