"""The `kaikaku` command line (typer). Exit codes: 0 success, 2 bad input or usage, 1 otherwise."""

from __future__ import annotations

import sys

import typer

from bot.cli import ask, audit, catalog, chat, members, purge, results, schedule, setup
from bot.cli import line as line_cli
from bot.texts import cli as say

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help=say.HELP_APP)
setup.register(app)
setup.register_processes(app)
app.add_typer(catalog.app, name="catalog", help=say.HELP_CATALOG)
app.add_typer(members.app, name="members", help=say.HELP_MEMBERS)
chat.register(app)
ask.register(app)
app.add_typer(results.app, name="results", help=say.HELP_RESULTS)
app.add_typer(line_cli.app, name="line", help=say.HELP_LINE)
schedule.register(app)
purge.register(app)
audit.register(app)


def main() -> None:
    """Every command: an unusable database is one line on stderr (exit 1), not a traceback."""
    from bot.cli.common import database_problem, settings

    try:
        app()
    except Exception as exc:
        problem = database_problem(exc, settings().database_url)
        if problem is None:
            raise
        print(problem, file=sys.stderr)
        raise SystemExit(1) from None
