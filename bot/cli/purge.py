"""`kaikaku purge --older-than DAYS [--dry-run]`: delete what the bot no longer needs."""

from __future__ import annotations

from datetime import timedelta

import typer

from bot.cli.common import fail, session, settings
from bot.reporting.rounds import round_at
from bot.storage.retention import purge as purge_rows
from bot.texts import cli as say
from bot.texts import safety as t


def purge(
    older_than: int = typer.Option(..., "--older-than", help=say.HELP_OLDER_THAN),
    dry_run: bool = typer.Option(False, "--dry-run", help=say.HELP_PURGE_DRY_RUN),
) -> None:
    """Delete processed inbound events, delivered outbox messages and old registration attempts."""
    if older_than < 1:
        fail(t.PURGE_BAD_DAYS.format(days=older_than))
    conf = settings()
    now = conf.now()
    cutoff = now - timedelta(days=older_than)
    running = round_at(conf, now)
    keep = [f"{running.key}/"] if running is not None else []
    with session() as s:
        done = purge_rows(s, cutoff, keep, dry_run=dry_run)
    shown = cutoff.astimezone(conf.tz).strftime("%Y-%m-%d %H:%M")
    text = t.PURGE_DRY_RUN if dry_run else t.PURGE_DONE
    typer.echo(text.format(cutoff=shown, events=done.events, outbox=done.outbox, attempts=done.attempts))


def register(app: typer.Typer) -> None:
    app.command("purge")(purge)
