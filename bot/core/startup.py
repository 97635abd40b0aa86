"""What `kaikaku serve` and `kaikaku scheduler` check before they start, so a half-set deployment
is refused with a sentence saying what to do instead of failing later, quietly, in the middle of
the night: the schema must be at this version's head (else: run `kaikaku init`), every configured
platform must have its secrets (bot.core.config.check_secrets), the coordinating division must be
a department of the catalog (by its exact name: permissions compare names), and the dialogs must load."""

from __future__ import annotations

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from bot.core.config import Settings, check_secrets
from bot.storage.db import alembic_config


def schema_problem(engine: Engine) -> str | None:
    """None when the database is at this version's head; otherwise what to do about it."""
    from bot.texts import ops as t

    with engine.connect() as conn:
        current = set(MigrationContext.configure(conn).get_current_heads())
    script = ScriptDirectory.from_config(alembic_config(engine))
    heads = set(script.get_heads())
    if not current:
        return t.SCHEMA_MISSING
    if current == heads:
        return None
    known = {rev.revision for rev in script.walk_revisions()}
    if not current <= known:
        return t.SCHEMA_AHEAD.format(current=", ".join(sorted(current)))
    return t.SCHEMA_BEHIND.format(current=", ".join(sorted(current)), head=", ".join(sorted(heads)))


def coordinator_problem(settings: Settings, engine: Engine) -> str | None:
    """None when COORDINATOR_DEPARTMENT names a department of the loaded catalog (or no catalog is
    loaded yet); otherwise which name to set. A misspelt division would leave nobody able to link,
    invite or approve, and tell everyone to ask a division that does not exist."""
    from sqlalchemy import func, select

    from bot.catalog.store import closest_departments, find_department
    from bot.storage.db import session_scope
    from bot.storage.models import Department
    from bot.texts import ops as t

    name = settings.coordinator_department
    with session_scope(engine) as s:
        if not s.scalar(select(func.count(Department.id))) or \
                s.scalar(select(Department.id).where(Department.name == name)) is not None:
            return None
        known = find_department(s, name)  # an alias: its canonical name is what to set
        near = [known.name] if known is not None else closest_departments(s, name)
    hint = t.COORDINATOR_NEAR.format(names="、".join(near)) if near else ""
    return t.COORDINATOR_UNKNOWN.format(name=name, hint=hint)


def problems(settings: Settings, engine: Engine, process: str = "serve") -> list[str]:
    """Every reason not to start `process` (serve | scheduler), one sentence each (empty: start).
    SECRET_KEY is the web process's (it checks registration codes); the clock does not need it."""
    found = check_secrets(settings, need_secret_key=process == "serve")
    schema = schema_problem(engine)
    if schema:
        found.append(schema)
    else:
        coordinator = coordinator_problem(settings, engine)
        if coordinator:
            found.append(coordinator)
    return found
