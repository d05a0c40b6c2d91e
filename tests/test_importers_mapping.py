"""OpenML parameter mapping, dataset ids, families and task -> dataset matching."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import knowledge_base.importers as importers
from knowledge_base.importers import (
    COUNT_QUALITIES,
    TaskMap,
    map_openml_params,
    match_tasks,
    parameter_key,
    same_data_families,
)
from knowledge_base.portfolio import ALGORITHMS, get_algorithm


def test_public_names_are_the_intended_ones() -> None:
    assert sorted(importers.__all__) == sorted(set(importers.__all__))
    for name in importers.__all__:
        assert hasattr(importers, name), name
    assert {"RunSource", "RecordsSource", "OpenMLRuns", "LCDBRecords", "OpenMLPimpRecords",
            "SklearnBotRecords", "OpenMLDefaultsQualities", "import_records"} <= set(
        importers.__all__)


@pytest.mark.parametrize(("full_name", "key"), [
    ("sklearn.ensemble.forest.RandomForestClassifier(44)_max_features",
     "randomforestclassifier__max_features"),
    ("sklearn.svm.classes.SVC(12)_C", "svc__C"),
    ("sklearn.pipeline.Pipeline(imputer=sklearn.preprocessing.imputation.Imputer,"
     "svc=sklearn.svm.classes.SVC)(3)_memory", "pipeline__memory"),
    ("sklearn.preprocessing.imputation.Imputer(21)_strategy", "imputer__strategy"),
    ("weka.J48(1)_C", "j48__C"),
    ("no_version_here", "no_version_here"),
])
def test_parameter_key(full_name: str, key: str) -> None:
    assert parameter_key(full_name) == key


def test_decode_value() -> None:
    from knowledge_base.importers._mapping import decode_value

    assert decode_value('"gini"') == "gini"
    assert decode_value("gini") == "gini"
    assert decode_value("true") is True
    assert decode_value("null") is None
    assert decode_value("0.5") == 0.5
    assert decode_value(np.float64("nan")) is None
    assert decode_value(np.int64(3)) == 3 and type(decode_value(np.int64(3))) is int
    assert decode_value("[1, 2]") == [1, 2]


PIMP_RF = {
    "randomforestclassifier__bootstrap": True,
    "randomforestclassifier__criterion": "entropy",
    "randomforestclassifier__max_depth": float("nan"),
    "randomforestclassifier__max_features": 0.8,
    "randomforestclassifier__max_leaf_nodes": float("nan"),
    "randomforestclassifier__min_samples_leaf": 18,
    "randomforestclassifier__min_samples_split": 9.0,
    "randomforestclassifier__min_weight_fraction_leaf": 0.0,
    "randomforestclassifier__n_estimators": 100,
    "columntransformer__numeric__imputer__strategy": "median",
}


def test_random_forest_maps_onto_the_portfolio() -> None:
    run = map_openml_params(PIMP_RF, fallback="x")
    assert run.algorithm == "random_forest"
    defaults = get_algorithm("random_forest").defaults("classification")
    assert set(run.params) == set(defaults)
    assert run.params == {"bootstrap": True, "criterion": "entropy", "max_features": 0.8,
                          "min_samples_leaf": 18, "min_samples_split": 9, "n_estimators": 100}
    assert type(run.params["min_samples_split"]) is int
    assert "columntransformer__numeric__imputer__strategy" in run.dropped
    assert "randomforestclassifier__max_depth" in run.dropped


def test_random_forest_with_a_non_default_extra_parameter_keeps_its_own_name() -> None:
    run = map_openml_params({**PIMP_RF, "randomforestclassifier__max_depth": 5.0},
                            fallback="x")
    assert run.algorithm == "openml_random_forest"
    assert run.params["max_depth"] == 5 and type(run.params["max_depth"]) is int
    assert run.params["imputer_strategy"] == "median"
    assert run.params["max_leaf_nodes"] is None


def test_old_max_features_auto_means_sqrt() -> None:
    run = map_openml_params({**PIMP_RF, "randomforestclassifier__max_features": '"auto"'},
                            fallback="x")
    assert run.params["max_features"] == "sqrt"


BOT_SVC = {"columntransformer__numeric__imputer__strategy": "mean", "svc__C": 10243.0,
           "svc__coef0": float("nan"), "svc__degree": float("nan"), "svc__gamma": 0.000328,
           "svc__kernel": "rbf", "svc__max_iter": -1, "svc__shrinking": True,
           "svc__tol": 3.2e-05}


def test_rbf_svc_maps_onto_svm_and_drops_solver_settings() -> None:
    run = map_openml_params(BOT_SVC, fallback="x")
    assert run.algorithm == "svm"
    assert run.params == {"C": 10243.0, "gamma": 0.000328}
    assert {"svc__tol", "svc__shrinking", "svc__max_iter"} <= set(run.dropped)


def test_other_kernels_and_weighted_svc_keep_their_own_names() -> None:
    poly = map_openml_params({**BOT_SVC, "svc__kernel": "poly", "svc__degree": 3.0,
                              "svc__coef0": 0.3}, fallback="x")
    assert poly.algorithm == "openml_svc_poly"
    assert poly.params == {"C": 10243.0, "coef0": 0.3, "degree": 3, "gamma": 0.000328,
                           "kernel": "poly", "max_iter": -1, "imputer_strategy": "mean"}
    weighted = map_openml_params({**BOT_SVC, "svc__class_weight": '"balanced"'}, fallback="x")
    assert weighted.algorithm == "openml_svc_rbf"


def test_adaboost_is_its_own_algorithm() -> None:
    run = map_openml_params({"adaboostclassifier__algorithm": "SAMME",
                             "adaboostclassifier__learning_rate": 0.13,
                             "adaboostclassifier__base_estimator__max_depth": 9.0,
                             "adaboostclassifier__n_estimators": 161.0,
                             "columntransformer__numeric__imputer__strategy": "median"},
                            fallback="x")
    assert run.algorithm == "openml_adaboost"
    assert run.params == {"algorithm": "SAMME", "learning_rate": 0.13, "max_depth": 9,
                          "n_estimators": 161, "imputer_strategy": "median"}


def test_unknown_flow_falls_back_and_drops_runtime_settings() -> None:
    run = map_openml_params({"j48__C": "0.25", "j48__M": "2", "j48__verbose": "0",
                             "pipeline__steps": '[{"a": 1}]'}, fallback="openml_flow_42")
    assert run.algorithm == "openml_flow_42"
    assert run.params == {"j48__C": 0.25, "j48__M": 2}
    assert set(run.dropped) == {"j48__verbose", "pipeline__steps"}


def test_portfolio_mapped_configurations_build() -> None:
    for params in (PIMP_RF, BOT_SVC):
        run = map_openml_params(params, fallback="x")
        assert run.algorithm in ALGORITHMS
        pipeline = get_algorithm(run.algorithm).build(run.params, task="classification")
        assert pipeline.steps[-1][0] == "model"


# --------------------------------------------------------------- families and matching
def qualities_row(n: int, features: int, classes: int, entropy: float, **extra: float) -> dict:
    row = dict(zip(COUNT_QUALITIES, (n, features, classes, 0, features - 1, 1), strict=True))
    row.update(ClassEntropy=entropy, **{f"Q{i}": float(i) * entropy for i in range(10)})
    row.update(extra)
    return row


def dataset_qualities() -> pd.DataFrame:
    return pd.DataFrame.from_dict({
        3: qualities_row(3196, 37, 2, 0.99),
        21: qualities_row(1728, 7, 4, 1.2),
        40975: qualities_row(1728, 7, 4, 1.2, Q9=float("nan")),  # re-upload of 21
        44: qualities_row(1728, 7, 4, 1.7),  # same shape as 21, other data
    }, orient="index")


def test_same_data_families() -> None:
    families = same_data_families(dataset_qualities())
    assert families == {3: "openml:3", 21: "openml:21", 40975: "openml:21", 44: "openml:44"}


def test_match_tasks_by_qualities_then_corpus_shape() -> None:
    tasks = pd.DataFrame.from_dict({
        103: qualities_row(3196, 37, 2, 0.99),  # dataset 3
        121: qualities_row(1728, 7, 4, 1.2),  # 21 or its re-upload 40975: family only
        144: qualities_row(1728, 7, 4, 1.7000001),  # dataset 44, within tolerance
        111: qualities_row(625, 5, 3, 1.3),  # only in the corpus
        199: qualities_row(100, 3, 2, 0.5),  # nowhere
        198: {**qualities_row(3196, 37, 2, 0.99), "Q5": 123.0},  # counts match 3, data not
    }, orient="index")
    corpus = pd.DataFrame({
        "openml_id": [11.0, np.nan], "name": ["balance.scale", "unverified"],
        "task_type": ["classification", "classification"], "n_rows": [625, 100],
        "n_features": [4, 2], "n_classes": [3.0, 2.0], "n_missing_cells": [0, 0],
        "target_missing": [0, 0], "n_numeric": [4, 2], "n_categorical": [0, 0]})
    names = {3: "kr-vs-kp", 21: "car", 40975: "car", 44: "other"}
    families = same_data_families(dataset_qualities())
    task_map = match_tasks(tasks, dataset_qualities=dataset_qualities(), dataset_names=names,
                           corpus=corpus, families=families)
    table = task_map.table.set_index("task_id")
    assert table.loc[103, "dataset_id"] == "openml:3" and table.loc[103, "method"] == "qualities"
    assert table.loc[103, "name"] == "kr-vs-kp"
    assert table.loc[144, "openml_did"] == 44
    assert table.loc[121, "method"] == "qualities-ambiguous"
    assert table.loc[121, "dataset_id"] == "openml-task:121"
    assert pd.isna(table.loc[121, "openml_did"]) and table.loc[121, "family"] == "openml:21"
    assert table.loc[111, "method"] == "shape" and table.loc[111, "openml_did"] == 11
    assert table.loc[111, "name"] == "balance.scale"
    for tid in (199, 198):
        assert table.loc[tid, "method"] == "none"
        assert table.loc[tid, "dataset_id"] == table.loc[tid, "family"] == f"openml-task:{tid}"
    assert table.loc[103, "n_rows"] == 3196 and table.loc[103, "n_features"] == 36
    assert task_map.summary() == {"none": 2, "qualities": 2, "qualities-ambiguous": 1,
                                  "shape": 1}


def test_task_map_rows_for_unknown_tasks() -> None:
    empty = TaskMap.empty()
    assert empty.dataset_ids([5, 7]) == {5: "openml-task:5", 7: "openml-task:7"}
    datasets = empty.datasets([5], source="s")
    assert datasets["openml_tid"].tolist() == [5]
    assert datasets["family"].tolist() == ["openml-task:5"]
    assert empty.summary([5, 7]) == {"none": 2}


def test_match_tasks_requires_the_count_qualities() -> None:
    with pytest.raises(ValueError, match="lack the columns"):
        match_tasks(pd.DataFrame({"NumberOfInstances": [1.0]}, index=[1]))


def test_matching_tolerance_is_relative() -> None:
    from knowledge_base.importers._ids import _agree

    a = np.array([1.0] * 10 + [np.nan])
    assert _agree(a, a * (1 + 1e-6))[0]
    assert not _agree(a, a * 1.01)[0]
    assert not _agree(a[:5], a[:5])[0]  # too few qualities compared
    assert _agree(a, a)[1] == 10
    assert math.isnan(a[-1])
