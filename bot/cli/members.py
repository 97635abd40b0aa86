"""`kaikaku members add | remove | import | invite | list` (the codes themselves:
bot.people.registration). Every change is recorded in the audit trail as done by the operator."""

from __future__ import annotations

import csv
import getpass
import io
from dataclasses import dataclass
from pathlib import Path

import typer
from sqlalchemy.orm import Session

from bot.cli.common import department_or_fail, fail, print_json, session, settings
from bot.core import platforms
from bot.people.members import ROLES, add_member, find_member, list_members, remove_member
from bot.storage.audit import Actor
from bot.storage.models import Department
from bot.texts import cli as say
from bot.texts import people as t
from bot.texts.ops import FORMAT_HELP

app = typer.Typer(no_args_is_help=True)

IMPORT_COLUMNS = ("platform", "user", "department", "role", "name")


def operator() -> Actor:
    """The operator at the server's shell, as the audit trail records them."""
    try:
        who = getpass.getuser()
    except Exception:  # no login name (a container): still an operator
        who = "operator"
    return Actor(f"cli:{who}", None)


@app.command("add")
def add(
    platform: str = typer.Option(..., "--platform", help="slack / line / console"),
    user: str = typer.Option(..., "--user", help="the platform's user id"),
    department: str = typer.Option(..., "--department", help=say.HELP_DEPARTMENT),
    role: str = typer.Option("staff", "--role", help="staff / manager / coordinator"),
    name: str | None = typer.Option(None, "--name"),
) -> None:
    """Register a chat user to a department."""
    if platform not in platforms.names():
        fail(say.ONE_OF.format(option="platform", choices=" / ".join(platforms.names()), given=platform))
    if role not in ROLES:
        fail(say.ONE_OF.format(option="role", choices=" / ".join(ROLES), given=role))
    with session() as s:
        dept = department_or_fail(s, department)
        add_member(s, platform, user, dept, role, name, now=settings().now(), actor=operator())
        typer.echo(say.MEMBER_ADDED.format(platform=platform, user=user, department=dept.name, role=role))


@app.command("remove")
def remove(
    platform: str = typer.Option(..., "--platform", help="slack / line / console"),
    user: str = typer.Option(..., "--user", help="the platform's user id"),
) -> None:
    """Remove a chat user: they can no longer report or see results (recorded)."""
    with session() as s:
        member = find_member(s, platform, user)
        if member is None:
            fail(t.CLI_NOT_A_MEMBER.format(account=f"{platform}:{user}"))
        department = member.department.name
        remove_member(s, member, operator(), now=settings().now())
    typer.echo(t.CLI_REMOVED.format(account=f"{platform}:{user}", department=department))


@dataclass(frozen=True)
class ImportRow:
    line: int
    platform: str
    user: str
    department: Department
    role: str
    name: str | None


def read_rows(s: Session, text: str) -> tuple[list[ImportRow], list[str]]:
    """The file's rows, checked; (rows, errors). Any error means nothing is imported."""
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in reader.fieldnames or []]
    missing = [c for c in IMPORT_COLUMNS if c not in header and c not in ("role", "name")]
    if missing:
        return [], [t.IMPORT_MISSING_COLUMNS.format(columns=", ".join(missing), expected=", ".join(IMPORT_COLUMNS))]
    from bot.catalog.store import closest_departments, find_department

    rows: list[ImportRow] = []
    errors: list[str] = []
    seen: dict[tuple[str, str], int] = {}
    for number, raw in enumerate(reader, start=2):
        cell = {k.strip(): (v or "").strip() for k, v in raw.items() if k is not None}
        if not any(cell.values()):
            continue
        problems = []
        platform, user, dept_name = cell.get("platform", ""), cell.get("user", ""), cell.get("department", "")
        role = cell.get("role") or "staff"
        if platform not in platforms.names():
            problems.append(t.IMPORT_BAD_PLATFORM.format(value=platform, allowed=" / ".join(platforms.names())))
        if not user:
            problems.append(t.IMPORT_NO_USER)
        elif (platform, user) in seen:
            problems.append(t.IMPORT_DUPLICATE.format(line=seen[(platform, user)]))
        if role not in ROLES:
            problems.append(t.IMPORT_BAD_ROLE.format(value=role, allowed=" / ".join(ROLES)))
        department = find_department(s, dept_name) if dept_name else None
        if department is None:
            near = closest_departments(s, dept_name) if dept_name else []
            hint = t.IMPORT_NEAR.format(names="、".join(near)) if near else ""
            problems.append(t.IMPORT_BAD_DEPARTMENT.format(value=dept_name, hint=hint))
        seen.setdefault((platform, user), number)
        if problems:
            errors.append(t.IMPORT_ROW_ERROR.format(line=number, problems=" ".join(problems)))
        elif department is not None:
            rows.append(ImportRow(number, platform, user, department, role, cell.get("name") or None))
    return rows, errors


@app.command("import")
def import_(path: Path = typer.Argument(..., help=t.IMPORT_HELP_FILE)) -> None:
    """Register many chat users from a CSV; if any row is wrong nothing is changed (exit 2)."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        fail(t.IMPORT_UNREADABLE.format(path=path, reason=exc.strerror or exc))
    except UnicodeDecodeError:
        fail(t.IMPORT_NOT_UTF8.format(path=path))
    now = settings().now()
    with session() as s:
        rows, errors = read_rows(s, text)
        if errors:
            s.rollback()
            fail("\n".join([t.IMPORT_REFUSED.format(count=len(errors)), *errors]))
        actor = operator()
        for row in rows:
            add_member(s, row.platform, row.user, row.department, row.role, row.name, now=now, actor=actor)
    typer.echo(t.IMPORT_DONE.format(count=len(rows)))


@app.command("invite")
def invite(
    department: str = typer.Option(..., "--department", help=say.HELP_DEPARTMENT),
    role: str = typer.Option("staff", "--role", help="staff / manager / coordinator"),
    name: str | None = typer.Option(None, "--name"),
) -> None:
    """Print a one-time registration code; the person sends `登録 CODE` to the bot."""
    from bot.people.registration import issue_code
    from bot.texts.safety import EMPTY_SECRET_KEY

    if role not in ROLES:
        fail(say.ONE_OF.format(option="role", choices=" / ".join(ROLES), given=role))
    conf = settings()
    secret = conf.secret_key.get_secret_value()
    if not secret.strip():
        fail(EMPTY_SECRET_KEY)
    with session() as s:
        dept = department_or_fail(s, department)
        inv = issue_code(s, dept, conf.now(), conf.registration_code_ttl_hours, role, name, secret, actor=operator())
    until = inv.expires_at.astimezone(conf.tz).strftime("%Y-%m-%d %H:%M")
    typer.echo(say.INVITE_CODE.format(code=inv.code))
    typer.echo(say.INVITE_VALID.format(department=inv.department, role=role, until=until))
    typer.echo(say.INVITE_HOW.format(code=inv.code))


@app.command("list")
def list_(fmt: str = typer.Option("text", "--format", help=FORMAT_HELP)) -> None:
    """Who is registered, by department."""
    if fmt not in ("text", "json"):
        fail(say.ONE_OF.format(option="format", choices="text / json", given=fmt))
    with session() as s:
        rows = list_members(s)
        if fmt == "json":
            print_json([{"platform": m.platform, "user": m.user_id, "name": m.name, "department": m.department.name,
                         "role": m.role} for m in rows])
            return
        if not rows:
            typer.echo(say.NO_MEMBERS)
        current = None
        for m in rows:
            if m.department.name != current:
                current = m.department.name
                typer.echo(current)
            label = f" {m.name}" if m.name else ""
            typer.echo(f"  {m.platform}:{m.user_id}{label} ({m.role})")
