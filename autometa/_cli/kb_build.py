"""``autometa kb build``: run (or resume) the evaluation campaign on a corpus."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from autometa._cli._errors import fail
from autometa._cli._options import JOBS, SEED

__all__ = ["build_command"]


def build_command(
    out: Path = typer.Option(..., "--out", help="Campaign folder (created or resumed)."),
    corpus: Path | None = typer.Option(
        None, "--corpus", help="Index CSV of the corpus (default: datasets.csv in "
        "$AUTOMETA_SHARED_DATA, else in ../shared/data)."),
    configs: int = typer.Option(24, "--configs", min=0,
                                help="Sampled configurations per algorithm."),
    folds: int = typer.Option(3, "--folds", min=2, help="Cross-validation folds."),
    max_rows: int = typer.Option(2000, "--max-rows", min=0,
                                 help="Row cap per dataset (0: none)."),
    time_limit: float = typer.Option(60.0, "--time-limit", min=0.0,
                                     help="Seconds per fit (0: none)."),
    seed: int = typer.Option(0, "--seed", parser=SEED,
                             help="Seed of sampling, folds and models."),
    jobs: int = typer.Option(-1, "--jobs", parser=JOBS,
                             help="Local worker processes (-1: all cores)."),
    scheduler: str | None = typer.Option(None, "--scheduler",
                                         help="Dask scheduler address to scale out to."),
    datasets: list[str] | None = typer.Option(None, "--dataset",
                                              help="Only this dataset id (repeatable)."),
    max_tasks: int | None = typer.Option(None, "--max-tasks", min=1,
                                         help="Stop after N tasks."),
    time_budget: float | None = typer.Option(None, "--time-budget", min=0.0,
                                             help="Submit no new task after S seconds."),
    retry_errors: bool = typer.Option(False, "--retry-errors",
                                      help="Measure again tasks that ended in an error."),
    kb_out: Path | None = typer.Option(None, "--kb-out",
                                       help="Also write the results as a knowledge base."),
) -> None:
    """Evaluate the portfolio on a corpus: resumable, deterministic, journaled as it goes."""
    from knowledge_base.campaign import Campaign, CampaignSettings, CampaignSettingsMismatch, Corpus
    from knowledge_base.importers import default_records_path

    console = Console(stderr=True)
    try:
        settings = CampaignSettings(n_configs=configs, n_folds=folds,
                                    max_rows=max_rows or None, time_limit=time_limit or None,
                                    seed=seed)
        corpus = corpus or default_records_path() / "datasets.csv"
        campaign = Campaign(out, Corpus(corpus), settings)
        campaign.corpus.select(datasets or None)  # unknown dataset ids: an error now
    except (CampaignSettingsMismatch, FileNotFoundError, ValueError) as error:
        raise fail(error) from None
    except KeyError as error:  # its message is the key's repr: show the text
        raise fail(error.args[0]) from None
    columns = (TextColumn("[bold]campaign"), BarColumn(), MofNCompleteColumn(),
               TimeRemainingColumn())
    with Progress(*columns, console=console, transient=False) as progress:
        bar = progress.add_task("evaluations", total=None)

        def update(done: int, total: int) -> None:
            progress.update(bar, completed=done, total=total)

        try:
            summary = campaign.run(n_jobs=jobs, scheduler=scheduler,
                                   dataset_ids=datasets or None, max_tasks=max_tasks,
                                   time_budget=time_budget, retry_errors=retry_errors,
                                   on_result=update)
        except ConnectionError as error:
            progress.update(bar, visible=False)
            raise fail(error) from None
    campaign.compact()
    console.print(f"completed {summary['completed']} of {summary['pending_before']} pending "
                  f"configuration x dataset tasks ({summary['records']} fold records)")
    if kb_out is not None:
        from knowledge_base.campaign import compute_metafeatures

        metafeatures = compute_metafeatures(campaign.corpus, out / "metafeatures.parquet")
        campaign.to_knowledge_base(metafeatures=metafeatures).save(kb_out)
        console.print(f"knowledge base written to {kb_out}")
