"""`kaikaku backup --out FILE`: a consistent copy of the database while the bot runs."""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy.engine import make_url

from bot.cli.common import engine, fail, settings
from bot.storage import backup as b
from bot.storage.db import normalize_url
from bot.texts import ops as t


def backup(
    out: Annotated[Path, typer.Option("--out", help=t.HELP_BACKUP_OUT)],
    force: Annotated[bool, typer.Option("--force", help=t.HELP_BACKUP_FORCE)] = False,
) -> None:
    """データベースのバックアップ(SQLite: オンラインバックアップ、PostgreSQL: pg_dump)。"""
    conf = settings()
    engine()  # an uninitialised or unreachable database: the usual one-line message
    if out.exists() and not force:
        fail(t.BACKUP_EXISTS.format(path=out))
    url = make_url(normalize_url(conf.database_url))
    try:
        done = b.backup(conf.database_url, out)
    except FileNotFoundError:
        fail(t.BACKUP_PG_NO_TOOL.format(recipe=_quoted(b.pg_dump_command(url, out))), code=1)
    except (b.BackupError, OSError) as exc:
        fail(t.BACKUP_FAILED.format(reason=exc), code=1)
    if done.reports is None:
        typer.echo(t.BACKUP_PG_DONE.format(path=done.path, size=done.size,
                                           restore=_quoted(b.pg_restore_command(url, done.path))))
    else:
        typer.echo(t.BACKUP_DONE.format(path=done.path, size=done.size, reports=done.reports))


def _quoted(command: list[str]) -> str:
    return " ".join(shlex.quote(part) for part in command)


def register(app: typer.Typer) -> None:
    app.command("backup")(backup)
