"""The operator's commands, run in-process as `kaikaku …` would run them."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.catalog.store import BUNDLED_DOCUMENT, read_catalog
from bot.cli import app
from bot.texts import cli as say

runner = CliRunner()


def kaikaku(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def row_counts(db: Path) -> dict[str, int]:
    with sqlite3.connect(db) as conn:
        tables = [r[0] for r in conn.execute("select name from sqlite_master where type='table'")]
        return {t: conn.execute(f'select count(*) from "{t}"').fetchone()[0] for t in tables}


def test_init_twice_changes_nothing(cli_env: Path) -> None:
    code, out, _ = kaikaku("init")
    assert code == 0 and "取組 90件" in out
    before = row_counts(cli_env)
    assert before["measure"] == 90
    code, _, _ = kaikaku("init")
    assert code == 0
    assert row_counts(cli_env) == before


def test_export_lists_the_catalog_as_json(cli_env: Path) -> None:
    kaikaku("init")
    code, out, _ = kaikaku("catalog", "export", "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert [m["no"] for m in data] == list(range(1, 91))
    no34 = data[33]
    assert no34["departments"] == ["危機管理課"]
    assert {"fy": "R8", "value": 1700, "unit": "名"}.items() <= next(
        t for t in no34["targets"] if t["fy"] == "R8"
    ).items()


def test_commands_before_init_say_what_to_do(cli_env: Path) -> None:
    code, _, err = kaikaku("catalog", "export")
    assert code == 2 and "kaikaku init" in err


@pytest.mark.parametrize(
    "content",
    ["", "hello world\n", json.dumps({"measures": []}), "no,title\n1,foo\n", "\x89PNG\r\n\x1a\n\x00\x00"],
    ids=["empty", "text", "json", "csv", "binary"],
)
def test_importing_a_file_that_is_not_a_plan_exits_2_and_changes_nothing(
    cli_env: Path, tmp_path: Path, content: str
) -> None:
    kaikaku("init")
    before = row_counts(cli_env)
    bad = tmp_path / "not-a-plan.txt"
    bad.write_bytes(content.encode("utf-8", "surrogateescape") if isinstance(content, str) else content)
    code, out, err = kaikaku("catalog", "import", str(bad))
    assert code == 2, out + err
    assert "not-a-plan.txt" in err
    assert row_counts(cli_env) == before


def test_import_of_a_missing_file(cli_env: Path, tmp_path: Path) -> None:
    kaikaku("init")
    code, _, err = kaikaku("catalog", "import", str(tmp_path / "nope.txt"))
    assert code == 2 and "見つかりません" in err


def test_importing_the_bundled_document_keeps_the_reviewed_catalog(cli_env: Path) -> None:
    kaikaku("init")
    _, before, _ = kaikaku("catalog", "export")
    code, out, _ = kaikaku("catalog", "import", str(BUNDLED_DOCUMENT))
    assert code == 0 and "確認済み" in out
    _, after, _ = kaikaku("catalog", "export")
    assert after == before


def test_importing_an_edited_plan_document_reads_it_with_warnings(cli_env: Path, tmp_path: Path) -> None:
    kaikaku("init")
    edited = tmp_path / "next-plan.txt"
    edited.write_text(BUNDLED_DOCUMENT.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    code, out, err = kaikaku("catalog", "import", str(edited))
    assert code == 0, err
    assert "90件" in out


def test_members_add_and_list(cli_env: Path) -> None:
    kaikaku("init")
    code, out, _ = kaikaku(
        "members", "add", "--platform", "console", "--user", "tanaka", "--department", "危機管理課",
        "--name", "田中",
    )
    assert code == 0 and "危機管理課" in out
    code, out, _ = kaikaku("members", "list")
    assert code == 0
    assert "危機管理課" in out and "console:tanaka 田中 (staff)" in out


def test_members_add_with_an_unknown_department_offers_the_closest_names(cli_env: Path) -> None:
    kaikaku("init")
    code, _, err = kaikaku("members", "add", "--platform", "slack", "--user", "U1", "--department", "危機管理")
    assert code == 2
    assert "危機管理課" in err
    code, _, err = kaikaku("members", "add", "--platform", "fax", "--user", "U1", "--department", "危機管理課")
    assert code == 2 and "--platform" in err
    code, out, _ = kaikaku("members", "list")
    assert "登録されたメンバーはいません" in out


def test_unassigned_measures_can_be_assigned(cli_env: Path) -> None:
    kaikaku("init")
    unassigned = [e.no for e in read_catalog() if not e.departments]
    code, out, _ = kaikaku("catalog", "unassigned")
    assert code == 0
    for no in unassigned:
        assert f"No.{no} " in out
    no = unassigned[0] if unassigned else 1
    code, out, _ = kaikaku("catalog", "assign", str(no), "市民協働推進課")
    assert code == 0 and "市民協働推進課" in out
    code, _, err = kaikaku("catalog", "assign", "99", "市民協働推進課")
    assert code == 2 and "No.99" in err
    code, _, err = kaikaku("catalog", "assign", str(no), "市民協働")
    assert code == 2 and "市民協働推進課" in err


@pytest.mark.parametrize("command", [["ask", "No.34の目標は?"], ["members", "list"]])
def test_a_database_never_initialised_says_run_init(cli_env: Path, command: list[str]) -> None:
    code, out, err = kaikaku(*command)
    assert (code, out) == (2, "")
    assert err.strip() == say.NO_DATABASE
