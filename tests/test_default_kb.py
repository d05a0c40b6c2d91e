"""``build_default_knowledge_base`` / ``autometa kb ship`` on a small campaign and records."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_importers_records import write_records
from typer.testing import CliRunner

from autometa._cli import app
from knowledge_base import KnowledgeBase, KnowledgeBaseError
from knowledge_base._default_kb import build_default_knowledge_base
from knowledge_base.campaign import Campaign, CampaignSettings, Corpus

SETTINGS = CampaignSettings(n_configs=1, n_folds=2, max_rows=120, time_limit=30.0, seed=0,
                            algorithms=("linear", "knn"))


@pytest.fixture(scope="module")
def shipped(tmp_path_factory: pytest.TempPathFactory, corpus_index: Path,
            small_corpus_ids: list[str]) -> tuple[Path, Campaign, list[str]]:
    root = tmp_path_factory.mktemp("ship")
    campaign = Campaign(root / "campaign", Corpus(corpus_index), SETTINGS)
    measured = small_corpus_ids[:2]
    campaign.run(dataset_ids=measured, max_tasks=5)  # a partial campaign
    records = write_records(root / "data")
    result = CliRunner().invoke(app, [
        "kb", "ship", "--campaign", str(root / "campaign"), "--corpus", str(corpus_index),
        "--records", str(records), "--out", str(root / "kb")])
    assert result.exit_code == 0, result.output
    return root / "kb", campaign, measured


def test_ship_merges_campaign_and_records_and_records_progress(shipped) -> None:
    folder, campaign, measured = shipped
    kb = KnowledgeBase.load(folder)
    kb.validate()
    sources = set(kb.evaluations["source"])
    assert "campaign" in sources and {"lcdb", "openml-pimp", "sklearn-bot"} <= sources
    campaign_runs = kb.evaluations[kb.evaluations["source"] == "campaign"]
    assert set(campaign_runs["dataset_id"]) <= set(measured)
    assert len(campaign_runs) == 5 * SETTINGS.n_folds
    assert set(measured) <= set(kb.metafeature_matrix().index)
    recorded = kb.manifest["campaign"]
    assert recorded["tasks_done"] == 5 == len(campaign.done())
    assert recorded["tasks_planned"] == len({(task.dataset_id, task.config.config_id)
                                           for task in campaign.plan()})
    assert recorded["n_folds"] == 2 and recorded["row_cap"] == 120
    notice = (folder / "NOTICE").read_text()
    for source in ("lcdb", "openml-pimp", "sklearn-bot"):
        assert source in notice


def test_info_shows_campaign_progress(shipped) -> None:
    folder, campaign, _ = shipped
    result = CliRunner().invoke(app, ["kb", "info", str(folder)])
    assert result.exit_code == 0, result.output
    planned = len({(task.dataset_id, task.config.config_id) for task in campaign.plan()})
    assert f"campaign: 5 of {planned:,} tasks" in result.output
    assert "defaults + 1 sampled configurations per algorithm, 2-fold CV" in result.output


def _empty_campaign(root: Path, kind: str) -> Path:
    """A campaign folder without results: missing, empty, or with an empty journal."""
    folder = root / "campaign"
    if kind == "empty journal":
        (folder / "journal").mkdir(parents=True)
        (folder / "journal" / "worker-0.jsonl").write_text("")
    elif kind == "empty folder":
        folder.mkdir()
    return folder


@pytest.mark.parametrize("kind, message", [
    ("missing", "does not exist"),
    ("empty folder", "holds no campaign results"),
    ("empty journal", "holds no campaign results"),
])
def test_ship_refuses_a_campaign_without_results(tmp_path: Path, corpus_index: Path,
                                                 kind: str, message: str) -> None:
    campaign = _empty_campaign(tmp_path, kind)
    records = write_records(tmp_path / "data")
    out = tmp_path / "kb"
    result = CliRunner().invoke(app, [
        "kb", "ship", "--campaign", str(campaign), "--corpus", str(corpus_index),
        "--records", str(records), "--out", str(out)])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and len(result.stderr.splitlines()) == 1
    assert result.stderr.startswith(f"Error: campaign folder {campaign} ")
    assert message in result.stderr
    assert not out.exists()


def test_builder_refuses_a_missing_campaign(tmp_path: Path, corpus_index: Path) -> None:
    records = write_records(tmp_path / "data")
    with pytest.raises(KnowledgeBaseError, match="does not exist"):
        build_default_knowledge_base(tmp_path / "nonexist", corpus_index, records=records,
                                     out=tmp_path / "kb")
    assert not (tmp_path / "kb").exists() and not (tmp_path / "nonexist").exists()
