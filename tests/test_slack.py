"""The bot in Slack, driven through the real Flask app with signed requests like Slack's.

The only stand-in is tests/fakes/slack_api.py, a local HTTP server playing the Slack Web API that
records every call the bot makes. Payloads are built from tests/fixtures/slack/*.json.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from dataclasses import replace
from typing import Any
from urllib.parse import urlencode

import pytest
from sqlalchemy import Engine, select

from bot import texts
from bot.catalog.store import find_department, measure_by_no
from bot.core.config import SecretStr, Settings
from bot.core.messages import Card, Choice, Form, Reply
from bot.core.web import create_app
from bot.handlers.slack import blocks as slack_blocks
from bot.handlers.slack.api import SlackSender
from bot.people.members import add_member, find_member
from bot.storage.db import session_scope
from bot.storage.models import InboundEvent, Report
from tests.conftest import DM, SlackWorkspace, flask_transport, inbound_count, texts_of
from tests.conftest import SLACK_USER as USER
from tests.fakes import slack_requests as sr
from tests.fakes.slack_api import SlackApiStub


@pytest.fixture
def slack_api() -> Iterator[SlackApiStub]:
    with SlackApiStub() as stub:
        yield stub


def slack_settings(settings: Settings, stub: SlackApiStub, **extra: Any) -> Settings:
    return replace(settings,
        slack_bot_token=SecretStr("xoxb-kaikaku-test"), slack_signing_secret=SecretStr(sr.SECRET),
        slack_api_url=stub.url, **extra)


def register_member(engine: Engine, user: str = USER, department: str = "危機管理課", role: str = "staff") -> None:
    with session_scope(engine) as s:
        dept = find_department(s, department)
        assert dept is not None
        add_member(s, "slack", user, dept, role)


@pytest.fixture
def workspace(settings: Settings, sqlite_catalog_engine: Engine, slack_api: SlackApiStub) -> Iterator[SlackWorkspace]:
    register_member(sqlite_catalog_engine)
    app = create_app(slack_settings(settings, slack_api), sqlite_catalog_engine)
    yield SlackWorkspace(flask_transport(app), slack_api, sqlite_catalog_engine)
    app.extensions["kaikaku_slack"].worker.shutdown()


# ---- the whole report, in Slack ----------------------------------------------------------------------

def test_report_round_trip_with_buttons_and_modal(workspace: SlackWorkspace, sqlite_catalog_engine: Engine) -> None:
    replies = workspace.say("報告 34")
    assert "取組状況" in texts_of(replies)
    workspace.tap("実施中")
    tapped = workspace.stub.calls_to("chat.update")
    assert tapped and "実施中" in json.dumps(tapped[-1].body, ensure_ascii=False)  # the question shows its answer

    assert workspace.button("実施結果")[1] == slack_blocks.FORM_OPEN
    view = workspace.open_form("実施結果")
    element = view["blocks"][0]["element"]
    assert element["multiline"] is True and element["max_length"] == 2000

    typed = "養成講座を4回開催し、<!channel> 新たに150名が受講した。\n地区訓練も実施 & 報告済み。"
    replies = workspace.submit_form(view, typed)
    assert "実績値" in texts_of(replies)
    workspace.say("１，６５０名")
    workspace.tap("見込み")
    summary = workspace.tap("B 概ね達成")
    shown = texts_of(summary)
    assert "&lt;!channel&gt;" in shown and "<!channel>" not in shown  # never a broadcast
    done = workspace.tap("確定")
    assert "提出しました" in texts_of(done)

    with session_scope(sqlite_catalog_engine) as s:
        measure = measure_by_no(s, 34)
        report = s.scalar(select(Report).where(Report.measure_id == measure.id, Report.is_current.is_(True)))
        assert report is not None and report.status == "submitted"
        assert report.result_text == typed  # exactly what was typed, `<`, `&` and newline included
        assert report.progress == "in_progress" and report.rating == "B"
        assert [(a.value, a.typed, a.basis) for a in report.actuals] == [(1650, "１，６５０名", "estimate")]
        assert report.reported_by == f"slack:{USER}"


def test_unregistered_user_is_told_how_to_register(workspace: SlackWorkspace) -> None:
    replies = workspace.say("報告", user="U0STRANGER")
    assert texts_of(replies).count(texts.UNREGISTERED[:20]) >= 1


def test_question_by_mention_is_answered_in_its_thread(workspace: SlackWorkspace) -> None:
    body = sr.mention("No.34の目標は?")
    replies = workspace.exchange(sr.as_event(body), channel="C0BOUSAI")
    assert replies and all(m["thread_ts"] == body["event"]["ts"] for m in replies)
    assert "1,700名" in texts_of(replies)


def test_channel_message_without_mention_is_left_alone(workspace: SlackWorkspace) -> None:
    body = sr.message_im("No.34の目標は?", channel="C0BOUSAI")
    body["event"]["channel_type"] = "channel"
    assert workspace.send(sr.as_event(body)).status_code == 200
    workspace.settle()
    assert workspace.stub.calls_to("chat.postMessage") == [] and inbound_count(workspace.engine) == 0


def slash_with_response_url(workspace: SlackWorkspace, text: str, channel: str = "C0BOUSAI") -> sr.SlackRequest:
    body = sr.fixture("slash_command") | {"text": text, "channel_id": channel, "trigger_id": sr.new_id("tr."),
                                          "response_url": f"{workspace.stub.url}/commands/T0KANAZAWA/1/respond"}
    return sr.SlackRequest(urlencode(body), "application/x-www-form-urlencoded")


def test_slash_command_question_in_a_channel_is_answered_in_place(workspace: SlackWorkspace) -> None:
    """Slack's convention: an ephemeral answer through response_url, not a DM, not a channel post."""
    response = workspace.send(slash_with_response_url(workspace, "No.34の目標は?"))
    assert response.status_code == 200 and "お返事" not in response.get_data(as_text=True)
    workspace.stub.wait_for(lambda: bool(workspace.stub.calls_to("respond")))
    workspace.settle()
    [answer] = workspace.stub.calls_to("respond")
    assert answer.body["response_type"] == "ephemeral"
    assert "1,700名" in json.dumps(answer.body, ensure_ascii=False)
    assert workspace.stub.calls_to("chat.postMessage") == []


def test_slash_command_report_in_a_channel_moves_to_the_dm(workspace: SlackWorkspace) -> None:
    response = workspace.send(slash_with_response_url(workspace, "報告 34"))
    assert response.status_code == 200 and "お返事" in response.get_data(as_text=True)
    workspace.settle()
    assert "取組状況を選んでください" in texts_of(workspace.stub.posted(DM))
    assert workspace.stub.calls_to("respond") == []


def test_slash_command_in_the_dm_answers_in_the_dm(workspace: SlackWorkspace) -> None:
    response = workspace.send(slash_with_response_url(workspace, "状況", channel=DM))
    assert response.status_code == 200
    workspace.settle()
    replies = workspace.stub.posted(DM)
    assert replies and "危機管理課" in texts_of(replies) and "No.34" in texts_of(replies)


# ---- the modal -----------------------------------------------------------------------------------

def open_result_modal(workspace: SlackWorkspace) -> dict[str, Any]:
    workspace.say("報告 34")
    workspace.tap("完了")
    return workspace.open_form("実施結果")


@pytest.mark.parametrize(("typed", "error"), [("   \n  ", "内容を入力してください。"),
                                             ("あ" * 2001, "2,000文字以内で入力してください(現在2,001文字です)。")])
def test_modal_errors_are_shown_in_the_modal(workspace: SlackWorkspace, typed: str, error: str) -> None:
    view = open_result_modal(workspace)
    recorded = inbound_count(workspace.engine)
    response = workspace.send(sr.as_interaction(sr.view_submission(view, typed)))
    assert response.status_code == 200
    answer = response.get_json()
    assert answer["response_action"] == "errors"
    assert answer["errors"] == {slack_blocks.FORM_VIEW: error}
    assert inbound_count(workspace.engine) == recorded  # nothing taken: the user fixes it in the modal
    fixed = workspace.submit_form(view, "訓練を実施した。")
    assert "自己評価" in texts_of(fixed) or "実績値" in texts_of(fixed)


# ---- App Home ------------------------------------------------------------------------------------

def published_home(workspace: SlackWorkspace, user: str) -> str:
    assert workspace.send(sr.as_event(sr.home_opened(user))).status_code == 200
    workspace.settle()
    call = workspace.stub.calls_to("views.publish")[-1]
    assert call.body["user_id"] == user
    return json.dumps(call.body["view"], ensure_ascii=False)


def test_app_home_shows_the_department_and_a_report_button(workspace: SlackWorkspace) -> None:
    home = published_home(workspace, USER)
    assert "危機管理課" in home and "No.34" in home and "未着手" in home and "報告 34" in home
    assert "報告する" in home


def test_app_home_of_an_unknown_user_says_how_to_register(workspace: SlackWorkspace) -> None:
    assert texts.UNREGISTERED[:20] in published_home(workspace, "U0STRANGER")


# ---- Slack's delivery rules ---------------------------------------------------------------------------

@pytest.fixture
def any_db_workspace(settings: Settings, catalog_engine: Engine,
                     slack_api: SlackApiStub) -> Iterator[SlackWorkspace]:
    register_member(catalog_engine)
    app = create_app(slack_settings(settings, slack_api), catalog_engine)
    yield SlackWorkspace(flask_transport(app), slack_api, catalog_engine)
    app.extensions["kaikaku_slack"].worker.shutdown()


def test_same_event_delivered_twice_is_processed_once(any_db_workspace: SlackWorkspace) -> None:
    ws = any_db_workspace
    request = sr.as_event(sr.message_im("ヘルプ"))
    assert ws.send(request).status_code == 200
    assert ws.send(request, retry=1).status_code == 200  # Slack's retry of the same event
    assert ws.send(request).status_code == 200  # and a replay without the header
    ws.settle()
    assert len(ws.stub.calls_to("chat.postMessage")) == 1
    assert inbound_count(ws.engine) == 1


def test_retry_whose_original_never_arrived_is_processed_once(any_db_workspace: SlackWorkspace) -> None:
    ws = any_db_workspace
    request = sr.as_event(sr.message_im("ヘルプ"))
    assert ws.send(request, retry=2).status_code == 200
    ws.settle()
    assert len(ws.stub.calls_to("chat.postMessage")) == 1


@pytest.mark.parametrize("headers", [
    {"secret": "not-the-signing-secret"},
    {"timestamp": int(time.time()) - 6 * 60},  # stale: a replay from more than five minutes ago
])
def test_bad_or_stale_signature_is_rejected_and_nothing_recorded(workspace: SlackWorkspace,
                                                                 headers: dict[str, Any]) -> None:
    response = workspace.send(sr.as_event(sr.message_im("ヘルプ")), **headers)
    assert response.status_code == 401
    assert inbound_count(workspace.engine) == 0 and workspace.stub.calls == []


def test_a_body_changed_after_signing_is_rejected(workspace: SlackWorkspace) -> None:
    request = sr.as_event(sr.message_im("ヘルプ"))
    headers = request.headers()
    response = workspace.transport(request.body.replace("ヘルプ", "報告"), headers)
    assert response.status_code == 401 and inbound_count(workspace.engine) == 0


def test_url_verification_answers_the_challenge(workspace: SlackWorkspace) -> None:
    body = sr.fixture("url_verification")
    response = workspace.send(sr.as_event(body))
    assert response.status_code == 200 and response.get_json() == {"challenge": body["challenge"]}


def test_rate_limited_post_is_retried_after_retry_after_and_posted_once(workspace: SlackWorkspace) -> None:
    workspace.stub.fail_next(1, 429, retry_after=1)
    started = time.monotonic()
    workspace.say("ヘルプ")
    assert len(workspace.stub.posted(DM)) == 1
    attempts = workspace.stub.attempts_of("chat.postMessage")
    assert [c.status for c in attempts] == [429, 200]
    assert attempts[1].at - attempts[0].at >= 1.0 and time.monotonic() - started >= 1.0


@pytest.mark.parametrize("accepted", [False, True], ids=["not-taken", "taken-but-answer-lost"])
def test_server_error_then_success_posts_exactly_one_message(workspace: SlackWorkspace, accepted: bool) -> None:
    workspace.stub.fail_next(1, 500, accept=accepted)
    workspace.say("ヘルプ")
    assert len(workspace.stub.posted(DM)) == 1
    expected = [500] if accepted else [500, 200]  # taken: found in the history, not posted again
    assert [c.status for c in workspace.stub.attempts_of("chat.postMessage")] == expected


def test_a_failed_delivery_is_finished_after_a_restart_without_routing_again(
        settings: Settings, sqlite_catalog_engine: Engine, slack_api: SlackApiStub) -> None:
    register_member(sqlite_catalog_engine)
    config = slack_settings(settings, slack_api)
    first = create_app(config, sqlite_catalog_engine)
    first.extensions["kaikaku_slack"].poster.backoff = 0.01
    ws = SlackWorkspace(flask_transport(first), slack_api, sqlite_catalog_engine)
    slack_api.fail_next(100, 503)  # Slack is down for longer than the retries
    ws.send(sr.as_event(sr.message_im("報告 34")))
    ws.settle()
    first.extensions["kaikaku_slack"].worker.shutdown()
    assert slack_api.posted(DM) == []
    with session_scope(sqlite_catalog_engine) as s:
        event = s.scalars(select(InboundEvent)).one()
        assert event.status == "failed"
        routed = event.payload["replies"]  # what the dialog answered, kept with the event
    slack_api.faults.clear()

    second = create_app(config, sqlite_catalog_engine)  # the restart: recover() finishes the event
    SlackWorkspace(flask_transport(second), slack_api, sqlite_catalog_engine).settle()
    second.extensions["kaikaku_slack"].worker.shutdown()
    posted = slack_api.posted(DM)
    assert [(m["text"], m["blocks"]) for m in posted] == [(r["text"], r["blocks"]) for r in routed]
    assert "取組状況" in texts_of(posted)  # the dialog's first question, asked once


# ---- rendering and the outbox's sender --------------------------------------------------------------

def mrkdwn_texts(node: Any) -> list[str]:
    """Every mrkdwn text object in a block tree (plain_text is shown as is, never parsed)."""
    if isinstance(node, list):
        return [t for item in node for t in mrkdwn_texts(item)]
    if not isinstance(node, dict):
        return []
    own = [node["text"]] if node.get("type") == "mrkdwn" else []
    return own + [t for value in node.values() for t in mrkdwn_texts(value)]


def test_typed_control_characters_are_escaped_everywhere() -> None:
    reply = Reply("<!channel> & <@U123> <https://evil.example|click>",
                  choices=(Choice("<!here>", "x"),),
                  card=Card("<!everyone>", (("結果", "<!channel>"), ("長い結果", "<!here>" * 100)), footer="<!here>"))
    message = slack_blocks.message(reply)
    parsed = [message["text"], *mrkdwn_texts(message["blocks"])]
    assert len(parsed) == 5 and all("<" not in t and ">" not in t for t in parsed)
    assert message["text"] == "&lt;!channel&gt; &amp; &lt;@U123&gt; &lt;https://evil.example|click&gt;"
    assert all(obj.get("verbatim") for obj in _mrkdwn_objects(message["blocks"]))  # no @channel auto-parsing


def _mrkdwn_objects(node: Any) -> list[dict[str, Any]]:
    if isinstance(node, list):
        return [o for item in node for o in _mrkdwn_objects(item)]
    if not isinstance(node, dict):
        return []
    own = [node] if node.get("type") == "mrkdwn" else []
    return own + [o for value in node.values() for o in _mrkdwn_objects(value)]


def test_slack_text_is_read_back_as_typed() -> None:
    assert slack_blocks.plain("<@UKAIKAKU> No.34の目標は &lt;1,700&gt; &amp; <https://x.jp|x.jp>?") == \
        "No.34の目標は <1,700> & x.jp?"


def test_sender_posts_each_part_once_per_key(settings: Settings, slack_api: SlackApiStub) -> None:
    sender = SlackSender(slack_settings(settings, slack_api))
    replies = [Reply("提出期限が近づいています。", choices=(Choice("報告する", "報告"),)),
               Reply("グラフ", image_png=b"\x89PNG\r\n\x1a\nfake", image_alt="提出状況")]
    sender.send(USER, replies, key="R8:危機管理課:final:1")
    sender.send(USER, replies, key="R8:危機管理課:final:1")  # the outbox retried after a lost answer
    assert len(slack_api.posted(DM)) == 2
    assert len(slack_api.calls_to("files.completeUploadExternal")) == 1
    assert list(slack_api.uploads.values()) == [b"\x89PNG\r\n\x1a\nfake"]


def test_form_survives_its_trip_through_a_button() -> None:
    form = Form("result_text", "実施結果", "No.34 令和8年度の実施結果", max_chars=1500, initial="前回の下書き")
    assert slack_blocks.form_of(slack_blocks.form_value(form)) == form
    long = Form("result_text", "実施結果", "ラベル", initial="長" * 1990)
    assert slack_blocks.form_of(slack_blocks.form_value(long)).initial is None  # too long for a value: left out


# ---- Socket Mode ---------------------------------------------------------------------------------

def test_socket_mode_takes_events_without_a_public_url(settings: Settings, sqlite_catalog_engine: Engine,
                                                       slack_api: SlackApiStub) -> None:
    from tests.fakes.slack_socket import SocketModeStub

    register_member(sqlite_catalog_engine)
    with SocketModeStub() as socket_mode:
        slack_api.socket_url = socket_mode.url
        app = create_app(slack_settings(settings, slack_api, slack_app_token=SecretStr("xapp-1-kaikaku")),
                         sqlite_catalog_engine)
        try:
            assert app.test_client().post("/slack/events").status_code == 404  # no HTTP route: outbound only
            slack_api.wait_for(lambda: bool(slack_api.calls_to("apps.connections.open")))
            assert slack_api.calls_to("apps.connections.open")[0].token == "xapp-1-kaikaku"
            ws = SlackWorkspace(flask_transport(app), slack_api, sqlite_catalog_engine)
            body = sr.message_im("ヘルプ")
            socket_mode.ack_of(socket_mode.deliver(body))
            socket_mode.ack_of(socket_mode.deliver(body, retry_attempt=1))  # redelivered: acked, not redone
            command = sr.fixture("slash_command") | {"text": "状況", "channel_id": DM, "trigger_id": "tr.socket"}
            socket_mode.ack_of(socket_mode.deliver(command, kind="slash_commands"))
            ws.settle()
            slack_api.wait_for(lambda: len(slack_api.posted(DM)) >= 2)
            replies = slack_api.posted(DM)
            assert len(replies) == 2 and "kaikaku-bot でできること" in replies[0]["text"]
            assert "危機管理課" in texts_of(replies[1:])
        finally:
            app.extensions["kaikaku_slack_socket"].close()
            app.extensions["kaikaku_slack"].worker.shutdown()


# ---- linking members from Slack -------------------------------------------------------------------

def test_coordinator_links_a_slack_user_from_slack(workspace: SlackWorkspace, sqlite_catalog_engine: Engine) -> None:
    register_member(sqlite_catalog_engine, "U0COORD", "デジタル行政戦略課", role="coordinator")
    answer = workspace.say("登録 <@U0NEWBIE|yamada> 危機管理課 管理職", user="U0COORD")
    assert "<@U0NEWBIE> さんを危機管理課(管理職)として登録しました。" in answer[0]["text"]
    with session_scope(sqlite_catalog_engine) as s:
        member = find_member(s, "slack", "U0NEWBIE")
        assert member is not None and member.department.name == "危機管理課" and member.role == "manager"
    assert "危機管理課" in published_home(workspace, "U0NEWBIE")


def test_only_the_coordinator_links_others(workspace: SlackWorkspace, sqlite_catalog_engine: Engine) -> None:
    answer = workspace.say("登録 <@U0NEWBIE> 危機管理課")  # U0TANAKA is staff of 危機管理課
    assert "取りまとめ担当" in answer[0]["text"]
    with session_scope(sqlite_catalog_engine) as s:
        assert find_member(s, "slack", "U0NEWBIE") is None


@pytest.mark.parametrize("text", ["あ&<>" * 1200, "行\n" * 2000, "x" * 2999 + "&", "<" * 3001])
def test_long_text_is_split_into_sections_without_breaking_an_entity(text: str) -> None:
    sections = [b["text"]["text"] for b in slack_blocks.message(Reply(text))["blocks"]]
    assert all(len(part) <= 3000 for part in sections)
    assert "".join(sections) == slack_blocks.escape(text)
    assert all(re.fullmatch(r"(?:[^&]|&(?:amp|lt|gt);)*", part) for part in sections)
