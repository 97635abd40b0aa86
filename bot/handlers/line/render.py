"""Neutral `Reply` → LINE message objects (plain dicts shaped like the Messaging API's JSON).

LINE's limits, from the Messaging API reference: a text message holds at most 5,000 characters
(UTF-16 code units); a reply or push carries at most 5 message objects; a quick reply at most 13
items, each label at most 20 characters; postback data at most 300 characters; a Flex message's
altText at most 1,500 characters. Quick reply buttons show only on the last message of a batch,
so a reply's choices go on its last message.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from bot.core.messages import Card, Choice, Form, Reply, button_data
from bot.texts import platforms as say

Message = dict[str, Any]

TEXT_MAX = 5000
MESSAGES_PER_REQUEST = 5
QUICK_REPLY_MAX = 13
LABEL_MAX = 20
DATA_MAX = 300
DISPLAY_TEXT_MAX = 300
ALT_TEXT_MAX = 1500

FORM_HINT = say.LINE_FORM_HINT
FORM_CURRENT = say.LINE_FORM_CURRENT
MORE_CHOICES = say.LINE_MORE_CHOICES
IMAGE_NOTE = say.LINE_IMAGE_NOTE


def utf16_len(text: str) -> int:
    """LINE counts characters in UTF-16 code units (an emoji outside the BMP counts twice)."""
    return len(text.encode("utf-16-le")) // 2


def _cut(text: str, limit: int) -> int:
    """The largest prefix length (in str indices) whose UTF-16 length is ≤ limit."""
    units = 0
    for i, ch in enumerate(text):
        units += 2 if ord(ch) > 0xFFFF else 1
        if units > limit:
            return i
    return len(text)


def split_text(text: str, limit: int = TEXT_MAX) -> list[str]:
    """Split a long text into messages of ≤ limit, at a line break where one is near the end."""
    chunks: list[str] = []
    rest = text
    while utf16_len(rest) > limit:
        cut = _cut(rest, limit)
        newline = rest.rfind("\n", 0, cut)
        if newline > cut // 2:
            cut = newline + 1
        chunks.append(rest[:cut].rstrip("\n"))
        rest = rest[cut:]
    chunks.append(rest)
    return [c for c in chunks if c] or [""]


def shorten(text: str, limit: int) -> str:
    return text if utf16_len(text) <= limit else text[: _cut(text, limit - 1)] + "…"


def quick_reply_item(choice: Choice) -> Message:
    """A postback button whose data is the choice's value (and step); the chat shows the full label."""
    label = shorten(choice.label, LABEL_MAX)
    display = shorten(choice.label, DISPLAY_TEXT_MAX)
    data = button_data(choice)
    if utf16_len(data) <= DATA_MAX:
        action = {"type": "postback", "label": label, "data": data, "displayText": display}
    else:  # too long for a postback: the label, typed, is accepted by the core as well
        action = {"type": "message", "label": label, "text": display}
    return {"type": "action", "action": action}


def quick_reply(choices: Sequence[Choice]) -> Message | None:
    if not choices:
        return None
    return {"items": [quick_reply_item(c) for c in choices[:QUICK_REPLY_MAX]]}


def _text(text: str, **extra: Any) -> Message:
    return {"type": "text", "text": text or "…", **extra}


def _row(key: str, value: str) -> Message:
    return {
        "type": "box", "layout": "baseline", "spacing": "sm",
        "contents": [
            _text(key, flex=2, size="sm", color="#888888", wrap=True),
            _text(value or "—", flex=5, size="sm", wrap=True),
        ],
    }


def flex_bubble(card: Card) -> Message:
    """A card as a Flex bubble: the title in the header, one row per field, the footer small."""
    body = [_row(k, v) for k, v in card.fields] or [_text(card.title, wrap=True, size="sm")]
    bubble: Message = {
        "type": "bubble",
        "header": {"type": "box", "layout": "vertical", "contents": [_text(card.title, weight="bold", wrap=True)]},
        "body": {"type": "box", "layout": "vertical", "spacing": "sm", "contents": body},
    }
    if card.footer:
        bubble["footer"] = {
            "type": "box", "layout": "vertical",
            "contents": [_text(card.footer, size="xs", color="#888888", wrap=True)],
        }
    return bubble


def alt_text(reply: Reply, card: Card) -> str:
    """What notifications and the chat list show for a Flex message."""
    lines = [reply.text or card.title] + [f"{k}: {v}" for k, v in card.fields]
    return shorten("\n".join(lines), ALT_TEXT_MAX)


def _form_text(text: str, form: Form) -> str:
    return f"{text}\n{FORM_HINT.format(max_chars=form.max_chars)}".strip()


def _choices_text(text: str, choices: Sequence[Choice]) -> str:
    """More choices than quick reply buttons: list them all, so none is out of reach."""
    if len(choices) <= QUICK_REPLY_MAX:
        return text
    listed = "\n".join(f"・{c.label}" for c in choices)
    return f"{text}\n\n{MORE_CHOICES}\n{listed}"


def _prompt(reply: Reply) -> str:
    text = _choices_text(reply.text, reply.choices)
    if reply.form is not None:
        text = _form_text(text, reply.form)
    if reply.image_alt:
        text = f"{text}\n{IMAGE_NOTE.format(alt=reply.image_alt)}".strip()
    return text


def render(reply: Reply) -> list[Message]:
    """One neutral reply as LINE message objects: the card as Flex, the current value of a form,
    then the text (split to LINE's limits) carrying the quick reply buttons.

    With a card, the text is the Flex message's altText; it is sent as its own message only when
    it carries something the card does not (choices, a form hint, an image note).
    """
    messages: list[Message] = []
    if reply.card is not None:
        messages.append({"type": "flex", "altText": alt_text(reply, reply.card),
                         "contents": flex_bubble(reply.card)})
    if reply.form is not None and reply.form.initial:
        messages.extend(_text(c) for c in split_text(FORM_CURRENT.format(initial=reply.form.initial)))
    text = _prompt(reply)
    if text and (reply.card is None or text != reply.text or reply.choices):
        messages.extend(_text(chunk) for chunk in split_text(text))
    if not messages:
        messages.append(_text(reply.text))
    qr = quick_reply(reply.choices)
    if qr is not None:
        messages[-1]["quickReply"] = qr
    return messages


def render_all(replies: Iterable[Reply]) -> list[Message]:
    return [m for r in replies for m in render(r)]


def batches(messages: Sequence[Message], size: int = MESSAGES_PER_REQUEST) -> list[list[Message]]:
    """Groups of at most 5 message objects, one per reply or push request."""
    return [list(messages[i : i + size]) for i in range(0, len(messages), size)]
