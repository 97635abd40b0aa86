"""Earlier years' results from a coordinator's file (`kaikaku results import`), then seen in the
answer `No.34の推移は?` and in the weekly digest's trend."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from openpyxl import Workbook
from sqlalchemy import select
from typer.testing import CliRunner

from bot.catalog.store import find_department, measure_by_no
from bot.cli import app
from bot.clock.digest import build_digest
from bot.core.config import get_settings
from bot.reporting import reports
from bot.reporting.workbook import measure_trend
from bot.storage.db import get_engine, session_scope
from bot.storage.models import AuditEntry, Report
from bot.texts import results as t

JST = ZoneInfo("Asia/Tokyo")
runner = CliRunner()
HEADER = ["No.", "取組項目", "担当課", "実施計画", "目標", "実績", "達成率", "達成状況", "取組状況", "実施結果",
          "自己評価", "状況", "報告者", "報告日", "承認者", "承認日", "差戻し理由"]


def kaikaku(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def write_csv(path: Path, rows: list[dict[str, str]], *, encoding: str = "utf-8-sig") -> Path:
    """A file as a coordinator keeps it: the export's columns, Excel's CSV (BOM, CRLF)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=HEADER, lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: row.get(k, "") for k in HEADER})
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def year(fy_key: str, n34: str, n1: str, n83: str) -> list[dict[str, str]]:
    """One earlier year as the coordinator's table has it: three numeric measures reported, one
    descriptive, one joint measure, and rows nobody filled in (the export lists every measure)."""
    return [
        {"No.": "1", "取組項目": "職員による課題解決アプリの実践数(累計)", "担当課": "デジタル行政戦略課",
         "実績": f"開発アプリ数 {n1}", "取組状況": "実施中", "実施結果": f"{fy_key}: 研修とアプリ開発を支援しました。",
         "自己評価": "B 概ね達成", "状況": "承認済み"},
        {"No.": "2", "取組項目": "電話相談業務へのAI相談支援システムの導入", "担当課": "(担当課未設定)"},
        {"No.": "34", "取組項目": "コミュニティ防災士の育成人数(累計)", "担当課": "危機管理課",
         "目標": "コミュニティ防災士数 1,400名以上(累計)", "実績": f"コミュニティ防災士数 {n34}",
         "達成率": "101.43%", "取組状況": "実施中", "実施結果": "育成講座を開催し、町会に受講を呼びかけました。",
         "自己評価": "A"},
        {"No.": "5", "担当課": "道路建設課", "取組状況": "完了", "実施結果": "ドローン点検を運用しました。", "自己評価": "A"},
        {"No.": "7", "担当課": "人事課", "取組状況": "実施中", "実施結果": "職員証として試行しました。"},
        {"No.": "7", "担当課": "デジタル行政戦略課"},
        {"No.": "83", "担当課": "介護保険課", "実績": n83, "取組状況": "完了", "実施結果": "口座振替を勧めました。"},
        {"No.": "90", "取組項目": "金沢市立病院経営強化プラン", "担当課": "市立病院事務局"},
    ]


@pytest.fixture
def initialised(cli_env: Path) -> Path:
    assert kaikaku("init")[0] == 0
    return cli_env


def reports_in(db: Path) -> list[tuple[int, int, str, str]]:
    with sqlite3.connect(db) as conn:
        return list(conn.execute("select measure_id, fy, status, reported_by from report order by id"))


def test_three_earlier_years_are_imported_and_show_in_the_trend_answer_and_the_digest(
        initialised: Path, tmp_path: Path) -> None:
    for key, n34, n1, n83 in (("R5", "1,420名", "72件", "98.5%"), ("R6", "1,480名", "81件", "98.9%"),
                              ("R7", "1,590名", "88件", "99.0%")):
        path = write_csv(tmp_path / f"results-{key}.csv", year(key, n34, n1, n83))
        code, out, err = kaikaku("results", "import", str(path), "--fy", key)
        assert code == 0, err
        assert t.IMPORT_DONE.format(fy={"R5": "令和5年度", "R6": "令和6年度", "R7": "令和7年度"}[key], count=5,
                                    source=path.name) in out
    # This year's report, made in chat
    engine = get_engine(get_settings().database_url)
    with session_scope(engine) as s:
        m34, crisis = measure_by_no(s, 34), find_department(s, "危機管理課")
        assert m34 is not None and crisis is not None
        reports.submit(s, m34, crisis, 2026, reports.ReportInput(
            "in_progress", "講座を開催しました。", "B",
            [reports.ActualInput("コミュニティ防災士数", Decimal(1650), "名", "1650名", "estimate")]),
            "console:tanaka", datetime(2027, 2, 3, 10, 0, tzinfo=JST))

    # Someone the bot does not know gets the plan's targets, never the reported actuals.
    code, out, _ = kaikaku("ask", "No.34の推移は?")
    assert code == 0 and "1,420名" not in out and "1,400名以上" in out
    assert kaikaku("members", "add", "--platform", "console", "--user", "sato", "--department",
                   "デジタル行政戦略課", "--role", "coordinator", "--name", "佐藤 花子")[0] == 0
    code, out, _ = kaikaku("ask", "No.34の推移は?", "--user", "sato")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "No.34 コミュニティ防災士の育成人数(累計)の推移"
    assert lines[1:5] == [
        "令和5年度: 目標 1,400名以上(累計) / 実績 1,420名(達成)",
        "令和6年度: 目標 1,500名以上(累計) / 実績 1,480名(未達成)",
        "令和7年度: 目標 1,600名以上(累計) / 実績 1,590名(未達成)",
        "令和8年度: 目標 1,700名以上(累計) / 実績 1,650名(見込み・未達成)",
    ]
    assert "令和5年度・令和6年度・令和7年度の実績は、過去の記録から取り込んだもの" in out

    with session_scope(engine) as s:
        trend = measure_trend(s, 83)
        assert [(p.fy, p.actual.value if p.actual else None) for p in trend] == [
            (2023, Decimal("98.5")), (2024, Decimal("98.9")), (2025, Decimal("99.0")), (2026, None)]
        assert all(p.imported for p in trend[:3])
        digest = build_digest(s, get_settings(), datetime(2027, 2, 15, 9, 0, tzinfo=JST))
    text = digest.text()
    assert t.DIGEST_TREND_HEAD in text
    assert "・No.34 コミュニティ防災士数: 令和5年度 1,420名 → 令和6年度 1,480名 → 令和7年度 1,590名 → 令和8年度 1,650名" in text
    assert "・No.83 収納率: 令和5年度 98.5% → 令和6年度 98.9% → 令和7年度 99%" in text
    trends = {x["no"]: x for x in digest.to_json()["trends"]}
    assert [p["value"] for p in trends[1]["points"]] == [72, 81, 88]


def test_imported_reports_are_marked_and_audited(initialised: Path, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "r5.csv", year("R5", "1,420名", "72件", "98.5%"))
    assert kaikaku("results", "import", str(path), "--fy", "令和5年度")[0] == 0
    rows = reports_in(initialised)
    assert len(rows) == 5 and {r[1] for r in rows} == {2023}
    assert {r[3] for r in rows} == {"import:r5.csv"}
    # approved where the file says 承認済み (No.1), submitted otherwise
    assert sorted(r[2] for r in rows) == ["approved"] + ["submitted"] * 4
    engine = get_engine(get_settings().database_url)
    with session_scope(engine) as s:
        entries = list(s.scalars(select(AuditEntry).order_by(AuditEntry.id)))
        # each report: submitted by the import (reports.submit's entry), and who ran the import
        assert sorted((e.action, e.actor.split(":")[0], e.fy) for e in entries) == (
            [("import", "cli", 2023)] * 5 + [("submit", "import", 2023)] * 5)
        assert {e.actor for e in entries if e.action == "submit"} == {"import:r5.csv"}
        e34 = next(e for e in entries if e.measure_no == 34 and e.action == "import")
        assert e34.before is None and e34.after is not None and e34.after["source"] == "r5.csv"
        r34 = s.scalar(select(Report).where(Report.fy == 2023, Report.measure_id == measure_by_no(s, 34).id))  # type: ignore[union-attr]
        assert r34 is not None and r34.rating == "A" and r34.actuals[0].met is True
    # The same file again changes nothing
    code, out, _ = kaikaku("results", "import", str(path), "--fy", "R5")
    assert code == 0 and t.IMPORT_UNCHANGED.format(count=5) in out and len(reports_in(initialised)) == 5
    # The export names the import, never an account
    code, out, _ = kaikaku("results", "export", "--fy", "R5", "--format", "json")
    items = {i["no"]: i for i in json.loads(out)}
    assert items[34]["reporter_name"] == "取り込み(r5.csv)" and items[34]["imported"] is True
    assert (items[1]["status"], items[1]["approver_name"]) == ("approved", "取り込み(r5.csv)")


def test_any_wrong_row_changes_nothing_and_each_problem_is_named(initialised: Path, tmp_path: Path) -> None:
    rows = year("R6", "1,480名", "81件", "98.9%") + [
        {"No.": "34", "担当課": "人事課", "実施結果": "x"},
        {"No.": "999", "実施結果": "x"},
        {"No.": "35", "担当課": "危機管理課", "実績": "たくさん", "取組状況": "終わった", "自己評価": "S"},
        {"No.": "34", "担当課": "危機管理課", "実施結果": "二度目"},
        {"No.": "65", "実施結果": "x"},
        {"No.": "7", "実施結果": "x"},
        {"No.": "5", "実績": "3件"},
    ]
    path = write_csv(tmp_path / "r6.csv", rows)
    code, out, err = kaikaku("results", "import", str(path), "--fy", "R6")
    assert code == 2 and reports_in(initialised) == []
    assert t.IMPORT_FAILED.format(count=9) in err
    for expected in [
        "10行目「担当課」: 課「人事課」は No.34 の担当課ではありません(担当: 危機管理課)。",
        "11行目「No.」: No.999 は計画にありません。",
        "12行目「取組状況」: 取組状況は 未着手・実施中・完了 のいずれかです(「終わった」)。",
        "12行目「自己評価」: 自己評価は A・B・C・D のいずれかです(「S」)。",
        "12行目「実績」: 実績を数値として読めません(「たくさん」)",
        "13行目「No.」: No.34 危機管理課 の行が4行目と重複しています。",
        "14行目「担当課」: No.65 は担当課が未設定です。",
        "15行目「担当課」: 担当課が空です(No.7 の担当: 人事課、デジタル行政戦略課)。",
        "16行目「実績」: No.5 には令和6年度の数値目標がないため",
    ]:
        assert expected in err, (expected, err)


def test_dry_run_checks_everything_and_writes_nothing(initialised: Path, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "r7.csv", year("R7", "1,590名", "88件", "99.0%"))
    code, out, _ = kaikaku("results", "import", str(path), "--fy", "2025", "--dry-run")
    assert code == 0 and out.strip() == t.IMPORT_DRY_RUN.format(count=5)
    assert reports_in(initialised) == []


def test_a_report_made_in_chat_is_never_overwritten_by_an_import(initialised: Path, tmp_path: Path) -> None:
    engine = get_engine(get_settings().database_url)
    with session_scope(engine) as s:
        m34, crisis = measure_by_no(s, 34), find_department(s, "危機管理課")
        assert m34 is not None and crisis is not None
        reports.submit(s, m34, crisis, 2025, reports.ReportInput("done", "チャットで報告", "A"),
                       "console:tanaka", datetime(2026, 4, 10, tzinfo=JST))
    path = write_csv(tmp_path / "r7.csv", year("R7", "1,590名", "88件", "99.0%"))
    code, _, err = kaikaku("results", "import", str(path), "--fy", "R7")
    assert code == 2 and "4行目「No.」: No.34 危機管理課 はこの年度にチャットで報告済みです" in err
    assert len(reports_in(initialised)) == 1


def test_xlsx_in_the_exports_columns_and_shift_jis_csv_are_read(initialised: Path, tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = t.SHEET_RESULTS
    sheet.append(HEADER)
    for row in year("R5", "1,420名", "72件", "98.5%"):
        sheet.append([int(row[k]) if k == "No." else row.get(k, "") or None for k in HEADER])
    book.save(tmp_path / "r5.xlsx")
    code, out, err = kaikaku("results", "import", str(tmp_path / "r5.xlsx"), "--fy", "R5")
    assert code == 0, err
    path = write_csv(tmp_path / "r6-sjis.csv", year("R6", "1,480名", "81件", "98.9%"), encoding="cp932")
    code, _, err = kaikaku("results", "import", str(path), "--fy", "R6")
    assert code == 0, err
    assert sorted({r[1] for r in reports_in(initialised)}) == [2023, 2024]


@pytest.mark.parametrize(("name", "content", "message"), [
    ("results.txt", b"No.,\xe6\x8b\x85\xe5\xbd\x93\xe8\xaa\xb2\n", "CSV(.csv)か Excel(.xlsx)"),
    ("results.csv", "取組,課\n34,危機管理課\n".encode(), "必要な列がありません: No.、担当課"),
    ("results.csv", "No.,担当課\n".encode(), "取り込む行がありません"),
    ("results.xlsx", b"not a workbook", "を読めません"),
])
def test_a_file_that_cannot_be_used_is_refused_in_one_message(
        initialised: Path, tmp_path: Path, name: str, content: bytes, message: str) -> None:
    (tmp_path / name).write_bytes(content)
    code, _, err = kaikaku("results", "import", str(tmp_path / name), "--fy", "R5")
    assert code == 2 and message in err and "Traceback" not in err


def test_import_outside_the_plan_exits_2(initialised: Path, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "r4.csv", year("R4", "1,000名", "50件", "98%"))
    code, _, err = kaikaku("results", "import", str(path), "--fy", "R4")
    assert code == 2 and "計画の期間(令和5年度〜令和8年度)の外です" in err
