"""``autometa recommend``: rank algorithms and configurations for a table in a file."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from autometa._cli._errors import fail
from autometa._cli._json import echo_json
from autometa._cli._options import METRIC, SEED, TASK
from autometa._durations import format_seconds

__all__ = ["recommend_command"]


def _number(value: Any, spec: str = ".3f") -> str:
    if value is None or isinstance(value, float) and not math.isfinite(value):
        return "-"
    return format(value, spec)


def _seconds(value: Any) -> str:
    if value is None or isinstance(value, float) and not math.isfinite(value):
        return "-"
    return format_seconds(float(value))


def _params(params: dict[str, Any]) -> str:
    parts = []
    for key, value in sorted(params.items()):
        parts.append(f"{key}={value:.3g}" if isinstance(value, float) else f"{key}={value}")
    return ", ".join(parts)


def recommend_command(
    path: Annotated[Path, typer.Argument(
        help="Table to describe: CSV, TSV, Parquet, Feather, ARFF or JSON (Lines).",
        show_default=False)],
    target: Annotated[str | None, typer.Option(
        "--target", "-t", help="Target column (default: the last column with values).")] = None,
    top: Annotated[int, typer.Option("--top", "-n", min=1,
                                     help="Number of configurations.")] = 5,
    json_output: Annotated[bool, typer.Option(
        "--json", help="Print JSON instead of tables.")] = False,
    explain: Annotated[bool, typer.Option(
        "--explain", help="Also show the most similar datasets and the meta-features that "
        "drove the ranking.")] = False,
    task: Annotated[str | None, typer.Option(
        "--task", parser=TASK, help="classification or regression (default: "
        "inferred).")] = None,
    metric: Annotated[str | None, typer.Option(
        "--metric", parser=METRIC,
        help="Metric to optimise (default: roc_auc, learnt from accuracy on past "
        "datasets without roc_auc; rmse, from r2 likewise; naming one learns from it alone)."
    )] = None,
    kb: Annotated[Path | None, typer.Option(
        "--kb", help="Knowledge-base folder (default: the shipped one).")] = None,
    seed: Annotated[int, typer.Option("--seed", parser=SEED, help="Random seed.")] = 0,
    plot: Annotated[Path | None, typer.Option(
        "--plot", help="Also draw the ranking to this image file (.png, .svg, .pdf).")] = None,
) -> None:
    """Recommend what to try first on a table: algorithms and concrete configurations."""
    from autometa._exceptions import AutometaError
    from autometa._io import column_as_read, read_table
    from autometa._recommend import recommend
    from knowledge_base import KnowledgeBaseError
    from metafeatures import MetafeatureError

    guessed = False
    try:
        if plot is not None:  # a path that cannot be written is found now, not at the end
            from autometa._plots import check_image_path

            plot = check_image_path(plot)
        frame = read_table(path)
        if target is None:
            filled = [name for name in frame.columns if frame[name].notna().any()]
            if not filled:
                raise fail(f"{path} has no column with a value")
            target = filled[-1]  # an empty last column is a trailing delimiter, not a target
            guessed = True
        target = column_as_read(target, frame)
        # on stderr, so that --json output stays clean; shown only on a terminal
        with Console(stderr=True).status("Describing the table and ranking candidates (the "
                                         "first run also fits and caches the meta-model)"):
            result = recommend(frame, target, task=task, metric=metric, n_configs=top, kb=kb,
                               random_state=seed)
        explanation = result.explain() if explain else None
        if plot is not None:
            result.plot(plot)
    except (AutometaError, KnowledgeBaseError, MetafeatureError) as error:
        if guessed:  # the error is about a column the user did not name
            raise fail(f"no --target given, so the last column with values, {target!r}, was "
                       f"taken as the target: {error}") from None
        raise fail(error) from None
    if guessed:  # said once it worked: an error stays one line
        Console(stderr=True).print(f"no --target given: predicting {escape(repr(target))}, "
                                   "the last column with values", soft_wrap=True)
    if json_output:
        payload = result.to_dict()
        payload["target"] = target
        if explanation is not None:
            payload["explanation"] = explanation.to_dict()
        if plot is not None:
            payload["plot"] = str(plot)
        echo_json(payload, indent=2)
        return
    _print(result, explanation, target=target, path=path)
    if plot is not None:
        typer.echo(f"plot: {plot}")


def _print(result: Any, explanation: Any, *, target: str, path: Path) -> None:
    import pandas as pd

    console = Console(width=max(Console().width, 120))
    console.print(f"[bold]{escape(path.name)}[/bold]: {result.n_samples} rows x "
                  f"{result.n_features} features, target [bold]{escape(str(target))}[/bold] "
                  f"({result.task}); ranked by "
                  f"{result.metric} (normalised: 1 = best known)")
    if result.novel:
        console.print("[yellow]This table is far from every knowledge-base dataset: showing "
                      "configurations that are good on average.[/yellow]")
    algorithms = Table(title="Algorithms")
    for column in ("#", "algorithm", "score", "+/-", "fit time"):
        algorithms.add_column(column, justify="left" if column == "algorithm" else "right")
    for row in result.algorithms.itertuples():
        algorithms.add_row(str(row.rank), row.algorithm, _number(row.predicted_score),
                           _number(row.uncertainty), _seconds(row.expected_fit_time))
    console.print(algorithms)
    configs = Table(title="Configurations to try, in order")
    for column in ("#", "algorithm", "score", "+/-", "fit time", "parameters"):
        configs.add_column(column, justify="left" if column in ("algorithm", "parameters")
                           else "right")
    for row in result.configs.itertuples():
        configs.add_row(str(row.rank), row.algorithm, _number(row.predicted_score),
                        _number(row.uncertainty), _seconds(row.expected_fit_time),
                        _params(row.params))
    console.print(configs)
    for note in result.notes:
        console.print(f"[dim]note: {escape(note)}[/dim]")
    if explanation is None:
        return
    neighbors = Table(title="Most similar knowledge-base datasets",
                      caption="distance: mean absolute difference of the meta-features on "
                      "the meta-model's robust scale; similarity: kernel weight relative "
                      "to the nearest dataset (1.00)")
    for column in ("dataset", "OpenML id", "distance", "similarity", "best algorithm"):
        neighbors.add_column(column)
    for row in explanation.neighbors.itertuples():
        did = "-" if pd.isna(row.openml_did) else str(int(row.openml_did))
        name = row.dataset_id if pd.isna(row.name) else row.name  # OpenML records lack some
        neighbors.add_row(str(name), did, _number(row.distance, ".3f"),
                          _number(row.similarity, ".2f"), row.best_algorithm or "-")
    console.print(neighbors)
    drivers = Table(title="Meta-features that drove the ranking")
    for column in ("meta-feature", "value", "KB median", "neighbours", "effect"):
        drivers.add_column(column, justify="left" if column == "meta-feature" else "right")
    for row in explanation.drivers.itertuples():
        drivers.add_row(row.metafeature, _number(row.value, ".4g"),
                        _number(row.kb_median, ".4g"), _number(row.neighbors_median, ".4g"),
                        _number(row.ranking_effect, "+.2g"))
    console.print(drivers)
