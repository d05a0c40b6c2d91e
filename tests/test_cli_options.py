"""Bad option values are usage errors (exit 2, before any work), on every command."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

import metafeatures
from autometa._cli import _options, app
from autometa._tune import SAMPLERS
from knowledge_base import METRICS
from knowledge_base.portfolio import TASKS, algorithm_names


def test_the_choices_are_the_librarys():
    assert _options.TASKS == TASKS
    assert sorted(_options.METRICS) == sorted(METRICS)
    assert list(_options.ALGORITHMS) == algorithm_names()
    assert sorted(_options.SAMPLERS) == sorted(SAMPLERS)
    assert list(_options.GROUPS) == list(metafeatures.GROUPS)


TABLE = "absent.csv"  # never read: the values are refused first


@pytest.mark.parametrize("args, message", [
    (["recommend", TABLE, "--task", "foo"], "'foo' is not one of classification, regression"),
    (["recommend", TABLE, "--metric", "f1"], "'f1' is not one of accuracy"),
    (["recommend", TABLE, "--seed", "-1"], "-1 is not in [0, 2**32 - 1]"),
    (["tune", TABLE, "-t", "y", "--jobs", "0"], "0 is not a positive integer or -1"),
    (["tune", TABLE, "-t", "y", "--jobs", "-2"], "-2 is not a positive integer or -1"),
    (["tune", TABLE, "-t", "y", "--timeout", "-1"], "-1 is not a positive number of seconds"),
    (["tune", TABLE, "-t", "y", "--fit-timeout", "0"], "0 is not a positive number"),
    (["tune", TABLE, "-t", "y", "--timeout", "soon"], "'soon' is not a number"),
    (["tune", TABLE, "-t", "y", "-a", "xgboost"], "'xgboost' is not one of lightgbm"),
    (["tune", TABLE, "-t", "y", "--sampler", "grid"], "'grid' is not one of meta, tpe"),
    (["tune", TABLE, "-t", "y", "--task", "ranking"], "'ranking' is not one of"),
    (["metafeatures", TABLE, "--target", "y", "--group", "bogus"], "'bogus' is not one of"),
    (["metafeatures", TABLE, "--target", "y", "--time-budget", "0"], "0 is not a positive"),
    (["evaluate", "--missing", "drop"], "'drop' is not one of exclude, failure"),
    (["evaluate", "--min-coverage", "1.5"], "1.5 is not in (0, 1]"),
    (["evaluate", "--task-type", "ranking"], "'ranking' is not one of"),
    (["evaluate", "--task", "ranking"], "'ranking' is not one of"),  # as the other commands
    (["evaluate", "--jobs", "0"], "0 is not a positive integer or -1"),
    (["evaluate", "--k", "0"], "--k"),
    (["kb", "build", "--jobs", "0"], "0 is not a positive integer or -1"),
    (["kb", "build", "--seed", "-3"], "-3 is not in [0, 2**32 - 1]"),
])
def test_a_bad_value_is_a_usage_error(args, message):
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2, result.output
    assert message in " ".join(result.output.replace("│", " ").split())
    assert "Traceback" not in result.output


def test_choices_take_any_case():
    assert _options.TASK("Regression") == "regression"
    assert _options.ALGORITHM("LightGBM") == "lightgbm"
    assert _options.JOBS("-1") == -1 and _options.SEED("7") == 7


def test_version():
    from autometa import __version__

    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0 and result.output == f"autometa {__version__}\n"
