"""The default meta-model, fitted once per knowledge base and cached on disk and in memory.

The cache key is a fingerprint of the knowledge base (for a folder: its manifest and the
sizes and modification times of its tables, so that a cached model is found without
loading the knowledge base; for a :class:`KnowledgeBase` object: a hash of its tables),
the task, the metric, the meta-features the model reads, the meta-model's parameters
and the versions of autometa, LightGBM and scikit-learn.  Models are stored with
:mod:`joblib` under :func:`cache_dir`; a cache that cannot be written (read-only home)
only costs a refit in the next process.  The :data:`DISK_SLOTS` most recently used models
are kept; older ones are deleted when a new one is written.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
from collections import OrderedDict
from pathlib import Path

import joblib
import lightgbm
import pandas as pd
import sklearn

from autometa._exceptions import InvalidInputError
from autometa._metamodel import MetaModel
from knowledge_base import TABLES, KnowledgeBase, default_path
from knowledge_base.portfolio import ALGORITHMS, fit_time_exponent, fit_time_overhead_rows

__all__ = ["RECOMMEND_GROUPS", "cache_dir", "clear_cache", "default_metamodel"]

#: Meta-feature groups of the default meta-model: cheap and exact on any table size
#: (landmarkers and model-based features take about a second each on 10,000 x 50 and
#: would be skipped or subsampled by the time budget, making them inconsistent).
RECOMMEND_GROUPS = ("general", "statistical", "info_theory")
#: Bumped whenever the fitted state of :class:`MetaModel` changes, so stale files are ignored.
CACHE_FORMAT = 7
_MEMORY_SLOTS = 4
#: Cached models kept on disk (the most recently used; the default knowledge base needs 2).
DISK_SLOTS = 8
_memory: OrderedDict[str, MetaModel] = OrderedDict()


def cache_dir() -> Path:
    """Folder of cached meta-models: ``$AUTOMETA_CACHE_DIR``, else the user cache folder."""
    explicit = os.environ.get("AUTOMETA_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "autometa"


def clear_cache(*, disk: bool = False) -> None:
    """Forget the meta-models fitted in this process (and delete cached files if ``disk``)."""
    _memory.clear()
    if disk:
        for file in cache_dir().glob("metamodel-*.joblib"):
            file.unlink(missing_ok=True)


def _fingerprint_folder(folder: Path) -> str:
    digest = hashlib.sha256()
    manifest = folder / "manifest.json"
    digest.update(manifest.read_bytes() if manifest.is_file() else b"")
    for name in sorted(TABLES):
        file = folder / f"{name}.parquet"
        stat = file.stat() if file.is_file() else None
        digest.update(f"{name}:{stat.st_size if stat else -1}:"
                      f"{stat.st_mtime_ns if stat else -1}".encode())
    return digest.hexdigest()


def _fingerprint_kb(kb: KnowledgeBase) -> str:
    digest = hashlib.sha256()
    digest.update(json.dumps(kb.manifest, sort_keys=True, default=str).encode())
    for name in sorted(TABLES):
        table = getattr(kb, name)
        digest.update(f"{name}:{table.shape}".encode())
        digest.update(pd.util.hash_pandas_object(table, index=False).to_numpy().tobytes())
    return digest.hexdigest()


def _default_names(task: str) -> list[str]:
    import metafeatures

    table = metafeatures.list_metafeatures(task)
    return sorted(table.loc[table["group"].isin(RECOMMEND_GROUPS), "name"])


def default_metamodel(kb: KnowledgeBase | str | Path | None, *, task: str,
                      metric: str | None = None) -> MetaModel:
    """The meta-model :func:`autometa.recommend` uses for a knowledge base, task and metric.

    Parameters
    ----------
    kb : KnowledgeBase, path or None
        Knowledge base (``None`` = the one shipped with the package).
    task : {"classification", "regression"}
        Task type.
    metric : str, optional
        Metric (default chain of :class:`MetaModel.fit`).

    Returns
    -------
    MetaModel
        Fitted; from the in-memory cache, the disk cache, or fitted now and cached.
    """
    folder = None
    if not isinstance(kb, KnowledgeBase):
        folder = default_path() if kb is None else Path(kb)
        if kb is None and not (folder / "manifest.json").is_file():
            raise InvalidInputError(
                f"no knowledge base is shipped with this installation ({folder} is empty); "
                "pass kb= a KnowledgeBase or the folder of a saved one")
        fingerprint = _fingerprint_folder(folder)
    else:
        fingerprint = _fingerprint_kb(kb)
    names = _default_names(task)
    template = MetaModel(metafeature_names=names, random_state=0)
    from autometa import __version__

    key_data = {"kb": fingerprint, "task": task, "metric": metric,
                "params": {k: v for k, v in template.get_params().items()
                           if k != "metafeature_names"},
                "names": hashlib.sha256("\n".join(names).encode()).hexdigest(),
                "versions": [__version__, CACHE_FORMAT, lightgbm.__version__,
                             sklearn.__version__],
                # the fit-time model is trained relative to how each algorithm's time
                # scales with rows: a change there is a different model (columns only
                # scale its predictions beyond the widest timed table)
                "fit_time_scaling": {name: [fit_time_exponent(name), fit_time_overhead_rows(name)]
                                     for name in ALGORITHMS}}
    key = hashlib.sha256(json.dumps(key_data, sort_keys=True, default=str).encode()
                         ).hexdigest()[:24]
    if key in _memory:
        _memory.move_to_end(key)
        return _memory[key]
    file = cache_dir() / f"metamodel-{key}.joblib"
    model = _read(file)
    if model is None:
        source = kb if isinstance(kb, KnowledgeBase) else KnowledgeBase.load(folder)
        model = template.fit(source, metric=metric, task_type=task)
        _write(file, model)
    _memory[key] = model
    while len(_memory) > _MEMORY_SLOTS:
        _memory.popitem(last=False)
    return model


def _read(file: Path) -> MetaModel | None:
    if not file.is_file():
        return None
    try:
        model = joblib.load(file)
    except Exception:  # a corrupt or incompatible cache entry is refitted, never fatal
        return None
    if not isinstance(model, MetaModel):
        return None
    try:
        os.utime(file)  # last used now: pruning keeps it
    except OSError:
        pass
    return model


def _write(file: Path, model: MetaModel) -> None:
    try:
        file.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=file.parent, suffix=".tmp")
        os.close(handle)
        joblib.dump(model, temporary)
        os.replace(temporary, file)
    except OSError:
        return
    _prune(file.parent, keep=file)


def _prune(folder: Path, *, keep: Path) -> None:
    """Delete all but the :data:`DISK_SLOTS` most recently used cached models.

    Each knowledge-base file date, package version or library upgrade keys new models
    (tens of MB each): without pruning, every reinstall would leave its models behind.
    Temporary files older than an hour (a write that was killed) go too.
    """
    try:
        files = sorted(folder.glob("metamodel-*.joblib"), key=lambda f: f.stat().st_mtime,
                       reverse=True)
        for old in [f for f in files if f != keep][DISK_SLOTS - 1:]:
            old.unlink(missing_ok=True)
        now = time.time()
        for temporary in folder.glob("*.tmp"):
            if now - temporary.stat().st_mtime > 3600:
                temporary.unlink(missing_ok=True)
    except OSError:  # another process pruned first, or a read-only file: not our problem
        return
