"""Property-based tests of ``tune`` on generated small tables (few examples, tiny KB)."""

from __future__ import annotations

import os

import numpy as np
import optuna
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_recommend_properties import informative, tables

from autometa._exceptions import InvalidInputError
from autometa._recommend import recommend
from autometa._tune import tune

SETTINGS = settings(max_examples=int(os.environ.get("AUTOMETA_TUNE_EXAMPLES", 6)),
                    deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow])


@SETTINGS
@given(data=tables(), sampler=st.sampled_from(["tpe", "meta", "random"]),
       warm=st.booleans())
def test_tune_runs_its_budget_and_refits_a_usable_pipeline(tiny_metamodels, data, sampler,
                                                           warm):
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    frame, task = data
    if not informative(frame):
        with pytest.raises(InvalidInputError, match="no feature column carries information"):
            tune(frame, "target", task=task, n_trials=3, cv=2, sampler=sampler)
        return
    recommendation = recommend(frame, "target", task=task, model=tiny_metamodels[task],
                               n_configs=3,
                               random_state=0)
    result = tune(frame, "target", task=task, n_trials=3, cv=2, sampler=sampler,
                  warm_start=warm, recommendation=recommendation, n_warm=2, random_state=0)
    history = result.history()
    assert len(history) == result.n_trials == 3
    assert (history["state"] == "COMPLETE").any(), history
    assert np.isfinite(result.best_score)
    assert result.best_score == history["best_so_far"].iloc[-1]
    if warm and sampler != "meta":
        assert (history["source"].iloc[:2] == "warm_start").all()
    labelled = frame.dropna(subset=["target"])
    predicted = result.pipeline.predict(labelled.drop(columns="target"))
    assert len(predicted) == len(labelled)
    if task == "classification":
        assert set(predicted) <= set(labelled["target"])
    else:
        assert np.isfinite(predicted).all()
