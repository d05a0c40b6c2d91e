"""``autometa evaluate``: grouped leave-one-dataset-out evaluation of the recommenders."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from autometa._cli._errors import fail
from autometa._cli._json import echo_json
from autometa._cli._options import JOBS, METRIC, MISSING, SEED, SHARE, TASK

__all__ = ["evaluate_command"]


def evaluate_command(
    kb: Path | None = typer.Option(None, "--kb",
                                   help="Knowledge-base folder (default: the shipped one)."),
    metric: str | None = typer.Option(
        None, "--metric", parser=METRIC,
        help="Metric (default: roc_auc for classification, rmse for "
        "regression); selects its task type."),
    task_type: str | None = typer.Option(
        None, "--task", "--task-type", parser=TASK,
        help="classification or regression (default: both)."),
    k: list[int] | None = typer.Option(None, "--k", min=1, help="Best-of-k size (repeatable; "
                                       "default 1 3 5 10)."),
    strategy: list[str] | None = typer.Option(
        None, "--strategy", help="Strategy name (repeatable; default: all)."),
    seed: int = typer.Option(0, "--seed", parser=SEED, help="Seed of the stochastic strategies."),
    source: str | None = typer.Option(
        None, "--source", help="Use only this evaluation source (default: per task type, "
        "the source with the most datasets x configurations, e.g. 'campaign')."),
    min_coverage: float = typer.Option(
        0.95, "--min-coverage", parser=SHARE,
        help="Share of datasets a configuration must have been "
        "attempted on to be a candidate."),
    missing: str = typer.Option(
        "exclude", "--missing", parser=MISSING,
        help="A candidate never attempted on a dataset: 'exclude' "
        "the dataset, or count a 'failure' (records that omit failed runs)."),
    jobs: int = typer.Option(
        1, "--jobs", "-j", parser=JOBS, help="Held-out datasets evaluated at once, in "
        "worker processes (-1: one per core); same result."),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
    out: Path | None = typer.Option(
        None, "--out", help="Folder to write evaluation.json and the regret plot to."),
) -> None:
    """Compare the meta-model with the baselines by grouped leave-one-dataset-out."""
    import autometa
    from autometa._exceptions import InvalidInputError
    from knowledge_base import KnowledgeBaseError

    console = Console(stderr=True)
    try:
        if out is not None:  # a folder that cannot be written is found now, not at the end
            from autometa._plots import check_output_path

            check_output_path(out / "evaluation.json")
        columns = (TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                   TextColumn("held out"), TimeElapsedColumn(), TimeRemainingColumn())
        # started at the first held-out dataset: an error before it leaves no empty bar
        progress = Progress(*columns, console=console,
                            disable=as_json and not console.is_terminal)
        bars: dict[str, int] = {}

        def on_progress(task: str, done: int, total: int) -> None:
            if not bars:
                progress.start()
            if task not in bars:
                bars[task] = progress.add_task(task, total=total)
            progress.update(bars[task], completed=done)

        try:
            report = autometa.evaluate(kb, metric=metric, task_type=task_type,
                                       ks=tuple(k) if k else (1, 3, 5, 10),
                                       strategies=strategy or None, random_state=seed,
                                       source=source, min_coverage=min_coverage,
                                       missing=missing, n_jobs=jobs, on_progress=on_progress)
        finally:
            if bars:
                progress.stop()
    except (InvalidInputError, KnowledgeBaseError) as error:
        raise fail(error) from None
    if out is not None:
        report.to_json(out / "evaluation.json")
        report.plot(out / "regret.png")
        console.print(f"wrote {out / 'evaluation.json'} and {out / 'regret.png'}")
    if as_json:
        echo_json(report.to_dict())
    else:
        Console(width=max(Console().width, 110)).print(report.to_rich())
