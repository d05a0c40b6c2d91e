"""``autometa kb``: inspect, import into and build knowledge bases."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from autometa._cli._errors import fail
from autometa._cli._json import echo_json
from autometa._cli.kb_build import build_command

if TYPE_CHECKING:
    from knowledge_base import KnowledgeBase

__all__ = ["kb_app"]

kb_app = typer.Typer(
    name="kb",
    help="Inspect, import into and build knowledge bases of past runs.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _load(path: Path | None) -> KnowledgeBase:
    from knowledge_base import KnowledgeBase, KnowledgeBaseError

    try:
        return KnowledgeBase.load(path)
    except KnowledgeBaseError as error:
        raise fail(error) from None


def _count_table(title: str, counts: dict[str, int], column: str) -> Table:
    table = Table(title=title, title_justify="left", min_width=len(title) + 2)
    table.add_column(column)
    table.add_column("rows", justify="right")
    for key, value in counts.items():
        table.add_row(str(key), f"{value:,}")
    return table


def _summary(kb: KnowledgeBase, path: Path | None) -> dict[str, Any]:
    from knowledge_base import default_path

    sources = []
    for source in kb.manifest.get("sources", []):
        if isinstance(source, dict):
            sources.append({key: source.get(key) for key in (
                "name", "kind", "licence", "citation", "rows") if key in source})
    return {"path": str(path if path is not None else default_path()),
            "schema_version": kb.manifest.get("schema_version"),
            "saved": kb.manifest.get("saved"), "counts": kb.counts(), "sources": sources,
            "campaign": kb.manifest.get("campaign")}


def _campaign_line(campaign: dict[str, Any]) -> str:
    """One line on the evaluation campaign behind a knowledge base (from its manifest)."""
    done, planned = campaign.get("tasks_done"), campaign.get("tasks_planned")
    progress = (f"{done:,} of {planned:,} tasks ({100 * done / planned:.0f}%)"
                if isinstance(done, int) and isinstance(planned, int) and planned else
                "progress not recorded")
    return (f"campaign: {progress} on {campaign.get('datasets_measured', '?')} of "
            f"{campaign.get('corpus_datasets', '?')} corpus datasets; defaults + "
            f"{campaign.get('n_configs', '?')} sampled configurations per algorithm, "
            f"{campaign.get('n_folds', '?')}-fold CV, row cap {campaign.get('max_rows', '?')}, "
            f"{campaign.get('time_limit', '?')} s per fit, seed {campaign.get('seed', '?')}")


@kb_app.command("info")
def info_command(
    path: Annotated[Path | None, typer.Argument(
        help="Knowledge-base folder (default: the one shipped with autometa).")] = None,
    as_json: Annotated[bool, typer.Option(
        "--json", help="Print one JSON object instead of tables.")] = False,
) -> None:
    """Counts by source, task type, algorithm and status; schema version; provenance."""
    kb = _load(path)
    summary = _summary(kb, path)
    if as_json:
        echo_json(summary, indent=2, sort_keys=True)
        return
    console = Console(highlight=False)
    counts = summary["counts"]
    console.print(f"[bold]knowledge base[/bold] {escape(str(summary['path']))}",
                  soft_wrap=True)
    console.print(f"schema version {summary['schema_version']}"
                  + (f", saved {summary['saved']}" if summary["saved"] else ""), soft_wrap=True)
    console.print(f"{counts['datasets']:,} datasets, {counts['metafeatures']:,} meta-features, "
                  f"{counts['configurations']:,} configurations, "
                  f"{counts['evaluations']:,} evaluations", soft_wrap=True)
    if isinstance(summary["campaign"], dict):
        console.print(_campaign_line(summary["campaign"]), soft_wrap=True)
    console.print(_count_table("Datasets by task type", counts["datasets_by_task_type"],
                               "task type"))
    console.print(_count_table("Datasets by source", counts["datasets_by_source"], "source"))
    console.print(_count_table("Evaluations by source", counts["evaluations_by_source"],
                               "source"))
    console.print(_count_table("Evaluations by task type", counts["evaluations_by_task_type"],
                               "task type"))
    console.print(_count_table("Evaluations by algorithm", counts["evaluations_by_algorithm"],
                               "algorithm"))
    console.print(_count_table("Evaluations by status", counts["evaluations_by_status"],
                               "status"))
    if summary["sources"]:
        table = Table(title="Provenance", title_justify="left")
        for column in ("source", "kind", "licence", "citation"):
            table.add_column(column, overflow="fold")
        for source in summary["sources"]:
            citation = " ".join((source.get("citation") or "").split())
            start = citation.find("Cite")
            table.add_row(str(source.get("name")), str(source.get("kind") or ""),
                          str(source.get("licence") or ""),
                          citation[start:] if start >= 0 else citation)
        console.print(table)


def _check_import_destination(out: Path, merge_into: Path | None, overwrite: bool) -> None:
    """Refuse, before any work, an ``--out`` that is a file or would lose a knowledge base."""
    from knowledge_base import KnowledgeBase

    if out.exists() and not out.is_dir():
        raise fail(f"--out {out} is a file; give a folder to write the knowledge base to")
    merging_in_place = merge_into is not None and out.resolve() == merge_into.resolve()
    if KnowledgeBase.exists(out) and not (overwrite or merging_in_place):
        raise fail(f"--out {out} already holds a knowledge base: pass --overwrite to "
                   f"replace it, or --merge-into {out} to add the import to it")


@kb_app.command("import-openml")
def import_openml_command(
    out: Annotated[Path, typer.Option("--out", help="Folder to write the knowledge base to.")],
    records: Annotated[Path | None, typer.Option(
        "--records", help="Folder of staged records (lcdb/, openml-pimp/, sklearn-bot/, "
        "openml-defaults/). Default: $AUTOMETA_SHARED_DATA or ../shared/data. Imported "
        "unless --flow is given without --records.")] = None,
    source: Annotated[list[str] | None, typer.Option(
        "--source", help="Only this record set (repeatable): lcdb, openml-defaults, "
        "openml-pimp, sklearn-bot.")] = None,
    flow: Annotated[list[int] | None, typer.Option(
        "--flow", help="OpenML flow id to list runs of, live (repeatable).")] = None,
    task: Annotated[list[int] | None, typer.Option(
        "--task", help="Restrict live runs to this OpenML task id (repeatable).")] = None,
    function: Annotated[list[str] | None, typer.Option(
        "--function", help="OpenML evaluation measure for live runs (repeatable; default "
        "predictive_accuracy and area_under_roc_curve).")] = None,
    size: Annotated[int | None, typer.Option(
        "--size", help="At most this many live runs per flow and measure.")] = None,
    cache_dir: Annotated[Path | None, typer.Option(
        "--cache-dir", help="openml-python cache folder for live imports.")] = None,
    merge_into: Annotated[Path | None, typer.Option(
        "--merge-into", help="Existing knowledge base to merge the import into (its rows "
        "win on shared keys); the result is written to --out.")] = None,
    overwrite: Annotated[bool, typer.Option(
        "--overwrite", help="Replace the knowledge base already in --out.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the counts as JSON.")] = False,
) -> None:
    """Import OpenML runs (staged records and/or live OpenML) into a knowledge base."""
    live_only = [name for name, value in (("--task", task), ("--function", function),
                                          ("--size", size)) if value]
    if live_only and not flow:
        raise fail(f"{', '.join(live_only)} restrict live OpenML runs: give --flow too "
                   "(staged records are imported whole)")
    _check_import_destination(out, merge_into, overwrite)
    from knowledge_base import KnowledgeBaseError
    from knowledge_base.importers import (
        ImporterError,
        OpenMLRuns,
        combine,
        default_records_path,
        import_records,
        records_families,
    )

    base = _load(merge_into) if merge_into is not None else None
    parts = []
    try:
        if records is not None or not flow:
            folder = records if records is not None else default_records_path()
            parts.append(import_records(folder, sources=source or None))
        if flow:
            families = records_families(records) if records is not None else None
            options: dict[str, Any] = {}
            if function:
                options["functions"] = list(function)
            parts.append(OpenMLRuns(flows=list(flow), tasks=list(task) if task else None,
                                    size=size, cache_dir=cache_dir, families=families,
                                    **options).load())
        kb = combine(parts)
        if base is not None:
            kb = base.merge(kb)
        kb.save(out)
    except (ImporterError, KnowledgeBaseError, ValueError, OSError) as error:
        raise fail(error) from None
    counts = kb.counts()
    if as_json:
        echo_json({"path": str(out), "counts": counts}, indent=2, sort_keys=True)
        return
    console = Console(highlight=False)
    console.print(f"knowledge base written to {out}: {counts['datasets']:,} datasets, "
                  f"{counts['configurations']:,} configurations, "
                  f"{counts['evaluations']:,} evaluations", soft_wrap=True)
    console.print(_count_table("Evaluations by source", counts["evaluations_by_source"],
                               "source"))


kb_app.command("build")(build_command)


@kb_app.command("ship")
def ship_command(
    campaign: Annotated[Path, typer.Option(
        "--campaign", help="Campaign folder with the corpus results.")] = Path("campaigns/corpus"),
    corpus: Annotated[Path | None, typer.Option(
        "--corpus", help="Corpus index CSV (default: datasets.csv in $AUTOMETA_SHARED_DATA, "
        "else in ../shared/data).")] = None,
    records: Annotated[Path | None, typer.Option(
        "--records", help="Folder of the OpenML record sets (default: beside the index).")]
    = None,
    out: Annotated[Path | None, typer.Option(
        "--out", help="Output folder (default: the package's shipped knowledge base).")] = None,
    jobs: Annotated[int, typer.Option("--jobs", help="Processes for meta-features.")] = 1,
    refresh: Annotated[bool, typer.Option(
        "--refresh-metafeatures", help="Recompute cached meta-features.")] = False,
) -> None:
    """Build the default knowledge base: campaign + meta-features + OpenML records."""
    from knowledge_base import KnowledgeBaseError
    from knowledge_base._default_kb import build_default_knowledge_base
    from knowledge_base.importers import default_records_path

    corpus = corpus or default_records_path() / "datasets.csv"
    try:
        kb = build_default_knowledge_base(campaign, corpus, records=records, out=out,
                                          n_jobs=jobs, refresh_metafeatures=refresh)
    except (KnowledgeBaseError, FileNotFoundError, ValueError) as error:
        raise fail(error) from None
    console = Console(highlight=False)
    console.print(f"wrote {kb!r}")
    console.print(_campaign_line(kb.manifest["campaign"]), soft_wrap=True)
