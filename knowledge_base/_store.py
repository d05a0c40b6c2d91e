"""The knowledge base: datasets, meta-features, configurations and evaluations of past runs."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow

from knowledge_base._schema import (
    KEYS,
    METRICS,
    SCHEMA_VERSION,
    TABLES,
    TASK_TYPES,
    CorruptKnowledgeBaseError,
    IncompatibleKnowledgeBaseError,
    KnowledgeBaseError,
    MissingKnowledgeBaseError,
    coerce_table,
)

__all__ = ["KnowledgeBase", "default_path"]

MANIFEST = "manifest.json"


def default_path() -> Path:
    """Folder of the knowledge base shipped inside the package."""
    return Path(str(resources.files("knowledge_base") / "_default"))


@dataclass
class KnowledgeBase:
    """A versioned, data-only store of past runs.

    Four tables (see :data:`knowledge_base.TABLES` for their columns) and a manifest:

    - ``datasets``: one row per dataset (id, name, source, task type, family for
      leakage-free splits, OpenML ids where known, shape);
    - ``metafeatures``: long table ``(dataset_id, name, value)``;
    - ``configurations``: ``(config_id, algorithm, params)`` with params as JSON;
    - ``evaluations``: one row per dataset, configuration and fold, with the metrics,
      fit and predict times, status and error message.

    Use :meth:`load` to read the shipped default or a folder written by :meth:`save`.
    """

    datasets: pd.DataFrame = field(default_factory=lambda: coerce_table("datasets", pd.DataFrame(
        columns=["dataset_id"])))
    metafeatures: pd.DataFrame = field(default_factory=lambda: coerce_table(
        "metafeatures", pd.DataFrame(columns=["dataset_id", "name"])))
    configurations: pd.DataFrame = field(default_factory=lambda: coerce_table(
        "configurations", pd.DataFrame(columns=["config_id"])))
    evaluations: pd.DataFrame = field(default_factory=lambda: coerce_table(
        "evaluations", pd.DataFrame(columns=KEYS["evaluations"])))
    manifest: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in TABLES:
            setattr(self, name, coerce_table(name, getattr(self, name)))
        self.manifest = {"schema_version": SCHEMA_VERSION, **self.manifest}

    # ------------------------------------------------------------------ I/O
    @staticmethod
    def exists(path: str | Path) -> bool:
        """Whether ``path`` is a folder holding a knowledge base (its manifest file).

        Cheap: nothing is read or validated (:meth:`load` does that), so a folder that
        :meth:`save` wrote, even a damaged one, counts.
        """
        return (Path(path) / MANIFEST).is_file()

    @classmethod
    def load(cls, path: str | Path | None = None) -> KnowledgeBase:
        """Load and validate a knowledge base.

        Parameters
        ----------
        path : str or Path, optional
            Folder written by :meth:`save`.  Default: the knowledge base shipped with the
            package.

        Raises
        ------
        MissingKnowledgeBaseError
            The folder, its manifest or one of its tables does not exist.
        CorruptKnowledgeBaseError
            A file cannot be parsed, or a table has wrong columns or broken references.
        IncompatibleKnowledgeBaseError
            The schema version is not the one this code reads.
        """
        folder = Path(path) if path is not None else default_path()
        manifest_file = folder / MANIFEST
        if not manifest_file.is_file():
            raise MissingKnowledgeBaseError(
                f"no knowledge base at {folder}: {MANIFEST} is missing")
        try:
            manifest = json.loads(manifest_file.read_text())
        except (json.JSONDecodeError, UnicodeDecodeError) as error:
            raise CorruptKnowledgeBaseError(f"{manifest_file} is not valid JSON: {error}") \
                from error
        if not isinstance(manifest, dict):
            raise CorruptKnowledgeBaseError(f"{manifest_file} must hold a JSON object")
        if not _list_of_objects(manifest.get("sources", [])):
            raise CorruptKnowledgeBaseError(
                f"{manifest_file}: \"sources\" must be a list of JSON objects, not "
                f"{json.dumps(manifest['sources'])[:60]}")
        version = manifest.get("schema_version")
        if type(version) is not int or version != SCHEMA_VERSION:  # true == 1 in Python
            raise IncompatibleKnowledgeBaseError(
                f"knowledge base at {folder} has schema version {version!r}; this version "
                f"of autometa reads version {SCHEMA_VERSION}")
        tables = {}
        for name in TABLES:
            file = folder / f"{name}.parquet"
            if not file.is_file():
                raise MissingKnowledgeBaseError(f"knowledge base at {folder} lacks {file.name}")
            try:
                tables[name] = pd.read_parquet(file)
            except (OSError, pyarrow.ArrowException, ValueError) as error:
                raise CorruptKnowledgeBaseError(f"cannot read {file}: {error}") from error
        kb = cls(**tables, manifest=manifest)
        kb.validate()
        return kb

    def save(self, path: str | Path, *, compression_level: int = 9) -> Path:
        """Write the knowledge base to ``path`` (zstd Parquet tables and ``manifest.json``).

        ``compression_level`` (zstd, 1-22) trades saving time for size: 9 is fast; the
        shipped artifact is written at 19.
        """
        self.validate()
        folder = Path(path)
        folder.mkdir(parents=True, exist_ok=True)
        for name in TABLES:
            table = getattr(self, name).sort_values(KEYS[name], kind="stable")
            table.to_parquet(folder / f"{name}.parquet", index=False, compression="zstd",
                             compression_level=compression_level)
        manifest = {**self.manifest, "schema_version": SCHEMA_VERSION,
                    "counts": self.counts(), "saved": datetime.now(UTC).isoformat(
                        timespec="seconds")}
        (folder / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True,
                                                  default=_manifest_value) + "\n")
        self.manifest = manifest
        return folder

    # ------------------------------------------------------------ validation
    def validate(self) -> KnowledgeBase:
        """Check keys are unique and every reference resolves.

        Raises
        ------
        CorruptKnowledgeBaseError
            With the table and the offending keys.
        """
        for name, keys in KEYS.items():
            table = getattr(self, name)
            if table[keys].isna().any().any():
                raise CorruptKnowledgeBaseError(f"table {name!r} has missing key values")
            duplicated = table.duplicated(keys)
            if duplicated.any():
                example = table.loc[duplicated, keys].head(3).to_dict("records")
                raise CorruptKnowledgeBaseError(
                    f"table {name!r} has {int(duplicated.sum())} duplicated keys, e.g. {example}")
        known = set(self.datasets["dataset_id"])
        for name in ("metafeatures", "evaluations"):
            orphans = set(getattr(self, name)["dataset_id"]) - known
            if orphans:
                raise CorruptKnowledgeBaseError(
                    f"table {name!r} refers to unknown datasets {sorted(orphans)[:5]}")
        orphans = set(self.evaluations["config_id"]) - set(self.configurations["config_id"])
        if orphans:
            raise CorruptKnowledgeBaseError(
                f"evaluations refer to unknown configurations {sorted(orphans)[:5]}")
        if not _list_of_objects(self.manifest.get("sources", [])):
            raise CorruptKnowledgeBaseError(
                'manifest["sources"] must be a list of objects (dicts), not '
                f"{type(self.manifest['sources']).__name__}")
        bad_tasks = set(self.datasets["task_type"].dropna()) - set(TASK_TYPES)
        if bad_tasks:
            raise CorruptKnowledgeBaseError(f"datasets have unknown task types {bad_tasks}")
        untyped = self.datasets.loc[self.datasets["task_type"].isna(), "dataset_id"]
        if len(untyped):  # every reader selects datasets by task: these would be dropped
            raise CorruptKnowledgeBaseError(
                f"table 'datasets' has {len(untyped)} datasets without a task_type "
                f"(classification or regression), e.g. {sorted(untyped)[:3]}")
        valid = self.configurations["params"].map(_json_object).to_numpy(dtype=bool)
        bad_params = self.configurations.loc[~valid, "config_id"].tolist()
        if bad_params:
            raise CorruptKnowledgeBaseError(
                f"table 'configurations' has {len(bad_params)} params that are not a JSON "
                f"object, e.g. config_id {bad_params[:3]}")
        return self

    # ------------------------------------------------------------ combining
    def merge(self, other: KnowledgeBase) -> KnowledgeBase:
        """Union of two knowledge bases; on duplicated keys, rows of ``self`` win.

        Provenance (``manifest["sources"]``) is concatenated without duplicates.

        Raises
        ------
        KnowledgeBaseError
            If a dataset id has another task type, or a configuration id another
            algorithm or parameters, in ``other``: its evaluations would be attached to
            ``self``'s definition.
        """
        _check_same_definitions(self, other)
        tables = {}
        for name, keys in KEYS.items():
            both = pd.concat([getattr(self, name), getattr(other, name)], ignore_index=True)
            tables[name] = both.drop_duplicates(keys, keep="first").reset_index(drop=True)
        sources = list(self.manifest.get("sources", []))
        for source in other.manifest.get("sources", []):
            if source not in sources:
                sources.append(source)
        manifest = {**other.manifest, **self.manifest, "sources": sources}
        return KnowledgeBase(**tables, manifest=manifest)

    def add(self, *, datasets: pd.DataFrame | None = None,
            metafeatures: pd.DataFrame | None = None,
            configurations: pd.DataFrame | None = None,
            evaluations: pd.DataFrame | None = None,
            source: Mapping[str, Any] | None = None) -> KnowledgeBase:
        """Return a new knowledge base with rows appended (existing keys win)."""
        extra = KnowledgeBase(
            **{name: frame for name, frame in {
                "datasets": datasets, "metafeatures": metafeatures,
                "configurations": configurations, "evaluations": evaluations}.items()
               if frame is not None},
            manifest={"sources": [dict(source)]} if source else {})
        return self.merge(extra)

    # --------------------------------------------------------------- views
    def metafeature_matrix(self, names: list[str] | None = None) -> pd.DataFrame:
        """Wide table of meta-features: one row per dataset id, one column per name."""
        wide = self.metafeatures.pivot_table(index="dataset_id", columns="name",
                                             values="value", aggfunc="first", dropna=False)
        wide.columns.name = None
        wide.index = wide.index.astype(str)
        if names is not None:
            wide = wide.reindex(columns=names)
        return wide.astype("float64")

    def scores(self, metric: str, *, task_type: str | None = None,
               source: str | None = None) -> pd.DataFrame:
        """Mean over folds of one metric, as a dataset x configuration table.

        Only successful evaluations count; a configuration that failed on a dataset is
        missing there (NaN).

        Raises
        ------
        KnowledgeBaseError
            If ``metric`` or ``task_type`` is unknown.
        """
        if metric not in METRICS:
            raise KnowledgeBaseError(f"unknown metric {metric!r}; known: {sorted(METRICS)}")
        if task_type is not None and task_type not in TASK_TYPES:
            raise KnowledgeBaseError(
                f"unknown task type {task_type!r}; known: {list(TASK_TYPES)}")
        runs = self.evaluations[self.evaluations["status"] == "ok"]
        if source is not None:
            runs = runs[runs["source"] == source]
        if task_type is not None:
            ids = self.datasets.loc[self.datasets["task_type"] == task_type, "dataset_id"]
            runs = runs[runs["dataset_id"].isin(set(ids))]
        table = runs.pivot_table(index="dataset_id", columns="config_id", values=metric,
                                 aggfunc="mean")
        table.columns.name = None
        table.index = table.index.astype(str)
        table.columns = table.columns.astype(str)
        return table.astype("float64")

    def config_table(self) -> pd.DataFrame:
        """Configurations indexed by id, with parameters decoded into dicts."""
        table = self.configurations.set_index("config_id")
        table = table.assign(params=[json.loads(text) for text in table["params"]])
        table.index = table.index.astype(str)
        return table

    def counts(self) -> dict[str, Any]:
        """Row counts overall, and by source, task type and algorithm."""
        evaluations = self.evaluations.merge(
            self.configurations[["config_id", "algorithm"]], on="config_id", how="left"
        ).merge(self.datasets[["dataset_id", "task_type"]], on="dataset_id", how="left")

        def by(column: str) -> dict[str, int]:
            counts = evaluations[column].fillna("?").value_counts().sort_index()
            return {str(key): int(value) for key, value in counts.items()}

        status = self.evaluations["status"].fillna("?").value_counts().sort_index()
        return {
            "datasets": len(self.datasets),
            "datasets_by_task_type": {str(k): int(v) for k, v in self.datasets[
                "task_type"].value_counts().sort_index().items()},
            "datasets_by_source": {str(k): int(v) for k, v in self.datasets[
                "source"].value_counts().sort_index().items()},
            "metafeatures": int(self.metafeatures["name"].nunique()),
            "configurations": len(self.configurations),
            "evaluations": len(self.evaluations),
            "evaluations_by_source": by("source"),
            "evaluations_by_task_type": by("task_type"),
            "evaluations_by_algorithm": by("algorithm"),
            "evaluations_by_status": {str(k): int(v) for k, v in status.items()},
        }

    def subset(self, dataset_ids: str | Iterable[str]) -> KnowledgeBase:
        """A knowledge base restricted to some datasets (configurations kept whole).

        Parameters
        ----------
        dataset_ids : str or iterable of str
            The dataset ids to keep; a single string is one id.

        Raises
        ------
        KnowledgeBaseError
            If an id is not a dataset of this knowledge base.
        """
        keep = {dataset_ids} if isinstance(dataset_ids, str) else set(map(str, dataset_ids))
        unknown = keep - set(self.datasets["dataset_id"])
        if unknown:
            raise KnowledgeBaseError(
                f"cannot subset: {len(unknown)} unknown dataset ids, e.g. {sorted(unknown)[:5]}")
        return KnowledgeBase(
            datasets=self.datasets[self.datasets["dataset_id"].isin(keep)],
            metafeatures=self.metafeatures[self.metafeatures["dataset_id"].isin(keep)],
            configurations=self.configurations,
            evaluations=self.evaluations[self.evaluations["dataset_id"].isin(keep)],
            manifest=dict(self.manifest))

    def __repr__(self) -> str:
        return (f"KnowledgeBase(datasets={len(self.datasets)}, "
                f"configurations={len(self.configurations)}, "
                f"evaluations={len(self.evaluations)})")


def _check_same_definitions(kb: KnowledgeBase, other: KnowledgeBase) -> None:
    """Refuse to merge knowledge bases that define a shared dataset or configuration apart."""
    conflicts = []
    for name, key, columns in (("datasets", "dataset_id", ["task_type"]),
                               ("configurations", "config_id", ["algorithm", "params"])):
        mine = getattr(kb, name).drop_duplicates(key).set_index(key)
        theirs = getattr(other, name).drop_duplicates(key).set_index(key)
        shared = mine.index.intersection(theirs.index)
        differ = np.zeros(len(shared), dtype=bool)
        for column in columns:
            a = mine.loc[shared, column].astype("string").fillna("").to_numpy(dtype=object)
            b = theirs.loc[shared, column].astype("string").fillna("").to_numpy(dtype=object)
            unequal = a != b
            if column == "params":  # the same JSON object, whatever its spacing or key order
                unequal[unequal] = [_parsed_json(x) != _parsed_json(y)
                                    for x, y in zip(a[unequal], b[unequal], strict=True)]
            differ |= unequal
        if differ.any():
            ids = [str(identifier) for identifier in shared[differ]]
            conflicts.append(f"{key} {', '.join(map(repr, ids[:5]))}"
                             f"{' ...' if len(ids) > 5 else ''} (differing "
                             f"{' or '.join(columns)})")
    if conflicts:
        raise KnowledgeBaseError(
            "cannot merge knowledge bases that define the same ids differently: "
            + "; ".join(conflicts) + " (the evaluations of one would be attached to the "
            "other's definition; rename the ids of one of them)")


def _parsed_json(text: object) -> object:
    try:
        return json.loads(str(text))
    except json.JSONDecodeError:
        return text


def _list_of_objects(value: object) -> bool:
    """Whether ``value`` is a list of dicts (the manifest's ``sources``)."""
    return isinstance(value, list) and all(isinstance(item, dict) for item in value)


def _json_object(text: object) -> bool:
    """Whether ``text`` is a string holding a JSON object (a configuration's params)."""
    if not isinstance(text, str):
        return False
    try:
        return isinstance(json.loads(text), dict)
    except ValueError:
        return False


def _manifest_value(value: object) -> object:
    """A manifest value JSON cannot hold as is: NumPy scalars as numbers, others as text."""
    if isinstance(value, np.generic):
        return value.item()
    return str(value)
