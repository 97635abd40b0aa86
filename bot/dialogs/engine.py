"""The step function of a dialog: pure, no SQL, no storage.

In the spirit of python-telegram-bot's ConversationHandler:
``advance(dialog, state, incoming, env) -> (State | Ended, replies)``. The engine does no I/O of
its own (registered functions may read or write through ``env.session``); bot.dialogs.store keeps
the state between messages and bot.dialogs.manager decides which dialog a message belongs to.

At every step the words 戻る, キャンセル / やめる and ヘルプ work; an unclear answer is asked again
with the step's example.

Each question's buttons carry the question (`Choice.step`, a tag of the dialog run, the step and
how many questions were asked before it): a tap that comes back with another question's tag — a
second tap on an answered question, an old message's button — changes nothing and is answered with
a short notice (`already_answered`), whatever event id the platform gave the tap.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from bot.core.messages import Choice, Form, Incoming, Reply
from bot.dialogs.model import (
    BACK_WORDS,
    CANCEL_WORDS,
    END,
    FIRST_UNANSWERED,
    HELP_WORDS,
    HISTORY_LIMIT,
    KEEP_VALUE,
    KEEP_WORDS,
    NO_WORDS,
    REGISTRY,
    YES_WORDS,
    Accept,
    AskConfirm,
    Dialog,
    DialogError,
    Ended,
    Env,
    Outcome,
    Registry,
    Reject,
    Result,
    State,
    Step,
    Turn,
    normalize,
    render,
)
from bot.texts import platforms as say

ECHO_MAX = 100  # an answer shown back: one line
LONG_ANSWER = 40  # a written paragraph ...
SHORT_ANSWER = 20  # ... replaced by a few characters (a figure typed one step too early) is confirmed first


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

    def tag(self, step: Step, data: Mapping[str, Any]) -> str:
        """Which question is being asked: the dialog run, the step, the count of questions asked."""
        return f"{self.dialog.name}:{step.name}:{data.get(ASKED, 0)}:{data.get(RUN, '')}"

    def stale(self, state: State, incoming: Incoming) -> bool:
        """A tapped button of another question than the current one."""
        step = self.dialog.steps.get(state.step)
        return incoming.step is not None and (step is None or incoming.step != self.tag(step, state.data))

    def current(self, step: Step, data: Mapping[str, Any]) -> Any:
        """The answer this step already has (came back with 戻る, or chosen from 修正), else None."""
        previous = data.get("_previous") or {}
        if previous.get("step") == step.name:
            return previous.get("value")
        if step.key is None or step.kind == "confirm":
            return None
        value = data.get(step.key)
        if step.for_each:
            index = int(data.get(step.index_key, 0))
            answers = value if isinstance(value, list) else []
            return answers[index] if index < len(answers) else None
        return value

    def shown(self, step: Step, data: Mapping[str, Any], value: Any) -> str:
        """An answer as the user gave it: a choice by its label, a figure as typed, one line."""
        if isinstance(value, dict):
            value = value.get("typed") or value.get("value") or ""
        label = next((c.label for c in self.choices(step, data) if c.value == str(value)), None)
        text = " ".join(str(label or value).split())
        return text if len(text) <= ECHO_MAX else text[: ECHO_MAX - 1] + "…"

    def prompt(self, step: Step, data: Mapping[str, Any]) -> Reply:
        """The question of a step, with its choices (each carrying the question's tag), card and form
        hint; with the answer it already has, that answer and a そのまま (keep it) choice."""
        values = _vars(step, data)
        text = render(step.prompt, values)
        current = self.current(step, data)
        keep: tuple[Choice, ...] = ()
        if current not in (None, ""):
            text = self.msg("current_value", data, current=self.shown(step, data, current)) + "\n" + text
            keep = (Choice(self.dialog.message("keep"), KEEP_VALUE),)
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
                submit=str(spec.get("submit", say.FORM_SUBMIT)),
            )
        tag = self.tag(step, data)
        return Reply(text, tuple(replace(c, step=tag) for c in keep + self.choices(step, data)), form, card)

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
            data[ASKED] = int(data.get(ASKED, 0)) + 1
            return target, [self.prompt(step, data)]
        raise DialogError(f"{self.dialog.name}: the steps skip each other in a loop")

    def run_action(self, name: str | None, data: dict[str, Any]) -> Outcome:
        if not name:
            return Outcome()
        return self.registry.actions[name](self.turn(data)) or Outcome()

    # the public step functions ---------------------------------------------------------------

    def start(self, data: Mapping[str, Any] | None = None) -> tuple[State | Ended, list[Reply]]:
        work = copy.deepcopy(dict(data or {}))
        work.setdefault(RUN, run_id(self.env.now))
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
        if self.stale(state, incoming):  # a tap on a question already answered: nothing changes
            return state, [Reply(self.dialog.message("already_answered"))]
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

        current = self.current(step, data)
        if current not in (None, "") and (incoming.value == KEEP_VALUE or word in KEEP_WORDS):
            data.pop("_pending", None)
            return self.accept(state, step, data, Accept(current, self.dialog.message("kept")))
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
        result = self.guard_long_text(step, data, current, result_or_replies)
        if isinstance(result, Reject):
            return replace(state, data=data), self.unclear(step, data, result.message)
        if isinstance(result, AskConfirm):
            data["_pending"] = {"value": result.value, "echo": result.echo, "data": dict(result.data)}
            tag = self.tag(step, data)
            yes_no = (Choice(self.dialog.message("confirm_yes"), "yes", tag),
                      Choice(self.dialog.message("confirm_no"), "no", tag))
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

    def guard_long_text(self, step: Step, data: Mapping[str, Any], current: Any, result: Result) -> Result:
        """A paragraph already written is not replaced by a figure typed after 戻る without asking."""
        if step.kind != "longtext" or not isinstance(result, Accept) or not isinstance(current, str):
            return result
        new = str(result.value)
        if len(current) > LONG_ANSWER and len(new) < SHORT_ANSWER and len(new) < len(current) // 4:
            question = self.msg("replace_long", data, length=len(current), new=self.shown(step, data, new))
            return AskConfirm(result.value, question, result.echo, result.data)
        return result

    def accept(self, state: State, step: Step, data: dict[str, Any], result: Accept) -> tuple[State | Ended, list[Reply]]:
        before = copy.deepcopy(dict(state.data))
        before.pop("_pending", None)
        before.pop("_previous", None)
        data.pop("_previous", None)
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
                data[ASKED] = int(data.get(ASKED, 0)) + 1  # the next item is another question
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
        if "_pending" in state.data:  # 戻る from "is this right?": the same question again, nothing skipped
            data = {k: v for k, v in state.data.items() if k != "_pending"}
            return replace(state, data=data), [Reply(self.dialog.message("back")), self.prompt(self.dialog.steps[state.step], data)]
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
        given = self.current(step, {**state.data, step.index_key: data.get(step.index_key, 0)}) \
            if step.for_each else state.data.get(step.key or "")
        data.pop("_previous", None)
        if given not in (None, ""):
            data["_previous"] = {"step": step.name, "value": copy.deepcopy(given)}
        new = State(state.dialog, step.name, data, list(state.history[:-1]), state.version)
        return new, [Reply(self.dialog.message("back")), self.prompt(step, data)]

    def help(self, step: Step, data: Mapping[str, Any]) -> Reply:
        lines = [render(step.help, _vars(step, data))] if step.help else []
        if step.example:
            lines.append(self.msg("example", data, example=render(step.example, _vars(step, data))))
        lines.append(self.msg("help_common", data))
        return Reply("\n".join(lines))


ASKED = "_asked"  # data key: how many questions this run has asked (the tag of the current one)
RUN = "_run"  # data key: which run of the dialog (a button of an earlier run is stale)


def run_id(now: datetime | None) -> str:
    """A short mark of when the dialog started (milliseconds, base 36, the last five digits)."""
    if now is None:
        return ""
    millis, digits = int(now.timestamp() * 1000), ""
    for _ in range(5):
        millis, digit = divmod(millis, 36)
        digits = "0123456789abcdefghijklmnopqrstuvwxyz"[digit] + digits
    return digits


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
    from bot.core import metrics

    after, replies = Engine(dialog, env, registry).advance(state, incoming)
    result = after.reason if isinstance(after, Ended) else "next" if after.step != state.step else "again"
    metrics.dialog_step(dialog.name, result)
    return after, replies


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

