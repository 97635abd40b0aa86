"""A button answers its own question once: a second tap (a double tap, an older message's copy of
the same question, a 確定 after the report went in) changes nothing and gets a short notice.

The button carries its question (`Choice.step`, in Slack's action value and LINE's postback data),
so this holds whatever event id the platform gives the second tap. Missed bug (issue 12): a second
tap on 「実施中」 was taken as the next answer, putting 「実施中」 into 実施結果.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from bot.core import yaml_io
from bot.core.config import Settings
from bot.core.messages import Choice, Incoming, button_data, from_button
from bot.core.web import create_app
from bot.dialogs import engine as dialog_engine
from bot.dialogs import loader
from bot.dialogs.model import Ended, Env, State
from bot.storage.db import session_scope
from bot.storage.models import DialogState, Report
from bot.texts.dialogs import MESSAGES
from tests.conftest import DM, SlackWorkspace, flask_transport, texts_of
from tests.fakes import slack_requests as sr
from tests.fakes.line_api import _openapi as line_definition
from tests.test_dialog import ORDER_YAML, order_registry
from tests.test_line import Bot, invite, line_api  # noqa: F401 (line_api: the fixture)
from tests.test_line import bot as line_bot  # noqa: F401
from tests.test_slack import register_member, slack_api, slack_settings  # noqa: F401

ALREADY = MESSAGES["already_answered"]


@pytest.fixture(autouse=True)
def _line_definition_loaded() -> None:
    """Load LINE's OpenAPI definition before any request: on a busy machine its first load can
    outlast the bot's 15 s read timeout inside the stand-in."""
    line_definition()


def dialog_row(engine: Engine) -> tuple[str, dict[str, Any]]:
    with session_scope(engine) as s:
        row = s.scalar(select(DialogState))
        assert row is not None
        return row.step, dict(row.data)


def submissions(engine: Engine) -> int:
    with session_scope(engine) as s:
        return int(s.scalar(select(func.count(Report.id)).where(Report.status == "submitted")) or 0)


def test_a_button_carries_its_question_and_comes_back_with_it() -> None:
    choice = Choice("実施中", "in_progress", "report:progress:1:abcde")
    assert from_button(button_data(choice)) == ("in_progress", "report:progress:1:abcde")
    assert from_button(button_data(Choice("報告", "報告 34"))) == ("報告 34", None)  # not a dialog's


# --- LINE: every tap is a webhook event of its own --------------------------------------------------


def test_line_a_second_tap_on_an_answered_question_changes_nothing(line_bot: Bot, now: datetime) -> None:  # noqa: F811
    bot = line_bot
    bot.say(f"登録 {invite(bot.engine, '危機管理課', now)}")
    progress = bot.say("報告 34")
    bot.tap(progress, "実施中")
    assert dialog_row(bot.engine)[0] == "result_text"

    again = bot.tap(progress, "実施中")  # the same quick reply once more: a new webhookEventId
    assert again.texts == [ALREADY]
    step, data = dialog_row(bot.engine)
    assert step == "result_text" and "result_text" not in data and data["progress"] == "in_progress"
    assert "実績値" in "".join(bot.say("養成講座を3回開催した。").texts)  # and the dialog goes on from there


def test_line_a_second_tap_on_confirm_after_submitting_does_nothing(line_bot: Bot, now: datetime) -> None:  # noqa: F811
    bot = line_bot
    bot.say(f"登録 {invite(bot.engine, '危機管理課', now)}")
    bot.tap(bot.say("報告 34"), "実施中")
    bot.say("養成講座を3回開催した。")
    rating = bot.tap(bot.say("１，６５０名"), "見込み")
    summary = bot.tap(rating, "B 概ね達成")
    assert "提出しました" in bot.tap(summary, "確定").texts[0]
    assert bot.tap(summary, "確定").texts == [ALREADY]  # the dialog is over: a notice, no second revision
    assert submissions(bot.engine) == 1


# --- Slack: the same question shown twice (asked again after an unclear answer) ---------------------


@pytest.fixture
def workspace(settings: Settings, sqlite_catalog_engine: Engine,
              slack_api: Any) -> Iterator[SlackWorkspace]:  # noqa: F811
    register_member(sqlite_catalog_engine)
    app = create_app(slack_settings(settings, slack_api), sqlite_catalog_engine)
    yield SlackWorkspace(flask_transport(app), slack_api, sqlite_catalog_engine)
    app.extensions["kaikaku_slack"].worker.shutdown()


def buttons_labelled(ws: SlackWorkspace, label: str) -> list[tuple[dict[str, Any], str]]:
    """Every bot message in the DM still showing a button `label`, oldest first."""
    found = []
    for message in ws.stub.posted(DM):
        for block in message["blocks"]:
            for element in block.get("elements", []) if block["type"] == "actions" else []:
                if element["text"]["text"] == label:
                    found.append((message, element["action_id"]))
    return found


def test_slack_a_tap_on_an_older_copy_of_an_answered_question_changes_nothing(
        workspace: SlackWorkspace, sqlite_catalog_engine: Engine) -> None:
    ws = workspace
    ws.say("報告 34")
    ws.say("うーん")  # unclear: the question is asked again, in a second message with the same buttons
    first, second = buttons_labelled(ws, "実施中")
    ws.exchange(sr.as_interaction(sr.tap(first[0], first[1])))
    assert dialog_row(sqlite_catalog_engine)[0] == "result_text"

    answer = ws.exchange(sr.as_interaction(sr.tap(second[0], second[1])))  # another message: another event id
    assert ALREADY in texts_of(answer)
    step, data = dialog_row(sqlite_catalog_engine)
    assert step == "result_text" and "result_text" not in data


def test_slack_a_double_tap_on_one_message_is_one_answer(workspace: SlackWorkspace,
                                                         sqlite_catalog_engine: Engine) -> None:
    ws = workspace
    ws.say("報告 34")
    message, action_id = ws.button("実施中")
    taps = [sr.tap(message, action_id) for _ in range(2)]  # two taps before the buttons are replaced
    ws.exchange(sr.as_interaction(taps[0]))
    again = ws.exchange(sr.as_interaction(taps[1]))  # a new action_ts and trigger, the same message
    assert again == [] or ALREADY in texts_of(again)
    step, data = dialog_row(sqlite_catalog_engine)
    assert step == "result_text" and "result_text" not in data


# --- the engine: a tag names the run, the step and the question's place ---------------------------


def _chat(now: datetime) -> tuple[dialog_engine.Engine, State]:
    dialog, registry = loader.parse_dialog(yaml_io.load(ORDER_YAML), "order"), order_registry()
    eng = dialog_engine.Engine(dialog, Env(now=now), registry)
    state, _ = eng.start({"items": ["りんご", "みかん"]})
    assert isinstance(state, State)
    return eng, state


def _tap(eng: dialog_engine.Engine, state: State, label: str) -> tuple[State | Ended, list[str]]:
    """Tap the button `label` of the current question."""
    [choice] = [c for c in eng.prompt(eng.dialog.steps[state.step], state.data).choices if c.label == label]
    new, replies = eng.advance(state, Incoming("console", "u1", "console", value=choice.value, step=choice.step))
    return new, [r.text for r in replies]


def _type(eng: dialog_engine.Engine, state: State | Ended, text: str) -> State:
    assert isinstance(state, State)
    new, _ = eng.advance(state, Incoming("console", "u1", "console", text=text))
    assert isinstance(new, State)
    return new


def test_a_button_of_an_earlier_run_is_stale_though_its_step_is_the_same(now: datetime) -> None:
    eng, first = _chat(now)
    later, second = _chat(now + timedelta(minutes=5))
    old = eng.prompt(eng.dialog.steps["size"], first.data).choices[0]
    assert first.step == second.step == "size" and old.step != later.prompt(later.dialog.steps["size"], second.data).choices[0].step
    state, said = later.advance(second, Incoming("console", "u1", "console", value=old.value, step=old.step))
    assert state == second and [r.text for r in said] == [ALREADY]


def test_the_confirmation_shown_before_a_change_no_longer_confirms(now: datetime) -> None:
    """確定 on the summary shown before 修正 would confirm what that summary showed: refused."""
    eng, state = _chat(now)
    state = _type(eng, _tap(eng, state, "中")[0], "3")
    state = _type(eng, _type(eng, _type(eng, state, "急ぎ"), "5kg"), "7kg")
    assert state.step == "confirm"
    before_fix = eng.prompt(eng.dialog.steps["confirm"], state.data)
    fixed, _ = _tap(eng, state, "修正")
    assert isinstance(fixed, State)
    back_on_confirm = _type(eng, _tap(eng, fixed, "備考")[0], "午前中")
    assert back_on_confirm.step == "confirm" and back_on_confirm.data["note"] == "午前中"
    old_yes = next(c for c in before_fix.choices if c.label == "確定")
    ended, said = eng.advance(back_on_confirm, Incoming("console", "u1", "console", value=old_yes.value,
                                                         step=old_yes.step))
    assert ended == back_on_confirm and [r.text for r in said] == [ALREADY]
    done, said = _tap(eng, back_on_confirm, "確定")  # the button of the summary shown now works
    assert isinstance(done, Ended) and done.reason == "finished"


def test_each_item_of_a_repeated_step_is_its_own_question(now: datetime) -> None:
    eng, state = _chat(now)
    state = _type(eng, _type(eng, _tap(eng, state, "小")[0], "2"), "なし")
    assert state.step == "weights"
    first_item = eng.tag(eng.dialog.steps["weights"], state.data)
    state = _type(eng, state, "5kg")
    assert state.step == "weights" and eng.tag(eng.dialog.steps["weights"], state.data) != first_item
    assert eng.stale(state, Incoming("console", "u1", "console", value="5", step=first_item))
