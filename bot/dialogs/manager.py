"""The conversation manager: which dialog a message belongs to, for every registered dialog.

A feature registers its dialog with an `Entry`: the words that start it (`報告 34`, `設定`) and
the checks before it starts (who may). For each message the manager then

- ends a dialog left alone longer than its `timeout_hours` (as if cancelled; said first);
- answers a question typed where a choice or a number is expected (`No.34の目標は?`) and asks
  the step's question again: the dialog waits where it was;
- on another entry's words, cancels the running dialog (its on_cancel action runs and says what
  was kept) and starts the new one; in a free-text step typed words are the answer instead;
- otherwise moves the running dialog on one step;
- answers a tapped button of a question already answered (or of a dialog that is over) with a
  short notice and changes nothing (the button carries its question: bot.dialogs.engine);
- stores the state with its version: when another process moved the same conversation first,
  nothing of this message is kept and the user is asked to resend (`conflict`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.core.context import Context
from bot.core.messages import Reply
from bot.dialogs import engine, store
from bot.dialogs.loader import CONVERSATIONS, load_dialogs
from bot.dialogs.model import (
    BACK_WORDS,
    CANCEL_WORDS,
    REGISTRY,
    Dialog,
    Ended,
    Env,
    Registry,
    State,
    StateConflict,
    normalize,
    render,
)
from bot.dialogs.store import Key
from bot.japanese import numbers
from bot.texts import dialogs as dialog_texts

Arguments = Mapping[str, Any]
_QUESTION = re.compile(r"[?]\s*$|教えて|(?:とは|って何|ですか)\s*$")


@dataclass(frozen=True)
class Entry:
    """How a feature's dialog starts.

    `called(said)` reads a message as this dialog's entry words: the arguments it names (`報告 34`
    → {"requested_no": 34}), or None when the message is not for this dialog. `prepare(ctx, args)`
    makes the checks that need no dialog: the data to start with, or the replies that refuse.
    """

    dialog: str
    called: Callable[[str], Arguments | None]
    prepare: Callable[[Context, Arguments], Arguments | list[Reply]]


def env_of(ctx: Context) -> Env:
    return Env(ctx.settings, ctx.session, ctx.member, ctx.now, ctx.incoming.who)


def answer_question(ctx: Context) -> list[Reply]:
    """The core's question answering (bot.answers), its buttons dropped: they would not answer the step."""
    from bot import answers  # imported here: answers is routed after the dialogs

    answered = answers.answer(ctx.session, ctx.said, member=ctx.member, now=ctx.now, settings=ctx.settings)
    return [Reply(r.text, card=r.card) for r in answered]


class Manager:
    """Runs every registered dialog of a folder under the same rules (see the module)."""

    def __init__(self, folder: Path = CONVERSATIONS, registry: Registry = REGISTRY,
                 answer: Callable[[Context], list[Reply]] = answer_question) -> None:
        self.folder, self.registry, self.answer = folder, registry, answer
        self.entries: dict[str, Entry] = {}
        self.asides: list[tuple[Callable[[str], bool], Callable[[Context], list[Reply]]]] = []

    def aside(self, matches: Callable[[str], bool], handler: Callable[[Context], list[Reply]]) -> None:
        """Words answered in the middle of any dialog, which then waits where it was (`状況`)."""
        self.asides.append((matches, handler))

    def register(self, entry: Entry) -> Entry:
        self.entries[entry.dialog] = entry
        return entry

    def dialogs(self) -> dict[str, Dialog]:
        return load_dialogs(self.folder)

    def dialog(self, name: str) -> Dialog:
        return self.dialogs()[name]

    def called(self, said: str) -> tuple[Entry, Arguments] | None:
        """The entry whose words this message is, with its arguments."""
        for entry in self.entries.values():
            args = entry.called(said)
            if args is not None:
                return entry, args
        return None

    def message(self, dialog: Dialog, key: str, **values: Any) -> str:
        return render(dialog.message(key), {"title": dialog.title, **values})

    # the router's handler ----------------------------------------------------------------------

    def handle(self, ctx: Context) -> list[Reply] | None:
        called = self.called(ctx.said)
        key = Key.of(ctx.incoming)
        state = store.load_state(ctx.session, key)
        prefix: list[Reply] = []
        if state is not None:
            active = self.dialogs().get(state.dialog)
            env = env_of(ctx)
            if active is None:  # a dialog file removed under a running dialog
                store.clear_state(ctx.session, key)
            elif engine.timed_out(active, state, ctx.now):  # left alone: ended, said first
                ended, notice = engine.time_out(active, state, env, self.registry)
                if not self._save(ctx, key, ended):
                    return [Reply(self.message(active, "conflict"))]
                ctx.notices.extend(notice)
                state = None
            elif called is None and ctx.incoming.value is None and (aside := self._aside(ctx)) is not None:
                return self._answer_then_ask_again(ctx, active, state, aside)
            elif called is None and self._asks_a_question(active, state, ctx):
                return self._answer_then_ask_again(ctx, active, state)
            elif called is not None and called[0].dialog == state.dialog and not state.history:
                store.clear_state(ctx.session, key)  # `報告 34` at the first question: a choice, not a restart
            elif called is None or (self._typing_text(active, state) and ctx.incoming.value is None):
                new, replies = engine.advance(active, state, ctx.incoming, env, self.registry)
                return replies if self._save(ctx, key, new) else [Reply(self.message(active, "conflict"))]
            else:  # another entry's words mid-dialog: the running one is cancelled (and says so)
                ended, prefix = engine.cancel(active, state, env, self.registry)
                if not self._save(ctx, key, ended):
                    return [Reply(self.message(active, "conflict"))]
        if called is None:
            if ctx.incoming.step is not None:  # a tapped button of a dialog that is over: said so, nothing else
                return [*prefix, Reply(dialog_texts.MESSAGES["already_answered"])]
            if state is None and normalize(ctx.said) in CANCEL_WORDS | BACK_WORDS:
                return [*prefix, Reply(dialog_texts.NOTHING_TO_CANCEL)]  # not a word to search for
            return None
        entry, args = called
        return prefix + self.start(ctx, entry, args, key)

    def start(self, ctx: Context, entry: Entry, args: Arguments, key: Key | None = None) -> list[Reply]:
        """The entry's checks, then the dialog's first question (and its state stored)."""
        prepared = entry.prepare(ctx, args)
        if isinstance(prepared, list):
            return prepared
        dialog = self.dialog(entry.dialog)
        state, replies = engine.start(dialog, env_of(ctx), prepared, self.registry)
        if self._save(ctx, key or Key.of(ctx.incoming), state):
            return replies
        return [Reply(self.message(dialog, "conflict"))]

    # the rules -----------------------------------------------------------------------------------

    def _asks_a_question(self, active: Dialog, state: State, ctx: Context) -> bool:
        """`No.34の目標は?` typed where a choice or a number is expected: a question, not an answer.

        In a free-text step everything typed is the answer; a tapped button is always an answer.
        """
        if ctx.incoming.value is not None or self._typing_text(active, state):
            return False
        step = engine.current_step(active, state)
        if step is None or engine.match_choice(step.choices if isinstance(step.choices, tuple) else (), ctx.incoming):
            return False
        if step.kind == "number" and _reads_as_number(ctx.said):
            return False  # "1,650名?": an unsure answer is still an answer
        return bool(_QUESTION.search(unicodedata.normalize("NFKC", ctx.said)))

    def _aside(self, ctx: Context) -> Callable[[Context], list[Reply]] | None:
        said = unicodedata.normalize("NFKC", ctx.said).strip()
        return next((handler for matches, handler in self.asides if matches(said)), None)

    def _answer_then_ask_again(self, ctx: Context, active: Dialog, state: State,
                               answer: Callable[[Context], list[Reply]] | None = None) -> list[Reply]:
        """Answer the question, then repeat the step's question; the dialog stays where it was."""
        again = engine.ask_again(active, state, env_of(ctx), self.registry)
        answered = (answer or self.answer)(ctx)
        return [*answered, Reply(self.message(active, "continue_after_question", **state.data)), again]

    @staticmethod
    def _typing_text(active: Dialog, state: State) -> bool:
        """In a free-text step, typed entry words are an answer, not a command (a tapped button is one)."""
        step = engine.current_step(active, state)
        return step is not None and step.kind in ("text", "longtext")

    @staticmethod
    def _save(ctx: Context, key: Key, new: State | Ended) -> bool:
        try:
            store.save_state(ctx.session, key, new, ctx.now)
        except StateConflict:
            ctx.session.rollback()  # the other process's step stands; nothing of this one is kept
            return False
        return True


def _reads_as_number(text: str) -> bool:
    try:
        numbers.parse_quantity(text.rstrip("?？ "))
    except numbers.NumberParseError:
        return False
    return True


MANAGER = Manager()
"""The bot's manager: features register their entries with it at import (see bot.core.router)."""


def handle(ctx: Context) -> list[Reply] | None:
    """The router's handler for every dialog."""
    return MANAGER.handle(ctx)
