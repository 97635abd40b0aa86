"""Who sees what, asked in chat on each platform: the plan's facts for anyone, results and status only
for registered members in a one-to-one chat, other departments' results for managers and the
coordinating division, and never an account id in a reply (bot.people.permissions)."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime
from decimal import Decimal

import pytest
from sqlalchemy import Engine, select

from bot.catalog.store import find_department, measure_by_no
from bot.core.config import SecretStr, Settings
from bot.core.messages import Incoming, Reply
from bot.core.router import route
from bot.core.web import create_app
from bot.people import permissions
from bot.people.members import add_member, find_member
from bot.storage.audit import entries
from bot.storage.db import session_scope
from bot.storage.models import Actual, Member, Report
from bot.texts.labels import STATUS
from tests.conftest import SlackWorkspace, flask_transport, texts_of
from tests.fakes import slack_requests as sr
from tests.fakes.line_api import FakeLineApi
from tests.fakes.slack_api import SlackApiStub
from tests.test_line import Bot, fixture, invite, line_settings
from tests.test_slack import slack_settings

RESULT = "養成講座を3回開催し、150名が受講した。"  # 危機管理課's report on No.34
ACTUAL = "1,650名"
TARGET = "1,700名"
SUBMITTED = STATUS["submitted"]
RAW_ID = re.compile(r"(?:line|slack|console|cli):[A-Za-z0-9]")


def submitted(engine: Engine, *, by: str = "console:tanaka", no: int = 34, department: str = "危機管理課") -> None:
    """A submitted 令和8年度 report with its actual, as the report dialog leaves it."""
    at = datetime(2027, 2, 2, 9, 0).astimezone()
    with session_scope(engine) as s:
        measure, dept = measure_by_no(s, no), find_department(s, department)
        assert measure is not None and dept is not None
        report = Report(measure_id=measure.id, department_id=dept.id, fy=2026, revision=1, is_current=True,
                        status="submitted", progress="in_progress", result_text=RESULT, rating="B",
                        reported_by=by, reported_at=at, created_at=at)
        report.actuals.append(Actual(metric="コミュニティ防災士数", value=Decimal(1650), unit="名", typed="1650名"))
        s.add(report)


def members(engine: Engine, *rows: tuple[str, str, str, str, str | None]) -> None:
    """(platform, user, department, role, name) each."""
    with session_scope(engine) as s:
        for platform, user, department, role, name in rows:
            dept = find_department(s, department)
            assert dept is not None
            add_member(s, platform, user, dept, role, name)


def console(engine: Engine, settings: Settings, user: str, text: str, direct: bool = True) -> str:
    replies = route(settings, engine, Incoming("console", user, "console", text=text, direct=direct))
    return "\n".join(r.text for r in replies)


PEOPLE = (
    ("console", "tanaka", "危機管理課", "staff", "田中"),  # the reporter
    ("console", "sato", "人事課", "staff", "佐藤"),
    ("console", "suzuki", "人事課", "manager", "鈴木"),
    ("console", "desk", "デジタル行政戦略課", "staff", None),  # the coordinating division, no name
    ("console", "boss", "デジタル行政戦略課", "coordinator", "取りまとめ"),
)


@pytest.fixture
def office(catalog_engine: Engine, now: datetime, catalog_url: str) -> tuple[Engine, Settings]:
    members(catalog_engine, *PEOPLE)
    submitted(catalog_engine)
    return catalog_engine, Settings(database_url=catalog_url, bot_now=now)


# (asker, sees 危機管理課's result) — on SQLite and PostgreSQL
@pytest.mark.parametrize(("user", "sees"), [
    ("stranger", False), ("tanaka", True), ("sato", False), ("suzuki", True), ("desk", True), ("boss", True),
])
def test_a_result_is_shown_by_role(office: tuple[Engine, Settings], user: str, sees: bool) -> None:
    engine, settings = office
    text = console(engine, settings, user, "No.34の実績は?")
    assert (RESULT in text) is sees and (ACTUAL in text) is sees
    assert ("田中さん" in text) is sees  # the reporter, by display name
    assert TARGET in text  # the plan's facts: for everyone
    if user == "stranger":
        assert "登録したメンバーだけ" in text and SUBMITTED not in text
    elif not sees:
        assert f"■危機管理課({SUBMITTED})" in text and "担当課・管理職・取りまとめ担当" in text
    assert not RAW_ID.search(text), text


def test_a_group_gets_the_plan_but_no_results_or_status(office: tuple[Engine, Settings]) -> None:
    engine, settings = office
    for user in ("tanaka", "boss"):
        text = console(engine, settings, user, "No.34の実績は?", direct=False)
        assert TARGET in text and RESULT not in text and ACTUAL not in text
        assert "1対1のトーク" in text
        status = console(engine, settings, user, "未提出の課は?", direct=False)
        assert "回答率" not in status and "1対1のトーク" in status
        assert "No.34" not in console(engine, settings, user, "状況", direct=False)
    assert "1,700名" in console(engine, settings, "stranger", "No.34の目標は?", direct=False)


def test_the_round_s_status_is_for_registered_members(office: tuple[Engine, Settings]) -> None:
    engine, settings = office
    assert "回答率" not in console(engine, settings, "stranger", "未提出の課は?")
    assert "回答率" in console(engine, settings, "sato", "未提出の課は?")
    department = console(engine, settings, "sato", "危機管理課の進捗は?")
    assert SUBMITTED in department and ACTUAL not in department  # staff of another department: status only
    assert ACTUAL in console(engine, settings, "suzuki", "危機管理課の進捗は?")
    assert "危機管理課の進捗" not in console(engine, settings, "stranger", "危機管理課の進捗は?").split("\n")[0]


def test_numeric_results_follow_the_same_rule(office: tuple[Engine, Settings]) -> None:
    engine, settings = office
    assert ACTUAL not in console(engine, settings, "sato", "数値目標の達成状況は?")
    assert ACTUAL in console(engine, settings, "tanaka", "数値目標の達成状況は?")
    assert ACTUAL in console(engine, settings, "desk", "数値目標の達成状況は?")
    stranger = console(engine, settings, "stranger", "数値目標の達成状況は?")
    assert ACTUAL not in stranger and TARGET in stranger


def test_a_reporter_without_a_name_is_named_by_department(office: tuple[Engine, Settings]) -> None:
    engine, settings = office
    with session_scope(engine) as s:
        s.execute(Report.__table__.update().values(reported_by="console:desk"))
    text = console(engine, settings, "boss", "No.34の実績は?")
    assert "報告: デジタル行政戦略課の方" in text and "desk" not in text


# --- the rules themselves ----------------------------------------------------------------------


def _member(role: str, department: str = "人事課") -> Member:
    from bot.storage.models import Department

    return Member(platform="console", user_id="x", role=role, department=Department(id=9, name=department),
                  department_id=9)


@pytest.mark.parametrize(("role", "grants"), [
    ("staff", {"staff"}), ("manager", {"staff", "manager"}), ("coordinator", {"staff", "manager", "coordinator"}),
])
def test_nobody_grants_a_role_above_their_own(role: str, grants: set[str]) -> None:
    assert {r for r in permissions.ROLE_RANK if permissions.can_grant(_member(role), r)} == grants
    assert not permissions.can_grant(None, "staff")


def test_the_coordinating_division_sees_everything_but_only_the_coordinator_acts() -> None:
    desk = _member("staff", "デジタル行政戦略課")
    assert permissions.sees_everything(desk, "デジタル行政戦略課")
    assert not permissions.acts_as_coordinator(desk)
    assert permissions.acts_as_coordinator(_member("coordinator", "デジタル行政戦略課"))
    assert not permissions.sees_everything(_member("staff"), "デジタル行政戦略課")


# --- Slack ---------------------------------------------------------------------------------------


@pytest.fixture
def slack(settings: Settings, sqlite_catalog_engine: Engine, slack_api: SlackApiStub) -> Iterator[SlackWorkspace]:
    members(sqlite_catalog_engine, ("slack", "U0TANAKA", "危機管理課", "staff", "田中"),
            ("slack", "U0SATO", "人事課", "staff", "佐藤"), ("slack", "U0COORD", "デジタル行政戦略課", "coordinator", None),
            ("slack", "U0DESK", "デジタル行政戦略課", "staff", None))
    submitted(sqlite_catalog_engine, by="slack:U0TANAKA")
    app = create_app(slack_settings(settings, slack_api), sqlite_catalog_engine)
    yield SlackWorkspace(flask_transport(app), slack_api, sqlite_catalog_engine)
    app.extensions["kaikaku_slack"].worker.shutdown()


@pytest.fixture
def slack_api() -> Iterator[SlackApiStub]:
    with SlackApiStub() as stub:
        yield stub


def test_slack_visibility_by_role_and_channel(slack: SlackWorkspace) -> None:
    own = texts_of(slack.say("No.34の実績は?", user="U0TANAKA"))
    assert RESULT in own and "田中さん" in own
    other = texts_of(slack.say("No.34の実績は?", user="U0SATO"))
    assert RESULT not in other and SUBMITTED in other
    stranger = texts_of(slack.say("No.34の実績は?", user="U0NOBODY"))
    assert RESULT not in stranger and TARGET in stranger
    channel = texts_of(slack.exchange(sr.as_event(sr.mention("<@UKAIKAKU> No.34の実績は?", user="U0TANAKA")),
                                      "C0BOUSAI"))
    assert TARGET in channel and RESULT not in channel and "1対1のトーク" in channel
    for text in (own, other, stranger, channel):
        assert "slack:U" not in text and "U0TANAKA" not in text


def test_slack_link_takes_the_display_name_and_is_recorded(slack: SlackWorkspace, sqlite_catalog_engine: Engine) -> None:
    slack.stub.profiles["U0NEWBIE"] = {"display_name": "山田", "real_name": "山田 花子"}
    refused = texts_of(slack.say("登録 <@U0NEWBIE|yamada> 危機管理課", user="U0DESK"))
    assert "取りまとめ担当" in refused  # the coordinating division's staff sees all, but does not act
    with session_scope(sqlite_catalog_engine) as s:
        assert find_member(s, "slack", "U0NEWBIE") is None
    slack.say("登録 <@U0NEWBIE|yamada> 危機管理課 管理職", user="U0COORD")
    with session_scope(sqlite_catalog_engine) as s:
        member = find_member(s, "slack", "U0NEWBIE")
        assert member is not None and (member.name, member.role) == ("山田", "manager")
        [entry] = entries(s)
        assert (entry.action, entry.actor, entry.after) == ("member_add", "slack:U0COORD", {
            "account": "slack:U0NEWBIE", "name": "山田", "department": "危機管理課", "role": "manager"})


# --- LINE ----------------------------------------------------------------------------------------

USER = "U4af4980629b1c2d3e4f5a6b7c8d9e0f1"


@pytest.fixture
def line_api() -> Iterator[FakeLineApi]:
    api = FakeLineApi().start()
    yield api
    api.stop()
    assert api.errors == []


@pytest.fixture
def line(sqlite_catalog_url: str, sqlite_catalog_engine: Engine, line_api: FakeLineApi, now: datetime) -> Iterator[Bot]:
    b = Bot(line_settings(sqlite_catalog_url, line_api, now), sqlite_catalog_engine, line_api)
    yield b
    b.close()


def line_group(bot: Bot, text: str) -> str:
    body = fixture("message_group")
    event = body["events"][0]
    event["message"]["text"] = f"@改革ボット {text}"
    event["timestamp"] = int(time.time() * 1000)
    event["webhookEventId"] = f"01H{int(time.time() * 1e6) % 10**20:020d}XYZ"
    before = len(bot.api.deliveries)
    bot.post(json.dumps(body, ensure_ascii=False).encode())
    return "\n".join(bot.api.wait_for(before + 1)[-1].texts)


def test_line_visibility_before_and_after_registration(line: Bot, line_api: FakeLineApi, now: datetime) -> None:
    line_api.profiles[USER] = "たなか🌸"
    stranger = "\n".join(line.say("No.34の実績は?").texts)
    assert TARGET in stranger and "登録したメンバーだけ" in stranger
    line.say(f"登録 {invite(line.engine, '危機管理課', now)}")
    with session_scope(line.engine) as s:
        member = s.scalar(select(Member).where(Member.user_id == USER))
        assert member is not None and member.name == "たなか🌸"  # LINE's display name, fetched at registration
    submitted(line.engine, by=f"line:{USER}")
    own = "\n".join(line.say("No.34の実績は?").texts)
    assert RESULT in own and "たなか🌸さん" in own and USER not in own
    group = line_group(line, "No.34の実績は?")
    assert RESULT not in group and "1対1のトーク" in group
    for text in (stranger, own, group):
        assert "line:U" not in text


def test_no_reply_carries_an_account_id(office: tuple[Engine, Settings]) -> None:
    engine, settings = office
    questions = ["No.34の実績は?", "危機管理課の進捗は?", "未提出の課は?", "数値目標の達成状況は?", "状況", "防災の進捗は?"]
    for user, *_ in [(p[1],) for p in PEOPLE]:
        for q in questions:
            replies: list[Reply] = route(settings, engine, Incoming("console", user, "console", text=q))
            assert not any(RAW_ID.search(r.text) for r in replies), (user, q)


# --- the coordinating division's commands in chat ------------------------------------------------


def test_invite_shows_a_code_once_one_to_one_and_it_registers(office: tuple[Engine, Settings]) -> None:
    engine, settings = office
    settings = replace(settings, secret_key=SecretStr("k" * 32))
    assert "取りまとめ担当" in console(engine, settings, "desk", "招待 危機管理課")  # sees, does not act
    assert "1対1のトーク" in console(engine, settings, "boss", "招待 危機管理課", direct=False)
    answer = console(engine, settings, "boss", "招待 危機管理課 管理職")
    code = re.search(r"登録コード: (\S+)", answer)
    assert code is not None and "危機管理課(管理職)" in answer
    assert "危機管理課" in console(engine, settings, "newcomer", f"登録 {code[1]}")
    with session_scope(engine) as s:
        member = find_member(s, "console", "newcomer")
        assert member is not None and member.role == "manager"
        acts = [(e.action, e.actor) for e in entries(s)]
    assert acts == [("code_issue", "console:boss"), ("member_add", "console:newcomer")]
    assert "近い名前" in console(engine, settings, "boss", "招待 危機管理")


def test_unregistered_departments_are_listed_for_the_coordinating_division(office: tuple[Engine, Settings]) -> None:
    engine, settings = office
    text = console(engine, settings, "desk", "未登録の課は?")
    assert "・道路建設課(取組 1件)" in text and "・危機管理課" not in text and "・人事課" not in text
    count = int(re.search(r"まだ誰も登録していない課は(\d+)課", text)[1])  # type: ignore[index]
    assert count == len(text.strip().split("\n")) - 1
    assert "取りまとめ担当の課" in console(engine, settings, "sato", "未登録の課は?")


def test_move_by_display_name_is_recorded(office: tuple[Engine, Settings]) -> None:
    engine, settings = office
    assert "取りまとめ担当" in console(engine, settings, "suzuki", "異動 佐藤 危機管理課")
    assert "佐藤さんを人事課から危機管理課に異動しました" in console(engine, settings, "boss", "異動 佐藤さん 危機管理課")
    assert "見つかりませんでした" in console(engine, settings, "boss", "異動 山本 危機管理課")
    with session_scope(engine) as s:
        member = find_member(s, "console", "sato")
        assert member is not None and member.department.name == "危機管理課"
        [entry] = entries(s)
    assert (entry.action, entry.before["department"], entry.after["department"]) == ("member_move", "人事課", "危機管理課")
    assert RESULT in console(engine, settings, "sato", "No.34の実績は?")  # now sees 危機管理課's result


def test_move_on_slack_by_mention(slack: SlackWorkspace, sqlite_catalog_engine: Engine) -> None:
    answer = texts_of(slack.say("異動 <@U0SATO|sato> 危機管理課", user="U0COORD"))
    assert "佐藤さんを人事課から危機管理課に異動しました" in answer
    with session_scope(sqlite_catalog_engine) as s:
        member = find_member(s, "slack", "U0SATO")
        assert member is not None and member.department.name == "危機管理課"


def test_a_name_changed_in_slack_is_followed_silently(slack: SlackWorkspace, sqlite_catalog_engine: Engine) -> None:
    before = len(slack.stub.calls_to("chat.postMessage"))
    assert slack.send(sr.as_event(sr.user_change("U0TANAKA", "田中(防災)"))).status_code == 200
    assert slack.send(sr.as_event(sr.user_change("U0OUTSIDER", "部外者"))).status_code == 200
    slack.settle()
    with session_scope(sqlite_catalog_engine) as s:
        member = find_member(s, "slack", "U0TANAKA")
        assert member is not None and member.name == "田中(防災)"
        assert find_member(s, "slack", "U0OUTSIDER") is None  # nobody is registered by a profile event
    assert len(slack.stub.calls_to("chat.postMessage")) == before  # nothing is said
    assert "田中(防災)さん" in texts_of(slack.say("No.34の実績は?", user="U0TANAKA"))


@pytest.mark.parametrize(("user", "reviews_kiki", "reviews_jinji"), [
    ("stranger", False, False), ("tanaka", False, False), ("sato", False, False),
    ("suzuki", False, True),  # a manager reviews their own department only
    ("desk", False, False),  # the coordinating division's staff see everything but do not review
    ("boss", True, True),
])
def test_who_reviews_is_asked_of_permissions(office: tuple[Engine, Settings], user: str, reviews_kiki: bool,
                                             reviews_jinji: bool) -> None:
    from bot.reporting import approval

    engine, settings = office
    with session_scope(engine) as s:
        member = find_member(s, "console", user)
        kiki, jinji = find_department(s, "危機管理課"), find_department(s, "人事課")
        assert kiki is not None and jinji is not None
        assert approval.can_review(s, settings, member, kiki.id) is reviews_kiki
        assert approval.can_review(s, settings, member, jinji.id) is reviews_jinji
