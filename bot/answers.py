"""Placeholder until its issue lands: handles nothing yet."""

from __future__ import annotations

from bot.context import Context
from bot.messages import Reply


def handle(ctx: Context) -> list[Reply] | None:
    return None
