"""autometa.tune: warm start, scores, budget, refit, resume after a kill, validation."""

from __future__ import annotations

import json
import logging
import time

import numpy as np
import optuna
import pandas as pd
import pytest
from optuna.trial import TrialState

import autometa
from autometa import _tune
from autometa._exceptions import InvalidInputError
from autometa._search_space import (
    ALGORITHM_PARAM,
    params_to_configuration,
    portfolio_search_space,
    suggest_configuration,
)
from autometa._testing import make_table, synthetic_knowledge_base
from knowledge_base import METRICS
from knowledge_base.campaign import EvaluationTask, evaluate_task

optuna.logging.set_verbosity(optuna.logging.WARNING)
CHEAP = ["linear", "knn"]


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    X, y = make_table(160, 5, task="classification", seed=11, categorical=1, missing=0.02)
    return X.assign(target=y)


def fake_recommendation(*rows):
    """A recommendation table like ``Recommendation.configs`` (rank order)."""
    return pd.DataFrame({"algorithm": [r[0] for r in rows], "params": [r[1] for r in rows],
                         "predicted_score": np.linspace(0.9, 0.5, len(rows))})


REC = fake_recommendation(("linear", {"C": 0.5, "class_weight": None}),
                          ("knn", {"n_neighbors": 15, "weights": "distance", "p": 1}),
                          ("knn", {"n_neighbors": 500}),  # clipped to the space (100)
                          ("svm", {"C": 1.0}))  # not among the tuned algorithms


# ------------------------------------------------------------------ warm start
def test_recommendations_run_first_and_the_result_is_refitted(table):
    result = autometa.tune(table, "target", n_trials=6, cv=3, algorithms=CHEAP,
                           recommendation=REC)
    trials = sorted(result.study.trials, key=lambda t: t.number)
    assert [t.user_attrs.get("source") for t in trials[:3]] == ["warm_start"] * 3
    assert trials[0].params == {ALGORITHM_PARAM: "linear", "linear__C": 0.5,
                                "linear__class_weight": None}
    assert trials[1].params["knn__n_neighbors"] == 15
    assert trials[2].params["knn__n_neighbors"] == 100
    report = result.warm_start
    assert list(report["status"]) == ["enqueued"] * 3  # svm filtered out before ranking
    assert report.loc[2, "clipped"] == ["knn__n_neighbors"]
    # budget, best trial, per-fold record
    assert result.n_trials == 6 and len(trials) == 6
    values = [t.value for t in trials]
    assert result.best_score == max(values)
    assert len(result.fold_scores) == 3
    assert result.best_score == pytest.approx(np.mean(result.fold_scores))
    assert result.configuration == params_to_configuration(result.best_params)
    X = table.drop(columns="target")
    proba = result.pipeline.predict_proba(X)
    assert proba.shape == (len(X), 2)
    history = result.history()
    assert list(history["number"]) == list(range(6))
    assert history["best_so_far"].is_monotonic_increasing
    summary = result.to_dict()
    json.dumps(summary)
    assert summary["n_warm_start"] == 3 and summary["best_score"] == result.best_score
    # the figure: one point per completed trial (warm-start ones as squares), the best line
    from matplotlib.figure import Figure

    ax = result.plot(ax=Figure().subplots())
    points = sum(len(c.get_offsets()) for c in ax.collections)
    assert points == (history["state"] == "COMPLETE").sum()
    labels = ax.get_legend_handles_labels()[1]
    assert "best so far" in labels and any("(warm start)" in label for label in labels)
    np.testing.assert_allclose(ax.lines[0].get_ydata(), history["best_so_far"])


def result_with_scores(scores: list[float], metric: str = "roc_auc") -> _tune.TuneResult:
    """A tuning result whose study holds one completed trial per score (no fitting)."""
    study = optuna.create_study(direction="maximize" if METRICS[metric] else "minimize",
                                study_name="scores")
    space = {ALGORITHM_PARAM: optuna.distributions.CategoricalDistribution(CHEAP)}
    for number, score in enumerate(scores):
        study.add_trial(optuna.trial.create_trial(
            params={ALGORITHM_PARAM: CHEAP[number % 2]}, distributions=space, value=score))
    best = study.best_trial
    return _tune.TuneResult(pipeline=None, best_score=best.value, best_params=best.params,
                            configuration=params_to_configuration(best.params),
                            fold_scores=[], metric=metric, task="classification",
                            study=study)


def drawn_points(ax) -> dict[float, tuple[float, str]]:
    """Each point drawn: its trial number -> (height, legend label of its scatter)."""
    points = {}
    for collection in ax.collections:
        for x, y in collection.get_offsets():
            assert x not in points, f"trial {x} drawn twice"
            points[float(x)] = (float(y), collection.get_label())
    return points


@pytest.mark.parametrize("scores", [
    [0.91, 0.90, 0.92, 0.60],  # few trials: none is a far outlier
    list(np.linspace(0.80, 0.90, 20)),  # a spread, no outlier
])
def test_the_trials_plot_shows_every_trial_when_none_is_far_off(scores):
    from matplotlib.figure import Figure

    ax = result_with_scores(scores).plot(ax=Figure().subplots())
    bottom, top = ax.get_ylim()
    assert bottom < min(scores) and max(scores) < top
    points = drawn_points(ax)
    assert sorted(points) == list(range(len(scores)))
    np.testing.assert_allclose([points[n][0] for n in range(len(scores))], scores)
    assert not any("off the axis" in label for label in ax.get_legend_handles_labels()[1])


@pytest.mark.parametrize("metric, catastrophe, marker", [
    ("roc_auc", 0.2, "v"),  # higher is better: clipped at the bottom
    ("rmse", 50.0, "^"),  # lower is better: clipped at the top
])
def test_the_trials_plot_marks_far_outliers_at_the_edge(metric, catastrophe, marker):
    from matplotlib.figure import Figure
    from matplotlib.markers import MarkerStyle

    good = [0.90, 0.91, 0.92, 0.93, 0.905, 0.915, 0.925, 0.935]
    scores = [*good[:3], catastrophe, *good[3:]]
    ax = result_with_scores(scores, metric).plot(ax=Figure().subplots())
    bottom, top = ax.get_ylim()
    assert bottom < min(good) and max(good) < top < 1.0  # the good trials are not squashed
    assert not bottom < catastrophe < top
    points = drawn_points(ax)
    assert sorted(points) == list(range(len(scores)))  # every trial drawn once
    edge = bottom if METRICS[metric] else top
    label = f"1 trial off the axis ({'down' if METRICS[metric] else 'up'} to {catastrophe:.4g})"
    assert points[3] == (edge, f"{label}, at its edge")
    assert f"{label}, at its edge" in [text.get_text() for text in ax.get_legend().get_texts()]
    clipped = next(c for c in ax.collections if c.get_label().startswith("1 trial off"))
    style = MarkerStyle(marker)
    np.testing.assert_allclose(clipped.get_paths()[0].vertices,
                               style.get_path().transformed(style.get_transform()).vertices)
    assert not clipped.get_clip_on()


@pytest.mark.parametrize("labels", [[0, 1], [True, False]])
def test_a_categorical_target_of_numbers_or_booleans_tunes(table, labels):
    # categories of ints once became objects, which StratifiedKFold calls "unknown":
    # every trial failed
    codes = (table["target"] == table["target"].iloc[0]).to_numpy()
    categorical = table.assign(target=pd.Categorical(np.where(codes, *labels)))
    result = autometa.tune(categorical, "target", n_trials=2, cv=3, algorithms=CHEAP,
                           recommendation=REC, random_state=4)
    plain = autometa.tune(categorical.assign(target=np.where(codes, *labels)), "target",
                          n_trials=2, cv=3, algorithms=CHEAP, recommendation=REC,
                          random_state=4)
    assert result.best_score == plain.best_score
    assert set(result.pipeline.predict(table.drop(columns="target"))) <= set(labels)


@pytest.mark.parametrize("dtype", ["boolean", "Int64", "bool[pyarrow]"])
def test_a_nullable_target_with_gaps_predicts_its_own_type(table, dtype):
    # the rows without a target are dropped; the pipeline then predicted 0.0/1.0 floats
    codes = (table["target"] == table["target"].iloc[0]).to_numpy()
    target = pd.Series(codes if "bool" in dtype else codes.astype(int)).astype(dtype)
    target.iloc[:3] = None
    result = autometa.tune(table.assign(target=target), "target", n_trials=1, cv=3,
                           algorithms=CHEAP, recommendation=REC, random_state=4)
    predicted = result.pipeline.predict(table.drop(columns="target"))
    assert predicted.dtype == (bool if "bool" in dtype else np.int64)


def test_trial_scores_are_the_campaign_scores(table, tmp_path):
    """One definition of a score: a trial equals the campaign's evaluation of its config."""
    result = autometa.tune(table, "target", n_trials=2, cv=3, algorithms=CHEAP,
                           recommendation=REC, random_state=4, refit=False)
    path = tmp_path / "table.parquet"
    table.to_parquet(path)
    for trial in result.study.trials:
        config = params_to_configuration(trial.params)
        records = evaluate_task(EvaluationTask(
            dataset_id="t", path=str(path), target="target", task_type="classification",
            config=config, n_folds=3, max_rows=None, time_limit=None, seed=4))
        campaign = [r["roc_auc"] for r in records]
        assert trial.user_attrs["fold_scores"] == pytest.approx(campaign)
        assert trial.value == pytest.approx(np.mean(campaign))
    assert result.pipeline is None


def test_regression_minimises_rmse():
    X, y = make_table(120, 4, task="regression", seed=2)
    result = autometa.tune(X.assign(y=y), "y", n_trials=4, cv=3, algorithms=CHEAP,
                           warm_start=False)
    assert result.task == "regression" and result.metric == "rmse"
    assert result.study.direction == optuna.study.StudyDirection.MINIMIZE
    assert result.best_score == min(t.value for t in result.study.trials)
    assert result.pipeline.predict(X).shape == (120,)


def test_with_the_real_recommender_and_the_meta_sampler(table, tmp_path, monkeypatch):
    monkeypatch.setenv("AUTOMETA_CACHE_DIR", str(tmp_path / "cache"))
    kb = synthetic_knowledge_base(n_classification=4, n_regression=0)
    rec = autometa.recommend(table, "target", kb=kb, n_configs=4)
    warm = autometa.tune(table, "target", n_trials=3, cv=3, kb=kb, n_warm=2,
                         algorithms=CHEAP, refit=False, sampler="tpe")
    enqueued = warm.warm_start[warm.warm_start["status"] == "enqueued"]
    assert len(enqueued) == 2
    first = sorted(warm.study.trials, key=lambda t: t.number)[0]
    assert first.user_attrs["source"] == "warm_start"
    assert first.user_attrs["config_id"] == params_to_configuration(first.params).config_id
    meta = autometa.tune(table, "target", n_trials=3, cv=3, recommendation=rec,
                         algorithms=CHEAP, refit=False)  # a warm start's default sampler
    assert meta.sampler == "meta" and meta.n_trials == 3
    # a recommendation made for another table is refused, not used as this one's prior
    with pytest.raises(InvalidInputError, match="made for a classification table with 5 "
                                                "feature columns, this one is classification "
                                                "with 4"):
        autometa.tune(table.iloc[:, 1:], "target", n_trials=1, recommendation=rec)
    with pytest.raises(InvalidInputError, match="made for a classification table"):
        autometa.warm_start(optuna.create_study(), table.iloc[:, 1:], "target",
                            recommendation=rec, search_space=portfolio_search_space(
                                "classification", CHEAP))
    assert meta.warm_start is None  # the prior replaces enqueueing
    # warm_start on a user's study, straight from the knowledge base
    user = optuna.create_study(direction="maximize")
    space = {"k": optuna.distributions.IntDistribution(1, 9),
             "C": optuna.distributions.FloatDistribution(0.1, 10.0, log=True),
             "model": optuna.distributions.CategoricalDistribution(["knn", "linear"])}
    report = autometa.warm_start(user, table, "target", n=6, kb=kb, search_space=space,
                                 param_names={"k": "knn__n_neighbors", "C": "linear__C",
                                              "model": "algorithm"})
    assert list(report["rank"]) == list(range(1, 7))
    done = report[report["status"] == "enqueued"]
    assert set(done["algorithm"]) <= {"knn", "linear"}
    for params in done["params"]:
        for name, value in params.items():
            assert space[name]._contains(space[name].to_internal_repr(value))
    assert len(user.get_trials(states=(TrialState.WAITING,))) == len(done)
    # a user's own study can use the same prior
    sampler = autometa.MetaLearnedSampler.from_recommendation(rec, algorithms=CHEAP, seed=0)
    study = optuna.create_study(direction="maximize", sampler=sampler)
    study.optimize(lambda t: -len(suggest_configuration(t, "classification", CHEAP).params),
                   n_trials=3)
    assert len({json.dumps(t.params, sort_keys=True) for t in study.trials}) == 3
    # ... and so can tune: a cost-aware sampler is used as given, nothing enqueued
    costly = autometa.MetaLearnedSampler.from_recommendation(rec, algorithms=CHEAP,
                                                             cost_weight=0.5, seed=0)
    mine = autometa.tune(table, "target", n_trials=3, cv=3, recommendation=rec,
                         algorithms=CHEAP, refit=False, sampler=costly)
    assert mine.sampler == "MetaLearnedSampler" and mine.warm_start is None
    assert set(mine.history()["source"]) == {"sampler"}
    # under a timeout seconds count: the meta-learned sampler becomes cost-aware
    timed = autometa.tune(table, "target", n_trials=2, timeout=600, cv=3, recommendation=rec,
                          algorithms=CHEAP, refit=False)
    assert timed.study.sampler._cost_weight == _tune.DEFAULT_COST_WEIGHT > 0
    assert any("cost_weight=0.5" in note for note in timed.notes)
    assert meta.study.sampler._cost_weight == 0  # trials count
    plain = autometa.tune(table, "target", n_trials=2, timeout=600, cv=3, recommendation=rec,
                          algorithms=CHEAP, refit=False, cost_weight=0)
    assert plain.study.sampler._cost_weight == 0
    assert not any("cost_weight" in note for note in plain.notes)
    for bad, match in ((dict(cost_weight=-1), "cost_weight must be"),
                       (dict(cost_weight=0.5, sampler="tpe"), "applies to sampler='meta'"),
                       (dict(cost_weight=0.5, warm_start=False), "warm_start=True")):
        with pytest.raises(InvalidInputError, match=match):
            autometa.tune(table, "target", n_trials=1, cv=3, recommendation=rec, **bad)
    # the first trial is rated by the meta-model at least as high as any candidate
    first = params_to_configuration(meta.study.trials[0].params)
    assert first.algorithm in CHEAP
    rated = rec.model.predict(rec.metafeatures, [first])["predicted_score"].iloc[0]
    pool = rec.candidates[rec.candidates["algorithm"].isin(CHEAP)]
    assert rated >= pool["predicted_score"].max() - 1e-9


def test_the_warm_start_asks_recommend_for_the_metric_as_given(table, tmp_path, monkeypatch):
    # recommend's default (metric=None: roc_auc, accuracy on past datasets without it)
    # ranks otherwise than metric="roc_auc" alone: tune and warm_start must seed with what
    # a default recommend shows, so they pass the user's metric on unresolved
    from autometa import _recommend

    monkeypatch.setenv("AUTOMETA_CACHE_DIR", str(tmp_path / "cache"))
    kb = synthetic_knowledge_base(n_classification=4, n_regression=0)
    asked = []
    real = _recommend.recommend

    def spy(*args, **kwargs):
        asked.append(kwargs["metric"])
        return real(*args, **kwargs)

    monkeypatch.setattr(_recommend, "recommend", spy)
    space = portfolio_search_space("classification", CHEAP)
    for metric in (None, "roc_auc"):
        result = autometa.tune(table, "target", n_trials=1, cv=3, kb=kb, n_warm=1,
                               algorithms=CHEAP, refit=False, sampler="tpe", metric=metric)
        assert result.metric == "roc_auc"
        autometa.warm_start(optuna.create_study(direction="maximize"), table, "target",
                            n=1, kb=kb, search_space=space, metric=metric)
    assert asked == [None, None, "roc_auc", "roc_auc"]


def test_n_warm_is_noted_where_nothing_is_enqueued(table):
    cold = autometa.tune(table, "target", n_trials=1, cv=3, algorithms=CHEAP,
                         warm_start=False, n_warm=4, refit=False)
    assert "n_warm=4 not used: warm_start=False enqueues nothing" in cold.notes
    default = autometa.tune(table, "target", n_trials=1, cv=3, algorithms=CHEAP,
                            warm_start=False, refit=False)
    assert not any("n_warm" in note for note in default.notes)


def test_failing_models_are_recorded_and_count_towards_the_budget(table, monkeypatch):
    original = _tune._CrossValidation.evaluate

    def flaky(self, config, **kwargs):
        if config.algorithm == "knn":
            raise RuntimeError("knn exploded")
        return original(self, config, **kwargs)

    monkeypatch.setattr(_tune._CrossValidation, "evaluate", flaky)
    result = autometa.tune(table, "target", n_trials=5, cv=3, algorithms=CHEAP,
                           recommendation=REC, refit=False)
    failed = [t for t in result.study.trials if t.state == TrialState.FAIL]
    assert failed and all("knn exploded" in t.user_attrs["error"] for t in failed)
    assert result.n_trials == 5
    assert result.algorithm == "linear"
    assert result.history()["error"].notna().sum() == len(failed)


def test_ctrl_c_inside_a_perceptron_stops_the_study(table, tmp_path, monkeypatch):
    # scikit-learn's MLP catches Ctrl-C, stops training early and only warns: the trial
    # was then scored as finished and the study went on to the end
    from sklearn.neural_network import _multilayer_perceptron

    def pressed_ctrl_c(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(_multilayer_perceptron.BaseMultilayerPerceptron, "_backprop",
                        pressed_ctrl_c)
    storage = str(tmp_path / "study.log")
    with pytest.raises(KeyboardInterrupt):
        autometa.tune(table, "target", n_trials=3, cv=3, algorithms=["mlp"],
                      warm_start=False, storage=storage, study_name="s")
    trials = optuna.load_study(study_name="s", storage=_tune.make_storage(storage)).trials
    # the interrupted trial failed and its configuration waits to run first on resume
    assert [t.state for t in trials] == [TrialState.FAIL, TrialState.WAITING]
    assert trials[1].system_attrs["fixed_params"] == trials[0].params


def test_fits_over_the_time_limit_fail_the_trial(table):
    with pytest.raises(InvalidInputError, match="no trial .* completed.*(limit|Timeout)"):
        autometa.tune(table, "target", n_trials=2, cv=3, algorithms=CHEAP,
                      warm_start=False, fit_timeout=1e-6)


def test_existing_complete_study_is_not_rerun(table, tmp_path):
    storage = str(tmp_path / "study.log")
    first = autometa.tune(table, "target", n_trials=3, cv=3, algorithms=CHEAP,
                          warm_start=False, storage=storage, refit=False)
    again = autometa.tune(table, "target", n_trials=3, cv=3, algorithms=CHEAP,
                          warm_start=False, storage=storage, refit=False)
    assert again.study.study_name == first.study.study_name
    assert len(again.study.trials) == 3
    assert not any("already has" in note for note in first.notes)
    assert any("already has 3 evaluated trials, at least n_trials=3: no trial was run"
               in note for note in again.notes)
    fewer = autometa.tune(table, "target", n_trials=2, cv=3, algorithms=CHEAP,
                          warm_start=False, storage=storage, refit=False)
    assert fewer.n_trials == 3 and any("n_trials=2" in note for note in fewer.notes)
    more = autometa.tune(table, "target", n_trials=5, cv=3, algorithms=CHEAP,
                         warm_start=False, storage=storage, refit=False)
    assert more.n_trials == 5


def test_resuming_with_another_table_or_metric_is_an_error(table, tmp_path):
    storage = f"sqlite:///{tmp_path / 'study.db'}"
    autometa.tune(table, "target", n_trials=1, cv=3, algorithms=CHEAP, warm_start=False,
                  storage=storage, study_name="s", refit=False)
    with pytest.raises(InvalidInputError, match="started on a different table"):
        autometa.tune(table.iloc[:120], "target", n_trials=1, cv=3, algorithms=CHEAP,
                      warm_start=False, storage=storage, study_name="s")
    with pytest.raises(InvalidInputError, match="metric"):
        autometa.tune(table, "target", n_trials=1, cv=3, algorithms=CHEAP, warm_start=False,
                      storage=storage, study_name="s", metric="accuracy")
    plain = optuna.create_study(study_name="mine", storage=storage)
    plain.optimize(lambda t: t.suggest_float("x", 0, 1), n_trials=1)
    with pytest.raises(InvalidInputError, match="not created by autometa.tune"):
        autometa.tune(table, "target", n_trials=1, cv=3, storage=storage, study_name="mine")


def test_a_running_trial_of_a_dead_process_whose_id_is_reused_is_recovered(tmp_path):
    # a restarted container runs tune under the same process id: the trial its killed
    # predecessor left RUNNING was never recovered (the id alone was compared)
    from autometa._tune import _worker_id

    X, y = make_table(60, 3, task="classification", seed=1)
    table = X.assign(target=y)
    storage = str(tmp_path / "study.log")
    first = autometa.tune(table, "target", n_trials=2, cv=3, algorithms=CHEAP,
                          warm_start=False, refit=False, storage=storage, study_name="s")
    stale = first.study.ask()
    stale.set_user_attr("worker", {**_worker_id(), "started": _worker_id()["started"] - 1})
    current = first.study.ask()  # one of this very process: left alone
    current.set_user_attr("worker", _worker_id())
    result = autometa.tune(table, "target", n_trials=3, cv=3, algorithms=CHEAP,
                           warm_start=False, refit=False, storage=storage, study_name="s")
    assert result.interrupted == [stale.number]
    assert result.study.trials[current.number].state == TrialState.RUNNING


def test_an_empty_study_of_someone_else_is_refused(tmp_path, monkeypatch):
    # without trials it may be one another process is creating: tune waits a little
    # (SETTINGS_WAIT, 10 s; it was a minute) for its settings before refusing it
    from autometa import _tune

    monkeypatch.setattr(_tune, "SETTINGS_WAIT", 0.5)
    X, y = make_table(60, 3, task="classification", seed=1)
    storage = f"sqlite:///{tmp_path / 'plain.db'}"
    optuna.create_study(study_name="empty", storage=storage, direction="maximize")
    with pytest.raises(InvalidInputError, match="'empty' exists in the storage but was not "
                                                "created by autometa.tune"):
        autometa.tune(X.assign(target=y), "target", n_trials=1, cv=3, storage=storage,
                      study_name="empty", algorithms=CHEAP)


@pytest.mark.parametrize("kwargs, match", [
    ({"n_trials": 0}, "n_trials"),
    ({"n_trials": None}, "give a timeout too"),
    ({"cv": 1}, "cv"),
    ({"sampler": "cmaes"}, "sampler"),
    ({"timeout": -1}, "timeout"),
    ({"fit_timeout": 0}, "fit_timeout"),
    ({"algorithms": ["xgboost"]}, "unknown algorithms"),
    ({"metric": "rmse"}, "does not apply"),
    ({"storage": 3}, "storage"),
    ({"random_state": 2**32}, r"random_state must be an integer in \[0, 2\*\*32 - 1\]"),
    ({"random_state": -1}, "random_state"),
    ({"n_jobs": 0}, r"n_jobs must be a positive integer or -1 \(one worker per core\)"),
    ({"n_jobs": -2}, "n_jobs"),
    ({"n_jobs": True}, "n_jobs"),
])
def test_bad_arguments_are_rejected_early(table, kwargs, match):
    with pytest.raises(InvalidInputError, match=match):
        autometa.tune(table, "target", **kwargs)


def test_a_sampler_for_other_algorithms_or_another_task_is_refused(table):
    from autometa import MetaLearnedSampler

    for sampler, match in [
            (MetaLearnedSampler(None, task="classification", algorithms=["lightgbm"]),
             r"the sampler proposes \['lightgbm'\] but the study tunes \['linear', 'knn'\]"),
            (MetaLearnedSampler(None, task="regression", algorithms=CHEAP),
             "built for regression; this table's task is classification"),
            # built from another table's recommendation (as recommendation= is refused)
            (MetaLearnedSampler(None, task="classification", algorithms=CHEAP,
                                n_features=13),
             "built for a table with 13 feature columns, this one has 5")]:
        with pytest.raises(InvalidInputError, match=match):
            autometa.tune(table, "target", n_trials=2, cv=3, algorithms=CHEAP,
                          sampler=sampler)
    sampler = MetaLearnedSampler(None, task="classification", algorithms=CHEAP, seed=0)
    assert sampler.algorithms == CHEAP and sampler.task == "classification"
    result = autometa.tune(table, "target", n_trials=2, cv=3, algorithms=CHEAP,
                           sampler=sampler, refit=False)
    assert result.n_trials == 2


def test_two_classes_one_of_a_single_row_are_refused_before_any_trial(table):
    # the fold testing that row trained on one class: every trial failed, with a message
    # from inside LightGBM or scikit-learn
    odd = table.assign(target=["q"] + ["p"] * (len(table) - 1))
    with pytest.raises(InvalidInputError, match=r"class 'q' has a single row \(the other, "
                       r"'p', 159\)"):
        autometa.tune(odd, "target", n_trials=2, cv=2, algorithms=CHEAP, warm_start=False)


def test_no_trial_limit_runs_until_the_timeout(table):
    result = autometa.tune(table, "target", n_trials=None, timeout=3, cv=3,
                           algorithms=["linear"], warm_start=False, refit=False)
    started = [trial.datetime_start for trial in result.study.trials
               if trial.state != TrialState.WAITING]  # one stopped by the timeout, queued
    assert result.n_trials > 1  # more than one trial, none started after the timeout
    assert (max(started) - min(started)).total_seconds() < 3


def test_a_trial_running_at_the_timeout_is_stopped_and_queued_again(tmp_path):
    # Optuna's timeout only stops starting trials: one slow trial (a large perceptron)
    # overran the budget by minutes; now its fit stops at the timeout once the study has
    # a result, and the trial waits to run first when the study resumes
    X, y = make_table(1500, 20, task="classification", seed=3)
    slow = {"n_layers": 3, "n_units": 512, "alpha": 1e-4, "learning_rate_init": 1e-3,
            "batch_size": 16}
    recommendation = fake_recommendation(("linear", {"C": 1.0, "class_weight": None}),
                                         ("mlp", slow))
    storage = str(tmp_path / "study.log")
    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = records.append
    logging.getLogger("optuna").addHandler(handler)
    started = time.perf_counter()
    try:
        result = autometa.tune(X.assign(target=y), "target", n_trials=5, timeout=4, cv=3,
                               algorithms=["linear", "mlp"], recommendation=recommendation,
                               storage=storage, study_name="s", refit=False)
    finally:
        logging.getLogger("optuna").removeHandler(handler)
    assert time.perf_counter() - started < 15  # the perceptron alone takes minutes
    # Optuna logged the stop as a failed trial with its traceback: now one plain line
    stops = [r for r in records if "timeout came before" in r.getMessage()]
    assert len(stops) == 1 and stops[0].exc_info is None
    assert not any("failed" in r.getMessage() for r in records)
    trials = result.study.trials
    assert result.n_trials == 1 and result.configuration.algorithm == "linear"
    stopped = [t for t in trials if _tune.STOPPED_ATTR in t.user_attrs]
    assert len(stopped) == 1 and stopped[0].state == TrialState.FAIL
    assert stopped[0].params["mlp__n_units"] == 512
    assert "error" not in stopped[0].user_attrs  # not a failure of the configuration
    waiting = [t for t in trials if t.state == TrialState.WAITING]
    assert [t.system_attrs["fixed_params"] for t in waiting] == [stopped[0].params]
    assert (f"trial {stopped[0].number} was stopped by the timeout before finishing (no "
            "result): it is queued and runs first when the study is resumed (the same "
            "storage and study name)") in result.notes


def test_folds_of_a_single_class_score_by_accuracy_unless_roc_auc_is_asked_for(table):
    # 5 rows of 3 classes, cv=5: ROC AUC is undefined on every fold; every trial failed
    X, y = make_table(60, 4, task="classification", seed=2, n_classes=3)
    tiny = X.assign(target=y).groupby("target").head(2).head(5)
    result = autometa.tune(tiny, "target", n_trials=2, cv=5, algorithms=CHEAP,
                           warm_start=False, refit=False)
    assert result.metric == "accuracy" and result.n_trials == 2
    assert any("every validation fold of the 5 holds a single class" in note
               for note in result.notes)
    with pytest.raises(InvalidInputError, match="roc_auc is undefined: use fewer folds"):
        autometa.tune(tiny, "target", n_trials=2, cv=5, metric="roc_auc",
                      algorithms=CHEAP, warm_start=False)
    assert autometa.tune(table, "target", n_trials=1, cv=3, algorithms=CHEAP,
                         warm_start=False, refit=False).metric == "roc_auc"


def test_bad_table_or_target_is_rejected(table):
    with pytest.raises(InvalidInputError, match="not a column"):
        autometa.tune(table, "nope")
    with pytest.raises(InvalidInputError, match="DataFrame"):
        autometa.tune(table.to_numpy(), "target")
    blank = table[["target"]].assign(x=float("nan"))
    with pytest.raises(InvalidInputError, match="no feature column carries information"):
        autometa.tune(blank, "target")


@pytest.mark.parametrize("labels, expected", [
    ([True, False, None], {True, False}),        # a CSV column of True/False with gaps
    ([1, 2, None], {1, 2}),                       # integer labels with gaps (float64)
    (["yes", "no", None], {"yes", "no"}),
    ([1, "b", None], {"1", "b"}),                 # mixed value types: compared as text
])
def test_labels_with_gaps_of_any_type_are_tuned(table, labels, expected):
    target = pd.Series(labels * 60, dtype=object).iloc[:len(table)]
    frame = table.assign(target=target.to_numpy())
    result = autometa.tune(frame, "target", task="classification", n_trials=2, cv=2,
                           algorithms=CHEAP, warm_start=False)
    assert (result.history()["state"] == "COMPLETE").all()
    predicted = result.pipeline.predict(frame.drop(columns="target"))
    assert set(predicted) <= expected


def test_rows_with_an_infinite_target_are_dropped_like_missing_ones():
    X, y = make_table(120, 4, task="regression", seed=3)
    frame = X.assign(target=y)
    frame.loc[:2, "target"] = [np.inf, -np.inf, np.nan]
    result = autometa.tune(frame, "target", n_trials=2, cv=2, algorithms=CHEAP,
                           warm_start=False)
    assert (result.history()["state"] == "COMPLETE").all()
    assert np.isfinite(result.best_score)
    assert result.notes == ["dropped 3 rows whose target is missing or infinite"]
    assert result.to_dict()["notes"] == result.notes


def test_classes_smaller_than_the_folds_are_noted(table):
    frame = table.assign(target=["rare"] * 2 + list(table["target"].iloc[2:]))
    result = autometa.tune(frame, "target", n_trials=2, cv=3, algorithms=CHEAP,
                           warm_start=False)
    assert result.notes == ["1 class(es) have fewer rows than the 3 folds (smallest: 'rare' "
                            "with 2); some folds are scored without them"]
    assert autometa.tune(table, "target", n_trials=1, cv=3, algorithms=CHEAP,
                         warm_start=False).notes == []
    # integer labels are named as written (3, not np.int64(3))
    frame = table.assign(target=[3] * 2 + [0, 1] * ((len(table) - 2) // 2)
                         + [0] * (len(table) % 2))
    result = autometa.tune(frame, "target", n_trials=1, cv=3, algorithms=CHEAP,
                           warm_start=False)
    assert any("(smallest: 3 with 2)" in note for note in result.notes)


def test_every_class_smaller_than_the_folds_falls_back_to_plain_k_fold():
    # 30 labels of 2 rows each (a face-identification-like table): stratified K-fold with
    # 3 folds is impossible, and every trial used to fail inside scikit-learn
    X, _ = make_table(60, 4, task="regression", seed=5)
    frame = X.assign(target=[f"person{i // 2}" for i in range(60)])
    result = autometa.tune(frame, "target", n_trials=2, cv=3, algorithms=CHEAP,
                           warm_start=False)
    assert (result.history()["state"] == "COMPLETE").all()
    assert result.notes == ["every class has fewer rows than the 3 folds (smallest: "
                            "'person29' with 2); the folds cannot be stratified and are "
                            "plain shuffled K-fold"]


def test_cells_holding_lists_are_tuned_on_like_any_other_object_column():
    # unhashable cells used to break the study's table fingerprint (pandas' hashing)
    X, y = make_table(90, 3, task="classification", seed=6)
    frame = X.assign(tags=[[i % 3, "x"] for i in range(90)], target=y)
    result = autometa.tune(frame, "target", n_trials=2, cv=2, algorithms=CHEAP,
                           warm_start=False)
    assert (result.history()["state"] == "COMPLETE").all()
    assert set(result.pipeline.predict(frame.drop(columns="target"))) <= set(y)


def test_a_storage_path_naming_sqlite_opens_sqlite_not_a_journal(tmp_path):
    from autometa._storage import make_storage, storage_url

    assert storage_url(tmp_path / "tune.db") == f"sqlite:///{tmp_path / 'tune.db'}"
    assert storage_url(tmp_path / "study.log") == str(tmp_path / "study.log")
    assert storage_url("mysql://u@h/db") == "mysql://u@h/db"
    storage = make_storage(tmp_path / "tune.db")
    assert isinstance(storage, optuna.storages.RDBStorage)
    optuna.create_study(storage=storage, study_name="s").optimize(lambda t: 1.0, n_trials=1)
    renamed = tmp_path / "tune.bin"  # an existing SQLite file is recognised by its header
    (tmp_path / "tune.db").rename(renamed)
    assert storage_url(renamed) == f"sqlite:///{renamed}"
    assert len(optuna.load_study(study_name="s", storage=make_storage(renamed)).trials) == 1


def test_storages_that_cannot_open_are_clean_errors_without_the_password(tmp_path, table):
    import importlib.util

    from autometa._storage import POSTGRES_DRIVERS, _with_installed_driver

    (tmp_path / "a_file").write_text("")
    for url, message in (("nonsense://x", "unknown database type"),
                         (f"sqlite:///{tmp_path}/a_file/x.db", "cannot create its folder"),
                         (str(tmp_path / "a_file" / "x.log"), "cannot create its folder"),
                         ("postgresql://user:s3cret@127.0.0.1:1/db", "127.0.0.1")):
        with pytest.raises(InvalidInputError, match="cannot open storage") as caught:
            autometa.tune(table, "target", n_trials=1, cv=2, algorithms=CHEAP,
                          warm_start=False, storage=url)
        assert message in str(caught.value) and "s3cret" not in str(caught.value)
    # a bare postgresql:// URL names the driver that is installed (SQLAlchemy 2.1 would
    # import psycopg 3, 2.0 psycopg2, whichever is missing)
    installed = [d for d in POSTGRES_DRIVERS if importlib.util.find_spec(d) is not None]
    assert installed, "the test extra installs a PostgreSQL driver"
    assert _with_installed_driver("postgresql://u@h/db") == f"postgresql+{installed[0]}://u@h/db"
    assert _with_installed_driver("postgresql+psycopg2://u@h/db") == "postgresql+psycopg2://u@h/db"
    assert _with_installed_driver("postgres://u@h/db") == f"postgresql+{installed[0]}://u@h/db"
    assert _with_installed_driver("sqlite:///x.db") == "sqlite:///x.db"


def test_storages_that_would_lose_or_damage_something_are_refused(tmp_path, table):
    # Optuna appended a journal record to any file given, then failed to parse it; an
    # in-memory SQLite database vanished with its connection ("no such table: studies")
    data = tmp_path / "data.csv"
    table.to_csv(data, index=False)
    before = data.read_bytes()
    for storage, message in ((data, "exists and is not an Optuna journal file"),
                             (tmp_path, "is a folder"),
                             ("sqlite:///", "in-memory SQLite database"),
                             ("sqlite:///:memory:", "in-memory SQLite database")):
        with pytest.raises(InvalidInputError, match=message):
            autometa.tune(table, "target", n_trials=1, cv=2, algorithms=CHEAP,
                          warm_start=False, storage=storage)
    assert data.read_bytes() == before  # left unchanged
    # a database (like a journal) in a folder that does not exist yet: the folder is made
    result = autometa.tune(table, "target", n_trials=1, cv=2, algorithms=CHEAP,
                           warm_start=False, storage=tmp_path / "new" / "tune.db", refit=False)
    assert result.n_trials == 1 and (tmp_path / "new" / "tune.db").is_file()


def test_a_numpy_integer_column_name_names_the_target(tmp_path):
    # df.columns[-1] of an integer-labelled table is a numpy.int64: recorded in the study's
    # JSON settings, it used to be refused as "not a column name"
    X, y = make_table(80, 3, task="classification", seed=8)
    frame = X.set_axis(range(3), axis=1).assign(**{"3": y}).set_axis(
        np.arange(4, dtype=np.int64), axis=1)
    target = frame.columns[-1]
    assert isinstance(target, np.integer)
    result = autometa.tune(frame, target, n_trials=2, cv=2, algorithms=CHEAP,
                           warm_start=False, storage=tmp_path / "study.log")
    assert result.n_trials == 2
    assert result.study.user_attrs["autometa:settings"]["target"] == 3
