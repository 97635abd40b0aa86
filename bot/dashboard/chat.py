"""`ダッシュボード` in a chat: the reply is a one-time sign-in link, in a one-to-one chat only."""

from __future__ import annotations

import unicodedata

from bot import texts
from bot.core.context import Context
from bot.core.messages import Reply
from bot.dashboard.links import base_url, issue_link
from bot.texts import dashboard as t


def handle(ctx: Context) -> list[Reply] | None:
    """Router handler; anything but the word passes through."""
    said = unicodedata.normalize("NFKC", ctx.said).strip().lower()
    if said not in t.WORDS:
        return None
    if not ctx.incoming.direct:  # a link in a group chat could be opened by anyone there
        return [Reply(t.ONLY_DIRECT)]
    if ctx.member is None:
        return [Reply(texts.UNREGISTERED.format(coordinator=ctx.settings.coordinator_department))]
    if base_url(ctx.settings) is None:
        return [Reply(t.NOT_CONFIGURED.format(coordinator=ctx.settings.coordinator_department))]
    link = issue_link(ctx.session, ctx.settings, ctx.incoming.platform, ctx.incoming.user, ctx.now)
    return [Reply(t.LINK.format(url=link.url, minutes=ctx.settings.dashboard_link_minutes))]
