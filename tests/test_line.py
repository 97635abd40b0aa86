"""LINE end to end: signed webhooks into the real Flask app served by waitress (as `kaikaku serve`
does), the core underneath, and a local stand-in for the Messaging API that checks every request
against LINE's OpenAPI definition (tests/fakes/line_api.py)."""

from __future__ import annotations

import copy
import json
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from typer.testing import CliRunner

from bot.catalog.store import find_department
from bot.core import inbox, push_budget
from bot.core.config import SecretStr, Settings
from bot.core.messages import Card, Choice, Form, RateLimited, Reply
from bot.handlers.line import render as line_render
from bot.handlers.line.api import LineSender, retry_key
from bot.people.registration import issue_code
from bot.storage.db import session_scope
from bot.storage.models import DialogState, InboundEvent, Member, PushUsage, Report
from tests.conftest import LINE_FIXTURES as FIXTURES
from tests.conftest import LINE_OTHER as OTHER
from tests.conftest import LINE_SECRET as SECRET
from tests.conftest import LINE_TOKEN as TOKEN
from tests.conftest import LINE_USER as USER
from tests.conftest import LineBot as Bot
from tests.conftest import line_fixture as fixture
from tests.conftest import line_sign as sign
from tests.fakes.line_api import LOADING, MONTHLY_LIMIT, PUSH, REPLY, FakeLineApi, Scripted
from tests.fakes.line_schemas import errors as schema_errors


@pytest.fixture
def line_api() -> Iterator[FakeLineApi]:
    api = FakeLineApi(token=TOKEN).start()
    yield api
    api.stop()
    assert api.errors == [], "the bot sent requests the Messaging API would refuse"


def line_settings(url: str, api: FakeLineApi, now: datetime, budget: int = 200) -> Settings:
    return Settings(database_url=url, bot_now=now, line_channel_secret=SecretStr(SECRET),
                    line_channel_access_token=SecretStr(TOKEN), line_api_url=api.url,
                    line_push_monthly_budget=budget)


@pytest.fixture
def bot(sqlite_catalog_url: str, sqlite_catalog_engine: Engine, line_api: FakeLineApi, now: datetime) -> Iterator[Bot]:
    b = Bot(line_settings(sqlite_catalog_url, line_api, now), sqlite_catalog_engine, line_api)
    yield b
    b.close()


def invite(engine: Engine, department: str, now: datetime, role: str = "staff", ttl_hours: int = 72) -> str:
    with session_scope(engine) as s:
        dept = find_department(s, department)
        assert dept is not None
        return issue_code(s, dept, now, ttl_hours, role).code


def events_recorded(engine: Engine) -> int:
    with session_scope(engine) as s:
        return int(s.scalar(select(func.count(InboundEvent.id))) or 0)


def usage(engine: Engine, month: str = "2027-02") -> push_budget.Usage:
    with session_scope(engine) as s:
        return push_budget.usage(s, month, None)


# --- the webhook -------------------------------------------------------------------------------


def test_fixtures_are_documented_webhook_bodies() -> None:
    for path in sorted(FIXTURES.glob("*.json")):
        assert schema_errors("webhook.yml", "CallbackRequest", json.loads(path.read_text("utf-8"))) == [], path


def test_verify_request_gets_200(bot: Bot) -> None:
    body = (FIXTURES / "verify.json").read_bytes()
    assert bot.post(body).status_code == 200
    assert events_recorded(bot.engine) == 0


def test_bad_signature_is_refused_and_nothing_recorded(bot: Bot, line_api: FakeLineApi) -> None:
    body = (FIXTURES / "message_text.json").read_bytes()
    assert bot.post(body, signature=sign(body, "someone-else")).status_code == 400
    assert bot.post(body, signature="").status_code == 400
    assert bot.post(body + b" ", signature=sign(body)).status_code == 400  # altered after signing
    bot.settle()
    assert events_recorded(bot.engine) == 0
    assert line_api.calls == []


def test_a_message_is_answered_with_the_reply_token(bot: Bot, line_api: FakeLineApi) -> None:
    bot.adapter.loading_after = 0  # show the loading animation at once
    event = bot.send("message_text", text="ヘルプ")
    reply = line_api.wait_for(1, REPLY)[0]
    assert reply.body["replyToken"] == event["replyToken"]
    assert "kaikaku-bot でできること" in reply.texts[0]
    assert [c.body for c in line_api.of(LOADING)] == [{"chatId": USER, "loadingSeconds": 20}]
    assert line_api.of(PUSH) == []


def test_the_loading_animation_shows_only_when_an_answer_takes_a_while(bot: Bot, line_api: FakeLineApi) -> None:
    from bot.handlers.line.webhook import to_incoming
    incoming = to_incoming(fixture("message_text")["events"][0] | {"source": {"type": "user", "userId": USER}})
    bot.adapter.loading_after = 0.05
    bot.adapter.with_loading(incoming, lambda: [Reply("早い答え")])
    time.sleep(0.3)  # past the deadline: a cancelled animation stays cancelled
    assert line_api.of(LOADING) == []
    bot.adapter.with_loading(incoming, lambda: time.sleep(0.4) or [Reply("遅い答え")])
    deadline = time.monotonic() + 5
    while not line_api.of(LOADING) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert [c.body for c in line_api.of(LOADING)] == [{"chatId": USER, "loadingSeconds": 20}]


def test_a_postback_carries_the_choice_value(bot: Bot, line_api: FakeLineApi) -> None:
    bot.send("postback", data="ヘルプ")
    assert "kaikaku-bot でできること" in line_api.wait_for(1, REPLY)[0].texts[0]


def test_follow_greets_and_asks_for_a_registration_code(bot: Bot, line_api: FakeLineApi) -> None:
    bot.send("follow")
    texts = line_api.wait_for(1, REPLY)[0].texts
    assert "友だち追加ありがとうございます" in texts[0] and "登録 コード" in texts[0]


def test_a_sticker_gets_a_polite_answer(bot: Bot, line_api: FakeLineApi) -> None:
    bot.send("message_sticker")
    assert "文字のメッセージだけ" in line_api.wait_for(1, REPLY)[0].texts[0]


def test_a_redelivered_event_is_processed_once(
    catalog_url: str, catalog_engine: Engine, line_api: FakeLineApi, now: datetime
) -> None:
    bot = Bot(line_settings(catalog_url, line_api, now), catalog_engine, line_api)
    try:
        original = fixture("message_text")
        original["events"][0]["timestamp"] = int(time.time() * 1000)
        body = json.dumps(original, ensure_ascii=False).encode()
        assert bot.post(body).status_code == 200
        assert events_recorded(bot.engine) == 1  # recorded before the 200
        assert bot.post(body).status_code == 200  # LINE retried: same webhookEventId
        assert bot.send("redelivery", fresh=False)["deliveryContext"]["isRedelivery"] is True
        bot.settle()
    finally:
        bot.close()
    assert events_recorded(bot.engine) == 1
    assert len(line_api.deliveries) == 1


def test_an_event_recorded_before_a_crash_is_finished_on_start(
    sqlite_catalog_url: str, sqlite_catalog_engine: Engine, line_api: FakeLineApi, now: datetime
) -> None:
    """Acknowledged (recorded) but never processed: the next process finishes it, by push."""
    event = fixture("message_text")["events"][0]
    event["timestamp"] = int((time.time() - 600) * 1000)  # its reply token is long gone
    inbox.record(sqlite_catalog_engine, "line", event["webhookEventId"], event, now)
    b = Bot(line_settings(sqlite_catalog_url, line_api, now), sqlite_catalog_engine, line_api)
    try:
        push = line_api.wait_for(1, PUSH)[0]
        assert push.body["to"] == USER and "kaikaku-bot でできること" in push.texts[0]
        assert push.retry_key == retry_key(f"line-event:{event['webhookEventId']}#0")
        assert line_api.of(REPLY) == []
    finally:
        b.close()
    assert usage(sqlite_catalog_engine).sent == 1


def test_in_a_group_the_bot_answers_when_mentioned_and_stays_quiet_otherwise(bot: Bot, line_api: FakeLineApi) -> None:
    bot.adapter.loading_after = 0
    bot.send("message_group_chatter", user=OTHER)
    assert events_recorded(bot.engine) == 0  # chatter is not even recorded
    event = bot.send("message_group")
    reply = line_api.wait_for(1, REPLY)[0]
    assert reply.body["replyToken"] == event["replyToken"]
    assert line_api.of(LOADING) == []  # the loading animation is for one-to-one chats only
    assert "No.34" in "".join(reply.texts)


def test_a_question_over_line(bot: Bot, line_api: FakeLineApi) -> None:
    answer = bot.say("No.34の目標は?")
    assert "1,700名" in "".join(answer.texts)


def test_a_report_is_taken_only_in_a_one_to_one_chat(bot: Bot, line_api: FakeLineApi, now: datetime) -> None:
    bot.say(f"登録 {invite(bot.engine, '危機管理課', now)}")
    group = fixture("message_group")
    group["events"][0]["message"]["text"] = "@改革ボット 報告 34"
    group["events"][0]["timestamp"] = int(time.time() * 1000)
    bot.post(json.dumps(group, ensure_ascii=False).encode())
    answer = line_api.wait_for(2)[-1]
    assert "1対1" in answer.texts[0]


def test_a_full_report_over_line_ends_in_the_database(bot: Bot, line_api: FakeLineApi, now: datetime) -> None:
    code = invite(bot.engine, "危機管理課", now)
    assert "危機管理課" in bot.say(f"登録 {code}").texts[0]

    progress = bot.say("報告 34")
    assert progress.body["messages"][0]["type"] == "flex"  # the measure's card
    result = bot.tap(progress, "実施中")
    assert "1通で送れます" in result.texts[-1]  # the form hint: multi-line text in one message
    actual = bot.say("地域の防災訓練にあわせて養成講座を3回開催した。\n新たに150名が受講した。")
    basis = bot.say("１，６５０名")
    rating = bot.tap(basis, "見込み")
    summary = bot.tap(rating, "B 概ね達成")
    assert summary.body["messages"][0]["type"] == "flex"
    assert "1,650名" in summary.body["messages"][0]["altText"]
    done = bot.tap(summary, "確定")
    assert "提出しました" in done.texts[0]
    assert actual.texts  # every step was answered

    with session_scope(bot.engine) as s:
        report = s.scalar(select(Report).where(Report.is_current.is_(True)))
        assert report is not None
        assert (report.measure.no, report.status, report.rating) == (34, "submitted", "B")
        assert report.reported_by == f"line:{USER}"
        assert "150名が受講" in (report.result_text or "")
        assert [(a.metric, int(a.value), a.basis) for a in report.actuals] == [("コミュニティ防災士数", 1650, "estimate")]
    assert line_api.of(PUSH) == []  # every answer went by reply token: no push spent


# --- registration over LINE -------------------------------------------------------------------


def test_registration_code_links_the_line_account_once(bot: Bot, line_api: FakeLineApi, now: datetime) -> None:
    code = invite(bot.engine, "危機管理課", now)
    typed = code.lower().replace("-", "").translate(str.maketrans("abcdefghjkmnpqrstuvwxyz23456789",
                                                                  "ａｂｃｄｅｆｇｈｊｋｍｎｐｑｒｓｔｕｖｗｘｙｚ２３４５６７８９"))
    assert "危機管理課" in bot.say(f"登録　{typed}").texts[0]  # full width, lower case, no hyphen
    with session_scope(bot.engine) as s:
        member = s.scalar(select(Member).where(Member.platform == "line", Member.user_id == USER))
        assert member is not None and member.department.name == "危機管理課"
    assert "すでに使われています" in bot.say(f"登録 {code}", user=OTHER).texts[0]
    with session_scope(bot.engine) as s:
        assert s.scalar(select(Member).where(Member.user_id == OTHER)) is None


def test_an_expired_code_is_refused_politely(bot: Bot, now: datetime) -> None:
    code = invite(bot.engine, "危機管理課", now - timedelta(hours=73))
    assert "有効期限" in bot.say(f"登録 {code}").texts[0]


def test_guessing_codes_is_rate_limited(bot: Bot, now: datetime) -> None:
    code = invite(bot.engine, "危機管理課", now)
    for guess in ("AAAA-AAAA", "BBBB-BBBB", "CCCC-CCCC", "DDDD-DDDD", "EEEE-EEEE"):
        assert "見つかりませんでした" in bot.say(f"登録 {guess}").texts[0]
    assert "しばらく受け付けを止めています" in bot.say(f"登録 {code}").texts[0]
    assert "危機管理課" in bot.say(f"登録 {code}", user=OTHER).texts[0]  # another account is not blocked


# --- reply, push, budget ----------------------------------------------------------------------


def test_a_stale_reply_token_falls_back_to_a_counted_push(bot: Bot, line_api: FakeLineApi) -> None:
    event = bot.send("message_text", text="ヘルプ", age=120)
    push = line_api.wait_for(1, PUSH)[0]
    assert push.body["to"] == USER
    assert push.retry_key == retry_key(f"line-event:{event['webhookEventId']}#0")
    assert line_api.of(REPLY) == []
    assert usage(bot.engine).sent == 1


def test_a_used_reply_token_falls_back_to_a_push(bot: Bot, line_api: FakeLineApi) -> None:
    line_api.used_tokens.add("spent-token")
    event = fixture("message_text")["events"][0] | {"replyToken": "spent-token", "timestamp": int(time.time() * 1000)}
    bot.adapter.send_replies(event, USER, [{"type": "text", "text": "遅れた回答です"}])
    assert [c.status for c in line_api.calls] == [400, 200]
    assert line_api.deliveries[0].path == PUSH


def test_a_reply_answered_5xx_is_retried(bot: Bot, line_api: FakeLineApi) -> None:
    line_api.fail_next(REPLY, Scripted(500), Scripted(503))
    bot.send("message_text", text="ヘルプ")
    assert len(line_api.wait_for(1, REPLY)) == 1
    assert [c.status for c in line_api.of(REPLY)] == [500, 503, 200]


def test_more_than_five_messages_reply_five_and_push_the_rest(bot: Bot, line_api: FakeLineApi) -> None:
    event = fixture("message_text")["events"][0] | {"replyToken": "fresh-token", "timestamp": int(time.time() * 1000)}
    long = "\n".join(f"{i:05d} " + "あ" * 94 for i in range(300))  # 30,000 characters
    messages = line_render.render_all([Reply(long)])
    assert len(messages) == 7 and all(line_render.utf16_len(m["text"]) <= 5000 for m in messages)
    bot.adapter.send_replies(event, USER, messages)
    reply, push = line_api.deliveries
    assert (reply.path, len(reply.body["messages"]), push.path, len(push.body["messages"])) == (REPLY, 5, PUSH, 2)
    assert "".join(reply.texts + push.texts).replace("\n", "") == long.replace("\n", "")
    assert push.retry_key == retry_key(f"line-event:{event['webhookEventId']}#1")


def test_push_5xx_then_success_delivers_once_with_one_retry_key(bot: Bot, line_api: FakeLineApi) -> None:
    line_api.fail_next(PUSH, Scripted(500, deliver=True), Scripted(502))  # the first went out anyway
    LineSender(bot.settings, bot.engine, bot.adapter.api).send(USER, [Reply("督促です")], key="round:34:nudge:1")
    calls = line_api.of(PUSH)
    assert [c.status for c in calls] == [500, 502, 409]
    assert {c.retry_key for c in calls} == {retry_key("round:34:nudge:1#0")}
    assert len(line_api.deliveries) == 1
    assert usage(bot.engine).sent == 1


def test_push_5xx_not_delivered_is_retried_until_accepted(bot: Bot, line_api: FakeLineApi) -> None:
    line_api.fail_next(PUSH, Scripted(500))
    LineSender(bot.settings, bot.engine, bot.adapter.api).send(USER, [Reply("督促です")], key="k1")
    assert [c.status for c in line_api.of(PUSH)] == [500, 200]
    assert len(line_api.deliveries) == 1


def test_the_outbox_sending_again_is_answered_409_and_counts_as_sent(bot: Bot, line_api: FakeLineApi) -> None:
    sender = LineSender(bot.settings, bot.engine, bot.adapter.api)
    sender.send(USER, [Reply("締切は4月30日です")], key="round:R8:open:危機管理課")
    sender.send(USER, [Reply("締切は4月30日です")], key="round:R8:open:危機管理課")  # no exception
    assert [c.status for c in line_api.of(PUSH)] == [200, 409]
    assert len(line_api.deliveries) == 1


def test_a_spent_monthly_quota_is_reported_not_retried(bot: Bot, line_api: FakeLineApi) -> None:
    line_api.fail_next(PUSH, Scripted(429, MONTHLY_LIMIT))
    with pytest.raises(push_budget.PushQuotaExhausted):
        LineSender(bot.settings, bot.engine, bot.adapter.api).send(USER, [Reply("督促です")], key="k2")
    assert len(line_api.of(PUSH)) == 1
    assert (usage(bot.engine).sent, usage(bot.engine).refused) == (0, 1)


def test_a_rate_limit_429_is_retried_for_an_answer_and_handed_back_by_the_outbox_sender(
        bot: Bot, line_api: FakeLineApi) -> None:
    limited = {"message": "The API rate limit has been exceeded. Try again later."}
    line_api.fail_next(PUSH, Scripted(429, limited))
    bot.adapter.api.send(USER, line_render.render_all([Reply("回答です")]), "answer-1")  # someone waits: retried
    assert [c.status for c in line_api.of(PUSH)] == [429, 200]

    line_api.fail_next(PUSH, Scripted(429, limited, headers={"Retry-After": "30"}))
    started = time.monotonic()
    with pytest.raises(RateLimited) as caught:  # the outbox's sender never sleeps: it hands the message back
        LineSender(bot.settings, bot.engine, bot.adapter.api).send(USER, [Reply("督促です")], key="k3")
    assert caught.value.retry_after == 30 and time.monotonic() - started < 5
    assert [c.status for c in line_api.of(PUSH)] == [429, 200, 429]
    assert usage(bot.engine).sent == 1  # the refused push is not counted against the budget


def test_the_monthly_budget_is_never_exceeded_silently(
    catalog_url: str, catalog_engine: Engine, line_api: FakeLineApi, now: datetime,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings = line_settings(catalog_url, line_api, now, budget=2)
    sender = LineSender(settings, catalog_engine)
    sender.send(USER, [Reply("1通目")], key="b1")
    sender.send(USER, [Reply("2通目")], key="b2")
    with pytest.raises(push_budget.PushBudgetExceeded) as refused:
        sender.send(USER, [Reply("3通目")], key="b3")
    assert refused.value.month == "2027-02"
    assert len(line_api.of(PUSH)) == 2  # the third was never sent
    with session_scope(catalog_engine) as s:
        assert push_budget.push_budget_left(s, "2027-02", 2) == 0
        row = s.scalar(select(PushUsage))
        assert row is not None and (row.count, row.refused) == (2, 1)

    from bot.cli import app
    from bot.core.config import get_settings

    monkeypatch.setenv("DATABASE_URL", catalog_url)
    monkeypatch.setenv("BOT_NOW", now.isoformat())
    monkeypatch.setenv("LINE_PUSH_MONTHLY_BUDGET", "2")
    get_settings.cache_clear()
    try:
        out = CliRunner().invoke(app, ["line", "usage", "--format", "json"])
        assert out.exit_code == 0, out.output
        assert json.loads(out.stdout) == {"platform": "line", "month": "2027-02", "sent": 2, "refused": 1,
                                          "budget": 2, "left": 0}
        text = CliRunner().invoke(app, ["line", "usage"]).stdout
        assert "2通 / 上限 2通" in text and "送れなかった通知: 1通" in text
    finally:
        get_settings.cache_clear()


def test_a_push_needing_more_requests_than_the_budget_left_sends_none(bot: Bot, line_api: FakeLineApi) -> None:
    settings = replace(bot.settings, line_push_monthly_budget=1)
    sender = LineSender(settings, bot.engine)
    with pytest.raises(push_budget.PushBudgetExceeded):
        sender.send(USER, [Reply(f"{i}通目") for i in range(6)], key="big")  # 2 requests needed
    assert line_api.of(PUSH) == []


# --- rendering --------------------------------------------------------------------------------


def _valid(messages: list[dict[str, Any]]) -> list[str]:
    from tests.fakes.line_api import documented_limits

    body = {"to": USER, "messages": messages}
    return schema_errors("messaging-api.yml", "PushMessageRequest", body) + documented_limits(PUSH, body)


def test_choices_become_quick_reply_postbacks_within_limits() -> None:
    choices = [Choice(f"選択肢その{i}・とても長い名前の取組の選択肢です", f"value-{i}") for i in range(16)]
    messages = line_render.render(Reply("どれにしますか?", choices))
    assert _valid(messages) == []
    items = messages[-1]["quickReply"]["items"]
    assert len(items) == 13
    assert items[0]["action"] == {"type": "postback", "label": "選択肢その0・とても長い名前の取組の選…",
                                  "data": "value-0", "displayText": choices[0].label}
    assert "選択肢その15" in messages[-1]["text"]  # the ones without a button are listed


def test_a_card_is_a_flex_bubble_with_alt_text() -> None:
    card = Card("No.34 コミュニティ防災士の育成人数(累計)", [("目標", "1,700名"), ("実績", "1,650名")], "第1版")
    messages = line_render.render(Reply("この内容で提出しますか?", [Choice("確定", "確定")], card=card))
    assert _valid(messages) == []
    flex, question = messages
    assert flex["type"] == "flex" and flex["altText"].startswith("この内容で提出しますか?")
    assert "目標: 1,700名" in flex["altText"]
    assert question["text"] == "この内容で提出しますか?" and "quickReply" in question


def test_a_form_is_plain_text_input_with_its_current_value() -> None:
    form = Form("result_text", "実施結果", "No.34", initial="前回の文章")
    messages = line_render.render(Reply("実施結果を入力してください。", form=form))
    assert _valid(messages) == []
    assert "前回の文章" in messages[0]["text"] and "改行を含めて1通で送れます" in messages[-1]["text"]


def test_text_is_split_on_utf16_length() -> None:
    text = "😀" * 3000  # 6,000 UTF-16 code units
    chunks = line_render.split_text(text)
    assert [line_render.utf16_len(c) for c in chunks] == [5000, 1000]
    assert "".join(chunks) == text


def test_rendered_messages_are_valid_for_every_reply_kind() -> None:
    replies = [Reply("a" * 12000), Reply("図です", image_png=b"\x89PNG", image_alt="提出率の推移"),
               Reply("", card=Card("空のカード"))]
    for reply in replies:
        assert _valid(copy.deepcopy(line_render.render(reply))[:5]) == []


def test_replies_that_could_not_be_delivered_are_delivered_after_restart_not_routed_again(
    sqlite_catalog_url: str, sqlite_catalog_engine: Engine, line_api: FakeLineApi, now: datetime
) -> None:
    """LINE down for every retry: the event stays failed with its replies; the next process
    delivers them, and the dialog is not advanced a second time."""
    settings = line_settings(sqlite_catalog_url, line_api, now)
    first = Bot(settings, sqlite_catalog_engine, line_api)
    try:
        first.say(f"登録 {invite(first.engine, '危機管理課', now)}")
        first.say("報告 34")  # asks for 取組状況
        line_api.fail_next(REPLY, *[Scripted(500)] * 4)
        line_api.fail_next(PUSH, *[Scripted(500)] * 4)
        event = first.send("message_text", text="実施中")  # answered: now the 実施結果 is asked
        first.settle()
    finally:
        first.close()
    with session_scope(sqlite_catalog_engine) as s:
        row = s.scalar(select(InboundEvent).where(InboundEvent.event_id == event["webhookEventId"]))
        assert row is not None and row.status == "failed" and row.payload["replies"]
        step_before = s.scalar(select(DialogState.step))
        assert step_before is not None

    delivered_before = len(line_api.deliveries)
    second = Bot(settings, sqlite_catalog_engine, line_api)  # the restart
    try:
        delivered = line_api.wait_for(delivered_before + 1)[-1]  # by reply while the token is fresh
        assert "実施結果を入力" in "".join(delivered.texts)
        second.settle()
    finally:
        second.close()
    with session_scope(sqlite_catalog_engine) as s:
        # routed once only: a second routing would take 実施中 as the 実施結果 text and move on
        assert s.scalars(select(DialogState.step)).all() == [step_before]
        row = s.scalar(select(InboundEvent).where(InboundEvent.event_id == event["webhookEventId"]))
        assert row is not None and row.status == "processed"


def test_replies_that_could_not_be_delivered_are_retried_while_running(
    sqlite_catalog_url: str, sqlite_catalog_engine: Engine, line_api: FakeLineApi, now: datetime
) -> None:
    """LINE down for every retry, then back: the running process delivers the kept replies on its
    next look for failed events, without routing the message again."""
    bot = Bot(line_settings(sqlite_catalog_url, line_api, now), sqlite_catalog_engine, line_api)
    try:
        bot.say(f"登録 {invite(bot.engine, '危機管理課', now)}")
        bot.say("報告 34")
        line_api.fail_next(REPLY, *[Scripted(500)] * 4)
        line_api.fail_next(PUSH, *[Scripted(500)] * 4)
        event = bot.send("message_text", text="実施中")

        def status() -> str | None:
            with session_scope(sqlite_catalog_engine) as s:
                return s.scalar(select(InboundEvent.status).where(InboundEvent.event_id == event["webhookEventId"]))

        deadline = time.monotonic() + 10
        while status() != "failed" and time.monotonic() < deadline:
            time.sleep(0.02)
        assert status() == "failed"
        with session_scope(sqlite_catalog_engine) as s:
            step_before = s.scalar(select(DialogState.step))

        delivered_before = len(line_api.deliveries)
        for future in bot.adapter.worker.retry_failed():
            future.result(timeout=10)
        assert "実施結果を入力" in "".join(line_api.wait_for(delivered_before + 1)[-1].texts)
        assert status() == "processed"
        assert bot.adapter.worker.retry_failed() == []  # nothing left to retry
        with session_scope(sqlite_catalog_engine) as s:
            assert s.scalars(select(DialogState.step)).all() == [step_before]  # routed once
    finally:
        bot.close()


def test_a_very_long_question_is_echoed_cut_within_lines_limit(bot: Bot, line_api: FakeLineApi) -> None:
    """Issue 14: a 10,000-character question was echoed whole (10,023 characters, over LINE's 5,000)."""
    answer = bot.say("あ" * 10_000)
    assert answer.texts and all(len(text) <= 5_000 for text in answer.texts)
    assert "…" in "".join(answer.texts) and "あ" * 101 not in "".join(answer.texts)


def test_a_control_sequence_is_not_echoed_over_line(bot: Bot, line_api: FakeLineApi) -> None:
    answer = bot.say("\x1b[31m防災士\x1b[0m")
    assert "「防災士」に関する取組" in "".join(answer.texts) and "31m" not in "".join(answer.texts)
