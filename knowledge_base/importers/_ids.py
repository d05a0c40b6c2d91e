"""Dataset ids and families of OpenML records, and the OpenML task -> dataset matching.

Ids: ``openml:<did>`` when the OpenML dataset id is known, else ``openml-task:<tid>``.

Families (groups for leakage-free splits), in this order of precedence:

1. the corpus family of the did (``knowledge_base.campaign.Corpus``), so that a corpus
   dataset and the OpenML records of the same data share one family (e.g. OpenML 40981
   ``australian`` is in the family ``openml:29`` of ``credit-a``);
2. ``openml:<smallest did>`` for datasets whose OpenML qualities are identical (the same
   data uploaded twice, e.g. ``car`` 21 and 40975);
3. ``openml:<did>``; without a did, the dataset id itself.

Task -> dataset matching (record files keyed by task id).  OpenML was not reachable, so
the dataset of a task is recovered from data qualities, never guessed:

- ``qualities``: the task's qualities (``openml-defaults``) and a dataset's qualities
  (``lcdb/datasets.csv``) have equal integer counts (instances, features, classes, missing
  values, numeric and symbolic features) and every other quality both define agrees
  (relative tolerance 1e-4; at least 10 compared).  Exactly one such dataset: matched.
  Several, all of one family (the same data): the family is known, the did is not.
- ``shape``: otherwise, exactly one corpus dataset with a verified ``openml_id``
  (``datasets.csv``) has the same six counts (target included, as OpenML counts it).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "COUNT_QUALITIES",
    "TaskMap",
    "corpus_families",
    "match_tasks",
    "openml_dataset_id",
    "openml_task_dataset_id",
    "same_data_families",
]

#: Integer data qualities that must be equal for two OpenML datasets to be the same data.
COUNT_QUALITIES = ("NumberOfInstances", "NumberOfFeatures", "NumberOfClasses",
                   "NumberOfMissingValues", "NumberOfNumericFeatures",
                   "NumberOfSymbolicFeatures")

_RTOL = 1e-4
_ATOL = 1e-6
_MIN_COMPARED = 10

_MAP_COLUMNS = {"task_id": "Int64", "dataset_id": "string", "openml_did": "Int64",
                "family": "string", "name": "string", "method": "string",
                "evidence": "string", "n_rows": "Int64", "n_features": "Int64",
                "n_classes": "Int64"}


def openml_dataset_id(did: int) -> str:
    """Knowledge-base id of an OpenML dataset: ``openml:<did>``."""
    return f"openml:{int(did)}"


def openml_task_dataset_id(tid: int) -> str:
    """Knowledge-base id of the dataset of an OpenML task whose did is unknown."""
    return f"openml-task:{int(tid)}"


def corpus_families(index: str | Path) -> dict[int, str]:
    """OpenML did -> family of the corpus datasets listed in ``index`` (a corpus CSV).

    Uses :class:`knowledge_base.campaign.Corpus`, so the families are exactly the ones
    the evaluation campaign gives the corpus datasets.
    """
    from knowledge_base.campaign import Corpus

    return {spec.openml_did: spec.family for spec in Corpus(index)
            if spec.openml_did is not None}


def _agree(a: np.ndarray, b: np.ndarray) -> tuple[bool, int]:
    both = ~np.isnan(a) & ~np.isnan(b)
    compared = int(both.sum())
    agree = bool(np.isclose(a[both], b[both], rtol=_RTOL, atol=_ATOL).all())
    return agree and compared >= _MIN_COMPARED, compared


def same_data_families(qualities: pd.DataFrame) -> dict[int, str]:
    """Family ``openml:<smallest did>`` of datasets whose qualities are identical.

    Parameters
    ----------
    qualities : DataFrame
        Indexed by OpenML did; columns are OpenML quality names (the six
        :data:`COUNT_QUALITIES` are required).

    Returns
    -------
    dict
        did -> family, for every did of ``qualities``.
    """
    families = {int(did): openml_dataset_id(did) for did in qualities.index}
    others = [column for column in qualities.columns
              if column not in COUNT_QUALITIES and pd.api.types.is_numeric_dtype(
                  qualities[column])]
    for _, group in qualities.groupby(list(COUNT_QUALITIES), dropna=False):
        if len(group) < 2:
            continue
        dids = sorted(int(did) for did in group.index)
        values = group.loc[dids, others].to_numpy(float)
        for i, did in enumerate(dids):
            for j in range(i):
                if _agree(values[i], values[j])[0]:
                    families[did] = families[dids[j]]
                    break
    return families


@dataclass(frozen=True)
class TaskMap:
    """OpenML task id -> dataset id, family, name and shape, with how each was found.

    Attributes
    ----------
    table : DataFrame
        One row per known task: ``task_id``, ``dataset_id``, ``openml_did`` (``<NA>``
        when not recovered), ``family``, ``name``, ``method`` (``qualities``, ``shape``,
        ``qualities-ambiguous`` or ``none``), ``evidence``, ``n_rows``, ``n_features``,
        ``n_classes``.
    """

    table: pd.DataFrame

    @classmethod
    def empty(cls) -> TaskMap:
        """A map that knows no task (every task keeps ``openml-task:<tid>``)."""
        return cls(_typed(pd.DataFrame(columns=list(_MAP_COLUMNS))))

    def rows(self, task_ids: Iterable[int]) -> pd.DataFrame:
        """The rows of ``task_ids``; tasks the map does not know get placeholder rows."""
        wanted = pd.Series(sorted({int(tid) for tid in task_ids}), dtype="Int64",
                           name="task_id")
        table = pd.DataFrame({"task_id": wanted}).merge(self.table, on="task_id", how="left")
        unknown = table["dataset_id"].isna()
        ids = [openml_task_dataset_id(tid) for tid in table.loc[unknown, "task_id"]]
        table.loc[unknown, "dataset_id"] = ids
        table.loc[unknown, "family"] = ids
        table.loc[unknown, "method"] = "none"
        return _typed(table)

    def dataset_ids(self, task_ids: Iterable[int]) -> dict[int, str]:
        """Task id -> knowledge-base dataset id."""
        rows = self.rows(task_ids)
        return dict(zip(rows["task_id"].astype(int), rows["dataset_id"].astype(str),
                        strict=True))

    def datasets(self, task_ids: Iterable[int], *, source: str) -> pd.DataFrame:
        """Rows of the ``datasets`` table for the tasks (all classification tasks)."""
        rows = self.rows(task_ids)
        return pd.DataFrame({
            "dataset_id": rows["dataset_id"], "name": rows["name"], "source": source,
            "task_type": "classification", "family": rows["family"],
            "openml_did": rows["openml_did"], "openml_tid": rows["task_id"],
            "n_rows": rows["n_rows"], "n_features": rows["n_features"],
            "n_classes": rows["n_classes"],
        })

    def summary(self, task_ids: Iterable[int] | None = None) -> dict[str, int]:
        """Number of tasks per matching method (``none``: no did, no family)."""
        rows = self.table if task_ids is None else self.rows(task_ids)
        counts = rows["method"].value_counts().sort_index()
        return {str(method): int(count) for method, count in counts.items()}


def _typed(table: pd.DataFrame) -> pd.DataFrame:
    out = pd.DataFrame(index=pd.RangeIndex(len(table)))
    for column, dtype in _MAP_COLUMNS.items():
        values = table[column] if column in table.columns else pd.Series(pd.NA,
                                                                          index=table.index)
        if dtype == "string":
            values = values.astype("object").where(values.notna(), None)
        out[column] = values.reset_index(drop=True).astype(dtype)
    return out


def _counts_of_corpus(corpus: pd.DataFrame) -> pd.DataFrame:
    """The six OpenML counts of verified corpus datasets (target included)."""
    rows = corpus[corpus["openml_id"].notna()]
    classification = rows["task_type"] == "classification"
    return pd.DataFrame({
        "openml_did": rows["openml_id"].astype(int),
        "name": rows["name"].astype(str),
        "NumberOfInstances": rows["n_rows"],
        "NumberOfFeatures": rows["n_features"] + 1,
        "NumberOfClasses": rows["n_classes"].fillna(0),
        "NumberOfMissingValues": rows["n_missing_cells"] + rows["target_missing"],
        "NumberOfNumericFeatures": rows["n_numeric"] + (~classification),
        "NumberOfSymbolicFeatures": rows["n_categorical"] + classification,
    }).astype({name: "float64" for name in COUNT_QUALITIES})


def match_tasks(task_qualities: pd.DataFrame, *,
                dataset_qualities: pd.DataFrame | None = None,
                dataset_names: Mapping[int, str] | None = None,
                corpus: pd.DataFrame | None = None,
                families: Mapping[int, str] | None = None) -> TaskMap:
    """Recover the OpenML dataset of tasks from their data qualities.

    Parameters
    ----------
    task_qualities : DataFrame
        Indexed by task id; OpenML quality names as columns (``NaN`` = undefined).
    dataset_qualities : DataFrame, optional
        Indexed by OpenML did; OpenML quality names as columns (e.g.
        ``lcdb/datasets.csv``).
    dataset_names : mapping, optional
        did -> dataset name.
    corpus : DataFrame, optional
        A corpus index like ``shared/data/datasets.csv`` (``openml_id``, ``n_rows``,
        ``n_features``, ``n_classes``, ``n_missing_cells``, ``target_missing``,
        ``n_numeric``, ``n_categorical``, ``task_type``, ``name``).
    families : mapping, optional
        did -> family; dids not listed get ``openml:<did>``.

    Returns
    -------
    TaskMap
        One row per task of ``task_qualities``.
    """
    families = dict(families or {})
    dataset_names = dict(dataset_names or {})
    missing = [name for name in COUNT_QUALITIES if name not in task_qualities.columns]
    if missing:
        raise ValueError(f"task qualities lack the columns {missing}")
    rows: list[dict[str, Any]] = []
    for tid, task in task_qualities.iterrows():
        row = _match_one(int(tid), task, dataset_qualities, dataset_names, corpus, families)
        row.update(
            n_rows=_int(task.get("NumberOfInstances")),
            n_features=None if _int(task.get("NumberOfFeatures")) is None
            else _int(task.get("NumberOfFeatures")) - 1,
            n_classes=_int(task.get("NumberOfClasses")))
        rows.append(row)
    return TaskMap(_typed(pd.DataFrame(rows, columns=list(_MAP_COLUMNS))))


def _int(value: Any) -> int | None:
    return None if value is None or pd.isna(value) else int(value)


def _equal_counts(table: pd.DataFrame, task: pd.Series) -> pd.DataFrame:
    mask = np.ones(len(table), dtype=bool)
    for name in COUNT_QUALITIES:
        mask &= (table[name].to_numpy(float) == float(task[name]))
    return table[mask]


def _match_one(tid: int, task: pd.Series, dataset_qualities: pd.DataFrame | None,
               names: Mapping[int, str], corpus: pd.DataFrame | None,
               families: Mapping[int, str]) -> dict[str, Any]:
    unmatched = {"task_id": tid, "dataset_id": openml_task_dataset_id(tid), "openml_did": None,
                 "family": openml_task_dataset_id(tid), "name": None, "method": "none",
                 "evidence": None}
    if task[list(COUNT_QUALITIES)].isna().any():
        return unmatched
    if dataset_qualities is not None and len(dataset_qualities):
        candidates = _equal_counts(dataset_qualities, task)
        others = [column for column in candidates.columns
                  if column in task.index and column not in COUNT_QUALITIES
                  and pd.api.types.is_numeric_dtype(candidates[column])]
        agreeing = []
        for did, dataset in candidates.iterrows():
            ok, compared = _agree(task[others].to_numpy(float), dataset[others].to_numpy(float))
            if ok:
                agreeing.append((int(did), compared))
        if len(agreeing) == 1:
            did, compared = agreeing[0]
            return {**unmatched, "dataset_id": openml_dataset_id(did), "openml_did": did,
                    "family": families.get(did, openml_dataset_id(did)),
                    "name": names.get(did), "method": "qualities",
                    "evidence": f"6 counts equal and {compared} other qualities agree with "
                                f"OpenML dataset {did}"}
        if len(agreeing) > 1:
            dids = sorted(did for did, _ in agreeing)
            fams = {families.get(did, openml_dataset_id(did)) for did in dids}
            if len(fams) == 1:
                return {**unmatched, "family": fams.pop(), "name": names.get(dids[0]),
                        "method": "qualities-ambiguous",
                        "evidence": f"qualities agree with OpenML datasets {dids}, which "
                                    "hold the same data; the did is not recovered"}
            return {**unmatched, "evidence": f"qualities agree with several datasets {dids}"}
    if corpus is not None and len(corpus):
        candidates = _equal_counts(_counts_of_corpus(corpus), task)
        dids = sorted(set(candidates["openml_did"].astype(int)))
        if len(dids) == 1:
            did = dids[0]
            name = str(candidates["name"].iloc[0])
            return {**unmatched, "dataset_id": openml_dataset_id(did), "openml_did": did,
                    "family": families.get(did, openml_dataset_id(did)), "name": name,
                    "method": "shape",
                    "evidence": f"6 counts equal those of corpus dataset {name!r} "
                                f"(verified OpenML id {did})"}
    return unmatched
