"""``autometa kb``: in-process through typer's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_importers_openml import SERVER, RecordedOpenML
from test_importers_records import write_records
from test_store import make_kb
from typer.testing import CliRunner

from autometa._cli import app
from autometa._cli.kb import kb_app
from knowledge_base import KnowledgeBase

runner = CliRunner()


@pytest.fixture(scope="module")
def records(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_records(tmp_path_factory.mktemp("cli-records") / "data")


@pytest.fixture
def kb_folder(tmp_path: Path) -> Path:
    return make_kb().save(tmp_path / "kb")


def test_kb_group_is_registered() -> None:
    result = runner.invoke(app, ["kb", "--help"])
    assert result.exit_code == 0
    for command in ("info", "import-openml"):
        assert command in result.output


def test_info_tables(kb_folder: Path) -> None:
    result = runner.invoke(app, ["kb", "info", str(kb_folder)])
    assert result.exit_code == 0, result.output
    assert "schema version 1" in result.output
    assert "2 datasets" in result.output and "12 evaluations" in result.output
    for title in ("Evaluations by source", "Evaluations by algorithm", "Evaluations by status",
                  "Datasets by task type", "Provenance"):
        assert title in result.output
    assert "random_forest" in result.output and "error" in result.output


def test_info_json_parses(kb_folder: Path) -> None:
    result = runner.invoke(app, ["kb", "info", str(kb_folder), "--json"])
    assert result.exit_code == 0, result.output
    info = json.loads(result.stdout)
    assert info["schema_version"] == 1
    assert info["counts"] == KnowledgeBase.load(kb_folder).counts()
    assert info["sources"] == [{"name": "test", "kind": "unit"}]
    assert info["path"] == str(kb_folder)


@pytest.mark.parametrize("breakage", ["missing", "corrupt", "version"])
def test_info_errors_are_one_line(tmp_path: Path, kb_folder: Path, breakage: str) -> None:
    path = tmp_path / "nowhere"
    if breakage == "corrupt":
        (kb_folder / "datasets.parquet").write_text("garbage")
        path = kb_folder
    elif breakage == "version":
        (kb_folder / "manifest.json").write_text(json.dumps({"schema_version": 99}))
        path = kb_folder
    result = runner.invoke(app, ["kb", "info", str(path)])
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ")
    assert result.stdout == ""


def test_info_without_path_reads_the_shipped_default(monkeypatch: pytest.MonkeyPatch,
                                                     kb_folder: Path) -> None:
    import knowledge_base._store as store

    monkeypatch.setattr(store, "default_path", lambda: kb_folder)
    result = runner.invoke(kb_app, ["info", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["counts"]["datasets"] == 2


def test_import_records(records: Path, tmp_path: Path) -> None:
    out = tmp_path / "imported"
    result = runner.invoke(app, ["kb", "import-openml", "--out", str(out), "--records",
                                 str(records), "--json"])
    assert result.exit_code == 0, result.output
    counts = json.loads(result.stdout)["counts"]
    kb = KnowledgeBase.load(out)
    assert counts == kb.counts()
    assert set(counts["evaluations_by_source"]) == {"lcdb", "openml-pimp", "sklearn-bot"}


def test_import_selected_sources_and_merge_into(records: Path, kb_folder: Path,
                                                tmp_path: Path) -> None:
    out = tmp_path / "merged"
    result = runner.invoke(app, ["kb", "import-openml", "--out", str(out), "--records",
                                 str(records), "--source", "sklearn-bot",
                                 "--merge-into", str(kb_folder)])
    assert result.exit_code == 0, result.output
    assert "knowledge base written to" in result.output
    kb = KnowledgeBase.load(out)
    assert set(kb.evaluations["source"]) == {"test", "sklearn-bot"}
    assert [s["name"] for s in kb.manifest["sources"]] == ["test", "sklearn-bot"]


def test_import_live_openml(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import openml
    import requests

    server = RecordedOpenML()
    monkeypatch.setattr(requests.Session, "get",
                        lambda session, url, *a, **k: server.get(session, url, *a, **k))
    monkeypatch.setattr(openml.config, "server", SERVER)
    monkeypatch.setattr(openml.config, "apikey", "")
    out = tmp_path / "live"
    result = runner.invoke(app, ["kb", "import-openml", "--out", str(out), "--flow", "6969",
                                 "--task", "11", "--task", "59", "--cache-dir",
                                 str(tmp_path / "cache"), "--json"])
    assert result.exit_code == 0, result.output
    kb = KnowledgeBase.load(out)
    assert set(kb.evaluations["source"]) == {"openml"}
    assert set(kb.datasets["dataset_id"]) == {"openml:11", "openml:61"}


def test_import_errors_are_one_line(tmp_path: Path) -> None:
    result = runner.invoke(app, ["kb", "import-openml", "--out", str(tmp_path / "x"),
                                 "--records", str(tmp_path / "missing")])
    assert result.exit_code == 1
    assert result.stderr.strip().startswith("Error: records folder")
    assert len(result.stderr.strip().splitlines()) == 1
    result = runner.invoke(app, ["kb", "import-openml", "--out", str(tmp_path / "x"),
                                 "--flow", "6969", "--function", "f1"])
    assert result.exit_code == 1 and "unknown OpenML evaluation functions" in result.stderr
    result = runner.invoke(app, ["kb", "import-openml", "--out", str(tmp_path / "x"),
                                 "--records", str(tmp_path), "--merge-into",
                                 str(tmp_path / "nope")])
    assert result.exit_code == 1 and "no knowledge base at" in result.stderr
    assert not (tmp_path / "x").exists()



def test_import_keeps_an_existing_knowledge_base(records: Path, kb_folder: Path,
                                                 tmp_path: Path) -> None:
    out = tmp_path / "kb"
    KnowledgeBase.load(kb_folder).save(out)
    before = (out / "evaluations.parquet").read_bytes()
    args = ["kb", "import-openml", "--out", str(out), "--records", str(records),
            "--source", "sklearn-bot"]
    refused = runner.invoke(app, args)
    assert refused.exit_code == 1 and "--overwrite" in refused.stderr
    assert (out / "evaluations.parquet").read_bytes() == before
    in_place = runner.invoke(app, [*args, "--merge-into", str(out)])
    assert in_place.exit_code == 0, in_place.output
    assert set(KnowledgeBase.load(out).evaluations["source"]) == {"test", "sklearn-bot"}
    replaced = runner.invoke(app, [*args, "--overwrite"])
    assert replaced.exit_code == 0, replaced.output
    assert set(KnowledgeBase.load(out).evaluations["source"]) == {"sklearn-bot"}
    a_file = tmp_path / "kb.txt"
    a_file.write_text("notes")
    on_a_file = runner.invoke(app, [*args[:2], "--out", str(a_file), *args[4:]])
    assert on_a_file.exit_code == 1 and "is a file" in on_a_file.stderr
    assert a_file.read_text() == "notes"


def test_live_run_filters_need_a_flow(records: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["kb", "import-openml", "--out", str(tmp_path / "x"),
                                 "--records", str(records), "--task", "11", "--size", "5"])
    assert result.exit_code == 1 and "--task, --size restrict live OpenML runs" in " ".join(
        result.stderr.split())
    assert not (tmp_path / "x").exists()

def test_build_errors_are_one_line(tmp_path: Path, corpus_index: Path) -> None:
    import dask
    import distributed  # noqa: F401  (its config defaults first: set() restores one key)

    runner = CliRunner()
    unknown = runner.invoke(app, ["kb", "build", "--out", str(tmp_path / "a"), "--corpus",
                                  str(corpus_index), "--dataset", "nope/nope"])
    assert unknown.exit_code == 1 and "Traceback" not in unknown.output
    assert unknown.output.startswith("Error: datasets not in") and "'nope/nope'" in \
        unknown.output
    with dask.config.set({"distributed.comm.timeouts.connect": "1s"}):
        unreachable = runner.invoke(app, [
            "kb", "build", "--out", str(tmp_path / "b"), "--corpus", str(corpus_index),
            "--dataset", "uci-weka-arff/iris", "--scheduler", "tcp://127.0.0.1:1"])
    assert unreachable.exit_code == 1 and "Traceback" not in unreachable.output
    assert "cannot reach the Dask scheduler at tcp://127.0.0.1:1" in unreachable.output


def test_build_finds_the_corpus_as_import_openml_finds_the_records(
        tmp_path: Path, corpus_index: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # the default --corpus was ../shared/data/datasets.csv from wherever the command ran
    monkeypatch.setenv("AUTOMETA_SHARED_DATA", str(corpus_index.parent))
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["kb", "build", "--out", str(tmp_path / "a"),
                                      "--dataset", "nope/nope"])
    assert result.exit_code == 1 and result.output.startswith("Error: datasets not in")


@pytest.mark.parametrize("option, message", [
    (["--jobs", "0"], "0 is not a positive integer or -1 (one per core)"),
    (["--max-rows", "-5"], "Invalid value for '--max-rows'"),
    (["--max-rows", "2"], "max_rows must be at least n_folds (3)"),
    (["--time-limit", "-1"], "Invalid value for '--time-limit'"),
    (["--folds", "1"], "Invalid value for '--folds'"),
])
def test_build_refuses_numbers_that_mean_nothing(tmp_path: Path, corpus_index: Path,
                                                 option: list[str], message: str) -> None:
    # --jobs 0 and --max-rows -5 failed deep inside joblib and scikit-learn; a negative
    # time limit was taken
    result = CliRunner().invoke(app, ["kb", "build", "--out", str(tmp_path / "c"), "--corpus",
                                      str(corpus_index), "--dataset", "uci-weka-arff/iris",
                                      *option])
    assert result.exit_code != 0 and "Traceback" not in result.output
    assert message in " ".join(result.output.replace("│", " ").split())
    assert not (tmp_path / "c").exists()  # refused before the campaign folder is made
