"""The extension point of the importers: a source of past runs that becomes a knowledge base."""

from __future__ import annotations

import abc
import hashlib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from knowledge_base._schema import KEYS, METRICS
from knowledge_base._store import KnowledgeBase

__all__ = [
    "ImporterError",
    "MissingRecordsError",
    "OpenMLImportError",
    "RunSource",
    "assemble",
    "file_entry",
    "mean_duplicates",
]


class ImporterError(ValueError):
    """Root of the errors raised while importing past runs."""


class MissingRecordsError(ImporterError, FileNotFoundError):
    """A records folder, or a file a source needs, does not exist."""


class OpenMLImportError(ImporterError):
    """OpenML could not be reached, or it answered with an error."""


class RunSource(abc.ABC):
    """A source of past runs that can be imported into a :class:`KnowledgeBase`.

    Lifecycle: the constructor only stores its arguments (no I/O); :meth:`load` reads the
    source and returns a validated knowledge base whose ``manifest["sources"]`` holds one
    entry describing this source (name, kind, licence, citation, files, row counts, notes).

    Conventions shared by every implementation:

    - rows carry ``source = self.name``; configurations carry ``origin = self.name``;
    - dataset ids are ``openml:<did>`` when the OpenML dataset id is known, else
      ``openml-task:<tid>``; ``family`` is ``openml:<did>`` when known (see
      :mod:`knowledge_base.importers` for the rules), else the dataset id;
    - configuration ids are ``Configuration(algorithm, params).config_id``.
    """

    #: Short stable name; the ``source`` of rows and the ``origin`` of configurations.
    name: str
    #: ``"records"`` (tables on disk) or ``"openml-api"`` (live OpenML).
    kind: str

    @abc.abstractmethod
    def load(self) -> KnowledgeBase:
        """Read the source and return a validated knowledge base.

        Raises
        ------
        ImporterError
            If the source is missing or malformed (subclasses name the problem).
        """

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r})"


def file_entry(path: Path, *, root: Path | None = None, rows: int | None = None) -> dict[str, Any]:
    """Provenance of one input file: relative path, size, SHA-256 and row count."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    name = str(path.relative_to(root)) if root is not None else path.name
    entry: dict[str, Any] = {"path": name, "bytes": path.stat().st_size,
                             "sha256": digest.hexdigest()}
    if rows is not None:
        entry["rows"] = int(rows)
    return entry


def mean_duplicates(evaluations: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """Average the metrics of rows that share an evaluation key.

    OpenML may hold several runs of one setup on one task; after parameter mapping two
    runs may also become the same configuration.  The knowledge base keeps one row per
    ``(dataset_id, config_id, fold, source)``, the mean of the metrics and times.

    Returns
    -------
    evaluations : DataFrame
        One row per key.
    n_collapsed : int
        How many input rows were folded into another one.
    """
    keys = KEYS["evaluations"]
    duplicated = evaluations.duplicated(keys, keep=False)
    if not duplicated.any():
        return evaluations.reset_index(drop=True), 0
    numeric = [column for column in (*METRICS, "fit_time", "predict_time")
               if column in evaluations.columns]
    others = [column for column in evaluations.columns if column not in (*keys, *numeric)]
    grouped = evaluations.groupby(keys, sort=False, dropna=False)
    merged = grouped[numeric].mean().join(grouped[others].first()).reset_index()
    return merged[list(evaluations.columns)], int(len(evaluations) - len(merged))


def assemble(*, datasets: pd.DataFrame, metafeatures: pd.DataFrame | None = None,
             configurations: pd.DataFrame | None = None,
             evaluations: pd.DataFrame | None = None,
             provenance: Mapping[str, Any]) -> KnowledgeBase:
    """Build and validate a knowledge base from the tables of one source.

    The provenance entry gets the row counts of each table (``rows``) and becomes the only
    element of ``manifest["sources"]``.
    """
    tables = {"datasets": datasets}
    if metafeatures is not None:
        tables["metafeatures"] = metafeatures
    if configurations is not None:
        tables["configurations"] = configurations
    if evaluations is not None:
        tables["evaluations"] = evaluations
    kb = KnowledgeBase(**tables)
    entry = dict(provenance)
    entry["rows"] = {"datasets": len(kb.datasets), "metafeatures": len(kb.metafeatures),
                     "configurations": len(kb.configurations),
                     "evaluations": len(kb.evaluations)}
    kb.manifest["sources"] = [entry]
    return kb.validate()
