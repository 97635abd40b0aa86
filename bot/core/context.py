"""What a handler of the core gets for one incoming message."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from bot.core.config import Settings
from bot.core.messages import Incoming, Reply

if TYPE_CHECKING:  # the ORM classes are imported where rows are read, not by every question (kaikaku ask)
    from sqlalchemy.orm import Session

    from bot.storage.models import Member


@dataclass
class Context:
    settings: Settings
    session: Session
    incoming: Incoming
    member: Member | None
    now: datetime  # aware, in the bot's time zone
    notices: list[Reply] = field(default_factory=list)  # said before whatever answers the message

    @property
    def said(self) -> str:
        return self.incoming.said
