"""``autometa metafeatures``, tested in-process through typer's CliRunner."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import typer
from typer.testing import CliRunner

from autometa._cli.metafeatures import metafeatures_command

runner = CliRunner()


@pytest.fixture()
def app() -> typer.Typer:
    application = typer.Typer()
    application.command()(metafeatures_command)
    return application


@pytest.fixture()
def table_path(tmp_path):
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        {
            "x": rng.normal(size=80),
            "colour": rng.choice(["red", "blue"], 80),
            "label": rng.choice(["yes", "no"], 80),
        }
    )
    path = tmp_path / "table.csv"
    frame.to_csv(path, index=False)
    frame.to_parquet(tmp_path / "table.parquet")
    return path


def test_json_output(app, table_path):
    result = runner.invoke(app, [str(table_path), "-t", "label", "--json"])  # as recommend
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["task"] == "classification"
    assert payload["n_rows"] == 80
    assert payload["metafeatures"]["NumberOfFeatures"] == 3
    assert payload["metafeatures"]["NumberOfSymbolicFeatures"] == 2


def test_table_output_is_grouped(app, table_path):
    parquet = table_path.with_suffix(".parquet")
    result = runner.invoke(
        app, [str(parquet), "--target", "label", "--group", "general", "--group", "info_theory"]
    )
    assert result.exit_code == 0, result.output
    assert "ClassEntropy" in result.stdout
    assert "NumberOfInstances" in result.stdout
    assert "info_theory" in result.stdout
    assert "NaiveBayesAUC" not in result.stdout


def test_bad_target_and_bad_file_are_clean_errors(app, table_path, tmp_path):
    result = runner.invoke(app, [str(table_path), "--target", "nope"])
    assert result.exit_code == 1
    assert "not a column" in result.output
    (tmp_path / "data.xlsx").write_bytes(b"PK")
    result = runner.invoke(app, [str(tmp_path / "data.xlsx"), "--target", "label"])
    assert result.exit_code == 1
    assert "unknown file type '.xlsx'" in result.output
    result = runner.invoke(app, [str(tmp_path / "none.csv"), "--target", "label"])
    assert result.exit_code == 1
    assert "no such file" in result.output
    result = runner.invoke(app, [str(table_path), "--target", "label", "--group", "bogus"])
    assert result.exit_code == 2  # a usage error
    assert "'bogus' is not one of general" in result.output


def test_whole_number_target_is_taken_as_regression_as_recommend_does(app, tmp_path):
    rng = np.random.default_rng(1)
    frame = pd.DataFrame({"x": rng.normal(size=200), "rings": rng.integers(1, 31, 200)})
    path = tmp_path / "rings.csv"
    frame.to_csv(path, index=False)
    result = runner.invoke(app, [str(path), "--target", "rings", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["task"] == "regression"
    assert "taken as a regression target" in " ".join(result.stderr.split())  # rich wraps
    given = runner.invoke(app, [str(path), "--target", "rings", "--json", "--task",
                                "classification"])
    assert json.loads(given.stdout)["task"] == "classification"
    assert "taken as a regression target" not in given.stderr


def test_given_task_is_checked_against_the_target_as_recommend_does(app, tmp_path):
    rng = np.random.default_rng(1)
    frame = pd.DataFrame({"x": rng.normal(size=60), "constant": 1.0,
                          "price": rng.normal(100, 20, size=60)})
    path = tmp_path / "t.csv"
    frame.to_csv(path, index=False)
    one_class = runner.invoke(app, [str(path), "--target", "constant", "--task",
                                    "classification"])
    assert one_class.exit_code == 1 and "single class" in one_class.output
    continuous = runner.invoke(app, [str(path), "--target", "price", "--task",
                                     "classification"])
    assert continuous.exit_code == 1 and "Traceback" not in continuous.output
    assert "regression" in continuous.output
    unknown = runner.invoke(app, [str(path), "--target", "price", "--task", "ranking"])
    assert unknown.exit_code == 2 and "'ranking' is not one of" in unknown.output
