"""The greeting of someone who just added the bot (LINE's follow event), as a neutral event."""

from __future__ import annotations

from bot import texts
from bot.core.context import Context
from bot.core.messages import Reply
from bot.texts import platforms as say


def greet(ctx: Context) -> list[Reply]:
    """Hello, how to register (unless already registered), and what the bot does."""
    unregistered = texts.UNREGISTERED.format(coordinator=ctx.settings.coordinator_department)
    hello = say.GREETING if ctx.member is not None else f"{say.GREETING}\n{unregistered}"
    return [Reply(hello), Reply(texts.HELP)]
