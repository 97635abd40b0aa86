"""The `kaikaku` command line (typer). Exit codes: 0 success, 2 bad input or usage, 1 otherwise."""

from __future__ import annotations

import sys

import typer

from bot.cli import ask, backup, catalog, chat, members, purge, results, schedule, setup
from bot.cli import line as line_cli
from bot.cli import slack as slack_cli

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="kaikaku-bot: 行政改革実施計画の進捗報告ボット")
setup.register(app)
setup.register_processes(app)
app.add_typer(catalog.app, name="catalog", help="計画カタログ: export / import / assign")
app.add_typer(members.app, name="members", help="チャットアカウントと課の登録")
chat.register(app)
ask.register(app)
app.add_typer(results.app, name="results", help="実施結果の書き出し: export")
app.add_typer(line_cli.app, name="line", help="LINE: プッシュ送信数と上限(usage)、リッチメニュー(richmenu)")
app.add_typer(slack_cli.app, name="slack", help="Slack: アプリのマニフェスト")
schedule.register(app)
purge.register(app)
backup.register(app)


def main() -> None:
    """Every command: an unusable database is one line on stderr (exit 1), not a traceback."""
    from pydantic import ValidationError

    from bot.cli.common import database_problem, settings
    from bot.texts.ops import SETTING_INVALID

    try:
        app()
    except ValidationError as exc:  # a setting of the wrong shape: name it, never echo its value
        for error in exc.errors():
            name = ".".join(str(part) for part in error["loc"]).upper()
            print(SETTING_INVALID.format(name=name, reason=error["msg"]), file=sys.stderr)
        raise SystemExit(2) from None
    except Exception as exc:
        problem = database_problem(exc, settings().database_url)
        if problem is None:
            raise
        print(problem, file=sys.stderr)
        raise SystemExit(1) from None
