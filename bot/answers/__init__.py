"""Questions in plain Japanese: targets, plans, owners, results and status.

`handle` is the router's last handler: any message outside a dialog that no command took is a
question. `answer` is the same without a chat context (`kaikaku ask`, the bench). Replies are
neutral `Reply`s, the same on every platform and in group channels as in direct chats.

Modules: `parse` (text → `intent.Question`), `catalog_view` (the cached catalog snapshot),
`search` (keyword search), `results` (reports and the round, always fresh), `render` (all
wording), `dispatch` (question → data → replies).
"""

from __future__ import annotations

from bot.answers.dispatch import answer
from bot.core.context import Context
from bot.core.messages import Reply

__all__ = ["answer", "handle"]


def handle(ctx: Context) -> list[Reply] | None:
    """Answer the message as a question; None only for an empty message (the router helps)."""
    if not ctx.said.strip():
        return None
    return answer(ctx.session, ctx.said, member=ctx.member, now=ctx.now, settings=ctx.settings,
                  direct=ctx.incoming.direct)
