"""`kaikaku init`, and the process commands that later issues fill in."""

from __future__ import annotations

import typer
from sqlalchemy import Engine

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


def preflight(process: str) -> Engine:
    """What serve and scheduler check before starting (bot.core.startup); logging set up from
    LOG_FORMAT / LOG_LEVEL. Refused: every reason on stderr, exit 2. Returns the engine."""
    from bot.core import logs, startup
    from bot.dialogs.loader import load_all
    from bot.dialogs.model import DialogError
    from bot.texts.ops import REFUSED_TO_START

    conf = settings()
    eng = get_engine(conf.database_url)
    problems = startup.problems(conf, eng, process)
    if problems:
        fail("\n".join([*problems, REFUSED_TO_START]))
    logs.configure(conf)
    try:
        load_all()  # a dialog file with a typo stops the start, naming the file, the step and the reason
    except DialogError as exc:
        fail(str(exc), code=1)
    return eng


def serve() -> None:
    """Web process: Slack at POST /slack/events, LINE at POST /line/webhook, GET /healthz, /metrics."""
    from bot.core.web import serve as run

    eng = preflight("serve")
    run(settings(), eng)


def scheduler() -> None:
    """Clock process: reminders, nudges, digests, sending, a heartbeat."""
    from bot.cli.schedule import run_scheduler

    run_scheduler(preflight("scheduler"))


def register_processes(app: typer.Typer) -> None:
    app.command("serve")(serve)
    app.command("scheduler")(scheduler)
