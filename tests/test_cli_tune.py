"""``autometa tune`` in process (typer's CliRunner): report, JSON, resume, errors."""

from __future__ import annotations

import json
import re

import joblib
import optuna
import pytest
from typer.testing import CliRunner

from autometa._cli import app
from autometa._testing import make_table, synthetic_knowledge_base

runner = CliRunner()
CHEAP = ["-a", "linear", "-a", "knn"]


@pytest.fixture(scope="module")
def csv(tmp_path_factory):
    X, y = make_table(120, 4, task="classification", seed=1)
    path = tmp_path_factory.mktemp("data") / "table.csv"
    X.assign(label=y).to_csv(path, index=False)
    return path


def invoke(*args):
    result = runner.invoke(app, ["tune", *map(str, args)])
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        result.exception
    return result


def test_report_with_progress_and_dashboard_hint(csv, tmp_path, monkeypatch):
    monkeypatch.setenv("AUTOMETA_CACHE_DIR", str(tmp_path / "cache"))
    kb = tmp_path / "kb"
    synthetic_knowledge_base(n_classification=4, n_regression=0).save(kb)
    storage = tmp_path / "study.log"
    model = tmp_path / "model.joblib"
    result = invoke(csv, "--target", "label", "--trials", 4, "--cv", 3, "--kb", kb,
                    "--n-warm", 2, "--sampler", "tpe", *CHEAP, "--storage", storage,
                    "--save", model, "--plot", tmp_path / "trials.png")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "trials.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    out = result.output
    assert "4/4" in out and "best" in out  # the progress bar's last state
    assert "best score" in out and "roc_auc" in out
    assert "2 from the warm start" in out
    assert f"optuna-dashboard {storage}" in out
    study = optuna.load_study(study_name=optuna.get_all_study_names(
        optuna.storages.JournalStorage(optuna.storages.journal.JournalFileBackend(
            str(storage))))[0], storage=optuna.storages.JournalStorage(
        optuna.storages.journal.JournalFileBackend(str(storage))))
    assert len(study.trials) == 4
    pipeline = joblib.load(model)
    assert pipeline.predict(make_table(5, 4, task="classification", seed=2)[0]).shape == (5,)
    # resumed with the meta-learned sampler: the report names both kinds of trial
    resumed = invoke(csv, "--target", "label", "--trials", 5, "--cv", 3, "--kb", kb,
                     "--n-warm", 2, *CHEAP, "--storage", storage)
    assert resumed.exit_code == 0, resumed.output
    flat = re.sub(r"[│\s]+", " ", resumed.output)  # the table cell wraps
    assert "2 from the warm start, the rest from the meta-learned sampler" in flat


def test_a_warm_start_uses_the_meta_learned_sampler_by_default(csv, tmp_path):
    kb = tmp_path / "kb"
    synthetic_knowledge_base(n_classification=4, n_regression=0).save(kb)
    result = invoke(csv, "--target", "label", "--trials", 3, "--cv", 3, "--kb", kb, *CHEAP)
    assert result.exit_code == 0, result.output
    assert "meta-learned" in result.output  # the trials row (may wrap)
    assert "meta /" in result.output  # the "sampler / time" row


def test_the_cost_weight_is_an_option_and_is_reported(csv, tmp_path):
    kb = tmp_path / "kb"
    synthetic_knowledge_base(n_classification=4, n_regression=0).save(kb)
    weighed = invoke(csv, "--target", "label", "--trials", 3, "--cv", 3, "--kb", kb, *CHEAP,
                     "--cost-weight", 0.25)
    assert weighed.exit_code == 0, weighed.output
    assert "meta (cost weight 0.25) /" in weighed.output
    plain = invoke(csv, "--target", "label", "--trials", 3, "--cv", 3, "--kb", kb, *CHEAP,
                   "--json")
    assert json.loads(plain.stdout.strip().splitlines()[-1])["cost_weight"] == 0
    refused = invoke(csv, "--target", "label", "--trials", 3, "--cv", 3, *CHEAP,
                     "--sampler", "tpe", "--cost-weight", 0.5)
    assert refused.exit_code == 1 and "--cost-weight applies to --sampler 'meta'" in \
        " ".join(refused.output.split())


def test_json_report_and_resume_on_the_same_storage(csv, tmp_path):
    storage = f"sqlite:///{tmp_path / 'study.db'}"
    first = invoke(csv, "--target", "label", "--trials", 2, "--cv", 3, *CHEAP,
                   "--no-warm-start", "--storage", storage, "--study", "cli", "--json")
    assert first.exit_code == 0, first.output
    report = json.loads(first.stdout.strip().splitlines()[-1])
    assert report["n_trials"] == 2 and report["study_name"] == "cli"
    assert report["dashboard"] == f"optuna-dashboard {storage}"
    assert report["plot"] is None
    second = invoke(csv, "--target", "label", "--trials", 3, "--cv", 3, *CHEAP,
                    "--no-warm-start", "--storage", storage, "--study", "cli", "--json")
    again = json.loads(second.stdout.strip().splitlines()[-1])
    assert again["n_trials"] == 3
    assert again["best_score"] >= report["best_score"]
    assert report["sampler"] == again["sampler"] == "tpe"  # cold: Optuna's TPE
    assert set(again) >= {"best_score", "fold_scores", "algorithm", "best_params",
                          "configuration", "elapsed", "sampler", "cost_weight"}


def test_a_timeout_without_trials_sets_no_trial_limit(csv):
    timed = invoke(csv, "--target", "label", "--timeout", 3, "--cv", 3, "-a", "linear",
                   "--no-warm-start", "--json")
    assert timed.exit_code == 0, timed.output
    report = json.loads(timed.stdout.strip().splitlines()[-1])
    assert report["n_trials"] > 1
    capped = invoke(csv, "--target", "label", "--timeout", 600, "--trials", 2, "--cv", 3,
                    "-a", "linear", "--no-warm-start", "--json")
    assert json.loads(capped.stdout.strip().splitlines()[-1])["n_trials"] == 2


def test_errors_exit_with_a_message(csv, tmp_path):
    missing = invoke(tmp_path / "nope.csv", "--target", "label")
    assert missing.exit_code == 1 and "no such file" in missing.output
    bad_target = invoke(csv, "--target", "nope", "--no-warm-start")
    assert bad_target.exit_code == 1 and "not a column" in bad_target.output
    bad_sampler = invoke(csv, "--target", "label", "--sampler", "grid")  # a usage error
    assert bad_sampler.exit_code == 2 and "'grid' is not one of meta, tpe, random" in " ".join(
        bad_sampler.output.replace("│", " ").split())
    folder = invoke(csv, "--target", "label", "--save", tmp_path)  # refused before tuning
    assert folder.exit_code == 1 and "Traceback" not in folder.output
    assert folder.output.startswith("Error: cannot save the pipeline to")
    assert "it is a folder" in folder.output
    bad_plot = invoke(csv, "--target", "label", "--plot", tmp_path / "trials.txt")
    assert bad_plot.exit_code == 1 and "not an image format" in bad_plot.output
    assert bad_plot.output.startswith("Error:")  # refused before the progress bar


def test_the_report_says_what_was_done_to_the_table(tmp_path):
    X, y = make_table(120, 4, task="classification", seed=1)
    path = tmp_path / "gaps.csv"
    X.assign(constant=7, label=y).assign(label=lambda f: f["label"].mask(f.index < 4)).to_csv(
        path, index=False)
    result = invoke(path, "--target", "label", "--trials", 2, "--cv", 2, "--no-warm-start",
                    *CHEAP)
    assert result.exit_code == 0, result.output
    assert "dropped 4 rows whose target is missing" in result.output
    assert "constant feature column(s) (no information): 'constant'" in result.output


def test_json_is_strict_and_a_score_on_fewer_folds_is_noted(tmp_path):
    # three positives in 120 rows: AUC is undefined on the folds without one, which
    # came out as NaN (no JSON parser but Python's reads it)
    X, _ = make_table(120, 4, task="classification", seed=1)
    path = tmp_path / "rare.csv"
    X.assign(fraud=[1, 1, 1] + [0] * 117).to_csv(path, index=False)
    result = invoke(path, "--target", "fraud", "--trials", 2, "--cv", 5, "--no-warm-start",
                    *CHEAP, "--json")
    assert result.exit_code == 0, result.output

    def refuse(constant):
        raise ValueError(f"not JSON: {constant}")

    summary = json.loads(result.stdout, parse_constant=refuse)
    assert summary["fold_scores"].count(None) == 2 and len(summary["fold_scores"]) == 5
    assert any(note.startswith("the best score is the mean over 3 of 5 folds: roc_auc is "
                               "undefined on the others") for note in summary["notes"])
    text = invoke(path, "--target", "fraud", "--trials", 2, "--cv", 5, "--no-warm-start",
                  *CHEAP)
    assert "undefined" in text.output and "mean over 3 of 5 folds" in text.output


def test_errors_name_the_command_s_options_and_the_dashboard_path_is_quoted(csv, tmp_path):
    jobs = invoke(csv, "--target", "label", "--jobs", 0)  # a usage error (exit 2)
    assert jobs.exit_code == 2 and "Invalid value for '--jobs'" in jobs.output
    seed = invoke(csv, "--target", "label", "--seed", 2**40)
    assert seed.exit_code == 2 and "is not in [0, 2**32 - 1]" in seed.output
    weight = invoke(csv, "--target", "label", "--cost-weight", 0.5, "--sampler", "tpe")
    assert weight.exit_code == 1 and "--cost-weight applies to --sampler 'meta'" in \
        " ".join(weight.output.split())
    spaced = tmp_path / "my studies" / "t.log"
    result = invoke(csv, "--target", "label", "--trials", 2, "--cv", 2, *CHEAP,
                    "--no-warm-start", "--storage", spaced)
    assert result.exit_code == 0, result.output
    assert f"optuna-dashboard '{spaced}'" in " ".join(result.output.split())


def test_ctrl_c_says_how_to_resume(csv, tmp_path, monkeypatch):
    import autometa

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(autometa, "tune", interrupted)
    kept = invoke(csv, "--target", "label", "--storage", tmp_path / "s.log")
    assert kept.exit_code == 130 and "Traceback" not in kept.output
    assert "run the same command to resume" in " ".join(kept.output.split())
    lost = invoke(csv, "--target", "label")
    assert lost.exit_code == 130 and "give --storage to keep one" in " ".join(lost.output.split())


def test_the_progress_bar_shows_small_scores_as_they_are(tmp_path):
    # an RMSE of 1e-7 showed as "best 0.0000"
    X, y = make_table(80, 3, task="regression", seed=2)
    path = tmp_path / "tiny.csv"
    X.assign(y=y * 1e-8).to_csv(path, index=False)
    result = invoke(path, "--target", "y", "--trials", 2, "--cv", 2, "--no-warm-start",
                    "-a", "linear")
    assert result.exit_code == 0, result.output
    [bar] = [line for line in result.output.splitlines() if line.startswith("tune ")]
    best = float(bar.split("best ")[1].split()[0])
    assert 0 < best < 1e-5


def test_n_warm_that_is_not_used_is_noted(csv):
    # --n-warm was silently ignored where nothing is enqueued
    result = invoke(csv, "--target", "label", "--trials", 2, "--cv", 2, *CHEAP, "--json",
                    "--no-warm-start", "--n-warm", 3)
    assert result.exit_code == 0, result.output
    notes = json.loads(result.stdout)["notes"]
    assert "--n-warm=3 not used: --no-warm-start enqueues nothing" in notes
