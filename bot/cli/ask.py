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


def ask(
    question: str = typer.Argument(..., help="質問(例: 「No.34の目標は?」)"),
    user: str | None = typer.Option(
        None, "--user", help="誰として尋ねるか: console のユーザーID、または platform:ID(例: slack:U0123)"
    ),
) -> None:
    """Print the bot's answer to a question (choices numbered); nothing is stored."""
    if not question.strip():
        fail("質問を指定してください(例: kaikaku ask \"No.34の目標は?\")。")
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
