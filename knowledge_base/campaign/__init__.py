"""The evaluation campaign: the portfolio cross-validated on a corpus of datasets."""

from __future__ import annotations

from knowledge_base.campaign._campaign import Campaign, CampaignSettings, CampaignSettingsMismatch
from knowledge_base.campaign._corpus import FAMILIES, Corpus, DatasetSpec, load_dataset
from knowledge_base.campaign._evaluation import (
    EvaluationTask,
    EvaluationTimeout,
    aligned_proba,
    cv_splits,
    evaluate_task,
    fit_and_score,
    keyboard_interrupts_kept,
    score_fold,
    time_limit,
)
from knowledge_base.campaign._metafeatures import compute_metafeatures

__all__ = [
    "FAMILIES",
    "Campaign",
    "CampaignSettings",
    "CampaignSettingsMismatch",
    "Corpus",
    "DatasetSpec",
    "EvaluationTask",
    "EvaluationTimeout",
    "aligned_proba",
    "cv_splits",
    "time_limit",
    "compute_metafeatures",
    "evaluate_task",
    "fit_and_score",
    "keyboard_interrupts_kept",
    "load_dataset",
    "score_fold",
]
