"""Where a conversation stands between messages: the `dialog_state` table.

Keyed by (platform, channel, user) and written after every step, with a version column for
optimistic concurrency: a restart, or a message arriving at another web process, continues where
the user was, and two processes never both move one conversation on.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.core.messages import Incoming
from bot.dialogs.model import Ended, State, StateConflict
from bot.storage.models import DialogState


@dataclass(frozen=True)
class Key:
    """A conversation's key, as python-telegram-bot builds it from chat and user."""

    platform: str
    channel: str
    user: str

    @classmethod
    def of(cls, incoming: Incoming) -> Key:
        return cls(incoming.platform, incoming.channel, incoming.user)


def _where(key: Key) -> Any:
    return (
        (DialogState.platform == key.platform)
        & (DialogState.channel == key.channel)
        & (DialogState.user_id == key.user)
    )


# Built once: every message reads its conversation's state (columns only: no ORM object to track).
_STATE = select(DialogState.dialog, DialogState.step, DialogState.data, DialogState.history,
                DialogState.version, DialogState.updated_at).where(
    DialogState.platform == bindparam("d_platform"),
    DialogState.channel == bindparam("d_channel"),
    DialogState.user_id == bindparam("d_user"),
)
_STATE_LOCKED = _STATE.with_for_update()


def load_state(session: Session, key: Key, *, lock: bool = True) -> State | None:
    """The stored state of a conversation; on PostgreSQL the row is locked until the commit, so
    two processes handling the same user take turns instead of racing."""
    row = session.execute(_STATE_LOCKED if lock else _STATE,
                          {"d_platform": key.platform, "d_channel": key.channel, "d_user": key.user}).one_or_none()
    if row is None:
        return None
    return State(row.dialog, row.step, dict(row.data or {}), list(row.history or []), row.version, row.updated_at)


def save_state(session: Session, key: Key, state: State | Ended, now: datetime) -> State | None:
    """Store the state after a step (or drop it when the dialog ended).

    Optimistic concurrency: the row is written only if its version is still the one this state
    was read with; otherwise StateConflict (the caller rolls back and asks to resend).
    """
    if isinstance(state, Ended):
        if state.version is not None:
            done = session.execute(
                delete(DialogState).where(_where(key), DialogState.version == state.version)
            )
            if done.rowcount != 1:  # type: ignore[attr-defined]
                raise StateConflict(str(key))
        return None
    values = {
        "dialog": state.dialog,
        "step": state.step,
        "data": dict(state.data),
        "history": list(state.history),
        "updated_at": now,
    }
    if state.version is None:
        try:
            with session.no_autoflush:
                session.execute(
                    insert(DialogState).values(platform=key.platform, channel=key.channel, user_id=key.user,
                                               version=1, **values)
                )
        except IntegrityError as exc:
            raise StateConflict(str(key)) from exc
        return replace(state, version=1)
    done = session.execute(
        update(DialogState)
        .where(_where(key), DialogState.version == state.version)
        .values(version=state.version + 1, **values)
    )
    if done.rowcount != 1:  # type: ignore[attr-defined]
        raise StateConflict(str(key))
    return replace(state, version=state.version + 1)


def clear_state(session: Session, key: Key) -> None:
    session.execute(delete(DialogState).where(_where(key)))
