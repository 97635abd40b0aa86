"""`kaikaku catalog export | import | assign | unassigned`."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

import typer

from bot.catalog.store import (
    BUNDLED_CATALOG,
    BUNDLED_DOCUMENT,
    BUNDLED_PLAN,
    PlanInfo,
    assign_department,
    export_catalog,
    fy_of_key,
    load_catalog,
    read_catalog,
    sha256_of,
    unassigned_measures,
)
from bot.cli.common import department_or_fail, fail, print_json, session
from bot.japanese.fiscal_year import FiscalYear
from bot.texts import cli as say
from bot.texts.ops import FORMAT_HELP

app = typer.Typer(no_args_is_help=True)


@app.command("export")
def export(fmt: str = typer.Option("json", "--format", help="json")) -> None:
    """Print the catalog (INTERFACE.md's shape)."""
    if fmt != "json":
        fail(say.ONLY_JSON.format(given=fmt))
    with session() as s:
        print_json(export_catalog(s))


def plan_info_of(fiscal_years: Sequence[str], path: Path) -> PlanInfo:
    """The plan's code and span from the fiscal years its tables are headed with (R5..R8)."""
    years = sorted(fy_of_key(k) for k in fiscal_years) or [0]
    first, last = FiscalYear(years[0]), FiscalYear(years[-1])
    return PlanInfo(
        code=f"plan-{first.key.lower()}-{last.key.lower()}",
        title=say.CATALOG_TITLE.format(first=first.label, last=last.label),
        first_fy=first.year,
        last_fy=last.year,
        source_sha256=sha256_of(path),
    )


@app.command("import")
def import_(file: Path = typer.Argument(..., help=say.HELP_PLAN_TEXT)) -> None:
    """Parse a plan document into the catalog; a file that is not a plan changes nothing."""
    from bot.catalog.parser import NotAPlanError, parse_plan

    if not file.is_file():
        fail(say.FILE_NOT_FOUND.format(file=file))
    try:
        text = file.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        fail(say.NOT_UTF8.format(file=file))
    if sha256_of(file) == sha256_of(BUNDLED_DOCUMENT):
        # This plan has a reviewed catalog: it is the source of truth, not a fresh parse.
        entries, info = read_catalog(BUNDLED_CATALOG), BUNDLED_PLAN
        typer.echo(say.CATALOG_BUNDLED)
    else:
        try:
            with session() as s:
                known = [d for m in export_catalog(s) for d in m["departments"]]
            result = parse_plan(text, departments=known or None)
        except NotAPlanError as exc:
            fail(say.NOT_A_PLAN.format(file=file, error=exc))
        for no, warnings in sorted(result.warnings.items()):
            for w in warnings:
                print(f"No.{no}: {w}", file=sys.stderr)
        entries, info = result.measures, plan_info_of(result.fiscal_years, file)
    from bot.cli.members import operator
    from bot.storage import audit

    with session() as s:
        load_catalog(s, entries, info)
        audit.record(s, operator(), "catalog_load", "catalog",
                     after={"plan": info.code, "title": info.title, "measures": len(entries),
                            "source_sha256": info.source_sha256})
    typer.echo(say.CATALOG_LOADED.format(title=info.title, n=len(entries)))


@app.command("unassigned")
def unassigned(fmt: str = typer.Option("text", "--format", help=FORMAT_HELP)) -> None:
    """Measures whose department the document does not give."""
    if fmt not in ("text", "json"):
        fail(say.ONE_OF.format(option="format", choices="text / json", given=fmt))
    with session() as s:
        rows = unassigned_measures(s)
        if fmt == "json":
            print_json([{"no": m.no, "title": m.title} for m in rows])
            return
        if not rows:
            typer.echo(say.CATALOG_ALL_ASSIGNED)
        for m in rows:
            typer.echo(f"No.{m.no} {m.title}")


@app.command("assign")
def assign(no: int = typer.Argument(...), department: str = typer.Argument(...)) -> None:
    """Assign a responsible department to a measure (the coordinating division's call)."""
    from bot.catalog.store import measure_by_no
    from bot.cli.members import operator
    from bot.storage import audit

    with session() as s:
        dept = department_or_fail(s, department)
        found = measure_by_no(s, no)
        before = [d.name for d in found.departments] if found is not None else []
        try:
            m = assign_department(s, no, dept)
        except LookupError as exc:
            fail(str(exc))
        after = [d.name for d in m.departments]
        if after != before:
            audit.record(s, operator(), "assign", "assignment", measure_no=m.no, department_id=dept.id,
                         before={"departments": before}, after={"departments": after})
        typer.echo(say.CATALOG_ASSIGNED.format(no=m.no, title=m.title, departments="、".join(after)))
