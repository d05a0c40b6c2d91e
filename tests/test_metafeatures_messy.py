"""Messy tables: every awkward input is handled sensibly or rejected with a clear error."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from metafeatures import (
    EmptyTableError,
    InvalidTableError,
    MetafeatureWarning,
    TargetError,
    extract,
    list_metafeatures,
)

CHEAP = ["general", "statistical", "info_theory"]


def _labels(n: int, seed: int = 0) -> pd.Series:
    return pd.Series(np.random.default_rng(seed).choice(["a", "b"], n))


def _quiet_extract(*args, **kwargs) -> pd.Series:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no unexpected warnings on clean input
        return extract(*args, **kwargs)


def test_categorical_uses_declared_values_for_counts_and_observed_for_distinct_values():
    n = 40
    X = pd.DataFrame(
        {
            "two_declared_one_seen": pd.Categorical(["x"] * n, categories=["x", "y"]),
            "three": pd.Categorical(np.resize(["p", "q", "r"], n)),
        }
    )
    result = _quiet_extract(X, _labels(n), groups="general")
    # binary = two declared values (OpenML uses the ARFF header), target included
    assert result["NumberOfBinaryFeatures"] == 2
    assert result["NumberOfSymbolicFeatures"] == 3
    # distinct values are observed ones: 1, 3 and 2 (target)
    assert result["MinNominalAttDistinctValues"] == 1
    assert result["MaxNominalAttDistinctValues"] == 3
    assert result["NumberOfFeaturesAfterBinarization"] == 2 + 3
    assert result["NumberOfConstantFeatures"] == 1


def test_object_and_string_columns_are_nominal_even_when_they_hold_numbers():
    n = 30
    X = pd.DataFrame(
        {
            "obj": np.resize(np.array(["a", "b", None], dtype=object), n),
            "str": pd.array(np.resize(["u", "v"], n), dtype="string"),
            "numbers_as_text": np.resize(["1.5", "2", "10"], n).astype(object),
            "mixed": np.resize(np.array([1, "a", 2.5], dtype=object), n),
        }
    )
    result = _quiet_extract(X, _labels(n), groups=CHEAP)
    assert result["NumberOfSymbolicFeatures"] == 5
    assert result["NumberOfNumericFeatures"] == 0
    assert result["NumberOfMissingValues"] == n // 3
    assert result["MaxNominalAttDistinctValues"] == 3
    assert np.isnan(result["MeanMeansOfNumericAtts"])  # no numeric attribute at all


def test_booleans_are_binary_nominal_features():
    n = 30
    X = pd.DataFrame(
        {
            "np_bool": np.resize([True, False], n),
            "pd_boolean": pd.array(np.resize([True, False, None], n), dtype="boolean"),
        }
    )
    result = _quiet_extract(X, _labels(n), groups="general")
    assert result["NumberOfBinaryFeatures"] == 3
    assert result["NumberOfMissingValues"] == n // 3


def test_integer_codes_are_numeric_unless_cast_to_category():
    n = 60
    codes = np.resize([0, 1, 2], n)
    as_int = _quiet_extract(pd.DataFrame({"code": codes}), _labels(n), groups="general")
    as_cat = _quiet_extract(
        pd.DataFrame({"code": pd.Categorical(codes)}), _labels(n), groups="general"
    )
    assert as_int["NumberOfNumericFeatures"] == 1
    assert as_cat["NumberOfNumericFeatures"] == 0
    assert as_cat["NumberOfSymbolicFeatures"] == 2


def test_datetimes_and_timedeltas_become_numeric_seconds():
    n = 50
    X = pd.DataFrame(
        {
            "naive": pd.date_range("2021-01-01", periods=n, freq="D"),
            "aware": pd.date_range("2021-01-01", periods=n, freq="h", tz="Europe/Paris"),
            "delta": pd.to_timedelta(np.arange(n), unit="s"),
        }
    )
    X.loc[3, "naive"] = pd.NaT
    result = _quiet_extract(X, _labels(n), groups=CHEAP)
    assert result["NumberOfDatetimeFeatures"] == 3
    assert result["NumberOfNumericFeatures"] == 3
    assert result["NumberOfMissingValues"] == 1
    # the timedelta column is 0..n-1 seconds: std of that column is among the per-column stds
    assert result["MinStdDevOfNumericAtts"] == pytest.approx(np.arange(n).std(ddof=1))


def test_arrow_datetimes_and_durations_become_numeric_seconds():
    import datetime as dt

    import pyarrow as pa

    n = 50
    X = pd.DataFrame({
        "ns": pd.array(pd.date_range("2021-01-01", periods=n),
                       dtype=pd.ArrowDtype(pa.timestamp("ns"))),
        "far": np.array([f"{2200 + i}-01-01" for i in range(n)], dtype="datetime64[us]"),
        "delta": pd.array([dt.timedelta(seconds=i) for i in range(n)],
                          dtype=pd.ArrowDtype(pa.duration("us"))),
    })
    result = _quiet_extract(X, _labels(n), groups=CHEAP)
    assert result["NumberOfDatetimeFeatures"] == 3
    assert result["NumberOfNumericFeatures"] == 3
    assert result["NumberOfSymbolicFeatures"] == 1  # the class, as OpenML counts it
    # the duration column is 0..n-1 seconds (years past 2262 do not wrap around)
    assert result["MinStdDevOfNumericAtts"] == pytest.approx(np.arange(n).std(ddof=1))


def test_a_regression_target_beyond_float32_is_scaled_not_overflowed():
    # moments and landmarker errors overflowed to NaN/inf; +/-1e308 broke the binning
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"a": rng.normal(size=300), "b": rng.normal(size=300)})
    y = X["a"] * 2 + rng.normal(size=300)
    groups = ["general", "statistical", "info_theory", "landmarkers", "model_based"]
    plain = extract(X, y, groups=groups)
    with pytest.warns(MetafeatureWarning, match=r"y reaches .* scaled by 2\*\*-"):
        huge = extract(X, y * 1e300, groups=groups)
    for name in ("TargetSkewness", "TargetKurtosis", "DecisionStumpR2"):
        assert huge[name] == pytest.approx(plain[name], rel=1e-9)
    assert np.isfinite(huge.astype(float)).sum() == np.isfinite(plain.astype(float)).sum()
    with pytest.warns(MetafeatureWarning, match="scaled"):
        extreme = extract(X, np.r_[y[:298], 1e308, -1e308], groups=["info_theory"])
    assert np.isfinite(extreme["MeanMutualInformationAllAtts"])


def test_high_cardinality_text_is_nominal_and_cheap():
    n = 2_000
    X = pd.DataFrame({"id": [f"row-{i}" for i in range(n)], "x": np.arange(n) % 7})
    result = _quiet_extract(X, _labels(n))
    assert result["MaxNominalAttDistinctValues"] == n
    assert result["NumberOfFeaturesAfterBinarization"] == n + 1
    # an identifier explains the training rows perfectly but carries no signal
    assert result["MaxMutualInformation"] == pytest.approx(result["ClassEntropy"])


def test_all_missing_and_constant_columns():
    n = 40
    X = pd.DataFrame(
        {
            "all_nan": np.full(n, np.nan),
            "all_none": [None] * n,
            "constant": np.ones(n),
            "x": np.linspace(0, 1, n),
        }
    )
    result = _quiet_extract(X, _labels(n))
    assert result["NumberOfConstantFeatures"] == 3
    assert result["NumberOfMissingValues"] == 2 * n
    assert result["NumberOfFeaturesWithMissingValues"] == 2
    # entirely missing features are dropped by the binarization
    assert result["NumberOfFeaturesAfterBinarization"] == 2
    # skewness of a constant column is undefined: only "x" contributes
    assert result["MaxSkewnessOfNumericAtts"] == pytest.approx(0.0, abs=1e-12)
    assert result["MinStdDevOfNumericAtts"] == 0.0  # the constant column


def test_only_constant_numeric_columns_give_nan_moments_not_errors():
    n = 20
    X = pd.DataFrame({"c1": np.zeros(n), "c2": np.full(n, 3.0)})
    result = _quiet_extract(X, _labels(n))
    assert result["MeanMeansOfNumericAtts"] == pytest.approx(1.5)
    assert np.isnan(result["MeanSkewnessOfNumericAtts"])
    assert np.isnan(result["MeanKurtosisOfNumericAtts"])
    assert np.isnan(result["MeanAbsCorrelationOfNumericAtts"])


def test_infinite_values_are_treated_as_missing_with_a_warning():
    n = 30
    x = np.linspace(-1, 1, n)
    X = pd.DataFrame({"x": x})
    X_inf = X.copy()
    X_inf.loc[0, "x"] = np.inf
    X_inf.loc[1, "x"] = -np.inf
    with pytest.warns(MetafeatureWarning, match="2 infinite values"):
        result = extract(X_inf, _labels(n), groups=CHEAP)
    X_nan = X.copy()
    X_nan.loc[[0, 1], "x"] = np.nan
    expected = _quiet_extract(X_nan, _labels(n), groups=CHEAP)
    pd.testing.assert_series_equal(result, expected)
    assert result["NumberOfMissingValues"] == 2


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # float32 sums inside scikit-learn
def test_values_beyond_float32_are_clipped_so_every_group_still_computes():
    # scikit-learn's trees (landmarkers, model-based group) reject values beyond float32,
    # and the 1-NN landmarker's distances overflowed to NaN
    n = 240
    rng = np.random.default_rng(5)
    X = pd.DataFrame({"x": rng.normal(size=n), "huge": rng.normal(size=n) * 1e300})
    y = _labels(n)
    with pytest.warns(MetafeatureWarning, match=f"{n} values beyond float32's range"):
        result = extract(X, y)
    assert not np.isinf(result).any()
    limit = float(np.finfo(np.float32).max)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        clipped = extract(X.assign(huge=np.sign(X["huge"]) * limit), y)
    pd.testing.assert_series_equal(result, clipped)


def test_duplicate_and_non_string_column_names_are_irrelevant():
    n = 50
    rng = np.random.default_rng(0)
    values = {"a": rng.normal(size=n), "b": rng.normal(size=n), "c": rng.choice(["x", "y"], n)}
    named = pd.DataFrame(values)
    odd = pd.DataFrame(values)
    odd.columns = [0, 0, ("t", 1)]
    y = _labels(n)
    pd.testing.assert_series_equal(_quiet_extract(odd, y), _quiet_extract(named, y))


def test_missing_target_rows_are_dropped_with_a_count():
    n = 50
    rng = np.random.default_rng(1)
    X = pd.DataFrame({"a": rng.normal(size=n)})
    y = _labels(n).astype(object)
    y[[2, 5, 9]] = None
    with pytest.warns(MetafeatureWarning, match="Dropped 3 of 50 rows"):
        result = extract(X, y, groups=CHEAP)
    keep = y.notna().to_numpy()
    expected = _quiet_extract(X[keep], y[keep], groups=CHEAP)
    pd.testing.assert_series_equal(result, expected)
    assert result["NumberOfInstances"] == 47


def test_infinite_regression_target_is_dropped():
    X = pd.DataFrame({"a": np.arange(30.0)})
    y = np.arange(30.0) + 0.5
    y[0] = np.inf
    with pytest.warns(MetafeatureWarning, match="Dropped 1 of 30"):
        result = extract(X, y, groups="general")
    assert result["NumberOfInstances"] == 29


def test_one_row_table():
    X = pd.DataFrame({"a": [1.0], "b": ["x"]})
    result = _quiet_extract(X, ["yes"])
    assert result["NumberOfInstances"] == 1
    assert np.isnan(result["AutoCorrelation"])
    assert np.isnan(result["NaiveBayesAUC"])
    assert result["ClassEntropy"] == 0.0


def test_one_column_table():
    n = 40
    X = pd.DataFrame({"only": np.random.default_rng(2).normal(size=n)})
    result = _quiet_extract(X, _labels(n))
    assert result["NumberOfFeatures"] == 2
    assert np.isnan(result["MeanAbsCorrelationOfNumericAtts"])  # needs two columns
    assert np.isfinite(result["NaiveBayesAUC"])


def test_infinities_in_a_text_column_are_missing_as_in_numbers():
    X = pd.DataFrame({"t": ["x", float("inf"), "y", "x", -np.inf, "y"],
                      "n": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]})
    result = _quiet_extract(X, list("ababab"), groups=["general"])
    assert result["NumberOfMissingValues"] == 2
    assert result["MaxNominalAttDistinctValues"] == 2
    from knowledge_base.portfolio import TableCleaner

    cleaned = TableCleaner().fit(X).transform(X)
    assert cleaned.iloc[:, 0].isna().tolist() == [False, True, False, False, True, False]


def test_empty_tables_are_rejected():
    with pytest.raises(EmptyTableError, match="no rows"):
        extract(pd.DataFrame({"a": []}), [])
    with pytest.raises(EmptyTableError, match="no columns"):
        extract(pd.DataFrame(index=range(5)), list("ababa"))
    for task in ("classification", None):  # without a task too (it was a TargetError)
        for missing in ([None, None], [np.nan, np.inf]):
            with pytest.raises(EmptyTableError, match="Every value of y is missing"):
                extract(pd.DataFrame({"a": [1.0, 2.0]}), missing, task=task)



def test_target_errors_name_the_target_column():
    X = pd.DataFrame({"a": [1.0, 2.0, 3.0]})
    with pytest.raises(EmptyTableError, match=r"Every value of y \('price'\) is missing"):
        extract(X, pd.Series([None, None, None], name="price"))
    with pytest.raises(TargetError, match=r"needs a numeric y \('price'\)"):
        extract(X, pd.Series(["1", "two", "3"], name="price"), task="regression")
    with pytest.warns(MetafeatureWarning, match=r"target y \('price'\) is missing"):
        extract(pd.DataFrame({"a": np.arange(6.0)}),
                pd.Series([1.0, 2.0, np.nan, 4.0, 5.0, 6.5], name="price"),
                task="regression", groups=["general"])

def test_target_length_mismatch_names_both_lengths():
    with pytest.raises(TargetError, match="y has 3 values but X has 4 rows"):
        extract(pd.DataFrame({"a": [1.0, 2.0, 3.0, 4.0]}), ["a", "b", "a"])


def test_two_dimensional_target_is_rejected():
    X = pd.DataFrame({"a": [1.0, 2.0, 3.0]})
    with pytest.raises(TargetError, match="one column"):
        extract(X, pd.DataFrame({"y1": [0, 1, 0], "y2": [1, 0, 1]}))
    with pytest.raises(TargetError, match="1-dimensional"):
        extract(X, np.zeros((3, 2)))
    # a single column is fine
    assert extract(X, np.array([[0], [1], [0]]), groups="general")["NumberOfClasses"] == 2


def test_regression_with_text_target_is_rejected():
    X = pd.DataFrame({"a": [1.0, 2.0, 3.0]})
    with pytest.raises(TargetError, match="not numbers"):
        extract(X, ["low", "high", "low"], task="regression")
    # numbers stored as text are accepted
    result = extract(X, ["1.5", "2.5", "4"], task="regression", groups="general")
    assert result["NumberOfClasses"] == 0


@pytest.mark.parametrize(
    ("bad", "match"),
    [
        (np.arange(5.0), "2-dimensional"),
        (np.zeros((2, 2, 2)), "2-dimensional"),
        (sp.csr_matrix(np.eye(3)), "sparse"),
        ("table.csv", "DataFrame"),
    ],
)
def test_unreadable_tables_are_rejected(bad, match):
    with pytest.raises(InvalidTableError, match=match):
        extract(bad)


def test_numpy_input_matches_dataframe_input():
    rng = np.random.default_rng(3)
    values = rng.normal(size=(60, 3))
    y = rng.normal(size=60)
    pd.testing.assert_series_equal(
        _quiet_extract(values, y), _quiet_extract(pd.DataFrame(values), pd.Series(y))
    )
    objects = np.array([["a", 1.0], ["b", 2.0], ["a", 3.5], ["b", 0.5]], dtype=object)
    result = _quiet_extract(objects, ["x", "y", "x", "y"], groups="general")
    assert result["NumberOfSymbolicFeatures"] == 2  # "a"/"b" column and the target
    assert result["NumberOfNumericFeatures"] == 1


def test_nullable_integer_and_float_columns_are_numeric():
    X = pd.DataFrame(
        {
            "Int": pd.array([1, 2, None, 4] * 5, dtype="Int64"),
            "Float": pd.array([0.5, None, 1.5, 2.5] * 5, dtype="Float64"),
        }
    )
    result = _quiet_extract(X, _labels(20), groups=CHEAP)
    assert result["NumberOfNumericFeatures"] == 2
    assert result["NumberOfMissingValues"] == 10


def test_every_feature_of_a_messy_table_is_finite_or_nan():
    n = 80
    rng = np.random.default_rng(4)
    X = pd.DataFrame(
        {
            "cat": pd.Categorical(rng.choice(["a", "b", None], n)),
            "text": [f"t{i % 40}" for i in range(n)],
            "flag": rng.random(n) > 0.5,
            "when": pd.date_range("2020", periods=n, freq="min"),
            "const": 7,
            "gaps": np.where(rng.random(n) > 0.5, rng.normal(size=n), np.nan),
        }
    )
    for y in (_labels(n), pd.Series(rng.normal(size=n))):
        result = _quiet_extract(X, y)
        assert not np.isinf(result).any()
        assert set(result.index) == set(list_metafeatures(result.attrs["task"])["name"])


def test_decimal_values_are_numeric():
    from decimal import Decimal

    n = 40
    X = pd.DataFrame({"price": [Decimal(i) / 4 for i in range(n)]})
    result = _quiet_extract(X, _labels(n), groups=CHEAP)
    assert result["NumberOfNumericFeatures"] == 1
    assert result["NumberOfSymbolicFeatures"] == 1  # the target only


def test_an_object_column_is_typed_however_its_gaps_are_written():
    # numbers with pd.NA gaps (what Int64.astype(object) gives) were nominal while the
    # same numbers with None gaps were numeric; datetime.date objects (pyarrow's
    # to_pandas, SQL drivers) were one level per date while date32 was a datetime
    n = 60
    numbers = np.resize([1, 2, 3, None, 5, 6], n)
    dates = pd.date_range("2020-01-01", periods=n, freq="D")
    flags = np.resize([True, False, None], n)
    variants = {
        "none gaps": pd.DataFrame({"x": pd.Series(numbers, dtype=object)}),
        "pd.NA gaps": pd.DataFrame({"x": pd.Series(numbers, dtype="Int64").astype(object)}),
    }
    results = {name: _quiet_extract(X, _labels(n), groups=["general"])
               for name, X in variants.items()}
    for result in results.values():
        assert result["NumberOfNumericFeatures"] == 1  # x (the target is the symbolic one)
    pd.testing.assert_series_equal(results["none gaps"], results["pd.NA gaps"])
    arrow = _quiet_extract(pd.DataFrame({"d": pd.Series(dates).astype("date32[pyarrow]")}),
                           _labels(n), groups=["general"])
    objects = _quiet_extract(pd.DataFrame({"d": pd.Series([d.date() for d in dates])}),
                             _labels(n), groups=["general"])
    assert objects["NumberOfDatetimeFeatures"] == arrow["NumberOfDatetimeFeatures"] == 1
    pd.testing.assert_series_equal(objects, arrow)
    typed = _quiet_extract(pd.DataFrame({"f": pd.Series(flags, dtype="boolean")}),
                           _labels(n), groups=["general"])
    untyped = _quiet_extract(pd.DataFrame({"f": pd.Series(flags, dtype=object).where(
        pd.notna(flags), pd.NA)}), _labels(n), groups=["general"])
    pd.testing.assert_series_equal(typed, untyped)
