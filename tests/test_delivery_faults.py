"""Delivery under faults, through the Slack and LINE stand-ins (tests/fakes/):

- a 429 storm on one Slack channel: the outbox sender never sleeps, gives the storm's messages back
  with their next attempt at Retry-After, and the other channels' messages still go out;
- a sending process killed (SIGKILL) right after the stand-in took its post, before it heard back:
  after the restart there is no second copy (Slack: the key in the message metadata, looked up in
  the channel's history; LINE: the push's retry key, 409; a reply: the used reply token);
- an inbound event left `processing` by a lost worker is taken up again once its lease runs out,
  by one worker only, and its answer is sent once.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, update

from bot.core import inbox
from bot.core.config import SecretStr, Settings
from bot.core.outbox import NewMessage, deliver_due, enqueue_many, real_now
from bot.core.worker import EventWorker
from bot.handlers.slack.api import SlackSender
from bot.storage.db import session_scope
from bot.storage.models import InboundEvent
from tests.conftest import outbox_rows
from tests.fakes import slack_api as slack_fake
from tests.fakes.line_api import PUSH, REPLY, FakeLineApi
from tests.fakes.line_api import _openapi as line_definition
from tests.fakes.slack_api import SlackApiStub
from tests.test_line import SECRET as LINE_SECRET
from tests.test_line import TOKEN as LINE_TOKEN
from tests.test_line import USER as LINE_USER
from tests.test_line import Bot, fixture, line_settings, sign
from tests.test_outbox import T0, message, queue

KAIKAKU = [sys.executable, "-m", "bot"]


@pytest.fixture(autouse=True)
def _line_definition_loaded() -> None:
    """Load LINE's OpenAPI definition before any request: on a busy machine its first load can
    outlast the bot's 15 s read timeout inside the stand-in."""
    line_definition()


@pytest.fixture
def slack_api() -> Iterator[SlackApiStub]:
    with SlackApiStub() as stub:
        yield stub


@pytest.fixture
def line_api() -> Iterator[FakeLineApi]:
    api = FakeLineApi(token=LINE_TOKEN).start()
    yield api
    api.stop()
    assert api.errors == []


def slack_settings(stub: SlackApiStub, **extra: Any) -> Settings:
    return Settings(bot_now=T0, slack_bot_token=SecretStr("xoxb-faults"), slack_api_url=stub.url, **extra)


# --- a 429 storm ---------------------------------------------------------------------------------


def test_a_429_storm_on_one_channel_holds_that_channel_while_the_others_flow(
        sqlite_catalog_engine: Engine, slack_api: SlackApiStub) -> None:
    settings = slack_settings(slack_api)
    storm, calm = "C0STORM", "C0CALM"
    queue(sqlite_catalog_engine, *[message(f"k/{c}/{i}", c, "slack") for i in range(4) for c in (storm, calm)])
    slack_api.fail_next(1000, 429, retry_after=30, channels=(storm,))

    started = time.monotonic()
    report = deliver_due(sqlite_catalog_engine, settings, T0, {"slack": SlackSender(settings)})
    assert time.monotonic() - started < 10  # nobody slept through a Retry-After of 30 s

    assert sorted(report.sent) == [f"k/{calm}/{i}" for i in range(4)]
    assert len(slack_api.posted(calm)) == 4 and slack_api.posted(storm) == []
    assert len(slack_api.attempts_of("chat.postMessage")) == 5  # the storm was asked once, not four times
    held = {r.key: r for r in outbox_rows(sqlite_catalog_engine) if storm in r.key}
    assert sorted(report.held) == sorted(held)
    for row in held.values():  # given back: queued, the attempt not counted, due after Retry-After
        assert (row.status, row.attempts) == ("queued", 0)
        assert row.next_attempt_at == T0 + timedelta(seconds=30)

    assert deliver_due(sqlite_catalog_engine, settings, T0 + timedelta(seconds=29), {"slack": SlackSender(settings)}).sent == []
    slack_api.clear_faults()  # the storm is over
    later = deliver_due(sqlite_catalog_engine, settings, T0 + timedelta(seconds=31), {"slack": SlackSender(settings)})
    assert sorted(later.sent) == sorted(held)
    assert [m["metadata"]["event_payload"]["key"] for m in slack_api.posted(storm)] == [f"k/{storm}/{i}:0" for i in range(4)]
    assert {(r.status, r.attempts) for r in outbox_rows(sqlite_catalog_engine)} == {("sent", 1)}


# --- SIGKILL right after the platform took the message ---------------------------------------------


SENDER = """
import sys
from bot.core.config import Settings
from bot.core.outbox import deliver_due
from bot.storage.db import make_engine
settings = Settings()
engine = make_engine(settings.database_url)
if sys.argv[1] == "slack":
    from bot.handlers.slack.api import SlackSender
    senders = {"slack": SlackSender(settings)}
else:
    from bot.handlers.line.api import LineSender
    senders = {"line": LineSender(settings, engine)}
print(deliver_due(engine, settings, senders=senders).sent)
"""


def run_sender(platform: str, env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-c", SENDER, platform], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)


def queue_now(engine: Engine, *messages: NewMessage) -> None:
    with session_scope(engine) as s:
        enqueue_many(s, messages, T0, due=real_now() - timedelta(seconds=1))


def test_slack_a_sender_killed_after_its_post_does_not_post_it_again(
        sqlite_catalog_url: str, sqlite_catalog_engine: Engine, slack_api: SlackApiStub) -> None:
    env = {**os.environ, "DATABASE_URL": sqlite_catalog_url, "SLACK_BOT_TOKEN": "xoxb-faults",
           "SLACK_API_URL": slack_api.url}
    queue_now(sqlite_catalog_engine, *[message(f"k/kill/{i}", "C0KILL", "slack") for i in range(3)])
    box: list[subprocess.Popen[bytes]] = []
    posts = [0]

    def hook(call: slack_fake.Call) -> None:  # kill the sender right after Slack took the second post
        if call.method == "chat.postMessage":
            posts[0] += 1
            if posts[0] == 2:
                os.kill(box[0].pid, signal.SIGKILL)
                box[0].wait()

    slack_api.on_call = hook
    box.append(run_sender("slack", env))
    box[0].wait(timeout=60)
    assert box[0].returncode == -signal.SIGKILL
    assert len(slack_api.posted("C0KILL")) == 2  # the second went out; the sender never heard back
    rows = {r.key: r.status for r in outbox_rows(sqlite_catalog_engine)}
    assert rows == {"k/kill/0": "sent", "k/kill/1": "sending", "k/kill/2": "sending"}  # one batch

    slack_api.on_call = None  # the restart, once the dead sender's lease has run out
    settings = Settings(slack_bot_token=SecretStr("xoxb-faults"), slack_api_url=slack_api.url)
    after_lease = real_now() + timedelta(seconds=settings.outbox_lease_seconds + 1)
    report = deliver_due(sqlite_catalog_engine, settings, after_lease, {"slack": SlackSender(settings)})
    assert sorted(report.sent) == ["k/kill/1", "k/kill/2"]
    keys = [m["metadata"]["event_payload"]["key"] for m in slack_api.posted("C0KILL")]
    assert keys == ["k/kill/0:0", "k/kill/1:0", "k/kill/2:0"]  # each once, in order
    assert {r.status for r in outbox_rows(sqlite_catalog_engine)} == {"sent"}


def test_line_a_sender_killed_after_its_push_does_not_push_it_again(
        sqlite_catalog_url: str, sqlite_catalog_engine: Engine, line_api: FakeLineApi) -> None:
    env = {**os.environ, "DATABASE_URL": sqlite_catalog_url, "LINE_CHANNEL_ACCESS_TOKEN": LINE_TOKEN,
           "LINE_CHANNEL_SECRET": LINE_SECRET, "LINE_API_URL": line_api.url, "BOT_NOW": T0.isoformat()}
    users = [f"U{i:032x}" for i in range(3)]
    queue_now(sqlite_catalog_engine, *[message(f"k/line/{u}", u, "line") for u in users])
    box: list[subprocess.Popen[bytes]] = []

    def hook(call: Any) -> None:
        if call.path == PUSH and call.delivered and len(line_api.deliveries) == 2:
            os.kill(box[0].pid, signal.SIGKILL)
            box[0].wait()

    line_api.on_call = hook
    box.append(run_sender("line", env))
    box[0].wait(timeout=60)
    assert box[0].returncode == -signal.SIGKILL and len(line_api.deliveries) == 2

    line_api.on_call = None
    settings = line_settings(sqlite_catalog_url, line_api, T0)
    after_lease = real_now() + timedelta(seconds=settings.outbox_lease_seconds + 1)
    from bot.handlers.line.api import LineSender
    report = deliver_due(sqlite_catalog_engine, settings, after_lease, {"line": LineSender(settings, sqlite_catalog_engine)})
    assert sorted(report.sent) == sorted(f"k/line/{u}" for u in users[1:])
    assert sorted(c.body["to"] for c in line_api.deliveries) == users  # one push each
    assert [c.status for c in line_api.of(PUSH)] == [200, 200, 409, 200]  # the repeat: LINE knew its key


# --- an inbound event whose worker was lost --------------------------------------------------------


def expire_leases(engine: Engine) -> None:
    with session_scope(engine) as s:
        s.execute(update(InboundEvent).where(InboundEvent.status == "processing")
                  .values(lease_until=datetime.now(UTC) - timedelta(seconds=1)))


def test_an_event_left_processing_is_taken_up_once_after_its_lease(engine: Engine) -> None:
    now = datetime(2027, 2, 3, 1, 15, tzinfo=UTC)
    row = inbox.record(engine, "line", "we-stuck", {"text": "報告"}, now, claimed=True)  # …its worker is lost
    assert row is not None
    done: list[str] = []
    lock = threading.Lock()

    def process(payload: dict[str, Any]) -> None:
        with lock:
            done.append(payload["text"])

    workers = [EventWorker(engine, "line", process, lambda: now) for _ in range(2)]
    assert [w.retry_failed() for w in workers] == [[], []]  # the lease holds: nobody takes it
    expire_leases(engine)
    barrier = threading.Barrier(2)
    futures: list[Any] = []

    def look(worker: EventWorker) -> None:
        barrier.wait()
        futures.extend(worker.retry_failed())

    threads = [threading.Thread(target=look, args=(w,)) for w in workers]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    for f in futures:
        f.result(timeout=10)
    for w in workers:
        w.shutdown()
    assert done == ["報告"]  # taken up, once
    with session_scope(engine) as s:
        event = s.get(InboundEvent, row)
        assert event is not None and (event.status, event.attempts, event.lease_until) == ("processed", 2, None)
    # the lost worker, had it only been slow, does not record its outcome over the new claim
    assert inbox.finish(engine, row, now, error="late", attempt=1) is False
    with session_scope(engine) as s:
        assert s.get(InboundEvent, row).status == "processed"  # type: ignore[union-attr]


def test_line_a_stuck_event_is_answered_once(sqlite_catalog_url: str, sqlite_catalog_engine: Engine,
                                             line_api: FakeLineApi, now: datetime) -> None:
    bot = Bot(line_settings(sqlite_catalog_url, line_api, now), sqlite_catalog_engine, line_api)
    try:
        event = fixture("message_text")["events"][0]
        event |= {"webhookEventId": uuid.uuid4().hex.upper()[:26], "replyToken": uuid.uuid4().hex,
                  "timestamp": int((time.time() - 120) * 1000)}
        event["source"]["userId"] = LINE_USER
        event["message"]["text"] = "ヘルプ"
        inbox.record(sqlite_catalog_engine, "line", event["webhookEventId"], event, now, claimed=True)
        assert bot.adapter.worker.retry_failed() == []
        expire_leases(sqlite_catalog_engine)
        for f in bot.adapter.worker.retry_failed() + bot.adapter.worker.retry_failed():
            f.result(timeout=20)
        [push] = line_api.wait_for(1)
        assert push.path == PUSH and "kaikaku-bot でできること" in push.texts[0]  # the token was stale: pushed
        time.sleep(0.2)
        assert len(line_api.deliveries) == 1
    finally:
        bot.close()


# --- a LINE answer whose process died mid-reply ----------------------------------------------------


def free_port() -> int:
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve(env: dict[str, str], cwd: Path) -> subprocess.Popen[bytes]:
    import urllib.request
    proc = subprocess.Popen([*KAIKAKU, "serve"], env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{env['PORT']}/healthz", timeout=1):
                return proc
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise AssertionError("kaikaku serve did not start")


def post_line(env: dict[str, str], body: bytes) -> int:
    import urllib.request
    req = urllib.request.Request(f"http://127.0.0.1:{env['PORT']}/line/webhook", data=body, method="POST",
                                 headers={"Content-Type": "application/json", "X-Line-Signature": sign(body)})
    with urllib.request.urlopen(req, timeout=10) as response:
        return int(response.status)


def test_line_a_process_killed_after_its_reply_does_not_push_the_answer_again(
        sqlite_catalog_url: str, sqlite_catalog_engine: Engine, line_api: FakeLineApi, tmp_path: Path) -> None:
    env = {**os.environ, "DATABASE_URL": sqlite_catalog_url, "LINE_CHANNEL_ACCESS_TOKEN": LINE_TOKEN,
           "LINE_CHANNEL_SECRET": LINE_SECRET, "LINE_API_URL": line_api.url, "PORT": str(free_port()),
           "SECRET_KEY": "test-secret-key-for-faults", "BOT_NOW": "2027-02-03T10:15:00+09:00"}
    for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN"):
        env.pop(name, None)
    box: list[subprocess.Popen[bytes]] = []

    def hook(call: Any) -> None:  # LINE took the reply; the web process dies before it hears back
        if call.path == REPLY and call.delivered and box:
            os.kill(box[0].pid, signal.SIGKILL)
            box[0].wait()

    line_api.on_call = hook
    box.append(serve(env, tmp_path))
    body = fixture("message_text")
    event = body["events"][0]
    event |= {"webhookEventId": uuid.uuid4().hex.upper()[:26], "replyToken": uuid.uuid4().hex,
              "timestamp": int(time.time() * 1000)}
    event["source"]["userId"] = LINE_USER
    event["message"]["text"] = "ヘルプ"
    assert post_line(env, json.dumps(body, ensure_ascii=False).encode()) == 200
    box[0].wait(timeout=30)
    assert [c.path for c in line_api.deliveries] == [REPLY]

    line_api.on_call = None
    restarted = serve(env, tmp_path)  # recovers the event, finds the reply noted, asks with the token
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with session_scope(sqlite_catalog_engine) as s:
                row = s.query(InboundEvent).filter_by(event_id=event["webhookEventId"]).one()
                if row.status == "processed":
                    break
            time.sleep(0.05)
        assert row.status == "processed"
    finally:
        restarted.send_signal(signal.SIGTERM)
        restarted.wait(timeout=10)
    assert [c.path for c in line_api.deliveries] == [REPLY]  # no push of the same answer
    assert [(c.path, c.status) for c in line_api.calls] == [(REPLY, 200), (REPLY, 400)]
