"""Shared fixtures: databases (SQLite and PostgreSQL), the loaded catalog, settings, and the
whole-bot harness (`Bot`: say, tap, read replies, switch the clock; members, reports, the outbox).

`engine` and `catalog_engine` run a test once on SQLite and once on PostgreSQL (a fresh
database per test, cloned from a template that holds the migrated schema and the catalog).
`sqlite_catalog_engine` is the quick one for core tests that do not test storage itself.
PostgreSQL is at TEST_POSTGRES_URL (default: 127.0.0.1:5432, trust auth); when it cannot be
reached the PostgreSQL half is skipped, unless KAIKAKU_REQUIRE_POSTGRES=1 (CI), then it fails.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import queue
import shutil
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import requests
from flask import Flask
from hypothesis import settings as hypothesis_settings
from sqlalchemy import Engine, create_engine, func, select, text, update
from waitress.server import create_server

from bot import answers
from bot.catalog.store import (
    BUNDLED_CATALOG,
    BUNDLED_PLAN,
    find_department,
    load_catalog,
    measure_by_no,
    read_catalog,
)
from bot.core.config import Settings, get_settings
from bot.core.messages import Incoming, Reply
from bot.core.router import route
from bot.core.web import create_app
from bot.handlers.console import render as console_render
from bot.handlers.line.webhook import LineAdapter
from bot.people.members import add_member
from bot.reporting import reports
from bot.storage.db import make_engine, migrate, session_scope
from bot.storage.models import Actual, InboundEvent, Member, OutboxMessage, Report
from tests.fakes import slack_requests as sr
from tests.fakes.line_api import Call, FakeLineApi
from tests.fakes.slack_api import SlackApiStub

PG_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
JST = ZoneInfo("Asia/Tokyo")

# Property tests check behaviour, not speed: no per-example deadline on a loaded 2-core machine.
hypothesis_settings.register_profile("kaikaku", deadline=None)
hypothesis_settings.load_profile("kaikaku")


@cache
def _pg_admin() -> Engine | None:
    engine = create_engine(PG_URL, isolation_level="AUTOCOMMIT", pool_pre_ping=True)
    try:
        with engine.connect() as conn:
            conn.execute(text("select 1"))
    except Exception:
        if os.environ.get("KAIKAKU_REQUIRE_POSTGRES") == "1":
            raise
        return None
    return engine


def _pg_url(name: str) -> str:
    return PG_URL.rsplit("/", 1)[0] + "/" + name


def _create_pg_db(template: str | None = None) -> str:
    admin = _pg_admin()
    if admin is None:
        pytest.skip("PostgreSQL is not reachable at " + PG_URL)
    name = f"kk_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else "")))
    return name


def _drop_pg_db(name: str) -> None:
    admin = _pg_admin()
    if admin is not None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def load_bundled_catalog(engine: Engine) -> None:
    migrate(engine)
    with session_scope(engine) as s:
        load_catalog(s, read_catalog(BUNDLED_CATALOG), BUNDLED_PLAN)


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database of each kind."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'bot.db'}"
        return
    name = _create_pg_db()
    yield _pg_url(name)
    _drop_pg_db(name)


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """A migrated, empty database of each kind."""
    eng = make_engine(db_url)
    migrate(eng)
    yield eng
    eng.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "catalog.db"
    eng = make_engine(f"sqlite:///{path}")
    load_bundled_catalog(eng)
    with eng.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    eng.dispose()
    return path


@pytest.fixture(scope="session")
def pg_template() -> Iterator[str]:
    name = _create_pg_db()
    eng = make_engine(_pg_url(name))
    load_bundled_catalog(eng)
    eng.dispose()
    yield name
    _drop_pg_db(name)


def _sqlite_copy(template: Path, tmp_path: Path) -> str:
    path = tmp_path / "bot.db"
    shutil.copyfile(template, path)
    return f"sqlite:///{path}"


@pytest.fixture(params=["sqlite", "postgresql"])
def catalog_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database of each kind with the schema and the bundled catalog loaded."""
    if request.param == "sqlite":
        yield _sqlite_copy(request.getfixturevalue("sqlite_template"), tmp_path)
        return
    name = _create_pg_db(template=request.getfixturevalue("pg_template"))
    yield _pg_url(name)
    _drop_pg_db(name)


@pytest.fixture
def catalog_engine(catalog_url: str) -> Iterator[Engine]:
    eng = make_engine(catalog_url)
    yield eng
    eng.dispose()


@pytest.fixture
def sqlite_catalog_url(sqlite_template: Path, tmp_path: Path) -> str:
    return _sqlite_copy(sqlite_template, tmp_path)


@pytest.fixture
def sqlite_catalog_engine(sqlite_catalog_url: str) -> Iterator[Engine]:
    eng = make_engine(sqlite_catalog_url)
    yield eng
    eng.dispose()


@pytest.fixture
def now() -> datetime:
    """A moment inside the 令和8年度 reporting round: 2027-02-03 10:15 JST."""
    return datetime(2027, 2, 3, 10, 15, tzinfo=JST)


@pytest.fixture
def settings(sqlite_catalog_url: str, now: datetime) -> Settings:
    return Settings(database_url=sqlite_catalog_url, bot_now=now)


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    """Environment for in-process CLI runs: a fresh SQLite file in tmp_path."""
    db = tmp_path / "cli.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{db}")
    monkeypatch.setenv("KAIKAKU_ENV_FILE", "")  # a developer's .env must not reach the tests
    monkeypatch.setenv("SECRET_KEY", "test-secret-key-for-the-cli")  # `members invite` requires one
    monkeypatch.chdir(tmp_path)
    get_settings.cache_clear()
    yield db
    get_settings.cache_clear()


# --- the whole-bot harness --------------------------------------------------------------------------
#
# One way for every test to drive the bot in process: register people, say and tap on any platform
# (the router is the same for all; a platform's own wire format is tested with its stand-in server
# in tests/fakes/), read the replies, switch the clock, put reports in place and read the outbox.


def jst(year: int, month: int, day: int, hour: int = 9, minute: int = 30) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=JST)


def member(engine: Engine, platform: str, user: str, department: str, role: str = "staff",
           person: str | None = None) -> None:
    """Register `platform:user` in `department` (as registration does)."""
    with session_scope(engine) as s:
        dept = find_department(s, department)
        assert dept is not None, department
        m = add_member(s, platform, user, dept, role=role, now=jst(2027, 1, 5))
        m.person = person


def answer(engine: Engine, no: int, department: str, at: datetime, status: str = "submitted",
           actual: tuple[str, str, str] | None = None, rate: str | None = None, met: bool | None = None,
           fy: int = 2026) -> None:
    """A department's report on measure `no`: a new current revision with `status` (as typed at `at`)."""
    with session_scope(engine) as s:
        measure = measure_by_no(s, no)
        dept = find_department(s, department)
        assert measure is not None and dept is not None
        where = (Report.measure_id == measure.id, Report.department_id == dept.id, Report.fy == fy)
        revision = (s.scalar(select(func.max(Report.revision)).where(*where)) or 0) + 1
        s.execute(update(Report).where(*where).values(is_current=False))
        report = Report(measure_id=measure.id, department_id=dept.id, fy=fy, revision=revision, is_current=True,
                        status=status, result_text="実施しました", reported_by="console:test",
                        reported_at=at if status != "draft" else None, created_at=at)
        if actual is not None:
            metric, value, unit = actual
            report.actuals.append(Actual(metric=metric, value=Decimal(value), unit=unit, typed=value + unit,
                                         achievement_rate=Decimal(rate) if rate else None, met=met))
        s.add(report)


def outbox_rows(engine: Engine) -> list[OutboxMessage]:
    with session_scope(engine) as s:
        return list(s.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


DESK = ("desk", "")  # Bot.ask's default asker: the coordinating division's staff


class Bot:
    """The whole bot on one database. `say` returns the replies as the console prints them,
    `replies` the neutral replies themselves; `tap` sends a choice of the latest replies by its
    label; `at` switches the clock; `member`, `answer`, `export` and `outbox` set up and read."""

    def __init__(self, settings: Settings, engine: Engine) -> None:
        self.settings, self.engine = settings, engine
        self.last: dict[tuple[str, str], list[Reply]] = {}

    def at(self, moment: datetime) -> Bot:
        """From now on the bot's clock reads `moment` (BOT_NOW)."""
        self.settings = replace(self.settings, bot_now=moment)
        return self

    def later(self, **delta: float) -> Bot:
        return self.at(self.settings.now() + timedelta(**delta))

    def member(self, user: str, department: str, role: str = "staff", platform: str = "console") -> str:
        with session_scope(self.engine) as s:
            add_member(s, platform, user, find_department(s, department), role, now=self.settings.now())
        return user

    def replies(self, user: str, text: str | None = None, *, value: str | None = None, direct: bool = True,
                platform: str = "console", channel: str | None = None, event: str | None = None) -> list[Reply]:
        incoming = Incoming(platform, user, channel or platform, text=text, value=value, direct=direct, event=event)
        out = route(self.settings, self.engine, incoming)
        self.last[(platform, user)] = out
        return out

    def say(self, user: str, text: str | None = None, *, value: str | None = None, direct: bool = True,
            platform: str = "console", channel: str | None = None) -> str:
        return console_render(self.replies(user, text, value=value, direct=direct, platform=platform,
                                           channel=channel))

    def tap(self, user: str, label: str, platform: str = "console") -> str:
        """Tap the choice labelled `label` in the latest replies to `user`."""
        choices = [c for r in self.last.get((platform, user), []) for c in r.choices]
        value = next((c.value for c in choices if c.label == label), None)
        assert value is not None, f"no choice {label!r} in {[c.label for c in choices]}"
        return self.say(user, value=value, platform=platform)

    def ask(self, text: str, member: tuple[str, str] | None = DESK) -> list[Reply]:
        """A question answered as the router's last handler would, as `member` (platform, user); by
        default as the coordinating division's staff (who sees every department's results, not
        stored); None: as someone not registered."""
        with session_scope(self.engine) as s:
            who = None
            if member == DESK:
                who = Member(platform="console", user_id="desk", role="staff",
                             department=find_department(s, self.settings.coordinator_department))
            elif member is not None:
                who = s.scalar(select(Member).where(Member.platform == member[0], Member.user_id == member[1]))
            return answers.answer(s, text, member=who, now=self.settings.now(), settings=self.settings)

    def answer(self, no: int, department: str, at: datetime | None = None, **kw: Any) -> None:
        answer(self.engine, no, department, at or self.settings.now(), **kw)

    def export(self, fy: int = 2026) -> list[dict[str, Any]]:
        with session_scope(self.engine) as s:
            return reports.export_results(s, fy, JST)

    def outbox(self) -> list[OutboxMessage]:
        return outbox_rows(self.engine)


def said(replies: list[Reply]) -> str:
    return "\n".join(r.text for r in replies)


def verify_dialog(bot: Bot, user: str, table: list[tuple[str, str | tuple[str, ...]]]) -> None:
    """(said, the reply contains each of these) rows, in order."""
    for typed, expected in table:
        reply = bot.say(user, typed)
        for part in (expected,) if isinstance(expected, str) else expected:
            assert part in reply, f"{typed!r} →\n{reply}\n(expected {part!r})"


@pytest.fixture
def bot(settings: Settings, sqlite_catalog_engine: Engine) -> Bot:
    """The whole bot on SQLite with the catalog, its clock in the round (`now`)."""
    return Bot(settings, sqlite_catalog_engine)


@pytest.fixture
def any_bot(catalog_engine: Engine, now: datetime) -> Bot:
    """The whole bot on SQLite and on PostgreSQL (storage tests)."""
    return Bot(Settings(bot_now=now), catalog_engine)


# --- platform drivers: the same conversation over a platform's own wire ------------------------------
#
# `SlackWorkspace` (signed Slack requests in, the stub's recorded Web API calls out), `LineBot`
# (signed LINE webhooks into the served app, the stand-in Messaging API's calls out) and
# `ConsoleProcess` (a running `kaikaku chat`) speak each platform's own format; like `Bot` they say
# and read replies (Slack and LINE also tap and settle).

SLACK_USER = "U0TANAKA"
DM = "D" + SLACK_USER


@dataclass(frozen=True)
class Answer:
    """The HTTP answer to Slack's request."""

    status_code: int
    data: bytes

    def get_json(self) -> Any:
        return json.loads(self.data)

    def get_data(self, as_text: bool = False) -> Any:
        return self.data.decode() if as_text else self.data


Transport = Callable[[str, dict[str, str]], Answer]


def flask_transport(app: Flask) -> Transport:
    client = app.test_client()

    def post(body: str, headers: dict[str, str]) -> Answer:
        response = client.post("/slack/events", data=body, headers=headers)
        try:
            return Answer(response.status_code, response.get_data())
        finally:
            response.close()  # as a WSGI server does once the answer is sent

    return post


def http_transport(base_url: str) -> Transport:
    def post(body: str, headers: dict[str, str]) -> Answer:
        request = urllib.request.Request(base_url + "/slack/events", data=body.encode(), headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return Answer(response.status, response.read())
        except urllib.error.HTTPError as exc:
            return Answer(exc.code, exc.read())

    return post


def texts_of(messages: list[dict[str, Any]]) -> str:
    """Everything a user sees in these messages (fallback text and all block texts)."""
    return json.dumps([(m["text"], m["blocks"]) for m in messages], ensure_ascii=False)


def inbound_count(engine: Engine) -> int:
    with session_scope(engine) as s:
        return int(s.scalar(select(func.count()).select_from(InboundEvent)) or 0)


class SlackWorkspace:
    """Sends signed requests as Slack would, waits for the bot, reads what it posted."""

    def __init__(self, transport: Transport, stub: SlackApiStub, engine: Engine) -> None:
        self.transport, self.stub, self.engine = transport, stub, engine

    def send(self, request: sr.SlackRequest, **header_args: Any) -> Answer:
        return self.transport(request.body, request.headers(**header_args))

    def settle(self, timeout: float = 10.0) -> None:
        """Wait until every recorded event is processed (or failed)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with session_scope(self.engine) as s:
                busy = s.scalar(select(func.count()).select_from(InboundEvent)
                                .where(InboundEvent.status.in_(("received", "processing"))))
            if not busy:
                return
            time.sleep(0.005)
        raise AssertionError("events were not processed in time")

    def exchange(self, request: sr.SlackRequest, channel: str = DM) -> list[dict[str, Any]]:
        """Send, let the bot work, return the bot's new messages in `channel`."""
        before = len(self.stub.posted(channel))
        answer = self.send(request)
        assert answer.status_code == 200, answer.data
        self.settle()
        return self.stub.posted(channel)[before:]

    def say(self, text: str, user: str = SLACK_USER) -> list[dict[str, Any]]:
        return self.exchange(sr.as_event(sr.message_im(text, user=user)), "D" + user)

    def button(self, label: str, channel: str = DM) -> tuple[dict[str, Any], str]:
        """(the latest bot message showing a button `label`, that button's action_id)."""
        for message in reversed(self.stub.posted(channel)):
            for block in message["blocks"]:
                for element in block.get("elements", []) if block["type"] == "actions" else []:
                    if element["text"]["text"] == label:
                        return message, element["action_id"]
        raise AssertionError(f"no button {label!r} in {channel}")

    def tap(self, label: str) -> list[dict[str, Any]]:
        message, action_id = self.button(label)
        return self.exchange(sr.as_interaction(sr.tap(message, action_id)))

    def open_form(self, label: str) -> dict[str, Any]:
        """Tap the button that opens a modal; the view the bot opened (views.open)."""
        message, action_id = self.button(label)
        assert self.send(sr.as_interaction(sr.tap(message, action_id))).status_code == 200
        view = self.stub.calls_to("views.open")[-1].body["view"]
        return json.loads(view) if isinstance(view, str) else view

    def submit_form(self, view: dict[str, Any], text: str) -> list[dict[str, Any]]:
        return self.exchange(sr.as_interaction(sr.view_submission(view, text)))


LINE_FIXTURES = Path(__file__).parent / "fixtures" / "line"
LINE_SECRET = "line-channel-secret-for-tests"
LINE_TOKEN = "test-access-token"
LINE_USER = "U4af4980629b1c2d3e4f5a6b7c8d9e0f1"
LINE_OTHER = "U77bb0029b1c2d3e4f5a6b7c8d9e0f1a2"


def line_fixture(name: str) -> dict[str, Any]:
    return json.loads((LINE_FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


def line_sign(body: bytes, secret: str = LINE_SECRET) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


class LineBot:
    """The web process on a free port (as `kaikaku serve`), with the stand-in Messaging API behind it:
    signed webhook events in, the bot's calls to the API out."""

    def __init__(self, settings: Settings, engine: Engine, api: FakeLineApi) -> None:
        self.settings, self.engine, self.api = settings, engine, api
        self.app = create_app(settings, engine)
        self.adapter: LineAdapter = self.app.extensions["kaikaku_line"]
        self.adapter.api.backoff = (0.01, 0.02, 0.04)
        self.server = create_server(self.app, host="127.0.0.1", port=0, threads=4)
        self.url = f"http://127.0.0.1:{self.server.effective_port}/line/webhook"  # type: ignore[union-attr]
        self.closing = False
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        try:
            self.server.run()
        except OSError:  # the loop's select() on the socket that close() just closed
            if not self.closing:
                raise

    def post(self, body: bytes, signature: str | None = None) -> requests.Response:
        headers = {"Content-Type": "application/json", "X-Line-Signature": line_sign(body) if signature is None else signature}
        return requests.post(self.url, data=body, headers=headers, timeout=10)

    def send(self, name: str, *, text: str | None = None, data: str | None = None, user: str = LINE_USER,
             fresh: bool = True, age: float = 0.0) -> dict[str, Any]:
        """Post a fixture's event, made unique and `age` seconds old; return the event."""
        body = line_fixture(name)
        event = body["events"][0]
        if fresh:
            event["webhookEventId"] = uuid.uuid4().hex.upper()[:26]
            event["replyToken"] = uuid.uuid4().hex
        event["timestamp"] = int((time.time() - age) * 1000)
        event["source"]["userId"] = user
        if event["source"]["type"] == "user" and text is not None:
            event["message"]["text"] = text
        if data is not None:
            event["postback"]["data"] = data
        assert self.post(json.dumps(body, ensure_ascii=False).encode()).status_code == 200
        return event

    def say(self, text: str, user: str = LINE_USER) -> Call:
        """A one-to-one message and the bot's answer to it."""
        before = len(self.api.deliveries)
        self.send("message_text", text=text, user=user)
        return self.api.wait_for(before + 1)[-1]

    def tap(self, answer: Call, label: str, user: str = LINE_USER) -> Call:
        """Tap the quick reply button `label` on an answer: a postback with the button's data."""
        items = answer.body["messages"][-1]["quickReply"]["items"]
        action = next(i["action"] for i in items if i["action"]["displayText"] == label)
        before = len(self.api.deliveries)
        self.send("postback", data=action["data"], user=user)
        return self.api.wait_for(before + 1)[-1]

    def settle(self) -> None:
        """Wait until every recorded event is processed."""
        self.adapter.worker.shutdown(wait=True)

    def close(self) -> None:
        self.closing = True
        self.server.close()
        self.adapter.worker.shutdown(wait=True)


KAIKAKU = [sys.executable, "-m", "bot"]


class ConsoleProcess:
    """A running `kaikaku chat` (the console platform's own wire: stdin and stdout) fed line by
    line; replies are read as they come. `kill` stops it as a crash would."""

    def __init__(self, env: dict[str, str], user: str) -> None:
        self.proc = subprocess.Popen([*KAIKAKU, "chat", "--user", user], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True, env=env)
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line)

    def say(self, text: str, expect: str, timeout: float = 20) -> str:
        assert self.proc.stdin is not None
        self.proc.stdin.write(text + "\n")
        self.proc.stdin.flush()
        seen, deadline = "", time.monotonic() + timeout
        while expect not in seen:
            seen += self.lines.get(timeout=max(0.1, deadline - time.monotonic()))
        return seen

    def kill(self) -> None:
        self.proc.kill()
        self.proc.wait(timeout=10)
