"""`kaikaku remind`, `kaikaku digest`, `kaikaku outbox` and the clock process `kaikaku scheduler`."""

from __future__ import annotations

import logging
import signal
from datetime import datetime
from enum import StrEnum
from types import FrameType
from typing import TYPE_CHECKING, Annotated

import typer
from sqlalchemy import Engine

from bot.cli.common import engine, fail, print_json, session, settings
from bot.core.config import Settings
from bot.reporting.rounds import format_day, is_send_day, round_at
from bot.texts import cli as say

if TYPE_CHECKING:  # the clock, the outbox and the platforms load when a command of theirs runs
    from bot.clock.reminders import PlannedMessage
    from bot.core import outbox as ob

log = logging.getLogger(__name__)


class Format(StrEnum):
    text = "text"
    json = "json"


class Status(StrEnum):
    queued = "queued"
    sending = "sending"
    sent = "sent"
    failed = "failed"


AtOption = Annotated[str | None, typer.Option("--at", help=say.HELP_AT)]
DryRunOption = Annotated[bool, typer.Option("--dry-run", help=say.HELP_DRY_RUN)]
FormatOption = Annotated[Format, typer.Option("--format", help=say.HELP_FORMAT)]


def parse_at(text: str | None, s: Settings) -> datetime:
    """--at as an aware moment (a time without offset is the bot's time zone); BOT_NOW/now without it."""
    if text is None:
        return s.now()
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        fail(say.BAD_AT.format(text=text))
    return (moment if moment.tzinfo else moment.replace(tzinfo=s.tz)).astimezone(s.tz)


def install_senders(s: Settings, eng: Engine) -> list[str]:
    """Register the senders of the platforms this deployment is configured for (console always is)."""
    from bot.core import outbox as ob
    from bot.core import platforms

    for platform in platforms.all_platforms():
        if platform.make_sender is None or not platform.configured(s):
            continue
        try:
            ob.register_sender(platform.make_sender(s, eng))
        except ImportError as exc:
            log.warning("%s sender unavailable: %s", platform.name, exc)
    return sorted(ob.registered_senders())


def _message_line(m: PlannedMessage) -> str:
    nos = "、".join(f"No.{no}" for no in m.measures)
    return f"{m.day.isoformat()} {m.kind}#{m.seq} {m.department} → {m.platform}:{m.recipient}" + (f"  {nos}" if nos else "")


def _delivery_line(report: ob.DeliveryReport) -> str:
    line = say.SENT.format(n=len(report.sent))
    if report.retrying:
        line += say.RETRYING.format(n=len(report.retrying))
    if report.failed:
        line += say.FAILED.format(n=len(report.failed))
    if report.rerouted:
        line += say.REROUTED.format(n=len(report.rerouted))
    return line + say.SENT_HINT


def remind(at: AtOption = None, dry_run: DryRunOption = False, format: FormatOption = Format.text) -> None:
    """Send (or with --dry-run list) the reminders due at that moment."""
    from bot.clock.reminders import enqueue_reminders, plan_reminders
    from bot.core.outbox import deliver_due

    s = settings()
    moment = parse_at(at, s)
    with session() as ses:
        plan = plan_reminders(ses, s, moment)
    messages = plan.messages
    if not dry_run:
        eng = engine()
        install_senders(s, eng)
        with session() as ses:
            messages = enqueue_reminders(ses, s, moment)
        delivery = deliver_due(eng, s)
    if format is Format.json:
        print_json([m.to_json() for m in messages])
        return
    rnd = round_at(s, moment)
    if rnd is None:
        typer.echo(say.OUTSIDE_ROUND.format(day=format_day(moment.date())))
        return
    typer.echo(say.ROUND_PERIOD.format(fy=rnd.fy.label, open=format_day(rnd.open_day),
                                        deadline=format_day(rnd.deadline)))
    if not is_send_day(s, moment):
        typer.echo(say.CLOSED_DAY.format(day=format_day(moment.date())))
    elif not messages:
        typer.echo(say.NOTHING_TO_SEND)
    for m in messages:
        typer.echo((say.PLANNED if dry_run else "") + _message_line(m))
    if plan.unreachable:
        names = "、".join(st.name for st in plan.unreachable)
        typer.echo(say.UNREACHABLE.format(n=len(plan.unreachable), names=names))
    if not dry_run:
        typer.echo(_delivery_line(delivery))


def digest(at: AtOption = None, dry_run: DryRunOption = False, format: FormatOption = Format.text) -> None:
    """Send (or with --dry-run print) the weekly digest for the coordinating division."""
    from bot.clock.digest import build_digest, enqueue_digests
    from bot.core.outbox import deliver_due

    s = settings()
    moment = parse_at(at, s)
    if dry_run:
        with session() as ses:
            d = build_digest(ses, s, moment)
        if format is Format.json:
            print_json(d.to_json())
        else:
            typer.echo(d.text())
        return
    eng = engine()
    install_senders(s, eng)
    with session() as ses:
        queued = enqueue_digests(ses, s, moment)
    delivery = deliver_due(eng, s)
    if format is Format.json:
        print_json([m.to_json() for m in queued])
        return
    if not queued:
        typer.echo(say.NO_DIGEST)
        return
    for m in queued:
        typer.echo(_message_line(m))
    typer.echo(_delivery_line(delivery))


def outbox(
    status: Annotated[Status | None, typer.Option("--status", help="queued / sending / sent / failed")] = None,
    format: FormatOption = Format.text,
    recipient: Annotated[str | None, typer.Option("--recipient", help=say.HELP_RECIPIENT)] = None,
    text: Annotated[bool, typer.Option("--text", help=say.HELP_TEXT)] = False,
    limit: Annotated[int | None, typer.Option("--limit", min=1)] = None,
) -> None:
    """What the bot has queued and sent: key, platform, recipient, kind, status, attempts, times."""
    from bot.core import outbox as ob

    s = settings()
    with session() as ses:
        rows = [ob.as_dict(r, s, with_text=text)
                for r in ob.list_messages(ses, status.value if status else None, recipient, limit=limit)]
    if format is Format.json:
        print_json(rows)
        return
    if not rows:
        typer.echo(say.NO_MESSAGES)
        return
    for r in rows:
        when = (r["created_at"] or "")[:16].replace("T", " ")
        line = say.OUTBOX_LINE.format(when=when, status=r["status"], attempts=r["attempts"], platform=r["platform"],
                                      recipient=r["recipient"], kind=r["kind"], key=r["key"])
        if r["last_error"]:
            line += f"  ({r['last_error']})"
        typer.echo(line)
        if text:
            typer.echo("    " + r["text"].replace("\n", "\n    "))
            if r["choices"]:
                typer.echo(say.OUTBOX_CHOICES.format(choices=" / ".join(
                    say.OUTBOX_CHOICE.format(label=c["label"], value=c["value"]) for c in r["choices"])))
            typer.echo("")


def run_scheduler(eng: Engine) -> None:
    """The clock process: catch up once, then run the jobs until stopped (SIGTERM or Ctrl-C)."""
    from bot.clock.heartbeat import beat, real_now
    from bot.clock.scheduler import build_scheduler, tick
    from bot.core import runtime

    s = settings()
    beat(eng, started_at=real_now())
    platforms = install_senders(s, eng)
    log.info("clock starting; senders: %s", ", ".join(platforms))
    caught_up = tick(eng, s)
    log.info("start-up pass: queued %d, sent %d", len(caught_up.queued), len(caught_up.delivery.sent))
    clock = build_scheduler(s, eng)
    runtime.loaded()  # start-up's objects out of the GC's later walks (see bot/core/runtime.py)

    def stop(signum: int, _frame: FrameType | None) -> None:
        log.info("signal %d: stopping the clock", signum)
        clock.shutdown(wait=False)

    signal.signal(signal.SIGTERM, stop)
    try:
        clock.start()
    except (KeyboardInterrupt, SystemExit):
        pass


def register(app: typer.Typer) -> None:
    app.command("remind")(remind)
    app.command("digest")(digest)
    app.command("outbox")(outbox)
