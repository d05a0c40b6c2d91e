"""Meta-features of every corpus dataset, computed once and cached beside the campaign."""

from __future__ import annotations

import warnings
from pathlib import Path

import joblib
import pandas as pd

from knowledge_base.campaign._corpus import Corpus, DatasetSpec, load_dataset

__all__ = ["compute_metafeatures"]


def _extract_one(spec: DatasetSpec, random_state: int) -> pd.DataFrame:
    import metafeatures

    X, y = load_dataset(spec.path, spec.target, spec.task_type, max_rows=None,
                        random_state=random_state)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        values = metafeatures.extract(X, y, task=spec.task_type, random_state=random_state)
    return pd.DataFrame({"dataset_id": spec.dataset_id, "name": values.index.astype(str),
                         "value": values.to_numpy(dtype="float64")})


def compute_metafeatures(corpus: Corpus, cache: str | Path | None = None, *,
                         dataset_ids: list[str] | None = None, n_jobs: int = 1,
                         random_state: int = 0, refresh: bool = False) -> pd.DataFrame:
    """Meta-features of corpus datasets as a long table ``(dataset_id, name, value)``.

    Computed with :func:`metafeatures.extract` on the whole dataset (rows without a target
    dropped; the extractor subsamples its expensive groups itself), because a user's table
    is described the same way.  With ``cache``, datasets already in the cache file are not
    recomputed (unless ``refresh``) and the file is updated.
    """
    specs = corpus.select(dataset_ids)
    cache = Path(cache) if cache is not None else None
    known = (pd.read_parquet(cache) if cache is not None and cache.is_file() and not refresh
             else pd.DataFrame(columns=["dataset_id", "name", "value"]))
    done = set(known["dataset_id"])
    todo = [spec for spec in specs if spec.dataset_id not in done]
    frames = joblib.Parallel(n_jobs=n_jobs)(
        joblib.delayed(_extract_one)(spec, random_state) for spec in todo)
    table = pd.concat([known, *frames], ignore_index=True) if frames else known
    if cache is not None and frames:
        cache.parent.mkdir(parents=True, exist_ok=True)
        table.to_parquet(cache, index=False, compression="zstd")
    wanted = {spec.dataset_id for spec in specs}
    return table[table["dataset_id"].isin(wanted)].reset_index(drop=True)
