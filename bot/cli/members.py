"""`kaikaku members add | invite | list` (the codes themselves: bot.people.registration)."""

from __future__ import annotations

import typer

from bot.cli.common import department_or_fail, fail, session, settings
from bot.core import platforms
from bot.people.members import ROLES, add_member, list_members
from bot.texts import cli as say

app = typer.Typer(no_args_is_help=True)


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
        add_member(s, platform, user, dept, role, name, now=settings().now())
        typer.echo(say.MEMBER_ADDED.format(platform=platform, user=user, department=dept.name, role=role))


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
        inv = issue_code(s, dept, conf.now(), conf.registration_code_ttl_hours, role, name, secret)
    until = inv.expires_at.astimezone(conf.tz).strftime("%Y-%m-%d %H:%M")
    typer.echo(say.INVITE_CODE.format(code=inv.code))
    typer.echo(say.INVITE_VALID.format(department=inv.department, role=role, until=until))
    typer.echo(say.INVITE_HOW.format(code=inv.code))


@app.command("list")
def list_() -> None:
    """Who is registered, by department."""
    with session() as s:
        rows = list_members(s)
        if not rows:
            typer.echo(say.NO_MEMBERS)
        current = None
        for m in rows:
            if m.department.name != current:
                current = m.department.name
                typer.echo(current)
            label = f" {m.name}" if m.name else ""
            typer.echo(f"  {m.platform}:{m.user_id}{label} ({m.role})")
