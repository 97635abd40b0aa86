"""`kaikaku dashboard link --platform P --user ID`: a one-time sign-in link for an operator to pass on."""

from __future__ import annotations

import typer

from bot.cli.common import fail, session, settings
from bot.dashboard.links import base_url, issue_link
from bot.people.members import find_member
from bot.texts import dashboard as t

app = typer.Typer(no_args_is_help=True)


@app.command("link")
def link(
    platform: str = typer.Option(..., "--platform", help="slack / line / console"),
    user: str = typer.Option(..., "--user", help="the platform's user id"),
) -> None:
    """Print a sign-in link for a registered account (valid once, for DASHBOARD_LINK_MINUTES)."""
    conf = settings()
    if base_url(conf) is None:
        fail(t.CLI_NO_PUBLIC_URL)
    if not conf.secret_key.get_secret_value().strip():
        fail(t.CLI_NO_SECRET_KEY)
    with session() as s:
        if find_member(s, platform, user) is None:
            fail(t.CLI_UNREGISTERED.format(who=f"{platform}:{user}"))
        made = issue_link(s, conf, platform, user, conf.now())
    typer.echo(made.url)
    typer.echo(t.CLI_LINK_EXPIRES.format(when=made.expires_at.astimezone(conf.tz).strftime("%Y-%m-%d %H:%M")),
               err=True)
