"""``autometa tune``: warm-started tuning of the portfolio on a table, with a progress bar."""

from __future__ import annotations

import contextlib
import math
import os
import re
import shlex
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from autometa._cli._errors import fail
from autometa._cli._json import echo_json
from autometa._cli._options import ALGORITHM, JOBS, METRIC, SAMPLER, SECONDS, SEED, TASK
from autometa._durations import format_seconds

__all__ = ["tune_command"]


def tune_command(
    data: Path = typer.Argument(
        ..., help="The table: CSV, TSV, Parquet, Feather, ARFF or JSON (Lines)."),
    target: str = typer.Option(..., "--target", "-t", help="Name of the target column."),
    trials: int | None = typer.Option(
        None, "--trials", "-n", min=1, help="Evaluated trials the study should have in the "
        "end (default: 50; with --timeout: no limit, as many as fit in the time; with --jobs "
        "N, up to N - 1 more, as workers already running finish their trial)."),
    storage: str | None = typer.Option(
        None, "--storage", help="Study storage: sqlite:///tune.db (or tune.db), "
        "postgresql://..., or a journal file path (tune.log). An existing study is resumed."),
    study: str | None = typer.Option(
        None, "--study", help="Study name (default: derived from the target and the table)."),
    jobs: int = typer.Option(1, "--jobs", "-j", parser=JOBS,
                             help="Worker processes (-1: one per core)."),
    timeout: float | None = typer.Option(
        None, "--timeout", parser=SECONDS,
        help="Tune for S seconds: no trial starts after them, and once one has a "
        "result, a trial still running stops there (queued to run first on resume; the "
        "meta-learned sampler then weighs each configuration's expected fit time)."),
    cost_weight: float | None = typer.Option(
        None, "--cost-weight", min=0.0, help="How much the meta-learned sampler penalises "
        "configurations expected to fit slowly (0: not at all; default: 0.5 with "
        "--timeout, else 0)."),
    cv: int = typer.Option(5, "--cv", min=2, help="Cross-validation folds."),
    fit_timeout: float | None = typer.Option(
        None, "--fit-timeout", parser=SECONDS,
        help="Seconds one fit may take (slower: a failed trial)."),
    seed: int = typer.Option(0, "--seed", parser=SEED,
                             help="Seed of folds, models and sampler."),
    task: str | None = typer.Option(None, "--task", parser=TASK,
                                    help="classification or regression (default: inferred)."),
    metric: str | None = typer.Option(None, "--metric", parser=METRIC,
                                      help="Metric (default: roc_auc or rmse)."),
    sampler: str | None = typer.Option(
        None, "--sampler", parser=SAMPLER,
        help="meta (the meta-model as the sampler's prior; the default "
        "when warm-started), tpe (recommendations enqueued, then TPE; the default with "
        "--no-warm-start) or random."),
    warm: bool = typer.Option(True, "--warm-start/--no-warm-start",
                              help="Seed the study with the meta-model's recommendations."),
    n_warm: int | None = typer.Option(
        None, "--n-warm", min=0,
        help="Recommendations to enqueue (--sampler tpe or random; default 10)."),
    algorithm: list[str] | None = typer.Option(
        None, "--algorithm", "-a", parser=ALGORITHM,
        help="Only this portfolio algorithm (repeatable)."),
    kb: Path | None = typer.Option(None, "--kb", help="Knowledge-base folder "
                                   "(default: the shipped one)."),
    save: Path | None = typer.Option(None, "--save",
                                     help="Write the refitted best pipeline (joblib)."),
    as_json: bool = typer.Option(False, "--json", help="Print the final report as JSON."),
    plot: Path | None = typer.Option(None, "--plot", help="Also draw every trial's score "
                                     "and the best so far to this image file (.png, .svg)."),
) -> None:
    """Tune the portfolio on a table: one Optuna study, warm-started by the meta-model."""
    import optuna

    import autometa
    from autometa._exceptions import InvalidInputError
    from autometa._io import column_as_read, read_table
    from autometa._storage import storage_url
    from autometa._tune import DEFAULT_N_TRIALS
    from knowledge_base import METRICS, KnowledgeBaseError

    console = Console(stderr=True)
    if trials is None and timeout is None:
        trials = DEFAULT_N_TRIALS
    try:
        # paths that cannot be written are found now, not after the tuning
        from autometa._plots import check_image_path, check_output_path

        if plot is not None:
            plot = check_image_path(plot)
        if save is not None:
            save = check_output_path(save, "save the pipeline to")
        df = read_table(data)
        target = column_as_read(target, df)
    except InvalidInputError as error:
        raise fail(_as_options(str(error))) from None

    state: dict[str, Any] = {"best": math.nan, "done": 0}
    columns = (TextColumn("[bold]tune"), BarColumn(), MofNCompleteColumn(),
               TextColumn("best {task.fields[best]}"), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=False,
                  disable=as_json and not console.is_terminal) as progress:
        bar = progress.add_task("trials", total=trials, best="-")

        def on_trial(study: optuna.Study, trial: optuna.trial.FrozenTrial) -> None:
            finished = study.get_trials(deepcopy=False, states=(
                optuna.trial.TrialState.COMPLETE, optuna.trial.TrialState.FAIL))
            done = sum(t.state == optuna.trial.TrialState.COMPLETE or "error" in t.user_attrs
                       for t in finished)
            state["done"] = done
            values = [t.value for t in finished
                      if t.state == optuna.trial.TrialState.COMPLETE and t.value is not None]
            if values:
                higher = study.direction == optuna.study.StudyDirection.MAXIMIZE
                state["best"] = max(values) if higher else min(values)
            progress.update(bar, completed=done if trials is None else min(done, trials),
                            best="-" if math.isnan(state["best"]) else _fmt(state["best"]))

        try:
            with _quiet_models():
                result = autometa.tune(
                    df, target, n_trials=trials, timeout=timeout, storage=storage,
                    study_name=study, n_jobs=jobs, warm_start=warm, cv=cv, random_state=seed,
                    task=task, metric=metric, algorithms=algorithm or None, sampler=sampler,
                    n_warm=n_warm, kb=kb, fit_timeout=fit_timeout, cost_weight=cost_weight,
                    callbacks=[on_trial])
        except (InvalidInputError, KnowledgeBaseError) as error:
            progress.update(bar, visible=False)  # no empty bar under the message
            raise fail(_as_options(str(error))) from None
        except KeyboardInterrupt:
            progress.stop()
            if storage is None:
                console.print("interrupted: the study was in memory and is gone (give "
                              "--storage to keep one that can be resumed)")
            else:
                console.print(f"interrupted after {state['done']} evaluated trial(s), kept in "
                              f"{escape(str(storage))} (trials it stopped are queued again): run "
                              "the same command to resume", soft_wrap=True)
            raise typer.Exit(code=130) from None
        progress.update(bar, completed=result.n_trials if trials is None
                        else min(result.n_trials, trials),
                        best=_fmt(result.best_score))

    if save is not None:
        import joblib

        save.parent.mkdir(parents=True, exist_ok=True)
        joblib.dump(result.pipeline, save)
    if plot is not None:
        result.plot(plot)
    summary = result.to_dict()
    summary["plot"] = str(plot) if plot is not None else None
    summary["storage"] = storage
    summary["dashboard"] = (f"optuna-dashboard {shlex.quote(storage_url(storage))}"
                            if storage else None)
    summary["saved"] = str(save) if save is not None else None
    summary["notes"] = [_as_options(note) for note in summary.get("notes", [])]
    if as_json:
        echo_json(summary)
        return
    _print_report(Console(), result, summary, higher=METRICS[result.metric])


#: tune()'s argument names as this command's options, for its errors and notes.
_OPTIONS = {"n_trials": "--trials", "n_jobs": "--jobs", "random_state": "--seed",
            "cost_weight": "--cost-weight", "fit_timeout": "--fit-timeout",
            "n_warm": "--n-warm", "study_name": "--study", "sampler=": "--sampler ",
            "df has": "the table has", "warm_start=True": "the warm start on",
            "warm_start=False": "--no-warm-start"}


def _as_options(message: str) -> str:
    """An error of :func:`autometa.tune` in this command's terms (``--jobs``, not n_jobs)."""
    for name, option in _OPTIONS.items():
        message = re.sub(rf"(?<![\w-]){re.escape(name)}(?!\w)", option, message)
    return message


@contextlib.contextmanager
def _quiet_models() -> Iterator[None]:
    """Silence the models' warnings and Optuna's logs here and in worker processes.

    Convergence, a feature constant in a fold...: they drown the progress bar, and what
    they mean is in the scores (failed trials are in the report).  Optuna's verbosity is
    the process's: it is given back after (a notebook or a test goes on running).
    """
    import optuna

    before = os.environ.get("PYTHONWARNINGS")
    os.environ["PYTHONWARNINGS"] = "ignore"  # spawned workers read it at start
    verbosity = optuna.logging.get_verbosity()
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        optuna.logging.set_verbosity(verbosity)
        if before is None:
            os.environ.pop("PYTHONWARNINGS", None)
        else:
            os.environ["PYTHONWARNINGS"] = before


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)


def _print_report(console: Console, result: Any, summary: dict[str, Any], *,
                  higher: bool) -> None:
    """The final report: best configuration, warm start, top trials, how to view."""
    head = Table(title=escape(f"autometa tune: study {summary['study_name']!r}"),
                 show_header=False)
    head.add_column(style="bold")
    head.add_column()
    head.add_row("task / metric", f"{summary['task']} / {summary['metric']} "
                 f"({'higher' if higher else 'lower'} is better)")
    head.add_row("best score", f"{summary['best_score']:.5g}  (folds: "
                 + ", ".join("undefined" if v is None else f"{v:.4g}"
                             for v in summary["fold_scores"]) + ")")
    head.add_row("algorithm", summary["algorithm"])
    head.add_row("parameters", ", ".join(f"{k}={_fmt(v)}" for k, v in
                                         sorted(summary["configuration"]["params"].items())))
    n_warm = summary["n_warm_start"]
    if summary["sampler"] != "meta":
        warm = f"{n_warm} from the warm start"
    elif n_warm:  # a study resumed with the meta sampler after an enqueued warm start
        warm = f"{n_warm} from the warm start, the rest from the meta-learned sampler"
    else:
        warm = "from the meta-learned sampler"
    head.add_row("trials", f"{summary['n_trials']} evaluated ({summary['n_failed']} failed, "
                 f"{warm}); best is trial #{summary['best_trial']}")
    cost = f" (cost weight {summary['cost_weight']:g})" if summary["cost_weight"] else ""
    head.add_row("sampler / time",
                 f"{summary['sampler']}{cost} / {format_seconds(summary['elapsed'])}")
    if summary.get("saved"):
        head.add_row("pipeline saved to", escape(summary["saved"]))
    if summary.get("plot"):
        head.add_row("plot", escape(summary["plot"]))
    console.print(head)

    history = result.history()
    done = history[history["state"] == "COMPLETE"].sort_values(
        "value", ascending=not higher, kind="stable").head(5)
    top = Table(title="best trials")
    for column in ("trial", "score", "algorithm", "source", "fit time"):
        top.add_column(column, justify="right" if column != "algorithm" else "left")
    for row in done.itertuples():
        top.add_row(str(row.number), f"{row.value:.5g}", str(row.algorithm), str(row.source),
                    format_seconds(float(row.fit_time)))
    console.print(top)
    for note in summary.get("notes", []):
        console.print(f"[dim]note: {escape(note)}[/dim]")
    if summary.get("dashboard"):
        console.print(f"view the study: [bold]{escape(summary['dashboard'])}[/bold]",
                      soft_wrap=True)
