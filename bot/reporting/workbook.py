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
import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime, tzinfo
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy.orm import Session

from bot.catalog.store import json_number, key_of_fy
from bot.japanese.fiscal_year import DEFAULT_TZ, FiscalYear
from bot.japanese.numbers import format_rate
from bot.reporting import sheet_style as st
from bot.reporting.reports import result_row
from bot.reporting.results_table import ResultRow, TrendPoint, measure_trend, results_rows
from bot.reporting.summary_sheet import summary_sheet
from bot.texts import labels
from bot.texts import results as t

__all__ = [
    "ResultRow", "TrendPoint", "build_csv", "build_workbook", "measure_trend", "neutral", "results_json",
    "results_rows",
]

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
WIDTHS: dict[str, float] = {  # characters; the sheet fits A4 landscape by width
    "no": 5, "title": 20, "department": 11, "plan": 24, "target": 17, "actual": 14, "rate": 8,
    "met": 9, "progress": 7, "result_text": 32, "rating": 6, "status": 7, "reporter": 10,
    "reported_on": 10, "approver": 10, "approved_on": 10, "return_comment": 14,
}
CENTERED = {"no", "met", "progress", "rating", "status", "reported_on", "approved_on"}
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


def _results_sheet(sheet: Worksheet, rows: Iterable[ResultRow], fy_label: str) -> None:
    keys = [key for key, _ in t.COLUMNS]
    st.header(sheet, 1, [title for _, title in t.COLUMNS])
    r = 1
    for r, row in enumerate(rows, start=2):
        values = cell_values(row)
        st.fit_named_row(sheet, r, values, WIDTHS)
        for c, key in enumerate(keys, start=1):
            value = values[key]
            fmt = (st.RATE_FORMAT if isinstance(value, Decimal)
                   else st.DATE_FORMAT if isinstance(value, date) else None)
            horizontal = "center" if key in CENTERED else ("right" if key == "rate" else None)
            st.body(st.put(sheet, r, c, value), horizontal=horizontal, number_format=fmt)
    st.widths(sheet, list(WIDTHS.values()))
    sheet.freeze_panes = "D2"  # No., 取組項目 and 担当課 stay in view
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(keys))}{r}"
    st.print_setup(sheet, fy_label)


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
    summary_sheet(book.create_sheet(t.SHEET_SUMMARY), rows, label)
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
