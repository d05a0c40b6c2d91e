"""Tests of the meta-model: targets, the estimator contract, predictions, novelty."""

from __future__ import annotations

import json

import joblib
import numpy as np
import pandas as pd
import pytest
from scipy.stats import spearmanr
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from autometa._exceptions import AutometaError, InvalidInputError
from autometa._metamodel import MetaModel
from autometa._targets import normalize_scores, resolve_metric
from autometa._testing import synthetic_knowledge_base
from knowledge_base import KnowledgeBase
from knowledge_base.portfolio import (
    algorithm_names,
    default_configuration,
    fit_time_column_exponent,
    fit_time_exponent,
    fit_time_overhead_rows,
    sample_configurations,
)

SMALL = {"n_members": 3, "n_rounds": 60, "min_child_samples": 10}


# ------------------------------------------------------------------ fixtures
def _structured_metadata(n_datasets: int, *, seed: int, offset: int = 0):
    """Meta-features, scores with a learnable structure, configs and fit times."""
    rng = np.random.default_rng(seed)
    ids = [f"d{offset + i}" for i in range(n_datasets)]
    mf = pd.DataFrame(rng.normal(size=(n_datasets, 6)), index=ids,
                      columns=[f"mf{j}" for j in range(6)])
    mf["NumberOfInstances"] = np.round(10 ** rng.uniform(2, 4, n_datasets))
    mf["NumberOfFeatures"] = np.round(10 ** rng.uniform(0.5, 2, n_datasets))
    configs = {}
    for name in algorithm_names():
        for config in ([default_configuration(name, "classification")]
                       + sample_configurations(name, "classification", 4, seed=1)):
            configs[config.config_id] = config
    config_ids = list(configs)
    code = np.array([algorithm_names().index(configs[c].algorithm) for c in config_ids])
    # which algorithm wins depends on mf0 and mf1
    effect = np.cos(mf[["mf0"]].to_numpy() * (1 + code[None, :] % 3) + code[None, :])
    effect += 0.5 * mf[["mf1"]].to_numpy() * np.where(code[None, :] % 2 == 0, 1.0, -1.0)
    config_noise = np.random.default_rng(99).normal(scale=0.2, size=(1, len(config_ids)))
    scores = 0.8 + 0.05 * (effect + config_noise + rng.normal(scale=0.05, size=effect.shape))
    scores = pd.DataFrame(scores, index=ids, columns=config_ids)
    # seconds ~ (rows + overhead) ** exponent * columns ** column exponent: linear in rows,
    # about quadratic for the SVM; linear in columns, less for sqrt(columns) forests
    exponents = np.array([fit_time_exponent(configs[c].algorithm) for c in config_ids])
    overheads = np.array([fit_time_overhead_rows(configs[c].algorithm) for c in config_ids])
    column_exponents = np.array([fit_time_column_exponent(configs[c]) for c in config_ids])
    times = pd.DataFrame(1e-4 * (1 + code) * (mf[["NumberOfInstances"]].to_numpy()
                                              + overheads) ** exponents
                         * mf[["NumberOfFeatures"]].to_numpy() ** column_exponents,
                         index=ids, columns=config_ids)
    return mf, scores, configs, times


@pytest.fixture(scope="module")
def metadata():
    return _structured_metadata(60, seed=0)


@pytest.fixture(scope="module")
def fitted(metadata):
    mf, scores, configs, times = metadata
    return MetaModel(**SMALL).fit_tables(mf, scores, configs, fit_times=times)


@pytest.fixture(scope="module")
def tiny_kb() -> KnowledgeBase:
    return synthetic_knowledge_base(n_classification=8, n_regression=6, seed=1)


# -------------------------------------------------------------- normalisation
def test_normalize_minmax_maps_best_to_one_and_worst_to_zero():
    scores = pd.DataFrame({"a": [0.9, 0.5], "b": [0.8, 0.7], "c": [0.7, 0.6]}, index=["x", "y"])
    out = normalize_scores(scores)
    assert out.loc["x"].tolist() == pytest.approx([1.0, 0.5, 0.0])
    assert out.loc["y"].tolist() == pytest.approx([0.0, 1.0, 0.5])


def test_normalize_lower_is_better_and_failures():
    scores = pd.DataFrame({"a": [1.0], "b": [3.0], "c": [np.nan], "d": [np.nan]})
    failures = pd.DataFrame({"a": [False], "b": [False], "c": [True], "d": [False]})
    out = normalize_scores(scores, higher_is_better=False, failures=failures).iloc[0]
    assert out["a"] == 1.0 and out["b"] == 0.0
    assert out["c"] == 0.0  # a failure is the worst result
    assert np.isnan(out["d"])  # not evaluated stays unknown


def test_normalize_clips_a_catastrophic_outlier():
    values = [0.90, 0.89, 0.88, 0.87, 0.10]
    out = normalize_scores(pd.DataFrame([values])).iloc[0].to_numpy()
    assert out[-1] == 0.0
    # the others keep a spread instead of being squashed near 1
    assert out[3] < 0.9
    assert np.all(np.diff(out) <= 0)


def test_normalize_constant_dataset_is_uninformative():
    out = normalize_scores(pd.DataFrame([[0.7, 0.7, 0.7]]))
    assert out.isna().all().all()


def test_normalize_rank_method():
    out = normalize_scores(pd.DataFrame([[0.1, 0.3, 0.2, np.nan]]), method="rank").iloc[0]
    assert out.iloc[:3].tolist() == pytest.approx([0.0, 1.0, 0.5])
    assert np.isnan(out.iloc[3])
    with pytest.raises(InvalidInputError, match="normalization"):
        normalize_scores(pd.DataFrame([[1.0]]), method="zscore")


# ---------------------------------------------------------- estimator contract
def test_init_only_stores_parameters():
    model = MetaModel(n_members=2, neighbor_weight=0.3)
    assert model.get_params()["n_members"] == 2
    assert model.get_params()["neighbor_weight"] == 0.3
    assert not [key for key in vars(model) if key.endswith("_")]
    assert clone(model).get_params() == model.get_params()


def test_predict_before_fit_raises():
    with pytest.raises(NotFittedError):
        MetaModel().predict(pd.Series({"mf0": 1.0}))


def test_metafeatures_sharing_no_name_with_the_model_are_refused(fitted, metadata):
    # all unknown, they used to be imputed into a confident prediction for a "typical"
    # dataset
    with pytest.raises(InvalidInputError, match="share no name with the meta-features"):
        fitted.predict(pd.Series({"NumberOfRows": 100.0, "foo": 1.0}))
    some = metadata[0].iloc[0].iloc[:2]  # two known names: the others are unknown
    assert len(fitted.predict(some)) == len(fitted.config_ids_)


def test_fit_returns_self_and_sets_fitted_attributes(metadata):
    mf, scores, configs, _ = metadata
    model = MetaModel(**SMALL)
    assert model.fit_tables(mf, scores, configs) is model
    for name in ("members_", "targets_", "configs_", "metafeature_names_", "static_scores_",
                 "novelty_threshold_", "neighbor_weight_", "uncertainty_scale_"):
        assert hasattr(model, name)
    assert len(model.members_) == SMALL["n_members"]
    assert model.time_model_ is None  # no fit times given
    assert 0.0 <= model.neighbor_weight_ <= 1.0


@pytest.mark.parametrize("params, match", [
    ({"n_members": 0}, "n_members"), ({"neighbor_weight": 2.0}, "neighbor_weight"),
    ({"normalization": "z"}, "normalization"), ({"min_coverage": 1.5}, "min_coverage"),
])
def test_invalid_parameters_are_named(metadata, params, match):
    mf, scores, configs, _ = metadata
    with pytest.raises(InvalidInputError, match=match):
        MetaModel(**params).fit_tables(mf, scores, configs)


def test_fit_tables_validates_alignment(metadata):
    mf, scores, configs, _ = metadata
    with pytest.raises(InvalidInputError, match="no meta-features"):
        MetaModel(**SMALL).fit_tables(mf.iloc[:5], scores, configs)
    with pytest.raises(InvalidInputError, match="configs lacks"):
        MetaModel(**SMALL).fit_tables(mf, scores, dict(list(configs.items())[:3]))
    with pytest.raises(InvalidInputError, match="at least 3 datasets"):
        MetaModel(**SMALL).fit_tables(mf.iloc[:2], scores.iloc[:2], configs)
    with pytest.raises(InvalidInputError, match="DataFrame"):
        MetaModel(**SMALL).fit_tables(mf.to_numpy(), scores, configs)


# ------------------------------------------------------------------ predictions
def test_predictions_rank_configurations_on_new_datasets(fitted):
    mf, scores, _, _ = _structured_metadata(8, seed=1, offset=1000)
    truth = normalize_scores(scores)
    predictions = fitted.predict(mf)
    assert len(predictions) == len(mf) * len(fitted.config_ids_)
    correlations = []
    for dataset, rows in predictions.groupby("dataset"):
        correlations.append(spearmanr(rows["predicted_score"],
                                      truth.loc[dataset, rows["config_id"]]).statistic)
    assert np.mean(correlations) > 0.5
    assert predictions["predicted_score"].between(0, 1).all()
    assert (predictions["uncertainty"] > 0).all() and np.isfinite(predictions["uncertainty"]).all()


def test_single_series_input_and_columns(fitted, metadata):
    mf = metadata[0]
    row = mf.iloc[0].rename("mine")
    predictions = fitted.predict(row)
    assert list(predictions.columns) == [
        "dataset", "config_id", "algorithm", "predicted_score", "uncertainty",
        "expected_fit_time", "model_score", "neighbor_score", "novel", "distance"]
    assert set(predictions["dataset"]) == {"mine"}
    assert predictions["config_id"].tolist() == fitted.config_ids_
    # a training dataset is its own nearest neighbour
    assert predictions["distance"].iloc[0] == pytest.approx(0.0)
    # extra names are ignored, missing names are unknown (NaN), not an error
    noisy = row.drop("mf5").rename({"mf4": "unrelated"})
    assert len(fitted.predict(noisy)) == len(fitted.config_ids_)


def test_expected_fit_time_grows_with_rows(metadata):
    mf, scores, configs, times = metadata
    model = MetaModel(**SMALL).fit_tables(mf, scores, configs, fit_times=times)
    row = mf.iloc[0].copy()
    small = model.predict(row.copy().replace({row["NumberOfInstances"]: 200.0}))
    big_row = row.copy()
    big_row["NumberOfInstances"] = 9000.0
    big = model.predict(big_row)
    assert (small["expected_fit_time"] > 0).all()
    assert big["expected_fit_time"].median() > 3 * small["expected_fit_time"].median()


def test_expected_fit_time_extrapolates_beyond_the_timed_tables(fitted, metadata):
    # the training tables have at most 10,000 rows and fit times ~ (rows + overhead) **
    # exponent (linear; about quadratic for the SVM); a table 100 times larger is predicted
    # to take that much longer, not as long as the largest timed one
    mf, _, configs, times = metadata
    big_row = mf.iloc[0].copy()
    big_row["NumberOfInstances"] = 1e6
    predicted = fitted.predict(big_row).set_index("config_id")["expected_fit_time"]
    exponents = pd.Series({cid: fit_time_exponent(config.algorithm)
                           for cid, config in configs.items()}).reindex(predicted.index)
    overheads = pd.Series({cid: fit_time_overhead_rows(config.algorithm)
                           for cid, config in configs.items()}).reindex(predicted.index)
    rows = mf.iloc[0]["NumberOfInstances"]
    truth = times.iloc[0].reindex(predicted.index) * (
        (1e6 + overheads) / (rows + overheads)) ** exponents
    ratio = predicted / truth
    assert ratio.between(0.5, 2.0).all(), ratio.describe()
    assert (exponents > 1.5).any()  # the SVM's configurations are among them


def test_expected_fit_time_extrapolates_to_wider_tables(fitted, metadata):
    # the training tables have at most 100 columns and fit times ~ columns ** e (1 for most
    # configurations; less for forests drawing sqrt(columns) per split, and MLPs); a table
    # of 10,000 columns is predicted to take that much longer, not as long as the widest
    mf, _, configs, times = metadata
    wide_row = mf.iloc[0].copy()
    wide_row["NumberOfFeatures"] = 1e4
    predicted = fitted.predict(wide_row).set_index("config_id")["expected_fit_time"]
    exponents = pd.Series({cid: fit_time_column_exponent(config)
                           for cid, config in configs.items()}).reindex(predicted.index)
    truth = times.iloc[0].reindex(predicted.index) * (
        1e4 / mf.iloc[0]["NumberOfFeatures"]) ** exponents
    ratio = predicted / truth
    assert ratio.between(0.5, 2.0).all(), ratio.describe()
    assert (exponents < 1).any() and (exponents == 1).any()
    # within the widest timed table the trees alone decide
    widest = mf["NumberOfFeatures"].max()
    assert set(fitted.time_model_.widest_columns.values()) == {widest}
    inside = mf.iloc[0].copy()
    inside["NumberOfFeatures"] = widest
    at_widest = fitted.predict(inside).set_index("config_id")["expected_fit_time"]
    beyond = (predicted / at_widest.reindex(predicted.index))
    expected = (1e4 / widest) ** exponents
    assert np.allclose(beyond, expected, rtol=1e-6)


def test_unknown_configurations_are_scored_by_the_model(fitted, metadata):
    new = sample_configurations("lightgbm", "classification", 3, seed=123)
    row = metadata[0].iloc[2]
    predictions = fitted.predict(row, configs=new)
    assert not predictions["novel"].any()
    assert predictions["config_id"].tolist() == [config.config_id for config in new]
    assert predictions["neighbor_score"].isna().all()
    assert np.allclose(predictions["predicted_score"], predictions["model_score"])
    with pytest.raises(InvalidInputError, match="unknown config id"):
        fitted.predict(row, configs=["nope"])
    with pytest.raises(InvalidInputError, match="metafeatures must be"):
        fitted.predict([1.0, 2.0])


def test_far_table_falls_back_to_the_static_portfolio(fitted, metadata):
    mf = metadata[0]
    far = mf.iloc[0] * 1e6 + 1e6
    novelty = fitted.novelty(far)
    assert bool(novelty["novel"].iloc[0])
    predictions = fitted.predict(far)
    assert predictions["novel"].all()
    static = fitted.static_scores_.loc[predictions["config_id"], "score"].to_numpy()
    assert np.allclose(predictions["predicted_score"], np.clip(static, 0, 1))
    # unseen configurations on a novel table: average of the model over training datasets
    unseen = fitted.predict(far, configs=sample_configurations("knn", "classification", 2,
                                                               seed=5))
    assert unseen["predicted_score"].notna().all()
    # a training-like table is not novel
    assert not fitted.novelty(mf.iloc[3])["novel"].iloc[0]


def test_neighbors_and_contributions(fitted, metadata):
    mf = metadata[0]
    neighbors = fitted.neighbors(mf.iloc[4], k=3)
    assert neighbors["dataset_id"].iloc[0] == mf.index[4]
    assert neighbors["distance"].is_monotonic_increasing
    assert neighbors["similarity"].iloc[0] == pytest.approx(1.0)
    contributions = fitted.contributions(mf.iloc[4], fitted.config_ids_[:5])
    predictions = fitted.predict(mf.iloc[4], configs=fitted.config_ids_[:5])
    assert np.allclose(contributions.sum(axis=1), predictions["model_score"], atol=1e-6)


def test_static_portfolio_is_shrunk_towards_the_mean(fitted):
    static = fitted.static_scores_
    overall = np.nanmean(fitted.targets_.to_numpy())
    raw = fitted.targets_.mean()
    assert ((static["score"] - overall).abs() <= (raw - overall).abs() + 1e-12).all()


def test_fit_is_deterministic_and_pickles(metadata, tmp_path):
    mf, scores, configs, _ = metadata
    first = MetaModel(**SMALL, random_state=3).fit_tables(mf, scores, configs)
    second = MetaModel(**SMALL, random_state=3).fit_tables(mf, scores, configs)
    row = mf.iloc[7] + 0.1
    pd.testing.assert_frame_equal(first.predict(row), second.predict(row))
    joblib.dump(first, tmp_path / "model.joblib")
    again = joblib.load(tmp_path / "model.joblib")
    pd.testing.assert_frame_equal(first.predict(row), again.predict(row))


def test_rank_normalisation_option(metadata):
    mf, scores, configs, _ = metadata
    model = MetaModel(**SMALL, normalization="rank").fit_tables(mf, scores, configs)
    values = model.targets_.to_numpy()
    assert np.nanmin(values) == 0.0 and np.nanmax(values) == 1.0


# ------------------------------------------------------------- knowledge base
def test_fit_from_knowledge_base(tiny_kb):
    model = MetaModel(**SMALL).fit(tiny_kb, task_type="classification")
    assert model.task_type_ == "classification"
    assert model.metric_ == "roc_auc"
    assert set(model.metrics_) == {"roc_auc"}
    assert len(model.datasets_) == 8
    assert "openml_adaboost" in model.algorithms_  # imported algorithms inform the model
    assert model.time_model_ is not None
    # the SVMs timed out on the largest table: counted as the worst result there
    largest = tiny_kb.datasets.query("task_type == 'classification'").sort_values(
        "n_rows").iloc[-1]
    if largest["n_rows"] >= 900:
        svm = [cid for cid, config in model.configs_.items() if config.algorithm == "svm"]
        assert (model.targets_.loc[largest["dataset_id"], svm] == 0.0).all()
    assert model.datasets_["name"].notna().all()


def test_fit_regression_default_metric_is_rmse(tiny_kb):
    model = MetaModel(**SMALL).fit(tiny_kb, task_type="regression")
    assert model.metric_ == "rmse" and not model.higher_is_better_
    r2 = MetaModel(**SMALL).fit(tiny_kb, task_type="regression", metric="r2")
    assert r2.metric_ == "r2" and r2.higher_is_better_


def test_metric_falls_back_per_dataset(tiny_kb):
    ids = tiny_kb.datasets.query("task_type == 'classification'")["dataset_id"].iloc[:3]
    evaluations = tiny_kb.evaluations.copy()
    evaluations.loc[evaluations["dataset_id"].isin(set(ids)), "roc_auc"] = np.nan
    kb = KnowledgeBase(datasets=tiny_kb.datasets, metafeatures=tiny_kb.metafeatures,
                       configurations=tiny_kb.configurations, evaluations=evaluations)
    model = MetaModel(**SMALL).fit(kb, task_type="classification")
    assert set(model.metrics_.loc[list(ids)]) == {"accuracy"}
    assert (model.metrics_.drop(list(ids)) == "roc_auc").all()


def test_fit_errors_are_clear(tiny_kb):
    with pytest.raises(InvalidInputError, match="KnowledgeBase"):
        MetaModel().fit("not a kb")
    with pytest.raises(InvalidInputError, match="task types"):
        MetaModel().fit(tiny_kb)
    with pytest.raises(InvalidInputError, match="unknown metric"):
        MetaModel().fit(tiny_kb, task_type="classification", metric="f1")
    with pytest.raises(InvalidInputError, match="does not apply"):
        MetaModel().fit(tiny_kb, task_type="classification", metric="rmse")
    with pytest.raises(InvalidInputError, match="task_type"):
        MetaModel().fit(tiny_kb, task_type="ranking")
    error = pytest.raises(InvalidInputError, MetaModel().fit, KnowledgeBase(),
                          task_type="classification")
    assert isinstance(error.value, AutometaError) and isinstance(error.value, ValueError)


def test_resolve_metric():
    assert resolve_metric("classification", None) == ("roc_auc", "accuracy")
    assert resolve_metric("regression", None) == ("rmse", "r2")
    assert resolve_metric("regression", "mae") == ("mae",)


def test_fit_is_fast_on_a_realistic_size():
    """A few hundred datasets x a few hundred configurations fit in tens of seconds."""
    import time

    mf, scores, configs, times = _structured_metadata(150, seed=4)
    start = time.perf_counter()
    model = MetaModel(n_members=3).fit_tables(mf, scores, configs, fit_times=times)
    assert time.perf_counter() - start < 60
    start = time.perf_counter()
    model.predict(mf.iloc[0] + 0.01)
    assert time.perf_counter() - start < 1.0
    json.dumps(model.get_params())


def test_metafeature_names_restrict_the_inputs(metadata):
    mf, scores, configs, times = metadata
    model = MetaModel(**SMALL, metafeature_names=["mf0", "mf1", "absent"]).fit_tables(
        mf, scores, configs, fit_times=times)
    assert model.metafeature_names_ == ["mf0", "mf1"]
    predictions = model.predict(mf.iloc[0])
    # the number of rows still feeds the fit-time model
    assert np.isfinite(predictions["expected_fit_time"]).all()
    with pytest.raises(InvalidInputError, match="none of metafeature_names"):
        MetaModel(metafeature_names=["absent"]).fit_tables(mf, scores, configs)
