"""The approval loop in chat on the console (the console adapter and `kaikaku outbox --text`):
submit → the reviewer is asked → 差戻し with a comment → the reporter is told → revise → the
reviewer is asked again → 承認 → the reporter is told; refusals, joint measures, a double 承認."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from bot.catalog.store import find_department, measure_by_no
from bot.cli import app
from bot.core.config import Settings, get_settings
from bot.handlers import console
from bot.people.members import add_member
from bot.reporting import approval, reports, review
from bot.storage import audit
from bot.storage.db import session_scope

REPORT_34 = ["報告 34", "実施中", "養成講座を3回開催し、150名が受講した。", "1,650名", "見込み", "B 概ね達成", "確定"]


@pytest.fixture
def people(sqlite_catalog_engine: Engine, now) -> None:  # noqa: ANN001
    with session_scope(sqlite_catalog_engine) as s:
        kiki = find_department(s, "危機管理課")
        add_member(s, "console", "tanaka", kiki, "staff", "田中 一郎", now=now)
        add_member(s, "console", "kacho", kiki, "manager", "山田 課長", now=now)
        add_member(s, "console", "suzuki", find_department(s, "人事課"), "staff", "鈴木 花子", now=now)
        add_member(s, "console", "desk", find_department(s, "デジタル行政戦略課"), "coordinator", "企画 担当", now=now)


def chat(settings: Settings, engine: Engine, user: str, *lines: str) -> str:
    """What `kaikaku chat --user USER` prints for these lines (the console adapter, in process)."""
    out = io.StringIO()
    console.run(settings, engine, user, [line + "\n" for line in lines], out)
    return out.getvalue()


@pytest.fixture
def cli(sqlite_catalog_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    monkeypatch.setenv("DATABASE_URL", sqlite_catalog_url)
    monkeypatch.setenv("BOT_NOW", "2027-02-03T10:15:00+09:00")
    monkeypatch.chdir(tmp_path)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def inbox(user: str) -> list[dict]:
    """`kaikaku outbox --recipient USER --text --format json`: what a console member has been sent."""
    result = CliRunner().invoke(app, ["outbox", "--recipient", user, "--text", "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def current_34(engine: Engine, department: str = "危機管理課"):  # noqa: ANN201
    with session_scope(engine) as s:
        dept = find_department(s, department)
        report = reports.current_report(s, measure_by_no(s, 34).id, dept.id, 2026)
        return None if report is None else (report.revision, report.status, report.review_comment)


def test_the_whole_loop_on_the_console(settings: Settings, sqlite_catalog_engine: Engine, people: None,
                                       cli: None) -> None:
    engine = sqlite_catalog_engine
    done = chat(settings, engine, "tanaka", *REPORT_34)
    assert "提出しました(第1版)" in done

    [asked] = inbox("kacho")
    assert asked["kind"] == "review_request" and "田中 一郎さん" in asked["text"] and "第1版" in asked["text"]
    assert "console:tanaka" not in asked["text"]
    assert [c["label"] for c in asked["choices"]] == ["承認", "差戻し"]
    return_value = asked["choices"][1]["value"]

    # 差戻し: the button (typed on the console) asks for the reason, then returns with it
    asking = chat(settings, engine, "kacho", return_value)
    assert "理由を入力してください" in asking
    returned = chat(settings, engine, "kacho", "実績値は確定値でお願いします。")
    assert "差し戻しました" in returned and current_34(engine) == (1, "returned", "実績値は確定値でお願いします。")

    [told] = [m for m in inbox("tanaka") if m["kind"] == "review_returned"]
    assert "山田 課長さんから差し戻されました" in told["text"] and "実績値は確定値でお願いします。" in told["text"]
    assert told["choices"] == [{"label": "修正", "value": "報告 34"}]

    # the reporter revises: the comment is shown, the new revision goes back to the reviewer
    revising = chat(settings, engine, "tanaka", "報告 34")
    assert "差し戻されています(第1版" in revising and "実績値は確定値でお願いします。" in revising
    resubmitted = chat(settings, engine, "tanaka", "報告 34", "修正する", "実績値", "1,700名", "確定")
    assert "提出しました(第2版)" in resubmitted, resubmitted
    assert current_34(engine) == (2, "submitted", None)
    assert "1,700名" in next(m for m in inbox("kacho") if "第2版" in m["text"])["text"]  # the content, to decide on
    again = [m for m in inbox("kacho") if m["kind"] == "review_request"]
    assert len(again) == 2 and "再提出" in again[1]["text"] and "第2版" in again[1]["text"]

    # 承認 (typed), then the same 承認 again: processed once, the second told it is done
    approved = chat(settings, engine, "kacho", "承認 34")
    assert "承認しました" in approved and current_34(engine) == (2, "approved", None)
    twice = chat(settings, engine, "kacho", again[1]["choices"][0]["value"])
    assert "承認済みです" in twice and "山田 課長さん" in twice
    told_approved = [m for m in inbox("tanaka") if m["kind"] == "review_approved"]
    assert len(told_approved) == 1 and "山田 課長さんが承認しました" in told_approved[0]["text"]

    with session_scope(engine) as s:
        kiki = find_department(s, "危機管理課")
        steps = [(h.action, h.revision, h.who) for h in approval.history(s, 34, kiki.id, 2026)]
        assert steps == [("submit", 1, "田中 一郎"), ("return", 1, "山田 課長"),
                         ("revise", 2, "田中 一郎"), ("approve", 2, "山田 課長")]
        assert [e.action for e in audit.entries(s, measure_no=34)] == ["submit", "return", "revise", "approve"]


def test_only_reviewers_may_approve(settings: Settings, sqlite_catalog_engine: Engine, people: None) -> None:
    engine = sqlite_catalog_engine
    chat(settings, engine, "tanaka", *REPORT_34)
    for user in ("tanaka", "suzuki"):  # the reporter, and a member of another department
        refused = chat(settings, engine, user, "承認 34")
        assert "申し訳ありません" in refused and "危機管理課の管理職の方" in refused
    assert current_34(engine) == (1, "submitted", None)
    stranger = chat(settings, engine, "nobody", "承認 34")
    assert "登録" in stranger and current_34(engine) == (1, "submitted", None)


def test_a_typed_return_with_its_reason_and_polite_edges(settings: Settings, sqlite_catalog_engine: Engine,
                                                          people: None) -> None:
    engine = sqlite_catalog_engine
    nothing = chat(settings, engine, "kacho", "承認 34")
    assert "まだ提出されていません" in nothing
    assert "計画にありません" in chat(settings, engine, "kacho", "承認 999")
    assert "番号を付けて" in chat(settings, engine, "kacho", "承認")
    chat(settings, engine, "tanaka", *REPORT_34)
    done = chat(settings, engine, "kacho", "差し戻し No.34 受講者数の根拠を添えてください")
    assert "差し戻しました" in done
    assert current_34(engine) == (1, "returned", "受講者数の根拠を添えてください")
    assert "差し戻し済みです" in chat(settings, engine, "kacho", "承認 34")


def test_a_department_without_a_manager_is_reviewed_by_the_coordinating_division(
        settings: Settings, sqlite_catalog_engine: Engine, people: None, cli: None, now) -> None:  # noqa: ANN001
    engine = sqlite_catalog_engine
    with session_scope(engine) as s:
        add_member(s, "console", "zaisei", find_department(s, "財政課"), "staff", "財政 太郎", now=now)
        no = next(m.no for m in reports.department_measures(s, find_department(s, "財政課").id))
    chat(settings, engine, "zaisei", f"報告 {no}", "実施中", "見直しを進めた。", *(["B"] * 1), "確定")
    asked = [m for m in inbox("desk") if m["kind"] == "review_request"]
    assert len(asked) == 1 and f"No.{no}" in asked[0]["text"]
    assert "承認しました" in chat(settings, engine, "desk", asked[0]["choices"][0]["value"])


def test_a_joint_measure_asks_which_department(settings: Settings, sqlite_catalog_engine: Engine, people: None,
                                               now) -> None:  # noqa: ANN001
    engine = sqlite_catalog_engine
    with session_scope(engine) as s:
        measure = measure_by_no(s, 70)
        for d in measure.departments:
            reports.submit(s, measure, d, 2026, reports.ReportInput("in_progress", f"{d.name}の分", "B"),
                           "console:suzuki", now)
    asked = chat(settings, engine, "desk", "承認 70")
    assert "どの課の報告を承認しますか" in asked and "1) 環境政策課" in asked
    chosen = chat(settings, engine, "desk", "承認 70", "2")
    assert "ゼロカーボンシティ推進室" in chosen and "承認しました" in chosen
    with session_scope(engine) as s:
        measure = measure_by_no(s, 70)
        states = [reports.current_report(s, measure.id, d.id, 2026).status for d in measure.departments]
        assert states == ["submitted", "approved"]


def test_a_button_for_an_older_revision_does_not_approve_the_new_one(
        settings: Settings, sqlite_catalog_engine: Engine, people: None, cli: None) -> None:
    engine = sqlite_catalog_engine
    chat(settings, engine, "tanaka", *REPORT_34)
    [first] = inbox("kacho")
    chat(settings, engine, "tanaka", "報告 34", "修正する", "実績値", "1,700名", "確定")
    for button in first["choices"]:  # 承認 and 差戻し of 第1版, tapped after 第2版 came in
        stale = chat(settings, engine, "kacho", button["value"])
        assert "ご覧になった第1版のあとに第2版が提出されています" in stale
        assert "1) 承認" in stale and "1,700名" in stale  # the new revision, with its own buttons
    assert current_34(engine) == (2, "submitted", None)
    approved = chat(settings, engine, "kacho", first["choices"][0]["value"], "1")  # its 承認: 第2版
    assert "報告(第2版)を承認しました" in approved and current_34(engine) == (2, "approved", None)


def test_the_reason_can_be_cancelled(settings: Settings, sqlite_catalog_engine: Engine, people: None) -> None:
    engine = sqlite_catalog_engine
    chat(settings, engine, "tanaka", *REPORT_34)
    assert "理由を入力してください" in chat(settings, engine, "kacho", "差戻し 34")
    assert "差戻しをやめました" in chat(settings, engine, "kacho", "キャンセル")
    assert current_34(engine) == (1, "submitted", None)


@pytest.mark.parametrize(("said", "expected"), [
    ("承認 34", ("approve", 34, "")),
    ("承認No.34", ("approve", 34, "")),
    ("承認　３４番", ("approve", 34, "")),
    ("承認します 34 危機管理課 第2版", ("approve", 34, "危機管理課 第2版")),
    ("差し戻し 34 数値の根拠を\n添えてください", ("return", 34, "数値の根拠を\n添えてください")),
    ("差戻し　#34　危機管理課", ("return", 34, "危機管理課")),
    ("承認", ("approve", None, "")),
    ("承認済みの課は?", None),  # a question, not a command
    ("差戻しの件で相談です", None),
    ("報告 34", None),
])
def test_the_commands_are_read_as_typed(said: str, expected: tuple | None) -> None:
    cmd = review.parse_command(said)
    assert (None if cmd is None else (cmd.verb, cmd.no, cmd.rest)) == expected


def test_each_reviewer_is_asked_once_and_never_about_their_own_report(
        settings: Settings, sqlite_catalog_engine: Engine, people: None, cli: None, now) -> None:  # noqa: ANN001
    engine = sqlite_catalog_engine
    with session_scope(engine) as s:  # 山田 課長 on Slack too, linked as one person
        kiki = find_department(s, "危機管理課")
        for platform, user in (("console", "kacho"), ("slack", "UKACHO")):
            add_member(s, platform, user, kiki, "manager", "山田 課長", now=now).person = "yamada"
    chat(settings, engine, "tanaka", *REPORT_34)
    assert len(inbox("kacho") + inbox("UKACHO")) == 1  # one person, one request (on their first platform)
    chat(settings, engine, "kacho", "報告 35", "実施中", "女性防災士の講座を開いた。", "40名", "見込み", "B", "確定")
    asked = [m for m in inbox("kacho") + inbox("UKACHO") + inbox("desk") if "No.35" in m["text"]]
    assert [m["recipient"] for m in asked] == ["desk"]  # the manager reported: the coordinating division reviews
    own = chat(settings, engine, "kacho", "承認 35")
    assert "ご自身が提出されたため" in own and "デジタル行政戦略課" in own
    own_return = chat(settings, engine, "kacho", "差戻し 35")  # refused at once, no reason asked for
    assert "ご自身が提出されたため" in own_return and "理由を入力" not in own_return
    with session_scope(engine) as s:
        assert reports.current_report(s, measure_by_no(s, 35).id, find_department(s, "危機管理課").id,
                                      2026).status == "submitted"
    assert "承認しました" in chat(settings, engine, "desk", asked[0]["choices"][0]["value"])
