"""Opening the Optuna storage of a study: a URL, an SQLite or journal file, or an object."""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import Any

import optuna
from optuna.storages import BaseStorage

from autometa._exceptions import InvalidInputError

__all__ = ["SQLITE_SUFFIXES", "make_storage", "storage_url"]

#: File suffixes that make a storage path an SQLite database instead of a journal file.
SQLITE_SUFFIXES = (".db", ".sqlite", ".sqlite3")


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

