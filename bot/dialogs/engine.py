"""A small engine for guided dialogs written as data (`conversations/*.yaml`).

A dialog is a list of steps; each step has a prompt, an input kind and where to go next. What is
specific to one dialog (which choices, how an answer is checked, what happens at the end) lives
in functions registered by name, as rasa-sdk finds ``validate_<slot>``; the wording lives in YAML.

The step function is pure in the spirit of python-telegram-bot's ConversationHandler:
``advance(dialog, state, incoming, env) -> (State | Ended, replies)``. It does no I/O of its own
(registered functions may read or write through ``env.session``). ``load_state`` / ``save_state``
keep the state in the ``dialog_state`` table after every step, keyed by (platform, channel, user),
with a version column for optimistic concurrency: a restart, or a message arriving at another
web process, continues where the user was.

Input kinds:

- ``choice``   one of ``choices`` (static labels, or a provider's name), by label, value or number;
- ``confirm``  a choice that closes a part of the dialog (default choices はい / いいえ), often with a card;
- ``text``     one line of free text;
- ``longtext`` free text up to ``max_chars`` (a number or a settings attribute); the reply carries a
  ``Form`` hint a platform may render as a modal;
- ``number``   a number, checked by the step's validator (default: ``bot.japanese.numbers.parse_quantity``);
  with ``for_each: <data key>`` the step is asked once per item of that list ("number per metric").

At every step the words 戻る, キャンセル / やめる and ヘルプ work; an unclear answer is asked again
with the step's example.
"""

from __future__ import annotations

import copy
import importlib
import string
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.core import yaml_io
from bot.core.messages import Card, Choice, Form, Incoming, Reply
from bot.storage.models import DialogState

PACKAGE = Path(__file__).resolve().parent.parent


def conversations_folder(package: Path = PACKAGE) -> Path:
    """Where the dialogs are: the copy an installed wheel carries in `bot/conversations/` (setup.py
    maps the top-level folder there), else the checkout's `conversations/` (a development tree or
    an editable install)."""
    packaged = package / "conversations"
    return packaged if packaged.is_dir() else package.parent / "conversations"


CONVERSATIONS = conversations_folder()
END = "END"  # the `next` of a last step
FIRST_UNANSWERED = "@first_unanswered"  # the first later step whose answer is not in the data yet
KINDS = ("choice", "confirm", "text", "longtext", "number")
HISTORY_LIMIT = 60

BACK_WORDS = frozenset({"戻る", "もどる", "戻って", "ひとつ前", "一つ前", "back"})
CANCEL_WORDS = frozenset({"キャンセル", "やめる", "止める", "中止", "中断", "cancel"})
HELP_WORDS = frozenset({"ヘルプ", "へるぷ", "help", "使い方", "?"})
YES_WORDS = frozenset({"yes", "はい", "y", "ok", "了解", "それで", "このまま", "この値で", "間違いない"})
NO_WORDS = frozenset({"no", "いいえ", "n", "違う", "ちがう", "入力し直す", "やり直す", "修正"})

DEFAULT_MESSAGES: dict[str, str] = {
    "unclear": "すみません、お答えを読み取れませんでした。",
    "example": "例: {example}",
    "choose": "選択肢の番号か言葉でお答えください。",
    "empty": "空のメッセージは受け付けられません。",
    "too_long": (
        "{max_chars:,}文字以内でお願いします(いまの入力は{length:,}文字です)。"
        "入力された文章は消さずに残しています。短くしてからもう一度送ってください。"
    ),
    "back_at_start": "これより前の質問はありません。",
    "back": "一つ前の質問に戻ります。",
    "help_common": "「戻る」で一つ前の質問へ、「キャンセル」で中断します。",
    "cancelled": "中断しました。",
    "timed_out": "前回の入力から{hours}時間以上たちました。",
    "confirm_yes": "はい(この値で進む)",
    "confirm_no": "いいえ(入力し直す)",
}


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

    def message(self, key: str) -> str:
        return self.messages.get(key) or DEFAULT_MESSAGES.get(key, "")


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


# --- reading and checking dialogs ------------------------------------------------------------------


def _choices_of(raw: Any, where: str) -> tuple[Choice, ...] | str | None:
    if raw is None or isinstance(raw, str):
        return raw
    if not isinstance(raw, list):
        raise DialogError(f"{where}: choices は一覧か関数名です")
    out = []
    for item in raw:
        if isinstance(item, Mapping):
            out.append(Choice(str(item["label"]), str(item.get("value", item["label"]))))
        else:
            out.append(Choice(str(item), str(item)))
    return tuple(out)


def parse_dialog(raw: Any, name: str) -> Dialog:
    """A dialog from its YAML data; structural problems raise DialogError."""
    if not isinstance(raw, Mapping) or not isinstance(raw.get("steps"), Mapping) or not raw["steps"]:
        raise DialogError(f"{name}: a dialog is a mapping with non-empty `steps`")
    names = list(raw["steps"])
    steps: dict[str, Step] = {}
    for i, step_name in enumerate(names):
        spec = raw["steps"][step_name] or {}
        where = f"{name}.{step_name}"
        if not isinstance(spec, Mapping):
            raise DialogError(f"{where}: a step is a mapping")
        unknown = set(spec) - {f.name for f in Step.__dataclass_fields__.values()}
        if unknown:
            raise DialogError(f"{where}: unknown keys {sorted(unknown)}")
        default_next = names[i + 1] if i + 1 < len(names) else END
        steps[step_name] = Step(
            name=str(step_name),
            kind=str(spec.get("kind", "text")),
            prompt=str(spec.get("prompt") or ""),
            next=spec.get("next", default_next),
            choices=_choices_of(spec.get("choices"), where),
            validate=spec.get("validate"),
            save=spec.get("save"),
            when=spec.get("when"),
            for_each=spec.get("for_each"),
            card=spec.get("card"),
            example=spec.get("example"),
            help=spec.get("help"),
            form=spec.get("form"),
            max_chars=spec.get("max_chars"),
            return_to=spec.get("return_to"),
        )
    uses = raw.get("uses") or ()
    hours = raw.get("timeout_hours")
    if hours is not None and (isinstance(hours, bool) or not isinstance(hours, (int, float)) or hours <= 0):
        raise DialogError(f"{name}: timeout_hours is a positive number of hours")
    return Dialog(
        name=str(raw.get("name") or name),
        title=str(raw.get("title") or name),
        steps=steps,
        first=str(raw.get("start") or names[0]),
        messages={str(k): str(v) for k, v in (raw.get("messages") or {}).items()},
        on_start=raw.get("on_start"),
        on_finish=raw.get("on_finish"),
        on_cancel=raw.get("on_cancel"),
        uses=(uses,) if isinstance(uses, str) else tuple(uses),
        timeout=timedelta(hours=hours) if hours is not None else None,
    )


def load_dialog(path: Path) -> Dialog:
    """Read one dialog file and import the modules that register its functions."""
    try:
        raw = yaml_io.load(path.read_text(encoding="utf-8"))
    except Exception as exc:  # a YAML error names the line: keep it
        raise DialogError(f"{path.name}: {exc}") from exc
    dialog = parse_dialog(raw, path.stem)
    for module in dialog.uses:
        importlib.import_module(module)
    return dialog


@lru_cache(maxsize=8)
def _load_folder(folder: str, stamp: tuple[tuple[str, float], ...]) -> dict[str, Dialog]:
    dialogs = [load_dialog(Path(p)) for p, _ in stamp]
    return {d.name: d for d in dialogs}


def load_dialogs(folder: Path = CONVERSATIONS) -> dict[str, Dialog]:
    """Every dialog of the folder by name; re-read when a file changes (cheap otherwise)."""
    files = sorted(folder.glob("*.yaml"))
    stamp = tuple((str(p), p.stat().st_mtime) for p in files)
    return _load_folder(str(folder), stamp)


def _fields_of(template: str) -> list[str]:
    return [f for _, f, _, _ in string.Formatter().parse(template) if f is not None]


def check_dialog(dialog: Dialog, registry: Registry = REGISTRY) -> list[str]:
    """Every problem a reader of the YAML would want to hear about; [] when the dialog is sound."""
    problems: list[str] = []
    targets = set(dialog.steps) | {END, FIRST_UNANSWERED}

    def need(table: Mapping[str, Any], name: str | None, what: str, where: str) -> None:
        if name is not None and name not in table:
            problems.append(f"{where}: {what} 「{name}」が登録されていません")

    if dialog.first not in dialog.steps:
        problems.append(f"{dialog.name}: start 「{dialog.first}」という手順はありません")
    for key, name in (("on_start", dialog.on_start), ("on_finish", dialog.on_finish), ("on_cancel", dialog.on_cancel)):
        need(registry.actions, name, "action", f"{dialog.name}.{key}")
    for s in dialog.steps.values():
        where = f"{dialog.name}.{s.name}"
        if s.kind not in KINDS:
            problems.append(f"{where}: kind 「{s.kind}」は {', '.join(KINDS)} のいずれかです")
        if not s.prompt.strip():
            problems.append(f"{where}: prompt が空です")
        try:
            _fields_of(s.prompt)
        except ValueError as exc:
            problems.append(f"{where}: prompt の書式が正しくありません ({exc})")
        nexts = [s.next] if isinstance(s.next, str) else list(s.next.values()) if isinstance(s.next, Mapping) else []
        if not nexts:
            problems.append(f"{where}: next は手順名か対応表です")
        for target in nexts + ([s.return_to] if s.return_to else []):
            if target not in targets:
                problems.append(f"{where}: 次の手順 「{target}」はありません")
        if s.kind in ("choice", "confirm") and isinstance(s.choices, tuple) and not s.choices:
            problems.append(f"{where}: choices が空です")
        if s.kind == "choice" and s.choices is None:
            problems.append(f"{where}: choice には choices が必要です")
        if s.kind == "longtext" and s.max_chars is None:
            problems.append(f"{where}: longtext には max_chars が必要です")
        need(registry.validators, s.validate, "validator", where)
        need(registry.conditions, s.when, "condition", where)
        need(registry.cards, s.card, "card", where)
        if isinstance(s.choices, str):
            need(registry.choices, s.choices, "choices", where)
    for key, text in dialog.messages.items():
        if not text.strip():
            problems.append(f"{dialog.name}.messages.{key}: 空です")
    return problems


# --- the step function -----------------------------------------------------------------------------


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


def _items(step: Step, data: Mapping[str, Any]) -> list[Any]:
    items = data.get(step.for_each or "") or []
    return list(items) if isinstance(items, list) else []


def _item(step: Step, data: Mapping[str, Any]) -> Any:
    if not step.for_each:
        return None
    items = _items(step, data)
    index = int(data.get(step.index_key, 0))
    return items[index] if 0 <= index < len(items) else None


def _vars(step: Step, data: Mapping[str, Any]) -> dict[str, Any]:
    extra: dict[str, Any] = {}
    if step.for_each:
        extra = {"item": _item(step, data), "index": int(data.get(step.index_key, 0)) + 1,
                 "count": len(_items(step, data))}
    return {**data, **extra}


class Engine:
    """Interprets one dialog with a registry; methods are pure functions of their arguments."""

    def __init__(self, dialog: Dialog, env: Env, registry: Registry = REGISTRY) -> None:
        self.dialog, self.env, self.registry = dialog, env, registry

    # helpers ---------------------------------------------------------------------------------

    def turn(self, data: Mapping[str, Any], step: Step | None = None, **kw: Any) -> Turn:
        item = _item(step, data) if step else None
        return Turn(self.env, self.dialog, data, step, item=item, **kw)

    def msg(self, key: str, data: Mapping[str, Any], **extra: Any) -> str:
        return render(self.dialog.message(key), {**data, **extra})

    def max_chars(self, step: Step) -> int:
        if isinstance(step.max_chars, int):
            return step.max_chars
        return int(getattr(self.env.settings, str(step.max_chars), 2000))

    def choices(self, step: Step, data: Mapping[str, Any]) -> tuple[Choice, ...]:
        if isinstance(step.choices, str):
            return tuple(self.registry.choices[step.choices](self.turn(data, step)))
        if step.choices:
            return step.choices
        if step.kind == "confirm":
            return (Choice(self.dialog.message("confirm_yes"), "yes"), Choice(self.dialog.message("confirm_no"), "no"))
        return ()

    def prompt(self, step: Step, data: Mapping[str, Any]) -> Reply:
        """The question of a step, with its choices, card and form hint."""
        values = _vars(step, data)
        text = render(step.prompt, values)
        card = self.registry.cards[step.card](self.turn(data, step)) if step.card else None
        form = None
        if step.kind == "longtext":
            spec = step.form or {}
            key = step.key or step.name
            initial = data.get(f"_overlong:{key}") or data.get(key)
            form = Form(
                field=key,
                title=render(str(spec.get("title", self.dialog.title)), values),
                label=render(str(spec.get("label", key)), values),
                max_chars=self.max_chars(step),
                initial=str(initial) if initial else None,
                submit=str(spec.get("submit", "送信")),
            )
        return Reply(text, self.choices(step, data), form, card)

    def unclear(self, step: Step, data: Mapping[str, Any], reason: str | None = None) -> list[Reply]:
        lines = [reason or self.dialog.message("unclear")]
        if step.example:
            lines.append(self.msg("example", data, example=render(step.example, _vars(step, data))))
        return [Reply("\n".join(lines)), self.prompt(step, data)]

    def is_answered(self, step: Step, data: Mapping[str, Any]) -> bool:
        if step.kind == "confirm" or step.key is None or step.key not in data:
            return False
        if step.for_each:
            answers = data.get(step.key) or []
            return len(answers) >= len(_items(step, data)) and all(a is not None for a in answers)
        return True

    # moving between steps --------------------------------------------------------------------

    def natural_next(self, step: Step, value: Any) -> str:
        if isinstance(step.next, str):
            return step.next
        return step.next.get(str(value)) or step.next.get("*") or END

    def first_unanswered(self, after: str, data: Mapping[str, Any]) -> str:
        names = list(self.dialog.steps)
        for name in names[names.index(after) + 1 :]:
            step = self.dialog.steps[name]
            if step.when and not self.registry.conditions[step.when](self.turn(data, step)):
                continue
            if not self.is_answered(step, data):
                return name
        return END

    def following(self, step: Step) -> str:
        """The step after this one in the file: where a skipped step passes on to."""
        names = list(self.dialog.steps)
        position = names.index(step.name) + 1
        return names[position] if position < len(names) else END

    def enter(self, target: str, data: dict[str, Any], came_from: str | None) -> tuple[str, list[Reply]]:
        """Go to `target`; a step whose condition is false (or a for_each step without items) is
        skipped for the one after it in the file. Returns (step or END, its prompt)."""
        for _ in range(len(self.dialog.steps) + 2):
            if target == FIRST_UNANSWERED:
                target = self.first_unanswered(came_from or self.dialog.first, data)
            if target == END:
                return END, []
            step = self.dialog.steps[target]
            if step.when and not self.registry.conditions[step.when](self.turn(data, step)):
                target = self.following(step)
                continue
            if step.for_each:
                if not _items(step, data):
                    target = self.following(step)
                    continue
                if came_from != target:
                    data[step.index_key] = 0
            return target, [self.prompt(step, data)]
        raise DialogError(f"{self.dialog.name}: the steps skip each other in a loop")

    def run_action(self, name: str | None, data: dict[str, Any]) -> Outcome:
        if not name:
            return Outcome()
        return self.registry.actions[name](self.turn(data)) or Outcome()

    # the public step functions ---------------------------------------------------------------

    def start(self, data: Mapping[str, Any] | None = None) -> tuple[State | Ended, list[Reply]]:
        work = copy.deepcopy(dict(data or {}))
        outcome = self.run_action(self.dialog.on_start, work)
        work.update(outcome.data)
        replies = list(outcome.replies)
        if outcome.goto == END:
            return Ended(self.dialog.name, "aborted", work), replies
        step, prompt = self.enter(outcome.goto or self.dialog.first, work, None)
        if step == END:
            return self.finish(work, [], replies)
        return State(self.dialog.name, step, work), replies + prompt

    def advance(self, state: State, incoming: Incoming) -> tuple[State | Ended, list[Reply]]:
        """One user message in, the next state and the replies out."""
        step = self.dialog.steps.get(state.step)
        data = copy.deepcopy(dict(state.data))
        if step is None:  # the YAML changed under a running dialog: start the dialog over
            return self.start({k: v for k, v in data.items() if not k.startswith("_")})
        said = incoming.said
        word = normalize(said)
        if word in CANCEL_WORDS:
            return self.cancel(state)
        if word in BACK_WORDS:
            return self.back(state)
        if word in HELP_WORDS:
            return state, [self.help(step, data), self.prompt(step, data)]
        if not said:
            return state, self.unclear(step, data, self.dialog.message("empty"))

        pending = data.pop("_pending", None)
        if pending is not None:
            if word in YES_WORDS or incoming.value == "yes":
                confirmed = Accept(pending["value"], pending.get("echo"), pending.get("data") or {})
                return self.accept(state, step, data, confirmed)
            if word in NO_WORDS or incoming.value == "no":
                return replace(state, data=data), [self.prompt(step, data)]
        result_or_replies = self.interpret(step, data, incoming)
        if isinstance(result_or_replies, list):
            return replace(state, data=data), result_or_replies
        result = result_or_replies
        if isinstance(result, Reject):
            return replace(state, data=data), self.unclear(step, data, result.message)
        if isinstance(result, AskConfirm):
            data["_pending"] = {"value": result.value, "echo": result.echo, "data": dict(result.data)}
            yes_no = (Choice(self.dialog.message("confirm_yes"), "yes"), Choice(self.dialog.message("confirm_no"), "no"))
            return replace(state, data=data), [Reply(result.question, yes_no)]
        return self.accept(state, step, data, result)

    def interpret(self, step: Step, data: dict[str, Any], incoming: Incoming) -> Result | list[Reply]:
        """Read the answer by the step's kind, then its validator."""
        said = incoming.said
        value: str | None = None
        if step.kind in ("choice", "confirm"):
            chosen = match_choice(self.choices(step, data), incoming)
            value = chosen.value if chosen else None
            if chosen is None and step.validate is None:
                return self.unclear(step, data, self.dialog.message("choose"))
        elif step.kind == "longtext":
            limit = self.max_chars(step)
            key = f"_overlong:{step.key}"
            if len(said) > limit:
                data[key] = said  # kept, never truncated: the form offers it again
                return self.unclear(step, data, self.msg("too_long", data, max_chars=limit, length=len(said)))
            data.pop(key, None)
        turn = self.turn(data, step, text=said, value=value)
        if step.validate:
            return self.registry.validators[step.validate](turn)
        if step.kind == "number":
            return _default_number(said)
        return Accept(value if value is not None else said)

    def accept(self, state: State, step: Step, data: dict[str, Any], result: Accept) -> tuple[State | Ended, list[Reply]]:
        before = copy.deepcopy(dict(state.data))
        before.pop("_pending", None)
        data.update(result.data)
        key = step.key
        target = self.natural_next(step, result.value)
        if step.for_each and key:
            index = int(data.get(step.index_key, 0))
            answers = list(data.get(key) or [])
            answers += [None] * (index + 1 - len(answers))
            answers[index] = result.value
            data[key] = answers
            if index + 1 < len(_items(step, data)):
                data[step.index_key] = index + 1
                target = step.name
        elif key:
            data[key] = result.value
        if target != step.name:
            if step.return_to:
                data["_return"] = step.return_to
            elif "_return" in data:
                target = data.pop("_return")
        history = [*state.history, _undo_entry(state.step, before, data)][-HISTORY_LIMIT:]
        replies = [Reply(result.echo)] if result.echo else []
        if target == step.name:  # the next item of a for_each step
            return State(state.dialog, step.name, data, history, state.version), replies + [self.prompt(step, data)]
        new_step, prompt = self.enter(target, data, step.name)
        if new_step == END:
            return self.finish(data, history, replies, state)
        return State(state.dialog, new_step, data, history, state.version), replies + prompt

    def finish(self, data: dict[str, Any], history: Sequence[Mapping[str, Any]], replies: list[Reply],
               state: State | None = None) -> tuple[State | Ended, list[Reply]]:
        outcome = self.run_action(self.dialog.on_finish, data)
        data.update(outcome.data)
        replies = replies + list(outcome.replies)
        version = state.version if state else None
        if outcome.goto and outcome.goto != END:
            step, prompt = self.enter(outcome.goto, data, None)
            if step != END:
                return State(self.dialog.name, step, data, list(history), version), replies + prompt
        return Ended(self.dialog.name, "finished", data, version), replies

    def cancel(self, state: State) -> tuple[Ended, list[Reply]]:
        data = copy.deepcopy(dict(state.data))
        outcome = self.run_action(self.dialog.on_cancel, data)
        replies = list(outcome.replies) or [Reply(self.msg("cancelled", data))]
        return Ended(state.dialog, "cancelled", data, state.version), replies

    def time_out(self, state: State) -> tuple[Ended, list[Reply]]:
        """Ended as if cancelled (the on_cancel action runs), saying why first."""
        ended, replies = self.cancel(state)
        hours = self.dialog.timeout.total_seconds() / 3600 if self.dialog.timeout else 0
        why = self.msg("timed_out", state.data, hours=f"{hours:g}")
        if replies and replies[0].text:
            replies[0] = replace(replies[0], text=f"{why}\n{replies[0].text}")
        else:
            replies.insert(0, Reply(why))
        return ended, replies

    def back(self, state: State) -> tuple[State, list[Reply]]:
        if not state.history:
            step = self.dialog.steps[state.step]
            return state, [Reply(self.dialog.message("back_at_start")), self.prompt(step, state.data)]
        entry = state.history[-1]
        data = copy.deepcopy(dict(state.data))
        data.pop("_pending", None)
        for key in entry.get("unset", []):
            data.pop(key, None)
        data.update(copy.deepcopy(dict(entry.get("set", {}))))
        step = self.dialog.steps[entry["step"]]
        new = State(state.dialog, step.name, data, list(state.history[:-1]), state.version)
        return new, [Reply(self.dialog.message("back")), self.prompt(step, data)]

    def help(self, step: Step, data: Mapping[str, Any]) -> Reply:
        lines = [render(step.help, _vars(step, data))] if step.help else []
        if step.example:
            lines.append(self.msg("example", data, example=render(step.example, _vars(step, data))))
        lines.append(self.msg("help_common", data))
        return Reply("\n".join(lines))


def _undo_entry(step: str, before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, Any]:
    """What 戻る needs to restore `before` from `after`: the old values and the keys to drop."""
    changed = {k: before[k] for k in before if k not in after or after[k] != before[k]}
    added = [k for k in after if k not in before]
    return {"step": step, "set": changed, "unset": added}


def _default_number(said: str) -> Result:
    from bot.japanese.numbers import NumberParseError, parse_quantity

    try:
        quantity = parse_quantity(said)
    except NumberParseError as exc:
        return Reject(str(exc))
    return Accept(format(quantity.value, "f"))


def match_choice(choices: Sequence[Choice], incoming: Incoming) -> Choice | None:
    """The choice a user meant: its value (a tap), its label or value typed, its number, or a
    unique beginning of its label."""
    if incoming.value is not None:
        for c in choices:
            if c.value == incoming.value:
                return c
    said = normalize(incoming.said)
    if not said:
        return None
    for c in choices:
        if said in (normalize(c.value), normalize(c.label)):
            return c
    if said.isdecimal() and 1 <= int(said) <= len(choices):
        return choices[int(said) - 1]
    starts = [c for c in choices if normalize(c.label).startswith(said)]
    return starts[0] if len(starts) == 1 else None


# --- the convenience functions a handler uses ------------------------------------------------------


def start(dialog: Dialog, env: Env, data: Mapping[str, Any] | None = None,
          registry: Registry = REGISTRY) -> tuple[State | Ended, list[Reply]]:
    return Engine(dialog, env, registry).start(data)


def advance(dialog: Dialog, state: State, incoming: Incoming, env: Env,
            registry: Registry = REGISTRY) -> tuple[State | Ended, list[Reply]]:
    return Engine(dialog, env, registry).advance(state, incoming)


def cancel(dialog: Dialog, state: State, env: Env, registry: Registry = REGISTRY) -> tuple[Ended, list[Reply]]:
    return Engine(dialog, env, registry).cancel(state)


def timed_out(dialog: Dialog, state: State, now: datetime) -> bool:
    """Whether the user left this dialog alone for longer than its `timeout_hours`."""
    return dialog.timeout is not None and state.updated_at is not None and now - state.updated_at > dialog.timeout


def time_out(dialog: Dialog, state: State, env: Env, registry: Registry = REGISTRY) -> tuple[Ended, list[Reply]]:
    return Engine(dialog, env, registry).time_out(state)


def ask_again(dialog: Dialog, state: State, env: Env, registry: Registry = REGISTRY) -> Reply:
    """The current step's question again, unchanged (after the user asked something else)."""
    return Engine(dialog, env, registry).prompt(dialog.steps[state.step], state.data)


def current_step(dialog: Dialog, state: State) -> Step | None:
    return dialog.steps.get(state.step)


# --- persistence -----------------------------------------------------------------------------------


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
