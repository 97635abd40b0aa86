"""What `GET /metrics` tells Prometheus (text exposition format, prometheus_client).

Two kinds of figures:
- counted by this process as things happen (`REGISTRY`): events in by platform and outcome,
  replies out, dialog steps, the web requests' latency;
- read from the database at scrape time (`StoreCollector`): the outbox (queued / sending / failed,
  the oldest queued message's age), inbound events waiting or failed, this month's LINE push
  budget left, the clock's heartbeat age. These are the same for every web process and include
  what the clock process did, which serves no HTTP of its own.

The core calls the small functions here (`event_in`, `replies_out`, `dialog_step`), never
prometheus_client itself.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import Engine, func, select

from bot.core.config import Settings

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
REGISTRY = CollectorRegistry(auto_describe=True)

EVENTS = Counter("kaikaku_events_total", "Inbound events by platform and outcome "
                 "(accepted, duplicate: before the ack; processed, failed, rate_limited: after it)",
                 ["platform", "outcome"], registry=REGISTRY)
REPLIES = Counter("kaikaku_replies_sent_total", "Reply messages delivered to a chat, by platform",
                  ["platform"], registry=REGISTRY)
DIALOG_STEPS = Counter("kaikaku_dialog_steps_total", "Answers taken by a dialog, by dialog and result "
                       "(next, again, finished, cancelled, aborted)", ["dialog", "result"], registry=REGISTRY)
LATENCY = Histogram("kaikaku_http_request_duration_seconds", "Web requests' time to answer, by route and status",
                    ["route", "status"], registry=REGISTRY,
                    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0))


def event_in(platform: str, outcome: str, count: int = 1) -> None:
    if count:
        EVENTS.labels(platform, outcome).inc(count)


def replies_out(platform: str, count: int) -> None:
    if count:
        REPLIES.labels(platform).inc(count)


def dialog_step(dialog: str, result: str) -> None:
    DIALOG_STEPS.labels(dialog, result).inc()


def request_done(route: str, status: int, seconds: float) -> None:
    LATENCY.labels(route, str(status)).observe(seconds)


class StoreCollector(Collector):
    """Gauges read from the database on each scrape (a few indexed counts)."""

    def __init__(self, engine: Engine, settings: Settings) -> None:
        self.engine, self.settings = engine, settings

    def collect(self) -> Iterator[GaugeMetricFamily]:
        from bot.clock.heartbeat import health
        from bot.core import push_budget
        from bot.storage.db import session_scope
        from bot.storage.models import InboundEvent, OutboxMessage

        now = datetime.now(UTC)
        with session_scope(self.engine) as s:
            outbox = dict(s.execute(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)).all())
            oldest = s.scalar(select(func.min(OutboxMessage.created_at)).where(OutboxMessage.status == "queued"))
            inbox = dict(s.execute(select(InboundEvent.status, func.count())
                                   .where(InboundEvent.status.in_(("received", "processing", "failed")))
                                   .group_by(InboundEvent.status)).all())
            usage = push_budget.usage(s, push_budget.month_of(self.settings.now()),
                                      self.settings.line_push_monthly_budget)
        queued = GaugeMetricFamily("kaikaku_outbox_messages", "Outbox messages by status", labels=["status"])
        for status in ("queued", "sending", "failed"):
            queued.add_metric([status], outbox.get(status, 0))
        yield queued
        # Outbox times are the bot's (BOT_NOW in a rehearsal), the heartbeat's are real.
        age = 0.0 if oldest is None else max(0.0, (self.settings.now() - _aware(oldest)).total_seconds())
        yield GaugeMetricFamily("kaikaku_outbox_oldest_queued_age_seconds",
                                "Age of the oldest message still queued (0 when none)", value=age)
        waiting = GaugeMetricFamily("kaikaku_inbound_events", "Inbound events not done, by status", labels=["status"])
        for status in ("received", "processing", "failed"):
            waiting.add_metric([status], inbox.get(status, 0))
        yield waiting
        yield GaugeMetricFamily("kaikaku_line_push_budget_remaining",
                                "LINE pushes left this month within LINE_PUSH_MONTHLY_BUDGET", value=usage.left)
        clock = health(self.engine, self.settings.clock_stale_seconds, now)
        yield GaugeMetricFamily("kaikaku_clock_heartbeat_age_seconds",
                                "Seconds since the clock process's last heartbeat (-1: never seen)",
                                value=-1.0 if clock.age_seconds is None else clock.age_seconds)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def exposition(store: CollectorRegistry) -> bytes:
    """The whole page: this process's counters, then the database's gauges."""
    return generate_latest(REGISTRY) + generate_latest(store)


def store_registry(engine: Engine, settings: Settings) -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(StoreCollector(engine, settings))
    return registry
