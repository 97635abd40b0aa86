"""`kaikaku chat` as a new user would use it, in real processes: scripted conversations, the
exported results, and a conversation that survives the process being killed."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.cli import app
from bot.core.config import get_settings
from bot.handlers.console import messages
from tests.conftest import KAIKAKU
from tests.conftest import ConsoleProcess as Chat


@pytest.fixture
def env(sqlite_catalog_url: str, tmp_path: Path) -> dict[str, str]:
    """A deployment's environment: a database holding the plan, during the 令和8年度 round."""
    return {**os.environ, "DATABASE_URL": sqlite_catalog_url, "BOT_NOW": "2027-02-03T10:15:00+09:00",
            "PYTHONUNBUFFERED": "1"}


def kaikaku(env: dict[str, str], *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """`kaikaku …` in its own process, as an operator or a script runs it."""
    return subprocess.run([*KAIKAKU, *args], input=stdin, capture_output=True, text=True, env=env,
                          timeout=60, check=False)


def quick(env: dict[str, str], *args: str) -> tuple[int, str, str]:
    """`kaikaku …` in this process (the commands that need no process of their own)."""
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, list(args), env=env)
    finally:
        get_settings.cache_clear()
    return result.exit_code, result.stdout, result.stderr


def export(env: dict[str, str]) -> list[dict]:
    code, out, err = quick(env, "results", "export", "--fy", "R8", "--format", "json")
    assert code == 0, err
    return json.loads(out)


def add_member(env: dict[str, str], user: str, department: str) -> None:
    code, _, err = quick(env, "members", "add", "--platform", "console", "--user", user, "--department", department)
    assert code == 0, err


def test_scripted_conversations_submit_what_was_typed(env: dict[str, str]) -> None:
    add_member(env, "tanaka", "危機管理課")
    add_member(env, "suzuki", "人事課")
    script = "\n".join([
        "報告",
        "1",  # the first measure of the list: No.34
        "実施中",
        "地域の防災訓練にあわせて養成講座を３回開催した。\\",
        "受講者は計１５０名。",
        "千六百五十人",
        "1",  # 見込み
        "B",
        "確定",
        "報告 No.44",
        "完了",
        "全62地区で計画を策定した。",
        "６２地区",
        "確定",
        "A 達成",
        "確定",
    ]) + "\n"
    done = kaikaku(env, "chat", "--user", "tanaka", stdin=script)
    assert done.returncode == 0, done.stderr
    assert "  1) No.34 コミュニティ防災士の育成人数(累計)" in done.stdout
    assert "コミュニティ防災士数: 1,650名 として受け付けました。" in done.stdout
    assert done.stdout.count("の報告を提出しました(第1版)") == 2
    # another department cannot report 危機管理課's measure
    refused = kaikaku(env, "chat", "--user", "suzuki", stdin="報告 34\n")
    assert "No.34は危機管理課の取組のため、人事課からは報告できません" in refused.stdout
    rows = {r["no"]: r for r in export(env)}
    assert set(rows) == {34, 44}
    assert rows[34]["result_text"] == "地域の防災訓練にあわせて養成講座を３回開催した。\n受講者は計１５０名。"
    assert rows[34]["actuals"] == [{"metric": "コミュニティ防災士数", "value": 1650, "unit": "名",
                                    "typed": "千六百五十人", "basis": "見込み"}]
    assert (rows[34]["progress"], rows[34]["rating"], rows[34]["reported_by"]) == ("実施中", "B", "console:tanaka")
    assert rows[44]["actuals"][0] | {} == {"metric": "策定済地区数", "value": 62, "unit": "地区",
                                           "typed": "６２地区", "basis": "確定"}
    assert rows[44]["achievement"][0]["rate"] == 1.0 and rows[44]["achievement"][0]["met"] is True
    code, csv, _ = quick(env, "results", "export", "--fy", "令和8年度", "--format", "csv")
    # The CSV is the workbook's 実施結果 sheet (issue 13): the plan's columns, the actual as read
    # (not as typed), UTF-8 with a BOM
    assert code == 0 and csv.lstrip("\ufeff").startswith("No.,取組項目,担当課,実施計画,目標,実績")
    assert "コミュニティ防災士数 1,650名" in csv


def test_an_unregistered_user_is_told_how_to_register(env: dict[str, str]) -> None:
    done = kaikaku(env, "chat", "--user", "newcomer", stdin="報告\n状況\n")
    assert done.returncode == 0 and done.stdout.count("登録 コード") == 2


def test_a_conversation_continues_after_the_process_is_killed(env: dict[str, str]) -> None:
    add_member(env, "tanaka", "危機管理課")
    first = Chat(env, "tanaka")
    try:
        first.say("報告 34", "取組状況")
        first.say("完了", "実施結果")
        first.say("講座を4回開催した。", "実績値")
    finally:
        first.kill()
    second = Chat(env, "tanaka")
    try:
        second.say("約1,702名", "約1,702名 として受け付けました")  # the dialog went on where it was
        second.say("2", "自己評価")  # 確定: numbered choices work without the earlier screen
        second.say("A", "提出しますか")
        second.say("確定", "第1版")
    finally:
        second.kill()
    [row] = export(env)
    assert (row["progress"], row["result_text"], row["rating"]) == ("完了", "講座を4回開催した。", "A")
    assert row["actuals"][0]["value"] == 1702 and row["actuals"][0]["typed"] == "約1,702名"
    assert row["actuals"][0]["basis"] == "確定"


def test_bad_export_arguments_exit_2(env: dict[str, str]) -> None:
    assert quick(env, "results", "export", "--fy", "来々年", "--format", "json")[0] == 2
    code, _, err = quick(env, "results", "export", "--fy", "R8", "--format", "pdf")
    assert code == 2 and "json / csv / xlsx" in err


def test_xlsx_export(env: dict[str, str], tmp_path: Path) -> None:
    out = tmp_path / "r8.xlsx"
    code, _, _ = quick(env, "results", "export", "--fy", "FY2026", "--format", "xlsx", "--out", str(out))
    assert code == 0 and out.stat().st_size > 0
    from openpyxl import load_workbook

    sheet = load_workbook(out).active
    assert sheet.title == "実施結果" and sheet.cell(1, 1).value == "No."


def test_continued_lines_make_one_message() -> None:
    assert list(messages(["一行目\\\n", "二行目\n", "\n", "次\n"])) == ["一行目\n二行目", "次"]
