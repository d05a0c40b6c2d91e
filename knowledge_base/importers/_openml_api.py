"""The one module that talks to OpenML, through openml-python.

Everything else in :mod:`knowledge_base.importers` calls these functions; nothing else
imports ``openml``.  openml-python sends every request through ``requests.Session``, so
tests serve recorded server responses (``tests/data/openml/``) at that level and the real
openml-python parsing runs on them.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from knowledge_base.importers._base import OpenMLImportError

__all__ = ["TaskInfo", "list_evaluations_setups", "openml_session", "server", "task_info"]

#: OpenML task types this package reads, by openml-python's ``task_type`` text.
_TASK_TYPES = {"Supervised Classification": "classification",
               "Supervised Regression": "regression"}


@contextlib.contextmanager
def openml_session(*, cache_dir: str | Path | None = None,
                   retries: int | None = None) -> Iterator[None]:
    """Temporarily point openml-python at a cache folder and a number of retries.

    Errors of openml-python and of the connection are re-raised as
    :class:`OpenMLImportError` with the original message.
    """
    import openml
    import requests

    config = openml.config
    saved = (config.get_config_as_dict()["cachedir"], config.connection_n_retries)
    try:
        if cache_dir is not None:
            Path(cache_dir).mkdir(parents=True, exist_ok=True)
            config.set_root_cache_directory(Path(cache_dir))
        if retries is not None:
            config.connection_n_retries = max(1, int(retries))
        yield
    except openml.exceptions.PyOpenMLError as error:
        raise OpenMLImportError(f"OpenML answered with an error: {error}") from error
    except requests.exceptions.RequestException as error:
        raise OpenMLImportError(f"cannot reach OpenML ({config.server}): {error}") from error
    finally:
        config.set_root_cache_directory(saved[0])
        config.connection_n_retries = saved[1]


def list_evaluations_setups(function: str, *, flow: int, tasks: Sequence[int] | None = None,
                            size: int | None = None) -> pd.DataFrame:
    """Runs of one flow with one evaluation measure and their hyperparameters.

    A thin wrapper of ``openml.evaluations.list_evaluations_setups`` with
    ``parameters_in_separate_columns=True``: one row per run (``run_id``, ``task_id``,
    ``setup_id``, ``flow_id``, ``data_id``, ``data_name``, ``value``, ...) and one column per
    setup parameter, named by its OpenML full name (values are JSON text).
    """
    import openml

    try:
        frame = openml.evaluations.list_evaluations_setups(
            function=function, flows=[int(flow)],
            tasks=None if tasks is None else [int(task) for task in tasks], size=size,
            output_format="dataframe", parameters_in_separate_columns=True)
    except KeyError as error:
        # openml-python 0.15 fails with KeyError('parameters') when it spreads the
        # parameters of an empty listing into columns: no runs is not an error here.
        if "parameters" not in str(error):
            raise
        return pd.DataFrame()
    return frame if isinstance(frame, pd.DataFrame) else pd.DataFrame(frame)


def server() -> str:
    """The OpenML server openml-python is configured to use."""
    import openml

    return str(openml.config.server)


class TaskInfo(dict):
    """What the importer needs of one OpenML task (a plain ``dict``).

    Keys: ``task_id``, ``task_type`` (``"classification"``, ``"regression"`` or the
    OpenML text for other types), ``openml_did``, ``name`` (of the dataset), ``target``,
    ``qualities`` (OpenML quality name -> float; ``NaN`` when undefined).
    """


def task_info(task_id: int) -> TaskInfo:
    """Download a task's description, its dataset's description and its qualities.

    Uses ``openml.tasks.get_task(task_id, download_data=False, download_qualities=True,
    download_features_meta_data=True)`` (no data file is downloaded).
    """
    import openml

    task = openml.tasks.get_task(int(task_id), download_splits=False, download_data=False,
                                 download_qualities=True, download_features_meta_data=True)
    dataset = task.get_dataset(download_data=False, download_qualities=True)
    qualities: dict[str, Any] = dict(dataset.qualities or {})
    task_type = getattr(task, "task_type", "")
    return TaskInfo(task_id=int(task.task_id), task_type=_TASK_TYPES.get(task_type, task_type),
                    openml_did=int(task.dataset_id), name=str(dataset.name),
                    target=getattr(task, "target_name", None),
                    qualities={str(k): float(v) for k, v in qualities.items()})
