"""Schema of the knowledge-base artifact: tables, columns, dtypes, and the errors of loading."""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = [
    "CLASSIFICATION_METRICS",
    "METRICS",
    "REGRESSION_METRICS",
    "SCHEMA_VERSION",
    "TABLES",
    "TASK_TYPES",
    "CorruptKnowledgeBaseError",
    "IncompatibleKnowledgeBaseError",
    "KnowledgeBaseError",
    "MissingKnowledgeBaseError",
    "coerce_table",
]

#: Bumped whenever a table or column changes meaning; loading checks it.
SCHEMA_VERSION = 1

#: The values of ``datasets.task_type`` (the portfolio's tasks).
TASK_TYPES = ("classification", "regression")

#: Metrics recorded per fold, and whether larger is better.
CLASSIFICATION_METRICS = {"roc_auc": True, "log_loss": False, "accuracy": True,
                          "balanced_accuracy": True}
REGRESSION_METRICS = {"rmse": False, "mae": False, "r2": True}
METRICS = {**CLASSIFICATION_METRICS, **REGRESSION_METRICS}

#: Column name -> pandas dtype, per table.  Strings are stored as plain strings (never
#: categoricals, whose integer categories do not survive a Parquet round trip).
TABLES: dict[str, dict[str, str]] = {
    "datasets": {
        "dataset_id": "string", "name": "string", "source": "string", "task_type": "string",
        "family": "string", "openml_did": "Int64", "openml_tid": "Int64",
        "n_rows": "Int64", "n_features": "Int64", "n_classes": "Int64",
    },
    "metafeatures": {"dataset_id": "string", "name": "string", "value": "float64"},
    "configurations": {"config_id": "string", "algorithm": "string", "params": "string",
                       "origin": "string"},
    "evaluations": {
        "dataset_id": "string", "config_id": "string", "fold": "Int64",
        **{metric: "float64" for metric in METRICS},
        "fit_time": "float64", "predict_time": "float64", "n_train": "Int64",
        "status": "string", "error": "string", "source": "string",
    },
}

#: Keys that identify a row of each table (used for deduplication when merging).
KEYS: dict[str, list[str]] = {
    "datasets": ["dataset_id"],
    "metafeatures": ["dataset_id", "name"],
    "configurations": ["config_id"],
    "evaluations": ["dataset_id", "config_id", "fold", "source"],
}


class KnowledgeBaseError(ValueError):
    """Root of the errors raised when a knowledge base cannot be used."""


class MissingKnowledgeBaseError(KnowledgeBaseError, FileNotFoundError):
    """The knowledge-base folder or one of its files does not exist."""


class CorruptKnowledgeBaseError(KnowledgeBaseError):
    """A file of the knowledge base cannot be read, or its columns are wrong."""


class IncompatibleKnowledgeBaseError(KnowledgeBaseError):
    """The knowledge base was written with a schema version this code does not read."""


def coerce_table(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Return ``frame`` with exactly the columns and dtypes of table ``name``.

    Missing optional columns are added empty; unknown columns are an error.

    Raises
    ------
    CorruptKnowledgeBaseError
        If a required key column is missing, a column is unknown, or a value cannot be
        converted to the column's dtype.
    """
    spec = TABLES[name]
    frame = frame.reset_index(drop=True)
    unknown = [column for column in frame.columns if column not in spec]
    if unknown:
        raise CorruptKnowledgeBaseError(f"table {name!r} has unknown columns {unknown}")
    missing_keys = [key for key in KEYS[name] if key not in frame.columns]
    if missing_keys:
        raise CorruptKnowledgeBaseError(f"table {name!r} lacks key columns {missing_keys}")
    out = {}
    for column, dtype in spec.items():
        if column in frame.columns:
            values = frame[column]
        else:
            values = pd.Series(np.nan if dtype == "float64" else pd.NA, index=frame.index,
                               dtype=dtype)
        try:
            if dtype == "string":
                values = values.astype("object").where(values.notna(), None).astype("string")
            else:
                values = values.astype(dtype)
        except (TypeError, ValueError) as error:
            raise CorruptKnowledgeBaseError(
                f"column {name}.{column} cannot be read as {dtype}: {error}") from error
        out[column] = values
    return pd.DataFrame(out, index=pd.RangeIndex(len(frame)))
