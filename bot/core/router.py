"""The core router: one incoming message in, replies out, the same on every platform.

Handlers are tried in order; the first that returns replies (not None) answers. Each runs
inside one database transaction, so a message is handled wholly or not at all.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from bot import texts
from bot.core.config import Settings
from bot.core.context import Context
from bot.core.messages import Incoming, Reply
from bot.storage.db import session_scope
from bot.texts import platforms as platform_texts

log = logging.getLogger(__name__)
Handler = Callable[[Context], list[Reply] | None]

HELP_WORDS = {"ヘルプ", "help", "へるぷ", "使い方", "?", "？"}


def help_handler(ctx: Context) -> list[Reply] | None:
    if ctx.said.strip().lower() in HELP_WORDS:
        return [Reply(texts.HELP)]
    return None


def unsupported_handler(ctx: Context) -> list[Reply]:
    return [Reply(platform_texts.UNSUPPORTED)]


def event_handlers() -> dict[str, Handler]:
    """Neutral events (`Incoming.event`) an adapter may send instead of a message."""
    from bot.people import welcome
    from bot.people.members import profile_changed
    from bot.reporting import status_view

    return {"greeting": welcome.greet, "status": status_view.status_view, "unsupported": unsupported_handler,
            "profile": profile_changed}


def event_handler(ctx: Context) -> list[Reply] | None:
    """A neutral event is answered by its own handler (an unknown one: nothing to say)."""
    if ctx.incoming.event is None:
        return None
    handler = event_handlers().get(ctx.incoming.event)
    return (handler(ctx) or []) if handler is not None else []


def handlers() -> list[Handler]:
    """The order matters: events first, then linking and registration, dialogs before questions."""
    from bot import answers
    from bot.dashboard import chat as dashboard
    from bot.dialogs import manager
    from bot.people import desk, linking, profile, registration  # noqa: F401  (profile registers the 設定 dialog)
    from bot.reporting import handler as reporting  # registers the report dialog
    from bot.reporting import review  # registers the 差戻し dialog

    return [event_handler, linking.handle, desk.handle, registration.handle, review.handle, manager.handle,
            reporting.handle, help_handler, dashboard.handle, answers.handle]


def starts_a_dialog(text: str) -> bool:
    """Whether these words start a dialog (`報告 34`, `設定`): a platform answering in place (a
    Slack slash command in a channel) moves to the one-to-one chat for them, and only for them."""
    from bot.dialogs import manager

    handlers()  # the features register their dialogs' entries on import
    return manager.MANAGER.called(text) is not None


def route(settings: Settings, engine: Engine, incoming: Incoming,
          keep: Callable[[Session, list[Reply]], None] | None = None) -> list[Reply]:
    """Handle one message; never raises to the adapter (a polite error instead).

    `keep(session, replies)` runs in the same transaction: an adapter stores the replies with the
    event there, so the dialog's new state and the replies to deliver are committed together.
    """
    from bot.people.members import find_member  # imported here: `kaikaku ask` uses help_handler only

    try:
        with session_scope(engine) as session:
            member = find_member(session, incoming.platform, incoming.user)
            ctx = Context(settings, session, incoming, member, settings.now())
            replies = ctx.notices + next((r for r in (handler(ctx) for handler in handlers()) if r is not None),
                                         [Reply(texts.HELP)])
            if keep is not None:
                keep(session, replies)
            return replies
    except Exception:
        log.exception("handling a message from %s failed", incoming.platform)
        return [Reply(texts.INTERNAL_ERROR)]
