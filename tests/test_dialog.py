"""The dialog engine: steps as data, the pure step function, global words, and stored state."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine

from bot.core import yaml_io
from bot.core.messages import Incoming, Reply
from bot.dialogs import engine as dialog_engine
from bot.dialogs import loader, store
from bot.dialogs.model import (
    END,
    Accept,
    AskConfirm,
    Dialog,
    DialogError,
    Ended,
    Env,
    Outcome,
    Registry,
    Reject,
    State,
    StateConflict,
    Turn,
)
from bot.dialogs.store import Key
from bot.handlers.console import render
from bot.storage.db import session_scope

NOW = datetime(2027, 2, 3, 10, 15, tzinfo=ZoneInfo("Asia/Tokyo"))

ORDER_YAML = """
name: order
title: 注文
on_finish: done
on_cancel: keep
messages:
  cancelled: 注文を中断しました。
steps:
  size:
    kind: choice
    choices: [小, 中, 大]
    prompt: サイズを選んでください。
    example: 中
    help: 小は200g、中は300g、大は400gです。
  count:
    kind: number
    prompt: 個数を入力してください。
    example: 3個
  note:
    kind: longtext
    max_chars: 10
    prompt: 備考を入力してください。
    form: {title: 備考, label: 備考欄}
  weights:
    kind: number
    when: has_items
    for_each: items
    validate: weight
    prompt: "{item}の重さを入力してください({index}/{count})。"
    example: 5kg
  confirm:
    kind: confirm
    prompt: この内容で注文しますか?
    choices: [確定, 修正, キャンセル]
    next: {確定: END, 修正: fix}
  fix:
    kind: choice
    choices: [{label: サイズ, value: size}, {label: 備考, value: note}]
    return_to: confirm
    prompt: どれを修正しますか?
    next: {size: size, note: note}
"""


def order_registry() -> Registry:
    reg = Registry()

    @reg.condition("has_items")
    def has_items(turn: Turn) -> bool:
        return bool(turn.data.get("items"))

    @reg.validator("weight")
    def weight(turn: Turn) -> Accept | Reject | AskConfirm:
        digits = "".join(ch for ch in turn.text if ch.isdigit())
        if not digits:
            return Reject("重さが読み取れませんでした。")
        if int(digits) > 100:
            return AskConfirm(digits, f"{digits}kgは重すぎませんか?", echo=f"{digits}kgで受け付けました。")
        return Accept(digits, echo=f"{digits}kgで受け付けました。")

    @reg.action("done")
    def done(turn: Turn) -> Outcome:
        return Outcome({"done": True}, [Reply(f"注文を受け付けました: {turn.data['size']}")])

    @reg.action("keep")
    def keep(turn: Turn) -> Outcome | None:
        if "size" in turn.data:
            return Outcome(replies=[Reply("入力内容を下書きに残しました。")])
        return None

    return reg


@pytest.fixture
def order() -> tuple[Dialog, Registry]:
    return loader.parse_dialog(yaml_io.load(ORDER_YAML), "order"), order_registry()


class Chat:
    """Drives a dialog without a database: said in, replies out (as the console shows them)."""

    def __init__(self, order: tuple[Dialog, Registry], data: dict | None = None) -> None:
        self.dialog, self.registry = order
        self.env = Env(now=NOW)
        self.state, replies = dialog_engine.start(self.dialog, self.env, data, self.registry)
        self.last = render(replies)

    def say(self, text: str | None = None, value: str | None = None) -> str:
        assert isinstance(self.state, State), "the dialog has ended"
        incoming = Incoming("console", "u1", "console", text=text, value=value)
        self.state, replies = dialog_engine.advance(self.dialog, self.state, incoming, self.env, self.registry)
        self.last = render(replies)
        return self.last

    @property
    def step(self) -> str:
        return self.state.step if isinstance(self.state, State) else END

    @property
    def data(self) -> dict:
        return dict(self.state.data)


def verify(chat: Chat, table: list[tuple[str, str, str]]) -> None:
    """(said, reply contains, step after) rows, like zulip's verify_dialog."""
    for said, expected, step in table:
        reply = chat.say(said)
        assert expected in reply, f"{said!r} → {reply!r}"
        assert chat.step == step, f"{said!r}: step {chat.step}, expected {step}"


def test_a_whole_dialog_by_number_label_and_number_words(order) -> None:
    chat = Chat(order, {"items": ["りんご", "みかん"]})
    assert "サイズを選んでください。" in chat.last and "1) 小" in chat.last
    verify(chat, [
        ("２", "個数を入力", "count"),  # a full-width number picks the 2nd choice
        ("三個", "備考を入力", "note"),
        ("急ぎ\n午前中", "りんごの重さ", "weights"),
        ("5kg", "みかんの重さを入力してください(2/2)", "weights"),
        ("7", "この内容で注文しますか?", "confirm"),
        ("確定", "注文を受け付けました: 中", END),
    ])
    assert isinstance(chat.state, Ended) and chat.state.reason == "finished"
    assert chat.state.data["count"] == "3"  # kanji numerals read by bot.japanese.numbers
    assert chat.state.data["note"] == "急ぎ\n午前中"
    assert chat.state.data["weights"] == ["5", "7"]


def test_a_choice_can_be_answered_by_its_label_its_tapped_value_or_a_unique_beginning(order) -> None:
    for said, value in [("大", None), (None, "大"), ("３", None)]:
        chat = Chat(order)
        chat.say(said, value)
        assert chat.step == "count" and chat.data["size"] == "大"
    chat = Chat(order)
    assert "選択肢の番号か言葉" in chat.say("ｄａｉ") and chat.step == "size"
    for said in ("中", "1", "メモ", "修正"):
        chat.say(said)
    assert "備考を入力" in chat.say("備") and chat.step == "note"  # the beginning of 備考


def test_back_goes_one_step_back_and_forgets_that_answer(order) -> None:
    chat = Chat(order, {"items": ["りんご"]})
    verify(chat, [
        ("戻る", "これより前の質問はありません", "size"),
        ("小", "個数", "count"),
        ("4", "備考", "note"),
        ("戻る", "個数を入力", "count"),
    ])
    assert "count" not in chat.data and chat.data["size"] == "小"
    verify(chat, [("もどる", "サイズを選んでください", "size")])
    assert "size" not in chat.data


def test_back_inside_a_per_item_step_goes_to_the_previous_item(order) -> None:
    chat = Chat(order, {"items": ["りんご", "みかん", "なし"]})
    for said in ("小", "1", "なし"):
        chat.say(said)
    verify(chat, [
        ("3", "みかんの重さ", "weights"),
        ("4", "なしの重さ", "weights"),
        ("戻る", "みかんの重さ", "weights"),
        ("8", "なしの重さ", "weights"),
        ("9", "この内容で", "confirm"),
        ("戻る", "なしの重さ", "weights"),
    ])
    assert chat.data["weights"] == ["3", "8"]


def test_cancel_and_yameru_leave_with_the_dialogs_own_message(order) -> None:
    chat = Chat(order)
    assert "注文を中断しました。" in chat.say("キャンセル")
    assert isinstance(chat.state, Ended) and chat.state.reason == "cancelled"
    chat = Chat(order)
    chat.say("中")
    assert "下書きに残しました" in chat.say("やめる")
    assert isinstance(chat.state, Ended)


def test_help_explains_the_step_and_asks_again(order) -> None:
    chat = Chat(order)
    reply = chat.say("ヘルプ")
    assert "小は200g" in reply and "例: 中" in reply and "「戻る」" in reply
    assert "サイズを選んでください" in reply and chat.step == "size"


def test_an_unclear_answer_is_asked_again_with_an_example(order) -> None:
    chat = Chat(order)
    before = chat.state
    given = copy.deepcopy(dict(before.data))
    verify(chat, [("特大", "例: 中", "size"), ("9", "選択肢の番号か言葉", "size")])
    chat.say("中")
    reply = chat.say("たくさん")
    assert "数値を読み取れませんでした" in reply and "例: 3個" in reply and chat.step == "count"
    assert before.data == given and "size" not in given  # the step function never changes the state it was given


def test_long_text_past_the_limit_is_refused_whole_and_kept_for_the_form(order) -> None:
    chat = Chat(order)
    chat.say("中")
    chat.say("1")
    long = "あ" * 11
    reply = chat.say(long)
    assert "10文字以内" in reply and "11文字" in reply and chat.step == "note"
    assert isinstance(chat.state, State)
    prompt = dialog_engine.Engine(chat.dialog, chat.env, chat.registry).prompt(chat.dialog.steps["note"], chat.data)
    assert prompt.form is not None and prompt.form.initial == long and prompt.form.max_chars == 10
    assert prompt.form.label == "備考欄"
    chat.say("あ" * 10)
    assert chat.data["note"] == "あ" * 10 and chat.step == "confirm"  # no items: weights skipped


def test_an_implausible_answer_is_confirmed_or_asked_again(order) -> None:
    chat = Chat(order, {"items": ["すいか", "メロン"]})
    for said in ("大", "1", "なし"):
        chat.say(said)
    verify(chat, [
        ("500kg", "重すぎませんか", "weights"),
        ("いいえ", "すいかの重さ", "weights"),
        ("300", "重すぎませんか", "weights"),
        ("はい", "300kgで受け付けました", "weights"),
        ("999", "重すぎませんか", "weights"),
        ("12", "12kgで受け付けました", "confirm"),  # a new answer instead of yes/no
    ])
    assert chat.data["weights"] == ["300", "12"]


def test_fix_returns_to_the_confirmation_after_the_edited_step(order) -> None:
    chat = Chat(order)
    for said in ("小", "2", "メモ"):
        chat.say(said)
    verify(chat, [
        ("修正", "どれを修正しますか", "fix"),
        ("備考", "備考を入力", "note"),
        ("新しいメモ", "この内容で注文しますか", "confirm"),
    ])
    assert chat.data["note"] == "新しいメモ" and "_return" not in chat.data
    verify(chat, [("戻る", "備考を入力", "note"), ("戻る", "どれを修正", "fix"), ("戻る", "この内容で", "confirm")])


# --- checking dialog files -----------------------------------------------------------------------


def test_every_dialog_in_conversations_loads_and_is_sound() -> None:
    files = sorted(loader.CONVERSATIONS.glob("*.yaml"))
    assert files, "conversations/ holds the dialogs"
    for path in files:
        loaded = loader.load_dialog(path)
        assert loader.check_dialog(loaded) == [], path.name
        for step in loaded.steps.values():
            assert step.prompt.strip(), f"{path.name}: {step.name}"


def test_the_checker_names_what_is_wrong(order) -> None:
    raw = yaml_io.load(ORDER_YAML)
    raw["steps"]["count"]["next"] = "nowhere"
    raw["steps"]["count"]["validate"] = "no_such_validator"
    raw["steps"]["note"]["prompt"] = " "
    raw["steps"]["size"]["kind"] = "slider"
    raw["on_finish"] = "missing_action"
    problems = "\n".join(loader.check_dialog(loader.parse_dialog(raw, "order"), order_registry()))
    for expected in ("「nowhere」", "no_such_validator", "order.note: prompt が空", "slider", "missing_action"):
        assert expected in problems
    assert loader.check_dialog(order[0], order[1]) == []


def test_a_file_that_is_not_a_dialog_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("steps: [1, 2]\n", encoding="utf-8")
    with pytest.raises(DialogError):
        loader.load_dialog(bad)
    bad.write_text("steps:\n  a: {kind: text, prompt: x, colour: red}\n", encoding="utf-8")
    with pytest.raises(DialogError, match="colour"):
        loader.load_dialog(bad)


# --- stored state --------------------------------------------------------------------------------


def test_state_is_stored_after_every_step_and_read_back(engine: Engine, order) -> None:
    key = Key("console", "console", "u1")
    chat = Chat(order)
    with session_scope(engine) as s:
        assert store.load_state(s, key) is None
        stored = store.save_state(s, key, chat.state, NOW)
    assert stored is not None and stored.version == 1
    chat.state = stored
    chat.say("大")
    with session_scope(engine) as s:
        store.save_state(s, key, chat.state, NOW)
    with session_scope(engine) as s:  # as another process would read it
        again = store.load_state(s, key)
    assert again is not None and again.step == "count" and again.version == 2
    answers = {k: v for k, v in again.data.items() if not k.startswith("_")}  # (not the buttons' tags)
    assert answers == {"size": "大"} and again.history[0]["step"] == "size"
    assert again.updated_at == NOW and again.updated_at.utcoffset() is not None  # the idle clock's start
    chat.state = again
    assert chat.say("戻る") and chat.step == "size"


def test_two_processes_writing_the_same_version_conflict(engine: Engine, order) -> None:
    key = Key("slack", "D1", "U1")
    chat = Chat(order)
    with session_scope(engine) as s:
        first = store.save_state(s, key, chat.state, NOW)
    assert first is not None
    moved = State(first.dialog, "count", {"size": "小"}, [], first.version)
    with session_scope(engine) as s:
        store.save_state(s, key, moved, NOW)
    with pytest.raises(StateConflict), session_scope(engine) as s:
        store.save_state(s, key, moved, NOW)  # the same version again: the other process won
    with pytest.raises(StateConflict), session_scope(engine) as s:
        store.save_state(s, key, chat.state, NOW)  # a second "new" dialog for the same key
    with session_scope(engine) as s:
        current = store.load_state(s, key)
        assert current is not None and current.version == 2
        store.save_state(s, key, Ended("order", "finished", {}, current.version), NOW)
    with session_scope(engine) as s:
        assert store.load_state(s, key) is None


def test_numbers_in_data_stay_json(order) -> None:
    chat = Chat(order)
    chat.say("中")
    chat.say("１，２００")
    assert chat.data["count"] == "1200" and Decimal(chat.data["count"]) == 1200


def test_an_installed_wheel_reads_its_own_copy_of_the_dialogs(tmp_path: Path) -> None:
    checkout = tmp_path / "checkout"
    (checkout / "bot").mkdir(parents=True)
    (checkout / "conversations").mkdir()
    assert loader.conversations_folder(checkout / "bot") == checkout / "conversations"  # a development tree
    site = tmp_path / "site-packages"
    (site / "bot" / "conversations").mkdir(parents=True)
    (site / "conversations").mkdir()  # some other distribution's folder of that name
    assert loader.conversations_folder(site / "bot") == site / "bot" / "conversations"


def test_timeout_hours_ends_a_dialog_left_alone_too_long() -> None:
    raw = yaml_io.load(ORDER_YAML)
    assert loader.parse_dialog(raw, "order").timeout is None  # no timeout unless the file says so
    timed = loader.parse_dialog({**raw, "timeout_hours": 24}, "order")
    assert timed.timeout == timedelta(hours=24)
    last = datetime(2027, 2, 3, 10, 0, tzinfo=UTC)
    state = State("order", "count", {}, (), 1, last)
    assert not dialog_engine.timed_out(timed, state, last + timedelta(hours=24))
    assert dialog_engine.timed_out(timed, state, last + timedelta(hours=24, seconds=1))
    assert not dialog_engine.timed_out(loader.parse_dialog(raw, "order"), state, last + timedelta(days=30))
    for wrong in (0, -1, "一日", True):
        with pytest.raises(DialogError, match="timeout_hours"):
            loader.parse_dialog({**raw, "timeout_hours": wrong}, "order")
