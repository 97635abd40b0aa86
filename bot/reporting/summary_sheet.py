"""The workbook's 「集計」 sheet: response and approval per department, and every numeric target's
achievement for the year (actuals of submitted or approved reports only)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from openpyxl.worksheet.worksheet import Worksheet

from bot.reporting import sheet_style as st
from bot.reporting.reports import SUBMITTED
from bot.reporting.results_table import ResultRow, actual_words, met_words, target_words
from bot.reporting.round_status import RESPONDED
from bot.storage.models import Actual
from bot.texts import labels
from bot.texts import results as t

# One grid for both tables: A No. | B 取組項目 | C 担当課 | D 指標 | E 目標 | F 実績 | G 達成率 | H 達成状況.
# The department table puts its name in B and its figures in C..J (no merged cells: openpyxl
# spends most of a workbook's time formatting merged ranges).
WIDTHS = (6, 26, 14, 18, 24, 16, 9, 20, 9, 9)
COUNTED = ("submitted", "approved", "returned", "draft", "missing")


def rate(done: int, total: int) -> Decimal | None:
    return (Decimal(done) / Decimal(total)).quantize(Decimal("0.0001")) if total else None


def department_counts(rows: Sequence[ResultRow]) -> list[tuple[str, dict[str, int]]]:
    """(department, status code → count) in the departments' name order, then the total."""
    by: dict[str, dict[str, int]] = {}
    for row in rows:
        if row.department is not None:
            counts = by.setdefault(row.department, dict.fromkeys(COUNTED, 0))
            counts[row.status] = counts.get(row.status, 0) + 1
    total = dict.fromkeys(COUNTED, 0)
    for counts in by.values():
        for code, n in counts.items():
            total[code] = total.get(code, 0) + n
    return [*sorted(by.items()), (t.SUMMARY_TOTAL, total)]


def count_line(counts: dict[str, int]) -> list[Any]:
    """取組数, the count of each status, 回答率 (submitted at least once: submitted, approved or
    returned, as bot.reporting.round_status counts it) and 承認率."""
    n = sum(counts.values())
    answered = sum(counts.get(code, 0) for code in RESPONDED)  # as the round counts it
    return [n, *(counts.get(code, 0) for code in COUNTED), rate(answered, n), rate(counts.get("approved", 0), n)]


def target_lines(rows: Sequence[ResultRow]) -> list[list[Any]]:
    """One line per numeric target of the year and department, with the actual reported."""
    out: list[list[Any]] = []
    for row in rows:
        if not row.numeric_goal:
            continue
        actuals = {a.metric: a for a in row.actuals} if row.status in SUBMITTED else {}
        where = row.department or t.NO_DEPARTMENT
        if not row.targets:
            out.append([row.no, row.title, where, "", t.PLAN_TARGET_MISSING, "", "", ""])
        for target in row.targets:
            actual: Actual | None = actuals.get(target.metric)
            achieved: Any = Decimal(actual.achievement_rate) if actual and actual.achievement_rate is not None else ""
            out.append([row.no, row.title, where, target.metric, target_words(target),
                        actual_words(actual) if actual else "", achieved, met_words(actual) if actual else ""])
    return out


def summary_sheet(sheet: Worksheet, rows: Sequence[ResultRow], fy_label: str) -> None:
    st.widths(sheet, WIDTHS)
    st.put(sheet, 1, 1, t.TITLE.format(fy=fy_label)).font = st.TITLE_FONT
    st.put(sheet, 2, 1, t.SUMMARY_BY_DEPARTMENT).font = st.BOLD
    r = _department_table(sheet, 3, rows)
    st.put(sheet, r + 1, 1, t.SUMMARY_NOTE).font = st.NOTE_FONT
    r += 3
    st.put(sheet, r, 1, t.SUMMARY_TARGETS).font = st.BOLD
    _target_table(sheet, r + 1, rows)
    st.print_setup(sheet, fy_label, header_rows=None)


def _department_table(sheet: Worksheet, r: int, rows: Sequence[ResultRow]) -> int:
    """The table from row r; returns the row after it."""
    name, count, response, approval = t.SUMMARY_COLUMNS
    st.header(sheet, r, [name, count, *(labels.STATUS[code] for code in COUNTED), response, approval],
              first_column=2)
    for department, counts in department_counts(rows):
        r += 1
        total = department == t.SUMMARY_TOTAL
        st.body(st.put(sheet, r, 2, department), bold=total)
        for c, value in enumerate(count_line(counts), start=3):
            fmt = st.RATE_FORMAT if isinstance(value, Decimal) else None
            st.body(st.put(sheet, r, c, value), horizontal="right", number_format=fmt, bold=total)
        if total:
            for c in range(2, 11):
                sheet.cell(row=r, column=c).fill = st.TOTAL_FILL
    return r + 1


def _target_table(sheet: Worksheet, r: int, rows: Sequence[ResultRow]) -> None:
    st.header(sheet, r, t.SUMMARY_TARGET_COLUMNS)
    for line in target_lines(rows):
        r += 1
        st.fit_row(sheet, r, line, WIDTHS)
        for c, value in enumerate(line, start=1):
            fmt = st.RATE_FORMAT if isinstance(value, Decimal) else None
            st.body(st.put(sheet, r, c, value), horizontal="center" if c in (1, 7) else None, number_format=fmt)
