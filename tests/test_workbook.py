"""The results workbook, its CSV and JSON, as a coordinator opens them (openpyxl) and prints them
(LibreOffice to PDF)."""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy import Engine
from typer.testing import CliRunner

from bot.catalog.store import find_department, measure_by_no, read_catalog
from bot.cli import app
from bot.people.members import add_member
from bot.reporting import reports
from bot.reporting.workbook import build_csv, build_workbook, neutral, results_json
from bot.storage.db import session_scope
from bot.texts import labels
from bot.texts import results as t

JST = ZoneInfo("Asia/Tokyo")
R8 = 2026
HEADERS = [title for _, title in t.COLUMNS]
COL = {title: i for i, title in enumerate(HEADERS)}
ROWS = sum(max(1, len(e.departments)) for e in read_catalog())  # every measure × department
FORMULA = '=HYPERLINK("http://example.com/x","開く")'


def at(month: int, day: int, hour: int = 10) -> datetime:
    return datetime(2027 if month < 4 else 2026, month, day, hour, 15, tzinfo=JST)


def submit(s, no: int, department: str, data: reports.ReportInput, who: str, when: datetime) -> reports.Report:  # type: ignore[no-untyped-def]
    measure, dept = measure_by_no(s, no), find_department(s, department)
    assert measure is not None and dept is not None
    report, _ = reports.submit(s, measure, dept, R8, data, who, when)
    return report


def a_year_of_reports(engine: Engine) -> None:
    """Some departments reported: approved, returned, submitted, a draft; a display name that is a
    formula and a result that starts like one."""
    with session_scope(engine) as s:
        crisis = find_department(s, "危機管理課")
        hr = find_department(s, "人事課")
        assert crisis is not None and hr is not None
        add_member(s, "console", "tanaka", crisis, name="田中 一郎")
        add_member(s, "slack", "U0SATO", crisis, role="manager", name="佐藤 課長")
        add_member(s, "line", "U4af4980629", hr, name=FORMULA)
        r34 = submit(s, 34, "危機管理課", reports.ReportInput(
            "in_progress", "防災訓練に合わせて育成講座を3回開催しました。\n町会への周知も行いました。", "B",
            [reports.ActualInput("コミュニティ防災士数", Decimal(1650), "名", "1,650名", "estimate")]),
            "console:tanaka", at(2, 3))
        r34.status, r34.reviewed_by, r34.reviewed_at = "approved", "slack:U0SATO", at(2, 5, 9)
        r35 = submit(s, 35, "危機管理課", reports.ReportInput(
            "done", "=1+1 で計算した人数を報告します", "A",
            [reports.ActualInput("女性防災士の新規資格取得者", Decimal(48), "名", "48名", "final")]),
            "console:tanaka", at(2, 4))
        r35.status, r35.reviewed_by, r35.reviewed_at = "returned", "slack:U0SATO", at(2, 6, 9)
        r35.review_comment = "確定値で報告してください。"
        submit(s, 7, "人事課", reports.ReportInput("in_progress", "職員証として運用を続けています。", "B"),
               "line:U4af4980629", at(2, 4))
        submit(s, 83, "介護保険課", reports.ReportInput(
            "done", "口座振替の勧奨を強化しました。", "A",
            [reports.ActualInput("収納率", Decimal("98.2"), "%", "98.2%")]), "console:gone", at(2, 9))
        measure, dept = measure_by_no(s, 44), find_department(s, "危機管理課")
        assert measure is not None and dept is not None
        reports.save_draft(s, measure, dept, R8, reports.ReportInput("in_progress"), "console:tanaka", at(2, 10))


def sheet_rows(sheet: Worksheet) -> list[list[object]]:
    return [list(r) for r in sheet.iter_rows(min_row=2, values_only=True)]


def by_no(rows: list[list[object]], no: int, department: str | None = None) -> list[object]:
    return next(r for r in rows if r[COL["No."]] == no and department in (None, r[COL["担当課"]]))


@pytest.fixture
def workbook_bytes(catalog_engine: Engine) -> bytes:
    a_year_of_reports(catalog_engine)
    with session_scope(catalog_engine) as s:
        return build_workbook(s, R8, tz=JST)


def test_every_measure_and_department_is_a_row_reported_or_not(workbook_bytes: bytes) -> None:
    book = load_workbook(io.BytesIO(workbook_bytes))
    assert book.sheetnames == [t.SHEET_RESULTS, t.SHEET_SUMMARY]
    sheet = book[t.SHEET_RESULTS]
    assert [c.value for c in sheet[1]] == HEADERS
    rows = sheet_rows(sheet)
    assert len(rows) == ROWS == 100  # 90 measures; joint ones once per department; unassigned once
    assert sorted({r[0] for r in rows}) == list(range(1, 91))  # type: ignore[type-var]
    assert [r[COL["担当課"]] for r in rows if r[0] == 7] == ["人事課", "デジタル行政戦略課"]
    assert by_no(rows, 2)[COL["担当課"]] == t.NO_DEPARTMENT
    # The year's plan and the target in words, for every row
    r34 = by_no(rows, 34)
    assert r34[COL["実施計画"]] == "コミュニティ防災士数 1,700名"
    assert r34[COL["目標"]] == "コミュニティ防災士数 1,700名以上(累計)"
    assert by_no(rows, 86)[COL["目標"]].startswith("実質公債費比率 10%未満\n")  # type: ignore[union-attr]
    assert by_no(rows, 74)[COL["実施計画"]] == "次期計画に基づく取組の推進"
    assert by_no(rows, 5)[COL["目標"]] is None  # no numeric goal


def test_statuses_people_and_dates_read_as_people_read_them(workbook_bytes: bytes) -> None:
    sheet = load_workbook(io.BytesIO(workbook_bytes))[t.SHEET_RESULTS]
    rows = sheet_rows(sheet)
    r34 = by_no(rows, 34)
    assert r34[COL["状況"]] == labels.STATUS["approved"]
    assert (r34[COL["報告者"]], r34[COL["承認者"]]) == ("田中 一郎", "佐藤 課長")
    assert r34[COL["報告日"]] == datetime(2027, 2, 3) and r34[COL["承認日"]] == datetime(2027, 2, 5)
    assert (r34[COL["取組状況"]], r34[COL["自己評価"]]) == (labels.PROGRESS["in_progress"], "B")
    assert r34[COL["実績"]] == "コミュニティ防災士数 1,650名" and r34[COL["達成状況"]] == "未達成"
    r35 = by_no(rows, 35)
    assert r35[COL["状況"]] == labels.STATUS["returned"]
    assert r35[COL["差戻し理由"]] == "確定値で報告してください。" and r35[COL["承認者"]] is None
    assert by_no(rows, 44)[COL["状況"]] == labels.STATUS["draft"]
    assert by_no(rows, 1)[COL["状況"]] == labels.STATUS["missing"]
    assert by_no(rows, 83)[COL["報告者"]] == t.REPORTER_UNKNOWN  # an account no longer registered
    assert by_no(rows, 83)[COL["達成状況"]] == "未達成(△0.87ポイント)"  # 98.2% against 99.07%: in points
    statuses = {r[COL["状況"]] for r in rows}
    assert statuses <= set(labels.STATUS.values()) and not any(re.search(r"[a-z]", str(x)) for x in statuses)
    every_cell = " ".join(str(v) for r in rows for v in r if v is not None)
    assert "console:" not in every_cell and "slack:" not in every_cell and "line:U" not in every_cell


def test_number_formats_text_cells_and_the_look(workbook_bytes: bytes) -> None:
    sheet = load_workbook(io.BytesIO(workbook_bytes))[t.SHEET_RESULTS]
    r34 = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == 34)
    rate = r34[COL["達成率"]]
    assert rate.data_type == "n" and rate.value == pytest.approx(0.970588) and rate.number_format == "0.00%"
    assert r34[COL["報告日"]].number_format == "yyyy/mm/dd"
    assert r34[COL["実施結果"]].alignment.wrap_text and r34[COL["実施結果"]].alignment.vertical == "top"
    assert sheet.row_dimensions[r34[0].row].height >= 2 * 12  # two lines of result text
    # Typed text that looks like a formula stays text
    r35 = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == 35)
    assert r35[COL["実施結果"]].value == "=1+1 で計算した人数を報告します" and r35[COL["実施結果"]].data_type == "s"
    r7 = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == 7)
    assert r7[COL["報告者"]].value == FORMULA and r7[COL["報告者"]].data_type == "s"
    # Header, widths, freeze, filter
    assert all(c.font.b for c in sheet[1]) and sheet.freeze_panes == "D2"
    assert sheet.auto_filter.ref == f"A1:Q{ROWS + 1}"
    assert sheet.column_dimensions["J"].width > sheet.column_dimensions["A"].width * 5  # 実施結果 is wide
    # Print setup: A4 landscape, one page wide, header row on every page
    setup = sheet.page_setup
    assert (setup.orientation, setup.paperSize, setup.fitToWidth, setup.fitToHeight) == ("landscape", 9, 1, 0)
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.print_title_rows == "$1:$1"


def test_the_summary_sheet_counts_departments_and_judges_every_numeric_target(workbook_bytes: bytes) -> None:
    sheet = load_workbook(io.BytesIO(workbook_bytes))[t.SHEET_SUMMARY]
    values = [[c for c in r] for r in sheet.iter_rows(values_only=True)]
    crisis = next(r for r in values if r[1] == "危機管理課")
    # 危機管理課: No.34 approved, No.35 returned, No.44 draft; 取組数 3
    # 回答率 as the round counts it: a returned report was answered (bot.reporting.round_status)
    assert crisis[2:] == [3, 0, 1, 1, 1, 0, pytest.approx(2 / 3, abs=1e-4), pytest.approx(1 / 3, abs=1e-4)]
    total = next(r for r in values if r[1] == t.SUMMARY_TOTAL)
    # submitted No.7 and No.83, approved No.34, returned No.35, draft No.44, the other 89 open
    assert total[2:8] == [94, 2, 1, 1, 1, 89] and total[8] == pytest.approx(4 / 94, abs=1e-4)
    targets = [r for r in values if isinstance(r[0], int)]
    assert {r[0] for r in targets} == {e.no for e in read_catalog() if e.numeric_goal}
    t34 = next(r for r in targets if r[0] == 34)
    assert t34[3:8] == ["コミュニティ防災士数", "コミュニティ防災士数 1,700名以上(累計)", "コミュニティ防災士数 1,650名",
                        pytest.approx(0.970588), "未達成"]
    assert next(r for r in targets if r[0] == 35)[5] is None  # returned: not counted as an actual


def test_one_sheet_per_department_on_request(catalog_engine: Engine) -> None:
    a_year_of_reports(catalog_engine)
    with session_scope(catalog_engine) as s:
        book = load_workbook(io.BytesIO(build_workbook(s, R8, by_department=True, tz=JST)))
    departments = {d for e in read_catalog() for d in e.departments}
    assert set(book.sheetnames[2:]) == departments
    hr = sheet_rows(book["人事課"])
    assert {r[0] for r in hr} == {e.no for e in read_catalog() if "人事課" in e.departments}
    assert all(r[COL["担当課"]] == "人事課" for r in hr)
    assert book["人事課"].page_setup.orientation == "landscape"


def test_csv_is_the_results_sheet_in_utf8_with_a_bom(catalog_engine: Engine) -> None:
    a_year_of_reports(catalog_engine)
    with session_scope(catalog_engine) as s:
        data = build_csv(s, R8, tz=JST)
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == HEADERS and len(rows) == ROWS + 1
    r34 = next(r for r in rows if r[0] == "34")
    assert r34[COL["達成率"]] == "97.06%" and r34[COL["報告日"]] == "2027/02/03"
    assert r34[COL["状況"]] == labels.STATUS["approved"] and r34[COL["報告者"]] == "田中 一郎"
    assert next(r for r in rows if r[0] == "35")[COL["実施結果"]] == "'=1+1 で計算した人数を報告します"
    assert next(r for r in rows if r[0] == "7")[COL["報告者"]] == "'" + FORMULA


@pytest.mark.parametrize("text", ["=SUM(A1)", "+1", "-1", "@cmd", "\tx"])
def test_formula_starts_are_quoted_for_csv(text: str) -> None:
    assert neutral(text) == "'" + text and neutral("防災" + text) == "防災" + text


def test_json_keeps_its_shape_and_adds_approvals_and_names(catalog_engine: Engine) -> None:
    a_year_of_reports(catalog_engine)
    with session_scope(catalog_engine) as s:
        items = {(i["no"], i["department"]): i for i in results_json(s, R8, tz=JST)}
    assert set(items) == {(34, "危機管理課"), (35, "危機管理課"), (7, "人事課"), (83, "介護保険課"), (44, "危機管理課")}
    r34 = items[(34, "危機管理課")]
    assert r34["status"] == "approved" and r34["reported_by"] == "console:tanaka"
    assert (r34["reporter_name"], r34["approved_by"], r34["approver_name"]) == ("田中 一郎", "slack:U0SATO", "佐藤 課長")
    assert r34["approved_at"] == "2027-02-05T09:15:00+09:00"
    assert r34["achievement"][0]["rate"] == 0.9706 and r34["actuals"][0]["value"] == 1650
    r35 = items[(35, "危機管理課")]
    assert r35["return_comment"] == "確定値で報告してください。" and r35["approved_by"] is None


# --- the command -------------------------------------------------------------------------------------

runner = CliRunner()


def kaikaku(*args: str) -> tuple[int, bytes, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout_bytes, result.stderr


@pytest.fixture
def initialised(cli_env: Path) -> Path:
    assert kaikaku("init")[0] == 0
    return cli_env


def test_export_command_writes_xlsx_with_o_and_csv_to_stdout(initialised: Path) -> None:
    code, _, err = kaikaku("results", "export", "--fy", "R8", "--format", "xlsx", "-o", "r8.xlsx")
    assert code == 0 and "令和8年度の実施結果 100行を r8.xlsx に書き出しました。" in err
    assert load_workbook("r8.xlsx")[t.SHEET_RESULTS].max_row == ROWS + 1
    code, out, _ = kaikaku("results", "export", "--fy", "令和8年度", "--format", "csv")
    assert code == 0 and out.startswith(b"\xef\xbb\xbf") and out.decode("utf-8-sig").count("\r\n") == ROWS + 1
    assert kaikaku("results", "export", "--fy", "2026", "--format", "csv")[1] == out


@pytest.mark.parametrize("fy", ["R9", "令和4年度", "2030"])
def test_a_year_outside_the_plan_exits_2_with_a_clear_message(initialised: Path, fy: str) -> None:
    code, out, err = kaikaku("results", "export", "--fy", fy, "--format", "csv")
    assert code == 2 and out == b""
    assert "計画の期間(令和5年度〜令和8年度)の外です" in err


def test_export_refuses_unknown_formats_and_by_department_outside_xlsx(initialised: Path) -> None:
    assert kaikaku("results", "export", "--fy", "R8", "--format", "pdf")[0] == 2
    code, _, err = kaikaku("results", "export", "--fy", "R8", "--format", "csv", "--by-department")
    assert code == 2 and "xlsx" in err


# --- printed ------------------------------------------------------------------------------------------


def test_the_workbook_prints_to_a4_landscape_pdf(sqlite_catalog_engine: Engine, tmp_path: Path) -> None:
    """LibreOffice converts a copy to PDF: A4 landscape pages, the header on each, the text in it.
    (CI installs LibreOffice and poppler-utils; a machine without them skips, saying so.)"""
    soffice, pdftotext = shutil.which("soffice"), shutil.which("pdftotext")
    if soffice is None or pdftotext is None:
        pytest.skip("LibreOffice (soffice) or poppler-utils (pdftotext) is not installed here")
    a_year_of_reports(sqlite_catalog_engine)
    with session_scope(sqlite_catalog_engine) as s:
        workbook = build_workbook(s, R8, tz=JST)
    source = tmp_path / "r8.xlsx"
    source.write_bytes(workbook)
    profile = tmp_path / "lo-profile"
    subprocess.run([soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "pdf",
                    "--outdir", str(tmp_path), str(source)], check=True, capture_output=True, timeout=180)
    pdf = tmp_path / "r8.pdf"
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    assert re.search(r"Page size:\s+841\.\d+ x 595\.\d+ pts", info), info  # A4 landscape
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))  # type: ignore[union-attr]
    assert 4 <= pages <= 12
    text = subprocess.run([pdftotext, "-layout", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    per_page = text.split("\f")
    results_pages = [p for p in per_page if "取組項目" in p and "差戻し理由" in p]  # every column on the page
    assert len(results_pages) >= 4
    assert "コミュニティ防災士の育成人数" in text and "田中 一郎" in text and "97.06%" in text
    assert "令和8年度 実施結果" in per_page[0]  # the footer
