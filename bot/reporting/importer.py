"""Earlier years' results from a file: `kaikaku results import FILE --fy FY [--dry-run]`.

The file is what a coordinator already keeps in Excel, in the export's columns (CSV in UTF-8 with
or without a BOM, or Shift_JIS as Excel saves it; or xlsx). Only No., 担当課 and what was reported
are read (取組状況, 実施結果, 自己評価, 実績); the plan's own columns and computed ones are ignored.
A row with nothing reported (the export lists unreported measures too) is skipped.

Every row is checked before anything is written: one wrong row and nothing changes. Each report
read is submitted as a revision with `reported_by` "import:<file name>" and recorded in the audit
trail; a report already made in chat for that year is never overwritten.
"""

from __future__ import annotations

import csv
import getpass
import io
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from bot.catalog.store import find_department, measure_by_no
from bot.japanese.fiscal_year import FiscalYear
from bot.japanese.numbers import NumberParseError, parse_for_target
from bot.reporting import reports
from bot.reporting.results_table import IMPORTED_PREFIX
from bot.storage import audit
from bot.storage.models import Department, Measure, Target
from bot.texts import labels
from bot.texts import results as t

COLUMN = dict(t.COLUMNS)  # key → the export's header
NO, DEPARTMENT = COLUMN["no"], COLUMN["department"]
REQUIRED = (NO, DEPARTMENT)
READ = {key: COLUMN[key] for key in ("progress", "result_text", "rating", "actual")}
RATINGS = ("A", "B", "C", "D")


class ImportRefused(ValueError):
    """The file as a whole cannot be read (not CSV/xlsx, unreadable, columns missing, empty)."""


@dataclass(frozen=True)
class Table:
    """A file's rows by header, each with its row number as a spreadsheet shows it (header = 1)."""

    rows: list[tuple[int, dict[str, str]]]


@dataclass
class Outcome:
    rows: int = 0  # rows that carry a report
    changed: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)


# --- reading the file -------------------------------------------------------------------------------


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _csv_rows(path: Path) -> list[list[str]]:
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "cp932"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ImportRefused(t.IMPORT_NOT_READABLE.format(path=path.name, reason=t.IMPORT_ENCODING_UNKNOWN))
    return [list(r) for r in csv.reader(io.StringIO(text, newline=""))]


def _xlsx_rows(path: Path) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several kinds for a file that is not a workbook
        raise ImportRefused(t.IMPORT_NOT_READABLE.format(path=path.name, reason=type(exc).__name__)) from None
    sheet = book[t.SHEET_RESULTS] if t.SHEET_RESULTS in book.sheetnames else book.worksheets[0]
    rows = [[_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    book.close()
    return rows


def read_table(path: Path) -> Table:
    """The file's rows; ImportRefused (a one-paragraph message) when it cannot be used at all."""
    if not path.is_file():
        raise ImportRefused(t.IMPORT_NOT_READABLE.format(path=path, reason=t.IMPORT_NO_FILE))
    suffix = path.suffix.lower()
    if suffix == ".csv":
        grid = _csv_rows(path)
    elif suffix in (".xlsx", ".xlsm"):
        grid = _xlsx_rows(path)
    else:
        raise ImportRefused(t.IMPORT_UNKNOWN_TYPE.format(path=path.name))
    if not grid:
        raise ImportRefused(t.IMPORT_EMPTY.format(path=path.name))
    headers = [h.strip() for h in grid[0]]
    missing = [c for c in REQUIRED if c not in headers]
    if missing:
        raise ImportRefused(t.IMPORT_MISSING_COLUMNS.format(columns="、".join(missing)))
    rows = []
    for number, cells in enumerate(grid[1:], start=2):
        row = {h: (cells[i].strip() if i < len(cells) else "") for i, h in enumerate(headers) if h}
        if any(row.values()):
            rows.append((number, row))
    if not rows:
        raise ImportRefused(t.IMPORT_EMPTY.format(path=path.name))
    return Table(rows)


# --- checking a row -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Checked:
    measure: Measure
    department: Department
    data: reports.ReportInput
    approved: bool = False  # the file's 状況 says 承認済: kept approved (by the import)


class _RowError(Exception):
    def __init__(self, column: str, reason: str) -> None:
        super().__init__(reason)
        self.column = column
        self.reason = reason


def _measure(session: Session, value: str) -> Measure:
    no = unicodedata.normalize("NFKC", value).strip().removeprefix("No.").removeprefix("No").strip()
    if not no.isdigit():
        raise _RowError(NO, t.ERR_NO.format(value=value))
    measure = measure_by_no(session, int(no))
    if measure is None:
        raise _RowError(NO, t.ERR_NO_MEASURE.format(value=int(no)))
    return measure


def _department(session: Session, measure: Measure, value: str) -> Department:
    responsible = list(measure.departments)
    if not responsible:
        raise _RowError(DEPARTMENT, t.ERR_UNASSIGNED.format(no=measure.no))
    expected = "、".join(d.name for d in responsible)
    if not value:
        if len(responsible) == 1:
            return responsible[0]
        raise _RowError(DEPARTMENT, t.ERR_DEPARTMENT_EMPTY.format(no=measure.no, expected=expected))
    dept = find_department(session, value)
    if dept is None or all(d.id != dept.id for d in responsible):
        raise _RowError(DEPARTMENT, t.ERR_DEPARTMENT.format(value=value, no=measure.no, expected=expected))
    return dept


def _progress(value: str) -> str | None:
    if not value:
        return None
    by_label = {label: code for code, label in labels.PROGRESS.items()}
    code = by_label.get(value, value if value in labels.PROGRESS else None)
    if code is None:
        raise _RowError(READ["progress"], t.ERR_PROGRESS.format(allowed="・".join(labels.PROGRESS.values()), value=value))
    return code


def _rating(value: str) -> str | None:
    if not value:
        return None
    letter = unicodedata.normalize("NFKC", value).split()[0].upper()
    if letter not in RATINGS:
        raise _RowError(READ["rating"], t.ERR_RATING.format(allowed="・".join(RATINGS), value=value))
    return letter


def _actual_line(line: str, targets: Sequence[Target], index: int) -> tuple[Target, str]:
    """The target a line reports on (named by its metric, else by position) and the figure's text."""
    for target in sorted(targets, key=lambda x: -len(x.metric)):
        if line.startswith(target.metric):
            return target, line[len(target.metric):].strip()
    return targets[min(index, len(targets) - 1)], line


def _actuals(value: str, measure: Measure, fy: int) -> list[reports.ActualInput]:
    lines = [line.strip() for line in value.splitlines() if line.strip()]
    if not lines:
        return []
    column = READ["actual"]
    label = FiscalYear(fy).label
    targets = [x for x in measure.targets if x.fy == fy]
    if not targets:
        raise _RowError(column, t.ERR_ACTUAL_NO_TARGET.format(no=measure.no, fy=label, value=value))
    if len(lines) > len(targets):
        raise _RowError(column, t.ERR_ACTUAL_LINES.format(given=len(lines), fy=label, expected=len(targets)))
    out = []
    for i, line in enumerate(lines):
        target, figure = _actual_line(line, targets, i)
        try:
            quantity = parse_for_target(figure, target.unit)
        except NumberParseError as exc:
            raise _RowError(column, t.ERR_ACTUAL.format(value=line, reason=exc)) from None
        out.append(reports.ActualInput(target.metric, Decimal(quantity.value), quantity.unit, figure, "final"))
    return out


def _check(session: Session, row: dict[str, str], fy: int) -> tuple[_Checked | None, list[_RowError]]:
    """The report a row carries (None for a row with nothing reported), and every problem in it."""
    if not any(row.get(column, "") for column in READ.values()):
        return None, []  # nothing reported (the export lists every measure)
    problems: list[_RowError] = []

    def read(column: Callable[[], Any]) -> Any:
        try:
            return column()
        except _RowError as exc:
            problems.append(exc)
            return None

    measure = read(lambda: _measure(session, row[NO]))
    department = read(lambda: _department(session, measure, row[DEPARTMENT])) if measure is not None else None
    progress = read(lambda: _progress(row.get(READ["progress"], "")))
    rating = read(lambda: _rating(row.get(READ["rating"], "")))
    actuals = read(lambda: _actuals(row.get(READ["actual"], ""), measure, fy)) if measure is not None else None
    if problems:
        return None, problems
    assert isinstance(measure, Measure) and isinstance(department, Department)
    data = reports.ReportInput(progress=progress, result_text=row.get(READ["result_text"], "") or None,
                               rating=rating, actuals=actuals or [])
    approved = row.get(COLUMN["status"], "") in {labels.STATUS["approved"], *t.IMPORT_APPROVED_WORDS}
    return (None if data.is_empty else _Checked(measure, department, data, approved)), []


def _reported_in_chat(session: Session, checked: _Checked, fy: int) -> bool:
    current = reports.last_submitted(session, checked.measure.id, checked.department.id, fy)
    return current is not None and not (current.reported_by or "").startswith(IMPORTED_PREFIX) \
        and not reports.same_content(current, checked.data)


def check_rows(session: Session, table: Table, fy: int) -> tuple[list[_Checked], list[str]]:
    """Every row checked: the reports to import, and the errors (row, column, reason)."""
    checked: list[_Checked] = []
    errors: list[str] = []
    seen: dict[tuple[int, int], int] = {}
    for number, row in table.rows:
        item, problems = _check(session, row, fy)
        errors += [t.IMPORT_ROW_ERROR.format(row=number, column=p.column, reason=p.reason) for p in problems]
        if item is None:
            continue
        key = (item.measure.id, item.department.id)
        if key in seen:
            reason = t.ERR_DUPLICATE.format(no=item.measure.no, department=item.department.name, first=seen[key])
            errors.append(t.IMPORT_ROW_ERROR.format(row=number, column=NO, reason=reason))
            continue
        seen[key] = number
        if _reported_in_chat(session, item, fy):
            reason = t.ERR_REPORTED_IN_CHAT.format(no=item.measure.no, department=item.department.name)
            errors.append(t.IMPORT_ROW_ERROR.format(row=number, column=NO, reason=reason))
            continue
        checked.append(item)
    return checked, errors


# --- importing ------------------------------------------------------------------------------------------


def import_results(session: Session, table: Table, fy: int, *, source: str, now: datetime,
                   dry_run: bool = False) -> Outcome:
    """Check every row, then (unless dry_run or any row is wrong) submit each report read."""
    checked, errors = check_rows(session, table, fy)
    outcome = Outcome(rows=len(checked), errors=errors)
    if errors or dry_run:
        return outcome
    who = f"{IMPORTED_PREFIX}{source}"
    actor = audit.Actor(f"cli:{getpass.getuser()}")
    for item in checked:
        before = reports.last_submitted(session, item.measure.id, item.department.id, fy)
        before_state = _state(before) if before is not None else None
        report, changed = reports.submit(session, item.measure, item.department, fy, item.data, who, now)
        if not changed:
            outcome.unchanged += 1
            continue
        outcome.changed += 1
        if item.approved:
            report.status, report.reviewed_by, report.reviewed_at = "approved", who, now
        audit.record(session, actor, "import", "report", measure_no=item.measure.no,
                     department_id=item.department.id, fy=fy, before=before_state,
                     after={**_state(report), "source": source}, at=now)
    return outcome


def _state(report: Any) -> dict[str, Any]:
    return {
        "revision": report.revision, "status": report.status, "progress": report.progress,
        "result_text": report.result_text, "rating": report.rating,
        "actuals": [{"metric": a.metric, "value": None if a.value is None else str(a.value), "unit": a.unit,
                     "skip_reason": a.skip_reason} for a in report.actuals],
    }
