"""Importer of runs listed live on OpenML (through the seam :mod:`._openml_api`)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from knowledge_base._store import KnowledgeBase
from knowledge_base.importers import _openml_api as api
from knowledge_base.importers._base import RunSource, assemble, mean_duplicates
from knowledge_base.importers._ids import openml_dataset_id
from knowledge_base.importers._mapping import (
    OPENML_FUNCTIONS,
    map_openml_params,
    parameter_key,
)
from knowledge_base.portfolio import Configuration

__all__ = ["OpenMLRuns"]

#: Columns of ``list_evaluations_setups`` that are not setup parameters.
_RUN_COLUMNS = frozenset({"run_id", "task_id", "setup_id", "flow_id", "flow_name", "data_id",
                          "data_name", "function", "upload_time", "uploader",
                          "uploader_name", "value", "values", "array_data", "parameters"})

_CITATION = ("Vanschoren, van Rijn, Bischl, Torgo. OpenML: networked science in machine "
             "learning. SIGKDD Explorations 15(2), 2013. Feurer et al. OpenML-Python: an "
             "extensible Python API for OpenML. JMLR 22(100), 2021.")


def _positive_ints(values: Sequence[int] | None, what: str) -> list[int] | None:
    if values is None:
        return None
    out = []
    for value in values:
        if isinstance(value, bool) or not isinstance(value, int | np.integer) or value <= 0:
            raise ValueError(f"{what} must be positive integer OpenML ids, got {value!r}")
        out.append(int(value))
    return out


class OpenMLRuns(RunSource):
    """Runs of OpenML flows on OpenML tasks, with the tasks' data qualities.

    For each flow and evaluation function, ``openml.evaluations.list_evaluations_setups``
    lists the runs and their hyperparameters; for each task, ``openml.tasks.get_task``
    gives the task type and dataset, whose OpenML qualities become the meta-features.
    Parameters are mapped as described in :mod:`knowledge_base.importers._mapping`
    (unknown flows become ``openml_flow_<id>``).

    Parameters
    ----------
    flows : sequence of int
        OpenML flow ids.
    tasks : sequence of int, optional
        Only runs on these OpenML task ids (default: every task the flows ran on).
    functions : sequence of str
        OpenML evaluation measures; keys of
        :data:`knowledge_base.importers.OPENML_FUNCTIONS`.
    size : int, optional
        At most this many runs per flow and function.
    name : str
        Source name of the rows.
    cache_dir : str or Path, optional
        openml-python cache folder (default: openml-python's own).
    retries : int, optional
        Connection attempts per request (default: openml-python's setting).
    families : mapping, optional
        OpenML did -> family (e.g. :func:`corpus_families`); default ``openml:<did>``.

    Examples
    --------
    >>> from knowledge_base.importers import OpenMLRuns
    >>> source = OpenMLRuns(flows=[6969], tasks=[3, 6])   # no network until load()
    """

    kind = "openml-api"

    def __init__(self, *, flows: Sequence[int], tasks: Sequence[int] | None = None,
                 functions: Sequence[str] = ("predictive_accuracy", "area_under_roc_curve"),
                 size: int | None = None, name: str = "openml",
                 cache_dir: str | Path | None = None, retries: int | None = None,
                 families: Mapping[int, str] | None = None) -> None:
        self.flows = _positive_ints(flows, "flows")
        if not self.flows:
            raise ValueError("flows must name at least one OpenML flow id")
        self.tasks = _positive_ints(tasks, "tasks")
        unknown = [function for function in functions if function not in OPENML_FUNCTIONS]
        if unknown or not functions:
            raise ValueError(f"unknown OpenML evaluation functions {unknown}; known: "
                             f"{list(OPENML_FUNCTIONS)}")
        self.functions = list(functions)
        if size is not None and (not isinstance(size, int) or size <= 0):
            raise ValueError(f"size must be a positive integer or None, got {size!r}")
        self.size = size
        self.name = name
        self.cache_dir = cache_dir
        self.retries = retries
        self.families = dict(families or {})

    def _list_runs(self) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
        """One row per run: ids, ``params`` (canonical names) and one column per metric."""
        frames, queries = [], []
        for flow in self.flows:
            for function in self.functions:
                listed = api.list_evaluations_setups(function, flow=flow, tasks=self.tasks,
                                                     size=self.size)
                queries.append({"flow": flow, "function": function, "tasks": self.tasks,
                                "runs": len(listed)})
                if not len(listed):
                    continue
                params = [column for column in listed.columns if column not in _RUN_COLUMNS]
                frame = listed[["run_id", "task_id", "setup_id", "flow_id", "data_id",
                                "data_name"]].copy()
                frame["params"] = [
                    {parameter_key(str(key)): value for key, value in row.items()
                     if value is not None and not (isinstance(value, float) and np.isnan(value))}
                    for row in listed[params].to_dict("records")]
                frame["metric"] = OPENML_FUNCTIONS[function]
                frame["value"] = listed["value"].astype("float64")
                frames.append(frame)
        if not frames:
            return pd.DataFrame(columns=["run_id", "task_id", "setup_id", "flow_id", "data_id",
                                         "data_name", "params"]), queries
        long = pd.concat(frames, ignore_index=True)
        runs = long.drop_duplicates("run_id")[["run_id", "task_id", "setup_id", "flow_id",
                                               "data_id", "data_name", "params"]]
        values = long.pivot_table(index="run_id", columns="metric", values="value",
                                  aggfunc="mean")
        return runs.merge(values, left_on="run_id", right_index=True, how="left"), queries

    def load(self) -> KnowledgeBase:
        """Query OpenML and return the runs as a knowledge base.

        Raises
        ------
        OpenMLImportError
            If OpenML cannot be reached or answers with an error.
        """
        with api.openml_session(cache_dir=self.cache_dir, retries=self.retries):
            runs, queries = self._list_runs()
            infos = {int(tid): api.task_info(int(tid))
                     for tid in sorted(runs["task_id"].astype(int).unique())}
        notes = ["OpenML reports each run's metric as the mean over the task's "
                 "cross-validation folds; it is stored as fold 0"]
        supported = {tid for tid, info in infos.items()
                     if info["task_type"] in ("classification", "regression")}
        if len(supported) < len(infos):
            notes.append(f"runs on tasks of other types skipped: {sorted(set(infos) - supported)}")
        runs = runs[runs["task_id"].astype(int).isin(supported)]

        setups = runs.drop_duplicates("setup_id")
        config_of, configurations, dropped = {}, [], set()
        for setup_id, flow, params in zip(setups["setup_id"], setups["flow_id"],
                                          setups["params"], strict=True):
            mapped = map_openml_params(params, fallback=f"openml_flow_{int(flow)}")
            config = Configuration(mapped.algorithm, mapped.params)
            config_of[int(setup_id)] = config.config_id
            dropped.update(mapped.dropped)
            configurations.append({"config_id": config.config_id, "algorithm": mapped.algorithm,
                                   "params": json.dumps(mapped.params, sort_keys=True),
                                   "origin": self.name})

        datasets, metafeatures = [], []
        for tid in sorted(supported):
            info = infos[tid]
            did = int(info["openml_did"])
            qualities = info["qualities"]
            n_features = qualities.get("NumberOfFeatures")
            datasets.append({
                "dataset_id": openml_dataset_id(did), "name": info["name"],
                "source": self.name, "task_type": info["task_type"],
                "family": self.families.get(did, openml_dataset_id(did)), "openml_did": did,
                "openml_tid": tid, "n_rows": qualities.get("NumberOfInstances"),
                "n_features": None if n_features is None else n_features - 1,
                "n_classes": qualities.get("NumberOfClasses")
                if info["task_type"] == "classification" else None})
            metafeatures += [{"dataset_id": openml_dataset_id(did), "name": name,
                              "value": value} for name, value in sorted(qualities.items())]
        datasets_table = pd.DataFrame(datasets, columns=[
            "dataset_id", "name", "source", "task_type", "family", "openml_did", "openml_tid",
            "n_rows", "n_features", "n_classes"])
        shared = datasets_table["dataset_id"].duplicated()
        if shared.any():
            notes.append("several tasks on one dataset: openml_tid is the smallest task id")
        metafeatures_table = pd.DataFrame(metafeatures, columns=["dataset_id", "name", "value"])

        metrics = [metric for metric in OPENML_FUNCTIONS.values() if metric in runs.columns]
        evaluations = pd.DataFrame({
            "dataset_id": [openml_dataset_id(infos[int(tid)]["openml_did"])
                           for tid in runs["task_id"]],
            "config_id": [config_of[int(setup)] for setup in runs["setup_id"]],
            "fold": 0, **{metric: runs[metric].to_numpy() for metric in metrics},
            "status": "ok", "source": self.name})
        evaluations, collapsed = mean_duplicates(evaluations)
        provenance = {
            "name": self.name, "kind": self.kind, "server": api.server(),
            "licence": None, "licence_note": "see OpenML's terms of use; the licences of the "
            "underlying datasets vary", "citation": _CITATION, "files": [],
            "queries": queries, "duplicates_averaged": collapsed,
            "dropped_params": sorted(dropped), "notes": notes}
        return assemble(
            datasets=datasets_table.drop_duplicates("dataset_id"),
            metafeatures=metafeatures_table.drop_duplicates(["dataset_id", "name"]),
            configurations=pd.DataFrame(configurations, columns=[
                "config_id", "algorithm", "params", "origin"]).drop_duplicates("config_id"),
            evaluations=evaluations, provenance=provenance)
