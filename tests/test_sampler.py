"""The portfolio search space in Optuna names, and the meta-learned sampler.

Fast: the objectives here score configurations with a known function (no model fitting).
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import time

import numpy as np
import optuna
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from optuna.distributions import CategoricalDistribution, FloatDistribution, IntDistribution
from optuna.trial import TrialState

from autometa._exceptions import InvalidInputError
from autometa._sampler import INTERRUPTED_ATTR, PROPOSAL_ATTR, MetaLearnedSampler
from autometa._search_space import (
    ALGORITHM_PARAM,
    MISSING,
    configuration_to_params,
    fit_value,
    from_unit,
    params_to_configuration,
    portfolio_search_space,
    suggest_configuration,
    to_unit,
)
from knowledge_base.portfolio import (
    Configuration,
    algorithm_names,
    get_algorithm,
    sample_configurations,
)

optuna.logging.set_verbosity(optuna.logging.WARNING)
TASK = "classification"
ALGOS = ["linear", "knn", "random_forest"]


# ----------------------------------------------------------------- the space
@pytest.mark.parametrize("task", ["classification", "regression"])
def test_portfolio_space_names_every_parameter_of_every_algorithm(task):
    space = portfolio_search_space(task)
    assert space[ALGORITHM_PARAM].choices == tuple(algorithm_names())
    expected = {f"{name}__{param}" for name in algorithm_names()
                for param in get_algorithm(name).search_space(task)}
    assert set(space) - {ALGORITHM_PARAM} == expected


def test_unknown_algorithm_is_rejected_with_the_known_names():
    with pytest.raises(InvalidInputError, match="unknown algorithms.*'xgboost'"):
        portfolio_search_space(TASK, ["xgboost"])


def test_suggest_configuration_round_trips_through_the_study_params():
    study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=1))
    configs = []

    def objective(trial):
        configs.append(suggest_configuration(trial, TASK))
        return 0.0

    study.optimize(objective, n_trials=12)
    for trial, config in zip(study.trials, configs, strict=True):
        assert params_to_configuration(trial.params) == config
        assert set(config.params) == set(get_algorithm(config.algorithm).search_space(TASK))
        get_algorithm(config.algorithm).build(config.params, task=TASK)  # buildable


def test_configuration_to_params_clips_translates_and_reports():
    config = Configuration("random_forest", {"n_estimators": 5000, "max_features": "sqrt",
                                             "criterion": "log_loss"})
    params, notes = configuration_to_params(config, TASK, n_features=16)
    space = portfolio_search_space(TASK)
    assert params["random_forest__n_estimators"] == 512
    assert notes["random_forest__n_estimators"].startswith("clipped")
    assert params["random_forest__max_features"] == pytest.approx(4 / 16)
    assert "random_forest__criterion" not in params  # not among the choices: left out
    assert "not representable" in notes["random_forest__criterion"]
    for name, value in params.items():
        assert space[name]._contains(space[name].to_internal_repr(value))
    other, notes = configuration_to_params(config, TASK, algorithms=["linear"])
    assert other == {} and "not among" in notes[ALGORITHM_PARAM]


def test_default_configurations_are_fully_representable_with_a_table_size():
    for name in algorithm_names():
        config = Configuration(name, get_algorithm(name).defaults(TASK))
        params, notes = configuration_to_params(config, TASK, n_features=10)
        assert not [k for k, v in notes.items() if v.startswith("not")], notes
        assert len(params) == 1 + len(get_algorithm(name).search_space(TASK))


def test_fit_value_keeps_none_and_distinguishes_booleans_from_integers():
    dist = CategoricalDistribution([None, "balanced"])
    assert fit_value(None, dist) is None
    assert fit_value("other", dist) is MISSING
    assert fit_value(True, CategoricalDistribution([1, 2])) is MISSING
    assert fit_value(2.0, CategoricalDistribution([1, 2])) == 2
    assert fit_value(70, IntDistribution(8, 64, step=8)) == 64
    assert fit_value(0.33, FloatDistribution(0.0, 1.0, step=0.25)) == pytest.approx(0.25)
    assert fit_value("sqrt", FloatDistribution(0.1, 1.0)) is MISSING


distributions = st.one_of(
    st.builds(lambda lo, w, log: FloatDistribution(lo, lo + w, log=log),
              st.floats(1e-3, 10), st.floats(1e-2, 100), st.booleans()),
    st.builds(lambda lo, w, log: IntDistribution(lo, lo + w, log=log),
              st.integers(1, 50), st.integers(1, 500), st.booleans()),
    st.builds(lambda lo, k, step: IntDistribution(lo, lo + k * step, step=step),
              st.integers(0, 50), st.integers(1, 20), st.integers(1, 7)),
    st.builds(lambda k: CategoricalDistribution(list(range(k))), st.integers(1, 6)),
)


@settings(max_examples=200, deadline=None)
@given(dist=distributions, u=st.floats(0.0, 1.0))
def test_unit_cube_maps_onto_valid_values_and_back(dist, u):
    value = from_unit(u, dist)
    assert dist._contains(dist.to_internal_repr(value))
    assert from_unit(to_unit(value, dist), dist) == pytest.approx(value)


# ---------------------------------------------------------------- the sampler
def truth(config: Configuration) -> float:
    """A known landscape: knn with ~20 neighbours is best; linear is mediocre."""
    params = config.params
    if config.algorithm == "knn":
        return 0.9 - 0.1 * (math.log10(params["n_neighbors"]) - math.log10(20)) ** 2
    if config.algorithm == "linear":
        return 0.7 - 0.02 * (math.log10(params["C"])) ** 2
    return 0.6 + 0.05 * params["max_features"]


def prior_favouring(algorithm: str, spread: float = 0.05):
    def prior(configs):
        mean = np.array([0.9 if c.algorithm == algorithm else 0.5 for c in configs])
        return mean, np.full(len(configs), spread)
    return prior


def objective(trial):
    return truth(suggest_configuration(trial, TASK, ALGOS))


def candidates():
    return [c for a in ALGOS for c in sample_configurations(a, TASK, 8, seed=0)]


def test_first_proposal_is_the_best_predicted_candidate():
    calls = []

    def prior(configs):
        calls.append(len(configs))
        mean = np.array([c.params.get("C", 0.0) if c.algorithm == "linear" else 0.0
                         for c in configs], dtype=float)
        return mean, np.zeros(len(configs))

    cands = candidates()
    sampler = MetaLearnedSampler(prior, task=TASK, algorithms=ALGOS, candidates=cands, seed=0)
    study = optuna.create_study(direction="maximize", sampler=sampler)
    study.optimize(objective, n_trials=1)
    best_candidate = max((c for c in cands if c.algorithm == "linear"),
                         key=lambda c: c.params["C"])
    first = params_to_configuration(study.trials[0].params)
    assert first.algorithm == "linear"
    assert first.params["C"] >= best_candidate.params["C"] - 1e-9  # may be a perturbation
    assert calls, "the prior was consulted"


def test_data_overrule_a_wrong_prior():
    # the prior insists on linear; the landscape rewards knn
    sampler = MetaLearnedSampler(prior_favouring("linear"), task=TASK, algorithms=ALGOS,
                                 candidates=candidates(), seed=0)
    study = optuna.create_study(direction="maximize", sampler=sampler)
    study.optimize(objective, n_trials=25)
    first = params_to_configuration(study.trials[0].params)
    assert first.algorithm == "linear"
    assert params_to_configuration(study.best_trial.params).algorithm == "knn"
    assert study.best_value > 0.85


def test_a_good_prior_beats_random_search_early():
    finals = {}
    for name in ("meta", "random"):
        bests = []
        for seed in range(3):
            sampler = (MetaLearnedSampler(prior_favouring("knn"), task=TASK, algorithms=ALGOS,
                                          candidates=candidates(), seed=seed)
                       if name == "meta" else optuna.samplers.RandomSampler(seed=seed))
            study = optuna.create_study(direction="maximize", sampler=sampler)
            study.optimize(objective, n_trials=8)
            bests.append(study.best_value)
        finals[name] = np.mean(bests)
    assert finals["meta"] > finals["random"]


def test_minimisation_is_supported():
    sampler = MetaLearnedSampler(None, task=TASK, algorithms=ALGOS, seed=0)
    study = optuna.create_study(direction="minimize", sampler=sampler)
    study.optimize(lambda trial: -objective(trial), n_trials=15)
    assert -study.best_value > 0.8


def test_running_trials_are_not_proposed_twice():
    sampler = MetaLearnedSampler(prior_favouring("knn", spread=0.0), task=TASK,
                                 algorithms=ALGOS, candidates=candidates(), seed=0)
    study = optuna.create_study(direction="maximize", sampler=sampler)
    study.optimize(objective, n_trials=3)
    first, second = study.ask(), study.ask()  # two workers, neither has reported
    config_a = suggest_configuration(first, TASK, ALGOS)
    config_b = suggest_configuration(second, TASK, ALGOS)
    assert config_a != config_b
    stored = study._storage.get_trial(first._trial_id).system_attrs[PROPOSAL_ATTR]
    assert stored[ALGORITHM_PARAM] == config_a.algorithm


def test_workers_that_start_together_propose_different_points():
    # two workers create their first trials before either has sampled: the later trial
    # sees an earlier RUNNING one without a proposal and takes the next-best point
    def prior(configs):
        mean = np.array([c.params.get("C", 0.0) if c.algorithm == "linear" else 0.0
                         for c in configs], dtype=float)
        return mean, np.zeros(len(configs))

    cands = candidates()
    ranked = sorted((c for c in cands if c.algorithm == "linear"),
                    key=lambda c: -c.params["C"])
    for started_before in (0, 1, 2):
        sampler = MetaLearnedSampler(prior, task=TASK, algorithms=ALGOS, candidates=cands,
                                     seed=0)
        study = optuna.create_study(direction="maximize", sampler=sampler)
        for _ in range(started_before):  # trials whose workers are still sampling
            study._storage.create_new_trial(study._study_id)
        config = suggest_configuration(study.ask(), TASK, ALGOS)
        assert config.algorithm == "linear"
        assert config.params["C"] == pytest.approx(ranked[started_before].params["C"])


def test_workers_sampling_together_mid_study_propose_different_points():
    # two workers (other seeds, so other random draws in their pools) sample trials 3 and
    # 4 before either proposal is visible: successive ranks of two different pools could
    # name the same point (a duplicate seen under load in tune --jobs 2)
    def prior(configs):
        return np.array([c.params.get("C", 0.0) if c.algorithm == "linear" else 0.0
                         for c in configs], dtype=float), np.full(len(configs), 0.5)

    for seed in range(8):
        study = optuna.create_study(direction="maximize", sampler=MetaLearnedSampler(
            prior, task=TASK, algorithms=ALGOS, candidates=candidates(), seed=seed))
        study.optimize(objective, n_trials=3)
        ids = [study._storage.create_new_trial(study._study_id) for _ in range(2)]
        snapshot = optuna.storages.InMemoryStorage()  # what worker A sees: no proposal of B
        optuna.copy_study(from_study_name=study.study_name, from_storage=study._storage,
                          to_storage=snapshot, to_study_name="a")
        worker_a = optuna.load_study(study_name="a", storage=snapshot, sampler=(
            MetaLearnedSampler(prior, task=TASK, algorithms=ALGOS, candidates=candidates(),
                               seed=100 + seed)))
        running = worker_a.get_trials(deepcopy=False, states=(TrialState.RUNNING,))
        config_a = suggest_configuration(optuna.Trial(worker_a, running[0]._trial_id), TASK,
                                         ALGOS)
        study.sampler = MetaLearnedSampler(prior, task=TASK, algorithms=ALGOS,
                                           candidates=candidates(), seed=200 + seed)
        config_b = suggest_configuration(optuna.Trial(study, ids[1]), TASK, ALGOS)
        assert config_a != config_b, seed


def test_enqueued_parameters_are_respected():
    sampler = MetaLearnedSampler(prior_favouring("knn"), task=TASK, algorithms=ALGOS,
                                 candidates=candidates(), seed=0)
    study = optuna.create_study(direction="maximize", sampler=sampler)
    study.enqueue_trial({ALGORITHM_PARAM: "linear", "linear__C": 3.0})
    study.optimize(objective, n_trials=2)
    assert study.trials[0].params["linear__C"] == 3.0
    assert study.trials[0].params[ALGORITHM_PARAM] == "linear"
    assert all(t.state == TrialState.COMPLETE for t in study.trials)


def test_parameters_outside_the_portfolio_use_the_independent_sampler():
    sampler = MetaLearnedSampler(None, task=TASK, algorithms=ALGOS, seed=0)
    study = optuna.create_study(direction="maximize", sampler=sampler)

    def mixed(trial):
        extra = trial.suggest_float("my_weight", 0.0, 1.0)
        return objective(trial) + 0.01 * extra

    study.optimize(mixed, n_trials=4)
    assert all(0.0 <= t.params["my_weight"] <= 1.0 for t in study.trials)


def test_failed_trials_steer_away_from_their_configuration():
    sampler = MetaLearnedSampler(None, task=TASK, algorithms=ALGOS, seed=3)
    study = optuna.create_study(direction="maximize", sampler=sampler)

    def breaks_forests(trial):
        config = suggest_configuration(trial, TASK, ALGOS)
        if config.algorithm == "random_forest":
            raise ValueError("boom")
        return truth(config)

    study.optimize(breaks_forests, n_trials=20, catch=(ValueError,))
    late = [t.params[ALGORITHM_PARAM] for t in study.trials[10:]]
    assert late.count("random_forest") <= 2


def test_interrupted_trials_are_no_result():
    # a trial stopped by Ctrl-C or a dead worker counted as the worst result, beside its
    # retry's real one
    space = portfolio_search_space(TASK, ALGOS)
    configs = sample_configurations("knn", TASK, 4, seed=1)
    params = [configuration_to_params(c, TASK, algorithms=ALGOS, fill=True)[0]
              for c in configs]

    def add(number, state, **kwargs):
        study.add_trial(optuna.trial.create_trial(
            params=params[number], distributions={k: space[k] for k in params[number]},
            state=state, **kwargs))

    study = optuna.create_study(direction="maximize")
    add(0, TrialState.COMPLETE, value=0.8)
    add(1, TrialState.FAIL, system_attrs={INTERRUPTED_ATTR: True})  # autometa's mark
    add(2, TrialState.FAIL)  # stale, retried by Optuna's RetryFailedTrialCallback:
    study.add_trial(optuna.trial.create_trial(
        params=params[2], distributions={k: space[k] for k in params[2]},
        state=TrialState.WAITING, system_attrs={"failed_trial": 2}))
    add(3, TrialState.FAIL)  # the model failed: a result
    sampler = MetaLearnedSampler(None, task=TASK, algorithms=ALGOS, seed=0)
    observed, y, *_ = sampler._history(study, study.ask())
    kept = [json.dumps(point.params, sort_keys=True) for point in observed]
    assert kept == [json.dumps(sampler._point_from_params(params[i]).params, sort_keys=True)
                    for i in (0, 3)]
    assert y[1] < y[0]


def test_an_objective_that_does_not_suggest_the_algorithm_is_learned_from():
    # its trials were not recognised: every proposal was the same first candidate
    sampler = MetaLearnedSampler(prior_favouring("knn"), task=TASK, algorithms=["knn"],
                                 candidates=sample_configurations("knn", TASK, 8, seed=0),
                                 seed=0)
    study = optuna.create_study(direction="maximize", sampler=sampler)

    def knn_only(trial):
        k = trial.suggest_int("knn__n_neighbors", 1, 100, log=True)
        trial.suggest_categorical("knn__weights", ["uniform", "distance"])
        return -abs(math.log(k / 20))

    study.optimize(knn_only, n_trials=6)
    assert len({json.dumps(t.params, sort_keys=True) for t in study.trials}) == 6


def test_pruned_trials_are_not_proposed_again():
    sampler = MetaLearnedSampler(prior_favouring("knn"), task=TASK, algorithms=ALGOS,
                                 candidates=candidates(), seed=0)
    study = optuna.create_study(direction="maximize", sampler=sampler)

    def pruned_every_other(trial):
        config = suggest_configuration(trial, TASK, ALGOS)
        if trial.number % 2:
            raise optuna.TrialPruned()
        return truth(config)

    study.optimize(pruned_every_other, n_trials=10)
    points = [json.dumps(t.params, sort_keys=True) for t in study.trials]
    assert len(set(points)) == len(points)


def test_points_agreeing_on_every_parameter_the_objective_used_are_not_proposed_again():
    # the objective suggests two of the forest's parameters: points differing only in
    # the others are the same model
    sampler = MetaLearnedSampler(prior_favouring("random_forest"), task=TASK,
                                 algorithms=["random_forest"], candidates=candidates(), seed=0)
    study = optuna.create_study(direction="maximize", sampler=sampler)

    def two_parameters(trial):
        trial.suggest_categorical(ALGORITHM_PARAM, ["random_forest"])
        n = trial.suggest_int("random_forest__n_estimators", 16, 512, log=True)
        share = trial.suggest_float("random_forest__max_features", 0.05, 1.0)
        return -abs(np.log(n / 200)) - abs(share - 0.3)

    study.optimize(two_parameters, n_trials=12)
    points = [json.dumps(t.params, sort_keys=True) for t in study.trials]
    assert len(set(points)) == len(points)


def test_multi_objective_studies_are_refused():
    sampler = MetaLearnedSampler(None, task=TASK, algorithms=ALGOS, seed=0)
    study = optuna.create_study(directions=["maximize", "minimize"], sampler=sampler)
    with pytest.raises(ValueError, match="single-objective"):
        study.optimize(lambda t: (objective(t), 0.0), n_trials=1)


def test_local_picks_refine_the_incumbent_algorithm():
    # an uninformative prior: local picks must stay with the best trials' algorithms
    sampler = MetaLearnedSampler(None, task=TASK, algorithms=ALGOS, candidates=candidates(),
                                 seed=0)
    turns = [n for n in range(20) if sampler._local_turn(n, sampler._portfolio_turn(n))]
    assert turns and min(turns) >= 4
    assert not any(sampler._portfolio_turn(n) for n in turns)
    study = optuna.create_study(direction="maximize", sampler=sampler)
    study.optimize(objective, n_trials=20)
    trials = study.trials
    for n in turns:
        earlier = sorted(trials[:n], key=lambda t: t.value, reverse=True)[:3]
        incumbents = {params_to_configuration(t.params).algorithm for t in earlier}
        assert params_to_configuration(trials[n].params).algorithm in incumbents


def test_local_picks_can_be_switched_off_and_bad_settings_are_refused():
    sampler = MetaLearnedSampler(None, task=TASK, algorithms=ALGOS, local_every=0, seed=0)
    assert not any(sampler._local_turn(n, False) for n in range(30))
    with pytest.raises(InvalidInputError, match="local_every"):
        MetaLearnedSampler(None, task=TASK, algorithms=ALGOS, local_every=-1)


def two_kinds_of_past_datasets(cands):
    """Candidate scores on 10 past datasets: on 5 the linear models win, on the other 5
    the knn models do, one of them (the returned index) best of all."""
    knn = [i for i, c in enumerate(cands) if c.algorithm == "knn"]
    star = knn[-1]
    scores = np.zeros((10, len(cands)))
    for i, config in enumerate(cands):
        scores[:5, i] = 1.0 if config.algorithm == "linear" else 0.1
        scores[5:, i] = 0.2 if config.algorithm == "linear" else 0.5
    scores[5:, knn] = 0.8
    scores[5:, star] = 1.0
    scores[5:, knn[1]] = np.nan  # not run there: left out, not counted as a loss
    return scores, star


def test_active_testing_picks_the_best_of_past_datasets_that_rank_trials_alike():
    cands = candidates()
    scores, star = two_kinds_of_past_datasets(cands)
    # the prior insists on linear models; the study finds a knn model better
    sampler = MetaLearnedSampler(prior_favouring("linear"), task=TASK, algorithms=ALGOS,
                                 candidates=cands, candidate_scores=scores, seed=0)
    linear = next(c for c in cands if c.algorithm == "linear")
    knn = next(c for c in cands if c.algorithm == "knn")  # a good knn, not the best
    study = optuna.create_study(direction="maximize", sampler=sampler)
    for config, value in ((linear, 0.6), (knn, 0.8)):
        params, _ = configuration_to_params(config, TASK, algorithms=ALGOS, fill=True)
        study.enqueue_trial(params)
        study.optimize(lambda trial, v=value: (suggest_configuration(trial, TASK, ALGOS),
                                               v)[1], n_trials=1)
    assert sampler._portfolio_turn(2)
    study.optimize(objective, n_trials=1)
    picked = params_to_configuration(study.trials[2].params)
    assert picked == cands[star]
    # without the candidates' scores the same history leads elsewhere
    plain = MetaLearnedSampler(prior_favouring("linear"), task=TASK, algorithms=ALGOS,
                               candidates=cands, seed=0)
    again = optuna.create_study(direction="maximize", sampler=plain)
    for trial in study.trials[:2]:
        again.add_trial(trial)
    again.optimize(objective, n_trials=1)
    assert params_to_configuration(again.trials[2].params) != cands[star]


def test_active_testing_waits_for_two_known_trials_and_checks_the_scores_shape():
    cands = candidates()
    scores, _ = two_kinds_of_past_datasets(cands)
    sampler = MetaLearnedSampler(None, task=TASK, algorithms=ALGOS, candidates=cands,
                                 candidate_scores=scores, seed=0)
    point = sampler._point_from_config(cands[0])
    assert sampler._active_testing_gain(sampler._candidates, [point], np.array([1.0])) is None
    with pytest.raises(InvalidInputError, match="one column per candidate"):
        MetaLearnedSampler(None, task=TASK, algorithms=ALGOS, candidates=cands,
                           candidate_scores=scores[:, :-1])


def prior_with_fit_times(seconds: dict[str, float]):
    """knn and random_forest rated alike, linear lower; fit times per algorithm."""
    def prior(configs):
        mean = np.array([0.5 if c.algorithm == "linear" else 0.9 for c in configs])
        times = np.array([seconds[c.algorithm] for c in configs])
        return mean, np.full(len(configs), 0.05), times
    return prior


def test_a_cost_aware_sampler_avoids_slow_configurations_rated_no_better():
    seconds = {"linear": 0.001, "knn": 0.001, "random_forest": 0.1}

    def timed(trial):  # trials take the time the prior expects
        config = suggest_configuration(trial, TASK, ALGOS)
        time.sleep(seconds[config.algorithm])
        return truth(config)

    spent = {}
    for weight in (0.0, 1.0):
        sampler = MetaLearnedSampler(prior_with_fit_times(seconds), task=TASK,
                                     algorithms=ALGOS, candidates=candidates(),
                                     cost_weight=weight, seed=0)
        study = optuna.create_study(direction="maximize", sampler=sampler)
        study.optimize(timed, n_trials=10)
        algorithms = [params_to_configuration(t.params).algorithm for t in study.trials]
        spent[weight] = algorithms.count("random_forest")
    assert spent[1.0] < spent[0.0]
    assert spent[0.0] >= 2, spent  # without costs the forest gets its share
    assert spent[1.0] <= 1, spent


def test_a_cost_aware_active_testing_pick_weighs_improvement_per_second():
    cands = candidates()
    scores, star = two_kinds_of_past_datasets(cands)
    forest = next(i for i, c in enumerate(cands) if c.algorithm == "random_forest")
    scores[5:, forest] = 1.1  # a bigger improvement than the knn star, at 100x the time
    seconds = {"linear": 0.001, "knn": 0.001, "random_forest": 0.1}
    linear = next(c for c in cands if c.algorithm == "linear")
    knn = next(c for c in cands if c.algorithm == "knn")
    picks = {}
    for weight in (0.0, 1.0):
        sampler = MetaLearnedSampler(prior_with_fit_times(seconds), task=TASK,
                                     algorithms=ALGOS, candidates=cands,
                                     candidate_scores=scores, cost_weight=weight, seed=0)
        study = optuna.create_study(direction="maximize", sampler=sampler)
        for config, value in ((linear, 0.6), (knn, 0.8)):
            params, _ = configuration_to_params(config, TASK, algorithms=ALGOS, fill=True)
            study.enqueue_trial(params)
            study.optimize(lambda trial, v=value: (suggest_configuration(trial, TASK, ALGOS),
                                                   time.sleep(0.001), v)[2], n_trials=1)
        assert sampler._portfolio_turn(2)
        study.optimize(objective, n_trials=1)
        picks[weight] = params_to_configuration(study.trials[2].params)
    assert picks[0.0] == cands[forest]  # the largest improvement on the similar datasets
    assert picks[1.0] == cands[star]  # the largest improvement per second


def test_fit_times_are_corrected_by_the_study_s_own_durations():
    # the prior believes random_forest is 100x slower; the study's trials say it is not
    seconds = {"linear": 0.01, "knn": 0.01, "random_forest": 1.0}
    sampler = MetaLearnedSampler(prior_with_fit_times(seconds), task=TASK, algorithms=ALGOS,
                                 candidates=candidates(), cost_weight=1.0, seed=0)
    forests = [p for p in sampler._candidates if p.algorithm == "random_forest"]
    knns = [p for p in sampler._candidates if p.algorithm == "knn"]
    before = sampler._cost_penalty(forests, [], np.zeros(0))
    assert before == pytest.approx(np.full(len(forests), 2.0))  # 100x the typical time
    assert (sampler._cost_penalty(knns, [], np.zeros(0)) == 0).all()
    observed = forests[:4] + knns[:4]
    durations = np.full(len(observed), 0.05)  # all alike
    after = sampler._cost_penalty(forests, observed, durations)
    assert (after < before - 1.0).all()


def test_cost_weight_needs_fit_times_and_must_not_be_negative():
    sampler = MetaLearnedSampler(prior_favouring("knn"), task=TASK, algorithms=ALGOS,
                                 candidates=candidates(), cost_weight=1.0, seed=0)
    assert (sampler._cost_penalty(sampler._candidates, [], np.zeros(0)) == 0).all()
    study = optuna.create_study(direction="maximize", sampler=sampler)
    study.optimize(objective, n_trials=3)  # a prior without fit times: cost is ignored
    with pytest.raises(InvalidInputError, match="cost_weight"):
        MetaLearnedSampler(None, task=TASK, algorithms=ALGOS, cost_weight=-1)


REPRODUCIBILITY_SCRIPT = """
import json, optuna
from autometa._sampler import MetaLearnedSampler
from autometa._search_space import suggest_configuration
from knowledge_base.portfolio import sample_configurations
optuna.logging.set_verbosity(optuna.logging.WARNING)
algos = ["random_forest", "knn"]
cands = [c for a in algos for c in sample_configurations(a, "classification", 8, seed=0)]
sampler = MetaLearnedSampler(None, task="classification", algorithms=algos, candidates=cands,
                             seed=0)
study = optuna.create_study(direction="maximize", sampler=sampler)
def objective(trial):
    config = suggest_configuration(trial, "classification", algos)
    return sum(float(v) for v in config.params.values()
               if isinstance(v, int | float) and not isinstance(v, bool)) % 7
study.optimize(objective, n_trials=16)
print(json.dumps([t.params for t in study.trials], sort_keys=True, default=str))
"""


def test_the_same_seed_proposes_the_same_trials_in_every_process():
    # string hashing differs between processes (PYTHONHASHSEED); the proposals must not
    runs = [subprocess.run([sys.executable, "-c", REPRODUCIBILITY_SCRIPT], check=True,
                           capture_output=True, text=True,
                           env={**os.environ, "PYTHONHASHSEED": seed}).stdout
            for seed in ("1", "2", "3")]
    assert runs[0] == runs[1] == runs[2]
    assert len(json.loads(runs[0])) == 16


def test_the_objective_helper_is_public():
    # the sampler's examples drew configurations with a private helper
    import autometa

    assert "suggest_configuration" in autometa.__all__
    sampler = MetaLearnedSampler(prior_favouring("knn"), task=TASK, algorithms=ALGOS,
                                 candidates=candidates(), seed=0)
    study = optuna.create_study(direction="maximize", sampler=sampler)
    study.optimize(lambda trial: truth(autometa.suggest_configuration(trial, TASK, ALGOS)),
                   n_trials=3)
    assert study.trials[0].params[ALGORITHM_PARAM] == "knn"
