"""How does each learner's fit time grow with the training rows? (LCDB learning curves)

The knowledge base timed the portfolio's fits on at most 1,333 training rows (the corpus
campaign's cap), so ``recommend``'s expected fit time on a larger table extrapolates:
``time ~ rows ** b`` with ``b`` the algorithm's ``fit_time_exponent``
(:mod:`knowledge_base.portfolio`).  LCDB timed 20 scikit-learn learners at learning-curve
anchors from 16 rows to full size on 248 OpenML datasets; this script measures ``b`` there.

For every (dataset, learner) with at least three anchors of >= ``--min-rows`` training rows
spanning a factor of >= 4, the slope of log10(median fit time) on log10(rows) is fitted;
printed are the quartiles of those slopes per learner, and, for each portfolio algorithm,
its declared exponent beside the slope of the LCDB learner closest to it.

Usage::

    python benchmarks/fit_time_scaling.py [--lcdb ../shared/data/lcdb] [--min-rows 1000]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

from knowledge_base.portfolio import algorithm_names, fit_time_exponent

ROOT = Path(__file__).resolve().parents[1]
LCDB = ROOT.parent / "shared" / "data" / "lcdb"

#: The LCDB learner closest to each portfolio algorithm (LCDB has no histogram boosting:
#: scikit-learn's GradientBoosting stands in for LightGBM and HistGradientBoosting).
CLOSEST_LCDB_LEARNER = {
    "lightgbm": "GradientBoostingClassifier",
    "hist_gradient_boosting": "GradientBoostingClassifier",
    "random_forest": "RandomForestClassifier",
    "extra_trees": "ExtraTreesClassifier",
    "linear": "LogisticRegression",
    "svm": "SVC_rbf",
    "knn": "KNeighborsClassifier",
    "mlp": "MLPClassifier",
}


def fit_times(path: Path) -> pd.DataFrame:
    """Median fit time per (dataset, learner, training size) over LCDB's seeds."""
    frame = pd.read_parquet(path / "database-accuracy.parquet",
                            columns=["openmlid", "learner", "size_train", "traintime"])
    frame["learner"] = frame["learner"].astype(str).str.rsplit(".", n=1).str[-1]
    return (frame.groupby(["openmlid", "learner", "size_train"], observed=True)["traintime"]
            .median().reset_index())


def slopes(times: pd.DataFrame, *, min_rows: int, min_span: float = 4.0) -> pd.DataFrame:
    """Slope of log fit time on log rows per (dataset, learner), anchors >= ``min_rows``."""
    times = times[(times["size_train"] >= min_rows) & (times["traintime"] > 0)]
    rows = []
    for (did, learner), group in times.groupby(["openmlid", "learner"]):
        sizes = group["size_train"].to_numpy(float)
        if len(np.unique(sizes)) < 3 or sizes.max() < min_span * sizes.min():
            continue
        slope = np.polyfit(np.log10(sizes), np.log10(group["traintime"].to_numpy(float)), 1)[0]
        rows.append({"openmlid": did, "learner": learner, "slope": float(slope),
                     "largest": int(sizes.max())})
    return pd.DataFrame(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lcdb", type=Path, default=LCDB)
    parser.add_argument("--min-rows", type=int, default=1000)
    args = parser.parse_args()
    table = slopes(fit_times(args.lcdb), min_rows=args.min_rows)
    per_learner = table.groupby("learner")["slope"].describe()[["count", "25%", "50%", "75%"]]
    print(f"LCDB: slope of log10(fit time) on log10(training rows), anchors >= "
          f"{args.min_rows} rows, per (dataset, learner)\n")
    print(per_learner.round(2).to_string())
    print("\nportfolio algorithm       declared exponent   closest LCDB learner (median slope)")
    for name in algorithm_names():
        learner = CLOSEST_LCDB_LEARNER[name]
        median = per_learner.loc[learner, "50%"] if learner in per_learner.index else np.nan
        print(f"{name:<26}{fit_time_exponent(name):>17.2f}   {learner} ({median:.2f})")


if __name__ == "__main__":
    main()
