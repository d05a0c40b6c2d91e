"""Opening the Optuna storage of a study: a URL, an SQLite or journal file, or an object."""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import Any

import optuna
from optuna.storages import BaseStorage

from autometa._exceptions import InvalidInputError

__all__ = ["SQLITE_SUFFIXES", "SerialisedSQLiteStorage", "make_storage", "storage_url"]

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
        return _rdb_storage(text, heartbeat_interval)
    from optuna.storages.journal import JournalFileBackend, JournalStorage

    path = Path(text)
    _check_journal(path)
    _make_folder(path, text)
    return JournalStorage(JournalFileBackend(str(path)))


def _make_folder(path: Path, shown: str) -> None:
    """Create the folder of a storage file, or say why it cannot be."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise InvalidInputError(f"cannot open storage {shown!r}: cannot create its folder "
                                f"({error.strerror or error})") from error


def _check_journal(path: Path) -> None:
    """Refuse a path that is not, and cannot become, an Optuna journal file.

    Optuna appends to any file: a CSV or a log given by mistake would be written to, then
    fail to parse.  An existing, non-empty file must start with a journal record.
    """
    if path.is_dir():
        raise InvalidInputError(f"storage {str(path)!r} is a folder; give a journal file "
                                "(e.g. tune.log) or a database URL")
    if not path.is_file() or path.stat().st_size == 0:
        return
    import json

    try:
        with path.open("rb") as handle:
            first = json.loads(handle.readline())
        is_journal = isinstance(first, dict) and "op_code" in first
    except (OSError, ValueError):
        is_journal = False
    if not is_journal:
        raise InvalidInputError(
            f"storage {str(path)!r} exists and is not an Optuna journal file (its first line "
            "is not a journal record); it was left unchanged: give a new file name, an "
            "existing study's journal, or a database URL")


def _sqlite_file(url: str) -> Path | None:
    """The file of an SQLite URL (its folder created); refuse an in-memory database."""
    from sqlalchemy.engine import make_url

    try:
        database = make_url(url).database
    except Exception:  # noqa: BLE001 - SQLAlchemy reports a malformed URL itself later
        return None
    if not database or database == ":memory:" or database.startswith("file::memory:"):
        raise InvalidInputError(
            f"storage {url!r} is an in-memory SQLite database, which lives and dies with "
            "one connection: leave the storage out for a study in memory, or give a file "
            "(sqlite:///tune.db) to keep it")
    path = Path(database)
    if path.is_dir():
        raise InvalidInputError(f"storage {url!r} names a folder, not a database file")
    _make_folder(path, url)
    return path


def _rdb_storage(url: str, heartbeat_interval: int) -> optuna.storages.RDBStorage:
    """Optuna's RDB storage on ``url``, with errors that say what to install or check."""
    import sqlalchemy.exc

    shown = _without_password(url)
    kwargs: dict[str, Any] = {}
    storage_class = optuna.storages.RDBStorage
    if url.startswith("sqlite"):
        _sqlite_file(url)
        kwargs["engine_kwargs"] = {"connect_args": {"timeout": 60}}
        storage_class = SerialisedSQLiteStorage
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", optuna.exceptions.ExperimentalWarning)
        from optuna.storages import RetryHeartbeatStaleTrialCallback

        try:
            return storage_class(
                url, heartbeat_interval=heartbeat_interval,
                grace_period=4 * heartbeat_interval,
                heartbeat_stale_trial_callback=RetryHeartbeatStaleTrialCallback(max_retry=1),
                **kwargs)
        except ImportError as error:
            raise InvalidInputError(
                f"cannot open storage {shown!r}: the database driver it needs is not "
                f"installed ({error}); for PostgreSQL: pip install 'autometa[postgres]'"
            ) from error
        except sqlalchemy.exc.NoSuchModuleError as error:
            raise InvalidInputError(f"cannot open storage {shown!r}: unknown database type "
                                    f"({error})") from error
        except sqlalchemy.exc.SQLAlchemyError as error:
            reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
            raise InvalidInputError(f"cannot open storage {shown!r}: {reason}") from error


def _without_password(url: str) -> str:
    """``url`` with its password masked (``***``), for messages."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # not a URL SQLAlchemy can parse: nothing it would reveal either
        return url


#: PostgreSQL drivers SQLAlchemy can use, by preference (SQLAlchemy 2.1 takes psycopg for a
#: bare ``postgresql://``, 2.0 psycopg2).
POSTGRES_DRIVERS = ("psycopg", "psycopg2")


def _with_installed_driver(url: str) -> str:
    """``postgresql://...`` with the PostgreSQL driver that is installed named in it.

    A bare ``postgresql://`` makes SQLAlchemy import its version's default driver, which
    may not be the one installed; ``postgres://`` (Heroku's spelling, which SQLAlchemy
    refuses) is read as ``postgresql://``; other URLs are returned unchanged.
    """
    if url.startswith("postgres://"):
        url = "postgresql://" + url.removeprefix("postgres://")
    if not url.startswith("postgresql://"):
        return url
    import importlib.util

    for driver in POSTGRES_DRIVERS:
        if importlib.util.find_spec(driver) is not None:
            return url.replace("postgresql://", f"postgresql+{driver}://", 1)
    return url


class SerialisedSQLiteStorage(optuna.storages.RDBStorage):
    """Optuna's RDB storage on SQLite, safe for several worker processes.

    Python's ``sqlite3`` starts a transaction only at the first write, so the read that
    checks a trial's state and the write that changes it are not atomic: two workers can
    both take the same enqueued (``WAITING``) trial, run it twice, and the second one
    fails with ``UpdateFinishedTrialError`` (optuna issues #4002, #4621; SQLite has no
    ``SELECT ... FOR UPDATE``).  Here every transaction begins with ``BEGIN IMMEDIATE``,
    which takes SQLite's write lock at once (SQLAlchemy's documented pysqlite recipe), so
    check and change happen under one lock.  The setting survives pickling (worker
    processes receive the storage pickled).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _begin_immediate(self.engine)

    def __setstate__(self, state: dict[Any, Any]) -> None:
        super().__setstate__(state)
        _begin_immediate(self.engine)


def _begin_immediate(engine: Any) -> None:
    """Make every transaction of a pysqlite engine begin with ``BEGIN IMMEDIATE``."""
    from sqlalchemy import event

    def no_implicit_begin(dbapi_connection: Any, connection_record: Any) -> None:
        dbapi_connection.isolation_level = None  # sqlite3 emits no BEGIN of its own

    def begin_immediate(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    event.listen(engine, "connect", no_implicit_begin)
    event.listen(engine, "begin", begin_immediate)
    engine.dispose()  # connections opened before the listeners are replaced


def storage_url(storage: str | os.PathLike) -> str:
    """The storage as Optuna and optuna-dashboard name it: a URL, or a journal file path.

    A path ending in ``.db``, ``.sqlite`` or ``.sqlite3``, or naming an existing SQLite
    file, becomes ``"sqlite:///<path>"`` (writing a journal into a SQLite file would
    corrupt it); a bare ``postgresql://`` URL names the PostgreSQL driver installed.
    """
    text = os.fspath(storage)
    if "://" in text:
        return _with_installed_driver(text)
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

