"""Tests of ``autometa.recommend`` and ``Recommendation`` on a tiny synthetic knowledge base."""

from __future__ import annotations

import copy
import dataclasses
import json
import warnings
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest

import autometa
from autometa._cache import cache_dir, clear_cache, default_metamodel
from autometa._exceptions import AutometaError, InvalidInputError
from autometa._metamodel import MetaModel
from autometa._recommend import Explanation, Recommendation, _slow_configurations, recommend
from autometa._testing import make_table, synthetic_knowledge_base
from knowledge_base import KnowledgeBase
from knowledge_base.portfolio import ALGORITHMS, Configuration


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return synthetic_knowledge_base(n_classification=10, n_regression=8, seed=0)


@pytest.fixture(scope="module")
def kb_folder(kb, tmp_path_factory):
    return kb.save(tmp_path_factory.mktemp("kb") / "synthetic")


@pytest.fixture(autouse=True, scope="module")
def _private_cache(isolated_metamodel_cache):
    """Every test of this module uses its own meta-model cache."""


def _table(n_rows=300, n_features=8, *, task="classification", seed=11, n_classes=3):
    X, y = make_table(n_rows, n_features, task=task, seed=seed, n_classes=n_classes,
                      categorical=1)
    return X.assign(target=y)


@pytest.fixture(scope="module")
def classification(kb) -> Recommendation:
    return recommend(_table(), "target", kb=kb)


# --------------------------------------------------------------------- results
def test_public_names():
    assert autometa.recommend is recommend
    assert autometa.Recommendation is Recommendation
    assert autometa.MetaModel is MetaModel


def test_configs_table(classification):
    configs = classification.configs
    assert len(configs) == 10
    for column in ("rank", "algorithm", "params", "config_id", "kb_config_id",
                   "predicted_score", "uncertainty", "expected_fit_time"):
        assert column in configs.columns
    assert configs["rank"].tolist() == list(range(1, 11))
    assert set(configs["algorithm"]) <= set(ALGORITHMS)  # never openml_adaboost
    assert configs["config_id"].is_unique
    assert configs["predicted_score"].between(0, 1).all()
    assert (configs["uncertainty"] > 0).all()
    assert (configs["expected_fit_time"] > 0).all()
    for row in configs.itertuples():
        assert Configuration(row.algorithm, row.params).config_id == row.config_id
    assert classification.metric == "roc_auc" and classification.higher_is_better
    assert classification.task == "classification"
    assert (classification.n_samples, classification.n_features) == (300, 8)


def test_configs_are_a_diverse_portfolio(classification):
    configs = classification.configs
    assert configs["algorithm"].nunique() >= 3
    # the first pick is the best predicted candidate
    assert configs["predicted_score"].iloc[0] == classification.candidates[
        "predicted_score"].max()


def test_algorithms_table_ranks_every_portfolio_algorithm(classification):
    table = classification.algorithms
    assert sorted(table["algorithm"]) == sorted(ALGORITHMS)
    assert table["rank"].tolist() == list(range(1, len(ALGORITHMS) + 1))
    assert table["predicted_score"].is_monotonic_decreasing
    for column in ("uncertainty", "expected_fit_time", "n_configs"):
        assert table[column].notna().all()
    best = classification.candidates.groupby("algorithm")["predicted_score"].max()
    assert np.allclose(table.set_index("algorithm").loc[best.index, "predicted_score"], best)


def test_serialisation(classification):
    data = json.loads(json.dumps(classification.to_dict()))
    assert data["task"] == "classification" and data["metric"] == "roc_auc"
    assert len(data["configs"]) == 10 and isinstance(data["configs"][0]["params"], dict)
    frame = classification.to_frame()
    params = json.loads(frame["params"].iloc[0])
    assert params == classification.configs["params"].iloc[0]
    text = repr(classification)
    assert "Recommendation(classification, metric=roc_auc" in text
    assert classification.configs["algorithm"].iloc[0] in text


def test_configurations_are_indexed_by_any_integer(classification):
    # indices taken from rec.configs (rank - 1) are numpy integers
    first_ranks = classification.configs["rank"].to_numpy() - 1
    assert classification.configuration(first_ranks[1]) == classification.configuration(1)
    classification.pipeline(np.int64(0))
    for bad in (True, 1.0, -1, len(classification.configs)):
        with pytest.raises(InvalidInputError, match=r"i must be an integer in \[0, 10\), got"):
            classification.configuration(bad)


def test_plot_draws_every_scored_algorithm_and_numbers_the_configurations(classification,
                                                                        tmp_path):
    ax = classification.plot(tmp_path / "ranking.png")
    assert (tmp_path / "ranking.png").stat().st_size > 0
    scored = classification.algorithms.dropna(subset=["predicted_score"])
    bars = [patch.get_width() for patch in ax.patches]
    np.testing.assert_allclose(bars, scored["predicted_score"])
    assert sorted(int(text.get_text()) for text in ax.texts) == sorted(
        classification.configs["rank"])
    assert [label.get_text() for label in ax.get_yticklabels()] == list(scored["label"])


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # float32 sums inside scikit-learn
def test_a_feature_beyond_float32_is_noted_once_and_ranked(kb):
    table = _table().assign(huge=lambda t: (np.arange(len(t)) % 4 + 1) * 1e300)
    result = recommend(table, "target", kb=kb)
    assert result.notes == ["X contains 300 values beyond float32's range (|x| > 3.4e+38); "
                            "they are clipped to it."]
    assert result.algorithms["predicted_score"].notna().all()


def test_explain(classification, kb):
    explanation = classification.explain(n_neighbors=3, n_metafeatures=4)
    assert isinstance(explanation, Explanation)
    neighbors = explanation.neighbors
    assert len(neighbors) == 3
    assert set(neighbors["dataset_id"]) <= set(kb.datasets["dataset_id"])
    assert neighbors["similarity"].is_monotonic_decreasing
    assert set(neighbors["name"]) <= set(kb.datasets["name"])
    assert "openml_did" in neighbors.columns
    drivers = explanation.drivers
    assert len(drivers) == 4
    assert set(drivers["metafeature"]) <= set(classification.model.metafeature_names_)
    effects = drivers["ranking_effect"].abs().to_numpy()
    assert np.all(np.diff(effects) <= 1e-12)
    assert not explanation.novel
    json.dumps(explanation.to_dict())
    assert "most similar datasets" in repr(explanation)


def test_explain_names_the_best_algorithm_autometa_can_recommend(classification):
    # a neighbour where an imported learner outside the portfolio (OpenML's AdaBoost) did
    # best: the explanation names the best portfolio algorithm there, one a user can get
    model = copy.deepcopy(classification.model)
    nearest = classification.explain(n_neighbors=1).neighbors["dataset_id"].iloc[0]
    foreign = [c for c in model.targets_.columns if model.configs_[c].algorithm not in ALGORITHMS]
    assert foreign
    row = model.targets_.loc[nearest]
    ours = row.drop(index=foreign).dropna()
    model.targets_.loc[nearest, foreign[0]] = row.max() + 1.0
    explained = dataclasses.replace(classification, model=model).explain(n_neighbors=1)
    best = explained.neighbors["best_algorithm"].iloc[0]
    assert best == model.configs_[ours.idxmax()].algorithm
    assert best in ALGORITHMS


def test_pipelines_on_a_tiny_table_split_in_the_folds_of_a_users_cv(kb):
    # sizes adapted to the whole table (15 rows: min_samples_split=11) fit it, but a 3-fold
    # CV trains on 10 rows, where every tree was a single leaf (a constant prediction)
    from sklearn.model_selection import KFold

    table = _table(15, 4, task="regression", seed=5)
    rec = recommend(table, "target", kb=kb)
    forest = {"n_estimators": 10, "min_samples_split": 11, "min_samples_leaf": 5,
              "bootstrap": False}
    configs = rec.configs.head(1).assign(algorithm="extra_trees", params=[forest])
    tiny = dataclasses.replace(rec, configs=configs)
    X, y = table.drop(columns="target"), table["target"]
    for train, _ in KFold(3).split(X):
        fitted = tiny.pipeline(0).fit(X.iloc[train], y.iloc[train])
        assert np.ptp(fitted.predict(X)) > 0  # the trees split
    assert tiny.pipeline(0).get_params()["model__min_samples_split"] == 9  # 10 rows - 1


def test_pipeline_fits_the_raw_table():
    X, y = make_table(120, 5, task="classification", seed=3, n_classes=2, categorical=2,
                      missing=0.1)
    rec = recommend(X.assign(label=y), "label", kb=None, model=default_metamodel(
        synthetic_knowledge_base(n_classification=5, n_regression=3, seed=2),
        task="classification"), n_configs=3)
    for i in range(3):
        pipe = rec.pipeline(i)
        pipe.fit(X, y)
        assert pipe.predict(X).shape == (120,)
    with pytest.raises(InvalidInputError, match="i must be"):
        rec.pipeline(3)


def _small_table(n_rows: int, n_classes: int) -> tuple[pd.DataFrame, pd.Series]:
    rng = np.random.default_rng(n_rows)
    X = pd.DataFrame({"a": rng.normal(size=n_rows), "b": rng.normal(size=n_rows),
                      "c": pd.Categorical(rng.choice(["u", "v"], n_rows))})
    y = pd.Series(np.repeat([f"k{i}" for i in range(n_classes)], n_rows // n_classes))
    return X, y


def _check_all_fit(rec: Recommendation, X: pd.DataFrame, y: pd.Series) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # convergence warnings of tiny MLPs
        for i in range(len(rec.configs)):
            pipe = rec.pipeline(i)
            pipe.fit(X, y)
            assert len(pipe.predict_proba(X)) == len(y)
    params = rec.candidates.set_index("algorithm")["params"]
    for algorithm, key in [("knn", "n_neighbors"), ("mlp", "batch_size")]:
        assert max(p[key] for p in params.loc[[algorithm]]) <= len(y)


@pytest.mark.parametrize("n_rows, n_classes", [(30, 2), (15, 3)])
def test_returned_configs_fit_on_small_tables(kb, n_rows, n_classes):
    X, y = _small_table(n_rows, n_classes)
    rec = recommend(X.assign(y=y.to_numpy()), "y", kb=kb)
    assert len(rec.configs) == 10
    _check_all_fit(rec, X, y)


@pytest.mark.slow
@pytest.mark.parametrize("n_rows, n_classes", [(30, 2), (15, 3)])
def test_every_candidate_fits_on_small_tables(kb, n_rows, n_classes):
    X, y = _small_table(n_rows, n_classes)
    rec = recommend(X.assign(y=y.to_numpy()), "y", kb=kb, n_configs=100)
    assert len(rec.configs) >= 8  # all candidates, minus near-duplicates
    _check_all_fit(rec, X, y)


def test_regression(kb):
    rec = recommend(_table(task="regression"), "target", kb=kb, n_configs=4)
    assert rec.task == "regression" and rec.metric == "rmse" and not rec.higher_is_better
    assert len(rec.configs) == 4
    r2 = recommend(_table(task="regression"), "target", kb=kb, metric="r2", n_configs=4)
    assert r2.metric == "r2"


def test_explicit_task_and_metric(kb):
    rec = recommend(_table(), "target", kb=kb, task="classification", metric="accuracy",
                    n_configs=3)
    assert rec.metric == "accuracy" and len(rec.configs) == 3


def test_whole_number_target_of_undecidable_kind_is_regression_with_a_note(kb):
    df = _table(task="regression")
    df["target"] = np.round(df["target"].rank(pct=True) * 29).astype(int)  # 30 values, 300 rows
    rec = recommend(df, "target", kb=kb, n_configs=2)
    assert rec.task == "regression"
    assert any("30 distinct values, taken as a regression target" in note
               and "--task classification" in note for note in rec.notes)
    labels = recommend(df, "target", kb=kb, n_configs=2, task="classification")
    assert labels.task == "classification"
    assert not any("taken as a regression target" in note for note in labels.notes)


def test_few_whole_numbers_are_classes_with_a_note_naming_regression(kb):
    df = _table(task="regression")
    df["target"] = np.round(df["target"].rank(pct=True) * 5).astype(int)  # 6 values
    rec = recommend(df, "target", kb=kb, n_configs=2)
    assert rec.task == "classification"
    assert any("6 whole-number values are taken as classes" in note
               and "--task regression" in note for note in rec.notes)
    binary = recommend(_table(n_classes=2).assign(target=lambda t: (t["target"] == t[
        "target"].iloc[0]).astype(int)), "target", kb=kb, n_configs=2)
    assert not any("whole-number" in note for note in binary.notes)  # 0/1 needs no note


def test_numbers_as_text_are_classes_with_a_note_when_as_numbers_they_are_a_quantity(kb):
    # diabetes progression as text ('151.0', ...): 200 classes among 300 rows, no word
    df = _table(task="regression")
    quantity = df.assign(target=np.round(df["target"].rank(pct=True) * 99).astype(str))
    rec = recommend(quantity, "target", kb=kb, n_configs=2)
    assert rec.task == "classification"
    assert any("numbers written as text" in note and "pd.to_numeric" in note
               for note in rec.notes)
    binary = recommend(_table(n_classes=2).assign(target=lambda t: (t["target"] == t[
        "target"].iloc[0]).astype(int).astype(str)), "target", kb=kb, n_configs=2)
    assert not any("written as text" in note for note in binary.notes)  # '0'/'1': classes


def test_declared_labels_no_row_holds_are_no_class(kb):
    # a categorical target filtered to two labels kept a third declared one, counted as a
    # target category by the meta-features: the same table ranked differently
    df = _table(n_classes=2)
    labels = pd.Series(np.where(df["target"] == df["target"].iloc[0], "benign", "malignant"),
                       index=df.index)
    plain = recommend(df.assign(target=labels.astype("category")), "target", kb=kb)
    declared = recommend(df.assign(target=pd.Categorical(
        labels, categories=["benign", "malignant", "unknown"])), "target", kb=kb)
    pd.testing.assert_series_equal(plain.metafeatures, declared.metafeatures)
    pd.testing.assert_frame_equal(plain.configs, declared.configs)


def test_a_class_of_a_single_row_of_two_is_noted(kb):
    # tune refuses it (no fold can test it); recommend said nothing
    df = _table(n_classes=2)
    df["target"] = np.where(np.arange(len(df)) == 7, "rare", "common")
    rec = recommend(df, "target", kb=kb, n_configs=2)
    assert any(note.startswith("class 'rare' has a single row (the other, 'common', 299)")
               and "autometa tune refuses" in note for note in rec.notes)
    with pytest.raises(InvalidInputError, match="class 'rare' has a single row"):
        autometa.tune(df, "target", n_trials=1, cv=3, algorithms=["linear"])


def test_deterministic(kb):
    first = recommend(_table(seed=5), "target", kb=kb)
    second = recommend(_table(seed=5), "target", kb=kb)
    pd.testing.assert_frame_equal(first.configs, second.configs)
    pd.testing.assert_frame_equal(first.algorithms, second.algorithms)


def test_missing_target_rows_are_dropped(kb):
    df = _table(n_rows=100)
    df.loc[:9, "target"] = np.nan
    rec = recommend(df, "target", kb=kb, n_configs=2)
    assert rec.n_samples == 90
    assert any("dropped 10 rows" in note for note in rec.notes)
    df = _table(n_rows=100, task="regression")
    df.loc[:2, "target"] = [np.inf, -np.inf, np.nan]
    rec = recommend(df, "target", kb=kb, n_configs=2)
    assert rec.n_samples == 97
    assert "dropped 3 rows whose target is missing or infinite" in rec.notes



def test_columns_without_information_are_named_in_the_notes(kb):
    df = _table(n_rows=100).assign(empty=np.nan, always="same")
    df.loc[:4, "target"] = np.nan
    df.loc[10:, "half"] = "set"  # one value and missing cells: informative, not reported
    rec = recommend(df, "target", kb=kb, n_configs=2)
    assert "1 feature column(s) missing on every row (no information): 'empty'" in rec.notes
    assert "1 constant feature column(s) (no information): 'always'" in rec.notes
    assert not any("half" in note for note in rec.notes)
    assert len(rec.configs) == 2


def test_text_columns_of_numbers_or_dates_are_named_in_the_notes(kb):
    df = _table(n_rows=100)
    rng = np.random.default_rng(3)
    df["price"] = [f"${value:,.2f}" for value in rng.uniform(0, 5000, 100)]
    df["day"] = [f"{1 + i % 28}/{1 + i % 12}/2024" for i in range(100)]  # day first: 13+
    df["colour"] = rng.choice(["red", "green", "12 apples"], 100)  # a real category
    df["cost"] = [Decimal(f"{i}.25") for i in range(100)]  # a SQL decimal: read as numbers
    rec = recommend(df, "target", kb=kb, n_configs=2)
    [note] = [note for note in rec.notes if "hold numbers or dates" in note]
    assert note.startswith("2 text feature column(s) hold numbers or dates")
    assert "'price', 'day'" in note and "colour" not in note and "cost" not in note
    assert "autometa.read_table" in note
    plain = recommend(df.drop(columns=["price", "day"]), "target", kb=kb, n_configs=2)
    assert not any("cost" in note for note in plain.notes)
    assert not any("hold numbers or dates" in note for note in plain.notes)


@pytest.mark.parametrize("labels", [
    np.tile([-1.0, 1.0], 50),                          # class labels read from a CSV
    np.where(np.arange(100) < 95, np.tile([0.0, 1.0], 50), np.nan),  # ... with gaps
    np.tile([True, False], 50),
    np.tile([1, 2, 3, 4], 25),
    np.tile(["yes", "no"], 50),
])
def test_classification_labels_of_any_dtype(kb, labels):
    df = _table(n_rows=100).assign(target=labels)
    rec = recommend(df, "target", kb=kb, task="classification", n_configs=3)
    assert len(rec.configs) == 3
    assert rec.n_samples == int(pd.Series(labels).notna().sum())
    data = df.dropna(subset=["target"])
    pipe = rec.pipeline(0).fit(data.drop(columns="target"), data["target"])
    assert set(pipe.predict(data.drop(columns="target"))) <= set(data["target"])

def test_novel_table_uses_the_static_portfolio(kb):
    rng = np.random.default_rng(0)
    df = pd.DataFrame({f"x{i}": rng.lognormal(10, 4, 400) for i in range(40)})
    df = df.mask(rng.random(df.shape) < 0.6)
    df["y"] = rng.choice(["a"] * 30 + ["b"], 400)
    rec = recommend(df, "y", kb=kb, n_configs=5)
    assert rec.novel
    assert len(rec.configs) == 5
    static = rec.model.static_scores_
    kb_rows = rec.configs[rec.configs["kb_config_id"].isin(static.index)]
    assert np.allclose(kb_rows["predicted_score"],
                       static.loc[kb_rows["kb_config_id"], "score"].clip(0, 1))
    assert "novel" in repr(rec)
    explanation = rec.explain(n_metafeatures=5)
    assert explanation.novel and explanation.distance > explanation.threshold
    z = explanation.drivers["robust_z"].abs().to_numpy()
    assert np.all(np.diff(z) <= 1e-12)  # what makes the table unusual comes first


# ---------------------------------------------------------------------- caching
def test_default_model_is_cached_on_disk(kb_folder, monkeypatch):
    clear_cache()
    first = default_metamodel(kb_folder, task="classification")
    files = list(cache_dir().glob("metamodel-*.joblib"))
    assert files
    assert default_metamodel(kb_folder, task="classification") is first  # memory
    clear_cache()

    def no_refit(*args, **kwargs):
        raise AssertionError("the cached meta-model should have been read from disk")

    monkeypatch.setattr(MetaModel, "fit", no_refit)
    again = default_metamodel(kb_folder, task="classification")
    assert again is not first and again.config_ids_ == first.config_ids_
    rec = recommend(_table(), "target", kb=str(kb_folder), n_configs=2)
    assert len(rec.configs) == 2


def test_disk_cache_keeps_the_most_recently_used_models(kb_folder, monkeypatch, tmp_path):
    # every reinstall or knowledge-base date keys new models (tens of MB): old ones go
    import os

    from autometa._cache import DISK_SLOTS

    monkeypatch.setenv("AUTOMETA_CACHE_DIR", str(tmp_path))
    clear_cache()
    old = [tmp_path / f"metamodel-old{i:02d}.joblib" for i in range(DISK_SLOTS + 2)]
    for age, file in enumerate(old):  # old00 is the most recently used
        file.write_bytes(b"stale")
        os.utime(file, (1e9 - age, 1e9 - age))
    killed, writing = tmp_path / "a.tmp", tmp_path / "b.tmp"
    killed.write_bytes(b"")
    os.utime(killed, (1e9, 1e9))  # a write killed long ago
    writing.write_bytes(b"")  # another process writing now
    default_metamodel(kb_folder, task="classification")
    left = sorted(file.name for file in tmp_path.glob("metamodel-*.joblib"))
    assert len(left) == DISK_SLOTS
    assert [name for name in left if "old" in name] == [f.name for f in old[:DISK_SLOTS - 1]]
    assert not killed.exists() and writing.exists()
    clear_cache()


def test_cache_key_depends_on_task_and_metric(kb):
    a = default_metamodel(kb, task="classification")
    b = default_metamodel(kb, task="classification", metric="accuracy")
    c = default_metamodel(kb, task="regression")
    assert a is not b and a is not c
    assert (a.metric_, b.metric_, c.metric_) == ("roc_auc", "accuracy", "rmse")


def test_model_argument(kb):
    model = MetaModel(n_members=2, n_rounds=30).fit(kb, task_type="classification")
    rec = recommend(_table(), "target", model=model, n_configs=2)
    assert rec.model is model
    with pytest.raises(InvalidInputError, match="fitted for classification"):
        recommend(_table(task="regression"), "target", model=model)
    with pytest.raises(InvalidInputError, match="model must be"):
        recommend(_table(), "target", model="nope")
    with pytest.raises(InvalidInputError, match="differs from the metric"):
        recommend(_table(), "target", model=model, metric="accuracy")


def test_an_object_target_says_how_to_fit_the_pipelines_on_it(kb):
    # read_csv gives True/False with blanks as an object column; scikit-learn's
    # classifiers refuse it as "unknown" even once the blanks are gone
    table = _table(n_classes=2)
    flags = (table["target"].astype(str) == "c0").astype(object)
    table["target"] = flags.where(np.arange(len(table)) % 10 > 0, None)
    rec = recommend(table, "target", kb=kb, n_configs=1)
    [note] = [note for note in rec.notes if "object column" in note]
    assert "y.astype('bool')" in note
    labelled = table.dropna(subset=["target"])
    X, y = labelled.drop(columns="target"), labelled["target"]
    with pytest.raises(ValueError, match="Unknown label type"):
        rec.pipeline(0).fit(X, y)
    assert set(rec.pipeline(0).fit(X, y.astype("bool")).predict(X)) <= {True, False}
    mixed = table.assign(target=[1 if row % 2 else "no" for row in range(len(table))])
    [note] = [note for note in recommend(mixed, "target", kb=kb, n_configs=1).notes
              if "mixes value types" in note]
    assert "y.astype(str)" in note and "pipeline yourself" in note


# ----------------------------------------------------------------------- errors
@pytest.mark.parametrize("make, kwargs, match", [
    (lambda: _table(), {"target": "nope"}, "'nope' is not a column of the table; columns"),
    (lambda: pd.DataFrame({"0.94": [1.0, 2.0], "green": ["a", "b"], "1": [0, 1]}),
     {"target": "y"}, "does the file lack a header row"),
    (lambda: _table().rename(columns={"target": "Target "}), {},
     r"'target' is not a column of the table \(did you mean 'Target '\?\)"),
    (lambda: _table().set_index("target"), {}, r"is the table's index.*df.reset_index\(\)"),
    (lambda: _table().assign(target=[f"row{i}" for i in range(300)]), {},
     "300 distinct values among 300 rows, too many classes.*identifier"),
    (lambda: _table().assign(target=[f"${1000 + 7.5 * i:,.2f}" for i in range(300)]), {},
     "too many classes.*numbers written as text.*for regression"),
    (lambda: _table().assign(target=[f"{1000 + 7.5 * i:,.2f}" for i in range(300)]),
     {"task": "regression"}, "regression needs a numeric target.*numbers written as text"),
    (lambda: _table().assign(target=[f"{7.5 * i}" for i in range(299)] + ["Total"]), {},
     r"too many classes.*numbers but for a few words \('Total' x1\).*for regression"),
    (lambda: _table().assign(target=["unknown"] + [f"{7.5 * i}" for i in range(299)]),
     {"task": "regression"}, r"numeric target.*numbers but for a few words \('unknown' x1\)"),
    (lambda: _table(task="regression"), {"task": "classification"},
     "too many classes.*task='regression'"),
    (lambda: _table().assign(target=[1.5, 2.5, 4.25] * 100), {"task": "classification"},
     r"needs class labels, but the target holds fractional numbers \(1.5, 2.5, 4.25\)"),
    (lambda: _table().iloc[:0], {}, "empty"),
    (lambda: _table().assign(target="same"), {}, "single class"),
    (lambda: _table().assign(target=np.int64(1)), {}, r"single class \(1\);"),
    (lambda: _table().assign(target=["yes", None] * 150), {},
     r"single class \('yes'\); .*missing, None, NaN or an empty cell, are not a class"),
    (lambda: _table().assign(target=np.nan), {}, "missing"),
    (lambda: _table(), {"task": "ranking"}, "task must be"),
    (lambda: _table(), {"metric": "f1"}, "unknown metric"),
    (lambda: _table(), {"metric": "rmse"}, "does not apply"),
    (lambda: _table(), {"n_configs": 0}, "n_configs"),
    (lambda: _table(), {"random_state": -1}, "random_state"),
    (lambda: _table(), {"random_state": 2**32}, r"random_state must be an integer in \[0, 2"),
    (lambda: _table(), {"kb": 42}, "kb must be"),
    (lambda: _table()[["target"]], {}, "no feature column"),
    (lambda: pd.concat([_table().iloc[:, :1], _table()], axis=1), {},
     r"column names are repeated: '.*' \(2 columns\); give each column its own name"),
    (lambda: pd.concat([_table(), _table()[["target"]]], axis=1), {},
     "target 'target' names more than one column"),
    (lambda: _table()[["target"]].assign(x=np.nan, k=1.0), {},
     r"no feature column carries information \(missing \(NaN\) on every row: 'x'; "
     r"constant: 'k'\)"),
    (lambda: _table().to_numpy(), {}, "DataFrame"),
    (lambda: __import__("pyarrow").Table.from_pandas(_table()), {},
     r"got pyarrow.lib.Table; convert it with .to_pandas\(\)"),
    (lambda: _table().set_axis(pd.MultiIndex.from_product([["t"], _table().columns]), axis=1),
     {"target": ("t", "target")}, "MultiIndex; flatten"),
    (lambda: _table(task="regression").assign(target=lambda t: t["target"] + 1j), {},
     "complex numbers"),
    (lambda: _table(task="regression").assign(
        target=lambda t: (t["target"] + 1j).astype(object)), {}, "complex numbers"),
    (lambda: _table().assign(target=list("ab") * 150), {"task": "regression"}, "numeric"),
    (lambda: _table().assign(target=pd.date_range("2024-01-01", periods=300)), {},
     "the target cannot be learned: .*datetimes cannot be a target"),
])
def test_bad_input_raises_a_clear_error(kb, make, kwargs, match):
    arguments = {"target": "target", "kb": kb, **kwargs}
    target = arguments.pop("target")
    with pytest.raises(InvalidInputError, match=match) as error:
        recommend(make(), target, **arguments)
    assert isinstance(error.value, AutometaError) and isinstance(error.value, ValueError)


def test_missing_default_knowledge_base_is_explained(monkeypatch, tmp_path):
    monkeypatch.setattr("autometa._cache.default_path", lambda: tmp_path)
    with pytest.raises(InvalidInputError, match="pass kb="):
        recommend(_table(), "target")


def test_algorithms_that_cannot_fit_the_table_are_skipped(kb):
    rng = np.random.default_rng(0)
    df = pd.DataFrame(rng.normal(size=(10_050, 3)), columns=["a", "b", "c"])
    df["y"] = ["p"] * 5_000 + ["q"] * 5_049 + ["singleton"]
    rec = recommend(df, "y", kb=kb, n_configs=100)
    assert "hist_gradient_boosting" not in set(rec.configs["algorithm"])
    assert any(note.startswith("hist_gradient_boosting skipped") for note in rec.notes)
    table = rec.algorithms.set_index("algorithm")
    assert np.isnan(table.loc["hist_gradient_boosting", "predicted_score"])
    assert table["rank"].iloc[-1] == len(table)


def test_row_sample_keeps_every_class_and_is_seeded():
    from autometa._recommend import _row_sample

    y = pd.Series(["rare"] + ["a", "b"] * 500)
    X = pd.DataFrame({"x": np.arange(len(y))})
    X_rows, y_rows = _row_sample(X, y, 100, task="classification", random_state=3)
    assert 100 <= len(y_rows) <= 101 and "rare" in set(y_rows)
    assert (X_rows.index == y_rows.index).all()
    again = _row_sample(X, y, 100, task="classification", random_state=3)[1]
    assert y_rows.index.equals(again.index)
    assert _row_sample(X, y, 5000, task="classification", random_state=3)[1] is y


def test_large_tables_describe_all_rows_and_estimate_the_rest_on_a_sample(kb, monkeypatch):
    import autometa._recommend as module

    df = _table(n_rows=600)
    full = recommend(df, "target", kb=kb, n_configs=2)
    monkeypatch.setattr(module, "METAFEATURE_ROWS", 300)
    sampled = recommend(df, "target", kb=kb, n_configs=2)
    assert sampled.metafeatures["NumberOfInstances"] == 600  # the general group: all rows
    assert sampled.metafeatures.index.equals(full.metafeatures.index)
    assert not sampled.metafeatures[full.metafeatures.notna()].isna().any()
    assert sampled.metafeatures["ClassEntropy"] == pytest.approx(
        full.metafeatures["ClassEntropy"], abs=0.05)


def test_configurations_expected_to_fit_for_over_ten_minutes_are_noted():
    configs = pd.DataFrame({"rank": [1, 2, 3], "algorithm": ["extra_trees", "mlp", "svm"],
                            "expected_fit_time": [250.0, 1380.0, np.nan]})
    assert _slow_configurations(configs) == [
        "1 of the recommended configurations are expected to take over 10 min to fit once "
        "on this table: #2 (mlp, ~23 min); the ranking is by score alone: start with the "
        "faster ones, or tune with a timeout (autometa.tune(timeout=...), which weighs "
        "expected fit time)"]
    assert _slow_configurations(configs.iloc[[0, 2]]) == []


def test_columns_that_number_the_rows_are_noted(kb):
    from autometa._validation import check_table

    def row_number_notes(frame):
        return [note for note in check_table(frame, "target")[2] if "number the rows" in note]

    table = _table()
    rng = np.random.default_rng(0)
    saved = table.sort_values("target").reset_index(drop=True).reset_index(names="Unnamed: 0")
    shuffled = table.assign(row_id=rng.permutation(len(table)) + 1)  # 1..n in any order
    subset = table.assign(**{"Unnamed: 0": rng.choice(10 * len(table), len(table),
                                                      replace=False)})  # split then saved
    for frame, name in ((saved, "Unnamed: 0"), (shuffled, "row_id"), (subset, "Unnamed: 0")):
        notes = row_number_notes(frame)
        assert len(notes) == 1 and "number the rows" in notes[0] and repr(name) in notes[0]
    # whole numbers with a repeat, with gaps (not Unnamed), with a gap in the data, or floats
    repeated = table.assign(k=np.arange(len(table)) // 2)
    gapped = table.assign(k=2 * np.arange(len(table)))
    missing = table.assign(k=pd.array(np.arange(len(table)), dtype="Int64"))
    missing.loc[3, "k"] = pd.NA
    floats = table.assign(k=np.arange(len(table), dtype=float))
    for frame in (table, repeated, gapped, missing, floats, table.head(10).assign(
            k=np.arange(10))):
        assert row_number_notes(frame) == []
    # the note reaches the user
    assert any("number the rows" in note for note in recommend(saved, "target", kb=kb).notes)
    # blank rows at the end of a spreadsheet's export made the ids floats with gaps
    blank_rows = pd.DataFrame(np.nan, index=range(2), columns=shuffled.columns)
    exported = pd.concat([shuffled, blank_rows], ignore_index=True)
    assert exported["row_id"].dtype == float
    [note] = row_number_notes(exported)
    assert "'row_id'" in note


def test_columns_that_determine_the_target_one_to_one_are_noted():
    from autometa._validation import check_table

    def copy_notes(frame):
        return [note for note in check_table(frame, "target")[2] if "one-to-one" in note]

    table = _table()  # three classes
    encoded = table.assign(code=[f"class-{v}" for v in table["target"]])
    assert copy_notes(encoded) == [
        "1 feature column(s) determine the target one-to-one: 'code'; is the target (or an "
        "encoding of it) among the features? A model scores perfectly with it and cannot "
        "have it on new rows: drop it unless it will be known when predicting"]
    almost = encoded.copy()
    almost.loc[0, "code"] = "class-x"  # one row breaks the correspondence
    lists = table.assign(cell=[[v] for v in table["target"]])  # unhashable cells
    assert copy_notes(almost) == copy_notes(lists) == copy_notes(table) == []
    regression = _table(task="regression")
    in_grams = regression.assign(grams=regression["target"] * 1000 + 5)
    assert "'grams'" in copy_notes(in_grams)[0]
    # distinct values pair up one-to-one with any distinct target: only monotone counts
    assert copy_notes(regression.assign(noise=np.random.default_rng(0).normal(
        size=len(regression)))) == []


@pytest.mark.parametrize("dtype", [object, "string", "category"])
def test_labels_differing_only_in_spaces_a_final_dot_or_case_are_noted(dtype):
    from autometa._validation import check_table

    def label_notes(labels):
        frame = pd.DataFrame({"x": np.arange(len(labels)),
                              "target": pd.Series(labels, dtype=dtype)})
        return [note for note in check_table(frame, "target")[2] if "differ only" in note]

    clean = ["yes"] * 50 + ["no"] * 50
    spaces = ["yes"] * 45 + [" yes"] * 5 + ["no"] * 48 + ["no."] * 2  # adult's '>50K.'
    [note] = label_notes(spaces)
    assert note.startswith("the target's labels 'no', 'no.'; ' yes', 'yes' differ only")
    slip = ["yes"] * 48 + ["Yes"] * 2 + ["no"] * 50  # one spelling holds 96 %
    assert "'Yes', 'yes'" in label_notes(slip)[0]
    # case and a trailing space at once, no spelling dominant: the space gives it away
    sloppy = ["No"] * 30 + ["no"] * 30 + ["NO "] * 30 + ["Yes"] * 30
    assert "'NO ', 'No', 'no'" in label_notes(sloppy)[0]
    # as frequent as each other, case is meaningful (vowel's 'hAd' and 'had')
    vowels = ["hAd"] * 30 + ["had"] * 30 + ["hid"] * 30
    assert label_notes(clean) == label_notes(vowels) == []


def test_a_target_of_numbers_but_for_a_few_words_is_noted():
    # red-wine quality with four cells 'unknown' became a classification with a class
    # 'unknown', without a word
    from autometa._validation import check_table

    rng = np.random.default_rng(0)
    quality = rng.integers(3, 9, 200).astype(str).astype(object)
    quality[:4] = "unknown"
    frame = pd.DataFrame({"x": rng.normal(size=200), "quality": quality})
    notes = [note for note in check_table(frame, "quality")[2] if "a few words" in note]
    assert notes == [
        "the target holds numbers but for a few words ('unknown' x4), so it is read as text "
        "and every value, the words too, is a class: if those cells mean 'no value', make "
        "them empty (missing) to have their rows dropped and the target read as numbers"]
    labels = frame.assign(quality=rng.choice(["low", "high"], 200))
    assert not [note for note in check_table(labels, "quality")[2] if "a few words" in note]


def test_wide_tables_are_checked_in_numeric_blocks_with_the_same_notes(monkeypatch):
    # numeric columns are checked many at a time (20,000 columns: 8 s -> under 4 s);
    # blocks keep one dtype, so ints stay exact
    from autometa import _validation
    from autometa._validation import check_table

    monkeypatch.setattr(_validation, "BLOCK_CELLS", 500)  # many small blocks
    rng = np.random.default_rng(0)
    n = 60
    target = rng.choice(["a", "b", "c"], n)
    frame = pd.DataFrame(rng.normal(size=(n, 300)), columns=[f"f{i}" for i in range(300)])
    frame = frame.assign(**{f"i{i}": rng.integers(0, 9, n) for i in range(50)})
    frame["huge"] = 2**62 + np.arange(n) % 2  # not constant, though equal as floats
    frame["zero"] = 0
    frame["flat"] = 1.5
    frame["code"] = pd.Series(target).map({"a": 10, "b": 20, "c": 30})  # a copy
    frame["gappy_code"] = frame["code"].where(np.arange(n) != 3)  # a gap: not one-to-one
    frame["target"] = target
    notes = check_table(frame, "target")[2]
    assert "2 constant feature column(s) (no information): 'zero', 'flat'" in notes
    assert [note for note in notes if "one-to-one" in note][0].startswith(
        "1 feature column(s) determine the target one-to-one: 'code';")


def test_a_header_of_values_is_noted_but_not_a_numbered_one():
    from autometa._validation import check_table

    def header_notes(columns):
        rng = np.random.default_rng(0)
        frame = pd.DataFrame(rng.normal(size=(30, len(columns))), columns=columns)
        frame[columns[-1]] = rng.choice(["a", "b"], 30)
        return [note for note in check_table(frame, columns[-1])[2]
                if "lack a header row" in note]

    # a UCI file read with its first row as names
    [note] = header_notes(["5.1", "3.5", "1.4", "0.2", "Iris-setosa"])
    assert note.startswith("most column names are numbers ('5.1', '3.5', '1.4', '0.2'): "
                           "does the file lack a header row?")
    assert header_notes(["0", "1", "2", "3", "4"]) == []  # a saved pd.DataFrame(array)
    assert header_notes(["age", "2020", "income", "y"]) == []  # a year among names


def test_a_header_of_categorical_values_is_noted(tmp_path):
    # UCI's car.data has no header and no numbers: its first row became the names with
    # only a note on the repeated 'low'
    from autometa._validation import check_table

    rng = np.random.default_rng(1)
    levels = [["vhigh", "high", "low"], ["vhigh", "high", "low"], ["2", "3", "4"],
              ["small", "big"], ["low", "med", "high"], ["unacc", "acc"]]
    lines = [",".join(rng.choice(choices) for choices in levels) for _ in range(60)]
    lines[0] = "vhigh,vhigh,2,small,low,unacc"
    (tmp_path / "car.data").write_text("\n".join(lines) + "\n")
    frame = autometa.read_table(tmp_path / "car.data")
    notes = [note for note in check_table(frame, frame.columns[-1])[2]
             if "lack a header row" in note]
    assert notes == ["most column names are also values of their own columns ('vhigh', "
                     "'vhigh', '2', 'small', 'low', 'unacc'): does the file lack a header "
                     "row? Its first row was read as the column names and is not among "
                     "the rows"]
    named = pd.DataFrame({"colour": rng.choice(["red", "blue"], 60),
                          "size": rng.choice(["small", "big"], 60),
                          "y": rng.choice(["yes", "no"], 60)})
    assert not any("lack a header row" in note for note in check_table(named, "y")[2])


def test_a_target_named_in_another_unicode_form_is_found():
    import unicodedata

    from autometa._validation import check_table

    decomposed = unicodedata.normalize("NFD", "qualité")  # 'e' + combining accent
    frame = pd.DataFrame({"x": np.arange(30.0), decomposed: ["a", "b", "c"] * 10})
    X, y, _ = check_table(frame, "qualité")
    assert y.name == decomposed and list(X.columns) == ["x"]


def test_a_column_whose_value_ranges_give_the_target_is_noted():
    # a target binned from a feature (age groups from age) is not one-to-one with it, and
    # a model scores perfectly with it all the same
    from sklearn.datasets import load_breast_cancer, load_iris, load_wine

    from autometa._validation import check_table

    def threshold_notes(frame, target="target"):
        return [note for note in check_table(frame, target)[2] if "by thresholds" in note]

    rng = np.random.default_rng(0)
    age = rng.integers(18, 90, 300)
    people = pd.DataFrame({"income": rng.normal(size=300), "age": age,
                           "group": pd.cut(age, [0, 30, 60, 100],
                                           labels=["young", "middle", "old"])})
    [note] = threshold_notes(people, "group")
    assert note.startswith("1 numeric feature column(s) give the target exactly by "
                           "thresholds (sorted by one, each target value is a single run "
                           "of rows): 'age'")
    one_wrong = people.copy()
    one_wrong.loc[int(np.argmax(age)), "group"] = "young"  # the oldest as young
    gap = people.astype({"age": float})
    gap.loc[0, "age"] = np.nan
    coded = people.assign(code=people["group"].cat.codes * 10)  # a one-to-one copy instead
    assert threshold_notes(one_wrong, "group") == threshold_notes(gap, "group") == []
    assert threshold_notes(coded.drop(columns="age"), "group") == []
    for load in (load_iris, load_wine, load_breast_cancer):  # strong features, no leak
        assert threshold_notes(load(as_frame=True).frame) == []
    # a class of a few rows at a column's extreme is separated by chance: not noted
    rare = pd.DataFrame({"x": np.arange(40.0), "target": ["a"] * 37 + ["b"] * 3})
    assert threshold_notes(rare) == []


def test_boolean_columns_are_checked_in_blocks_with_the_same_notes():
    # 20,000 boolean columns took 10 s of checks column by column; in blocks, a boolean
    # copy of the target and a constant boolean are still named, random ones are not
    from autometa._validation import check_table

    rng = np.random.default_rng(0)
    flags = pd.DataFrame(rng.random((200, 300)) > 0.5, columns=[f"f{i}" for i in range(300)])
    target = rng.integers(0, 2, 200)
    table = flags.assign(copy=target == 1, always=True, target=np.where(target, "yes", "no"))
    notes = check_table(table, "target")[2]
    [copy] = [note for note in notes if "one-to-one" in note]
    [constant] = [note for note in notes if "constant feature" in note]
    assert "'copy'" in copy and "'f" not in copy and "'always'" in constant
    # a table whose header is its first row: booleans hold their names 'True'/'False'
    first_row = pd.DataFrame({"True": [True, False] * 15, "False": [False, True] * 15,
                              "x": ["a", "b"] * 15, "target": ["x", "y", "y"] * 10})
    assert any("also values of their own columns" in note
               for note in check_table(first_row, "target")[2])
