"""`kaikaku ask "QUESTION" [--user ID]`: print the answer the bot would give in chat."""

from __future__ import annotations

import typer

from bot import answers
from bot.cli.common import engine, fail, settings
from bot.core.context import Context
from bot.core.messages import Incoming
from bot.core.router import help_handler
from bot.handlers.console import render
from bot.people.members import find_member
from bot.storage.db import session_scope
from bot.texts import cli as say


def ask(
    question: str = typer.Argument(..., help=say.HELP_QUESTION),
    user: str | None = typer.Option(
        None, "--user", help=say.HELP_ASK_USER
    ),
) -> None:
    """Print the bot's answer to a question (choices numbered); nothing is stored."""
    if not question.strip():
        fail(say.ASK_EMPTY)
    platform, _, user_id = user.partition(":") if user and ":" in user else ("console", "", user or "")
    conf = settings()
    with session_scope(engine()) as session:
        member = find_member(session, platform, user_id) if user_id else None
        incoming = Incoming(platform, user_id or "cli", "cli", text=question, direct=True)
        ctx = Context(conf, session, incoming, member, conf.now())
        replies = help_handler(ctx) or answers.handle(ctx) or []
    typer.echo(render(replies), nl=False)


def register(app: typer.Typer) -> None:
    app.command("ask")(ask)
