"""Property-based test of ``autometa.warm_start`` on generated user studies.

A user's study tunes one portfolio algorithm under other parameter names, over a subset
of its parameters, with narrower (sometimes stepped) ranges and fewer categorical
choices.  Whatever the recommendations hold, only values valid in the study's own
distributions may be enqueued, and the study must run them as they were reported.
"""

from __future__ import annotations

import math

import optuna
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from optuna.distributions import CategoricalDistribution, FloatDistribution, IntDistribution
from optuna.trial import TrialState

import autometa
from autometa._testing import make_table
from knowledge_base.portfolio import algorithm_names, get_algorithm, sample_configurations

optuna.logging.set_verbosity(optuna.logging.WARNING)
TASK = "classification"
SETTINGS = settings(max_examples=25, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def table() -> pd.DataFrame:
    X, y = make_table(60, 5, task=TASK, seed=4)
    return X.assign(y=y)


def _narrower(draw, dist):
    """A distribution a user might write instead of ours: narrower, maybe stepped."""
    if isinstance(dist, CategoricalDistribution):
        choices = draw(st.lists(st.sampled_from(dist.choices), min_size=1, unique=True))
        return CategoricalDistribution(choices)
    low, high = float(dist.low), float(dist.high)
    a, b = sorted(draw(st.lists(st.floats(0, 1), min_size=2, max_size=2)))
    if dist.log:
        lo, hi = (math.exp(math.log(low) + f * (math.log(high) - math.log(low))) for f in (a, b))
    else:
        lo, hi = (low + f * (high - low) for f in (a, b))
    if isinstance(dist, IntDistribution):
        lo, hi = math.floor(lo), math.ceil(hi)
        hi = max(hi, lo + 1)
        if not dist.log and draw(st.booleans()):
            step = draw(st.integers(1, 3))
            return IntDistribution(lo, lo + step * max(1, (hi - lo) // step), step=step)
        return IntDistribution(lo, hi, log=dist.log)
    hi = max(hi, lo * 1.01 if dist.log else lo + 1e-3)
    if not dist.log and draw(st.booleans()):  # a grid of 0.05 (may reach below ours)
        first, count = round(lo / 0.05), max(1, round((hi - lo) / 0.05))
        return FloatDistribution(round(first * 0.05, 10), round((first + count) * 0.05, 10),
                                 step=0.05)
    return FloatDistribution(lo, hi, log=dist.log)


@st.composite
def user_studies(draw):
    algorithm = draw(st.sampled_from(algorithm_names()))
    ours = get_algorithm(algorithm).search_space(TASK)
    chosen = draw(st.lists(st.sampled_from(sorted(ours)), min_size=1, unique=True))
    space = {f"user_{name}": _narrower(draw, ours[name]) for name in chosen}
    names = {f"user_{name}": name for name in chosen}
    seed = draw(st.integers(0, 2**16))
    mixed = [config for other in (algorithm, draw(st.sampled_from(algorithm_names())))
             for config in sample_configurations(other, TASK, 4, seed=seed)]
    recommendation = pd.DataFrame({"algorithm": [c.algorithm for c in mixed],
                                   "params": [dict(c.params) for c in mixed]})
    return algorithm, space, names, recommendation, draw(st.sampled_from(["clip", "skip"]))


@SETTINGS
@given(study_setup=user_studies())
def test_only_valid_values_are_enqueued_and_run_as_reported(table, study_setup):
    algorithm, space, names, recommendation, out_of_range = study_setup
    study = optuna.create_study(direction="maximize")
    report = autometa.warm_start(study, table, "y", n=len(recommendation), search_space=space,
                                 param_names=names, algorithm=algorithm,
                                 recommendation=recommendation, out_of_range=out_of_range)
    assert set(report["status"]) <= {"enqueued", "skipped"}
    enqueued = report[report["status"] == "enqueued"]
    assert (enqueued["algorithm"] == algorithm).all()
    assert (report.loc[report["algorithm"] != algorithm, "status"] == "skipped").all()
    for params in enqueued["params"]:
        assert params and set(params) <= set(space)
        for name, value in params.items():
            dist = space[name]
            assert dist._contains(dist.to_internal_repr(value)), (name, value, dist)
    keys = [tuple(sorted(params.items())) for params in enqueued["params"]]
    assert len(keys) == len(set(keys))  # a configuration is enqueued once
    if out_of_range == "skip":
        assert not enqueued["reason"].str.contains("outside").any()

    def objective(trial: optuna.Trial) -> float:
        for name, dist in space.items():
            trial._suggest(name, dist)
        return 0.0

    study.optimize(objective, n_trials=len(enqueued))
    ran = [trial.params for trial in study.get_trials(states=(TrialState.COMPLETE,))]
    for params, trial_params in zip(enqueued["params"], ran, strict=True):
        assert {name: trial_params[name] for name in params} == params
