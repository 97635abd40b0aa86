"""The approval loop in Slack and LINE, through the stand-ins of their servers: the reviewer's
notification arrives with 承認 / 差戻し buttons (Slack block buttons, LINE postbacks), 差戻し asks
for the reason, the reporter is told and revises from the 修正 button, the revision goes back to
the reviewer, 承認 tapped twice is processed once."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import Engine

from bot.catalog.store import find_department, measure_by_no
from bot.core.config import Settings
from bot.core.outbox import deliver_due
from bot.core.web import create_app
from bot.handlers.line.api import LineSender
from bot.handlers.slack.api import SlackSender
from bot.people.members import add_member
from bot.reporting import reports
from bot.storage import audit
from bot.storage.db import session_scope
from tests.conftest import DM, SlackWorkspace, flask_transport, texts_of
from tests.conftest import SLACK_USER as USER
from tests.fakes import slack_requests as sr
from tests.fakes.line_api import PUSH, Call, FakeLineApi
from tests.fakes.slack_api import SlackApiStub
from tests.test_line import TOKEN, Bot, line_settings
from tests.test_slack import slack_settings

KACHO = "U0KACHO"
KACHO_DM = "D" + KACHO
LINE_REPORTER = "U4af4980629b1c2d3e4f5a6b7c8d9e0f1"
LINE_KACHO = "U9cc0029b1c2d3e4f5a6b7c8d9e0f1a2b"
REASON = "受講者数の根拠(名簿の人数)を実施結果に書き添えてください。"


def state_34(engine: Engine) -> tuple[int, str, str | None]:
    with session_scope(engine) as s:
        dept = find_department(s, "危機管理課")
        report = reports.current_report(s, measure_by_no(s, 34).id, dept.id, 2026)
        assert report is not None
        return report.revision, report.status, report.review_comment


def review_entries(engine: Engine) -> list[str]:
    with session_scope(engine) as s:
        return [e.action for e in audit.entries(s, measure_no=34)]


def register(engine: Engine, platform: str, user: str, role: str, name: str, now: datetime) -> None:
    with session_scope(engine) as s:
        add_member(s, platform, user, find_department(s, "危機管理課"), role, name, now=now)


# --- Slack ------------------------------------------------------------------------------------------


@pytest.fixture
def slack(settings: Settings, sqlite_catalog_engine: Engine, now: datetime) -> Iterator[tuple[SlackWorkspace, Settings]]:
    register(sqlite_catalog_engine, "slack", USER, "staff", "田中 一郎", now)
    register(sqlite_catalog_engine, "slack", KACHO, "manager", "山田 課長", now)
    with SlackApiStub() as stub:
        configured = slack_settings(settings, stub)
        app = create_app(configured, sqlite_catalog_engine)
        yield SlackWorkspace(flask_transport(app), stub, sqlite_catalog_engine), configured
        app.extensions["kaikaku_slack"].worker.shutdown()


def slack_tap(ws: SlackWorkspace, label: str, user: str) -> list[dict[str, Any]]:
    """`user` taps the latest button `label` in their DM with the bot."""
    channel = "D" + user
    message, action_id = ws.button(label, channel)
    return ws.exchange(sr.as_interaction(sr.tap(message, action_id, user=user)), channel)


def slack_deliver(ws: SlackWorkspace, settings: Settings) -> None:
    deliver_due(ws.engine, settings, senders={"slack": SlackSender(settings)})


def slack_submit(ws: SlackWorkspace) -> None:
    ws.say("報告 34")
    ws.tap("実施中")
    ws.say("養成講座を3回開催し、新たに150名が受講した。")
    ws.say("1,650名")
    ws.tap("見込み")
    ws.tap("B 概ね達成")
    assert "提出しました" in texts_of(ws.tap("確定"))


def test_the_whole_loop_in_slack(slack: tuple[SlackWorkspace, Settings]) -> None:
    ws, settings = slack
    slack_submit(ws)
    slack_deliver(ws, settings)
    [asked] = ws.stub.posted(KACHO_DM)
    buttons = [e for b in asked["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert [(b["text"]["text"], b["value"]) for b in buttons] == [("承認", "承認 34 危機管理課 第1版"),
                                                                  ("差戻し", "差戻し 34 危機管理課 第1版")]
    assert "田中 一郎さん" in texts_of([asked]) and "1,650名" in texts_of([asked]) and USER not in texts_of([asked])

    assert "理由を入力してください" in texts_of(slack_tap(ws, "差戻し", KACHO))
    assert "差し戻しました" in texts_of(ws.say(REASON, user=KACHO))
    assert state_34(ws.engine) == (1, "returned", REASON)

    slack_deliver(ws, settings)
    told = ws.stub.posted(DM)[-1]
    assert "山田 課長さんから差し戻されました" in texts_of([told]) and REASON in texts_of([told])
    revising = slack_tap(ws, "修正", USER)
    assert "差し戻されています" in texts_of(revising) and REASON in texts_of(revising)
    ws.tap("修正する")  # the field menu (issue 14)
    ws.tap("実施結果")
    ws.say("養成講座を3回開催し、新たに150名が受講した(受講者名簿による)。")
    assert "提出しました(第2版)" in texts_of(ws.tap("確定"))

    slack_deliver(ws, settings)
    again = ws.stub.posted(KACHO_DM)[-1]
    assert "再提出" in texts_of([again]) and "受講者名簿による" in texts_of([again])
    message, action_id = ws.button("承認", KACHO_DM)
    taps = [sr.as_interaction(sr.tap(message, action_id, user=KACHO)) for _ in range(2)]
    first, second = (ws.exchange(tap, KACHO_DM) for tap in taps)  # a double tap: two interactions
    assert "承認しました" in texts_of(first) and second == []  # Slack: one answer per message and user
    assert "承認済みです" in texts_of(ws.say("承認 34", user=KACHO))  # typed again: told it is done
    assert state_34(ws.engine)[:2] == (2, "approved")
    assert review_entries(ws.engine) == ["submit", "return", "revise", "approve"]

    slack_deliver(ws, settings)
    slack_deliver(ws, settings)
    approved = [m for m in ws.stub.posted(DM) if "承認しました" in m["text"]]
    assert len(approved) == 1 and "山田 課長さんが承認しました" in approved[0]["text"]


def test_a_non_reviewer_is_refused_in_slack(slack: tuple[SlackWorkspace, Settings]) -> None:
    ws, _ = slack
    slack_submit(ws)
    refused = ws.say("承認 34")
    assert "申し訳ありません" in texts_of(refused) and state_34(ws.engine)[1] == "submitted"


# --- LINE -------------------------------------------------------------------------------------------


@pytest.fixture
def line(sqlite_catalog_url: str, sqlite_catalog_engine: Engine, now: datetime) -> Iterator[tuple[Bot, FakeLineApi]]:
    register(sqlite_catalog_engine, "line", LINE_REPORTER, "staff", "田中 一郎", now)
    register(sqlite_catalog_engine, "line", LINE_KACHO, "manager", "山田 課長", now)
    api = FakeLineApi(token=TOKEN).start()
    bot = Bot(line_settings(sqlite_catalog_url, api, now), sqlite_catalog_engine, api)
    yield bot, api
    bot.close()
    api.stop()
    assert api.errors == [], "the bot sent requests the Messaging API would refuse"


def line_deliver(bot: Bot) -> list[Call]:
    """Run the outbox's sender; the pushes it made."""
    before = len(bot.api.of(PUSH))
    deliver_due(bot.engine, bot.settings, senders={"line": LineSender(bot.settings, bot.engine, bot.adapter.api)})
    return bot.api.of(PUSH)[before:]


def pushed_to(calls: list[Call], user: str) -> list[Call]:
    return [c for c in calls if c.body.get("to") == user]


def test_the_whole_loop_in_line(line: tuple[Bot, FakeLineApi]) -> None:
    bot, _ = line
    progress = bot.say("報告 34", user=LINE_REPORTER)
    bot.tap(progress, "実施中", user=LINE_REPORTER)
    actual = bot.say("養成講座を3回開催し、新たに150名が受講した。", user=LINE_REPORTER)
    basis = bot.say("1,650名", user=LINE_REPORTER)
    rating = bot.tap(basis, "見込み", user=LINE_REPORTER)
    summary = bot.tap(rating, "B 概ね達成", user=LINE_REPORTER)
    assert "提出しました" in bot.tap(summary, "確定", user=LINE_REPORTER).texts[0]
    assert actual.texts

    [asked] = pushed_to(line_deliver(bot), LINE_KACHO)
    items = asked.body["messages"][-1]["quickReply"]["items"]
    assert [(i["action"]["type"], i["action"]["data"]) for i in items] == [
        ("postback", "承認 34 危機管理課 第1版"), ("postback", "差戻し 34 危機管理課 第1版")]
    assert any(m["type"] == "flex" for m in asked.body["messages"])  # the content, as a card
    assert "田中 一郎さん" in json.dumps(asked.body, ensure_ascii=False)

    reason = bot.tap(asked, "差戻し", user=LINE_KACHO)
    assert "理由を入力してください" in reason.texts[-1]
    assert "差し戻しました" in bot.say(REASON, user=LINE_KACHO).texts[0]
    [told] = pushed_to(line_deliver(bot), LINE_REPORTER)
    assert "山田 課長さんから差し戻されました" in told.texts[0] and REASON in told.texts[0]

    revising = bot.tap(told, "修正", user=LINE_REPORTER)
    assert REASON in " ".join(revising.texts)
    fields = bot.tap(revising, "修正する", user=LINE_REPORTER)  # the field menu (issue 14)
    text_step = bot.tap(fields, "実施結果", user=LINE_REPORTER)
    assert text_step.texts
    summary = bot.say("養成講座を3回開催し、新たに150名が受講した(受講者名簿による)。", user=LINE_REPORTER)
    assert "提出しました(第2版)" in bot.tap(summary, "確定", user=LINE_REPORTER).texts[0]

    [again] = pushed_to(line_deliver(bot), LINE_KACHO)
    assert "再提出" in again.texts[0]
    first = bot.tap(again, "承認", user=LINE_KACHO)
    second = bot.tap(again, "承認", user=LINE_KACHO)  # tapped twice: processed once
    assert "承認しました" in first.texts[0] and "承認済みです" in second.texts[0]
    assert state_34(bot.engine)[:2] == (2, "approved")
    assert review_entries(bot.engine) == ["submit", "return", "revise", "approve"]
    [approved] = pushed_to(line_deliver(bot), LINE_REPORTER)
    assert "山田 課長さんが承認しました" in approved.texts[0]
    assert line_deliver(bot) == []  # nothing twice
