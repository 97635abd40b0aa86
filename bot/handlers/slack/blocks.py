"""Block Kit rendering of the core's replies (slack_sdk's block models), and the way back.

Everything a user or the catalog typed goes through `escape` before it reaches mrkdwn, so a
typed `<!channel>` or `<@U…>` is shown, never acted on. Labels go into plain_text objects.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator, Sequence
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    InputBlock,
    MarkdownTextObject,
    PlainTextInputElement,
    PlainTextObject,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot.core.messages import Card, Form, Reply, button_data
from bot.texts import platforms as platform_texts

CHOICE = "kk_choice"  # action_id prefix of buttons whose value goes to the core
FORM_OPEN = "kk_form_open"  # the button that opens a Form's modal
FORM_VIEW = "kk_form"  # callback_id of the modal, and block_id of its input
SECTION_MAX, BUTTON_MAX, VALUE_MAX, BUTTONS_PER_BLOCK = 3000, 75, 2000, 25
FIELD_MAX = 300  # longer card fields get a section of their own
HOME_MEASURES_MAX = 90  # a home tab holds 100 blocks


def escape(text: str) -> str:
    """Slack's three control characters: the whole of mrkdwn escaping."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


_MENTION = re.compile(r"^\s*(?:<@[UW][A-Z0-9]+(?:\|[^>]*)?>[\s,:、]*)+")
_LINK = re.compile(r"<((?:https?|mailto):[^|>]+)(?:\|([^>]*))?>")


def plain(text: str) -> str:
    """What a user typed, as the core should read it: no leading mention, links and entities undone."""
    text = _MENTION.sub("", text)
    text = _LINK.sub(lambda m: m.group(2) or m.group(1), text)
    return html.unescape(text).strip()


def _md(text: str) -> MarkdownTextObject:
    """mrkdwn without Slack's preprocessing (verbatim): no automatic mention or channel parsing."""
    return MarkdownTextObject(text=text, verbatim=True)


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _chunks(text: str, size: int = SECTION_MAX) -> Iterator[str]:
    """Escaped pieces of at most `size` characters, cut at a line break when one is near, never
    inside an entity."""
    escaped = escape(text)
    while len(escaped) > size:
        newline = escaped.rfind("\n", size // 2, size)
        cut = newline + 1 if newline != -1 else size
        amp = escaped.rfind("&", cut - 4, cut)
        if amp != -1 and escaped.find(";", amp) >= cut:
            cut = amp
        yield escaped[:cut]
        escaped = escaped[cut:]
    if escaped:
        yield escaped


def _mentioned(escaped: str, reply: Reply) -> str:
    """Escaped text with the reply's mentions (`Reply.mentions`, Slack's own `<@U…>`) acting again."""
    for markup in reply.mentions:
        escaped = escaped.replace(escape(markup), markup)
    return escaped


def message(reply: Reply) -> dict[str, Any]:
    """chat.postMessage arguments (text fallback + blocks) for one reply."""
    blocks: list[Block] = [SectionBlock(text=_md(_mentioned(part, reply))) for part in _chunks(reply.text)]
    if reply.card:
        blocks += card_blocks(reply.card)
    for start in range(0, len(reply.choices), BUTTONS_PER_BLOCK):
        buttons = [ButtonElement(text=_cut(c.label, BUTTON_MAX), value=button_data(c)[:VALUE_MAX], action_id=f"{CHOICE}_{i}")
                   for i, c in enumerate(reply.choices[start:start + BUTTONS_PER_BLOCK], start)]
        blocks.append(ActionsBlock(elements=buttons))
    if reply.form:
        blocks.append(ActionsBlock(elements=[ButtonElement(
            text=_cut(reply.form.title, BUTTON_MAX), value=form_value(reply.form), action_id=FORM_OPEN,
            style="primary")]))
    fallback = _mentioned(escape(reply.text or (reply.card.title if reply.card else "")), reply)
    return {"text": fallback, "blocks": [b.to_dict() for b in blocks]}


def card_blocks(card: Card) -> list[Block]:
    """A header, short fields side by side, long ones (a 実施結果 text) as whole sections."""
    blocks: list[Block] = [HeaderBlock(text=PlainTextObject(text=_cut(card.title, 150)))]
    short = [_md(f"*{escape(k)}*\n{escape(v)}") for k, v in card.fields if len(k) + len(v) <= FIELD_MAX]
    blocks += [SectionBlock(fields=short[i:i + 10]) for i in range(0, len(short), 10)]
    for key, value in card.fields:
        if len(key) + len(value) > FIELD_MAX:
            blocks += [SectionBlock(text=_md(part)) for part in _chunks(f"{key}\n{value}")]
    if card.footer:
        blocks.append(ContextBlock(elements=[_md(part) for part in _chunks(card.footer, 2000)][:10]))
    return blocks


def answered(blocks: Sequence[dict[str, Any]], label: str) -> list[dict[str, Any]]:
    """The message's blocks with its choice buttons replaced by what was chosen (one answer each)."""
    chosen = ContextBlock(elements=[_md(f"✅ {escape(label)}")]).to_dict()
    result: list[dict[str, Any]] = []
    for block in blocks:
        is_choices = block.get("type") == "actions" and any(
            str(e.get("action_id", "")).startswith(CHOICE) for e in block.get("elements", []))
        if not is_choices:
            result.append(block)
        elif chosen not in result:
            result.append(chosen)
    return result


# ---- the Form as a modal ------------------------------------------------------------------------

def form_value(form: Form) -> str:
    """The Form travels in its button's value; a long draft (`initial`) is left out past 2,000 chars."""
    data = {"f": form.field, "t": form.title, "l": form.label, "m": form.max_chars, "s": form.submit,
            "i": form.initial}
    encoded = json.dumps(data, ensure_ascii=False)
    return encoded if len(encoded) <= VALUE_MAX else json.dumps({**data, "i": None}, ensure_ascii=False)


def form_of(value: str) -> Form:
    data = json.loads(value)
    return Form(field=data["f"], title=data["t"], label=data["l"], max_chars=int(data["m"]), initial=data.get("i"),
                submit=data.get("s") or platform_texts.FORM_SUBMIT)


def modal(form: Form, channel: str) -> dict[str, Any]:
    """views.open's view: one multi-line input, limited to the Form's length."""
    element = PlainTextInputElement(action_id=form.field, multiline=True, max_length=min(form.max_chars, 3000),
                                    initial_value=form.initial[:3000] if form.initial else None)
    view = View(
        type="modal", callback_id=FORM_VIEW, title=PlainTextObject(text=_cut(form.title, 24)),
        submit=PlainTextObject(text=_cut(form.submit, 24)), close=PlainTextObject(text=platform_texts.FORM_CLOSE),
        private_metadata=json.dumps({"c": channel, "f": form.field, "m": form.max_chars}),
        blocks=[InputBlock(block_id=FORM_VIEW, label=PlainTextObject(text=_cut(form.label, 2000)), element=element)],
    )
    return view.to_dict()


def submitted(view: dict[str, Any]) -> tuple[str, str, str, int]:
    """(channel, field, text, max_chars) of a view_submission of `modal`."""
    meta = json.loads(view.get("private_metadata") or "{}")
    values = view.get("state", {}).get("values", {}).get(FORM_VIEW, {})
    text = (values.get(meta.get("f"), {}) or {}).get("value") or ""
    return meta.get("c", ""), meta.get("f", ""), text, int(meta.get("m") or 0)


def form_error(text: str, max_chars: int) -> str | None:
    """What is wrong with a submitted text, in the words shown under the input; None if fine."""
    if not text.strip():
        return platform_texts.FORM_EMPTY
    if max_chars and len(text) > max_chars:
        return platform_texts.FORM_TOO_LONG.format(max_chars=max_chars, length=len(text))
    return None


# ---- App Home ------------------------------------------------------------------------------------

def home_view(replies: Sequence[Reply]) -> dict[str, Any]:
    """The App Home tab from the neutral status view (bot.reporting.status_view): a header, the
    first reply as the summary with its buttons under it, then one section per reply, its one
    button beside it."""
    blocks: list[Block] = [HeaderBlock(text=PlainTextObject(text=platform_texts.STATUS_TITLE))]
    first, *rest = list(replies) or [Reply("")]
    blocks.append(SectionBlock(text=_md(_mentioned(escape(first.text), first))))
    if first.choices:
        buttons = [ButtonElement(text=_cut(c.label, BUTTON_MAX), value=button_data(c)[:VALUE_MAX],
                                 action_id=f"{CHOICE}_home{'' if i == 0 else i}", style="primary" if i == 0 else None)
                   for i, c in enumerate(first.choices[:BUTTONS_PER_BLOCK])]
        blocks += [ActionsBlock(elements=buttons), DividerBlock()]
    for reply in rest[:HOME_MEASURES_MAX]:
        accessory = None
        if reply.choices:
            choice = reply.choices[0]
            accessory = ButtonElement(text=_cut(choice.label, BUTTON_MAX), value=button_data(choice)[:VALUE_MAX],
                                      action_id=f"{CHOICE}_h{len(blocks)}")
        blocks.append(SectionBlock(text=_md(_cut(escape(reply.text), SECTION_MAX)), accessory=accessory))
    return View(type="home", blocks=blocks).to_dict()
