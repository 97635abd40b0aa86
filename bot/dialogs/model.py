"""A dialog as data: its steps, the state of one conversation, and what registered functions see.

A dialog is a list of steps; each step has a prompt, an input kind and where to go next. What is
specific to one dialog (which choices, how an answer is checked, what happens at the end) lives
in functions registered by name, as rasa-sdk finds ``validate_<slot>``; the wording lives in YAML
(conversations/*.yaml), the generic words of every dialog in bot.texts.dialogs.

Input kinds:

- ``choice``   one of ``choices`` (static labels, or a provider's name), by label, value or number;
- ``confirm``  a choice that closes a part of the dialog (default choices はい / いいえ), often with a card;
- ``text``     one line of free text;
- ``longtext`` free text up to ``max_chars`` (a number or a settings attribute); the reply carries a
  ``Form`` hint a platform may render as a modal;
- ``number``   a number, checked by the step's validator (default: ``bot.japanese.numbers.parse_quantity``);
  with ``for_each: <data key>`` the step is asked once per item of that list ("number per metric").
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from bot.core.messages import Card, Choice, Reply
from bot.texts import dialogs as words

END = "END"  # the `next` of a last step
FIRST_UNANSWERED = "@first_unanswered"  # the first later step whose answer is not in the data yet
KINDS = ("choice", "confirm", "text", "longtext", "number")
HISTORY_LIMIT = 60

BACK_WORDS = frozenset({"戻る", "もどる", "戻って", "ひとつ前", "一つ前", "back"})
CANCEL_WORDS = frozenset({"キャンセル", "やめる", "止める", "中止", "中断", "cancel"})
HELP_WORDS = frozenset({"ヘルプ", "へるぷ", "help", "使い方", "?"})
KEEP_WORDS = frozenset({"そのまま", "変更しない", "変更なし", "このままでいい", "keep"})
KEEP_VALUE = "@keep"  # the value of the そのまま button shown with a step's current answer
YES_WORDS = frozenset({"yes", "はい", "y", "ok", "了解", "それで", "このまま", "この値で", "間違いない"})
NO_WORDS = frozenset({"no", "いいえ", "n", "違う", "ちがう", "入力し直す", "やり直す", "修正"})


class DialogError(ValueError):
    """A dialog file that cannot be read as a dialog."""


class StateConflict(RuntimeError):
    """Another process stored this conversation's state first (optimistic concurrency)."""


# --- the dialog as data ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    name: str
    kind: str
    prompt: str
    next: str | Mapping[str, str]  # a step name, END, or {accepted value: step, "*": otherwise}
    choices: tuple[Choice, ...] | str | None = None  # static choices, or a provider's name
    validate: str | None = None
    save: str | None = None  # the data key the accepted value is kept under
    when: str | None = None  # a condition's name: the step is skipped when it is false
    for_each: str | None = None  # a data key holding a list: one answer per item
    card: str | None = None  # a card builder's name
    example: str | None = None
    help: str | None = None
    form: Mapping[str, str] | None = None  # longtext: title, label, submit
    max_chars: int | str | None = None
    return_to: str | None = None  # the step chosen here, once answered, comes back to this one

    @property
    def key(self) -> str | None:
        """Where the answer is kept in the data (confirm steps keep none)."""
        if self.kind == "confirm":
            return self.save
        return self.save or self.name

    @property
    def index_key(self) -> str:
        return f"_i:{self.name}"


@dataclass(frozen=True)
class Dialog:
    name: str
    title: str
    steps: Mapping[str, Step]  # in order
    first: str
    messages: Mapping[str, str] = field(default_factory=dict)
    on_start: str | None = None
    on_finish: str | None = None
    on_cancel: str | None = None
    uses: tuple[str, ...] = ()  # modules that register this dialog's functions
    timeout: timedelta | None = None  # idle this long, the dialog ends as if cancelled (`timeout_hours`)
    fields: frozenset[str] | None = None  # `data:`: the names its texts may fill; None: not checked

    def message(self, key: str) -> str:
        return self.messages.get(key) or words.MESSAGES.get(key, "")


@dataclass(frozen=True)
class State:
    """Where one user is: the dialog, the step, what they answered, and how to undo it (戻る)."""

    dialog: str
    step: str
    data: Mapping[str, Any]
    history: Sequence[Mapping[str, Any]] = ()
    version: int | None = None  # the stored row's version; None before it is stored
    updated_at: datetime | None = None  # when the stored row was last written


@dataclass(frozen=True)
class Ended:
    """The dialog is over: finished, cancelled, or aborted (e.g. by its start action)."""

    dialog: str
    reason: str  # finished / cancelled / aborted
    data: Mapping[str, Any] = field(default_factory=dict)
    version: int | None = None


@dataclass
class Env:
    """What registered functions may use; the engine itself only passes it on."""

    settings: Any = None
    session: Session | None = None
    member: Any = None
    now: datetime | None = None
    who: str = ""


# --- what registered functions see and return ------------------------------------------------------


@dataclass(frozen=True)
class Turn:
    """One call of a registered function: the data so far and, for validators, the answer."""

    env: Env
    dialog: Dialog
    data: Mapping[str, Any]
    step: Step | None = None
    text: str = ""  # what the user said, as typed (stripped)
    value: str | None = None  # the value of the matched choice, for choice steps
    item: Any = None  # the current item of a `for_each` step

    def msg(self, key: str, **extra: Any) -> str:
        """A message of the dialog's YAML, filled with the data (and `extra`)."""
        return render(self.dialog.message(key), {**self.data, **extra})


@dataclass(frozen=True)
class Accept:
    value: Any
    echo: str | None = None  # said back to the user ("1,650名として受け付けました")
    data: Mapping[str, Any] = field(default_factory=dict)  # further data to keep


@dataclass(frozen=True)
class Reject:
    message: str


@dataclass(frozen=True)
class AskConfirm:
    """An answer that reads fine but looks unlikely: asked to be confirmed before it is kept."""

    value: Any
    question: str
    echo: str | None = None
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Outcome:
    """What an action returns: data to keep, replies, and optionally where to go instead."""

    data: Mapping[str, Any] = field(default_factory=dict)
    replies: Sequence[Reply] = ()
    goto: str | None = None  # a step name, or END to stop


Result = Accept | Reject | AskConfirm
Validator = Callable[[Turn], Result]
ChoiceProvider = Callable[[Turn], Sequence[Choice]]
CardBuilder = Callable[[Turn], Card | None]
Condition = Callable[[Turn], bool]
Action = Callable[[Turn], Outcome | None]


class Registry:
    """Functions found by name from the YAML: validators, choices, cards, conditions, actions."""

    def __init__(self) -> None:
        self.validators: dict[str, Validator] = {}
        self.choices: dict[str, ChoiceProvider] = {}
        self.cards: dict[str, CardBuilder] = {}
        self.conditions: dict[str, Condition] = {}
        self.actions: dict[str, Action] = {}

    def _register(self, table: dict[str, Any], name: str) -> Callable[[Any], Any]:
        def decorate(fn: Any) -> Any:
            table[name] = fn
            return fn

        return decorate

    def validator(self, name: str) -> Callable[[Validator], Validator]:
        return self._register(self.validators, name)

    def choice_provider(self, name: str) -> Callable[[ChoiceProvider], ChoiceProvider]:
        return self._register(self.choices, name)

    def card(self, name: str) -> Callable[[CardBuilder], CardBuilder]:
        return self._register(self.cards, name)

    def condition(self, name: str) -> Callable[[Condition], Condition]:
        return self._register(self.conditions, name)

    def action(self, name: str) -> Callable[[Action], Action]:
        return self._register(self.actions, name)


REGISTRY = Registry()


# --- filling and matching words -------------------------------------------------------------------


class _Vars(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return ""


def render(template: str, data: Mapping[str, Any]) -> str:
    """Fill `{name}` fields from the data; a field that cannot be filled is left empty."""
    try:
        return template.format_map(_Vars(data))
    except (KeyError, IndexError, TypeError, ValueError, AttributeError):
        return template


def normalize(text: str) -> str:
    """For matching words and choices: NFKC, no surrounding spaces, ASCII lower-cased."""
    return unicodedata.normalize("NFKC", text).strip().lower()

