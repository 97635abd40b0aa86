"""GET /metrics (Prometheus text format) and the clock's heartbeat behind GET /healthz."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import Engine, update

from bot.catalog.store import find_department
from bot.clock import heartbeat
from bot.core import outbox as ob
from bot.core.config import Settings
from bot.core.messages import Incoming, Reply
from bot.core.router import route
from bot.core.web import create_app
from bot.people.members import add_member
from bot.storage.db import session_scope
from bot.storage.models import OutboxMessage
from tests.fakes.line_api import FakeLineApi
from tests.test_line import TOKEN, Bot, line_settings

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def scrape(text: str) -> Samples:
    """Every sample of the exposition, parsed by prometheus_client's own parser."""
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


@pytest.fixture
def line_api() -> Iterator[FakeLineApi]:
    api = FakeLineApi(token=TOKEN).start()
    yield api
    api.stop()
    assert api.errors == []


def test_metrics_count_events_duplicates_replies_and_latency(sqlite_catalog_url: str, sqlite_catalog_engine: Engine,
                                                            line_api: FakeLineApi, now: datetime) -> None:
    bot = Bot(line_settings(sqlite_catalog_url, line_api, now), sqlite_catalog_engine, line_api)
    metrics_url = bot.url.replace("/line/webhook", "/metrics")
    try:
        before = scrape(requests.get(metrics_url, timeout=10).text)
        bot.say("No.34の目標は?")
        event = bot.send("message_text", text="No.34の目標は?")
        line_api.wait_for(2)
        again = {"destination": "U0", "events": [event]}
        assert bot.post(json.dumps(again, ensure_ascii=False).encode()).status_code == 200  # a redelivery
        bot.adapter.pipeline.worker.shutdown(wait=True)
        response = requests.get(metrics_url, timeout=10)
    finally:
        bot.close()
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    after = scrape(response.text)

    def grew(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert grew("kaikaku_events_total", platform="line", outcome="accepted") == 2
    assert grew("kaikaku_events_total", platform="line", outcome="duplicate") == 1
    assert grew("kaikaku_events_total", platform="line", outcome="processed") == 2
    assert grew("kaikaku_replies_sent_total", platform="line") >= 2
    assert grew("kaikaku_http_request_duration_seconds_count", route="/line/webhook", status="200") == 3
    assert value(after, "kaikaku_line_push_budget_remaining") == 200
    assert value(after, "kaikaku_clock_heartbeat_age_seconds") == -1


def test_metrics_read_the_outbox_and_the_dialog_steps(sqlite_catalog_engine: Engine, settings: Settings,
                                                      now: datetime) -> None:
    with session_scope(sqlite_catalog_engine) as s:
        for i in range(3):
            ob.enqueue(s, ob.NewMessage(f"k{i}", "console", "u", "reminder", [Reply("hi")]), now - timedelta(hours=i))
    with session_scope(sqlite_catalog_engine) as s:
        s.execute(update(OutboxMessage).where(OutboxMessage.key == "k0").values(status="failed"))
    client = create_app(settings, sqlite_catalog_engine).test_client()
    with session_scope(sqlite_catalog_engine) as s:
        add_member(s, "console", "tanaka", find_department(s, "危機管理課"), "staff", now=now)
    before = scrape(client.get("/metrics").get_data(as_text=True))
    for said in ("報告 34", "完了", "まだ", "実施した。", "キャンセル"):  # next, again (no text yet), next, cancelled
        route(settings, sqlite_catalog_engine, Incoming("console", "tanaka", "console", text=said))
    after = scrape(client.get("/metrics").get_data(as_text=True))
    assert value(after, "kaikaku_outbox_messages", status="queued") == 2
    assert value(after, "kaikaku_outbox_messages", status="failed") == 1
    assert value(after, "kaikaku_outbox_oldest_queued_age_seconds") == pytest.approx(2 * 3600)
    steps = {labels: v - before.get((n, labels), 0.0) for (n, labels), v in after.items()
             if n == "kaikaku_dialog_steps_total" and v - before.get((n, labels), 0.0)}
    assert steps == {(("dialog", "report"), ("result", "next")): 2, (("dialog", "report"), ("result", "again")): 1,
                     (("dialog", "report"), ("result", "cancelled")): 1}


def test_healthz_reports_a_stale_clock_with_503_and_the_reason(sqlite_catalog_engine: Engine,
                                                               settings: Settings) -> None:
    client = create_app(replace(settings, clock_stale_seconds=120), sqlite_catalog_engine).test_client()
    assert client.get("/healthz").get_json()["clock"]["status"] == "never"
    heartbeat.beat(sqlite_catalog_engine, now=datetime.now(UTC) - timedelta(seconds=30))
    fresh = client.get("/healthz")
    assert fresh.status_code == 200 and fresh.get_json()["clock"]["status"] == "ok"
    heartbeat.beat(sqlite_catalog_engine, now=datetime.now(UTC) - timedelta(seconds=600))
    stale = client.get("/healthz")
    assert stale.status_code == 503
    body = stale.get_json()
    assert body["status"] == "unavailable" and body["clock"]["status"] == "stale"
    assert "heartbeat 600 s ago" in body["reasons"][0] and "kaikaku scheduler" in body["reasons"][0]


def test_healthz_says_503_when_the_database_is_gone(settings: Settings, tmp_path: Path) -> None:
    from bot.storage.db import make_engine

    gone = make_engine(f"sqlite:///{tmp_path / 'no' / 'such.db'}")
    response = create_app(settings, gone).test_client().get("/healthz")
    assert response.status_code == 503 and response.get_json()["reasons"][0].startswith("database:")


def test_the_running_clock_keeps_the_heartbeat_fresh(sqlite_catalog_url: str, sqlite_catalog_engine: Engine,
                                                     tmp_path: Path) -> None:
    env = {**os.environ, "DATABASE_URL": sqlite_catalog_url, "OUTBOX_POLL_SECONDS": "1", "KAIKAKU_ENV_FILE": ""}
    clock = subprocess.Popen([str(Path(sys.executable).with_name("kaikaku")), "scheduler"], env=env, cwd=tmp_path,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        beats: set[datetime] = set()
        while time.monotonic() < deadline and len(beats) < 3:
            seen = heartbeat.health(sqlite_catalog_engine, 5)
            if seen.beat_at is not None:
                beats.add(seen.beat_at)
            time.sleep(0.3)
        assert len(beats) >= 3, "the clock does not beat on each job"
        assert heartbeat.health(sqlite_catalog_engine, 5).pid == clock.pid
    finally:
        clock.send_signal(signal.SIGTERM)
        clock.wait(timeout=30)
    time.sleep(1.5)
    assert heartbeat.health(sqlite_catalog_engine, 1).state == "stale"  # stopped: nobody beats any more
