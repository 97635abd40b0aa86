"""`kaikaku members remove | import` and `kaikaku audit`: bulk loading that changes nothing when a
row is wrong, and a trail of who changed what, read in Japanese or as JSON."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from typer.testing import CliRunner

from bot.cli import app
from bot.texts.labels import STATUS

runner = CliRunner()


def kaikaku(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def member_rows(db: Path) -> list[tuple[str, str, str, str, str | None]]:
    with sqlite3.connect(db) as conn:
        return conn.execute(
            "select m.platform, m.user_id, d.name, m.role, m.name from member m join department d"
            " on d.id = m.department_id order by m.platform, m.user_id").fetchall()


GOOD = (
    "platform,user,department,role,name\n"
    "slack,U0TANAKA,危機管理課,manager,田中\n"
    "line,U4af4980629b1c2d3e4f5a6b7c8d9e0f1,人事課,,佐藤\n"
    "console,suzuki,デジタル行政戦略課,coordinator,\n"
)


def test_import_loads_every_row_with_or_without_a_bom(cli_env: Path, tmp_path: Path) -> None:
    kaikaku("init")
    path = tmp_path / "members.csv"
    path.write_bytes("\ufeff".encode() + GOOD.encode())  # Excel's "CSV UTF-8" starts with a BOM
    code, out, err = kaikaku("members", "import", str(path))
    assert code == 0, err
    assert "3人を登録しました" in out
    assert member_rows(cli_env) == [
        ("console", "suzuki", "デジタル行政戦略課", "coordinator", None),
        ("line", "U4af4980629b1c2d3e4f5a6b7c8d9e0f1", "人事課", "staff", "佐藤"),  # an empty role: staff
        ("slack", "U0TANAKA", "危機管理課", "manager", "田中"),
    ]
    path.write_text(GOOD.replace("manager", "staff"), encoding="utf-8")  # no BOM: the same reading
    assert kaikaku("members", "import", str(path))[0] == 0
    assert member_rows(cli_env)[2][3] == "staff"


def test_a_wrong_row_changes_nothing_and_each_error_is_named(cli_env: Path, tmp_path: Path) -> None:
    kaikaku("init")
    path = tmp_path / "members.csv"
    path.write_text(GOOD + "fax,U9,人事課,staff,\nslack,U0TANAKA,危機管理,boss,\nline,,人事課,,\n", encoding="utf-8")
    code, out, err = kaikaku("members", "import", str(path))
    assert code == 2 and out == ""
    assert "誤りのある行が3行あるため、何も登録しませんでした" in err
    assert "5行目: platform「fax」" in err
    assert "6行目:" in err and "2行目にもあります" in err and "role「boss」" in err and "近い名前: 危機管理課" in err
    assert "7行目: user が空です。" in err
    assert member_rows(cli_env) == []  # not even the good rows


def test_a_file_that_is_not_utf8_is_refused(cli_env: Path, tmp_path: Path) -> None:
    kaikaku("init")
    path = tmp_path / "members.csv"
    path.write_bytes(GOOD.encode("cp932"))
    code, _, err = kaikaku("members", "import", str(path))
    assert code == 2 and "UTF-8 ではありません" in err
    assert member_rows(cli_env) == []


def test_remove_and_the_audit_trail(cli_env: Path, tmp_path: Path) -> None:
    kaikaku("init")
    kaikaku("members", "add", "--platform", "console", "--user", "tanaka", "--department", "危機管理課", "--name", "田中")
    kaikaku("members", "add", "--platform", "console", "--user", "tanaka", "--department", "人事課", "--name", "田中")
    kaikaku("members", "add", "--platform", "console", "--user", "tanaka", "--department", "人事課",
            "--role", "manager", "--name", "田中")
    code, out, _ = kaikaku("members", "remove", "--platform", "console", "--user", "tanaka")
    assert code == 0 and "人事課" in out
    assert member_rows(cli_env) == []
    assert kaikaku("members", "remove", "--platform", "console", "--user", "tanaka")[0] == 2
    code, out, _ = kaikaku("catalog", "assign", "90", "危機管理課")
    assert code == 0

    code, out, _ = kaikaku("audit")
    assert code == 0
    lines = out.strip().split("\n")
    assert [ln.split(" ")[3] for ln in lines] == ["メンバー追加", "課の変更", "役割の変更", "メンバー削除", "担当課の割り当て"]
    assert "管理者(サーバー操作)" in lines[0] and "田中さん(危機管理課・担当者)" in lines[0]
    assert "田中さん(危機管理課 → 人事課)" in lines[1]
    assert "田中さん(担当者 → 管理職)" in lines[2]
    assert "No.90 危機管理課" in lines[4] and "→" in lines[4] and "危機管理課" in lines[4].split("→")[1]
    assert "年" in lines[0] and "月" in lines[0] and "tanaka" not in out  # people by name, never the account

    code, out, _ = kaikaku("audit", "--measure", "90", "--format", "json")
    data = json.loads(out)
    assert [e["action"] for e in data] == ["assign"] and data[0]["measure_no"] == 90
    assert data[0]["after"]["departments"][-1] == "危機管理課"
    assert kaikaku("audit", "--since", "2999-01-01")[1].strip() == "記録はありません。"
    assert kaikaku("audit", "--since", "昨日")[0] == 2
    assert kaikaku("audit", "--format", "xml")[0] == 2


def test_invite_is_recorded_without_the_code(cli_env: Path) -> None:
    kaikaku("init")
    code, out, _ = kaikaku("members", "invite", "--department", "危機管理課", "--role", "manager")
    assert code == 0
    shown = out.split("登録コード: ")[1].split()[0]
    _, trail, _ = kaikaku("audit", "--format", "json")
    [entry] = json.loads(trail)
    assert entry["action"] == "code_issue" and entry["after"]["role"] == "manager"
    assert shown not in trail and shown.replace("-", "") not in trail


def test_the_report_loop_reads_as_one_story(cli_env: Path) -> None:
    """The entries the report and approval code write (submit, return, revise, approve) for No.34."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from bot.catalog.store import find_department
    from bot.people.members import add_member
    from bot.storage import audit
    from bot.storage.db import make_engine, session_scope

    kaikaku("init")
    jst = ZoneInfo("Asia/Tokyo")
    engine = make_engine(f"sqlite:///{cli_env}")
    with session_scope(engine) as s:
        dept = find_department(s, "危機管理課")
        assert dept is not None
        add_member(s, "line", "Ureporter", dept, "staff", "田中")
        add_member(s, "slack", "U0BOSS", dept, "manager", None)
        steps = [
            ("submit", "line:Ureporter", "田中", None, {"status": "submitted", "revision": 1}, 10),
            ("return", "slack:U0BOSS", None, {"status": "submitted", "revision": 1},
             {"status": "returned", "revision": 1, "comment": "受講者数の内訳を"}, 11),
            ("revise", "line:Ureporter", "田中", None, {"status": "submitted", "revision": 2}, 12),
            ("approve", "slack:U0BOSS", None, {"status": "submitted", "revision": 2},
             {"status": "approved", "revision": 2}, 13),
        ]
        for action, key, name, before, after, day in steps:
            audit.record(s, audit.Actor(key, name), action, "report", measure_no=34, department_id=dept.id,
                         fy=2026, before=before, after=after, at=datetime(2027, 2, day, 9, 5, tzinfo=jst))
    engine.dispose()
    code, out, _ = kaikaku("audit", "--measure", "34")
    assert code == 0
    S = STATUS  # noqa: N806
    assert out.strip().split("\n") == [
        "2027年2月10日 09:05 田中さん 提出 No.34 危機管理課 令和8年度 第1版",
        f"2027年2月11日 09:05 危機管理課の方 差戻し No.34 危機管理課 令和8年度 第1版 {S['submitted']} → {S['returned']}"
        " コメント「受講者数の内訳を」",
        "2027年2月12日 09:05 田中さん 修正 No.34 危機管理課 令和8年度 第2版",
        f"2027年2月13日 09:05 危機管理課の方 承認 No.34 危機管理課 令和8年度 第2版 {S['submitted']} → {S['approved']}",
    ]
    assert kaikaku("audit", "--measure", "34", "--since", "2027-02-12")[1].count("\n") == 2
