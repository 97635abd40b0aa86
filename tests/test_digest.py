"""The coordinators' weekly digest: figures, lists, chart, recipients, once per week."""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from bot.cli import app
from bot.clock.digest import build_digest, due_digests, enqueue_digests
from bot.clock.digest_chart import japanese_font
from bot.core.config import Settings
from bot.core.outbox import deliver_due
from bot.storage.db import session_scope
from bot.storage.models import Member
from bot.texts import labels
from tests.conftest import answer, jst, member, outbox_rows
from tests.fakes.slack_api import SlackApiStub

PNG = b"\x89PNG\r\n\x1a\n"


def subset(expected: dict[str, Any], actual: dict[str, Any]) -> bool:
    return {k: actual.get(k) for k in expected} == expected


def answered_some(engine: Engine) -> None:
    member(engine, "console", "tanaka", "危機管理課")
    member(engine, "console", "coord", "デジタル行政戦略課")
    answer(engine, 34, "危機管理課", jst(2027, 2, 3), actual=("コミュニティ防災士数", "1650", "名"),
           rate="0.970588", met=False)
    answer(engine, 35, "危機管理課", jst(2027, 2, 9), status="draft")
    answer(engine, 83, "介護保険課", jst(2027, 2, 10), actual=("収納率", "99.1", "%"), met=True)
    for no in (7, 10, 11, 23, 25, 26):  # 人事課: all six
        answer(engine, no, "人事課", jst(2027, 2, 12, 16))


def test_the_digest_counts_lists_and_compares_with_targets(catalog_engine: Engine) -> None:
    answered_some(catalog_engine)
    with session_scope(catalog_engine) as s:
        d = build_digest(s, Settings(), jst(2027, 2, 15, 9, 0))
    data = d.to_json()
    assert data["fy"] == "R8" and data["seq"] == 3
    assert data["since"] == jst(2027, 2, 8, 9, 0).isoformat()
    # 94 (measure, department) pairs: No.69 has had its department (建設課) since the catalog's
    # second reading (issue 13 item 6); it was unassigned, and so not counted, before.
    assert data["response_rate"] == {"submitted": 8, "total": 94, "rate": round(8 / 94, 4)}
    depts = {x["department"]: x for x in data["departments"]}
    assert subset({"submitted": 1, "total": 3, "open": [35, 44], "drafts": [35], "reachable": True}, depts["危機管理課"])
    assert depts["人事課"]["rate"] == 1.0 and depts["税務課"]["reachable"] is False
    # reported since the previous digest (2/8 09:00): not No.34 of 2/3
    assert [(r["no"], r["department"]) for r in data["new_reports"]] == [(83, "介護保険課")] + [
        (no, "人事課") for no in (7, 10, 11, 23, 25, 26)]
    numeric = {(n["no"], n["metric"]): n for n in data["numeric"]}
    assert subset({"target": {"value": 1700, "unit": "名", "qualifier": "累計"},
                   "actual": {"value": 1650, "unit": "名"}, "rate": 0.970588, "met": False},
                  numeric[(34, "コミュニティ防災士数")])
    assert numeric[(1, "開発アプリ数")]["actual"] is None
    assert [u["no"] for u in data["unassigned"]] == [2, 8, 41, 53, 65, 67]  # No.69: 建設課
    assert "税務課" in data["unreachable"] and "危機管理課" not in data["unreachable"]
    assert data["overdue"] == []

    text = d.text()
    assert "回答率: 8.51%(8/94件)" in text
    assert "・No.34 コミュニティ防災士数: 実績 1,650名 / 目標 1,700名(累計) → 達成率 97.06%(未達成)" in text
    assert "・No.83 収納率: 実績 99.1% / 目標 99.07% → 達成" in text
    assert "担当課が未設定の取組(6件" in text and "・No.65 中央卸売市場の再整備" in text
    assert "危機管理課 33.33%(1/3件) 下書き1件" in text
    assert "税務課 0%(0/1件) ※連絡先未登録" in text


def test_after_the_deadline_the_digest_lists_the_overdue_departments(sqlite_catalog_engine: Engine) -> None:
    answered_some(sqlite_catalog_engine)
    with session_scope(sqlite_catalog_engine) as s:
        before = build_digest(s, Settings(), jst(2027, 4, 26, 9, 0))
        after = build_digest(s, Settings(), jst(2027, 5, 6, 9, 0))
    assert before.overdue == []
    overdue = {x["department"]: x["measures"] for x in after.to_json()["overdue"]}
    assert overdue["危機管理課"] == [35, 44] and "人事課" not in overdue
    assert "締切を過ぎても未提出の課" in after.text() and "・危機管理課: No.35、No.44" in after.text()


def test_the_chart_is_a_png_whose_japanese_labels_have_every_glyph(sqlite_catalog_engine: Engine) -> None:
    answered_some(sqlite_catalog_engine)
    with session_scope(sqlite_catalog_engine) as s:
        d = build_digest(s, Settings(), jst(2027, 2, 15, 9, 0))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # matplotlib warns "Glyph … missing from font(s)" for tofu
        png = d.chart()
    assert png.startswith(PNG) and len(png) > 10_000
    assert japanese_font() == "IPAexGothic"
    [summary, *_] = d.replies()
    assert summary.image_png == png and summary.image_alt == "令和8年度 報告状況のグラフ(未回答件数の推移、対応が残っている課、数値目標の達成率)"
    assert all(r.image_png is None for r in d.replies(with_chart=False))


def test_the_digest_goes_to_coordinators_and_the_channel_once_a_week(catalog_engine: Engine) -> None:
    answered_some(catalog_engine)
    member(catalog_engine, "slack", "U0COORD2", "企画調整課", role="coordinator")
    settings = Settings(slack_digest_channel="C0DIGEST")
    with session_scope(catalog_engine) as s:
        assert due_digests(s, settings, jst(2027, 3, 22, 10)) == []  # 振替休日: Tuesday instead
        planned = enqueue_digests(s, settings, jst(2027, 3, 23, 10))
    assert sorted(m.key for m in planned) == ["R8/digest/8/console:coord", "R8/digest/8/slack:C0DIGEST",
                                              "R8/digest/8/slack:U0COORD2"]
    images = {m.platform: [r.image_png is not None for r in m.replies] for m in planned}
    assert images == {"console": [False, False, False], "slack": [True, False, False]}
    with session_scope(catalog_engine) as s:
        assert enqueue_digests(s, settings, jst(2027, 3, 24, 10)) == []  # this week's is out
        assert due_digests(s, settings, jst(2027, 3, 29, 8, 59)) == []  # before the hour
        assert [m.seq for m in due_digests(s, settings, jst(2027, 3, 29, 9))] == [9, 9, 9]
    assert len(outbox_rows(catalog_engine)) == 3


def test_the_digest_reaches_a_slack_channel_with_its_chart(sqlite_catalog_engine: Engine) -> None:
    SlackSender = pytest.importorskip("bot.handlers.slack.api", exc_type=ImportError).SlackSender
    answered_some(sqlite_catalog_engine)
    with SlackApiStub() as slack:
        settings = Settings(slack_digest_channel="C0DIGEST", slack_bot_token="xoxb-test", slack_api_url=slack.url)
        with session_scope(sqlite_catalog_engine) as s:
            enqueue_digests(s, settings, jst(2027, 2, 15, 9, 5))
        report = deliver_due(sqlite_catalog_engine, settings, senders={"slack": SlackSender(settings)})
        assert report.sent == ["R8/digest/3/slack:C0DIGEST"]
        posted = slack.posted("C0DIGEST")
        assert len(posted) == 3 and "【週次ダイジェスト】令和8年度" in posted[0]["text"]
        assert [f.startswith(PNG) for f in slack.uploads.values()] == [True]
    console = {r.key: r.status for r in outbox_rows(sqlite_catalog_engine)}
    assert console["R8/digest/3/console:coord"] == "queued"  # no console sender was given here


def test_line_budget_problems_are_reported(sqlite_catalog_engine: Engine) -> None:
    from bot.core import push_budget
    from bot.core.outbox import NewMessage, enqueue_many
    from bot.storage.models import OutboxMessage

    member(sqlite_catalog_engine, "line", "U" + "a" * 32, "危機管理課")
    member(sqlite_catalog_engine, "line", "Ub", "危機管理課")
    with session_scope(sqlite_catalog_engine) as s:
        s.scalars(select(Member).where(Member.user_id == "Ub")).one().name = "山田"
    push_budget.reserve(sqlite_catalog_engine, "line", "2027-02", 10, 9)
    with session_scope(sqlite_catalog_engine) as s:
        enqueue_many(s, [NewMessage("R8/危機管理課/nudge/1/line:Ua", "line", "Ua", "nudge", []),
                         NewMessage("R8/危機管理課/nudge/1/line:Ub", "line", "Ub", "nudge", [])], jst(2027, 2, 8))
        for row, error in zip(s.query(OutboxMessage).order_by(OutboxMessage.id),
                              ["PushRefused: budget → slack:U0A", "PushRefused: budget(ほかの連絡先なし)"],
                              strict=True):
            row.status, row.last_error = "failed", error
    with session_scope(sqlite_catalog_engine) as s:
        d = build_digest(s, Settings(line_push_monthly_budget=10), jst(2027, 2, 15, 9))
    text = d.text()
    assert "LINEのプッシュ送信(2027-02): 9通 / 上限 10通(残り 1通)" in text
    assert "LINEの上限のため他の手段で届けた通知: 1件" in text
    assert "LINEの上限のため届けられなかった通知: 1件(— 山田さん)" in text  # by name, never `line:Ub`
    assert "line:U" not in text
    assert subset({"sent": 9, "budget": 10, "rerouted": 1, "low": True}, d.to_json()["line_push"])


def test_digest_command_prints_and_sends(cli_env: Path) -> None:
    runner = CliRunner()
    runner.invoke(app, ["init"])
    runner.invoke(app, ["members", "add", "--platform", "console", "--user", "coord", "--department",
                        "デジタル行政戦略課"])
    printed = runner.invoke(app, ["digest", "--at", "2027-02-15T09:30", "--dry-run"])
    assert printed.exit_code == 0 and "【週次ダイジェスト】令和8年度 実施結果の報告状況(2月15日(月)時点)" in printed.stdout
    data = json.loads(runner.invoke(app, ["digest", "--at", "2027-02-15T09:30", "--dry-run", "--format", "json"]).stdout)
    assert data["response_rate"]["total"] == 94 and data["seq"] == 3
    assert json.loads(runner.invoke(app, ["outbox", "--format", "json"]).stdout) == []
    sent = runner.invoke(app, ["digest", "--at", "2027-02-15T09:30"])
    assert sent.exit_code == 0 and "digest#3 デジタル行政戦略課 → console:coord" in sent.stdout
    again = runner.invoke(app, ["digest", "--at", "2027-02-15T11:00"])
    assert "送るダイジェストはありません" in again.stdout
    [row] = json.loads(runner.invoke(app, ["outbox", "--format", "json", "--text"]).stdout)
    assert row["key"] == "R8/digest/3/console:coord" and row["status"] == "sent"
    assert "回答率: 0%(0/94件)" in row["text"]  # 94: No.69 has 建設課 (issue 13 item 6)


def _texts(fig) -> list[str]:  # type: ignore[no-untyped-def]
    from matplotlib.text import Text

    return [x.get_text() for x in fig.findobj(Text) if x.get_text()]


def test_the_chart_names_departments_and_targets_with_a_legend_date_and_trend(sqlite_catalog_engine: Engine) -> None:
    from bot.clock.digest_chart import figure

    answered_some(sqlite_catalog_engine)
    with session_scope(sqlite_catalog_engine) as s:
        early = build_digest(s, Settings(), jst(2027, 2, 15, 9, 0))
    words = _texts(figure(early))
    assert any(w.startswith("令和8年度 実施結果の報告状況 2月15日(月)時点") for w in words)
    assert {"未回答件数の推移", "締切に間に合う目安", "未回答(実績)", *labels.STATUS.values()} <= set(words)
    assert "デジタル行政戦略課" in words  # departments by name, most still open first
    numeric = [w for w in words if w.startswith("No.")]
    assert numeric and all(" " in w for w in numeric)  # "No.34 コミュニティ防災士数", never a bare "No.34"
    assert not any(w == "0%" for w in words)  # early in the round: counts of work to do, not bars at 0%
    assert early.answered_days and min(early.answered_days) >= early.round.open_day


def test_an_empty_panel_says_why(sqlite_catalog_engine: Engine) -> None:
    from bot.clock.digest_chart import figure

    with session_scope(sqlite_catalog_engine) as s:
        nothing = build_digest(s, Settings(), jst(2027, 2, 2, 9, 0))
    words = _texts(figure(nothing))
    assert any(w.startswith("数値目標の実績はまだ報告されていません") for w in words)
