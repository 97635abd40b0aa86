"""`kaikaku ask "QUESTION" [--user ID]`: print the answer the bot would give in chat.

A person at a terminal waits for this on every question, so it loads only what answering needs:
`bot.cli.main` runs it without building the whole typer app (see `quick_ask`), and nothing here
imports the platforms, the clock or Alembic.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import typer

def answer_text(question: str, user: str | None) -> str:
    """The bot's answer to `question`, as the console prints it (choices numbered); nothing stored."""
    from sqlalchemy.exc import DBAPIError

    from bot import answers
    from bot.cli.common import engine, fail, settings
    from bot.core.context import Context
    from bot.core.messages import Incoming
    from bot.core.router import help_handler
    from bot.handlers.console import render
    from bot.storage.db import session_scope, table_names
    from bot.texts import cli as say

    if not question.strip():
        fail(say.ASK_EMPTY)
    platform, _, user_id = user.partition(":") if user and ":" in user else ("console", "", user or "")
    conf = settings()
    eng = engine(ensure_schema=False)  # the schema is looked at only when reading fails (below)
    try:
        with session_scope(eng) as session:
            member = None
            if user_id:  # the ORM classes are imported only to read a member
                from bot.people.members import find_member

                member = find_member(session, platform, user_id)
            incoming = Incoming(platform, user_id or "cli", "cli", text=question, direct=True)
            ctx = Context(conf, session, incoming, member, conf.now())
            replies = help_handler(ctx) or answers.handle(ctx) or []
    except DBAPIError:
        if "alembic_version" not in table_names(eng):
            fail(say.NO_DATABASE)
        raise
    return render(replies)


def quick_ask(args: Sequence[str]) -> bool:
    """`ask QUESTION [--user ID]` answered without typer; False for anything else (--help, a
    typo), which the full command line then handles and explains."""
    question: str | None = None
    user: str | None = None
    rest = list(args)
    while rest:
        arg = rest.pop(0)
        if arg == "--user" and rest:
            user = rest.pop(0)
        elif arg.startswith("--user="):
            user = arg.split("=", 1)[1]
        elif arg.startswith("-") or question is not None:
            return False
        else:
            question = arg
    if question is None:
        return False
    sys.stdout.write(answer_text(question, user))
    return True


def register(app: typer.Typer) -> None:
    import typer

    from bot.texts import cli as say

    def ask(
        question: str = typer.Argument(..., help=say.HELP_QUESTION),
        user: str | None = typer.Option(None, "--user", help=say.HELP_ASK_USER),
    ) -> None:
        """Print the bot's answer to a question (choices numbered); nothing is stored."""
        typer.echo(answer_text(question, user), nl=False)

    app.command("ask")(ask)
