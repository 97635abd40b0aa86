"""`kaikaku results export --fy FY --format json|csv|xlsx [--out PATH]`: the year's reported results."""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from bot.cli.common import fail, session, settings
from bot.japanese.fiscal_year import FiscalYearError, parse_fiscal_year
from bot.reporting.reports import export_results
from bot.texts import cli as say

app = typer.Typer(no_args_is_help=True)
FORMATS = ("json", "csv", "xlsx")
COLUMNS = list(say.RESULTS_COLUMNS.items())


def flat_rows(results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per actual (a report without actuals is one row): for CSV and Excel."""
    rows = []
    for r in results:
        base = {k: r.get(k) for k, _ in COLUMNS}
        pairs = list(zip(r["actuals"], r["achievement"], strict=False)) or [({}, {})]
        for actual, result in pairs:
            row = dict(base)
            row.update({k: actual.get(k) for k in ("metric", "value", "unit", "typed", "basis")})
            row.update({k: result.get(k) for k in ("rate", "met", "method")})
            rows.append(row)
    return rows


def _cell(row: dict[str, Any], key: str) -> Any:
    value = row.get(key)
    if key == "met" and value is not None:
        return say.RESULTS_MET[bool(value)]
    return "" if value is None else value


def _csv(rows: list[dict[str, Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([label for _, label in COLUMNS])
    for row in rows:
        writer.writerow([_cell(row, k) for k, _ in COLUMNS])
    return buffer.getvalue()


def _xlsx(rows: list[dict[str, Any]], path: Path, fy_label: str) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = say.RESULTS_SHEET
    sheet.append([label for _, label in COLUMNS])
    for row in rows:
        sheet.append([_cell(row, k) if row.get(k) is not None else None for k, _ in COLUMNS])
    sheet.freeze_panes = "A2"
    book.properties.title = say.RESULTS_BOOK_TITLE.format(fy=fy_label)
    book.save(path)


@app.command("export")
def export(
    fy: str = typer.Option(..., "--fy", help=say.HELP_FY),
    fmt: str = typer.Option("json", "--format", help="json / csv / xlsx"),
    out: Annotated[Path | None, typer.Option("--out", help=say.HELP_OUT)] = None,
) -> None:
    """The fiscal year's reports (the current revision of each measure and department)."""
    if fmt not in FORMATS:
        fail(say.ONE_OF.format(option="format", choices=" / ".join(FORMATS), given=fmt))
    conf = settings()
    try:
        year = parse_fiscal_year(fy, today=conf.now())
    except FiscalYearError as exc:
        fail(str(exc))
    with session() as s:
        results = export_results(s, year.year, conf.tz)
    if fmt == "xlsx":
        path = out or Path(f"results-{year.key}.xlsx")
        _xlsx(flat_rows(results), path, year.label)
        typer.echo(say.RESULTS_WRITTEN.format(fy=year.label, n=len(results), path=path), err=True)
        return
    text = json.dumps(results, ensure_ascii=False, indent=2) + "\n" if fmt == "json" else _csv(flat_rows(results))
    if out is None:
        sys.stdout.write(text)
    else:
        out.write_text(text, encoding="utf-8")
        typer.echo(say.RESULTS_WRITTEN.format(fy=year.label, n=len(results), path=out), err=True)
