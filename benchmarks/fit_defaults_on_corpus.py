"""Does every portfolio pipeline fit on every corpus dataset at its library defaults?

Runs the campaign's own evaluation code with only the defaults (``n_configs=0``) on every
corpus dataset (or reads the defaults round of an existing campaign with
``--from-campaign``), then lists every failure with its reason.

Run: ``python benchmarks/fit_defaults_on_corpus.py [--from-campaign campaigns/corpus]
[--corpus ../shared/data/datasets.csv] [--max-rows 2000] [--jobs 2]``
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import pandas as pd

from knowledge_base.campaign import Campaign, CampaignSettings, Corpus
from knowledge_base.portfolio import algorithm_names, default_configuration


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", type=Path, default=Path("../shared/data/datasets.csv"))
    parser.add_argument("--from-campaign", type=Path, default=None)
    parser.add_argument("--max-rows", type=int, default=2000)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    corpus = Corpus(args.corpus)
    start = time.perf_counter()
    if args.from_campaign is not None:
        records = Campaign(args.from_campaign, corpus).records()
    else:
        folder = tempfile.mkdtemp(prefix="autometa-defaults-")
        campaign = Campaign(folder, corpus, CampaignSettings(n_configs=0, n_folds=3,
                                                             max_rows=args.max_rows))
        campaign.run(n_jobs=args.jobs)
        records = campaign.records()
    defaults = {}
    for spec in corpus:
        for name in algorithm_names():
            defaults[(spec.dataset_id, default_configuration(name, spec.task_type).config_id)] \
                = name
    keys = list(zip(records["dataset_id"], records["config_id"], strict=True))
    records = records.assign(algorithm=[defaults.get(key) for key in keys])
    records = records[records["algorithm"].notna()]
    expected = len(corpus) * len(algorithm_names())
    pairs = records.groupby(["dataset_id", "algorithm"])["status"].agg(
        lambda s: "ok" if (s == "ok").all() else s[s != "ok"].iloc[0])
    print(f"default pipelines measured: {len(pairs)} of {expected} (dataset x algorithm), "
          f"{(pairs == 'ok').sum()} fitted on every fold "
          f"({time.perf_counter() - start:.0f} s)")
    failed = records[records["status"] != "ok"]
    if failed.empty:
        print("no failures")
        return
    table = (failed.groupby(["algorithm", "dataset_id", "status"])["error"].first()
             .str.slice(0, 120).reset_index())
    with pd.option_context("display.max_colwidth", 120, "display.width", 200):
        print(table.to_string(index=False))


if __name__ == "__main__":
    main()
