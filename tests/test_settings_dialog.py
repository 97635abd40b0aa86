"""The 設定 dialog (the display name) through the router, under the same conversation manager as
the report: tables of (said, the reply contains), timeout, キャンセル, a report interrupting it."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, select

from bot import texts
from bot.core.config import Settings
from bot.storage.db import session_scope
from bot.storage.models import DialogState, Member
from tests.conftest import Bot, verify_dialog


@pytest.fixture
def bot(settings: Settings, sqlite_catalog_engine: Engine) -> Bot:
    return Bot(settings, sqlite_catalog_engine)


def _name(bot: Bot, user: str) -> str | None:
    with session_scope(bot.engine) as s:
        return s.scalar(select(Member.name).where(Member.user_id == user))


def _in_dialog(bot: Bot) -> str | None:
    with session_scope(bot.engine) as s:
        return s.scalar(select(DialogState.dialog))


def test_the_display_name_is_changed_in_a_few_turns(bot: Bot) -> None:
    tanaka = bot.member("tanaka", "危機管理課")
    verify_dialog(bot, tanaka, [
        ("設定", ("いまの表示名は「(未設定)」です", "30文字以内")),
        ("ヘルプ", ("ほかの方に表示される名前", "「キャンセル」で変更をやめます", "新しい表示名を入力")),
        ("　田中　花子　", ("表示名を「田中 花子」に変更します。よろしいですか?", "はい(変更する)")),
        ("いいえ", "新しい表示名を入力"),
        ("田中 花子", "よろしいですか"),
        ("No.34の目標は?", ("目標", "表示名の設定の続きです。", "よろしいですか")),  # answered; the dialog waits
        ("はい", "表示名を「田中 花子」に変更しました。"),
    ])
    assert _name(bot, tanaka) == "田中 花子" and _in_dialog(bot) is None
    verify_dialog(bot, tanaka, [
        ("表示名の変更", "いまの表示名は「田中 花子」です"),
        ("田中 花子", "よろしいですか"),
        ("1", "表示名は「田中 花子」のままです。"),
    ])


def test_a_name_too_long_or_empty_is_asked_again(bot: Bot) -> None:
    tanaka = bot.member("tanaka", "危機管理課")
    verify_dialog(bot, tanaka, [
        ("設定", "新しい表示名"),
        ("あ" * 31, ("30文字以内でお願いします", "例: 田中 花子", "新しい表示名")),
        ("戻る", ("これより前の質問はありません", "新しい表示名")),
    ])
    assert _in_dialog(bot) == "settings"


def test_cancel_and_timeout_end_it_without_changing_the_name(bot: Bot) -> None:
    tanaka = bot.member("tanaka", "危機管理課")
    verify_dialog(bot, tanaka, [
        ("設定", "新しい表示名"),
        ("山田", "よろしいですか"),
        ("キャンセル", "表示名の変更をやめました。表示名は「(未設定)」のままです。"),
    ])
    assert _name(bot, tanaka) is None and _in_dialog(bot) is None
    verify_dialog(bot, tanaka, [("設定", "新しい表示名"), ("山田", "よろしいですか")])
    bot.later(hours=1, minutes=1)
    reply = bot.say(tanaka, "はい")
    assert "前回の入力から1時間以上たちました。\n表示名の変更をやめました。" in reply
    assert _name(bot, tanaka) is None and _in_dialog(bot) is None


def test_a_report_interrupts_the_settings_and_settings_interrupt_a_report(bot: Bot) -> None:
    tanaka = bot.member("tanaka", "危機管理課")
    verify_dialog(bot, tanaka, [
        ("設定", "新しい表示名"),
        ("報告 34", "表示名を「報告 34」に変更します"),  # typed in a free-text step: the answer
        ("報告 34", ("表示名の変更をやめました", "取組状況を選んでください")),  # a choice step: a new dialog
    ])
    assert _in_dialog(bot) == "report"
    verify_dialog(bot, tanaka, [
        ("実施中", "実施結果を入力"),
    ])
    verify_dialog(bot, tanaka, [("戻る", "取組状況"), ("設定", ("報告を中断しました", "新しい表示名"))])
    assert _in_dialog(bot) == "settings"


def test_an_unregistered_account_is_told_to_register(bot: Bot) -> None:
    assert texts.UNREGISTERED.format(coordinator=bot.settings.coordinator_department) in bot.say("stranger", "設定")
    assert _in_dialog(bot) is None
