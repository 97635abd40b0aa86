"""The report dialog through the router, as tables of (said, the reply contains) like zulip's
verify_dialog: what staff type, full-width, kanji and units included, and what they are told."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, func, select

from bot import texts
from bot.core.config import Settings
from bot.storage.db import session_scope
from bot.storage.models import DialogState, Report
from tests.conftest import Bot, verify_dialog

JST = ZoneInfo("Asia/Tokyo")
R8 = 2026


def test_a_first_report_from_the_list(bot: Bot) -> None:
    tanaka = bot.member("tanaka", "危機管理課")
    verify_dialog(bot, tanaka, [
        ("報告", ("令和8年度の実施結果を報告します", "No.34 コミュニティ防災士の育成人数(累計)",
                  "計画: コミュニティ防災士数 1,700名", "目標: コミュニティ防災士数 1,700名(累計)", "1) No.34")),
        ("1", ("No.34「コミュニティ防災士の育成人数(累計)」の令和8年度の取組状況", "1) 未着手", "3) 完了")),
        ("実施中", ("令和8年度の実施結果を入力してください", "最大2,000文字")),
        ("養成講座を3回開催し、\n新たに150名が受講した。", ("コミュニティ防災士数の令和8年度の実績値", "目標: 1,700名(累計)")),
        ("１，６５０名", ("コミュニティ防災士数: 1,650名 として受け付けました。", "見込みですか、確定値ですか")),
        ("見込み", ("自己評価", "2) B 概ね達成")),
        ("2", ("この内容で提出しますか?", "取組状況: 実施中", "1,650名(入力: １，６５０名)", "自己評価: B 概ね達成")),
        ("確定", ("No.34(危機管理課)の令和8年度の報告を提出しました(第1版)", "達成率 97.06%", "未達成")),
    ])
    [row] = bot.export()
    assert (row["no"], row["status"], row["progress"], row["rating"], row["revision"]) == (34, "submitted", "実施中", "B", 1)
    assert row["result_text"] == "養成講座を3回開催し、\n新たに150名が受講した。"
    assert row["actuals"] == [{"metric": "コミュニティ防災士数", "value": 1650, "unit": "名",
                               "typed": "１，６５０名", "basis": "見込み"}]
    assert row["reported_by"] == "console:tanaka" and row["reported_at"] == "2027-02-03T10:15:00+09:00"


@pytest.mark.parametrize(
    ("typed", "value", "echo"),
    [
        ("千六百五十", 1650, "1,650名"),
        ("千六百五十人", 1650, "1,650名"),
        ("約1,650人", 1650, "約1,650名"),
        ("１６５０", 1650, "1,650名"),
        ("1.65千", 1650, "1,650名"),
        ("まだ集計中", None, None),  # no number: asked again
        ("1万2千", 12000, "12,000名"),  # implausible: confirmed first
        ("△20名", -20, "△20名"),
    ],
)
def test_numbers_as_people_type_them(bot: Bot, typed: str, value: int | None, echo: str | None) -> None:
    tanaka = bot.member("tanaka", "危機管理課")
    for said in ("報告 34", "完了", "実施した。"):
        bot.say(tanaka, said)
    reply = bot.say(tanaka, typed)
    if value is None:
        assert "例:" in reply and "実績値を入力してください" in reply
        return
    if "確認" in reply:  # ten times the target, or a tenth of it: asked before it is kept
        assert "よろしいですか" in reply and "1) はい" in reply
        reply = bot.say(tanaka, "はい")
    assert f"{echo} として受け付けました" in reply
    for said in ("確定", "B", "確定"):
        bot.say(tanaka, said)
    [row] = bot.export()
    assert row["actuals"][0]["value"] == value and row["actuals"][0]["typed"] == typed


def test_units_are_converted_to_the_targets_unit(settings: Settings, sqlite_catalog_engine: Engine) -> None:
    # In May the report is about the FY just ended: 令和7年度, when No.81's target is 800,000千円.
    may = Bot(replace(settings, bot_now=datetime(2026, 5, 12, 9, 0, tzinfo=JST)), sqlite_catalog_engine)
    sato = may.member("sato", "総務課")
    verify_dialog(may, sato, [
        ("No.81を報告", "令和7年度の取組状況"),
        ("完了", "令和7年度の実施結果"),
        ("返礼品を見直した。", ("納税額の令和7年度の実績値", "目標: 800,000千円")),
        ("８億円", "納税額: 800,000千円(8億円を千円に換算) として受け付けました。"),
        ("確定", "自己評価"),
        ("A", "800,000千円(入力: ８億円)"),
        ("確定", ("令和7年度の報告を提出しました", "達成率 100%")),
    ])
    [row] = may.export(2025)
    assert row["actuals"][0] | {} == {"metric": "納税額", "value": 800000, "unit": "千円", "typed": "８億円",
                                      "basis": "確定"}


def test_several_metrics_rates_in_points_and_a_percentage_over_100(bot: Bot) -> None:
    zaisei = bot.member("zaisei", "財政課")
    verify_dialog(bot, zaisei, [
        ("報告 86", "取組状況"),
        ("実施中", "実施結果"),
        ("健全化判断比率はいずれも基準内。", "実質公債費比率の令和8年度の実績値を入力してください(1/5)"),
        ("9.2％", ("9.2% として受け付けました", "実質赤字比率", "(2/5)")),
        ("0", ("0% として受け付けました", "将来負担比率")),
        ("120%", ("120%は100%を超えています", "よろしいですか")),
        ("いいえ", "将来負担比率の令和8年度の実績値"),
        ("４５．３％", ("45.3%", "経常収支比率", "目標: 中核市平均以下")),
        ("92.5%", ("92.5%", "連結実質赤字比率")),
        ("0%", "見込みですか"),
        ("確定", "自己評価"),
        ("A", "この内容で提出しますか"),
        ("確定", ("第1版", "△0.8ポイント", "自動判定していません")),
    ])
    [row] = bot.export()
    assert [a["value"] for a in row["actuals"]] == [9.2, 0, 45.3, 92.5, 0]
    assert [(a["rate"], a["met"]) for a in row["achievement"]] == [
        (None, True), (None, True), (None, True), (None, None), (None, True)]
    assert row["achievement"][0]["points"] == -0.8


def test_back_cancel_and_help_at_every_step(bot: Bot) -> None:
    tanaka = bot.member("tanaka", "危機管理課")
    verify_dialog(bot, tanaka, [
        ("報告", "報告する取組を選んでください"),
        ("ヘルプ", ("危機管理課が担当する取組", "例: 1 または No.34", "「戻る」で一つ前")),
        ("戻る", ("これより前の質問はありません", "報告する取組を選んでください")),
        ("No.34", "取組状況"),
        ("ヘルプ", ("年度末の時点の見込み", "取組状況を選んでください")),
        ("実施中", "実施結果を入力"),
        ("ヘルプ", ("何をどれだけ実施したか", "実施結果を入力")),
        ("戻る", ("一つ前の質問に戻ります", "取組状況を選んでください")),
        ("完了", "実施結果を入力"),
        ("防災講座を開いた。", "実績値を入力"),
        ("ヘルプ", ("目標と同じ単位(名)", "△")),
        ("戻る", "実施結果を入力"),
        ("防災講座を4回開いた。", "実績値"),
        ("1700", "見込みですか"),
        ("ヘルプ", "数値が固まっていない場合"),
        ("見込み", "自己評価"),
        ("ヘルプ", "担当課としての評価"),
        ("A", "提出しますか"),
        ("ヘルプ", "「確定」で提出します"),
        ("戻る", "自己評価"),
        ("キャンセル", ("報告を中断しました", "下書きとして保存", "「報告 34」と送ると続きから")),
    ])
    assert bot.export()[0]["status"] == "draft"
    assert "下書き" in bot.say(tanaka, "状況")
    verify_dialog(bot, tanaka, [
        ("報告", ("下書きがあります: No.34", "No.34 コミュニティ防災士の育成人数(累計)(下書きあり)")),
        ("1", ("下書き", "続きから入力しますか")),
        ("続きから", "自己評価"),  # the first question not answered yet
        ("A", ("防災講座を4回開いた。", "1,700名", "提出しますか")),
        ("確定", "第1版"),
    ])
    [row] = bot.export()
    assert (row["status"], row["progress"], row["result_text"]) == ("submitted", "完了", "防災講座を4回開いた。")


def test_unclear_answers_are_asked_again_with_an_example(bot: Bot) -> None:
    tanaka = bot.member("tanaka", "危機管理課")
    verify_dialog(bot, tanaka, [
        ("報告", "取組を選んでください"),
        ("たぶんあれ", ("選択肢の番号か言葉", "例: 1 または No.34")),
        ("No.99", "No.99の取組は計画にありません"),
        ("報告 34", "取組状況"),
        ("まあまあ", ("選択肢の番号か言葉", "例: 実施中")),
        ("実施中", "実施結果"),
        ("済", "実績値"),
        ("たくさん", ("数値を読み取れませんでした", "例: 1,700名")),
        ("100か200", "数値が複数あり"),
        ("5件", "単位が目標と合いません"),
        ("1650", "見込みですか"),
        ("わからない", "例: 見込み"),
    ])


def test_text_past_the_limit_is_refused_whole_and_kept(settings: Settings, sqlite_catalog_engine: Engine) -> None:
    bot = Bot(replace(settings, result_text_max_chars=30), sqlite_catalog_engine)
    tanaka = bot.member("tanaka", "危機管理課")
    long = "防災講座を開催した。" * 4  # 40 characters
    verify_dialog(bot, tanaka, [
        ("報告 34", "取組状況"),
        ("実施中", "最大30文字"),
        (long, ("30文字以内でお願いします(いまの入力は40文字です)", "消さずに残しています", "実施結果を入力")),
        ("キャンセル", "下書きとして保存"),
    ])
    [row] = bot.export()
    assert row["result_text"] == long  # kept whole, never cut
    verify_dialog(bot, tanaka, [
        ("報告 34", "続きから入力しますか"),
        ("続きから", "実施結果を入力"),  # the long text is offered again, not taken as answered
        ("防災講座を4回開催した。", "実績値"),
    ])


@pytest.mark.parametrize("said", ["報告 34", "No.34を報告", "報告 No.34", "報告　３４", "Ｎｏ．３４を報告", "34番の報告"])
def test_a_measure_can_be_named_directly(bot: Bot, said: str) -> None:
    tanaka = bot.member("tanaka", "危機管理課")
    assert "No.34「コミュニティ防災士の育成人数(累計)」の令和8年度の取組状況" in bot.say(tanaka, said)


def test_who_may_report_what(bot: Bot) -> None:
    jinji = bot.member("jinji", "人事課")
    coordinator = bot.member("coord", "デジタル行政戦略課")
    verify_dialog(bot, jinji, [
        ("報告 34", ("No.34は危機管理課の取組のため、人事課からは報告できません",)),
        ("報告 7", ("No.7「", "担当: 人事課", "取組状況")),  # a joint measure: its own part
        ("キャンセル", "報告を中断しました"),
    ])
    assert "登録" in bot.say("stranger", "報告") and bot.say("stranger", "報告").strip() == texts.UNREGISTERED.format(coordinator=bot.settings.coordinator_department)
    assert bot.say("stranger", "状況").strip() == texts.UNREGISTERED.format(coordinator=bot.settings.coordinator_department)
    tanaka = bot.member("tanaka", "危機管理課")
    assert "個別(1対1)のチャット" in bot.say(tanaka, "報告 34", direct=False, channel="C-general")
    # the coordinating division may report any measure; for a joint one it picks whose part
    verify_dialog(bot, coordinator, [
        ("報告", "他の課の取組は「報告 34」のように番号で指定できます"),
        ("報告 34", "危機管理課"),
        ("完了", "実施結果"),
        ("キャンセル", "No.34(危機管理課)の下書き"),
        ("報告 70", ("共同の取組", "1) 環境政策課", "2) ゼロカーボンシティ推進室")),
        ("2", ("取組状況", "担当: ゼロカーボンシティ推進室")),
    ])
    with session_scope(bot.engine) as s:
        draft = s.scalar(select(Report).where(Report.reported_by == "console:coord"))
        assert draft is not None and draft.department.name == "危機管理課" and draft.status == "draft"


def test_a_report_of_another_department_cannot_be_slipped_in_from_the_list(bot: Bot) -> None:
    jinji = bot.member("jinji", "人事課")
    verify_dialog(bot, jinji, [
        ("報告", "取組を選んでください"),
        ("No.34", "人事課からは報告できません"),
    ])
    assert bot.export() == []


def test_editing_a_submitted_report_makes_revision_2(bot: Bot) -> None:
    tanaka = bot.member("tanaka", "危機管理課")
    for said in ("報告 34", "実施中", "講座を開いた。", "1650", "見込み", "B", "確定"):
        bot.say(tanaka, said)
    verify_dialog(bot, tanaka, [
        ("報告 34", ("提出済みです(第1版", "修正しますか")),
        ("修正する", ("どの項目を修正しますか", "実施結果", "実績値")),  # the fields, not the confirm screen
        ("実績値", ("いまの回答: 1650", "実績値を入力")),
        ("1,702名", ("1,702名 として受け付けました", "この内容で提出しますか", "講座を開いた。", "提出すると第2版になります")),
        ("修正", "どの項目"),
        ("見込み/確定", "見込みですか"),
        ("確定", ("提出しますか", "(確定)")),
        ("確定", ("第2版", "達成率 100.12%", "→ 達成")),
    ])
    [row] = bot.export()
    assert (row["revision"], row["actuals"][0]["value"], row["actuals"][0]["basis"]) == (2, 1702, "確定")
    with session_scope(bot.engine) as s:
        revisions = s.scalars(select(Report).order_by(Report.revision)).all()
        assert [(r.revision, r.is_current, r.actuals[0].value) for r in revisions] == [
            (1, False, Decimal("1650")), (2, True, Decimal("1702"))]


def test_status_lists_submitted_drafts_and_missing(bot: Bot) -> None:
    tanaka = bot.member("tanaka", "危機管理課")
    for said in ("報告 34", "実施中", "講座を開いた。", "1650", "見込み", "B", "確定"):
        bot.say(tanaka, said)
    for said in ("報告 35", "未着手", "キャンセル"):
        bot.say(tanaka, said)
    reply = bot.say(tanaka, "状況")
    for part in ("危機管理課の令和8年度の報告状況(全3件)\n承認済 0件・提出済 1件・差戻し 0件・下書き 1件・未着手 1件",
                 "・No.34 コミュニティ防災士の育成人数(累計): 提出済(第1版 2/3)",
                 "・No.35 女性防災士の育成人数: 下書き", "No.44", "未着手", "「報告 35」"):
        assert part in reply


def test_a_new_report_command_in_the_middle_keeps_the_first_as_a_draft(bot: Bot) -> None:
    tanaka = bot.member("tanaka", "危機管理課")
    verify_dialog(bot, tanaka, [
        ("報告 34", "取組状況"),
        ("完了", "実施結果"),
        ("報告 35について", "実績値"),  # in a free-text step it is what they wrote
        ("報告 44", ("No.34(危機管理課)の下書き", "No.44「地区防災計画の作成地区数(累計)」")),
    ])
    rows = {r["no"]: r for r in bot.export()}
    assert (rows[34]["status"], rows[34]["progress"], rows[34]["result_text"]) == ("draft", "完了", "報告 35について")


def test_the_state_survives_in_the_database_between_messages(bot: Bot) -> None:
    tanaka = bot.member("tanaka", "危機管理課")
    bot.say(tanaka, "報告 34")
    bot.say(tanaka, "実施中")
    with session_scope(bot.engine) as s:
        row = s.scalar(select(DialogState))
        assert (row.dialog, row.step, row.data["progress"], row.version) == ("report", "result_text", "in_progress", 2)
    other_process = Bot(bot.settings, bot.engine)  # nothing is held in memory
    assert "実績値" in other_process.say(tanaka, "講座を開いた。")
    for said in ("1650", "見込み", "B", "確定"):
        bot.say(tanaka, said)
    with session_scope(bot.engine) as s:
        assert s.scalar(select(DialogState)) is None


def test_a_reminder_button_tapped_while_writing_starts_that_report(bot: Bot) -> None:
    tanaka = bot.member("tanaka", "危機管理課")
    bot.say(tanaka, "報告 34")
    bot.say(tanaka, "完了")  # now at the free-text 実施結果
    reply = bot.say(tanaka, value="報告 44")  # the reminder's "No.44を報告" button
    assert "No.34(危機管理課)の下書き" in reply and "No.44「地区防災計画の作成地区数(累計)」" in reply


def test_a_question_in_the_middle_of_a_report_is_answered_and_the_report_waits(bot: Bot) -> None:
    tanaka = bot.member("tanaka", "危機管理課")
    verify_dialog(bot, tanaka, [
        ("報告 34", "取組状況"),
        ("No.44の目標は?", ("No.44", "62地区", "報告の続きです", "取組状況を選んでください")),
        ("実施中", "実施結果"),
        ("講座を3回開催しました。", "実績値"),
        ("No.34の進捗は?", ("まだ報告されていません", "報告の続きです", "実績値を入力してください")),
        ("1,650名?", "1,650名 として受け付けました"),  # an unsure number is still the answer
    ])
    with session_scope(bot.engine) as s:
        state = s.scalar(select(DialogState))
        assert state is not None and state.data.get("progress") == "in_progress"


def later(bot: Bot, **delta: float) -> None:
    """Move the bot's clock (BOT_NOW) forward."""
    bot.later(**delta)


def test_a_report_left_for_a_day_ends_as_a_draft_and_the_next_message_is_answered(bot: Bot) -> None:
    tanaka = bot.member("tanaka", "危機管理課")
    bot.say(tanaka, "報告 34")
    bot.say(tanaka, "実施中")  # the 実施結果 is asked next
    later(bot, hours=25)
    reply = bot.say(tanaka, "No.34の目標は?")
    assert reply.index("前回の報告の入力から24時間以上たちました") < reply.index("下書きとして保存しています")
    assert "1,700名" in reply  # and the question itself is answered
    with session_scope(bot.engine) as s:
        assert s.scalar(select(func.count()).select_from(DialogState)) == 0
    verify_dialog(bot, tanaka, [
        ("報告 34", ("下書き", "続きから入力しますか")),
        ("続きから", "実施結果を入力してください"),  # 取組状況 was kept: the next unanswered question
    ])


def test_a_report_left_for_a_few_hours_goes_on_where_it_was(bot: Bot) -> None:
    tanaka = bot.member("tanaka", "危機管理課")
    bot.say(tanaka, "報告 34")
    bot.say(tanaka, "実施中")
    later(bot, hours=23)
    reply = bot.say(tanaka, "養成講座を3回開催した。")
    assert "時間以上たちました" not in reply and "実績値" in reply
