"""`kaikaku chat --user ID`: talk to the bot on stdin/stdout as a console user."""

from __future__ import annotations

import sys

import typer

from bot.cli.common import engine, fail, settings
from bot.handlers import console
from bot.texts import cli as say


def chat(user: str = typer.Option(..., "--user", help="console user id (`kaikaku members add --platform console`)")) -> None:
    """Chat as console user ID: one message per line; choices are numbered (answer by number or label)."""
    if not user.strip():
        fail(say.CHAT_NO_USER)
    conf, eng = settings(), engine()
    interactive = sys.stdin.isatty()
    if interactive:
        typer.echo(say.CHAT_START.format(user=user))
    console.run(conf, eng, user.strip(), sys.stdin, sys.stdout, prompt="> " if interactive else "")


def register(app: typer.Typer) -> None:
    app.command("chat")(chat)
