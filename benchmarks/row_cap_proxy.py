"""How well does a learner ranking measured on a row-capped sample stand for the whole table?

The corpus campaign cross-validates every configuration on at most ``max_rows`` rows of a
dataset (2,000; ``campaigns/corpus/campaign.json``), while the dataset's meta-features
describe the whole table, as a user's table is described.  For a dataset with more rows
the knowledge base therefore states "on a table like this, configuration A beat B" from a
2,000-row sample.  LCDB's learning curves measure the same 20 scikit-learn learners at
growing training sizes, so they show how far the ranking at ~2,000 training rows carries
over to the largest size measured.

For every LCDB dataset whose largest anchor has at least ``--min-rows`` training rows this
prints the Spearman correlation of the learners' mean test accuracies at the anchor nearest
the cap and at the largest anchor, and the normalised regret at the largest anchor
(0 = best learner there, 1 = worst) of the best-of-k learners picked by the capped ranking,
next to the regret of k learners picked at random (expectation) in the same run.

Usage::

    python benchmarks/row_cap_proxy.py [--lcdb ../shared/data/lcdb] [--cap 2000]
        [--min-rows 8000] [--k 1 3]
"""

from __future__ import annotations

import argparse
from itertools import combinations
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import spearmanr

ROOT = Path(__file__).resolve().parents[1]
LCDB = ROOT.parent / "shared" / "data" / "lcdb"
MIN_LEARNERS = 8


def learner_curves(path: Path) -> pd.DataFrame:
    """Mean test accuracy per (dataset, learner, training size) over all seeds."""
    frame = pd.read_parquet(path / "database-accuracy.parquet",
                            columns=["openmlid", "learner", "size_train", "score_test"])
    frame["learner"] = frame["learner"].astype(str)
    return (frame.groupby(["openmlid", "learner", "size_train"], observed=True)["score_test"]
            .mean().reset_index())


def regret(at_top: pd.Series, picked: list[str]) -> float:
    """Normalised regret at the largest anchor of the best of the picked learners."""
    spread = at_top.max() - at_top.min()
    return 0.0 if spread <= 0 else float((at_top.max() - at_top[picked].max()) / spread)


def random_regret(at_top: pd.Series, k: int) -> float:
    """Expected regret of the best of ``k`` learners drawn at random without replacement."""
    picks = list(combinations(at_top.index, k))
    return float(np.mean([regret(at_top, list(pick)) for pick in picks]))


def compare(curves: pd.DataFrame, *, cap: int, min_rows: int, ks: list[int]) -> pd.DataFrame:
    """One row per dataset: correlation and regrets of the capped ranking and of chance."""
    rows = []
    for did, group in curves.groupby("openmlid"):
        largest = group["size_train"].max()
        if largest < min_rows:
            continue
        anchors = group["size_train"].unique()
        near_cap = anchors[np.argmin(np.abs(anchors - cap))]
        at_top = group[group["size_train"] == largest].set_index("learner")["score_test"]
        at_cap = group[group["size_train"] == near_cap].set_index("learner")["score_test"]
        shared = at_top.index.intersection(at_cap.index)
        if len(shared) < MIN_LEARNERS:
            continue
        at_top, at_cap = at_top[shared], at_cap[shared]
        order = list(at_cap.sort_values(ascending=False).index)
        row = {"openmlid": did, "largest_anchor": int(largest), "cap_anchor": int(near_cap),
               "learners": len(shared),
               "spearman": spearmanr(at_cap, at_top).statistic}
        for k in ks:
            row[f"capped_regret@{k}"] = regret(at_top, order[:k])
            row[f"random_regret@{k}"] = random_regret(at_top, k)
        rows.append(row)
    return pd.DataFrame(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lcdb", type=Path, default=LCDB)
    parser.add_argument("--cap", type=int, default=2000)
    parser.add_argument("--min-rows", type=int, default=8000)
    parser.add_argument("--k", type=int, nargs="+", default=[1, 3])
    args = parser.parse_args()

    table = compare(learner_curves(args.lcdb), cap=args.cap, min_rows=args.min_rows, ks=args.k)
    print(f"LCDB datasets with >= {args.min_rows} training rows at the largest anchor and "
          f">= {MIN_LEARNERS} learners at both anchors: {len(table)}")
    print(f"anchor nearest the cap of {args.cap} rows: "
          f"{sorted(table['cap_anchor'].unique().tolist())}; largest anchors "
          f"{table['largest_anchor'].min()}-{table['largest_anchor'].max()} "
          f"(median {table['largest_anchor'].median():.0f})")
    spearman = table["spearman"]
    print(f"Spearman(ranking at cap, ranking at largest): median {spearman.median():.3f}, "
          f"quartiles {spearman.quantile(0.25):.3f}-{spearman.quantile(0.75):.3f}")
    print("\nregret at the largest anchor (0 = best learner there, 1 = worst)")
    print(f"{'picked by':<22}{'k':>3}{'median':>9}{'mean':>9}{'> 0.1':>8}")
    for k in args.k:
        for label, column in (("ranking at the cap", f"capped_regret@{k}"),
                              ("chance (expected)", f"random_regret@{k}")):
            values = table[column]
            print(f"{label:<22}{k:>3}{values.median():>9.4f}{values.mean():>9.4f}"
                  f"{int((values > 0.1).sum()):>8}")
    worst = table.sort_values(f"capped_regret@{args.k[0]}", ascending=False).head(5)
    print("\nlargest regrets of the capped top-1:")
    print(worst[["openmlid", "largest_anchor", "spearman",
                 f"capped_regret@{args.k[0]}"]].to_string(index=False))


if __name__ == "__main__":
    main()
