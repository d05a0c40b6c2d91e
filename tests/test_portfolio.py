"""Contract tests: every portfolio algorithm builds, fits and predicts on messy tables."""

from __future__ import annotations

import json
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from optuna.distributions import CategoricalDistribution, FloatDistribution, IntDistribution

from knowledge_base.portfolio import (
    ALGORITHMS,
    DATE_FORMATS,
    TASKS,
    Configuration,
    TableCleaner,
    UnknownTaskError,
    algorithm_names,
    build_pipeline,
    default_configuration,
    get_algorithm,
    sample_configurations,
)

EXPECTED = {"lightgbm", "hist_gradient_boosting", "random_forest", "extra_trees", "linear",
            "svm", "knn", "mlp"}


def messy_table(n: int = 60, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({
        "num": rng.normal(size=n),
        "with_nan": np.where(rng.random(n) < 0.2, np.nan, rng.normal(size=n)),
        "inf": np.where(rng.random(n) < 0.05, np.inf, rng.normal(size=n)),
        "huge": rng.normal(size=n) * 1e300,  # beyond float32, where trees compute
        "cat": pd.Categorical(rng.choice(["a", "b", "c"], size=n)),
        "int_cat": pd.Categorical(rng.choice([1, 2, 3], size=n)),
        "text": rng.choice(["x", "y", None], size=n).astype(object),
        "flag": rng.random(n) < 0.5,
        "when": pd.date_range("2020-01-01", periods=n, freq="D"),
        "constant": 1.0,
        "all_nan": np.nan,
    })
    frame.columns = ["num", "with_nan", "inf", "huge", "cat", 5, "text", "flag", "when",
                     "constant", "num"]  # non-string and duplicated names on purpose
    return frame


def targets(n: int = 60, seed: int = 0) -> dict[str, pd.Series]:
    rng = np.random.default_rng(seed)
    return {"classification": pd.Series(rng.choice(["yes", "no", "maybe"], size=n)),
            "regression": pd.Series(rng.normal(size=n))}


def test_portfolio_has_the_promised_algorithms():
    assert set(algorithm_names()) == EXPECTED
    with pytest.raises(KeyError, match="unknown algorithm"):
        get_algorithm("xgboost")


# the forests' missing-value check sums float32 columns near float32's limit (harmless)
@pytest.mark.filterwarnings("ignore:.*encountered in reduce:RuntimeWarning")
@pytest.mark.parametrize("name", sorted(EXPECTED))
@pytest.mark.parametrize("task", TASKS)
def test_defaults_and_samples_fit_messy_tables(name, task):
    X = messy_table()
    y = targets()[task]
    configs = [default_configuration(name, task), *sample_configurations(name, task, 2, seed=1)]
    for config in configs:
        pipeline = build_pipeline(config, task=task, n_samples=len(X), n_features=X.shape[1])
        pipeline.fit(X, y)
        predictions = pipeline.predict(X)
        assert len(predictions) == len(X)
        if task == "classification":
            proba = pipeline.predict_proba(X)
            assert proba.shape == (len(X), 3)
            np.testing.assert_allclose(proba.sum(axis=1), 1.0, rtol=1e-6)
        else:
            assert np.isfinite(predictions).all()


@pytest.mark.parametrize("name", sorted(EXPECTED))
@pytest.mark.parametrize("task", TASKS)
def test_search_space_contract(name, task):
    algorithm = ALGORITHMS[name]
    space = algorithm.search_space(task)
    assert space, "every algorithm is tunable"
    for dist in space.values():
        assert isinstance(dist, FloatDistribution | IntDistribution | CategoricalDistribution)
    for config in sample_configurations(name, task, 8, seed=0):
        for key, dist in space.items():
            assert dist._contains(dist.to_internal_repr(config.params[key])), (key, config)
    # defaults are expressed in the portfolio's own parameter names
    assert set(algorithm.defaults(task)) >= set(space) - {"criterion", "class_weight"}


def test_sampling_is_deterministic_and_space_filling():
    first = sample_configurations("lightgbm", "classification", 24, seed=0)
    second = sample_configurations("lightgbm", "classification", 24, seed=0)
    other = sample_configurations("lightgbm", "classification", 24, seed=1)
    assert [c.config_id for c in first] == [c.config_id for c in second]
    assert [c.config_id for c in first] != [c.config_id for c in other]
    rates = np.log([c.params["learning_rate"] for c in first])
    low, high = np.log(0.005), np.log(0.5)
    # a Sobol' sample leaves no quarter of the log range empty
    quarters = np.floor((rates - low) / (high - low) * 4).clip(0, 3)
    assert set(quarters) == {0, 1, 2, 3}


def test_configuration_json_round_trip():
    config = Configuration("random_forest", {"n_estimators": np.int64(10), "max_features": 0.5,
                                             "bootstrap": True, "criterion": "gini"})
    text = config.to_json()
    assert json.loads(text)["params"]["n_estimators"] == 10
    back = Configuration.from_json(text)
    assert back.config_id == config.config_id
    assert back == Configuration.from_json(back.to_json())


def test_adapt_clips_to_tiny_tables():
    X = messy_table(n=6)
    y = pd.Series(["a", "b"] * 3)
    for name in algorithm_names():
        for config in sample_configurations(name, "classification", 4, seed=3):
            build_pipeline(config, task="classification", n_samples=4,
                           n_features=X.shape[1]).fit(X.iloc[:4], y.iloc[:4])


@pytest.mark.parametrize("task", TASKS)
def test_configurations_adapted_to_a_whole_table_cross_validate_on_it(task):
    # recommend() adapts configurations to the user's whole table; the user's CV then
    # trains on fewer rows (kNN with n_neighbors = rows - 1 failed in every fold)
    from sklearn.model_selection import KFold, cross_val_score

    X = messy_table(n=50)
    y = targets(n=50)[task]
    config = Configuration("knn", {"n_neighbors": 100, "weights": "uniform", "p": 2})
    pipeline = build_pipeline(config, task=task, n_samples=len(X), n_features=X.shape[1])
    assert pipeline.get_params()["model__n_neighbors"] == 49
    scores = cross_val_score(pipeline, X, y, cv=KFold(5, shuffle=True, random_state=0),
                             error_score="raise")
    assert np.isfinite(scores).all()
    assert pipeline.fit(X.iloc[:10], y.iloc[:10])[-1].n_neighbors_ == 10


@pytest.mark.parametrize("task", TASKS)
@pytest.mark.parametrize("weights", ["uniform", "distance"])
def test_neighbours_with_enough_rows_are_scikit_learns(task, weights):
    from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor

    rng = np.random.default_rng(1)
    X = rng.normal(size=(80, 3))
    y = targets(n=80, seed=1)[task].to_numpy()
    ours = get_algorithm("knn").make_estimator({"n_neighbors": 7, "weights": weights, "p": 1},
                                               task, random_state=0).fit(X, y)
    reference = (KNeighborsClassifier if task == "classification" else KNeighborsRegressor)(
        n_neighbors=7, weights=weights, p=1).fit(X, y)
    test = rng.normal(size=(20, 3))
    np.testing.assert_array_equal(ours.predict(test), reference.predict(test))
    if task == "classification":
        np.testing.assert_allclose(ours.predict_proba(test), reference.predict_proba(test))
        assert list(ours.classes_) == list(reference.classes_)


def test_unknown_task_and_parameter_are_clear_errors():
    with pytest.raises(UnknownTaskError, match="task must be one of"):
        get_algorithm("knn").build({}, task="ranking")
    with pytest.raises(ValueError, match="unknown parameters for knn"):
        get_algorithm("knn").build({"n_trees": 3}, task="classification")


def test_in_space_clips_and_skips():
    algorithm = get_algorithm("random_forest")
    kept = algorithm.in_space({"max_features": "sqrt", "n_estimators": 5000, "criterion": "gini",
                               "unknown": 1}, "classification")
    assert kept == {"n_estimators": 512, "criterion": "gini"}


def test_singleton_classes_do_not_break_the_svm():
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"a": rng.normal(size=40), "b": rng.normal(size=40)})
    y = pd.Series(["a"] * 20 + ["b"] * 19 + ["c"])
    pipeline = build_pipeline(default_configuration("svm", "classification"),
                              task="classification")
    proba = pipeline.fit(X, y).predict_proba(X)
    assert proba.shape == (40, 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)


def test_hist_gradient_boosting_on_large_tables_with_a_single_row_class():
    rng = np.random.default_rng(0)
    X = pd.DataFrame({"a": rng.normal(size=10_050)})
    y = pd.Series(["a"] * 5_000 + ["b"] * 5_049 + ["c"])
    pipeline = build_pipeline(default_configuration("hist_gradient_boosting", "classification"),
                              task="classification")
    pipeline.set_params(model__max_iter=5).fit(X, y)
    assert pipeline.predict_proba(X).shape == (10_050, 3)


def test_decimal_values_are_numbers_not_categories():
    # Parquet/SQL decimal columns arrive as objects holding decimal.Decimal
    from decimal import Decimal

    from knowledge_base.portfolio import TableCleaner

    X = pd.DataFrame({"price": [Decimal("1.50"), Decimal("2.25"), None, Decimal("10")]})
    cleaner = TableCleaner().fit(X)
    assert [kind for _, _, kind in cleaner.columns_] == ["numeric"]
    np.testing.assert_allclose(cleaner.transform(X).iloc[:, 0], [1.5, 2.25, np.nan, 10.0])


def test_categories_mostly_unseen_at_predict_time_are_warned_about():
    # zip codes fitted as '001', '002' and read from a new file as 1, 2 became unknown
    # categories, every one, without a word
    from knowledge_base.portfolio import TableCleaner

    rng = np.random.default_rng(0)
    fitted = pd.DataFrame({"zip": rng.choice(["001", "002", "003"], 200),
                           "id": [f"r{i}" for i in range(200)]})  # an identifier: not kept
    cleaner = TableCleaner().fit(fitted)
    new = pd.DataFrame({"zip": rng.choice([1, 2, 3], 50), "id": [f"q{i}" for i in range(50)]})
    with pytest.warns(UserWarning, match=r"column 'zip': 100% of its 50 values were never "
                                         r"seen at fit \('\d'.*fitted: '001', '002', '003'"):
        cleaned = cleaner.transform(new)
    assert cleaned.iloc[:, 0].isin(["1", "2", "3"]).all()  # still passed on, as unknown
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        cleaner.transform(fitted.head(60))  # known values, a new identifier: no warning
        cleaner.transform(new.head(10))  # too few values to tell


def test_arrow_backed_tables_and_durations_become_numbers():
    # pd.read_parquet(..., dtype_backend="pyarrow") gives Arrow types; nanosecond timestamps
    # once overflowed Arrow's float division, and durations were used as text categories
    import datetime as dt

    import pyarrow as pa

    from knowledge_base.portfolio import TableCleaner

    stamps = pd.date_range("2020-01-01", periods=3, freq="D")
    X = pd.DataFrame({
        "ns": pd.array(stamps, dtype=pd.ArrowDtype(pa.timestamp("ns"))),
        "tz": pd.array(stamps.tz_localize("UTC"), dtype=pd.ArrowDtype(pa.timestamp("us", "UTC"))),
        "date": pd.array([dt.date(2020, 1, 1), None, dt.date(2020, 1, 3)],
                         dtype=pd.ArrowDtype(pa.date32())),
        "far": np.array(["2020-01-01", "3000-01-01", "NaT"], dtype="datetime64[us]"),
        "delta": pd.to_timedelta([1.5, None, 3], unit="s"),
        "arrow_delta": pd.array([dt.timedelta(seconds=1), dt.timedelta(minutes=1), None],
                                dtype=pd.ArrowDtype(pa.duration("us"))),
    })
    cleaner = TableCleaner().fit(X)
    assert [kind for _, _, kind in cleaner.columns_] == ["datetime"] * 4 + ["duration"] * 2
    out = cleaner.transform(X)
    day = 86_400.0
    np.testing.assert_allclose(out.iloc[:, 0], [1_577_836_800 + i * day for i in range(3)])
    np.testing.assert_allclose(out.iloc[:, 1], out.iloc[:, 0])
    np.testing.assert_allclose(out.iloc[:, 2], [1_577_836_800, np.nan, 1_577_836_800 + 2 * day])
    np.testing.assert_allclose(out.iloc[:, 3], [1_577_836_800, 32_503_680_000, np.nan])
    np.testing.assert_allclose(out.iloc[:, 4], [1.5, np.nan, 3.0])
    np.testing.assert_allclose(out.iloc[:, 5], [1.0, 60.0, np.nan])


@pytest.mark.parametrize("algorithm", ["linear", "random_forest"])
def test_category_codes_read_as_floats_at_predict_time_keep_their_levels(algorithm):
    # fitted on codes without a gap (ints as categories), predicting rows read with a
    # missing cell (the same codes as floats): 1.0 once became the unknown level '1.0'
    rng = np.random.default_rng(0)
    codes = rng.integers(1, 4, 200)
    from knowledge_base.portfolio import TableCleaner

    X = pd.DataFrame({"code": pd.Categorical(codes), "x": rng.normal(size=200)})
    y = np.where(codes == 2, "a", "b")
    pipeline = build_pipeline(default_configuration(algorithm, "classification"),
                              task="classification").fit(X, y)
    as_floats = X.assign(code=codes.astype(float))
    as_floats.loc[0, "code"] = np.nan
    expected = pipeline.predict_proba(X)[1:]
    np.testing.assert_allclose(pipeline.predict_proba(as_floats)[1:], expected)
    cleaner = TableCleaner().fit(X)  # the levels are the ints' text
    assert list(cleaner.transform(as_floats)["c0_code"][1:4]) == [str(c) for c in codes[1:4]]


def test_cells_that_do_not_read_as_the_fitted_kind_are_warned_about_at_predict_time():
    from knowledge_base.portfolio import TableCleaner

    X = pd.DataFrame({"n": [1.0, 2.0, 3.0, 1.0], "t": pd.date_range("2020", periods=4),
                      "d": pd.to_timedelta([1, 2, 3, 4], unit="s"),
                      "b": [True, False, True, False]})
    cleaner = TableCleaner().fit(X)
    as_text = pd.DataFrame({"n": ["1", "2,5", "n/a", None],
                            "t": ["2020-01-01", "garbage", None, "2020-02-01"],
                            "d": ["1s", "x", None, "2s"],
                            "b": ["True", "false", None, "maybe"]})  # booleans once crashed
    with pytest.warns(UserWarning) as caught:
        out = cleaner.transform(as_text)
    messages = [str(warning.message) for warning in caught]
    assert ("column 'n' was fitted as numbers, but 2 of its cells do not read as numbers "
            "('2,5', 'n/a'); they are treated as missing") in messages
    assert any(m.startswith("column 't' was fitted as dates, but 1 of") for m in messages)
    assert any(m.startswith("column 'd' was fitted as durations, but 1 of") for m in messages)
    assert any(m.startswith("column 'b' was fitted as booleans, but 1 of") for m in messages)
    np.testing.assert_allclose(out["c2_d"], [1.0, np.nan, np.nan, 2.0])
    np.testing.assert_allclose(out["c3_b"], [1.0, 0.0, np.nan, np.nan])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the table it was fitted on: nothing to say
        cleaner.transform(X)
        cleaner.transform(X.astype({"n": str, "b": str}))  # text that reads as the kind


def test_columns_are_matched_by_name_at_predict_time():
    # a pipeline fitted on a DataFrame predicts a table whose columns come in another
    # order, or with extra ones (the target, an id), as the table it was fitted on
    rng = np.random.default_rng(1)
    X = pd.DataFrame({"a": rng.normal(size=80), "b": rng.normal(size=80) * 100,
                      "c": rng.choice(["u", "v"], size=80)})
    y = (X["a"] > 0).astype(int)
    pipeline = build_pipeline(default_configuration("linear", "classification"),
                              task="classification").fit(X, y)
    expected = pipeline.predict_proba(X)
    reordered = X[["c", "b", "a"]].assign(target=y, id=np.arange(80))
    np.testing.assert_allclose(pipeline.predict_proba(reordered), expected)
    with pytest.raises(ValueError, match=r"X lacks 1 column\(s\) the pipeline was fitted "
                                         r"on: 'b'"):
        pipeline.predict(X.drop(columns="b"))
    np.testing.assert_allclose(pipeline.predict_proba(X.to_numpy()), expected)  # by position
    # duplicated names (messy_table has two 'num'): matched by position, as before
    messy = messy_table().iloc[:, [0, 1, 2, 4, 5, 6, 7, 8, 9, 10]]  # without "huge"
    fitted = build_pipeline(default_configuration("random_forest", "classification"),
                            task="classification").fit(messy, targets()["classification"])
    assert fitted.predict(messy).shape == (60,)


@settings(max_examples=12, deadline=None, derandomize=True)
@given(seed=st.integers(0, 2**16), n_extra=st.integers(0, 3),
       algorithm=st.sampled_from(["linear", "random_forest", "knn"]))
def test_predictions_do_not_depend_on_the_column_order(seed, n_extra, algorithm):
    rng = np.random.default_rng(seed)
    X = messy_table(seed=seed % 7).iloc[:, [0, 1, 2, 4, 5, 6, 7, 8]]  # unique names
    y = targets(seed=seed % 7)["regression"]
    pipeline = build_pipeline(default_configuration(algorithm, "regression"),
                              task="regression").fit(X, y)
    shuffled = X.iloc[:, rng.permutation(X.shape[1])]
    for i in range(n_extra):
        shuffled = shuffled.assign(**{f"extra{i}": rng.normal(size=len(X))})
    np.testing.assert_allclose(pipeline.predict(shuffled), pipeline.predict(X))


def _column(kind: str, n: int, rng: np.random.Generator) -> pd.Series:
    gaps = (rng.random(n) < 0.3) & (np.arange(n) % 2 == 1)  # odd rows only
    if kind == "number":
        return pd.Series(rng.normal(size=n) * 10.0 ** rng.integers(-3, 4)).mask(gaps)
    if kind == "whole":
        return pd.Series(rng.integers(-5, 50, n))
    if kind == "codes":  # category codes, a gap makes them floats in a CSV
        return pd.Series(pd.Categorical(rng.integers(1, 9, n))).mask(gaps)
    if kind == "text":
        return pd.Series(rng.choice(["red", "green", "blue"], n), dtype=object).mask(gaps)
    if kind == "boolean":
        return pd.Series(rng.random(n) < 0.5)
    if kind == "boolean_gaps":
        return pd.Series(rng.random(n) < 0.5, dtype=object).mask(gaps)
    if kind == "datetime":
        return pd.Series(pd.Timestamp("2019-06-01") + pd.to_timedelta(
            rng.integers(0, 10**8, n), unit="s")).mask(gaps)
    if kind == "aware":
        return pd.Series(pd.date_range("2020-03-28", periods=n, freq="h", tz="Europe/Paris"))
    return pd.Series(pd.to_timedelta(rng.integers(0, 10**5, n), unit="s"))  # duration


KINDS = ["number", "whole", "codes", "text", "boolean", "boolean_gaps", "datetime", "aware",
         "duration"]


@settings(max_examples=30, deadline=None, derandomize=True)
@given(kinds=st.lists(st.sampled_from(KINDS), min_size=1, max_size=6),
       n_rows=st.integers(10, 80), seed=st.integers(0, 2**16))
def test_a_table_saved_to_csv_and_read_back_is_cleaned_as_the_table_itself(kinds, n_rows,
                                                                             seed):
    # fitted on gap-free rows of a DataFrame, predicting every row from a CSV (pd.read_csv:
    # datetimes, durations and booleans come back as text, category codes with a gap as
    # floats): each row is cleaned as it was at fit, with no warning
    import io

    from knowledge_base.portfolio import TableCleaner

    rng = np.random.default_rng(seed)
    X = pd.DataFrame({f"{kind}{i}": _column(kind, n_rows, rng) for i, kind in enumerate(kinds)})
    fitted = X.iloc[::2]  # even rows: no gaps
    cleaner = TableCleaner().fit(fitted)
    buffer = io.StringIO()
    X.to_csv(buffer, index=False)
    buffer.seek(0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # every cell reads as its fitted kind
        read_back = cleaner.transform(pd.read_csv(buffer))
    same = {"check_exact": False, "rtol": 1e-12, "check_dtype": False}
    pd.testing.assert_frame_equal(read_back.iloc[::2], cleaner.transform(fitted), **same)
    pd.testing.assert_frame_equal(read_back, cleaner.transform(X), **same)


def _clipped_neighbours():
    from knowledge_base.portfolio._neighbors import (
        ClippedKNeighborsClassifier,
        ClippedKNeighborsRegressor,
    )
    return [ClippedKNeighborsClassifier(), ClippedKNeighborsRegressor()]


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.SkipTestWarning")
def test_clipped_neighbours_pass_scikit_learns_estimator_checks():
    from sklearn.utils.estimator_checks import check_estimator

    for estimator in _clipped_neighbours():
        failed = [(result["check_name"], str(result["exception"]))
                  for result in check_estimator(estimator, on_fail=None)
                  if result["status"] == "failed"]
        assert failed == [], type(estimator).__name__


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.SkipTestWarning")
def test_the_calibrated_svm_passes_scikit_learns_estimator_checks():
    # it had no n_features_in_ and refused sample_weight (scikit-learn's SVC takes it)
    from sklearn.utils.estimator_checks import check_estimator

    from knowledge_base.portfolio._svm import CalibratedSVC

    expected = {"check_sample_weight_equivalence_on_dense_data":
                "the calibration folds split repeated rows, which a weight cannot"}
    failed = [result["check_name"] for result in check_estimator(
        CalibratedSVC(), on_fail=None, expected_failed_checks=expected)
        if result["status"] == "failed"]
    assert failed == []
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 2))
    y = np.where(X[:, 0] + 0.3 * rng.normal(size=60) > 0, "a", "b")
    weights = np.where(y == "a", 10.0, 0.1)
    pipeline = build_pipeline(default_configuration("svm", "classification"),
                              task="classification")
    weighted = pipeline.fit(pd.DataFrame(X), y, model__sample_weight=weights)
    assert (weighted.predict(pd.DataFrame(X)) == "a").mean() > (y == "a").mean()


def test_a_fitted_pipeline_keeps_the_feature_names_and_refuses_sparse_input_clearly():
    # Pipeline.feature_names_in_ raised AttributeError; a sparse matrix failed inside
    # pandas with "Must pass 2-d input. shape=()"
    import scipy.sparse

    X = messy_table(n=40).iloc[:, :4].set_axis(["a", "b", "c", "d"], axis=1)
    y = targets(n=40)["classification"]
    pipeline = build_pipeline(default_configuration("linear", "classification"),
                              task="classification").fit(X, y)
    assert list(pipeline.feature_names_in_) == ["a", "b", "c", "d"]
    numbers = X[["a", "b"]].fillna(0).replace([np.inf, -np.inf], 0).to_numpy()
    with pytest.raises(TypeError, match=r"sparse matrix \(csr_matrix\) is not supported"):
        pipeline.fit(scipy.sparse.csr_matrix(numbers), y)
    assert not hasattr(pipeline.fit(numbers, y), "feature_names_in_")  # an array: none


@pytest.mark.parametrize("task", TASKS)
def test_a_full_batch_mlp_cross_validates_without_a_warning_per_fold(task):
    # batch_size adapted to the whole table (all its rows) made scikit-learn warn "Got
    # `batch_size` ... larger than sample size. It is going to be clipped" in every fold
    from sklearn.model_selection import KFold, cross_val_score

    X = messy_table(n=50)
    y = targets(n=50)[task]
    config = Configuration("mlp", {"n_layers": 1, "n_units": 16, "batch_size": 200,
                                   "learning_rate_init": 1e-4})  # slow: will not converge
    pipeline = build_pipeline(config, task=task, n_samples=len(X), n_features=X.shape[1])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        cross_val_score(pipeline, X, y, cv=KFold(3, shuffle=True, random_state=0),
                        error_score="raise")
    assert not [w for w in caught if "batch_size" in str(w.message)]
    assert any("converge" in str(w.message) for w in caught)  # other warnings still shown


def test_text_dates_at_transform_are_read_as_the_fitted_dates_were():
    # a new file whose dates all have day <= 12 stays text (read_table cannot tell day
    # from month); pandas then read '05/02/2023' as 2 May where the fitted file meant
    # 5 February (predictions off by months, without a word)
    fitted = pd.DataFrame({"visit": pd.to_datetime(["13/01/2023", "28/02/2023", "03/03/2023"],
                                                   format="%d/%m/%Y"), "x": [1.0, 2.0, 3.0]})
    new = pd.DataFrame({"visit": ["05/02/2023", "01/03/2023", None], "x": [0.0, 0.0, 0.0]})
    february_5 = pd.Timestamp("2023-02-05").timestamp()
    fitted.attrs[DATE_FORMATS] = {"visit": "%d/%m/%Y"}  # as read_table records it
    cleaner = TableCleaner().fit(fitted)
    seconds = cleaner.transform(new).iloc[:, 0]
    assert seconds.iloc[0] == february_5
    assert seconds.iloc[1] == pd.Timestamp("2023-03-01").timestamp() and np.isnan(seconds.iloc[2])
    # without a recorded format: the values decide when they can ...
    fitted.attrs.clear()  # a table from pd.read_csv(parse_dates=...)
    cleaner = TableCleaner().fit(fitted)
    telling = new.assign(visit=["05/02/2023", "13/03/2023", None])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert cleaner.transform(telling).iloc[0, 0] == february_5
    # ... and say so when they cannot
    with pytest.warns(UserWarning, match="could be either way round .*read month first"):
        cleaner.transform(new)


@pytest.mark.parametrize("task", TASKS)
def test_a_bootstrapped_forest_adapted_to_its_training_rows_splits(task):
    # leaf and split sizes count distinct rows, about 63 % of a bootstrap sample: on 10
    # rows min_samples_split=9 (valid for 10 rows) left every tree a single leaf
    X = messy_table(n=10)
    y = targets(n=10)[task]
    for config in (Configuration("random_forest", {"min_samples_split": 9,
                                                   "min_samples_leaf": 5}),
                   Configuration("extra_trees", {"min_samples_split": 9, "min_samples_leaf": 5,
                                                 "bootstrap": True})):
        pipeline = build_pipeline(config, task=task, n_samples=len(X), n_features=X.shape[1])
        fitted = pipeline.fit(X, y)
        predicted = fitted.predict_proba(X)[:, 0] if task == "classification" else \
            fitted.predict(X)
        assert np.ptp(predicted) > 0, config.algorithm  # not a constant


def test_cleaning_is_column_by_column_whatever_the_mix_of_kinds():
    # numbers are cleaned as one block (a 20,000-column table once took seconds column by
    # column): every column must come out as it does when cleaned alone, in its place
    from knowledge_base.portfolio import TableCleaner

    rng = np.random.default_rng(0)
    n = 40
    X = pd.DataFrame({
        "f": rng.normal(size=n), "word": rng.choice(["x", "y"], n),
        "inf": np.r_[np.inf, -np.inf, 1e300, rng.normal(size=n - 3)],
        "all_missing": np.nan, "constant": 3.0,
        "constant_with_gaps": np.r_[np.nan, np.full(n - 1, 2.0)],
        "nullable": pd.array(np.r_[pd.NA, rng.integers(0, 5, n - 1)], dtype="Int64"),
        "arrow": pd.array(rng.normal(size=n), dtype="float64[pyarrow]"),
        "flag": rng.random(n) > 0.5, "when": pd.date_range("2020", periods=n),
    })
    cleaner = TableCleaner().fit(X)
    out = cleaner.transform(X)
    kept = ["f", "word", "inf", "constant_with_gaps", "nullable", "arrow", "flag", "when"]
    assert list(out.columns) == [f"c{list(X.columns).index(c)}_{c}" for c in kept]
    for name, cleaned in zip(kept, out.columns, strict=True):
        alone = TableCleaner().fit_transform(X[[name]]).iloc[:, 0]
        pd.testing.assert_series_equal(out[cleaned], alone, check_names=False)
    assert out["c2_inf"].iloc[:3].isna().tolist() == [True, True, False]
    assert out["c2_inf"].iloc[2] == np.finfo(np.float32).max
    # the numeric block also when a fitted column arrives as text (a CSV read anew)
    as_text = X.assign(f=X["f"].astype(str))
    np.testing.assert_allclose(cleaner.transform(as_text)["c0_f"], out["c0_f"], rtol=1e-12)


def test_fit_transform_reads_each_column_once_and_gives_what_transform_gives():
    # text columns are taken as they are and categoricals through their categories; other
    # object columns cell by cell: all must read as they did cell by cell
    from knowledge_base.portfolio import TableCleaner

    n = 30
    rng = np.random.default_rng(1)
    X = pd.DataFrame({
        "codes": pd.Categorical(rng.choice([1.0, np.inf, 2.5], n)),  # inf: missing
        "ints": pd.Categorical(rng.choice([1, 2, 3], n)),
        "bytes": rng.choice(np.array([b"a", b"b", None], dtype=object), n),
        "mixed": np.array([True, 1, "1", 1.0, None, np.inf] * 5, dtype=object),
        "arrow": pd.array(rng.choice(["x", "y", None], n), dtype="string[pyarrow]"),
        "text": np.array(rng.choice(["x", "y", None], n), dtype=object),
        "x": rng.normal(size=n),
    })
    X.loc[0, "ints"] = np.nan
    cleaner = TableCleaner()
    once = cleaner.fit_transform(X)
    pd.testing.assert_frame_equal(once, cleaner.transform(X))
    assert set(once["c0_codes"].dropna()) == {"1", "2.5"} and once["c0_codes"].isna().any()
    assert pd.isna(once["c1_ints"].iloc[0]) and set(once["c1_ints"][1:]) <= {"1", "2", "3"}
    assert set(once["c2_bytes"].dropna()) <= {"a", "b"}
    assert once["c3_mixed"].tolist()[:6] == ["True", "1", "1", "1", np.nan, np.nan]
    assert once["c4_arrow"].isna().sum() == X["arrow"].isna().sum()


def test_cleaning_leaves_the_users_table_as_it_was():
    # infinities become missing and huge numbers are clipped in place, on arrays of the
    # cleaner's own: never in a view of the table it was given
    from knowledge_base.portfolio import TableCleaner

    X = pd.DataFrame({"a": [1.0, np.inf, 3e300, 4.0], "b": [1, 2, 3, 4],
                      "c": ["x", "y", "x", "y"]})
    as_text = X.astype({"a": str})
    before, text_before = X.copy(), as_text.copy()
    cleaner = TableCleaner()
    cleaner.fit_transform(X)
    cleaner.transform(X)
    cleaner.transform(as_text)
    pd.testing.assert_frame_equal(X, before)
    pd.testing.assert_frame_equal(as_text, text_before)
