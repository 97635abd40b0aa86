"""The round-status model (bot.reporting.round_status) and each reader of it: the answers, 状況,
the App Home view, the report dialog's list, the reminders and the digest."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Engine, event, select

from bot import answers
from bot.answers.catalog_view import catalog_view
from bot.catalog.store import find_department, measure_by_no
from bot.clock.digest import build_digest
from bot.clock.reminders import plan_reminders
from bot.core.config import Settings
from bot.core.messages import Incoming
from bot.core.router import route
from bot.japanese.fiscal_year import FiscalYear
from bot.japanese.numbers import format_rate
from bot.people.members import find_member
from bot.reporting import reports
from bot.reporting.round_status import OPEN, RESPONDED, department_status, round_status, round_status_of
from bot.storage.db import session_scope
from bot.storage.models import Department, Measure, MeasureDepartment
from bot.texts import labels
from tests.conftest import answer, jst, member

R8 = FiscalYear(2026)
AT = jst(2027, 2, 3, 10, 15)
CYCLE = ("submitted", "draft", None, "approved", "returned", None)  # None: nothing reported


def _pairs(engine: Engine) -> list[tuple[int, str]]:
    with session_scope(engine) as s:
        return [tuple(row) for row in s.execute(  # type: ignore[misc]
            select(Measure.no, Department.name)
            .join(MeasureDepartment, MeasureDepartment.measure_id == Measure.id)
            .join(Department, Department.id == MeasureDepartment.department_id)
            .order_by(Measure.no, Department.name))]


def _draft_after(engine: Engine, no: int, department: str) -> None:
    """A draft typed after the current revision (an edit of a submitted or returned report)."""
    with session_scope(engine) as s:
        measure, dept = measure_by_no(s, no), find_department(s, department)
        assert measure is not None and dept is not None
        reports.save_draft(s, measure, dept, R8.year, reports.ReportInput("in_progress"), "console:x", AT)


def _answer_cycle(engine: Engine) -> dict[tuple[int, str], tuple[str, bool]]:
    """Every pair answered in turn by CYCLE, a few edits pending; (no, department) -> (state, draft)."""
    expected: dict[tuple[int, str], tuple[str, bool]] = {}
    pairs = _pairs(engine)
    for i, pair in enumerate(pairs):
        state = CYCLE[i % len(CYCLE)]
        if state is not None:
            answer(engine, *pair, AT, status=state)
        expected[pair] = (state or "missing", state == "draft")
    answer(engine, *pairs[0], AT, status="draft")  # a newer current revision counts, not the first
    expected[pairs[0]] = ("draft", True)
    for i in (6, 10):  # CYCLE: a submitted and a returned report, each with an edit being typed
        _draft_after(engine, *pairs[i])
        expected[pairs[i]] = (expected[pairs[i]][0], True)
    return expected


def test_the_model_counts_each_pair_by_its_current_report(catalog_engine: Engine) -> None:
    expected = _answer_cycle(catalog_engine)
    with session_scope(catalog_engine) as s:
        status = round_status(s, R8)
        unassigned = s.execute(select(Measure.no).where(~Measure.department_links.any()).order_by(Measure.no))
        assert [no for no, _ in status.unassigned] == list(unassigned.scalars())
        one = department_status(s, status.departments[3].department_id, R8)
    got = {(m.no, d.name): (m.state, m.has_draft) for d in status.departments for m in d.measures}
    assert got == expected and len(status.departments) > 20

    states = Counter(state for state, _ in expected.values())
    responded = sum(n for state, n in states.items() if state in RESPONDED)
    assert dict(status.counts) == {code: states[code] for code in labels.STATUS}
    assert (status.total, status.responded, status.approved) == (len(expected), responded, states["approved"])
    assert status.rate == Decimal(responded) / len(expected)
    assert status.approval_rate == Decimal(states["approved"]) / len(expected)
    assert 0 < status.approval_rate < status.rate < 1

    for d in status.departments:
        mine = {no: v for (no, name), v in expected.items() if name == d.name}
        assert [m.no for m in d.measures] == sorted(mine), d.name
        assert d.open_nos == tuple(no for no in sorted(mine) if mine[no][0] in OPEN), d.name
        assert d.drafts == tuple(no for no in sorted(mine) if mine[no][0] in OPEN and mine[no][1]), d.name
        assert d.rate == Decimal(sum(1 for v in mine.values() if v[0] in RESPONDED)) / len(mine), d.name
    firsts = [d.measures[0].no for d in status.departments]
    assert firsts == sorted(firsts)  # the plan's order
    assert one == status.departments[3]


def test_a_returned_report_is_answered_and_still_open(catalog_engine: Engine) -> None:
    answer(catalog_engine, 34, "危機管理課", AT, status="returned")
    answer(catalog_engine, 35, "危機管理課", AT, status="approved")
    with session_scope(catalog_engine) as s:
        dept = find_department(s, "危機管理課")
        assert dept is not None
        d = department_status(s, dept.id, R8)
    assert d is not None
    assert [(m.no, m.state, m.responded, m.open) for m in d.measures] == [
        (34, "returned", True, True), (35, "approved", True, False), (44, "missing", False, True)]
    assert (d.responded, d.approved, d.open_nos, d.drafts) == (2, 1, (34, 44), ())
    assert d.rate == Decimal(2) / 3 and d.approval_rate == Decimal(1) / 3


def test_the_model_is_one_query_whatever_the_plan_size(sqlite_catalog_engine: Engine) -> None:
    _answer_cycle(sqlite_catalog_engine)
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(args[2])

    event.listen(sqlite_catalog_engine, "before_cursor_execute", count)
    try:
        with session_scope(sqlite_catalog_engine) as s:
            statements.clear()
            status = round_status(s, R8)
            assert len(statements) == 1 and status.total > 90
            statements.clear()
            assert department_status(s, status.departments[0].department_id, R8) is not None
            assert len(statements) == 1
    finally:
        event.remove(sqlite_catalog_engine, "before_cursor_execute", count)


def test_the_answers_pairs_give_the_same_model_from_the_years_reports_alone(sqlite_catalog_engine: Engine) -> None:
    """round_status_of (the answers: the pairs come from the catalog snapshot, checked on every
    question) is the model itself, read with one small statement of the year's reports."""
    _answer_cycle(sqlite_catalog_engine)
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(args[2])

    with session_scope(sqlite_catalog_engine) as s:
        pairs = catalog_view(s).pairs
        event.listen(sqlite_catalog_engine, "before_cursor_execute", count)
        try:
            of_pairs = round_status_of(s, R8, pairs)
        finally:
            event.remove(sqlite_catalog_engine, "before_cursor_execute", count)
        assert len(statements) == 1 and "FROM report \n" in statements[0] and "JOIN" not in statements[0]
        model = round_status(s, R8)
        assert of_pairs == model and of_pairs.counts == model.counts and of_pairs.unassigned
        assert [(d.open_nos, d.drafts, d.responded) for d in of_pairs.departments] == [
            (d.open_nos, d.drafts, d.responded) for d in model.departments]
        answer(sqlite_catalog_engine, *_pairs(sqlite_catalog_engine)[2], AT)  # never cached: a new report shows at once
        assert round_status_of(s, R8, pairs).responded == model.responded + 1
        assert round_status_of(s, FiscalYear(2025), pairs) == round_status(s, FiscalYear(2025))


def test_a_department_without_measures_and_a_database_without_a_plan(engine: Engine) -> None:
    with session_scope(engine) as s:
        status = round_status(s, R8)
        assert (status.departments, status.unassigned, status.total, status.rate) == ((), (), 0, 0)
        assert department_status(s, 1, R8) is None


# --- the readers -----------------------------------------------------------------------------------


def _mixed(engine: Engine) -> None:
    """危機管理課: No.34 returned with a fix being typed, No.35 a draft, No.44 submitted with an edit
    typed; 人事課 all six approved; a few others answered."""
    member(engine, "console", "tanaka", "危機管理課")
    member(engine, "console", "coord", "デジタル行政戦略課")
    answer(engine, 34, "危機管理課", AT, status="returned")
    _draft_after(engine, 34, "危機管理課")
    answer(engine, 35, "危機管理課", AT, status="draft")
    answer(engine, 44, "危機管理課", AT)
    _draft_after(engine, 44, "危機管理課")
    for no in (7, 10, 11, 23, 25, 26):
        answer(engine, no, "人事課", AT, status="approved")
    answer(engine, 83, "介護保険課", AT)


def _model(engine: Engine) -> Any:
    with session_scope(engine) as s:
        return round_status(s, R8)


def test_the_answers_read_the_model(catalog_engine: Engine) -> None:
    _mixed(catalog_engine)
    status = _model(catalog_engine)
    settings = Settings(bot_now=AT)
    with session_scope(catalog_engine) as s:
        asker = find_member(s, "console", "tanaka")  # the round's status is for registered members
        text = "\n".join(r.text for r in answers.answer(s, "未提出の課は?", member=asker, now=AT, settings=settings))
    assert f"回答率 {format_rate(status.rate)}(取組と担当課の組 {status.total}件中 {status.responded}件" in text
    assert status.responded == 9  # returned, submitted, six approved, one more submitted: not the draft
    assert f"提出を終えた課: {len(status.done_departments)}課 / {len(status.departments)}課" in text
    assert "・危機管理課 3件(No.34、No.35、No.44" not in text
    assert "・危機管理課 2件(No.34、No.35、うち作成中 2件、うち差戻し 1件)" in text  # a returned report is still to do
    assert "人事課 " not in text  # all approved: done


def test_jokyo_and_the_home_view_read_the_model(catalog_engine: Engine) -> None:
    _mixed(catalog_engine)
    settings = Settings(bot_now=AT)
    jokyo = route(settings, catalog_engine, Incoming("console", "tanaka", "console", "状況"))[0].text
    assert "承認済 0件・提出済 1件・差戻し 1件・下書き 1件・未着手 0件" in jokyo
    assert "No.34" in jokyo and "差戻し(第1版)" in jokyo
    assert "No.44" in jokyo and "修正中の下書きあり" in jokyo
    assert "「報告 34」" in jokyo  # the first measure still to do

    home = route(settings, catalog_engine, Incoming("console", "tanaka", "console", event="status"))
    assert "(全3件)\n承認済 0件・提出済 1件・差戻し 1件・下書き 1件・未着手 0件" in home[0].text
    marks = {r.text.split()[1]: (r.text.split()[0], r.choices[0].label) for r in home[1:]}
    assert marks == {"No.34": ("⬜", "修正"), "No.35": ("⬜", "報告"), "No.44": ("✅", "修正")}
    assert labels.STATUS["returned"] in home[1].text


def test_the_report_dialog_lists_ones_measures_from_the_model(catalog_engine: Engine) -> None:
    _mixed(catalog_engine)
    settings = Settings(bot_now=AT)
    replies = route(settings, catalog_engine, Incoming("console", "tanaka", "console", "報告"))
    choices = [c.label for r in replies for c in r.choices]
    assert any(c.startswith("No.34 ") and c.endswith("(下書きあり)") for c in choices), choices
    assert any(c.startswith("No.35 ") and c.endswith("(下書きあり)") for c in choices), choices
    assert any(c.startswith("No.44 ") and c.endswith("(下書きあり)") for c in choices), choices


def test_the_reminders_tell_what_the_model_has_open(catalog_engine: Engine) -> None:
    _mixed(catalog_engine)
    member(catalog_engine, "console", "jinji", "人事課")
    status = _model(catalog_engine)
    with session_scope(catalog_engine) as s:
        plan = plan_reminders(s, Settings(), jst(2027, 2, 8, 9, 30))
    told = {m.department: (m.measures, m.drafts) for m in plan.messages}
    with_people = {"危機管理課", "デジタル行政戦略課"}  # 人事課 has a member too, and nothing open
    assert told == {d.name: (d.open_nos, d.drafts) for d in status.pending_departments if d.name in with_people}
    assert told["危機管理課"] == ((34, 35), (34, 35))
    text = next(m for m in plan.messages if m.department == "危機管理課").replies[0].text
    assert "差戻し" in text  # the returned one is marked
    assert {d.name for d in plan.unreachable} == {d.name for d in status.pending_departments} - with_people


@pytest.mark.parametrize("day", [15, 22])
def test_the_digest_reads_the_model(catalog_engine: Engine, day: int) -> None:
    _mixed(catalog_engine)
    status = _model(catalog_engine)
    with session_scope(catalog_engine) as s:
        digest = build_digest(s, Settings(), jst(2027, 2, day, 9, 0))
    assert digest.status == status and digest.rate == status.rate
    data = digest.to_json()
    assert data["response_rate"] == {"submitted": status.responded, "total": status.total,
                                     "rate": float(round(status.rate, 4))}
    assert data["approval_rate"] == {"approved": 6, "total": status.total,
                                     "rate": float(round(Decimal(6) / status.total, 4))}
    depts = {x["department"]: x for x in data["departments"]}
    assert (depts["危機管理課"]["submitted"], depts["危機管理課"]["open"]) == (2, [34, 35])
    assert depts["人事課"]["approved"] == 6 and depts["人事課"]["rate"] == 1.0
    assert f"回答率: {format_rate(status.rate)}({status.responded:,}/{status.total:,}件)" in digest.text()

