"""Understanding people (issue 14): the round in words, honest answers, bounded echoes, city-wide
questions for managers, and the chat words that are not questions (キャンセル, `報告 34 35`).

Through the router, as the console chat says it; the moment is the `now` fixture (2027-02-03,
the 令和8年度 round open) unless a test moves the clock.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, select

from bot.catalog.store import find_department, measure_by_no
from bot.core.config import Settings
from bot.core.messages import Incoming
from bot.core.router import route
from bot.handlers.console import render
from bot.people.members import add_member
from bot.storage.db import session_scope
from bot.storage.models import Actual, Member, Report

JST = ZoneInfo("Asia/Tokyo")


class Chat:
    """The whole bot on one database, as the console shows it; the clock can be moved."""

    def __init__(self, settings: Settings, engine: Engine) -> None:
        self.settings, self.engine = settings, engine

    def member(self, user: str, department: str, role: str = "staff", name: str | None = None) -> str:
        with session_scope(self.engine) as s:
            m = add_member(s, "console", user, find_department(s, department), role, now=self.settings.now())
            if name:
                m.name = name
        return user

    def at(self, moment: datetime) -> Chat:
        return Chat(replace(self.settings, bot_now=moment), self.engine)

    def say(self, user: str, text: str) -> str:
        return render(route(self.settings, self.engine, Incoming("console", user, "console", text=text)))

    def submitted(self, no: int, department: str, by: str, actual: tuple[str, str, str] | None = None,
                  met: bool | None = None) -> None:
        with session_scope(self.engine) as s:
            report = Report(measure=measure_by_no(s, no), department=find_department(s, department), fy=2026,
                            revision=1, is_current=True, status="submitted", progress="done", result_text="実施した。",
                            rating="B", reported_by=by, reported_at=self.settings.now(), created_at=self.settings.now())
            if actual is not None:
                metric, value, unit = actual
                report.actuals.append(Actual(position=0, metric=metric, value=Decimal(value), unit=unit, typed=value,
                                             basis="final", met=met))
            s.add(report)


@pytest.fixture
def chat(settings: Settings, sqlite_catalog_engine: Engine) -> Chat:
    return Chat(settings, sqlite_catalog_engine)


# --- words that are not questions ------------------------------------------------------------------


def test_cancel_outside_a_dialog_is_not_searched(chat: Chat) -> None:
    tanaka = chat.member("tanaka", "危機管理課")
    for word in ("キャンセル", "やめる", "戻る"):
        reply = chat.say(tanaka, word)
        assert "いま中断する入力はありません" in reply
        assert "当てはまる取組は見つかりませんでした" not in reply


def test_two_measures_in_one_report_command_start_the_first_and_say_so(chat: Chat) -> None:
    tanaka = chat.member("tanaka", "危機管理課")
    reply = chat.say(tanaka, "報告 34 35")
    assert "報告は1件ずつお願いします。No.34から始めます。No.35は、この報告のあとで「報告 35」" in reply
    assert "No.34「コミュニティ防災士の育成人数(累計)」の令和8年度の取組状況" in reply
    assert "No.2" not in reply


def test_who_reported_is_named_by_display_name(chat: Chat) -> None:
    tanaka = chat.member("tanaka", "危機管理課", name="田中")
    chat.member("sato", "危機管理課")
    assert "危機管理課: まだ報告されていません" in chat.say(tanaka, "誰がNo.34を報告した?")
    chat.submitted(34, "危機管理課", "console:tanaka")
    chat.submitted(35, "危機管理課", "console:sato")
    reply = chat.say(tanaka, "誰がNo.34を報告した？")
    assert "危機管理課: 田中さんが2027年2月3日 10:15に報告しました(提出済・第1版)" in reply
    assert "担当課は" not in reply
    nameless = chat.say(tanaka, "No.35の報告者は?")
    assert "危機管理課の方が" in nameless and "console:sato" not in nameless and "sato" not in nameless


# --- echoes ----------------------------------------------------------------------------------------


def test_a_long_question_is_echoed_cut_and_a_reply_stays_under_lines_limit(chat: Chat) -> None:
    tanaka = chat.member("tanaka", "危機管理課")
    reply = chat.say(tanaka, "あ" * 10_000)
    assert len(reply) < 5_000
    assert "…" in reply
    assert "あ" * 101 not in reply


def test_control_sequences_are_not_echoed(chat: Chat) -> None:
    tanaka = chat.member("tanaka", "危機管理課")
    reply = chat.say(tanaka, "\x1b[31m防災士\x1b[0m")
    assert "\x1b" not in reply and "31m" not in reply and "0m" not in reply
    assert "「防災士」に関する取組" in reply


# --- city-wide for managers and the coordinating division ------------------------------------------


@pytest.mark.parametrize("question", ["提出済みの課は?", "進捗は?"])
def test_round_questions_are_city_wide_for_managers_and_own_for_staff(chat: Chat, question: str) -> None:
    staff = chat.member("tanaka", "危機管理課")
    boss = chat.member("boss", "危機管理課", role="manager")
    coordinator = chat.member("dx", "デジタル行政戦略課")
    assert "危機管理課の令和8年度の報告状況: 3件中0件提出済み" in chat.say(staff, question)
    for who in (boss, coordinator):
        reply = chat.say(who, question)
        assert "令和8年度の報告状況(2027年2月3日 10:15時点)" in reply, who
        assert "財政課" in reply


def test_achieved_and_not_achieved_are_city_wide_for_managers(chat: Chat) -> None:
    staff = chat.member("tanaka", "危機管理課")
    boss = chat.member("boss", "財政課", role="manager")
    chat.submitted(34, "危機管理課", "console:tanaka", ("コミュニティ防災士数", "1650", "名"), met=False)
    chat.submitted(83, "介護保険課", "console:x", ("収納率", "99.2", "%"), met=True)
    city = chat.say(boss, "未達成の取組は?")
    assert "全庁の令和8年度に未達成の数値目標(1件)" in city
    assert "No.34 コミュニティ防災士の育成人数(累計)(危機管理課): コミュニティ防災士数 1,650名" in city
    assert "全庁の令和8年度に達成した数値目標(1件)" in chat.say(boss, "達成した取組は?")
    assert "No.83 介護保険料の収納率(介護保険課)" in chat.say(boss, "達成した取組は?")
    own = chat.say(staff, "達成した取組は?")
    assert "No.83" not in own and "危機管理課で、令和8年度の実績が報告され達成と判定された数値目標はまだありません" in own
    assert "No.34 コミュニティ防災士の育成人数(累計)(危機管理課)" in chat.say(staff, "未達成の取組は?")


# --- the round in words --------------------------------------------------------------------------


def test_status_tells_the_round_deadline_and_days_left(chat: Chat) -> None:
    tanaka = chat.member("tanaka", "危機管理課")
    reply = chat.say(tanaka, "状況")
    assert "締切は2027年4月30日(金)で、あと59営業日です(今日を含む)" in reply
    late = chat.at(datetime(2027, 5, 10, 10, 0, tzinfo=JST))
    reply = late.say(tanaka, "状況")
    assert "令和8年度の報告の締切(2027年4月30日(金))を10日過ぎています" in reply
    assert "令和8年度の報告状況" in reply
    assert "令和8年度の報告の締切(2027年4月30日(金))を10日過ぎています" in late.say(tanaka, "締切はいつ?")


def test_before_the_round_opens_the_bot_says_when_and_what_a_report_now_is(chat: Chat) -> None:
    tanaka = chat.member("tanaka", "危機管理課")
    december = chat.at(datetime(2026, 12, 10, 10, 0, tzinfo=JST))
    answer = december.say(tanaka, "締切はいつ?")
    assert "次は令和8年度の報告で、受付は2027年2月1日(月)から、締切は2027年4月30日(金)です" in answer
    reply = december.say(tanaka, "報告 34")
    assert "受付は2027年2月1日(月)から" in reply
    assert "令和8年度の報告として保存され" in reply
    assert "取組状況を選んでください" in reply


def test_after_the_plan_no_year_outside_it_is_offered(chat: Chat) -> None:
    tanaka = chat.member("tanaka", "危機管理課")
    august = chat.at(datetime(2027, 8, 1, 10, 0, tzinfo=JST))
    reply = august.say(tanaka, "報告 34")
    assert "令和9年度は計画期間(令和5年度〜令和8年度)の外のため、報告はありません" in reply
    assert "計画(令和5年度〜令和8年度)の最後の報告(令和8年度分、締切2027年4月30日(金))は終わりました" in reply
    assert "取組状況を選んでください" not in reply and "(計画の記載なし)" not in reply
    status = august.say(tanaka, "状況")
    assert "令和9年度" not in status and "最後の報告" in status
    assert "「報告 34」のように送ると" not in status
    assert "最後の報告" in august.say(tanaka, "締切は?")
    with session_scope(chat.engine) as s:
        assert s.scalar(select(Member).where(Member.user_id == "tanaka")) is not None
        assert s.scalars(select(Report)).all() == []


# --- dialog edges ----------------------------------------------------------------------------------


def say_all(chat: Chat, user: str, lines: list[str]) -> str:
    return [chat.say(user, line) for line in lines][-1]


def test_back_shows_the_answer_given_and_offers_to_keep_it(chat: Chat) -> None:
    tanaka = chat.member("tanaka", "危機管理課")
    paragraph = "防災講座を4回開催し、地域の自主防災組織と連携して避難訓練も実施した。受講者は延べ150名。"
    say_all(chat, tanaka, ["報告 34", "実施中", paragraph])
    back = chat.say(tanaka, "戻る")
    assert f"いまの回答: {paragraph}" in back and "1) そのまま" in back
    asked = chat.say(tanaka, "1.65千人")  # typed one step too early: not silently replacing the paragraph
    assert f"いまの回答({len(paragraph)}文字の文章)を「1.65千人」に置き換えますか?" in asked
    assert "実施結果を入力" in chat.say(tanaka, "いいえ")
    kept = chat.say(tanaka, "そのまま")
    assert "前の回答のままにしました" in kept and "実績値を入力" in kept
    say_all(chat, tanaka, ["1650", "戻る"])
    kept = chat.say(tanaka, "そのまま")
    assert "見込みですか" in kept
    say_all(chat, tanaka, ["見込み", "B", "確定"])
    with session_scope(chat.engine) as s:
        report = s.scalars(select(Report)).one()
        assert report.result_text == paragraph and report.actuals[0].value == Decimal("1650")


def test_back_from_are_you_sure_stays_at_the_number(chat: Chat) -> None:
    tanaka = chat.member("tanaka", "危機管理課")
    say_all(chat, tanaka, ["報告 34", "実施中", "講座を開いた。"])
    assert "よろしいですか" in chat.say(tanaka, "17000")  # ten times the target: asked first
    back = chat.say(tanaka, "戻る")
    assert "実績値を入力" in back and "実施結果を入力" not in back


def test_a_numeric_measure_whose_target_was_lost_still_asks_its_figures(chat: Chat) -> None:
    somu = chat.member("somu", "総務課")
    say_all(chat, somu, ["報告 81", "実施中"])
    prompt = chat.say(somu, "謝礼品を見直した。")
    assert "納税額の令和8年度の実績値を入力してください" in prompt
    assert "令和8年度の目標は計画書から読み取れないため、達成率は出しません" in prompt
    assert "800,000千円(8億円を千円に換算) として受け付けました" in chat.say(somu, "8億円")
    done = say_all(chat, somu, ["確定", "B", "確定"])
    assert "この年度の数値目標がないため、達成率は出していません" in done
    with session_scope(chat.engine) as s:
        [actual] = s.scalars(select(Actual)).all()
        assert (actual.value, actual.achievement_rate, actual.met) == (Decimal("800000"), None, None)


def test_the_result_prompt_without_a_plan_text_does_not_quote_a_placeholder(chat: Chat) -> None:
    dx = chat.member("dx", "デジタル行政戦略課")  # No.22: the document lost its 令和8年度 plan cell
    prompt = say_all(chat, dx, ["報告 22", "実施中"])
    assert "計画「" not in prompt and "(計画の記載なし)" not in prompt
    assert "実施結果を入力してください。実施したことを" in prompt


def test_strict_bounds_are_strict_and_inclusive_bounds_inclusive() -> None:
    from bot.reporting.reports import achievement
    from bot.storage.models import Target

    below = Target(metric="実質公債費比率", value=Decimal(10), unit="%", direction="at_most", qualifier="未満")
    assert achievement(Decimal("10"), "%", below).met is False
    assert "未達成" in achievement(Decimal("10"), "%", below).method["text"]
    assert achievement(Decimal("9.9"), "%", below).met is True
    at_most = Target(metric="ごみ総排出量", value=Decimal(144000), unit="t", direction="at_most", qualifier="令和6年度まで")
    assert achievement(Decimal("144000"), "t", at_most).met is True
    above = Target(metric="件数", value=Decimal(100), unit="件", direction="at_least", qualifier="超")
    assert achievement(Decimal("100"), "件", above).met is False


def test_no86_ten_percent_against_under_ten_percent_is_not_achieved(chat: Chat) -> None:
    zaisei = chat.member("zaisei", "財政課")
    say_all(chat, zaisei, ["報告 86", "実施中", "財政指標を公表した。"])
    for figure in ("10%", "0%", "60%", "90%", "0%"):
        reply = chat.say(zaisei, figure)
        if "よろしいですか" in reply:
            chat.say(zaisei, "はい")
    say_all(chat, zaisei, ["確定", "B", "確定"])
    with session_scope(chat.engine) as s:
        first = s.scalars(select(Actual).order_by(Actual.position)).first()
        assert first is not None and first.metric == "実質公債費比率" and first.met is False
    assert "実質公債費比率 10%" in chat.say(zaisei, "No.86の進捗は?")
    assert "未達成" in chat.say(zaisei, "No.86の進捗は?")


@pytest.mark.parametrize(("typed", "code", "label"), [
    ("集計中", "pending", "未確定(集計中)"), ("未確定", "pending", "未確定(集計中)"), ("未定", "pending", "未確定(集計中)"),
    ("－", "not_available", "数値なし"), ("なし", "not_available", "数値なし"),
])
def test_a_figure_not_known_yet_is_skipped_with_a_reason(chat: Chat, typed: str, code: str, label: str) -> None:
    tanaka = chat.member("tanaka", "危機管理課")
    say_all(chat, tanaka, ["報告 34", "実施中", "講座を開いた。"])
    assert f"コミュニティ防災士数: 「{label}」として記録します" in chat.say(tanaka, typed)
    summary = say_all(chat, tanaka, ["見込み", "B"])
    assert f"コミュニティ防災士数: {label}" in summary
    assert f"{label}のため、達成率は出していません" in chat.say(tanaka, "確定")
    with session_scope(chat.engine) as s:
        [actual] = s.scalars(select(Actual)).all()
        assert (actual.value, actual.skip_reason, actual.met) == (None, code, None)
    assert f"実績: コミュニティ防災士数 {label}" in chat.say(tanaka, "No.34の進捗は?")
    from bot.clock.digest import build_digest

    with session_scope(chat.engine) as s:
        digest = build_digest(s, chat.settings, chat.settings.now())
    assert f"・No.34 コミュニティ防災士数: 実績 {label}" in digest.text()
    assert {"no": 34, "skipped": code}.items() <= next(n for n in digest.to_json()["numeric"] if n["no"] == 34).items()


def test_a_rating_that_disagrees_with_the_figures_is_questioned(chat: Chat) -> None:
    tanaka = chat.member("tanaka", "危機管理課")
    say_all(chat, tanaka, ["報告 34", "実施中", "講座を開いた。", "48名", "はい", "見込み"])
    nudge = chat.say(tanaka, "A")
    assert "自己評価はAですが、実績が目標に届いていません(コミュニティ防災士数 48名 / 目標 1,700名(累計))" in nudge
    assert "自己評価を選んでください" in chat.say(tanaka, "いいえ")
    assert "この内容で提出しますか" in chat.say(tanaka, "C")


def test_status_and_questions_are_answered_mid_report(chat: Chat) -> None:
    tanaka = chat.member("tanaka", "危機管理課")
    say_all(chat, tanaka, ["報告 34"])
    reply = chat.say(tanaka, "状況")
    assert "危機管理課の令和8年度の報告状況" in reply and "締切は2027年4月30日(金)" in reply
    assert "報告の続きです" in reply and "取組状況を選んでください" in reply
    assert "実施結果を入力" in chat.say(tanaka, "実施中")  # the report went on where it was


def test_naming_a_measure_at_the_measure_question_is_a_choice_not_a_restart(chat: Chat) -> None:
    tanaka = chat.member("tanaka", "危機管理課")
    chat.say(tanaka, "報告")
    reply = chat.say(tanaka, "報告 35")
    assert "報告を中断しました" not in reply
    assert "No.35「女性防災士の育成人数」の令和8年度の取組状況" in reply


def test_control_sequences_are_stripped_from_stored_text(chat: Chat) -> None:
    tanaka = chat.member("tanaka", "危機管理課")
    say_all(chat, tanaka, ["報告 35", "実施中", "\x1b[31m講座\x1b[0mを開いた。\x07", "50名", "確定", "B", "確定"])
    with session_scope(chat.engine) as s:
        assert s.scalars(select(Report)).one().result_text == "講座を開いた。"


def test_the_yen_sign_continues_a_line_as_japanese_keyboards_type_it() -> None:
    from bot.handlers.console import messages

    assert list(messages(["一行目¥", "二行目￥", "三行目", "次"])) == ["一行目\n二行目\n三行目", "次"]
    assert list(messages(["a\\", "b"])) == ["a\nb"]


def test_the_digest_period_line_has_its_year(chat: Chat) -> None:
    from bot.clock.digest import build_digest

    with session_scope(chat.engine) as s:
        text = build_digest(s, chat.settings, chat.settings.now()).text()
    assert "報告期間: 2027年2月1日(月)〜4月30日(金)(締切)" in text


@pytest.mark.parametrize(("day", "phase", "fy"), [
    ("2023-01-10", "before", 2023), ("2024-02-01", "open", 2023), ("2024-05-10", "late", 2023),
    ("2024-06-15", "before", 2024), ("2027-04-30", "open", 2026), ("2027-05-31", "late", 2026),
    ("2027-06-01", "over", 2026), ("2031-01-01", "over", 2026),
])
def test_the_round_phase_agrees_with_the_rounds_schedule(settings: Settings, day: str, phase: str, fy: int) -> None:
    from bot.japanese.fiscal_year import FiscalYear
    from bot.reporting.round_phase import round_phase
    from bot.reporting.rounds import round_of

    now = datetime.fromisoformat(day).replace(hour=10, tzinfo=JST)
    found = round_phase(settings, now, 2023, 2026)
    rnd = round_of(settings, FiscalYear(fy))
    assert (found.phase, found.fy.year) == (phase, fy)
    assert (found.round.open_day, found.round.deadline, found.round.last_day) == (rnd.open_day, rnd.deadline, rnd.last_day)


def test_the_status_view_never_shows_a_year_outside_the_plan(chat: Chat) -> None:
    """Slack's App Home reads the same view: after the plan, its last round, and no report button."""
    tanaka = chat.member("tanaka", "危機管理課")
    august = chat.at(datetime(2027, 8, 1, 10, 0, tzinfo=JST))
    replies = route(august.settings, august.engine, Incoming("console", tanaka, "home", event="status"))
    text = "\n".join(r.text for r in replies)
    assert "令和9年度" not in text and "令和8年度" in text and "最後の報告" in text
    assert all(not r.choices for r in replies)
    open_round = route(chat.settings, chat.engine, Incoming("console", tanaka, "home", event="status"))
    assert "締切は2027年4月30日(金)" in open_round[0].text and open_round[0].choices
