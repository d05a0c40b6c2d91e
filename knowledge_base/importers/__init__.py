"""Importers of past runs into a :class:`~knowledge_base.KnowledgeBase`.

One abstract base, :class:`RunSource` (``load() -> KnowledgeBase``), with two kinds of
implementations:

- record sets staged on disk (:class:`RecordsSource`): :class:`LCDBRecords`,
  :class:`OpenMLPimpRecords`, :class:`SklearnBotRecords`, :class:`OpenMLDefaultsQualities`;
  :func:`import_records` imports them all into one knowledge base;
- live OpenML (:class:`OpenMLRuns`), through the single network seam
  ``knowledge_base.importers._openml_api``.

Conventions (the details are in the private modules' docstrings):

- dataset ids ``openml:<did>`` where the OpenML dataset id is known, else
  ``openml-task:<tid>``; families ``openml:<did>`` shared with the corpus datasets and
  with quality-identical re-uploads;
- OpenML task ids of the record files are matched to dataset ids through data qualities
  (:func:`match_tasks`), never guessed;
- OpenML flow parameters map onto a portfolio algorithm only when the run is that
  algorithm with portfolio parameters (:func:`map_openml_params`); otherwise the run is
  kept as its own algorithm (``openml_adaboost``, ``openml_svc_poly``, ``lcdb_*``).

Examples
--------
>>> from knowledge_base.importers import import_records
>>> kb = import_records("../shared/data")            # doctest: +SKIP
"""

from __future__ import annotations

from knowledge_base.importers._base import (
    ImporterError,
    MissingRecordsError,
    OpenMLImportError,
    RunSource,
)
from knowledge_base.importers._ids import (
    COUNT_QUALITIES,
    TaskMap,
    corpus_families,
    match_tasks,
    openml_dataset_id,
    openml_task_dataset_id,
    same_data_families,
)
from knowledge_base.importers._live import OpenMLRuns
from knowledge_base.importers._mapping import (
    ESTIMATOR_MAPPINGS,
    OPENML_FUNCTIONS,
    EstimatorMapping,
    MappedRun,
    map_openml_params,
    parameter_key,
)
from knowledge_base.importers._records import (
    LCDB_LEARNERS,
    RECORD_SOURCES,
    LCDBRecords,
    OpenMLDefaultsQualities,
    OpenMLPimpRecords,
    RecordsSource,
    SklearnBotRecords,
    combine,
    default_records_path,
    import_records,
    records_families,
    task_map_from_records,
)

__all__ = [
    "COUNT_QUALITIES",
    "ESTIMATOR_MAPPINGS",
    "LCDB_LEARNERS",
    "OPENML_FUNCTIONS",
    "RECORD_SOURCES",
    "EstimatorMapping",
    "ImporterError",
    "LCDBRecords",
    "MappedRun",
    "MissingRecordsError",
    "OpenMLDefaultsQualities",
    "OpenMLImportError",
    "OpenMLPimpRecords",
    "OpenMLRuns",
    "RecordsSource",
    "RunSource",
    "SklearnBotRecords",
    "TaskMap",
    "combine",
    "corpus_families",
    "default_records_path",
    "import_records",
    "map_openml_params",
    "match_tasks",
    "openml_dataset_id",
    "openml_task_dataset_id",
    "parameter_key",
    "records_families",
    "same_data_families",
    "task_map_from_records",
]
