"""`設定`: a member changes the display name the bot shows for them (member.name).

The dialog is conversations/settings.yaml, run by the conversation manager like the report (same
timeout, キャンセル, questions mid-dialog); this module holds its entry and its functions.
"""

from __future__ import annotations

import unicodedata

from bot import texts
from bot.core.context import Context
from bot.core.messages import Reply
from bot.dialogs.manager import MANAGER, Arguments, Entry
from bot.dialogs.model import REGISTRY, Accept, Outcome, Reject, Result, Turn
from bot.storage.models import Member

SETTINGS_DIALOG = "settings"
ENTRY_WORDS = frozenset({"設定", "表示名", "表示名の変更", "名前の変更"})
NAME_MAX_CHARS = 30


def _called(said: str) -> Arguments | None:
    return {} if unicodedata.normalize("NFKC", said).strip() in ENTRY_WORDS else None


def _prepare(ctx: Context, args: Arguments) -> Arguments | list[Reply]:
    if ctx.member is None:
        return [Reply(texts.UNREGISTERED.format(coordinator=ctx.settings.coordinator_department))]
    return {}


SETTINGS = MANAGER.register(Entry(SETTINGS_DIALOG, _called, _prepare))


def _member(turn: Turn) -> Member:
    assert turn.env.session is not None and turn.env.member is not None
    member = turn.env.session.get(Member, turn.env.member.id)
    assert member is not None
    return member


@REGISTRY.action("profile_start")
def profile_start(turn: Turn) -> Outcome:
    current = turn.env.member.name if turn.env.member is not None else None
    return Outcome({"current_name": current or turn.msg("no_name"), "max_chars": NAME_MAX_CHARS})


@REGISTRY.validator("display_name")
def display_name(turn: Turn) -> Result:
    """One line, spaces tidied (全角 spaces count as spaces), at most NAME_MAX_CHARS characters."""
    name = " ".join(unicodedata.normalize("NFKC", turn.text).split())
    if not name:
        return Reject(turn.msg("empty"))
    if len(name) > NAME_MAX_CHARS:
        return Reject(turn.msg("too_long"))
    return Accept(name)


@REGISTRY.action("profile_save")
def profile_save(turn: Turn) -> Outcome:
    member, name = _member(turn), str(turn.data["name"])
    if member.name == name:
        return Outcome(replies=[Reply(turn.msg("unchanged", name=name))])
    member.name = name
    return Outcome(replies=[Reply(turn.msg("saved", name=name))])
