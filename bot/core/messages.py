"""The one neutral message pair every platform adapter translates to and from.

The core (router, dialogs, answers, reminders) speaks only these types; adapters in
bot/handlers/ turn a platform's events into `Incoming` and render `Reply` back.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from bot.texts import platforms as say

# Terminal escape sequences (`ESC[31m`) and other control characters typed or pasted into a chat:
# never stored, never echoed. Line breaks and tabs stay.
_ESCAPES = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[@-Z\\-_]|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\x80-\x9f]")


def clean(text: str) -> str:
    """The text without terminal escape sequences and control characters (line breaks kept)."""
    return _ESCAPES.sub("", text)


@dataclass(frozen=True)
class Mention:
    """A person named in a message: the platform's user id and how the platform writes a mention
    of them in a reply (Slack `<@U…>`), so a reply can name them as the platform does."""

    user: str
    markup: str


@dataclass(frozen=True)
class Incoming:
    """A message from a user: typed text, or the value of a choice they tapped."""

    platform: str  # slack / line / console
    user: str  # the platform's user id
    channel: str  # where to answer: DM/channel id, LINE source id, "console"
    text: str | None = None
    value: str | None = None  # the `Choice.value` of a tapped button / postback
    step: str | None = None  # the `Choice.step` of that button: which question it answered
    event_id: str | None = None  # the platform's id of the event, for exactly-once
    direct: bool = True  # a one-to-one chat (reports are taken only there)
    form: Mapping[str, str] | None = None  # values submitted from a `Form` (a modal)
    # A neutral event instead of a message: "greeting" (the bot was added as a friend), "status"
    # (the user opened a status view, Slack's App Home), "unsupported" (a sticker, a photo …),
    # "profile" (the user changed their profile on the platform; `text` is the name it now shows).
    event: str | None = None
    mentions: Sequence[Mention] = ()  # people the message names, resolved by the adapter, in order
    raw: Mapping[str, Any] | None = field(default=None, compare=False, repr=False)

    @property
    def said(self) -> str:
        """What the user said, whichever way they said it."""
        if self.value is not None:
            return self.value
        if self.form:
            return clean(next(iter(self.form.values()), ""))
        return clean(self.text or "").strip()

    @property
    def who(self) -> str:
        return f"{self.platform}:{self.user}"


@dataclass(frozen=True)
class Choice:
    """An option the user can tap; `value` comes back as `Incoming.value`.

    `step` names the question the button answers (a dialog's step, set by the dialog engine); it
    travels with the button (`button_data`) and comes back as `Incoming.step`, so a second tap on
    an answered question is recognised however the platform delivers it.
    """

    label: str
    value: str
    step: str | None = None


STEP_SEPARATOR = "\u241e"  # ␞: never in a value; the step goes first, so a cut value keeps it


def button_data(choice: Choice) -> str:
    """What a platform puts in the button (Slack's action value, LINE's postback data)."""
    return f"{choice.step}{STEP_SEPARATOR}{choice.value}" if choice.step else choice.value


def from_button(data: str) -> tuple[str, str | None]:
    """A button's data back as (value, step); a button without a step gives (data, None)."""
    step, separator, value = data.partition(STEP_SEPARATOR)
    return (value, step or None) if separator else (data, None)


@dataclass(frozen=True)
class Form:
    """A hint that the answer is long text: a platform may open a modal for it."""

    field: str
    title: str
    label: str
    max_chars: int = 2000
    initial: str | None = None
    submit: str = say.FORM_SUBMIT


@dataclass(frozen=True)
class Card:
    """A structured summary (a measure, a report to confirm): Flex / Block Kit sections."""

    title: str
    fields: Sequence[tuple[str, str]] = ()
    footer: str | None = None


@dataclass(frozen=True)
class Reply:
    """One message from the bot."""

    text: str
    choices: Sequence[Choice] = ()
    form: Form | None = None
    card: Card | None = None
    image_png: bytes | None = field(default=None, repr=False)  # e.g. the digest's chart
    image_alt: str | None = None
    mentions: Sequence[str] = ()  # substrings of `text` that are a `Mention.markup`, kept as such

    def with_choices(self, *labels: str) -> Reply:
        return Reply(self.text, tuple(Choice(lbl, lbl) for lbl in labels), self.form, self.card)


class RateLimited(Exception):
    """The platform refused for now (HTTP 429): nothing was sent. The caller gives the message back
    to be tried after `retry_after` seconds (None: the platform did not say) instead of sleeping."""

    def __init__(self, retry_after: float | None, detail: str = "") -> None:
        super().__init__(detail or f"rate limited (retry after {retry_after}s)")
        self.retry_after = retry_after


class Sender(Protocol):
    """Delivers replies outside a request (reminders, digests, late answers): one per platform."""

    platform: str

    def send(self, recipient: str, replies: Sequence[Reply], *, key: str | None = None) -> None:
        """Deliver or raise; `key` is the outbox idempotency key, for platforms that dedupe.

        A rate limit raises `RateLimited` at once (never sleeps): the outbox retries later."""
        ...
