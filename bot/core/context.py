"""What a handler of the core gets for one incoming message."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from bot.core.config import Settings
from bot.core.messages import Incoming, Reply
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
