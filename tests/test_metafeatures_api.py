"""Public API of the ``metafeatures`` package: exported names, parameters, results."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

import metafeatures
from metafeatures import (
    AmbiguousTaskError,
    EmptyTableError,
    InvalidParameterError,
    MetafeatureError,
    MetafeatureGroup,
    MetafeatureWarning,
    TargetError,
    extract,
    infer_task,
    list_metafeatures,
)


def _table(n: int = 120, seed: int = 0) -> tuple[pd.DataFrame, pd.Series]:
    rng = np.random.default_rng(seed)
    X = pd.DataFrame(
        {
            "a": rng.normal(size=n),
            "b": rng.exponential(size=n),
            "c": pd.Categorical(rng.choice(["x", "y", "z"], n)),
            "d": rng.integers(0, 4, n),
        }
    )
    y = pd.Series(np.where(X["a"] + rng.normal(scale=0.5, size=n) > 0, "pos", "neg"))
    return X, y


def test_exported_names_are_the_intended_ones():
    assert sorted(metafeatures.__all__) == sorted(
        [
            "GROUPS",
            "AmbiguousTaskError",
            "ComputeContext",
            "EmptyTableError",
            "FeatureSpec",
            "InvalidParameterError",
            "InvalidTableError",
            "MetafeatureError",
            "MetafeatureGroup",
            "MetafeatureWarning",
            "PreparedTable",
            "TargetError",
            "extract",
            "infer_task",
            "list_metafeatures",
            "prepare_table",
        ]
    )
    for name in metafeatures.__all__:
        assert hasattr(metafeatures, name)


def test_package_does_not_import_autometa_or_knowledge_base():
    import ast
    from pathlib import Path

    package = Path(metafeatures.__file__).parent
    for path in package.glob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                modules = [node.module or ""]
            else:
                continue
            for module in modules:
                assert not module.startswith(("autometa", "knowledge_base")), (path, module)


def test_exception_hierarchy():
    for cls in (EmptyTableError, TargetError, AmbiguousTaskError, InvalidParameterError):
        assert issubclass(cls, MetafeatureError)
    assert issubclass(MetafeatureError, ValueError)
    assert issubclass(AmbiguousTaskError, TargetError)
    assert issubclass(MetafeatureWarning, UserWarning)


def test_list_metafeatures_has_at_least_100_documented_features():
    table = list_metafeatures()
    assert list(table.columns) == [
        "name",
        "group",
        "description",
        "tasks",
        "needs_target",
        "openml",
    ]
    assert len(table) >= 100
    assert table["name"].is_unique
    assert (table["description"].str.len() > 10).all()
    assert set(table["group"]) == set(metafeatures.GROUPS)
    assert set(table["group"]) == {
        "general",
        "statistical",
        "info_theory",
        "landmarkers",
        "model_based",
    }
    for task in ("classification", "regression"):
        subset = list_metafeatures(task)
        assert len(subset) > 50
        assert subset["tasks"].str.contains(task).all()


def test_list_metafeatures_covers_every_lcdb_openml_quality():
    lcdb_qualities = {
        "AutoCorrelation", "ClassEntropy", "Dimensionality", "EquivalentNumberOfAtts",
        "MajorityClassSize", "MaxAttributeEntropy", "MaxKurtosisOfNumericAtts",
        "MaxMeansOfNumericAtts", "MaxMutualInformation", "MaxNominalAttDistinctValues",
        "MaxSkewnessOfNumericAtts", "MaxStdDevOfNumericAtts", "MeanAttributeEntropy",
        "MeanKurtosisOfNumericAtts", "MeanMeansOfNumericAtts", "MeanMutualInformation",
        "MeanNoiseToSignalRatio", "MeanNominalAttDistinctValues", "MeanSkewnessOfNumericAtts",
        "MeanStdDevOfNumericAtts", "MinAttributeEntropy", "MinKurtosisOfNumericAtts",
        "MinMeansOfNumericAtts", "MinMutualInformation", "MinNominalAttDistinctValues",
        "MinSkewnessOfNumericAtts", "MinStdDevOfNumericAtts", "MinorityClassPercentage",
        "MinorityClassSize", "NaiveBayesAUC", "NaiveBayesErrRate", "NaiveBayesKappa",
        "NumberOfBinaryFeatures", "NumberOfClasses", "NumberOfFeatures", "NumberOfInstances",
        "NumberOfInstancesWithMissingValues", "NumberOfMissingValues",
        "NumberOfNumericFeatures", "NumberOfSymbolicFeatures", "PercentageOfBinaryFeatures",
        "PercentageOfInstancesWithMissingValues", "PercentageOfMissingValues",
        "PercentageOfNumericFeatures", "PercentageOfSymbolicFeatures",
        "Quartile1AttributeEntropy", "Quartile1KurtosisOfNumericAtts",
        "Quartile1MeansOfNumericAtts", "Quartile1MutualInformation",
        "Quartile1SkewnessOfNumericAtts", "Quartile1StdDevOfNumericAtts",
        "Quartile2AttributeEntropy", "Quartile2KurtosisOfNumericAtts",
        "Quartile2MeansOfNumericAtts", "Quartile2MutualInformation",
        "Quartile2SkewnessOfNumericAtts", "Quartile2StdDevOfNumericAtts",
        "Quartile3AttributeEntropy", "Quartile3KurtosisOfNumericAtts",
        "Quartile3MeansOfNumericAtts", "Quartile3MutualInformation",
        "Quartile3SkewnessOfNumericAtts", "Quartile3StdDevOfNumericAtts",
        "NumberOfFeaturesAfterBinarization",
    }  # fmt: skip
    assert len(lcdb_qualities) == 64
    names = set(list_metafeatures()["name"])
    assert lcdb_qualities <= names
    flagged = set(list_metafeatures().query("openml")["name"])
    assert lcdb_qualities <= flagged


def test_extract_returns_sorted_float_series_with_declared_names():
    X, y = _table()
    result = extract(X, y)
    assert isinstance(result, pd.Series)
    assert result.dtype == np.float64
    assert list(result.index) == sorted(result.index)
    expected = set(list_metafeatures("classification")["name"])
    assert set(result.index) == expected
    assert result.attrs["task"] == "classification"
    assert result.attrs["n_rows"] == len(X)
    assert result["NumberOfInstances"] == len(X)
    assert result["NumberOfFeatures"] == X.shape[1] + 1  # OpenML counts the target
    assert result["NumberOfClasses"] == 2


def test_extract_is_deterministic_for_a_fixed_seed():
    X, y = _table()
    first = extract(X, y, random_state=3)
    second = extract(X, y, random_state=3)
    pd.testing.assert_series_equal(first, second)


def test_groups_select_subsets():
    X, y = _table()
    general = extract(X, y, groups="general")
    names = set(metafeatures.GROUPS["general"].names("classification"))
    assert set(general.index) == names
    two = extract(X, y, groups=["statistical", "general"])
    assert set(two.index) == names | set(metafeatures.GROUPS["statistical"].names("classification"))


def test_regression_features_are_distinct_from_classification_ones():
    rng = np.random.default_rng(1)
    X = pd.DataFrame({"a": rng.normal(size=200), "b": rng.normal(size=200)})
    y = 2 * X["a"] + rng.normal(scale=0.1, size=200)
    result = extract(X, y)
    assert result.attrs["task"] == "regression"
    assert set(result.index) == set(list_metafeatures("regression")["name"])
    assert np.isnan(result.get("ClassEntropy", np.nan))
    assert result["NumberOfClasses"] == 0  # OpenML's convention for a numeric target
    assert result["LinearModelR2"] > 0.9
    assert result["MaxAbsCorrelationWithTarget"] > 0.9
    assert 0 < result["TargetEntropy"] <= np.log2(200)


def test_without_target_only_target_free_features_are_returned():
    X, _ = _table()
    result = extract(X)
    table = list_metafeatures()
    free = set(table.loc[~table["needs_target"], "name"])
    assert set(result.index) == free
    assert result["NumberOfFeatures"] == X.shape[1]
    assert result.attrs["task"] is None


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"task": "clustering"}, "task must be"),
        ({"groups": ["general", "nope"]}, "Unknown meta-feature group"),
        ({"groups": []}, "groups is empty"),
        ({"random_state": -1}, "random_state"),
        ({"random_state": 1.5}, "random_state"),
        ({"random_state": 2**32}, r"random_state must be an integer in \[0, 2\*\*32 - 1\]"),
        ({"time_budget": 0}, "time_budget"),
        ({"time_budget": "10"}, "time_budget"),
    ],
)
def test_invalid_parameters_raise_clear_errors(kwargs, match):
    X, y = _table()
    with pytest.raises(InvalidParameterError, match=match):
        extract(X, y, **kwargs)


def test_task_without_target_is_rejected():
    X, _ = _table()
    with pytest.raises(InvalidParameterError, match="without y"):
        extract(X, task="regression")


@pytest.mark.parametrize(
    ("y", "task"),
    [
        (["a", "b", "a"], "classification"),
        (pd.Series([True, False, True]), "classification"),
        (pd.Categorical(["1", "2"]), "classification"),
        ([0.5, 1.5, 2.25], "regression"),
        (np.arange(100) % 3, "classification"),
        (np.arange(200), "regression"),
        (np.r_[np.arange(100), np.arange(100)] * 1.0, "regression"),
        (np.array([0.0, 1.0, 1.0, 0.0]), "classification"),
    ],
)
def test_infer_task(y, task):
    assert infer_task(y) == task


def test_infer_task_ambiguous_asks_for_task():
    y = np.arange(60) % 30  # 30 distinct whole numbers among 60 rows
    with pytest.raises(AmbiguousTaskError, match="task='classification' or task='regression'"):
        infer_task(y)
    X = pd.DataFrame({"a": np.arange(60.0)})
    with pytest.raises(AmbiguousTaskError):
        extract(X, y)
    assert extract(X, y, task="regression", groups="general")["NumberOfClasses"] == 0


def test_infer_task_rejects_unusable_targets():
    with pytest.raises(TargetError, match="no finite"):
        infer_task([np.nan, np.nan])
    with pytest.raises(TargetError, match="datetime"):
        infer_task(pd.Series(pd.date_range("2020", periods=3)))


def test_time_budget_skips_or_subsamples_expensive_groups():
    rng = np.random.default_rng(0)
    n = 20_000
    X = pd.DataFrame(rng.normal(size=(n, 30)), columns=[f"c{i}" for i in range(30)])
    y = pd.Series(np.where(X["c0"] > 0, "a", "b"))
    with pytest.warns(MetafeatureWarning, match="time_budget"):
        result = extract(X, y, time_budget=0.05)
    assert result["NumberOfInstances"] == n  # the general group always runs
    assert result.attrs["skipped"]
    assert all(np.isnan(result[name]) for name in result.attrs["skipped"])
    assert set(result.index) == set(list_metafeatures("classification")["name"])


def test_a_wide_table_over_budget_runs_per_attribute_groups_on_a_column_subset(monkeypatch):
    # a frozen clock makes the budget decisions deterministic: every group sees the whole
    # budget left, and the statistical and information-theoretic groups share it
    monkeypatch.setattr(metafeatures._extract.time, "perf_counter", lambda: 0.0)
    rng = np.random.default_rng(1)
    n_rows, n_columns = 300, 5000
    X = pd.DataFrame(rng.normal(size=(n_rows, n_columns))).add_prefix("g")
    for j in range(0, n_columns, 25):  # a nominal column in every 25
        X[f"g{j}"] = pd.Categorical(rng.choice(["u", "v", "w"], n_rows))
    y = pd.Series(rng.choice(["a", "b", "c"], n_rows))
    groups = ["general", "statistical", "info_theory"]
    with pytest.warns(MetafeatureWarning, match="on a column subsample"):
        result = extract(X, y, groups=groups, time_budget=0.02)
    used = result.attrs["subsampled_columns"]
    assert set(used) == {"statistical", "info_theory"}
    assert all(metafeatures._extract.MIN_COLUMNS <= k < n_columns for k in used.values())
    assert not result.attrs["skipped"]  # before: skipped, 65 meta-features NaN
    full = extract(X, y, groups=groups)
    assert result["ClassEntropy"] == full["ClassEntropy"]  # the target only
    assert result["NumberOfFeatures"] == n_columns + 1  # every column (and the target)
    for name in ("MeanStdDevOfNumericAtts", "MeanAttributeEntropy", "MeanMeansOfNumericAtts"):
        assert result[name] == pytest.approx(full[name], rel=0.05, abs=0.01), name


def test_generous_time_budget_changes_nothing():
    X, y = _table()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        budgeted = extract(X, y, time_budget=600)
    pd.testing.assert_series_equal(budgeted, extract(X, y))


def test_group_base_class_is_abstract():
    with pytest.raises(TypeError):
        MetafeatureGroup()  # type: ignore[abstract]
