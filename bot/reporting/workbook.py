"""The results workbook a coordinator hands on as is (openpyxl), its CSV and the results JSON.

「実施結果」 is the plan's layout: every measure × responsible department of the year, reported or
not, with that year's 実施計画, the target in words, actuals, achievement, the report and its
approval. 「集計」 gives the response and approval rate per department and every numeric target's
achievement. With `by_department`, each department also gets a sheet of its own rows.

Text a person typed (results, ratings, display names, comments) is never read as a formula: in
the workbook such a cell is stored as a string, in the CSV a leading = + - @ is quoted with '.
"""

from __future__ import annotations

import csv
import io
import math
import re
import unicodedata
from collections.abc import Iterable, Sequence
from datetime import date, datetime, tzinfo
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy.orm import Session

from bot.catalog.store import json_number, key_of_fy
from bot.japanese.fiscal_year import DEFAULT_TZ, FiscalYear
from bot.japanese.numbers import format_rate
from bot.reporting.reports import result_row
from bot.reporting.results_table import (
    ResultRow,
    TrendPoint,
    actual_words,
    measure_trend,
    met_words,
    results_rows,
    target_words,
)
from bot.storage.models import Actual
from bot.texts import labels
from bot.texts import results as t

__all__ = [
    "ResultRow", "TrendPoint", "build_csv", "build_workbook", "measure_trend", "neutral", "results_json",
    "results_rows",
]

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
LINE_HEIGHT = 12.0  # points per line of 9-point text
WIDTHS: dict[str, float] = {  # characters; the sheet fits A4 landscape by width
    "no": 5, "title": 20, "department": 11, "plan": 24, "target": 17, "actual": 14, "rate": 8,
    "met": 9, "progress": 7, "result_text": 32, "rating": 6, "status": 7, "reporter": 10,
    "reported_on": 10, "approver": 10, "approved_on": 10, "return_comment": 14,
}
CENTERED = {"no", "rate", "met", "progress", "rating", "status", "reported_on", "approved_on"}
DATE_FORMAT = "yyyy/mm/dd"
RATE_FORMAT = "0.00%"
HEADER_FILL = PatternFill("solid", fgColor="DDE4EE")
THIN = Side(style="thin", color="999999")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
FONT = Font(size=9)
BOLD = Font(size=9, bold=True)
_SHEET_NAME_BAD = re.compile(r"[\[\]:*?/\\]")


def neutral(text: str) -> str:
    """A person's text for a CSV cell: one that a spreadsheet would run as a formula gets a leading '."""
    return "'" + text if text.startswith(FORMULA_START) else text


def _tz(tz: tzinfo | None) -> tzinfo:
    return tz or ZoneInfo(DEFAULT_TZ)


# --- values of the 実施結果 columns ------------------------------------------------------------------


def _day(moment: datetime | None) -> date | None:
    return moment.date() if moment is not None else None


def cell_values(row: ResultRow) -> dict[str, Any]:
    """The 実施結果 row as cell values: numbers, dates and text (labels, display names)."""
    report = row.report
    single_rate = row.rate
    return {
        "no": row.no,
        "title": row.title,
        "department": row.department or t.NO_DEPARTMENT,
        "plan": row.plan or t.NO_PLAN,
        "target": row.target_text() if row.numeric_goal else "",
        "actual": row.actual_text(),
        "rate": single_rate if single_rate is not None else row.rate_text(),
        "met": row.met_text(),
        "progress": labels.PROGRESS.get(report.progress, report.progress) if report and report.progress else "",
        "result_text": (report.result_text or "") if report else "",
        "rating": (report.rating or "") if report else "",
        "status": labels.STATUS.get(row.status, row.status),
        "reporter": row.reporter_name or "",
        "reported_on": _day(row.reported_at),
        "approver": row.approver_name or "",
        "approved_on": _day(row.approved_at),
        "return_comment": row.return_comment or "",
    }


def _csv_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format_rate(value)
    if isinstance(value, date):
        return value.strftime("%Y/%m/%d")
    if isinstance(value, str):
        return neutral(value)
    return str(value)


def build_csv(session: Session, fy: int, *, tz: tzinfo | None = None) -> bytes:
    """The 実施結果 sheet as CSV, UTF-8 with a BOM (Excel on Japanese Windows reads it right)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([header for _, header in t.COLUMNS])
    for row in results_rows(session, fy, _tz(tz)):
        values = cell_values(row)
        writer.writerow([_csv_text(values[key]) for key, _ in t.COLUMNS])
    return buffer.getvalue().encode("utf-8-sig")


# --- the workbook ------------------------------------------------------------------------------------


def _put(sheet: Worksheet, r: int, c: int, value: Any) -> Any:
    """Write a value; text is always text (never a formula), whatever it starts with."""
    cell = sheet.cell(row=r, column=c, value=value)
    if isinstance(value, str) and value:
        cell.data_type = "s"
    return cell


def _print_setup(sheet: Worksheet, fy_label: str, header_rows: str = "1:1") -> None:
    """A4 landscape, fitted to the page width, header rows repeated, page numbers in the footer."""
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = header_rows
    sheet.page_margins.left = sheet.page_margins.right = 0.3
    sheet.page_margins.top = sheet.page_margins.bottom = 0.5
    sheet.page_margins.header = sheet.page_margins.footer = 0.2
    sheet.print_options.horizontalCentered = True
    sheet.oddFooter.center.text = t.HEADER_FOOTER.format(fy=fy_label)
    sheet.oddFooter.center.size = 8


def _header(sheet: Worksheet, r: int, titles: Sequence[str]) -> None:
    for c, title in enumerate(titles, start=1):
        cell = _put(sheet, r, c, title)
        cell.font = BOLD
        cell.fill = HEADER_FILL
        cell.border = BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)


def _text_width(text: str) -> int:
    """Display width in half-width characters (a full-width character counts two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _lines(value: Any, width: float) -> int:
    """Lines a wrapped cell of `width` characters needs (spreadsheets do not size rows on opening)."""
    if value is None or value == "":
        return 1
    usable = max(width * 1.1 - 1, 1)  # 9-point text fits about 10% more than the width says
    return sum(max(1, math.ceil(_text_width(line) / usable)) for line in str(value).split("\n"))


def _row_height(values: dict[str, Any], widths: dict[str, float]) -> float:
    return LINE_HEIGHT * max(_lines(values[k], widths[k]) for k in widths) + 3


def _results_sheet(sheet: Worksheet, rows: Iterable[ResultRow], fy_label: str) -> None:
    keys = [key for key, _ in t.COLUMNS]
    _header(sheet, 1, [header for _, header in t.COLUMNS])
    sheet.row_dimensions[1].height = LINE_HEIGHT + 8
    r = 1
    for r, row in enumerate(rows, start=2):
        values = cell_values(row)
        sheet.row_dimensions[r].height = _row_height({k: _shown(values[k]) for k in keys}, WIDTHS)
        for c, key in enumerate(keys, start=1):
            cell = _put(sheet, r, c, values[key] if values[key] != "" else None)
            cell.font = FONT
            cell.border = BORDER
            horizontal = "center" if key in CENTERED else ("right" if key == "rate" else "left")
            cell.alignment = Alignment(horizontal=horizontal, vertical="top", wrap_text=True)
            if key == "rate" and isinstance(values[key], Decimal):
                cell.number_format = RATE_FORMAT
            elif key in ("reported_on", "approved_on") and values[key] is not None:
                cell.number_format = DATE_FORMAT
    for c, key in enumerate(keys, start=1):
        sheet.column_dimensions[get_column_letter(c)].width = WIDTHS[key]
    sheet.freeze_panes = "D2"  # No., 取組項目 and 担当課 stay in view
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(keys))}{max(r, 1)}"
    _print_setup(sheet, fy_label)


def _shown(value: Any) -> str:
    """Roughly what a cell shows, for sizing its row."""
    if isinstance(value, Decimal):
        return format_rate(value)
    if isinstance(value, date):
        return "2027/02/03"
    return "" if value is None else str(value)


def _rate(done: int, total: int) -> Decimal | None:
    return (Decimal(done) / Decimal(total)).quantize(Decimal("0.0001")) if total else None


def _summary_sheet(sheet: Worksheet, rows: Sequence[ResultRow], fy_label: str) -> None:
    """Response and approval rate per department, then every numeric target's achievement."""
    sheet.cell(row=1, column=1, value=t.TITLE.format(fy=fy_label)).font = Font(size=12, bold=True)
    sheet.cell(row=2, column=1, value=t.SUMMARY_BY_DEPARTMENT).font = BOLD
    _header(sheet, 3, t.SUMMARY_COLUMNS)
    r = 3
    for r, counts in enumerate(_department_counts(rows), start=4):
        _summary_line(sheet, r, counts)
    r += 2
    sheet.cell(row=r, column=1, value=t.SUMMARY_NOTE).font = Font(size=8)
    r += 2
    sheet.cell(row=r, column=1, value=t.SUMMARY_TARGETS).font = BOLD
    r += 1
    _header(sheet, r, t.SUMMARY_TARGET_COLUMNS)
    for line in _target_lines(rows):
        r += 1
        for c, value in enumerate(line, start=1):
            cell = _put(sheet, r, c, value if value != "" else None)
            cell.font, cell.border = FONT, BORDER
            cell.alignment = Alignment(vertical="top", wrap_text=True,
                                       horizontal="center" if c in (1, 7, 8) else None)
            if c == 7 and isinstance(value, Decimal):
                cell.number_format = RATE_FORMAT
    for c, width in enumerate((16, 26, 14, 22, 20, 14, 9, 12, 9), start=1):
        sheet.column_dimensions[get_column_letter(c)].width = width
    _print_setup(sheet, fy_label, header_rows="3:3")


def _department_counts(rows: Sequence[ResultRow]) -> list[list[Any]]:
    by: dict[str, dict[str, int]] = {}
    for row in rows:
        if row.department is None:
            continue
        counts = by.setdefault(row.department, dict.fromkeys(labels.STATUS, 0))
        counts[row.status] = counts.get(row.status, 0) + 1
    total = dict.fromkeys(labels.STATUS, 0)
    lines = []
    for name, counts in sorted(by.items(), key=lambda kv: kv[0]):
        lines.append(_counts_line(name, counts))
        for code, n in counts.items():
            total[code] = total.get(code, 0) + n
    return [*lines, _counts_line(t.SUMMARY_TOTAL, total)]


def _counts_line(name: str, counts: dict[str, int]) -> list[Any]:
    n = sum(counts.values())
    answered = counts.get("submitted", 0) + counts.get("approved", 0)
    return [name, n, answered, counts.get("approved", 0), counts.get("returned", 0), counts.get("draft", 0),
            counts.get("missing", 0), _rate(answered, n), _rate(counts.get("approved", 0), n)]


def _summary_line(sheet: Worksheet, r: int, values: list[Any]) -> None:
    for c, value in enumerate(values, start=1):
        cell = _put(sheet, r, c, value)
        cell.font = BOLD if values[0] == t.SUMMARY_TOTAL else FONT
        cell.border = BORDER
        if c >= 8:
            cell.number_format = RATE_FORMAT
        cell.alignment = Alignment(horizontal="left" if c == 1 else "right")


def _target_lines(rows: Sequence[ResultRow]) -> list[list[Any]]:
    """One line per numeric target of the year (and department), with the actual reported."""
    lines = []
    for row in rows:
        if not row.numeric_goal:
            continue
        actuals = {a.metric: a for a in row.actuals if row.status in ("submitted", "approved")}
        for target in row.targets or ():
            actual = actuals.get(target.metric)
            rate: Any = ""
            if actual is not None and actual.achievement_rate is not None:
                rate = Decimal(actual.achievement_rate)
            lines.append([
                row.no, row.title, row.department or t.NO_DEPARTMENT, target.metric, target_words(target),
                _actual_or_blank(actual), rate, _met_or_blank(actual),
            ])
        if not row.targets:
            lines.append([row.no, row.title, row.department or t.NO_DEPARTMENT, "", t.PLAN_TARGET_MISSING,
                          "", "", ""])
    return lines


def _actual_or_blank(actual: Actual | None) -> str:
    return actual_words(actual) if actual is not None else ""


def _met_or_blank(actual: Actual | None) -> str:
    return met_words(actual) if actual is not None else ""


def _sheet_name(name: str, taken: set[str]) -> str:
    base = _SHEET_NAME_BAD.sub("・", name)[:31] or "-"
    candidate, n = base, 2
    while candidate in taken:
        suffix = f"({n})"
        candidate, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(candidate)
    return candidate


def build_workbook(session: Session, fy: int, *, by_department: bool = False, tz: tzinfo | None = None) -> bytes:
    """The year's workbook (xlsx bytes): 実施結果, 集計, and one sheet per department if asked."""
    rows = results_rows(session, fy, _tz(tz))
    label = FiscalYear(fy).label
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = t.SHEET_RESULTS
    _results_sheet(sheet, rows, label)
    _summary_sheet(book.create_sheet(t.SHEET_SUMMARY), rows, label)
    if by_department:
        taken = {t.SHEET_RESULTS, t.SHEET_SUMMARY}
        for name in dict.fromkeys(r.department for r in rows if r.department is not None):
            own = [r for r in rows if r.department == name]
            _results_sheet(book.create_sheet(_sheet_name(name, taken)), own, label)
    book.properties.title = t.TITLE.format(fy=label)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- the JSON export -----------------------------------------------------------------------------------


def results_json(session: Session, fy: int, *, tz: tzinfo | None = None) -> list[dict[str, Any]]:
    """INTERFACE.md's Results JSON: one object per measure and department that has a report, plus
    `reporter_name`, `approved_by` / `approved_at` / `approver_name` and `return_comment`."""
    zone = _tz(tz)
    out = []
    for row in results_rows(session, fy, zone):
        report = row.report
        if report is None:
            continue
        item = result_row(report, zone)
        approved = report.status == "approved"
        item.update({
            "reporter_name": row.reporter_name,
            "approved_by": report.reviewed_by if approved else None,
            "approver_name": row.approver_name,
            "approved_at": _iso(row.approved_at),
            "return_comment": row.return_comment,
            "imported": row.imported,
        })
        out.append(item)
    return out


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat(timespec="seconds") if moment is not None else None


def _number(value: Decimal | None) -> int | float | None:
    return json_number(Decimal(value)) if value is not None else None


def trend_json(points: Sequence[TrendPoint]) -> list[dict[str, Any]]:
    """A measure's trend as JSON (the dashboard's chart reads it)."""
    return [
        {
            "fy": key_of_fy(p.fy), "metric": p.metric, "unit": p.unit,
            "target": _number(p.target.value if p.target is not None else None),
            "actual": _number(p.actual.value if p.actual is not None else None),
            "met": p.actual.met if p.actual is not None else None, "imported": p.imported,
        }
        for p in points
    ]
