"""The portfolio's fit-time exponents against LCDB's learning curves (real timings)."""

import pytest
from conftest import SHARED_DATA, load_benchmark

from knowledge_base.portfolio import (
    Configuration,
    algorithm_names,
    default_configuration,
    fit_time_column_exponent,
    fit_time_exponent,
)

LCDB = SHARED_DATA / "lcdb"


@pytest.fixture(scope="module")
def lcdb_slopes():
    if not (LCDB / "database-accuracy.parquet").is_file():
        pytest.skip(f"LCDB is not at {LCDB}")
    scaling = load_benchmark("fit_time_scaling")
    table = scaling.slopes(scaling.fit_times(LCDB), min_rows=1000)
    return scaling, table.groupby("learner")["slope"].median()


def test_declared_exponents_do_not_understate_lcdb_scaling(lcdb_slopes):
    # extrapolating with a smaller exponent than measured would promise a large table's
    # fit far too soon (an RBF SVM on 16,000 rows: 12x too soon with exponent 1)
    scaling, median = lcdb_slopes
    for name in algorithm_names():
        measured = median[scaling.CLOSEST_LCDB_LEARNER[name]]
        declared = fit_time_exponent(name)
        assert declared >= measured - 0.1, (name, declared, measured)
        assert declared <= max(1.0, measured + 0.1), (name, declared, measured)
    assert median["SVC_rbf"] > 1.5  # kernel SVMs: about quadratic


def test_unknown_learners_scale_linearly():
    assert fit_time_exponent("lcdb_svc_rbf") == 1.0
    assert fit_time_exponent("svm") > 1.5


def test_column_exponents_follow_the_columns_a_fit_reads():
    # forests drawing sqrt(columns) per split grow slower with columns than those drawing
    # a fraction of them; imported learners scale linearly
    forest = default_configuration("random_forest", "classification")
    assert forest.params["max_features"] == "sqrt"
    fraction = Configuration("random_forest", {**forest.params, "max_features": 0.5})
    assert fit_time_column_exponent(forest) < fit_time_column_exponent(fraction) == 1.0
    assert fit_time_column_exponent(default_configuration("random_forest", "regression")) == 1.0
    assert fit_time_column_exponent(default_configuration("lightgbm", "regression")) == 1.0
    assert fit_time_column_exponent(Configuration("openml_adaboost", {})) == 1.0
