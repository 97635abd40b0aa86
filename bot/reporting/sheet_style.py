"""How the results workbook's sheets look and print: fonts, borders, row heights, A4 landscape.

Spreadsheets do not size rows to wrapped text when a file is opened (LibreOffice prints them one
line high), so each row's height is estimated from its text and the column widths.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Mapping, Sequence
from copy import copy
from datetime import date
from decimal import Decimal
from typing import Any

from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from bot.japanese.numbers import format_rate
from bot.texts import results as t

LINE_HEIGHT = 12.0  # points per line of 9-point text
DATE_FORMAT = "yyyy/mm/dd"
RATE_FORMAT = "0.00%"
HEADER_FILL = PatternFill("solid", fgColor="DDE4EE")
TOTAL_FILL = PatternFill("solid", fgColor="F2F2F2")
THIN = Side(style="thin", color="999999")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
FONT = Font(size=9)
BOLD = Font(size=9, bold=True)
TITLE_FONT = Font(size=12, bold=True)
NOTE_FONT = Font(size=8)


def put(sheet: Worksheet, r: int, c: int, value: Any) -> Cell:
    """Write a value; text is always text (never a formula), whatever it starts with."""
    cell = sheet.cell(row=r, column=c, value=None if value == "" else value)
    if isinstance(value, str) and value:
        cell.data_type = "s"
    return cell


def body(cell: Cell, horizontal: str | None = None, number_format: str | None = None, bold: bool = False) -> None:
    """A table cell: 9-point text, thin border, wrapped, at the top.

    Setting fonts and borders cell by cell is most of openpyxl's time (each is hashed into the
    book's style lists): the first cell of each look is styled, the others copy its style.
    """
    book = cell.parent.parent
    looks: dict[tuple[str | None, str | None, bool], StyleArray] = book.__dict__.setdefault("_kaikaku_looks", {})
    key = (horizontal, number_format, bold)
    if key in looks:
        cell._style = copy(looks[key])
        return
    cell.font = BOLD if bold else FONT
    cell.border = BORDER
    cell.alignment = Alignment(horizontal=horizontal, vertical="top", wrap_text=True)
    if number_format:
        cell.number_format = number_format
    looks[key] = copy(cell._style)


def header(sheet: Worksheet, r: int, titles: Sequence[str], first_column: int = 1) -> None:
    for c, title in enumerate(titles, start=first_column):
        cell = put(sheet, r, c, title)
        cell.font = BOLD
        cell.fill = HEADER_FILL
        cell.border = BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    sheet.row_dimensions[r].height = LINE_HEIGHT + 8


def widths(sheet: Worksheet, columns: Sequence[float]) -> None:
    for c, width in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(c)].width = width


def print_setup(sheet: Worksheet, fy_label: str, header_rows: str | None = "1:1") -> None:
    """A4 landscape, fitted to the page width, header rows repeated, page numbers in the footer."""
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    if header_rows:
        sheet.print_title_rows = header_rows
    sheet.page_margins.left = sheet.page_margins.right = 0.3
    sheet.page_margins.top = sheet.page_margins.bottom = 0.5
    sheet.page_margins.header = sheet.page_margins.footer = 0.2
    sheet.print_options.horizontalCentered = True
    sheet.oddFooter.center.text = t.HEADER_FOOTER.format(fy=fy_label)
    sheet.oddFooter.center.size = 8


def text_width(text: str) -> int:
    """Display width in half-width characters (a full-width character counts two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def shown(value: Any) -> str:
    """Roughly what a cell shows, for sizing its row."""
    if isinstance(value, Decimal):
        return format_rate(value)
    if isinstance(value, date):
        return "2027/02/03"
    return "" if value is None else str(value)


def lines(value: Any, width: float) -> int:
    """Lines a wrapped cell of `width` characters needs."""
    text = shown(value)
    if not text:
        return 1
    usable = max(width * 1.1 - 1, 1)  # 9-point text fits about 10% more than the width says
    return sum(max(1, math.ceil(text_width(line) / usable)) for line in text.split("\n"))


def fit_row(sheet: Worksheet, r: int, values: Sequence[Any], column_widths: Sequence[float]) -> None:
    """Set a row's height to its tallest wrapped cell."""
    sheet.row_dimensions[r].height = LINE_HEIGHT * max(
        lines(v, w) for v, w in zip(values, column_widths, strict=False)) + 3


def fit_named_row(sheet: Worksheet, r: int, values: Mapping[str, Any], column_widths: Mapping[str, float]) -> None:
    fit_row(sheet, r, [values[k] for k in column_widths], list(column_widths.values()))
