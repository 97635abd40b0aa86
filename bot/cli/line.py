"""`kaikaku line usage`: this month's LINE pushes against the budget (pushes cost money)."""

from __future__ import annotations

import re

import typer

from bot.cli.common import fail, print_json, session, settings
from bot.core import push_budget
from bot.texts import cli as say

app = typer.Typer(no_args_is_help=True)


@app.command("usage")
def usage(
    month: str | None = typer.Option(None, "--month", help=say.HELP_MONTH),
    fmt: str = typer.Option("text", "--format", help="text / json"),
) -> None:
    """Pushes sent this month, the budget, what is left, and what the budget refused."""
    if fmt not in ("text", "json"):
        fail(say.ONE_OF.format(option="format", choices="text / json", given=fmt))
    conf = settings()
    month = month or push_budget.month_of(conf.now())
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", month):
        fail(say.BAD_MONTH.format(given=month))
    with session() as s:
        u = push_budget.usage(s, month, conf.line_push_monthly_budget)
    if fmt == "json":
        print_json(u.as_dict())
    else:
        typer.echo(push_budget.summary(u))
