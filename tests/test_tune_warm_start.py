"""autometa.warm_start on a user's own study: other names, narrower ranges, valid values only."""

from __future__ import annotations

import numpy as np
import optuna
import pandas as pd
import pytest
from optuna.distributions import CategoricalDistribution, FloatDistribution, IntDistribution
from optuna.trial import TrialState

import autometa
from autometa._exceptions import InvalidInputError
from autometa._testing import make_table

optuna.logging.set_verbosity(optuna.logging.WARNING)


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    X, y = make_table(100, 6, task="classification", seed=3)
    return X.assign(y=y)


def recommendation(*rows):
    return pd.DataFrame({"algorithm": [r[0] for r in rows], "params": [r[1] for r in rows],
                         "predicted_score": np.linspace(0.95, 0.6, len(rows))})


LGBM = recommendation(
    ("lightgbm", {"learning_rate": 0.1, "num_leaves": 31, "n_estimators": 100}),
    ("lightgbm", {"learning_rate": 0.5, "num_leaves": 200, "n_estimators": 40}),  # too wide
    ("random_forest", {"n_estimators": 200}),  # another algorithm
    ("lightgbm", {"learning_rate": 0.02, "num_leaves": 13, "n_estimators": 700}),
    ("lightgbm", {"learning_rate": 0.1, "num_leaves": 31, "n_estimators": 100}),  # duplicate
)

# the user's names and (narrower, stepped) ranges for a LightGBM study
USER_SPACE = {
    "lr": FloatDistribution(0.01, 0.2, log=True),
    "leaves": IntDistribution(8, 64, step=8),
    "trees": IntDistribution(50, 500),
    "boosting": CategoricalDistribution(["gbdt", "dart"]),  # no portfolio counterpart
}
NAMES = {"lr": "learning_rate", "leaves": "num_leaves", "trees": "n_estimators"}


def user_objective(trial):
    lr = trial.suggest_float("lr", 0.01, 0.2, log=True)
    leaves = trial.suggest_int("leaves", 8, 64, step=8)
    trees = trial.suggest_int("trees", 50, 500)
    trial.suggest_categorical("boosting", ["gbdt", "dart"])
    return -abs(np.log(lr) - np.log(0.05)) - abs(leaves - 24) / 64 - abs(trees - 300) / 500


def assert_valid(params, space):
    for name, value in params.items():
        dist = space[name]
        assert dist._contains(dist.to_internal_repr(value)), (name, value, dist)


def test_other_names_and_narrower_ranges_enqueue_only_valid_values(table):
    study = optuna.create_study(direction="maximize")
    report = autometa.warm_start(study, table, "y", n=5, search_space=USER_SPACE,
                                 param_names=NAMES, recommendation=LGBM)
    # the random forest is left out (the study tunes LightGBM): n counts LightGBM's
    assert list(report["algorithm"]) == ["lightgbm"] * 4
    assert list(report["status"]) == ["enqueued", "enqueued", "enqueued", "skipped"]
    assert report.loc[3, "reason"] == "already in the study"
    first, second, fourth = (report.loc[i, "params"] for i in (0, 1, 2))
    assert first == {"lr": 0.1, "leaves": 32, "trees": 100}  # 31 snapped to the step of 8
    assert report.loc[0, "clipped"] == [] and report.loc[0, "reason"] == ""  # in range
    assert second == {"lr": 0.2, "leaves": 64, "trees": 50}  # clipped into the ranges
    assert sorted(report.loc[1, "clipped"]) == ["leaves", "lr", "trees"]
    assert "outside" in report.loc[1, "reason"]
    assert fourth == {"lr": 0.02, "leaves": 16, "trees": 500}
    for params in (first, second, fourth):
        assert_valid(params, USER_SPACE)
    # the study runs exactly these values first; "boosting" is left to the sampler
    waiting = study.get_trials(states=(TrialState.WAITING,))
    assert [t.user_attrs["rank"] for t in waiting] == [1, 2, 3]
    assert all(t.user_attrs["source"] == "warm_start" for t in waiting)
    study.optimize(user_objective, n_trials=3)
    for trial, params in zip(study.trials, (first, second, fourth), strict=True):
        assert {k: trial.params[k] for k in params} == params
        assert trial.params["boosting"] in ("gbdt", "dart")
        assert trial.state == TrialState.COMPLETE


def test_out_of_range_values_can_be_skipped_instead_of_clipped(table):
    study = optuna.create_study(direction="maximize")
    report = autometa.warm_start(study, table, "y", n=4, search_space=USER_SPACE,
                                 param_names=NAMES, recommendation=LGBM,
                                 out_of_range="skip")
    statuses = dict(zip(report["rank"], report["status"], strict=True))
    assert statuses[2] == "skipped" and statuses[3] == "skipped"  # both leave the ranges
    assert statuses[1] == "enqueued"  # 31 leaves snapped to 32 is in range: kept
    assert len(study.get_trials(states=(TrialState.WAITING,))) == 1


def test_search_space_is_read_from_the_study_and_the_algorithm_inferred(table):
    study = optuna.create_study(direction="maximize",
                                sampler=optuna.samplers.RandomSampler(seed=0))
    study.optimize(lambda trial: trial.suggest_float("learning_rate", 0.05, 0.3, log=True)
                   + trial.suggest_int("num_leaves", 4, 40), n_trials=2)
    report = autometa.warm_start(study, table, "y", n=4, recommendation=LGBM)
    enqueued = report[report["status"] == "enqueued"]
    assert len(enqueued) == 3
    space = {"learning_rate": FloatDistribution(0.05, 0.3, log=True),
             "num_leaves": IntDistribution(4, 40)}
    for params in enqueued["params"]:
        assert set(params) == set(space)
        assert_valid(params, space)
    assert enqueued["params"].iloc[2] == {"learning_rate": 0.05, "num_leaves": 13}


def test_a_study_that_chooses_the_algorithm(table):
    space = {"model": CategoricalDistribution(["lightgbm", "knn"]),
             "lgb_lr": FloatDistribution(0.01, 0.3, log=True),
             "k": IntDistribution(1, 30),
             "knn_weights": CategoricalDistribution(["uniform"])}
    names = {"model": "algorithm", "lgb_lr": "lightgbm__learning_rate",
             "k": "knn__n_neighbors", "knn_weights": "knn__weights"}
    rec = recommendation(("knn", {"n_neighbors": 50, "weights": "distance"}),
                         ("lightgbm", {"learning_rate": 0.1}),
                         ("svm", {"C": 2.0}))
    study = optuna.create_study(direction="maximize")
    report = autometa.warm_start(study, table, "y", n=3, search_space=space,
                                 param_names=names, recommendation=rec)
    # the SVM is not among the study's algorithms: left out, n counts the others
    assert list(report["status"]) == ["enqueued", "enqueued"]
    assert report.loc[0, "params"] == {"model": "knn", "k": 30}  # weights: no such choice
    assert report.loc[0, "dropped"] == ["knn_weights"]
    assert report.loc[1, "params"] == {"model": "lightgbm", "lgb_lr": 0.1}
    for params in report.loc[:1, "params"]:
        assert_valid(params, space)


def test_the_parameter_choosing_the_algorithm_is_found_by_its_choices(table):
    # "model" was not recognised without param_names={"model": "algorithm"}: LightGBM's
    # values were enqueued without it and the trials ran an SVM
    space = {"model": CategoricalDistribution(["lightgbm", "svm", "xgboost"]),
             "lightgbm__learning_rate": FloatDistribution(0.01, 0.3, log=True),
             "svm__C": FloatDistribution(0.1, 10.0, log=True),
             "scaler": CategoricalDistribution(["standard", "robust"])}  # the user's own
    rec = recommendation(("svm", {"C": 2.0}), ("lightgbm", {"learning_rate": 0.1}))
    study = optuna.create_study(direction="maximize")
    report = autometa.warm_start(study, table, "y", n=2, search_space=space,
                                 recommendation=rec)
    assert list(report["params"]) == [{"model": "svm", "svm__C": 2.0},
                                      {"model": "lightgbm", "lightgbm__learning_rate": 0.1}]

    def objective(trial):
        model = trial.suggest_categorical("model", ["lightgbm", "svm", "xgboost"])
        trial.suggest_categorical("scaler", ["standard", "robust"])
        if model == "svm":
            return trial.suggest_float("svm__C", 0.1, 10.0, log=True)
        if model == "lightgbm":
            return trial.suggest_float("lightgbm__learning_rate", 0.01, 0.3, log=True)
        return 0.0

    study.optimize(objective, n_trials=2)
    assert [trial.params["model"] for trial in study.trials] == ["svm", "lightgbm"]
    with pytest.raises(InvalidInputError, match=r"belong to \['lightgbm', 'svm'\], but no "):
        autometa.warm_start(optuna.create_study(), table, "y", recommendation=rec,
                            search_space={k: v for k, v in space.items() if k != "model"})


def test_prefixed_names_of_one_algorithm_make_a_study_of_it(table):
    # the other algorithms' configurations took places in n and were all skipped
    study = optuna.create_study(direction="maximize")
    report = autometa.warm_start(
        study, table, "y", n=3, recommendation=LGBM, param_names={
            "lr": "lightgbm__learning_rate", "leaves": "lightgbm__num_leaves"},
        search_space={"lr": FloatDistribution(0.01, 0.3, log=True),
                      "leaves": IntDistribution(2, 512, log=True)})
    assert list(report["algorithm"]) == ["lightgbm"] * 3
    assert list(report["status"]) == ["enqueued"] * 3


def test_the_study_params_of_autometa_tune_match_without_a_mapping(table):
    from autometa._search_space import portfolio_search_space

    space = portfolio_search_space("classification", ["linear", "knn"])
    study = optuna.create_study(direction="maximize")
    rec = recommendation(("knn", {"n_neighbors": 7}), ("linear", {"C": 1e6}))
    report = autometa.warm_start(study, table, "y", n=2, search_space=space,
                                 recommendation=rec)
    assert report.loc[0, "params"] == {"algorithm": "knn", "knn__n_neighbors": 7,
                                       "knn__weights": "uniform", "knn__p": 2}
    assert report.loc[1, "params"]["linear__C"] == 1e4
    assert report.loc[1, "clipped"] == ["linear__C"]


def test_max_features_counted_by_the_study_becomes_scikit_learn_s_count(table):
    # the table has 6 feature columns; scikit-learn reads an int max_features as a count
    rec = recommendation(("extra_trees", {"max_features": 0.54, "n_estimators": 100}),
                         ("extra_trees", {"max_features": "sqrt", "n_estimators": 200}),
                         ("extra_trees", {"max_features": None, "n_estimators": 300}),
                         ("extra_trees", {"max_features": 0.05, "n_estimators": 400}))
    space = {"n_estimators": IntDistribution(10, 500), "max_features": IntDistribution(1, 5)}
    study = optuna.create_study(direction="maximize")
    report = autometa.warm_start(study, table, "y", algorithm="extra_trees",
                                 search_space=space, recommendation=rec)
    counts = [trial.system_attrs["fixed_params"]["max_features"] for trial in
              study.get_trials(deepcopy=False, states=(TrialState.WAITING,))]
    # int(0.54 * 6), int(sqrt(6)), all 6 clipped to the study's 5, max(1, int(0.3))
    assert counts == [3, 2, 5, 1]
    assert list(report["clipped"]) == [[], [], ["max_features"], []]
    # a fraction (a FloatDistribution) stays a fraction, "sqrt" becomes one
    fractions = optuna.create_study(direction="maximize")
    autometa.warm_start(fractions, table, "y", algorithm="extra_trees", recommendation=rec,
                        search_space={"max_features": FloatDistribution(0.05, 1.0)})
    shares = [t.system_attrs["fixed_params"]["max_features"]
              for t in fractions.get_trials(deepcopy=False)]
    assert shares[:2] == [pytest.approx(0.54), pytest.approx(6 ** 0.5 / 6)]


def test_errors_name_the_problem_and_the_fix(table):
    study = optuna.create_study()
    with pytest.raises(InvalidInputError, match="search_space="):
        autometa.warm_start(study, table, "y", recommendation=LGBM)
    with pytest.raises(InvalidInputError, match="not parameters of the study"):
        autometa.warm_start(study, table, "y", search_space=USER_SPACE,
                            param_names={"eta": "learning_rate"}, recommendation=LGBM)
    with pytest.raises(InvalidInputError, match="corresponds to a portfolio parameter"):
        autometa.warm_start(study, table, "y", search_space={"x": FloatDistribution(0, 1)},
                            recommendation=LGBM)
    with pytest.raises(InvalidInputError, match=r"param_names maps 'lr' -> 'nope', which no "):
        autometa.warm_start(study, table, "y", search_space={"lr": FloatDistribution(0, 1)},
                            param_names={"lr": "nope"}, recommendation=LGBM)
    with pytest.raises(InvalidInputError, match="which algorithm"):
        autometa.warm_start(study, table, "y",
                            search_space={"min_samples_leaf": IntDistribution(1, 9)},
                            recommendation=LGBM)
    with pytest.raises(InvalidInputError, match="not a parameter of lightgbm"):
        autometa.warm_start(study, table, "y", search_space=USER_SPACE,
                            param_names={"lr": "lightgbm__eta"}, recommendation=LGBM)
    with pytest.raises(InvalidInputError, match="none of the choices of 'model'"):
        autometa.warm_start(study, table, "y", recommendation=LGBM,
                            search_space={"model": CategoricalDistribution(["xgboost"]),
                                          "lr": FloatDistribution(0.01, 0.3)},
                            param_names={"model": "algorithm",
                                         "lr": "lightgbm__learning_rate"})
    with pytest.raises(InvalidInputError, match=r"param_names must map .* got list \['lr'\]"):
        autometa.warm_start(study, table, "y", search_space=USER_SPACE, param_names=["lr"],
                            recommendation=LGBM)
    with pytest.raises(InvalidInputError, match="single-objective"):
        autometa.warm_start(optuna.create_study(directions=["minimize", "minimize"]),
                            table, "y", search_space=USER_SPACE, recommendation=LGBM)


def test_the_first_configurations_do_not_depend_on_n():
    # recommend(n_configs=n) chose among the random forests differently for n=5 and n=8,
    # so the first trial to run changed with n; n <= 10 now takes the first n of one list
    from sklearn.datasets import load_breast_cancer

    frame = load_breast_cancer(as_frame=True).frame
    space = {"n_estimators": IntDistribution(10, 200),
             "max_features": FloatDistribution(0.1, 1.0)}
    first = {}
    for n in (3, 8):
        report = autometa.warm_start(optuna.create_study(direction="maximize"), frame,
                                     "target", n=n, search_space=space,
                                     algorithm="random_forest")
        first[n] = list(report["config_id"])
    assert len(first[8]) == 8 and first[8][:3] == first[3]
