"""The outbox: one row per key, claimed by one sender, retried with backoff, never sent twice.

LINE's side is the local stand-in server (tests/fakes/line_api.py) behind the real LineSender.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from sqlalchemy import Engine

from bot.core import outbox
from bot.core.config import Settings
from bot.core.messages import Choice, Reply
from bot.core.outbox import ConsoleSender, NewMessage, claim, claim_batch, deliver_due, enqueue, enqueue_many
from bot.handlers.line.api import LineApi, LineSender, retry_key
from bot.storage.db import make_engine, session_scope
from tests.conftest import jst, member, outbox_rows
from tests.fakes.line_api import PUSH, FakeLineApi, Scripted

TOKEN = "test-access-token"
T0 = jst(2027, 2, 8, 9, 0)


def line_user(i: int) -> str:
    return f"U{i:032x}"


@pytest.fixture
def line_api() -> Iterator[FakeLineApi]:
    api = FakeLineApi(token=TOKEN).start()
    yield api
    api.stop()
    assert api.errors == [], "the outbox sent requests the Messaging API would refuse"


def line_settings(api: FakeLineApi, budget: int = 500, **extra: object) -> Settings:
    return Settings(bot_now=T0, line_channel_access_token=TOKEN, line_api_url=api.url,
                    line_push_monthly_budget=budget, **extra)  # type: ignore[arg-type]


def line_sender(settings: Settings, engine: Engine) -> LineSender:
    """The real LINE sender, without its own quick retries, so that the outbox's retries show."""
    return LineSender(settings, engine, LineApi(settings, engine, backoff=()))


def message(key: str, recipient: str = "tanaka", platform: str = "console") -> NewMessage:
    return NewMessage(key, platform, recipient, "nudge",
                      [Reply("未提出の取組があります", (Choice("No.34を報告", "報告 34"),))], meta={"measures": [34]})


def queue(engine: Engine, *messages: NewMessage, at: datetime = T0) -> None:
    """Messages due at T0: the tests drive the delivery clock by hand from there."""
    with session_scope(engine) as s:
        enqueue_many(s, messages, at, due=T0)


def test_a_second_enqueue_of_the_same_key_changes_nothing(engine: Engine) -> None:
    with session_scope(engine) as s:
        assert enqueue(s, message("R8/危機管理課/nudge/3/console:tanaka"), T0) is True
    with session_scope(engine) as s:
        other = NewMessage("R8/危機管理課/nudge/3/console:tanaka", "console", "someone-else", "nudge", [Reply("別")])
        assert enqueue(s, other, T0 + timedelta(hours=1)) is False
    [row] = outbox_rows(engine)
    assert (row.recipient, row.status, row.attempts) == ("tanaka", "queued", 0)
    assert outbox.replies_from_payload(row.payload)[0].choices == (Choice("No.34を報告", "報告 34"),)


def test_a_push_failing_twice_then_accepted_is_delivered_once(
    sqlite_catalog_engine: Engine, line_api: FakeLineApi
) -> None:
    settings = line_settings(line_api)
    senders = {"line": line_sender(settings, sqlite_catalog_engine)}
    queue(sqlite_catalog_engine, message("R8/危機管理課/nudge/1/line:x", line_user(1), "line"))
    line_api.fail_next(PUSH, Scripted(500), Scripted(503))

    first = deliver_due(sqlite_catalog_engine, settings, T0, senders)
    assert first.retrying == ["R8/危機管理課/nudge/1/line:x"]
    assert deliver_due(sqlite_catalog_engine, settings, T0 + timedelta(seconds=59), senders).retrying == []  # backoff
    second = deliver_due(sqlite_catalog_engine, settings, T0 + timedelta(seconds=61), senders)
    assert second.retrying == ["R8/危機管理課/nudge/1/line:x"]
    assert deliver_due(sqlite_catalog_engine, settings, T0 + timedelta(seconds=61 + 119), senders).sent == []  # 2 min
    third = deliver_due(sqlite_catalog_engine, settings, T0 + timedelta(seconds=61 + 121), senders)
    assert third.sent == ["R8/危機管理課/nudge/1/line:x"]

    assert [c.status for c in line_api.of(PUSH)] == [500, 503, 200]
    assert len(line_api.deliveries) == 1
    assert {c.retry_key for c in line_api.of(PUSH)} == {retry_key("R8/危機管理課/nudge/1/line:x#0")}
    [row] = outbox_rows(sqlite_catalog_engine)
    assert (row.status, row.attempts, row.last_error) == ("sent", 3, None)
    assert deliver_due(sqlite_catalog_engine, settings, T0 + timedelta(days=1), senders).sent == []


def test_a_message_is_given_up_after_the_last_attempt(sqlite_catalog_engine: Engine, line_api: FakeLineApi) -> None:
    settings = line_settings(line_api, outbox_max_attempts=3, outbox_backoff_seconds=1)
    senders = {"line": line_sender(settings, sqlite_catalog_engine)}
    queue(sqlite_catalog_engine, message("k/line", line_user(2), "line"))
    line_api.fail_next(PUSH, *[Scripted(500)] * 5)
    moment = T0
    for _ in range(6):
        deliver_due(sqlite_catalog_engine, settings, moment, senders)
        moment += timedelta(minutes=10)
    [row] = outbox_rows(sqlite_catalog_engine)
    assert (row.status, row.attempts, row.next_attempt_at) == ("failed", 3, None)
    assert "LineDeliveryError" in (row.last_error or "")
    assert len(line_api.of(PUSH)) == 3 and line_api.deliveries == []


def test_a_message_left_sending_by_a_dead_process_is_sent_after_its_lease(engine: Engine) -> None:
    settings = Settings(outbox_lease_seconds=300)
    queue(engine, message("R8/危機管理課/open/1/console:tanaka"), message("R8/危機管理課/open/1/console:kacho", "kacho"))
    [first, _] = [r.id for r in outbox_rows(engine)]
    assert claim(engine, settings, first, T0) is not None  # ... and the process dies before sending
    assert claim(engine, settings, first, T0) is None  # nobody else takes it while the lease holds

    during = deliver_due(engine, settings, T0 + timedelta(seconds=10), {"console": ConsoleSender()})
    assert during.sent == ["R8/危機管理課/open/1/console:kacho"]
    after = deliver_due(engine, settings, T0 + timedelta(seconds=301), {"console": ConsoleSender()})
    assert after.sent == ["R8/危機管理課/open/1/console:tanaka"]
    rows = {r.key: r for r in outbox_rows(engine)}
    assert rows["R8/危機管理課/open/1/console:tanaka"].attempts == 2
    assert {r.status for r in rows.values()} == {"sent"}


def test_a_platform_without_a_sender_keeps_its_messages_queued(sqlite_catalog_engine: Engine) -> None:
    queue(sqlite_catalog_engine, message("k/slack", "U0TANAKA", "slack"), message("k/console"))
    report = deliver_due(sqlite_catalog_engine, Settings(), T0, {"console": ConsoleSender()})
    assert report.sent == ["k/console"]
    assert {r.key: r.status for r in outbox_rows(sqlite_catalog_engine)} == {"k/slack": "queued", "k/console": "sent"}


def test_two_senders_at_once_deliver_each_message_once(catalog_url: str, catalog_engine: Engine,
                                                       line_api: FakeLineApi) -> None:
    """Two sender loops (each with its own connection pool, as two processes) race for 60 messages."""
    settings = line_settings(line_api)
    keys = [f"R8/課{i}/nudge/1/line:{line_user(i)}" for i in range(60)]
    queue(catalog_engine, *[message(k, line_user(i), "line") for i, k in enumerate(keys)])
    engines = [make_engine(catalog_url) for _ in range(2)]
    reports: list[outbox.DeliveryReport] = []
    start = threading.Barrier(2)

    def run(eng: Engine) -> None:
        start.wait()
        reports.append(deliver_due(eng, settings, T0, {"line": line_sender(settings, eng)}, batch=7))

    threads = [threading.Thread(target=run, args=(eng,)) for eng in engines]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    for eng in engines:
        eng.dispose()

    sent = [k for r in reports for k in r.sent]
    assert sorted(sent) == sorted(keys)  # together they sent all, and no key twice
    assert all(r.sent for r in reports), "both loops should have taken part"
    delivered = Counter(c.retry_key for c in line_api.deliveries)
    assert len(delivered) == 60 and set(delivered.values()) == {1}
    assert [c.status for c in line_api.of(PUSH)] == [200] * 60  # nobody even tried a second time
    assert {(r.status, r.attempts) for r in outbox_rows(catalog_engine)} == {("sent", 1)}


def test_a_push_refused_by_the_budget_goes_to_the_persons_other_account(
    sqlite_catalog_engine: Engine, line_api: FakeLineApi
) -> None:
    member(sqlite_catalog_engine, "line", line_user(7), "危機管理課", person="tanaka")
    member(sqlite_catalog_engine, "console", "tanaka", "危機管理課", person="tanaka")
    member(sqlite_catalog_engine, "line", line_user(8), "危機管理課", person="sato")
    settings = line_settings(line_api, budget=0)
    senders = {"line": line_sender(settings, sqlite_catalog_engine), "console": ConsoleSender()}
    queue(sqlite_catalog_engine, message(f"R8/危機管理課/nudge/2/line:{line_user(7)}", line_user(7), "line"),
          message(f"R8/危機管理課/nudge/2/line:{line_user(8)}", line_user(8), "line"))

    report = deliver_due(sqlite_catalog_engine, settings, T0, senders)

    assert report.rerouted == [f"R8/危機管理課/nudge/2/line:{line_user(7)}"]
    assert report.failed == [f"R8/危機管理課/nudge/2/line:{line_user(8)}"]
    assert report.sent == ["R8/危機管理課/nudge/2/console:tanaka"]  # the fallback went out in the same loop
    rows = {r.key: r for r in outbox_rows(sqlite_catalog_engine)}
    fallback = rows["R8/危機管理課/nudge/2/console:tanaka"]
    assert fallback.payload["fallback_from"] == f"line:{line_user(7)}" and fallback.payload["measures"] == [34]
    assert rows[f"R8/危機管理課/nudge/2/line:{line_user(7)}"].last_error.endswith("→ console:tanaka")
    assert rows[f"R8/危機管理課/nudge/2/line:{line_user(8)}"].next_attempt_at is None  # not retried this month
    assert line_api.calls == []


def test_a_claim_takes_at_most_its_batch_and_a_second_claim_takes_others(catalog_url: str,
                                                                          catalog_engine: Engine) -> None:
    queue(catalog_engine, *[message(f"k{i:02d}", f"user{i}") for i in range(30)])
    other = make_engine(catalog_url)
    try:
        first = claim_batch(catalog_engine, Settings(), T0, ["console"], 7)
        second = claim_batch(other, Settings(), T0, ["console"], 7)
    finally:
        other.dispose()
    assert [m.key for m in first] == [f"k{i:02d}" for i in range(7)]
    assert [m.key for m in second] == [f"k{i:02d}" for i in range(7, 14)]
    assert claim_batch(catalog_engine, Settings(), T0, ["slack"], 7) == []
