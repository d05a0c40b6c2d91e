"""Does the user's path work on every corpus dataset?  CSV -> recommend -> fit -> score.

For every dataset of the shared corpus, as a user would meet it:

1. the table is written to a CSV and read back with :func:`autometa._io.read_table` (what
   ``autometa recommend data.csv`` does: categories become text, class labels may become
   floats, ...);
2. :func:`autometa.recommend` is called on it without a task; where the task it infers
   (or guesses, for a whole-number target, with a note) differs from ``datasets.csv``,
   it is called again with the right task, as a user would, and that is counted;
3. the pipelines of the first ``--fit`` configurations are fitted on 75 % of the rows and
   scored on the rest (``pipeline.score``: accuracy or R^2);
4. with ``--tune N``: :func:`autometa.tune` runs ``N`` trials on the same 75 % (the
   sampler alternates between ``"tpe"`` and ``"meta"`` from one dataset to the next) and
   its refitted pipeline is scored on the rest.

Every failure is listed with its reason; timings are summarised.  Results are appended to
``--out`` (JSON lines) as they come, so an interrupted run resumes.

Usage::

    python benchmarks/recommend_on_corpus.py [--corpus ../shared/data/datasets.csv]
        [--max-rows 3000] [--fit 3] [--tune 0] [--shard 0/1]
        [--out /tmp/recommend_on_corpus.jsonl]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
import traceback
import warnings
from pathlib import Path

import pandas as pd
from sklearn.model_selection import train_test_split

import autometa
from autometa._io import read_table

#: The note of a whole-number target taken as a regression target.
GUESS_NOTE = "taken as a regression target"


def _failure(exc: BaseException) -> dict:
    """What failed and where (call inside the ``except`` block), as JSON-able fields."""
    return {"error": f"{type(exc).__name__}: {exc}"[:300],
            "where": traceback.format_exc().splitlines()[-3].strip()[:200]}


def check_dataset(row: pd.Series, folder: Path, csv: Path, max_rows: int,
                  n_fit: int, n_tune: int = 0, sampler: str = "tpe") -> dict:
    """Run the user's path on one corpus dataset; the outcome as a JSON-able dict."""
    record = {"dataset": row["dataset_key"], "task": row["task_type"],
              "rows": int(row["n_rows"]), "columns": int(row["n_features"])}
    df = pd.read_parquet(folder / row["path"])
    df.to_csv(csv, index=False)
    df = read_table(csv)
    if len(df) > max_rows:
        df = df.sample(max_rows, random_state=0)
    target = row["target"]
    start = time.perf_counter()
    recommendation = autometa.recommend(df, target, n_configs=max(n_fit, 1))
    record["task_guessed"] = any(GUESS_NOTE in note for note in recommendation.notes)
    record["task_given"] = recommendation.task != row["task_type"]
    if record["task_given"]:  # a user told by the note (or the output) gives the task
        recommendation = autometa.recommend(df, target, task=row["task_type"],
                                            n_configs=max(n_fit, 1))
    record["recommend_s"] = round(time.perf_counter() - start, 3)
    record["task_used"] = recommendation.task
    record["top"] = list(recommendation.configs["algorithm"][:n_fit])
    data = df.dropna(subset=[target])
    X, y = data.drop(columns=[target]), data[target]
    stratify = (y if recommendation.task == "classification"
                and y.value_counts().min() >= 2 else None)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, random_state=0, stratify=stratify)
    fits = []
    for i in range(min(n_fit, len(recommendation.configs))):
        start = time.perf_counter()
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                pipeline = recommendation.pipeline(i).fit(X_train, y_train)
                score = float(pipeline.score(X_test, y_test))
            fits.append({"rank": i + 1, "ok": True, "score": round(score, 4),
                         "seconds": round(time.perf_counter() - start, 2)})
        except Exception as exc:  # noqa: BLE001 - every failure is the finding
            fits.append({"rank": i + 1, "ok": False, **_failure(exc)})
    record["fits"] = fits
    if n_tune > 0:
        record["tune"] = _check_tune(X_train.assign(**{target: y_train}), target,
                                     recommendation.task, X_test, y_test, n_tune, sampler)
    return record


def _check_tune(train: pd.DataFrame, target: str, task: str, X_test: pd.DataFrame,
                y_test: pd.Series, n_trials: int, sampler: str) -> dict:
    """``autometa.tune`` on the training rows; its refitted pipeline scored on the rest."""
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    start = time.perf_counter()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = autometa.tune(train, target, task=task, n_trials=n_trials, cv=3,
                                   sampler=sampler, fit_timeout=60)
            score = float(result.pipeline.score(X_test, y_test))
    except Exception as exc:  # noqa: BLE001 - every failure is the finding
        return {"sampler": sampler, "ok": False, **_failure(exc)}
    history = result.history()
    return {"sampler": sampler, "ok": True, "algorithm": result.algorithm,
            "cv_score": round(float(result.best_score), 4), "test_score": round(score, 4),
            "trials": int(len(history)), "failed_trials": int((history["state"] == "FAIL").sum()),
            "seconds": round(time.perf_counter() - start, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", type=Path, default=Path("../shared/data/datasets.csv"))
    parser.add_argument("--max-rows", type=int, default=3000)
    parser.add_argument("--fit", type=int, default=3, help="Configurations fitted per dataset.")
    parser.add_argument("--out", type=Path, default=Path("/tmp/recommend_on_corpus.jsonl"))
    parser.add_argument("--tune", type=int, default=0,
                        help="Trials of autometa.tune per dataset (0: no tuning).")
    parser.add_argument("--shard", default="0/1",
                        help="K/N: check only the datasets at positions K, K+N, ... (to "
                             "split the sweep over processes).")
    parser.add_argument("--only", action="append", default=None,
                        help="Check only this dataset key (repeatable).")
    args = parser.parse_args()
    index = pd.read_csv(args.corpus).reset_index(drop=True)
    shard, n_shards = (int(part) for part in args.shard.split("/"))
    samplers = {key: ("tpe", "meta")[position % 2]
                for position, key in enumerate(index["dataset_key"])}
    index = index[index.index % n_shards == shard]
    if args.only:
        unknown = sorted(set(args.only) - set(index["dataset_key"]))
        if unknown:
            parser.error(f"--only: not in {args.corpus} (or not in this shard): {unknown}")
        index = index[index["dataset_key"].isin(args.only)]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    done = ({json.loads(line)["dataset"] for line in args.out.read_text().splitlines()}
            if args.out.is_file() else set())
    with tempfile.TemporaryDirectory() as tmp:
        csv = Path(tmp) / "table.csv"
        for _, row in index.iterrows():
            if row["dataset_key"] in done:
                continue
            try:
                record = check_dataset(row, args.corpus.parent, csv, args.max_rows, args.fit,
                                       args.tune, samplers[row["dataset_key"]])
            except Exception as exc:  # noqa: BLE001 - every failure is the finding
                record = {"dataset": row["dataset_key"], "task": row["task_type"],
                          **_failure(exc)}
            with args.out.open("a") as handle:
                handle.write(json.dumps(record) + "\n")
            failed = [f["error"] for f in [*record.get("fits", []), record.get("tune", {})]
                      if not f.get("ok", True)]
            print(record["dataset"], record.get("error", ""), *failed, flush=True)
    records = [json.loads(line) for line in args.out.read_text().splitlines()]
    fits = [f for r in records for f in r.get("fits", [])]
    errors = [r for r in records if "error" in r]
    print(f"\n{len(records)} datasets; recommend failed on {len(errors)}; "
          f"task guessed (whole-number target) on "
          f"{sum(r.get('task_guessed', False) for r in records)}, inferred or guessed wrong "
          f"(then given) on {sum(r.get('task_given', False) for r in records)}; "
          f"fits: {sum(f['ok'] for f in fits)} of {len(fits)} succeeded")
    times = pd.Series([r["recommend_s"] for r in records if "recommend_s" in r])
    if len(times):
        print(f"recommend seconds: median {times.median():.2f}, 90th percentile "
              f"{times.quantile(0.9):.2f}, max {times.max():.2f}")
    for r in errors:
        print("FAILED", r["dataset"], r["error"], "|", r["where"])
    tuned = [r["tune"] for r in records if "tune" in r]
    if tuned:
        print(f"tune: {sum(t['ok'] for t in tuned)} of {len(tuned)} succeeded; "
              f"{sum(t.get('failed_trials', 0) for t in tuned)} failed trials in "
              f"{sum(t.get('trials', 0) for t in tuned)}")
    for r in records:
        if not r.get("tune", {}).get("ok", True):
            print("TUNE FAILED", r["dataset"], r["tune"]["sampler"], r["tune"]["error"], "|",
                  r["tune"]["where"])
        for f in r.get("fits", []):
            if not f["ok"]:
                print("FIT FAILED", r["dataset"], f"rank {f['rank']}", f["error"], "|",
                      f["where"])


if __name__ == "__main__":
    main()
