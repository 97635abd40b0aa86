"""The `kaikaku` command line (typer). Exit codes: 0 success, 2 bad input or usage, 1 otherwise."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import typer

_APP: typer.Typer | None = None


def build_app() -> typer.Typer:
    """Every command, registered; built on first use (`kaikaku ask` does without it)."""
    import typer

    from bot.cli import (
        ask,
        audit,
        backup,
        catalog,
        chat,
        dashboard,
        members,
        purge,
        results,
        root,
        schedule,
        setup,
    )
    from bot.cli import line as line_cli
    from bot.cli import slack as slack_cli
    from bot.cli.help import JapaneseGroup
    from bot.texts import cli as say
    from bot.texts import dashboard as dashboard_texts

    app = typer.Typer(
        cls=JapaneseGroup,
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        help=say.HELP_APP)

    root.register(app)
    setup.register(app)
    setup.register_processes(app)
    app.add_typer(catalog.app, name="catalog", help=say.HELP_CATALOG)
    app.add_typer(members.app, name="members", help=say.HELP_MEMBERS)
    chat.register(app)
    ask.register(app)
    app.add_typer(dashboard.app, name="dashboard", help=dashboard_texts.CLI_HELP)
    app.add_typer(results.app, name="results", help=say.HELP_RESULTS)
    app.add_typer(line_cli.app, name="line", help=say.HELP_LINE)
    app.add_typer(slack_cli.app, name="slack", help=say.HELP_SLACK)
    schedule.register(app)
    purge.register(app)
    backup.register(app)
    audit.register(app)
    return app


def __getattr__(name: str) -> Any:
    """`from bot.cli import app`: the typer app, built once."""
    global _APP
    if name == "app":
        if _APP is None:
            _APP = build_app()
        return _APP
    raise AttributeError(name)


def main() -> None:
    """Every command: an unusable database is one line on stderr (exit 1), not a traceback."""
    from bot.cli.common import database_problem, settings
    from bot.core.config import SettingError
    from bot.texts.ops import SETTING_INVALID

    try:
        args = sys.argv[1:]
        if args[:1] == ["ask"]:
            from bot.cli.ask import quick_ask

            if quick_ask(args[1:]):
                return
        __getattr__("app")()
    except SettingError as exc:  # a setting of the wrong shape: name it, never echo its value
        print(SETTING_INVALID.format(name=exc.name.upper(), reason=exc.reason), file=sys.stderr)
        raise SystemExit(2) from None
    except Exception as exc:
        problem = database_problem(exc, settings().database_url)
        if problem is None:
            raise
        print(problem, file=sys.stderr)
        raise SystemExit(1) from None
