"""A third platform from one package (tests/fake_chat), registered in one place, runs the whole bot:
a reminder from the clock's outbox, a full 報告, a question — through the shared pipeline."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import Engine, select

from bot import texts
from bot.cli.schedule import install_senders
from bot.clock.reminders import enqueue_reminders
from bot.core import outbox, platforms
from bot.core.config import Settings
from bot.core.messages import Incoming, Mention
from bot.core.outbox import deliver_due
from bot.core.router import route
from bot.core.web import create_app
from bot.people.members import find_member
from bot.storage.db import session_scope
from bot.storage.models import InboundEvent, Report
from bot.texts import platforms as platform_texts
from tests import fake_chat
from tests.conftest import Bot, jst, member

USER = "fc-tanaka"


class Client:
    """The fake chat tool's user: types, taps a button, reads what came back."""

    def __init__(self, app: Any, chat: fake_chat.Chat) -> None:
        self.app, self.http, self.chat = app, app.test_client(), chat
        self.ids = itertools.count(1)

    def seen(self) -> int:
        return len(self.chat.messages.get(USER, []))

    def send(self, **payload: str) -> list[dict[str, Any]]:
        before = self.seen()
        response = self.http.post("/fake_chat/events", json={"id": f"e{next(self.ids)}", "user": USER, **payload},
                                  headers={"X-Fake-Token": fake_chat.TOKEN})
        assert response.status_code == 200
        return self.chat.wait_for(USER, before + 1)[before:]

    def say(self, text: str) -> list[dict[str, Any]]:
        return self.send(text=text)

    def tap(self, messages: list[dict[str, Any]], label: str) -> list[dict[str, Any]]:
        value = next(v for m in messages for lbl, v in m["buttons"] if lbl == label)
        return self.send(value=value)


@pytest.fixture
def fake(settings: Settings, sqlite_catalog_engine: Engine) -> Iterator[Client]:
    chat = fake_chat.Chat()
    platforms.register(fake_chat.platform(chat))  # the one place the platform is added
    app = create_app(settings, sqlite_catalog_engine)
    yield Client(app, chat)
    app.extensions[fake_chat.NAME].shutdown()
    platforms.unregister(fake_chat.NAME)
    outbox.unregister_sender(fake_chat.NAME)


def test_a_platform_added_from_one_package_runs_reminder_report_and_question(
        fake: Client, settings: Settings, sqlite_catalog_engine: Engine, now: datetime) -> None:
    engine = sqlite_catalog_engine
    assert fake.app.config["KAIKAKU_PLATFORMS"] == [fake_chat.NAME]  # the web process mounted it
    member(engine, fake_chat.NAME, USER, "危機管理課")  # members accept the registered platform

    # The clock: the opening reminder, queued and delivered through the platform's sender.
    assert fake_chat.NAME in install_senders(settings, engine)
    with session_scope(engine) as s:
        queued = enqueue_reminders(s, settings, jst(2027, 2, 1))
    assert [(m.platform, m.recipient) for m in queued] == [(fake_chat.NAME, USER)]
    assert len(deliver_due(engine, settings, jst(2027, 2, 1, 9, 1)).sent) == 1
    reminder = fake.chat.wait_for(USER, 1)
    assert "No.34" in reminder[0]["text"]

    # 報告 from the reminder's button, answered step by step, 確定 → the report is saved.
    progress = fake.tap(reminder, "No.34を報告")
    result = fake.tap(progress, "実施中")
    basis = fake.say("地域の防災訓練にあわせて養成講座を3回開催した。\n新たに150名が受講した。")
    assert result and basis
    rating = fake.tap(fake.say("１，６５０名"), "見込み")
    summary = fake.tap(rating, "B 概ね達成")
    assert "1,650名" in "\n".join(m["text"] for m in summary)
    done = fake.tap(summary, "確定")
    assert "提出しました" in done[0]["text"]
    with session_scope(engine) as s:
        report = s.scalar(select(Report).where(Report.is_current.is_(True)))
        assert report is not None
        assert (report.measure.no, report.status, report.rating) == (34, "submitted", "B")
        assert report.reported_by == f"{fake_chat.NAME}:{USER}"
        assert [(a.metric, int(a.value), a.basis) for a in report.actuals] == [("コミュニティ防災士数", 1650, "estimate")]

    # A question.
    assert "1,700名" in "\n".join(m["text"] for m in fake.say("No.34の目標は?"))

    # Every message went through the shared pipeline: recorded once, processed, replies kept.
    fake.app.extensions[fake_chat.NAME].shutdown(wait=True)
    with session_scope(engine) as s:
        events = s.scalars(select(InboundEvent).where(InboundEvent.platform == fake_chat.NAME)).all()
        assert len(events) == 8 and {e.status for e in events} == {"processed"}
        assert all(e.payload.get("replies") for e in events)


def test_a_redelivered_event_of_the_new_platform_is_processed_once(fake: Client, sqlite_catalog_engine: Engine) -> None:
    for _ in range(2):
        fake.http.post("/fake_chat/events", json={"id": "same", "user": USER, "text": "ヘルプ"},
                       headers={"X-Fake-Token": fake_chat.TOKEN})
    assert len(fake.chat.wait_for(USER, 1)) == 1
    fake.http.post("/fake_chat/events", json={"id": "other", "user": USER, "text": "ヘルプ"},
                   headers={"X-Fake-Token": fake_chat.TOKEN})
    assert len(fake.chat.wait_for(USER, 2)) == 2  # the second id is answered: the first was not held back


def test_the_registry_is_what_web_members_and_settings_read(settings: Settings, sqlite_catalog_engine: Engine) -> None:
    assert platforms.names()[:3] == ("slack", "line", "console")
    assert Settings().delivery_platform_order == list(platforms.names())
    assert platforms.with_capability("images") == ("slack",)
    app = create_app(settings, sqlite_catalog_engine)  # nothing configured: no web platform mounted
    assert app.config["KAIKAKU_PLATFORMS"] == []
    with pytest.raises(ValueError):
        member(sqlite_catalog_engine, fake_chat.NAME, USER, "危機管理課")  # not registered: not a platform


# ---- features that left the adapters, now neutral ------------------------------------------------

def test_linking_by_mention_works_on_any_platform(settings: Settings, sqlite_catalog_engine: Engine) -> None:
    engine = sqlite_catalog_engine
    member(engine, "console", "coord", "デジタル行政戦略課", role="coordinator")
    linked = route(settings, engine, Incoming("console", "coord", "console", text="登録 @newbie 危機管理課 管理職",
                                              mentions=(Mention("newbie", "@山田"),)))
    assert linked[0].text == "@山田 さんを危機管理課(管理職)として登録しました。"
    with session_scope(engine) as s:
        found = find_member(s, "console", "newbie")
        assert found is not None and found.department.name == "危機管理課" and found.role == "manager"
    unknown = route(settings, engine, Incoming("console", "coord", "console", text="登録 @newbie 危機管理 管理職",
                                               mentions=(Mention("newbie", "@山田"),)))
    assert "危機管理課" in unknown[0].text  # the nearest names are offered
    # Without a resolved mention it is no link command (a typed "@name" names nobody).
    typed = route(settings, engine, Incoming("console", "coord", "console", text="登録 @nobody 危機管理課"))
    assert "登録しました" not in typed[0].text
    with session_scope(engine) as s:
        assert find_member(s, "console", "nobody") is None


def test_only_the_coordinator_links_by_mention(settings: Settings, sqlite_catalog_engine: Engine) -> None:
    member(sqlite_catalog_engine, "console", "tanaka", "危機管理課")
    said = route(settings, sqlite_catalog_engine, Incoming("console", "tanaka", "console", text="登録 @x 危機管理課",
                                                            mentions=(Mention("x", "@x"),)))
    assert said[0].text == platform_texts.LINK_ONLY_COORDINATOR


def test_the_greeting_is_a_neutral_event(settings: Settings, sqlite_catalog_engine: Engine) -> None:
    stranger = route(settings, sqlite_catalog_engine, Incoming("console", "new", "console", event="greeting"))
    assert [r.text for r in stranger] == [f"{platform_texts.GREETING}\n{texts.UNREGISTERED.format(coordinator=settings.coordinator_department)}", texts.HELP]
    member(sqlite_catalog_engine, "console", "known", "危機管理課")
    known = route(settings, sqlite_catalog_engine, Incoming("console", "known", "console", event="greeting"))
    assert [r.text for r in known] == [platform_texts.GREETING, texts.HELP]


def test_the_status_view_is_neutral_replies(settings: Settings, sqlite_catalog_engine: Engine) -> None:
    member(sqlite_catalog_engine, "console", "tanaka", "危機管理課")
    view = route(settings, sqlite_catalog_engine, Incoming("console", "tanaka", "console", event="status"))
    assert "危機管理課" in view[0].text and "未着手 3件" in view[0].text
    assert view[0].choices[0].value == "報告"
    assert [(r.text.split()[1], r.choices[0].value) for r in view[1:]] == [
        ("No.34", "報告 34"), ("No.35", "報告 35"), ("No.44", "報告 44")]
    stranger = route(settings, sqlite_catalog_engine, Incoming("console", "x", "console", event="status"))
    assert [r.text for r in stranger] == [texts.UNREGISTERED.format(coordinator=settings.coordinator_department)]


def test_the_harness_drives_any_platform_by_taps_and_a_clock(bot: Bot) -> None:
    """tests/conftest.py's whole-bot harness: the status view on each platform, a tap on its button
    starts the report there, and the clock moves the dialog past its timeout."""
    for platform in ("console", "slack", "line"):
        user = bot.member(f"u-{platform}", "危機管理課", platform=platform)
        home = bot.replies(user, platform=platform, event="status")
        assert "未着手 3件" in home[0].text
        assert "令和8年度の実施結果を報告します" in bot.tap(user, "報告する", platform=platform)
    bot.later(hours=25)
    assert "24時間以上たちました" in bot.say("u-console", "1")
