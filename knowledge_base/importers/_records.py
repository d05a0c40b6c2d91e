"""Importers of the run records staged on disk (``shared/data``).

LCDB, openml-pimp, sklearn-bot and openml-defaults.
"""

from __future__ import annotations

import functools
import gzip
import json
import os
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pandas as pd
import pyarrow

from knowledge_base._store import KnowledgeBase
from knowledge_base.importers._base import (
    ImporterError,
    MissingRecordsError,
    RunSource,
    assemble,
    file_entry,
    mean_duplicates,
)
from knowledge_base.importers._ids import (
    TaskMap,
    corpus_families,
    match_tasks,
    openml_dataset_id,
    same_data_families,
)
from knowledge_base.importers._mapping import OPENML_FUNCTIONS, map_openml_params
from knowledge_base.portfolio import Configuration, get_algorithm

__all__ = [
    "LCDB_LEARNERS",
    "RECORD_SOURCES",
    "LCDBRecords",
    "OpenMLDefaultsQualities",
    "OpenMLPimpRecords",
    "RecordsSource",
    "SklearnBotRecords",
    "combine",
    "default_records_path",
    "import_records",
    "records_families",
    "task_map_from_records",
]

_ENV = "AUTOMETA_SHARED_DATA"

#: LCDB learner -> (algorithm, params).  ``None`` params: the portfolio algorithm's
#: scikit-learn defaults (LCDB ran every learner at its defaults).
LCDB_LEARNERS: dict[str, tuple[str, dict[str, Any] | None]] = {
    "sklearn.ensemble.RandomForestClassifier": ("random_forest", None),
    "sklearn.ensemble.ExtraTreesClassifier": ("extra_trees", None),
    "SVC_rbf": ("svm", None),
    "sklearn.linear_model.LogisticRegression": ("linear", None),
    "sklearn.neighbors.KNeighborsClassifier": ("knn", None),
    "sklearn.neural_network.MLPClassifier": ("mlp", None),
    "SVC_linear": ("lcdb_svc_linear", {"kernel": "linear"}),
    "SVC_poly": ("lcdb_svc_poly", {"kernel": "poly"}),
    "SVC_sigmoid": ("lcdb_svc_sigmoid", {"kernel": "sigmoid"}),
    "sklearn.ensemble.GradientBoostingClassifier": ("lcdb_gradient_boosting", {}),
    "sklearn.tree.DecisionTreeClassifier": ("lcdb_decision_tree", {}),
    "sklearn.tree.ExtraTreeClassifier": ("lcdb_extra_tree", {}),
    "sklearn.discriminant_analysis.LinearDiscriminantAnalysis": ("lcdb_lda", {}),
    "sklearn.discriminant_analysis.QuadraticDiscriminantAnalysis": ("lcdb_qda", {}),
    "sklearn.naive_bayes.BernoulliNB": ("lcdb_bernoulli_nb", {}),
    "sklearn.naive_bayes.MultinomialNB": ("lcdb_multinomial_nb", {}),
    "sklearn.linear_model.Perceptron": ("lcdb_perceptron", {}),
    "sklearn.linear_model.PassiveAggressiveClassifier": ("lcdb_passive_aggressive", {}),
    "sklearn.linear_model.RidgeClassifier": ("lcdb_ridge", {}),
    "sklearn.linear_model.SGDClassifier": ("lcdb_sgd", {}),
}

#: LCDB learners without probability estimates at their defaults: LCDB's log loss for
#: them comes from hard predictions (medians 7-11), so it is not imported.
_LCDB_NO_PROBA = frozenset({"SVC_rbf", "SVC_linear", "SVC_poly", "SVC_sigmoid",
                            "sklearn.linear_model.RidgeClassifier",
                            "sklearn.linear_model.PassiveAggressiveClassifier",
                            "sklearn.linear_model.SGDClassifier",
                            "sklearn.linear_model.Perceptron"})

_SPDX = {"MIT License": "MIT", "BSD 3-Clause License": "BSD-3-Clause"}
_FOLD_NOTE = ("OpenML reports each run's metric as the mean over the task's cross-validation "
              "folds; it is stored as fold 0")


def default_records_path() -> Path:
    """The folder of staged records: ``$AUTOMETA_SHARED_DATA``, else ``../shared/data``.

    ``../shared/data`` is looked up relative to the working directory, then relative to
    the repository that holds this package.
    """
    if os.environ.get(_ENV):
        return Path(os.environ[_ENV])
    candidates = [Path.cwd().parent / "shared" / "data",
                  Path(__file__).resolve().parents[3] / "shared" / "data"]
    for candidate in candidates:
        if candidate.is_dir():
            return candidate
    return candidates[0]


def _require_unique(table: pd.DataFrame, key: str, path: Path) -> None:
    """Refuse a qualities file that lists one id on several rows."""
    duplicated = table.loc[table[key].duplicated(), key].unique()
    if len(duplicated):
        more = f" (and {len(duplicated) - 1} more ids)" if len(duplicated) > 1 else ""
        raise ImporterError(f"{key} {duplicated[0]} is duplicated in {path}{more}")


def _coerce_mostly_numeric(table: pd.DataFrame, path: Path) -> tuple[pd.DataFrame, list[str]]:
    """Turn the cells that are not numbers of mostly numeric text columns into NaN.

    One bad cell makes pandas read a whole quality column as text, which would drop that
    quality for every dataset.  A column is coerced when at least half of its filled
    cells are numbers; other text columns (but ``Name``) stay text, are no qualities and
    are noted.  Returns the table and the notes (none when every column is numeric).
    """
    bad: dict[str, int] = {}
    text: list[str] = []
    for column in table.columns:
        values = table[column]
        if (column == "Name" or pd.api.types.is_numeric_dtype(values)
                or pd.api.types.is_bool_dtype(values)):
            continue
        numbers = pd.to_numeric(values, errors="coerce")
        filled, parsed = int(values.notna().sum()), int(numbers.notna().sum())
        if parsed * 2 >= filled:
            bad[str(column)] = filled - parsed
            table[column] = numbers.astype("float64")
        else:
            text.append(str(column))
    notes = []
    if bad:
        columns = ", ".join(f"{column} ({count})" for column, count in bad.items())
        notes.append(f"{sum(bad.values())} cell(s) of {path.name} that are not numbers "
                     f"replaced by NaN; cells per column: {columns}")
    if text:
        notes.append(f"text column(s) of {path.name} not imported as qualities: "
                     f"{', '.join(text)}")
    return table, notes


def _read_qualities(path: Path, key: str) -> tuple[pd.DataFrame, list[str]]:
    """Qualities indexed by ``key``, and notes on the cells that are not numbers."""
    table = pd.read_csv(path)
    _require_columns(table, [key], path)
    table[key] = table[key].astype(int)
    _require_unique(table, key, path)
    return _coerce_mostly_numeric(table.set_index(key), path)


def _lcdb_qualities(root: Path) -> tuple[pd.DataFrame, list[str]] | None:
    path = root / "lcdb" / "datasets.csv"
    return _read_qualities(path, "openmlid") if path.is_file() else None


def _defaults_qualities(root: Path) -> tuple[pd.DataFrame, list[str]] | None:
    path = root / "openml-defaults" / "metafeatures_rng.csv.gz"
    if not path.is_file():
        return None
    table, notes = _read_qualities(path, "task_id")
    # -1 marks "undefined" in this file
    return table.mask(table == -1), ["-1 (undefined) replaced by NaN", *notes]


def records_families(folder: str | Path | None = None) -> dict[int, str]:
    """OpenML did -> family for the datasets known in a records folder.

    Quality-identical LCDB datasets share ``openml:<smallest did>``; the corpus
    (``datasets.csv``) families take precedence (see :mod:`knowledge_base.importers`).
    """
    root = Path(folder) if folder is not None else default_records_path()
    families: dict[int, str] = {}
    read = _lcdb_qualities(root)
    if read is not None:
        families.update(same_data_families(read[0].drop(columns=["Name"], errors="ignore")))
    if (root / "datasets.csv").is_file():
        families.update(corpus_families(root / "datasets.csv"))
    return families


def task_map_from_records(folder: str | Path | None = None, *,
                          families: Mapping[int, str] | None = None) -> TaskMap:
    """Match the OpenML tasks of ``openml-defaults`` to dataset ids (see ``_ids``).

    Uses ``openml-defaults/metafeatures_rng.csv.gz`` (task qualities),
    ``lcdb/datasets.csv`` (dataset qualities) and ``datasets.csv`` (corpus ids), each when
    present; returns an empty map without task qualities.
    """
    root = Path(folder) if folder is not None else default_records_path()
    read = _defaults_qualities(root)
    if read is None:
        return TaskMap.empty()
    tasks = read[0]
    datasets = None if (lcdb := _lcdb_qualities(root)) is None else lcdb[0]
    names = {} if datasets is None else datasets["Name"].astype(str).to_dict()
    corpus = pd.read_csv(root / "datasets.csv") if (root / "datasets.csv").is_file() else None
    if families is None:
        families = records_families(root)
    return match_tasks(tasks, dataset_qualities=datasets, dataset_names=names, corpus=corpus,
                       families=families)


def _malformed_as_importer_error(load: Callable[[Any], KnowledgeBase]
                                 ) -> Callable[[Any], KnowledgeBase]:
    """Report a record file the parsing code cannot read as an :class:`ImporterError`.

    A missing column, an id that is not a number, a truncated ``.gz``: what pandas or
    pyarrow raise deep inside becomes one error naming the source and its folder.
    """

    @functools.wraps(load)
    def checked(self: Any) -> KnowledgeBase:
        try:
            return load(self)
        except ImporterError:
            raise
        except (KeyError, ValueError, TypeError, OSError, EOFError, gzip.BadGzipFile,
                pyarrow.ArrowException, pd.errors.ParserError) as error:
            raise ImporterError(
                f"{self.name}: malformed records in {self.root / self.subfolder} "
                f"({type(error).__name__}: {error})") from error

    return checked


def _require_columns(frame: pd.DataFrame, columns: Iterable[str], file: Path) -> None:
    """Refuse a record file without a column the import reads (a metric, an id)."""
    missing = [column for column in columns if column not in frame.columns]
    if missing:
        raise ImporterError(f"{file} lacks the column(s) {missing}; its columns are "
                            f"{list(frame.columns)[:12]}")


class RecordsSource(RunSource):
    """A record set staged on disk, in a subfolder of a records folder.

    Parameters
    ----------
    folder : str or Path, optional
        The records folder (holding ``lcdb/``, ``openml-pimp/``, ...).  Default:
        :func:`default_records_path`.
    task_map : TaskMap, optional
        Task -> dataset matching to use; default: :func:`task_map_from_records` on
        ``folder``.
    families : mapping, optional
        did -> family; default: :func:`records_families` on ``folder``.
    """

    kind = "records"
    #: Subfolder of the records folder.
    subfolder: ClassVar[str]
    #: Files the source cannot do without, relative to the subfolder.
    required: ClassVar[tuple[str, ...]]
    #: Files read when present.
    optional: ClassVar[tuple[str, ...]] = ()

    def __init__(self, folder: str | Path | None = None, *, task_map: TaskMap | None = None,
                 families: Mapping[int, str] | None = None) -> None:
        self.folder = folder
        self.task_map = task_map
        self.families = families

    @property
    def root(self) -> Path:
        """The records folder."""
        return Path(self.folder) if self.folder is not None else default_records_path()

    def path(self, name: str) -> Path:
        """Path of one file of this source."""
        return self.root / self.subfolder / name

    def check(self) -> None:
        """Raise :class:`MissingRecordsError` naming the first missing required file."""
        if not self.root.is_dir():
            raise MissingRecordsError(
                f"records folder {self.root} does not exist; pass the folder holding "
                f"{self.subfolder}/ (or set {_ENV})")
        for name in self.required:
            if not self.path(name).is_file():
                raise MissingRecordsError(f"{self.name} records lack {self.path(name)}")

    def _families(self) -> dict[int, str]:
        if self.families is None:
            self.families = records_families(self.root)
        return dict(self.families)

    def _task_map(self) -> TaskMap:
        if self.task_map is None:
            self.task_map = task_map_from_records(self.root, families=self._families())
        return self.task_map

    def provenance(self, files: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
        """The ``manifest["sources"]`` entry: licence, citation, files and ``extra``."""
        folder = self.root / self.subfolder
        licence, licence_file, citation = None, None, None
        for candidate in ("LICENSE", "LICENSE.txt"):
            if (folder / candidate).is_file():
                first = next((line.strip() for line in (folder / candidate).read_text(
                    errors="replace").splitlines() if line.strip()), "")
                licence, licence_file = _SPDX.get(first, first), f"{self.subfolder}/{candidate}"
                break
        if (folder / "CITATION.txt").is_file():
            citation = (folder / "CITATION.txt").read_text(errors="replace").strip()
        return {"name": self.name, "kind": self.kind, "folder": str(self.root),
                "licence": licence, "licence_file": licence_file, "citation": citation,
                "files": files, **extra}


def _map_runs(frame: pd.DataFrame, param_columns: list[str], *, fallback: str,
              origin: str) -> tuple[pd.Series, pd.DataFrame, dict[str, Any]]:
    """Map each distinct parameter row to a configuration.

    Returns the config id of every row of ``frame``, the configurations table, and a
    summary (algorithms, dropped parameter names).
    """
    unique = frame[param_columns].drop_duplicates().reset_index(drop=True)
    ids, algorithms, params, dropped = [], [], [], set()
    for record in unique.to_dict("records"):
        mapped = map_openml_params(record, fallback=fallback)
        config = Configuration(mapped.algorithm, mapped.params)
        ids.append(config.config_id)
        algorithms.append(mapped.algorithm)
        params.append(json.dumps(mapped.params, sort_keys=True))
        dropped.update(mapped.dropped)
    unique["config_id"] = ids
    config_ids = frame[param_columns].merge(unique, on=param_columns, how="left")["config_id"]
    configurations = pd.DataFrame({"config_id": ids, "algorithm": algorithms,
                                   "params": params, "origin": origin}
                                  ).drop_duplicates("config_id")
    counts = configurations["algorithm"].value_counts().sort_index()
    summary = {"configurations_by_algorithm": {str(k): int(v) for k, v in counts.items()},
               "dropped_params": sorted(dropped)}
    return config_ids.set_axis(frame.index), configurations, summary


def _metafeatures_long(qualities: pd.DataFrame, ids: Mapping[int, str]) -> pd.DataFrame:
    """Long ``(dataset_id, name, value)`` rows of the listed keys (NaN kept)."""
    keys = [key for key in ids if key in qualities.index]
    numeric = qualities.loc[keys].select_dtypes("number").astype("float64")
    values = numeric.to_numpy()
    return pd.DataFrame({
        "dataset_id": np.repeat([ids[key] for key in keys], numeric.shape[1]),
        "name": np.tile(numeric.columns.astype(str).to_numpy(), len(keys)),
        "value": values.reshape(-1)})


class LCDBRecords(RecordsSource):
    """LCDB 1.0: 20 scikit-learn learners at their defaults on OpenML datasets.

    The performance of a (dataset, learner, outer seed) is ``score_test`` at the largest
    training-set anchor, averaged over the inner seeds present there; ``fold`` is the
    outer seed, ``n_train`` the anchor and ``fit_time`` the mean training time.  Accuracy
    from ``database-accuracy.parquet``, log loss and ROC AUC from the ``logloss`` and
    ``auc`` files when present (F1 has no column in the schema).  Learners are mapped by
    :data:`LCDB_LEARNERS`; meta-features are the OpenML qualities of ``datasets.csv``.
    """

    name = "lcdb"
    subfolder = "lcdb"
    required = ("database-accuracy.parquet",)
    optional = ("database-logloss.parquet", "database-auc.parquet", "datasets.csv")
    _keys: ClassVar[list[str]] = ["openmlid", "learner", "outer_seed"]

    def _best_anchor(self, file: str) -> pd.DataFrame:
        frame = pd.read_parquet(self.path(file), columns=[
            "openmlid", "learner", "size_train", "outer_seed", "traintime", "score_test"])
        top = frame.groupby(self._keys, observed=True)["size_train"].transform("max")
        frame = frame[frame["size_train"] == top]
        best = frame.groupby([*self._keys, "size_train"], observed=True).agg(
            score=("score_test", "mean"), fit_time=("traintime", "mean")).reset_index()
        best["learner"] = best["learner"].astype(str)
        return best

    @_malformed_as_importer_error
    def load(self) -> KnowledgeBase:
        """Read the LCDB tables (see the class docstring)."""
        self.check()
        best = self._best_anchor("database-accuracy.parquet").rename(
            columns={"score": "accuracy"})
        files = [file_entry(self.path("database-accuracy.parquet"), root=self.root)]
        for file, metric in (("database-logloss.parquet", "log_loss"),
                             ("database-auc.parquet", "roc_auc")):
            if self.path(file).is_file():
                other = self._best_anchor(file)[[*self._keys, "size_train", "score"]]
                best = best.merge(other.rename(columns={"score": metric}),
                                  on=[*self._keys, "size_train"], how="left")
                files.append(file_entry(self.path(file), root=self.root))
        best.loc[best["learner"].isin(_LCDB_NO_PROBA), "log_loss"] = np.nan

        learners = sorted(best["learner"].unique())
        config_of, configurations, algorithms = {}, [], {}
        for learner in learners:
            algorithm, params = LCDB_LEARNERS.get(
                learner, ("lcdb_" + learner.rsplit(".", 1)[-1].lower(), {}))
            if params is None:
                params = get_algorithm(algorithm).defaults("classification")
            config = Configuration(algorithm, params)
            config_of[learner] = config.config_id
            algorithms[algorithm] = learner
            configurations.append({"config_id": config.config_id, "algorithm": algorithm,
                                   "params": json.dumps(params, sort_keys=True),
                                   "origin": self.name})

        families = self._families()
        dids = sorted(int(did) for did in best["openmlid"].unique())
        ids = {did: openml_dataset_id(did) for did in dids}
        qualities, quality_notes = None, []
        if self.path("datasets.csv").is_file():
            qualities, quality_notes = _read_qualities(self.path("datasets.csv"), "openmlid")
            files.append(file_entry(self.path("datasets.csv"), root=self.root,
                                    rows=len(qualities)))
        info = qualities.reindex(dids) if qualities is not None else pd.DataFrame(index=dids)

        def column(name: str) -> pd.Series:
            return info[name] if name in info.columns else pd.Series(np.nan, index=info.index)

        datasets = pd.DataFrame({
            "dataset_id": [ids[did] for did in dids], "name": column("Name").to_numpy(),
            "source": self.name, "task_type": "classification",
            "family": [families.get(did, ids[did]) for did in dids], "openml_did": dids,
            "n_rows": column("NumberOfInstances").to_numpy(),
            "n_features": (column("NumberOfFeatures") - 1).to_numpy(),
            "n_classes": column("NumberOfClasses").to_numpy()})
        metafeatures = None
        if qualities is not None:
            metafeatures = _metafeatures_long(qualities.drop(columns=["Name"]), ids)

        evaluations = pd.DataFrame({
            "dataset_id": best["openmlid"].map(ids), "config_id": best["learner"].map(config_of),
            "fold": best["outer_seed"].astype(int), "accuracy": best["accuracy"],
            "log_loss": best.get("log_loss"), "roc_auc": best.get("roc_auc"),
            "fit_time": best["fit_time"], "n_train": best["size_train"], "status": "ok",
            "source": self.name})
        unused = 0 if qualities is None else len(set(qualities.index) - set(dids))
        provenance = self.provenance(
            files, algorithms=algorithms,
            notes=[
                "performance: score_test at the largest training-set anchor per (openmlid, "
                "learner, outer_seed), mean over the inner seeds at that anchor; fold = "
                "outer_seed; n_train = the anchor; fit_time = mean traintime",
                "learners ran at scikit-learn defaults; RandomForest, ExtraTrees, SVC_rbf, "
                "LogisticRegression, KNeighbors and MLP are mapped onto the default "
                "configurations of the portfolio algorithms (LCDB's preprocessing and solver "
                "iteration limits differ from the portfolio's), the others are lcdb_* "
                "algorithms",
                "log_loss not imported for learners without probability estimates "
                f"({', '.join(sorted(_LCDB_NO_PROBA))}): LCDB computed it from hard "
                "predictions",
                "F1 (database-f1.parquet) not imported: the schema has no F1 column",
                f"{unused} datasets of datasets.csv have no runs and are not imported",
                *quality_notes,
            ])
        return assemble(datasets=datasets, metafeatures=metafeatures,
                        configurations=pd.DataFrame(configurations), evaluations=evaluations,
                        provenance=provenance)


class _OpenMLRunFiles(RecordsSource):
    """Record files of OpenML runs: one run per row, keyed by OpenML task id."""

    #: file -> (OpenML flow id, metric column) of the main metric files.
    flows: ClassVar[dict[str, tuple[int, str]]]

    def _runs(self, file: str, metric: str | None = None) -> pd.DataFrame:
        frame = pd.read_csv(self.path(file))
        _require_columns(frame, ["task_id", *([metric] if metric else [])], self.path(file))
        frame["task_id"] = frame["task_id"].astype(int)
        return frame

    def _assemble(self, runs: list[tuple[pd.DataFrame, str, list[str]]],
                  files: list[dict[str, Any]], notes: list[str]) -> KnowledgeBase:
        task_map = self._task_map()
        configurations, evaluations, summaries = [], [], {}
        tasks: set[int] = set()
        for frame, flow, params in runs:
            config_ids, configs, summary = _map_runs(
                frame, params, fallback=f"openml_flow_{flow}", origin=self.name)
            summaries[flow] = summary
            configurations.append(configs)
            tasks.update(frame["task_id"])
            metrics = {metric: frame[metric] for metric in OPENML_FUNCTIONS.values()
                       if metric in frame.columns}
            evaluations.append(pd.DataFrame({
                "dataset_id": frame["task_id"].map(task_map.dataset_ids(frame["task_id"])),
                "config_id": config_ids, "fold": 0, **metrics, "status": "ok",
                "source": self.name}))
        evaluations_table, collapsed = mean_duplicates(pd.concat(evaluations,
                                                                 ignore_index=True))
        configurations_table = pd.concat(configurations, ignore_index=True).drop_duplicates(
            "config_id")
        provenance = self.provenance(
            files, flows=summaries, task_matching=task_map.summary(tasks),
            duplicates_averaged=collapsed,
            notes=[_FOLD_NOTE, "parameters mapped by knowledge_base.importers._mapping: "
                   "portfolio algorithm when the estimator and every non-default parameter "
                   "match, else the run's own algorithm", *notes])
        return assemble(datasets=task_map.datasets(tasks, source=self.name),
                        configurations=configurations_table, evaluations=evaluations_table,
                        provenance=provenance)


def _params(frame: pd.DataFrame, *metrics: str) -> list[str]:
    return [column for column in frame.columns if column not in ("task_id", *metrics)]


class OpenMLPimpRecords(_OpenMLRunFiles):
    """openml-pimp: random configurations of RandomForest and AdaBoost on OpenML100 tasks.

    RandomForest is OpenML flow 6969, AdaBoost flow 6970; ``predictive_accuracy`` becomes
    ``accuracy``.
    """

    name = "openml-pimp"
    subfolder = "openml-pimp"
    required = ("random_forest.csv.gz", "adaboost.csv.gz")
    flows: ClassVar[dict[str, tuple[int, str]]] = {
        "random_forest.csv.gz": (6969, "predictive_accuracy"),
        "adaboost.csv.gz": (6970, "predictive_accuracy")}

    @_malformed_as_importer_error
    def load(self) -> KnowledgeBase:
        """Read both run files."""
        self.check()
        runs, files = [], []
        for file, (flow, metric) in self.flows.items():
            frame = self._runs(file, metric)
            params = _params(frame, metric)
            runs.append((frame.rename(columns={metric: OPENML_FUNCTIONS[metric]}), str(flow),
                         params))
            files.append(file_entry(self.path(file), root=self.root, rows=len(frame)))
        return self._assemble(runs, files, notes=[])


class SklearnBotRecords(_OpenMLRunFiles):
    """sklearn-bot: SVC runs on OpenML100 tasks; accuracy and ROC AUC joined per run.

    Rows of the accuracy and AUC files are the same runs when the task and every
    hyperparameter agree; F-measure is not imported (no column in the schema).
    """

    name = "sklearn-bot"
    subfolder = "sklearn-bot"
    required = ("svc__predictive_accuracy.csv.gz",)
    optional = ("svc__area_under_roc_curve.csv.gz",)

    @_malformed_as_importer_error
    def load(self) -> KnowledgeBase:
        """Read the accuracy file and join the AUC file on task and parameters."""
        self.check()
        frame = self._runs("svc__predictive_accuracy.csv.gz", "predictive_accuracy")
        params = _params(frame, "predictive_accuracy")
        files = [file_entry(self.path("svc__predictive_accuracy.csv.gz"), root=self.root,
                            rows=len(frame))]
        frame = frame.rename(columns={"predictive_accuracy": "accuracy"})
        notes = ["f_measure (svc__f_measure.csv.gz) not imported: the schema has no F1 column"]
        auc_file = "svc__area_under_roc_curve.csv.gz"
        if self.path(auc_file).is_file():
            auc = self._runs(auc_file, "area_under_roc_curve").rename(
                columns={"area_under_roc_curve": "roc_auc"})
            if auc.duplicated(["task_id", *params]).any():
                auc = auc.groupby(["task_id", *params], dropna=False, as_index=False)[
                    "roc_auc"].mean()
            frame = frame.merge(auc[["task_id", *params, "roc_auc"]],
                                on=["task_id", *params], how="left")
            files.append(file_entry(self.path(auc_file), root=self.root, rows=len(auc)))
            notes.append(f"{int(frame['roc_auc'].isna().sum())} accuracy runs have no AUC "
                         "run with the same task and parameters")
        notes.append("the OpenML flow id of these runs is not in the records; parameters "
                     "are those of the svc step")
        return self._assemble([(frame, "svc", params)], files, notes)


class OpenMLDefaultsQualities(RecordsSource):
    """openml-defaults: 107 OpenML data qualities of the OpenML100 tasks (no runs).

    ``-1`` marks an undefined quality in this file and becomes ``NaN``.
    """

    name = "openml-defaults"
    subfolder = "openml-defaults"
    required = ("metafeatures_rng.csv.gz",)

    @_malformed_as_importer_error
    def load(self) -> KnowledgeBase:
        """Read the qualities; tasks get dataset ids through the task map."""
        self.check()
        read = _defaults_qualities(self.root)
        if read is None:  # pragma: no cover - check() found the file
            raise MissingRecordsError(f"{self.name} records lack metafeatures_rng.csv.gz")
        qualities, notes = read
        task_map = self._task_map()
        ids = task_map.dataset_ids(qualities.index)
        provenance = self.provenance(
            [file_entry(self.path("metafeatures_rng.csv.gz"), root=self.root,
                        rows=len(qualities))],
            task_matching=task_map.summary(qualities.index),
            matches=[{key: (None if pd.isna(value) else
                            int(value) if isinstance(value, np.integer) else value)
                      for key, value in row.items()}
                     for row in task_map.rows(qualities.index)[
                         ["task_id", "openml_did", "family", "method", "evidence"]
                     ].astype(object).to_dict("records")],
            notes=notes)
        return assemble(datasets=task_map.datasets(qualities.index, source=self.name),
                        metafeatures=_metafeatures_long(qualities, ids), provenance=provenance)


#: Every record source, by name, in import order (earlier sources win on shared rows).
RECORD_SOURCES: dict[str, type[RecordsSource]] = {
    "lcdb": LCDBRecords,
    "openml-defaults": OpenMLDefaultsQualities,
    "openml-pimp": OpenMLPimpRecords,
    "sklearn-bot": SklearnBotRecords,
}


def combine(kbs: Iterable[KnowledgeBase]) -> KnowledgeBase:
    """Merge knowledge bases; dataset rows of one id are coalesced column by column.

    Earlier knowledge bases win on conflicting values, but a missing value (e.g. the
    OpenML task id, which LCDB does not know) is filled from a later one.
    """
    kbs = list(kbs)
    merged = KnowledgeBase()
    for kb in kbs:
        merged = merged.merge(kb)
    datasets = pd.concat([kb.datasets for kb in kbs], ignore_index=True)
    if len(datasets):
        datasets = datasets.groupby("dataset_id", sort=False, as_index=False).first()
        merged.datasets = KnowledgeBase(datasets=datasets).datasets
    return merged.validate()


def import_records(folder: str | Path | None = None, *,
                   sources: Iterable[str] | None = None) -> KnowledgeBase:
    """Import the staged record sets into one knowledge base.

    Parameters
    ----------
    folder : str or Path, optional
        Records folder; default :func:`default_records_path`.
    sources : iterable of str, optional
        Names from :data:`RECORD_SOURCES`; default all of them.

    Returns
    -------
    KnowledgeBase
        Validated; ``manifest["sources"]`` has one entry per source and
        ``manifest["import"]`` the task matching and the time taken.

    Raises
    ------
    MissingRecordsError
        If the folder or a required file of a requested source is missing.
    ValueError
        If a source name is unknown.
    """
    names = list(RECORD_SOURCES) if sources is None else list(dict.fromkeys(sources))
    unknown = [name for name in names if name not in RECORD_SOURCES]
    if unknown:
        raise ValueError(f"unknown record sources {unknown}; known: {list(RECORD_SOURCES)}")
    root = Path(folder) if folder is not None else default_records_path()
    if not root.is_dir():
        raise MissingRecordsError(f"records folder {root} does not exist")
    start = time.perf_counter()
    families = records_families(root)
    task_map = task_map_from_records(root, families=families)
    kbs = [RECORD_SOURCES[name](root, task_map=task_map, families=families).load()
           for name in names]
    kb = combine(kbs)
    kb.manifest["import"] = {"records": str(root), "sources": names,
                             "task_matching": task_map.summary(),
                             "seconds": round(time.perf_counter() - start, 2)}
    return kb
