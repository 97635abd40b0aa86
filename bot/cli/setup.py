"""`kaikaku init`, and the process commands that later issues fill in."""

from __future__ import annotations

import typer

from bot.catalog.store import BUNDLED_CATALOG, BUNDLED_PLAN, load_catalog, read_catalog
from bot.cli.common import fail, settings
from bot.storage.db import get_engine, migrate, session_scope
from bot.texts import cli as say


def init() -> None:
    """Create or migrate the database and load the bundled plan catalog (idempotent)."""
    eng = get_engine(settings().database_url)
    migrate(eng)
    entries = read_catalog(BUNDLED_CATALOG)
    with session_scope(eng) as s:
        plan = load_catalog(s, entries, BUNDLED_PLAN)
        unassigned = [m.no for m in plan.measures if not m.department_links]
    typer.echo(say.INIT_DONE.format(n=len(entries)))
    if unassigned:
        nos = "、".join(f"No.{n}" for n in unassigned)
        typer.echo(say.INIT_UNASSIGNED.format(nos=nos))


def _not_yet(name: str) -> None:
    fail(say.NOT_YET.format(name=name), code=1)


def register(app: typer.Typer) -> None:
    app.command("init")(init)


def serve() -> None:
    """The web process: Slack at POST /slack/events, LINE at POST /line/webhook, GET /healthz."""
    import logging

    from bot.cli.common import engine
    from bot.core.config import check_secrets
    from bot.core.web import serve as run
    from bot.dialogs.loader import load_all
    from bot.dialogs.model import DialogError

    problems = check_secrets(settings())
    if problems:
        fail("\n".join(problems))
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        load_all()  # a dialog file with a typo stops the start, naming the file, the step and the reason
    except DialogError as exc:
        fail(str(exc), code=1)
    run(settings(), engine())


def scheduler() -> None:
    """The clock process (reminders, nudges, digests)."""
    from bot.cli.schedule import run_scheduler

    run_scheduler()


def register_processes(app: typer.Typer) -> None:
    app.command("serve")(serve)
    app.command("scheduler")(scheduler)
