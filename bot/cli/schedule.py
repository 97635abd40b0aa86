"""`kaikaku remind`, `kaikaku digest`, `kaikaku outbox` and the clock process `kaikaku scheduler`."""

from __future__ import annotations

import logging
import signal
from datetime import datetime
from enum import StrEnum
from types import FrameType
from typing import Annotated

import typer
from sqlalchemy import Engine

from bot.cli.common import engine, fail, print_json, session, settings
from bot.clock.digest import build_digest, enqueue_digests
from bot.clock.reminders import PlannedMessage, enqueue_reminders, plan_reminders
from bot.clock.scheduler import build_scheduler, tick
from bot.core import outbox as ob
from bot.core import platforms
from bot.core.config import Settings
from bot.core.outbox import deliver_due
from bot.reporting.rounds import format_day, is_send_day, round_at

log = logging.getLogger(__name__)


class Format(StrEnum):
    text = "text"
    json = "json"


class Status(StrEnum):
    queued = "queued"
    sending = "sending"
    sent = "sent"
    failed = "failed"


AtOption = Annotated[str | None, typer.Option("--at", help="この時刻として実行(ISO 8601、例 2027-02-01T09:00+09:00)")]
DryRunOption = Annotated[bool, typer.Option("--dry-run", help="送らずに、送る予定の内容を表示")]
FormatOption = Annotated[Format, typer.Option("--format", help="text または json")]


def parse_at(text: str | None, s: Settings) -> datetime:
    """--at as an aware moment (a time without offset is the bot's time zone); BOT_NOW/now without it."""
    if text is None:
        return s.now()
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        fail(f"--at の日時「{text}」を読み取れませんでした。2027-02-01T09:00+09:00 のような形でご指定ください。")
    return (moment if moment.tzinfo else moment.replace(tzinfo=s.tz)).astimezone(s.tz)


def install_senders(s: Settings, eng: Engine) -> list[str]:
    """Register the senders of the platforms this deployment is configured for (console always is)."""
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
    line = f"送信: {len(report.sent)}件"
    if report.retrying:
        line += f"、再送待ち: {len(report.retrying)}件"
    if report.failed:
        line += f"、送信できず: {len(report.failed)}件"
    if report.rerouted:
        line += f"、別の連絡先へ: {len(report.rerouted)}件"
    return line + "(詳しくは `kaikaku outbox`)"


def remind(at: AtOption = None, dry_run: DryRunOption = False, format: FormatOption = Format.text) -> None:
    """Send (or with --dry-run list) the reminders due at that moment."""
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
        typer.echo(f"{format_day(moment.date())}は報告期間外です。送る通知はありません。")
        return
    typer.echo(f"{rnd.fy.label}の報告期間: {format_day(rnd.open_day)}〜{format_day(rnd.deadline)}(締切)")
    if not is_send_day(s, moment):
        typer.echo(f"{format_day(moment.date())}は閉庁日のため、通知は次の開庁日に送ります。")
    elif not messages:
        typer.echo("送る通知はありません(送信済み、またはすべての課が提出済みです)。")
    for m in messages:
        typer.echo(("[予定] " if dry_run else "") + _message_line(m))
    if plan.unreachable:
        names = "、".join(st.name for st in plan.unreachable)
        typer.echo(f"連絡先が未登録のため通知できない課({len(plan.unreachable)}課): {names}")
    if not dry_run:
        typer.echo(_delivery_line(delivery))


def digest(at: AtOption = None, dry_run: DryRunOption = False, format: FormatOption = Format.text) -> None:
    """Send (or with --dry-run print) the weekly digest for the coordinating division."""
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
        typer.echo("送るダイジェストはありません(今週分は送信済み、報告期間外、閉庁日、または送信先が未登録です)。"
                   "内容は `kaikaku digest --dry-run` で表示できます。")
        return
    for m in queued:
        typer.echo(_message_line(m))
    typer.echo(_delivery_line(delivery))


def outbox(
    status: Annotated[Status | None, typer.Option("--status", help="queued / sending / sent / failed")] = None,
    format: FormatOption = Format.text,
    recipient: Annotated[str | None, typer.Option("--recipient", help="この宛先(ユーザーID)の分だけ")] = None,
    text: Annotated[bool, typer.Option("--text", help="本文も表示(コンソールの利用者向け)")] = False,
    limit: Annotated[int | None, typer.Option("--limit", min=1)] = None,
) -> None:
    """What the bot has queued and sent: key, platform, recipient, kind, status, attempts, times."""
    s = settings()
    with session() as ses:
        rows = [ob.as_dict(r, s, with_text=text)
                for r in ob.list_messages(ses, status.value if status else None, recipient, limit=limit)]
    if format is Format.json:
        print_json(rows)
        return
    if not rows:
        typer.echo("該当するメッセージはありません。")
        return
    for r in rows:
        when = (r["created_at"] or "")[:16].replace("T", " ")
        line = f"{when} {r['status']:<7} {r['attempts']}回 {r['platform']}:{r['recipient']} {r['kind']} {r['key']}"
        if r["last_error"]:
            line += f"  ({r['last_error']})"
        typer.echo(line)
        if text:
            typer.echo("    " + r["text"].replace("\n", "\n    "))
            if r["choices"]:
                typer.echo("    選択肢: " + " / ".join(f"{c['label']}(「{c['value']}」と送信)" for c in r["choices"]))
            typer.echo("")


def run_scheduler(eng: Engine) -> None:
    """The clock process: catch up once, then run the jobs until stopped (SIGTERM or Ctrl-C)."""
    from bot.clock.heartbeat import beat, real_now

    s = settings()
    beat(eng, started_at=real_now())
    platforms = install_senders(s, eng)
    log.info("clock starting; senders: %s", ", ".join(platforms))
    caught_up = tick(eng, s)
    log.info("start-up pass: queued %d, sent %d", len(caught_up.queued), len(caught_up.delivery.sent))
    clock = build_scheduler(s, eng)

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
