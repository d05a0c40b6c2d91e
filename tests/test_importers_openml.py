"""The live OpenML importer, offline: recorded server responses through real openml-python.

``requests.Session.get`` (through which openml-python sends every request) is replaced by
a function serving the files of ``tests/data/openml/``; every other piece, URL building,
XML parsing, paging, caching, is openml-python's own code.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import openml
import pytest
import requests

from knowledge_base import KnowledgeBase
from knowledge_base.importers import OpenMLImportError, OpenMLRuns
from knowledge_base.portfolio import get_algorithm

RESPONSES = Path(__file__).parent / "data" / "openml"
SERVER = "https://www.openml.org/api/v1/xml"


class RecordedOpenML:
    """Serves recorded responses by endpoint; fails on anything not recorded."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.errors: dict[str, str] = {}

    def get(self, session: requests.Session, url: str, params=None, headers=None,
            **kwargs) -> requests.Response:
        assert url.startswith(SERVER + "/"), f"unexpected server in {url}"
        endpoint = url[len(SERVER) + 1:]
        self.calls.append(endpoint)
        response = requests.Response()
        response.url = url
        response.headers["Content-Encoding"] = "gzip"  # as the server sends it
        if endpoint in self.errors:
            response.status_code = 412
            response._content = (RESPONSES / self.errors[endpoint]).read_bytes()
            return response
        file = RESPONSES / (endpoint.replace("/", "_") + ".xml")
        if not file.is_file():
            raise AssertionError(f"no recorded response for {endpoint}")
        response.status_code = 200
        response._content = file.read_bytes()
        return response


@pytest.fixture
def recorded(monkeypatch: pytest.MonkeyPatch) -> Iterator[RecordedOpenML]:
    server = RecordedOpenML()

    def get(session, url, *args, **kwargs):
        return server.get(session, url, *args, **kwargs)

    def refuse(session, url, *args, **kwargs):
        raise AssertionError(f"tests must not send {url}")

    monkeypatch.setattr(requests.Session, "get", get)
    monkeypatch.setattr(requests.Session, "post", refuse)
    monkeypatch.setattr(requests.Session, "delete", refuse)
    monkeypatch.setattr(openml.config, "server", SERVER)
    monkeypatch.setattr(openml.config, "apikey", "")
    yield server


def load(tmp_path: Path, **options) -> KnowledgeBase:
    return OpenMLRuns(flows=[6969], tasks=[11, 59], cache_dir=tmp_path / "cache",
                      **options).load()


def test_runs_flow_through_openml_python_parsing(recorded: RecordedOpenML,
                                                 tmp_path: Path) -> None:
    kb = load(tmp_path)
    assert recorded.calls[:3] == [
        "evaluation/list/function/predictive_accuracy/limit/10000/offset/0/task/11,59/flow/6969",
        "user/list/user_id/1", "setup/list/setup/101,102,103/limit/1000/offset/0"]
    assert {"task/59", "data/61", "data/features/61", "data/qualities/61"} <= set(
        recorded.calls)
    kb.validate()
    datasets = kb.datasets.set_index("dataset_id")
    assert set(datasets.index) == {"openml:11", "openml:61"}
    assert datasets.loc["openml:61", "openml_tid"] == 59
    assert datasets.loc["openml:61", "name"] == "iris"
    assert datasets.loc["openml:11", "n_rows"] == 625
    assert datasets.loc["openml:11", "n_features"] == 4
    assert (datasets["task_type"] == "classification").all()
    assert (datasets["family"] == datasets.index).all()


def test_parameters_map_onto_the_portfolio(recorded: RecordedOpenML, tmp_path: Path) -> None:
    kb = load(tmp_path)
    table = kb.config_table()
    assert sorted(table["algorithm"]) == ["openml_random_forest", "random_forest",
                                          "random_forest"]
    portfolio = table[table["algorithm"] == "random_forest"]["params"].tolist()
    assert {"bootstrap": True, "criterion": "gini", "max_features": 0.5, "min_samples_leaf": 3,
            "min_samples_split": 4, "n_estimators": 100} in portfolio
    for params in portfolio:
        get_algorithm("random_forest").build(params, task="classification")
    own = table[table["algorithm"] == "openml_random_forest"]["params"].iloc[0]
    assert own["max_depth"] == 10 and own["imputer_strategy"] == "most_frequent"
    assert "random_state" not in own and "n_jobs" not in own
    dropped = kb.manifest["sources"][0]["dropped_params"]
    assert {"pipeline__steps", "randomforestclassifier__random_state",
            "imputer__strategy"} <= set(dropped)


def test_metrics_folds_and_repeated_runs(recorded: RecordedOpenML, tmp_path: Path) -> None:
    kb = load(tmp_path)
    rows = kb.evaluations.merge(kb.configurations[["config_id", "algorithm", "params"]])
    assert set(rows["fold"]) == {0} and set(rows["source"]) == {"openml"}
    iris = rows[rows["dataset_id"] == "openml:61"].sort_values("accuracy")
    assert iris["accuracy"].tolist() == pytest.approx([0.953333, 0.96])
    assert iris["roc_auc"].tolist() == pytest.approx([0.9912, 0.9934])
    balance = rows[rows["dataset_id"] == "openml:11"].set_index("algorithm")
    # runs 1003 and 1005 repeat setup 101 on task 11: averaged into one row
    assert balance.loc["random_forest", "accuracy"] == pytest.approx((0.8432 + 0.8464) / 2)
    assert balance.loc["random_forest", "roc_auc"] == pytest.approx((0.9155 + 0.9171) / 2)
    assert kb.manifest["sources"][0]["duplicates_averaged"] == 1
    # run 1004 has no AUC evaluation
    assert balance["roc_auc"].isna().sum() == 1


def test_qualities_become_metafeatures(recorded: RecordedOpenML, tmp_path: Path) -> None:
    matrix = load(tmp_path).metafeature_matrix()
    assert matrix.loc["openml:61", "ClassEntropy"] == pytest.approx(1.584962500721156)
    assert matrix.loc["openml:11", "MajorityClassSize"] == 288
    assert matrix.isna().loc["openml:61", "MeanNoiseToSignalRatio"]  # no value on the server


def test_provenance_and_round_trip(recorded: RecordedOpenML, tmp_path: Path) -> None:
    kb = load(tmp_path)
    [entry] = kb.manifest["sources"]
    assert entry["name"] == "openml" and entry["kind"] == "openml-api"
    assert entry["server"] == SERVER
    assert [q["function"] for q in entry["queries"]] == ["predictive_accuracy",
                                                         "area_under_roc_curve"]
    assert [q["runs"] for q in entry["queries"]] == [5, 4]
    assert "OpenML" in entry["citation"]
    assert entry["rows"]["evaluations"] == len(kb.evaluations) == 4
    loaded = KnowledgeBase.load(kb.save(tmp_path / "kb"))
    assert loaded.counts() == kb.counts()
    json.dumps(loaded.manifest)


def test_cache_is_reused_and_config_restored(recorded: RecordedOpenML, tmp_path: Path) -> None:
    before = openml.config.get_cache_directory()
    load(tmp_path)
    assert openml.config.get_cache_directory() == before
    first = len(recorded.calls)
    load(tmp_path)
    assert "task/59" not in recorded.calls[first:]  # served from the cache folder


def test_no_runs_is_an_empty_knowledge_base(recorded: RecordedOpenML, tmp_path: Path) -> None:
    endpoint = "evaluation/list/function/predictive_accuracy/limit/10000/offset/0/task/11/flow/1"
    recorded.errors[endpoint] = "error_542.xml"
    kb = OpenMLRuns(flows=[1], tasks=[11], functions=["predictive_accuracy"],
                    cache_dir=tmp_path).load()
    assert kb.evaluations.empty and kb.datasets.empty
    assert kb.manifest["sources"][0]["queries"][0]["runs"] == 0


def test_server_errors_become_import_errors(recorded: RecordedOpenML, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    def offline(session, url, *args, **kwargs):
        raise requests.exceptions.ConnectionError("network is unreachable")

    monkeypatch.setattr(requests.Session, "get", offline)
    with pytest.raises(OpenMLImportError, match="cannot reach OpenML"):
        OpenMLRuns(flows=[6969], cache_dir=tmp_path, retries=1).load()


@pytest.mark.parametrize(("options", "message"), [
    ({"flows": []}, "at least one"),
    ({"flows": [0]}, "positive integer"),
    ({"flows": [6969], "tasks": ["3"]}, "positive integer"),
    ({"flows": [6969], "functions": ["f1"]}, "unknown OpenML evaluation functions"),
    ({"flows": [6969], "size": 0}, "size must be"),
])
def test_options_are_validated_before_any_request(options: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        OpenMLRuns(**options)
