"""`kaikaku results export|import`: the year's results table out (xlsx / CSV / JSON), earlier
years' results in (CSV / xlsx in the export's columns)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from bot.cli.common import fail, session, settings
from bot.japanese.fiscal_year import FiscalYear, FiscalYearError, parse_fiscal_year
from bot.reporting.results_table import OutsidePlan, plan_years, results_rows
from bot.texts import cli as say
from bot.texts import results as t

app = typer.Typer(no_args_is_help=True)
FORMATS = ("json", "csv", "xlsx")

FyOption = Annotated[str, typer.Option("--fy", help=say.HELP_FY)]


def _fiscal_year(text: str) -> FiscalYear:
    """The year asked for, when the loaded plan covers it; else a clear message and exit 2."""
    conf = settings()
    try:
        year = parse_fiscal_year(text, today=conf.now())
    except FiscalYearError as exc:
        fail(str(exc))
    with session() as s:
        try:
            plan_years(s, year.year)
        except OutsidePlan as exc:
            first, last = (exc.plan.first_fy, exc.plan.last_fy) if exc.plan else (year.year, year.year)
            fail(t.OUTSIDE_PLAN.format(fy=year.label, first=FiscalYear(first).label, last=FiscalYear(last).label))
    return year


@app.command("export")
def export(
    fy: FyOption,
    fmt: Annotated[str, typer.Option("--format", help=say.HELP_RESULTS_FORMAT)] = "json",
    out: Annotated[Path | None, typer.Option("--out", "-o", help=say.HELP_OUT)] = None,
    by_department: Annotated[bool, typer.Option("--by-department", help=say.HELP_BY_DEPARTMENT)] = False,
) -> None:
    """The year's results in the plan's layout: every measure × department, reported or not."""
    from bot.reporting.workbook import build_csv, build_workbook, results_json

    if fmt not in FORMATS:
        fail(t.BAD_FORMAT.format(formats=" / ".join(FORMATS), given=fmt))
    if by_department and fmt != "xlsx":
        fail(t.BY_DEPARTMENT_XLSX_ONLY)
    year = _fiscal_year(fy)
    tz = settings().tz
    with session() as s:
        if fmt == "xlsx":
            data = build_workbook(s, year.year, by_department=by_department, tz=tz)
            out = out or Path(f"results-{year.key}.xlsx")
        elif fmt == "csv":
            data = build_csv(s, year.year, tz=tz)
        else:
            items = results_json(s, year.year, tz=tz)
            data = (json.dumps(items, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
        count = len(items) if fmt == "json" else len(results_rows(s, year.year))
    if out is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    out.write_bytes(data)
    typer.echo(t.EXPORTED.format(fy=year.label, count=count, path=out), err=True)


@app.command("import")
def import_(
    file: Annotated[Path, typer.Argument(help=say.HELP_IMPORT_FILE)],
    fy: FyOption,
    dry_run: Annotated[bool, typer.Option("--dry-run", help=say.HELP_IMPORT_DRY_RUN)] = False,
) -> None:
    """Earlier years' results (令和5–7年度) from a file in the export's columns; all rows or none."""
    from bot.reporting.importer import ImportRefused, import_results, read_table

    year = _fiscal_year(fy)
    try:
        table = read_table(file)
    except ImportRefused as exc:
        fail(str(exc))
    conf = settings()
    with session() as s:
        outcome = import_results(s, table, year.year, source=file.name, now=conf.now(), dry_run=dry_run)
        if outcome.errors:
            s.rollback()
            lines = [t.IMPORT_FAILED.format(count=len(outcome.errors)), *(f"  {e}" for e in outcome.errors)]
            fail("\n".join(lines))
    if dry_run:
        typer.echo(t.IMPORT_DRY_RUN.format(count=outcome.rows))
        return
    typer.echo(t.IMPORT_DONE.format(fy=year.label, count=outcome.changed, source=file.name))
    if outcome.unchanged:
        typer.echo(t.IMPORT_UNCHANGED.format(count=outcome.unchanged))
