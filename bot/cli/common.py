"""What every command needs: settings, the engine, error exits."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, NoReturn

from bot.core.config import Settings, get_settings
from bot.storage.db import get_engine, migrate, session_scope, table_names
from bot.texts import cli as say

if TYPE_CHECKING:  # `kaikaku ask` answers without the ORM classes
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session

    from bot.storage.models import Department


def settings() -> Settings:
    return get_settings()


def engine(ensure_schema: bool = True) -> Engine:
    """The configured database; its schema is brought up to date first (cheap when it is)."""
    eng = get_engine(settings().database_url)
    if ensure_schema and "alembic_version" not in table_names(eng):
        fail(say.NO_DATABASE, code=2)
    return eng


@contextmanager
def session() -> Iterator[Session]:
    with session_scope(engine()) as s:
        yield s


def department_or_fail(s: Session, name: str) -> Department:
    """The named department, or exit 2 naming the closest ones."""
    from bot.catalog.store import closest_departments, find_department

    dept = find_department(s, name)
    if dept is None:
        near = closest_departments(s, name)
        hint = say.NEAR_NAMES.format(names="、".join(near)) if near else ""
        fail(say.UNKNOWN_DEPARTMENT.format(name=name, hint=hint))
    return dept


def fail(message: str, code: int = 2) -> NoReturn:
    print(message, file=sys.stderr)
    raise SystemExit(code)


def database_problem(exc: BaseException, url: str) -> str | None:
    """One line for an unusable DATABASE_URL (malformed, or the server cannot be reached), or
    None when `exc` is not about the database. The URL is shown without its password."""
    from sqlalchemy.exc import InterfaceError, OperationalError

    from bot.texts import safety as t

    if isinstance(exc, OperationalError | InterfaceError) and _url_problem(url) is None:
        return t.DATABASE_UNREACHABLE.format(where=_shown(url), reason=_first_line(exc.orig or exc))
    reason = _url_problem(url)
    return None if reason is None else t.DATABASE_URL_INVALID.format(reason=reason)


def _url_problem(url: str) -> str | None:
    """Why this URL cannot be used (unparsable, unknown database, driver missing), or None."""
    from sqlalchemy.engine import make_url

    from bot.storage.db import normalize_url

    try:
        make_url(normalize_url(url)).get_dialect().import_dbapi()
    except Exception as exc:
        return _first_line(exc)
    return None


def _shown(url: str) -> str:
    from sqlalchemy.engine import make_url

    from bot.storage.db import normalize_url

    return make_url(normalize_url(url)).render_as_string(hide_password=True)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return (text[0] if text else exc.__class__.__name__)[:300]


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


__all__ = ["engine", "fail", "migrate", "print_json", "session", "settings"]
