"""The clock: passes that plan reminders and digests into the outbox, and the sender loop.

A thin wrapper around APScheduler 3 (like python-telegram-bot's JobQueue): the jobs take plain
arguments (a job name) and call the passes, so tests call the passes directly. The job store is
a table in the bot's own database (SQLAlchemyJobStore), so a restarted clock finds its jobs with
their next run time; a run missed while it was down is run on start when it is less than
`scheduler_misfire_grace_seconds` late (coalesced into one run). The passes themselves are
idempotent — the outbox's unique keys make a rerun, a catch-up or a second clock harmless — and
the startup tick sends whatever slot is due and not yet sent.

The remind and digest jobs run daily at their hour; the passes decide whether a slot is due
(business days, weekday, round dates). The deliver job polls the outbox.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import Engine

from bot.clock.digest import enqueue_digests
from bot.clock.reminders import PlannedMessage, enqueue_reminders
from bot.core.config import Settings, get_settings
from bot.core.messages import Sender
from bot.core.outbox import DeliveryReport, deliver_due
from bot.storage.db import get_engine, session_scope

log = logging.getLogger(__name__)

JOB_TABLE = "apscheduler_jobs"


@dataclass
class PassReport:
    """What one pass queued and what the sender loop did right after."""

    queued: list[PlannedMessage] = field(default_factory=list)
    delivery: DeliveryReport = field(default_factory=DeliveryReport)


Senders = Mapping[str, Sender] | None  # None: the process's registered senders


def remind_pass(engine: Engine, settings: Settings, at: datetime | None = None, deliver: bool = True,
                senders: Senders = None) -> PassReport:
    """Queue the reminders due at `at` (default: settings.now(), i.e. BOT_NOW in a rehearsal), then
    deliver what is due."""
    at = at or settings.now()
    with session_scope(engine) as session:
        queued = enqueue_reminders(session, settings, at)
    return PassReport(queued, deliver_due(engine, settings, senders=senders) if deliver else DeliveryReport())


def digest_pass(engine: Engine, settings: Settings, at: datetime | None = None, deliver: bool = True,
                senders: Senders = None) -> PassReport:
    at = at or settings.now()
    with session_scope(engine) as session:
        queued = enqueue_digests(session, settings, at)
    return PassReport(queued, deliver_due(engine, settings, senders=senders) if deliver else DeliveryReport())


def tick(engine: Engine, settings: Settings, at: datetime | None = None, senders: Senders = None) -> PassReport:
    """Everything the clock does, once: reminders, digest, delivery (the startup catch-up)."""
    at = at or settings.now()
    reminders = remind_pass(engine, settings, at, deliver=False)
    digests = digest_pass(engine, settings, at, deliver=False)
    return PassReport(reminders.queued + digests.queued, deliver_due(engine, settings, senders=senders))


def run_job(name: str) -> None:
    """The APScheduler entry point: plain arguments only, settings and engine from the process."""
    settings = get_settings()
    engine = get_engine(settings.database_url)
    try:
        if name == "remind":
            report = remind_pass(engine, settings)
        elif name == "digest":
            report = digest_pass(engine, settings)
        elif name == "deliver":
            report = PassReport(delivery=deliver_due(engine, settings))
        else:
            raise ValueError(f"unknown job {name!r}")
    except Exception:
        log.exception("job %s failed", name)
        raise
    finally:
        _beat(engine)
    if report.queued or report.delivery.sent or report.delivery.failed:
        log.info("job %s: queued %d, sent %d, retrying %d, failed %d, rerouted %d", name, len(report.queued),
                 len(report.delivery.sent), len(report.delivery.retrying), len(report.delivery.failed),
                 len(report.delivery.rerouted))


def _beat(engine: Engine) -> None:
    """The heartbeat after each job (a failing job still shows a live clock; its error is logged)."""
    from bot.clock.heartbeat import beat

    try:
        beat(engine)
    except Exception:  # the database away for a moment: the next job beats again
        log.exception("could not write the clock's heartbeat")


@dataclass(frozen=True)
class JobSpec:
    id: str
    trigger: BaseTrigger


def job_specs(settings: Settings) -> list[JobSpec]:
    tz = settings.tz
    return [
        JobSpec("remind", CronTrigger(hour=settings.reminder_hour, minute=0, timezone=tz)),
        JobSpec("digest", CronTrigger(hour=settings.digest_hour, minute=0, timezone=tz)),
        JobSpec("deliver", IntervalTrigger(seconds=settings.outbox_poll_seconds, timezone=tz)),
    ]


def _signature(trigger: Any) -> str:
    """What makes two triggers the same schedule (an interval's start date does not)."""
    if isinstance(trigger, IntervalTrigger):
        return f"interval:{trigger.interval_length}:{trigger.timezone}"
    return f"{trigger}:{getattr(trigger, 'timezone', '')}"


def build_scheduler(settings: Settings, engine: Engine, scheduler_class: type[BaseScheduler] = BlockingScheduler,
                    **options: Any) -> BaseScheduler:
    """A scheduler with its job store in the bot's database and the clock's jobs in it.

    A job already stored with the same schedule is kept as it is, with its next run time: if that
    time passed while no clock ran, the scheduler runs it on start (within the misfire grace).
    """
    store = SQLAlchemyJobStore(engine=engine, tablename=JOB_TABLE)
    scheduler = scheduler_class(
        jobstores={"default": store},
        job_defaults={"coalesce": True, "misfire_grace_time": settings.scheduler_misfire_grace_seconds,
                      "max_instances": 1},
        timezone=settings.tz,
        **options,
    )
    store.start(scheduler, "default")  # creates the table if needed, so stored jobs can be read
    for spec in job_specs(settings):
        stored = store.lookup_job(spec.id)
        if stored is not None and _signature(stored.trigger) == _signature(spec.trigger) \
                and stored.func_ref == f"{__name__}:run_job" and tuple(stored.args) == (spec.id,) \
                and stored.misfire_grace_time == settings.scheduler_misfire_grace_seconds:
            continue
        scheduler.add_job(f"{__name__}:run_job", spec.trigger, args=[spec.id], id=spec.id,
                          name=f"kaikaku {spec.id}", replace_existing=True)
    return scheduler
