"""The README's Python example runs as written, on the shipped knowledge base."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _python_example() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Use it from Python", 1)[1]
    return re.search(r"```python\n(.*?)```", section, re.DOTALL).group(1)


@pytest.mark.slow
def test_the_readme_python_example_runs_as_written(tmp_path, monkeypatch):
    (tmp_path / "examples").mkdir()
    shutil.copy(ROOT / "examples" / "breast_cancer.csv", tmp_path / "examples")
    monkeypatch.chdir(tmp_path)  # the example reads examples/... and writes its plots here
    namespace: dict = {}
    exec(compile(_python_example(), "README.md", "exec"), namespace)
    rec, model, result = namespace["rec"], namespace["model"], namespace["result"]
    assert len(rec.configs) == 5
    X, y = namespace["df"].drop(columns="target"), namespace["df"]["target"]
    assert model.score(X, y) > 0.9
    assert result.best_score > 0.95  # ROC AUC on breast cancer (0.996 measured)
    assert (tmp_path / "ranking.png").stat().st_size > 0
    assert (tmp_path / "trials.png").stat().st_size > 0
