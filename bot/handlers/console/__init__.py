"""The console adapter: one message per line on stdin, the bot's replies on stdout.

Choices are shown numbered and can be answered by number or by label; a line ending in a
backslash continues on the next line (multi-line 実施結果). Usable from a script: every reply is
flushed as soon as it is made, so a reader can wait for it.

The console has no webhook and no inbox: a line typed is a message routed at once (`run`), and
the outbox's messages for the console are kept for `kaikaku outbox --text` (ConsoleSender).
"""

from __future__ import annotations

import unicodedata
import uuid
from collections.abc import Iterable, Sequence
from typing import TextIO

from sqlalchemy import Engine

from bot.core.config import Settings
from bot.core.messages import Choice, Incoming, Reply, Sender
from bot.core.platforms import Capabilities, Platform
from bot.core.router import route
from bot.texts import platforms as say

NAME = "console"
CHANNEL = "console"


def render(replies: Sequence[Reply]) -> str:
    """Replies as plain text: text, card, numbered choices, and a hint for long text."""
    out: list[str] = []
    for reply in replies:
        out.append(reply.text)
        if reply.card:
            out.append(f"【{reply.card.title}】")
            for name, value in reply.card.fields:
                body = value.replace("\n", "\n    ")
                out.append(f"  {name}: {body}" if "\n" not in value else f"  {name}:\n    {body}")
            if reply.card.footer:
                out.append(f"  {reply.card.footer}")
        for i, choice in enumerate(reply.choices, 1):
            out.append(f"  {i}) {choice.label}")
        if reply.form:
            out.append(say.CONSOLE_FORM_HINT.format(max_chars=reply.form.max_chars))
        if reply.image_alt:
            out.append(say.CONSOLE_IMAGE.format(alt=reply.image_alt))
    return "\n".join(out) + "\n"


def incoming_of(user: str, text: str, shown: Sequence[Choice]) -> Incoming:
    """A typed line as a neutral message; a number of a shown choice becomes that choice's value."""
    value = step = None
    number = unicodedata.normalize("NFKC", text).strip()
    if shown and number.isdecimal() and 1 <= int(number) <= len(shown):
        value, step = shown[int(number) - 1].value, shown[int(number) - 1].step
    return Incoming(NAME, user, CHANNEL, text=text, value=value, step=step, event_id=uuid.uuid4().hex, direct=True)


CONTINUATION_MARKS = ("\\", "¥", "￥")


def messages(lines: Iterable[str]) -> Iterable[str]:
    """Join continued lines into one message; skip blank lines.

    A line continues when it ends in a backslash, or in ¥ / ￥ (what a Japanese keyboard types for
    the backslash key, and what a Japanese font shows for it)."""
    held: list[str] = []
    for raw in lines:
        line = raw.rstrip("\r\n")
        if line.endswith(CONTINUATION_MARKS):
            held.append(line[:-1])
            continue
        text = "\n".join([*held, line])
        held = []
        if text.strip():
            yield text
    if held and "\n".join(held).strip():
        yield "\n".join(held)


def run(settings: Settings, engine: Engine, user: str, lines: Iterable[str], out: TextIO,
        prompt: str = "") -> None:
    """Chat until the input ends."""
    shown: Sequence[Choice] = ()
    if prompt:
        out.write(prompt)
        out.flush()
    for text in messages(lines):
        replies = route(settings, engine, incoming_of(user, text, shown))
        out.write(render(replies))
        chosen = [r.choices for r in replies if r.choices]
        shown = chosen[-1] if chosen else ()
        if prompt:
            out.write(prompt)
        out.flush()


def sender(settings: Settings, engine: Engine) -> Sender:
    from bot.core.outbox import ConsoleSender

    return ConsoleSender()


PLATFORM = Platform(
    name=NAME,
    capabilities=Capabilities(),  # choices are numbered, typed back by number or label
    configured=lambda s: True,
    make_sender=sender,
)
