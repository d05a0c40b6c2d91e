"""``autometa metafeatures``: meta-features of a CSV or Parquet table."""

from __future__ import annotations

import math
import warnings
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from autometa._cli._errors import fail
from autometa._cli._json import echo_json
from autometa._cli._options import GROUP, SECONDS, SEED, TASK

__all__ = ["metafeatures_command"]


def _format(value: float) -> str:
    if math.isnan(value):
        return "-"
    if float(value).is_integer() and abs(value) < 1e15:
        return str(int(value))
    return f"{value:.6g}"


def metafeatures_command(
    path: Path = typer.Argument(
        ..., help="CSV, TSV, Parquet, Feather, ARFF or JSON (Lines) file: features and target."
    ),
    target: str = typer.Option(..., "--target", "-t", help="Name of the target column."),
    json_output: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
    groups: list[str] | None = typer.Option(
        None,
        "--group",
        parser=GROUP,
        help="Meta-feature group to compute (repeatable): general, statistical, info_theory, "
        "model_based, landmarkers. Default: all.",
    ),
    task: str | None = typer.Option(
        None, "--task", parser=TASK,
        help="classification or regression (default: inferred from the target)."
    ),
    seed: int = typer.Option(0, "--seed", parser=SEED,
                             help="Seed of the subsamples and models."),
    time_budget: float | None = typer.Option(
        None, "--time-budget", parser=SECONDS,
        help="Seconds; expensive groups are subsampled or skipped."
    ),
) -> None:
    """Compute the meta-features of a table (OpenML-compatible names where they exist)."""
    import metafeatures
    from autometa._io import column_as_read, read_table
    from autometa._validation import check_target_column, check_task

    err = Console(stderr=True)
    try:
        frame = read_table(path)
        target = check_target_column(frame, column_as_read(target, frame))
        notes: list[str] = []
        # inferred (or guessed, with a note), and checked against the target (one class,
        # a continuous target given as classification), as recommend and tune do
        task = check_task(task, frame[target], notes)
        # on stderr (--json stays clean), shown only on a terminal: a wide table's
        # landmarkers take a minute without a time budget
        with warnings.catch_warnings(record=True) as caught, err.status(
                f"Computing meta-features of {frame.shape[0]:,} rows x "
                f"{frame.shape[1] - 1:,} features"
                + ("" if time_budget is None else f" (time budget {time_budget:g} s)")):
            warnings.simplefilter("always", metafeatures.MetafeatureWarning)
            result = metafeatures.extract(
                frame.drop(columns=[target]),
                frame[target],
                task=task,
                groups=groups or None,
                random_state=seed,
                time_budget=time_budget,
            )
    except (ValueError, OSError) as error:  # MetafeatureError is a ValueError
        raise fail(error) from None
    for note in notes:
        err.print(f"[yellow]note:[/yellow] {escape(note)}")
    for warning in caught:
        if issubclass(warning.category, metafeatures.MetafeatureWarning):
            err.print(f"[yellow]warning:[/yellow] {escape(str(warning.message))}")

    catalogue = metafeatures.list_metafeatures().set_index("name")
    if json_output:
        payload = {
            "path": str(path),
            "target": target,
            "task": result.attrs["task"],
            "n_rows": result.attrs["n_rows"],
            "skipped": result.attrs["skipped"],
            "metafeatures": {
                name: (None if math.isnan(value) else value) for name, value in result.items()
            },
        }
        echo_json(payload, indent=2)
        return
    table = Table(title=f"{path.name}: {result.attrs['task']}, {result.attrs['n_rows']} rows")
    table.add_column("group", style="cyan")
    table.add_column("meta-feature")
    table.add_column("value", justify="right")
    group_order = list(metafeatures.GROUPS)
    ordered = sorted(
        result.index, key=lambda name: (group_order.index(catalogue.loc[name, "group"]), name)
    )
    previous = None
    for name in ordered:
        group = catalogue.loc[name, "group"]
        if previous is not None and group != previous:
            table.add_section()
        table.add_row(group if group != previous else "", name, _format(result[name]))
        previous = group
    Console().print(table)
