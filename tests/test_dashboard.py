"""The dashboard through Flask's test client: sign-in links, cookies, CSRF, who sees what, review."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import date, timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy import Engine, select

from bot import texts
from bot.core import router
from bot.core.config import Settings
from bot.core.messages import Incoming
from bot.core.web import create_app
from bot.dashboard import data
from bot.dashboard.links import LinkRefused, issue_link, redeem
from bot.japanese.fiscal_year import FiscalYear
from bot.reporting.rounds import round_of
from bot.storage.db import session_scope
from bot.storage.models import AuditEntry, Department, Measure, OutboxMessage, Report
from bot.texts import dashboard as t
from bot.texts import review as review_texts
from tests.dashboard_support import (
    COORDINATOR,
    MANAGER,
    MID_ROUND,
    OTHER_STAFF,
    STAFF,
    add_people,
    dashboard_settings,
    link_for,
    pairs,
    seed_round,
)


@pytest.fixture
def conf(settings: Settings) -> Settings:
    return dashboard_settings(settings)


@pytest.fixture
def seeded(sqlite_catalog_engine: Engine) -> Engine:
    seed_round(sqlite_catalog_engine)
    return sqlite_catalog_engine


def client_for(engine: Engine, conf: Settings) -> FlaskClient:
    return create_app(conf, engine).test_client()


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, html[:500]
    return found.group(1)


def open_link(client: FlaskClient, path: str) -> tuple[str, str]:
    """Follow a link from chat (/login/TOKEN) to the sign-in page: (its path, its CSRF token)."""
    form = client.get(path, follow_redirects=True)
    assert form.status_code == 200 and form.request.path.startswith("/dashboard/login/")
    return form.request.path, csrf_of(form.text)


def sign_in(client: FlaskClient, engine: Engine, conf: Settings, who: tuple[str, ...]) -> None:
    path, token = open_link(client, link_for(engine, conf, who))
    done = client.post(path, data={"csrf_token": token})
    assert done.status_code == 303 and done.headers["Location"].endswith("/dashboard/")


def dept_id(engine: Engine, name: str) -> int:
    with session_scope(engine) as s:
        found = s.scalar(select(Department.id).where(Department.name == name))
        assert found is not None
        return found


def current_status(engine: Engine, no: int, department: str, fy: int = 2026) -> str | None:
    with session_scope(engine) as s:
        return s.scalar(select(Report.status).join(Measure, Measure.id == Report.measure_id)
                        .where(Measure.no == no, Report.department_id == dept_id(engine, department),
                               Report.fy == fy, Report.is_current.is_(True)))


# --- the chat word and the CLI --------------------------------------------------------------------


def test_the_chat_word_gives_a_one_time_link_in_a_direct_chat_only(sqlite_catalog_engine: Engine,
                                                                    conf: Settings) -> None:
    add_people(sqlite_catalog_engine)
    direct = router.route(conf, sqlite_catalog_engine, Incoming("console", STAFF[1], "console", text="ダッシュボード"))
    assert len(direct) == 1 and "http://127.0.0.1/login/" in direct[0].text and "15分" in direct[0].text
    group = router.route(conf, sqlite_catalog_engine,
                         Incoming("console", STAFF[1], "group", text="ダッシュボード", direct=False))
    assert [r.text for r in group] == [t.ONLY_DIRECT]
    stranger = router.route(conf, sqlite_catalog_engine, Incoming("console", "nobody", "console", text="ダッシュボード"))
    assert [r.text for r in stranger] == [texts.UNREGISTERED.format(coordinator=conf.coordinator_department)]
    unset = replace(conf, public_url=None)
    assert [r.text for r in router.route(unset, sqlite_catalog_engine,
                                         Incoming("console", STAFF[1], "console", text="ダッシュボード"))] == [t.NOT_CONFIGURED.format(coordinator=conf.coordinator_department)]


def test_the_link_from_chat_signs_its_owner_in(sqlite_catalog_engine: Engine, conf: Settings) -> None:
    add_people(sqlite_catalog_engine)
    reply = router.route(conf, sqlite_catalog_engine, Incoming("console", MANAGER[1], "console", text="ダッシュボード"))
    path = re.search(r"http://127\.0\.0\.1(\S+)", reply[0].text).group(1)  # type: ignore[union-attr]
    client = client_for(sqlite_catalog_engine, conf)
    form_path, token = open_link(client, path)
    client.post(form_path, data={"csrf_token": token})
    page = client.get("/dashboard/")
    assert page.status_code == 200 and MANAGER[4] in page.text


def test_cli_prints_a_link_for_a_registered_account(cli_env, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from typer.testing import CliRunner

    from bot.cli import app

    runner = CliRunner()
    monkeypatch.setenv("PUBLIC_URL", "https://kaikaku.example.jp/")
    assert runner.invoke(app, ["init"]).exit_code == 0
    assert runner.invoke(app, ["members", "add", "--platform", "slack", "--user", "U1",
                               "--department", "危機管理課"]).exit_code == 0
    made = runner.invoke(app, ["dashboard", "link", "--platform", "slack", "--user", "U1"])
    assert made.exit_code == 0
    assert re.fullmatch(r"https://kaikaku\.example\.jp/login/\S+\n", made.stdout)
    refused = runner.invoke(app, ["dashboard", "link", "--platform", "slack", "--user", "U2"])
    assert refused.exit_code == 2 and "登録されていません" in refused.stderr


# --- links ------------------------------------------------------------------------------------------


def test_a_link_works_once_within_its_minutes_and_only_as_issued(catalog_engine: Engine, conf: Settings) -> None:
    add_people(catalog_engine)
    with session_scope(catalog_engine) as s:
        url = issue_link(s, conf, "console", STAFF[1], MID_ROUND).url
        old = issue_link(s, conf, "console", STAFF[1], MID_ROUND - timedelta(minutes=16)).url
    token = url.rsplit("/", 1)[1]
    with session_scope(catalog_engine) as s:
        assert redeem(s, conf, token, MID_ROUND) == ("console", STAFF[1])
    for signed, code in ((token, "used"), (old.rsplit("/", 1)[1], "expired"), (token[:-2] + "xx", "invalid")):
        with session_scope(catalog_engine) as s, pytest.raises(LinkRefused) as refused:
            redeem(s, conf, signed, MID_ROUND)
        assert refused.value.code == code
    other_key = replace(conf, secret_key=Settings(secret_key="another").secret_key)
    with session_scope(catalog_engine) as s:
        fresh = issue_link(s, conf, "console", STAFF[1], MID_ROUND).url.rsplit("/", 1)[1]
    with session_scope(catalog_engine) as s, pytest.raises(LinkRefused):
        redeem(s, other_key, fresh, MID_ROUND)


def test_opening_a_link_does_not_use_it_up_and_reuse_is_refused(seeded: Engine, conf: Settings) -> None:
    client = client_for(seeded, conf)
    link = link_for(seeded, conf, STAFF)
    assert client.get(link).status_code == 302  # a chat app's preview fetches it: still unused
    path, token = open_link(client, link)
    path, token = open_link(client, link)
    assert client.post(path, data={"csrf_token": token}).status_code == 303
    again = client_for(seeded, conf)
    path, token = open_link(again, link)
    refused = again.post(path, data={"csrf_token": token})
    assert refused.status_code == 403 and t.LINK_REFUSED["used"] in refused.text
    assert again.get("/dashboard/").status_code == 401


def test_the_session_cookie_is_httponly_lax_and_secure_behind_https(seeded: Engine, conf: Settings) -> None:
    for public, secure in (("http://127.0.0.1", False), ("https://kaikaku.example.jp", True)):
        setting = dashboard_settings(conf, public=public)
        client = client_for(seeded, setting)
        path, token = open_link(client, link_for(seeded, setting, STAFF))
        done = client.post(path, data={"csrf_token": token})
        cookie = done.headers["Set-Cookie"]
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
        assert ("Secure" in cookie) is secure


def test_pages_need_a_session(seeded: Engine, conf: Settings) -> None:
    client = client_for(seeded, conf)
    for path in ("/dashboard/", "/dashboard/measures", "/dashboard/measures/34", "/dashboard/downloads"):
        response = client.get(path)
        assert response.status_code == 401 and t.SIGNED_OUT in response.text


# --- who sees what ----------------------------------------------------------------------------------


def test_staff_see_their_department_only(seeded: Engine, conf: Settings) -> None:
    client = client_for(seeded, conf)
    sign_in(client, seeded, conf, STAFF)
    own, other = dept_id(seeded, "危機管理課"), dept_id(seeded, "人事課")
    assert client.get(f"/dashboard/departments/{own}").status_code == 200
    refused = client.get(f"/dashboard/departments/{other}")
    assert refused.status_code == 403 and t.FORBIDDEN in refused.text
    assert client.get("/dashboard/measures/10").status_code == 403  # 人事課's measure
    overview = client.get("/dashboard/").text
    assert "危機管理課" in overview and "人事課" not in overview
    measures = client.get("/dashboard/measures").text
    assert "コミュニティ防災士" in measures and "テレワーク" not in measures
    assert client.get("/dashboard/downloads/workbook").status_code == 403


def test_the_coordinating_division_sees_all_90_measures_and_filters_them(seeded: Engine, conf: Settings) -> None:
    client = client_for(seeded, conf)
    sign_in(client, seeded, conf, COORDINATOR)
    rows = re.findall(r'<td class="no">(\d+)</td>', client.get("/dashboard/measures").text)
    assert len(rows) == 90
    numeric = re.findall(r'<td class="no">(\d+)</td>', client.get("/dashboard/measures?numeric=1").text)
    assert "34" in numeric and len(numeric) == 21
    found = re.findall(r'<td class="no">(\d+)</td>', client.get("/dashboard/measures?q=コミュニティ防災士の育成").text)
    assert found == ["34"]
    waiting = client.get(f"/dashboard/measures?status=submitted&department={dept_id(seeded, '危機管理課')}").text
    assert re.findall(r'<td class="no">(\d+)</td>', waiting) == ["34"]
    assert client.get("/dashboard/measures/999").status_code == 404


def test_the_overview_counts_what_is_stored(seeded: Engine, conf: Settings) -> None:
    with session_scope(seeded) as s:
        ov = data.overview(s, conf, MID_ROUND, None)
        reports = s.scalars(select(Report).where(Report.fy == 2026, Report.is_current.is_(True))).all()
    answered = sum(r.status in ("submitted", "approved", "returned") for r in reports)  # answered at least once
    assert ov.answered == answered and ov.approved == sum(r.status == "approved" for r in reports)
    assert ov.total == len(pairs(seeded))  # every (measure, department) pair of the plan
    assert ov.burndown[0][0] == date(2027, 2, 1) and ov.burndown[-1] == (date(2027, 3, 24), ov.total - ov.answered)
    assert all(d.rate < ov.pace for d in ov.late)
    client = client_for(seeded, conf)
    sign_in(client, seeded, conf, COORDINATOR)
    page = client.get("/dashboard/").text
    assert f"{ov.answered} / {ov.total} 件" in page and "26営業日" in page and "<svg" in page


def test_burndown_counts_each_day_and_the_late_after_the_deadline() -> None:
    rnd = round_of(Settings(), FiscalYear(2026))
    points = data.burndown(rnd, date(2027, 2, 4), 10, [date(2027, 1, 30), date(2027, 2, 1), date(2027, 2, 3),
                                                       date(2027, 2, 3)])
    assert points == [(date(2027, 2, 1), 8), (date(2027, 2, 2), 8), (date(2027, 2, 3), 6), (date(2027, 2, 4), 6)]
    rows = [data.DepartmentRow(1, "A", {**dict.fromkeys(data.STATES, 0), "approved": 3}),
            data.DepartmentRow(2, "B", {**dict.fromkeys(data.STATES, 0), "approved": 2, "missing": 1})]
    assert [d.name for d in data.Overview(rnd, date(2027, 5, 6), rows, []).late] == ["B"]
    assert data.Overview(rnd, date(2027, 2, 2), rows, []).late == []  # 67% answered, pace 1%


# --- approve / return from the page -----------------------------------------------------------------


def review_form(client: FlaskClient, no: int) -> dict[str, str]:
    html = client.get(f"/dashboard/measures/{no}").text
    form = re.search(r'<form method="post" action="/dashboard/measures/\d+/review">(.*?)</form>', html, re.S)
    assert form, "no review form"
    return dict(re.findall(r'name="(\w+)" value="([^"]*)"', form.group(1)))


def test_a_manager_approves_from_the_measure_page(seeded: Engine, conf: Settings) -> None:
    client = client_for(seeded, conf)
    sign_in(client, seeded, conf, MANAGER)
    fields = review_form(client, 34)
    assert fields["action"] == "approve"
    done = client.post("/dashboard/measures/34/review", data=fields)
    assert done.status_code == 303
    assert current_status(seeded, 34, "危機管理課") == "approved"
    page = client.get(done.headers["Location"]).text
    assert t.REVIEW_DONE["approved"] in page and "佐藤 一郎" in page
    with session_scope(seeded) as s:
        assert s.scalar(select(AuditEntry.actor).where(AuditEntry.action == "approve")) == "console:boss"
        told = s.scalars(select(OutboxMessage)).all()  # the reporter hears of it, as after a review in chat
        assert [(m.recipient, m.kind) for m in told] == [(STAFF[1], "review_approved")]
    again = client.post("/dashboard/measures/34/review", data=fields)  # pressed twice
    assert again.status_code == 409  # worded as in chat: who approved it, and when
    assert "No.34(危機管理課)の報告(第1版)は、" in again.text and "佐藤 一郎さんが承認済みです。" in again.text


def test_a_return_needs_a_reason_and_staff_cannot_review(seeded: Engine, conf: Settings) -> None:
    manager = client_for(seeded, conf)
    sign_in(manager, seeded, conf, MANAGER)
    fields = {**review_form(manager, 34), "action": "return", "comment": "  "}
    refused = manager.post("/dashboard/measures/34/review", data=fields)
    assert refused.status_code == 400
    assert review_texts.REFUSED["no_comment"].format(no=34, department="危機管理課") in refused.text
    assert current_status(seeded, 34, "危機管理課") == "submitted"
    staff = client_for(seeded, conf)
    sign_in(staff, seeded, conf, STAFF)
    assert "承認する" not in staff.get("/dashboard/measures/34").text
    tried = staff.post("/dashboard/measures/34/review", data={**fields, "csrf_token": csrf_of(staff.get("/dashboard/").text),
                                                            "action": "approve"})
    assert tried.status_code == 403 and current_status(seeded, 34, "危機管理課") == "submitted"
    returned = manager.post("/dashboard/measures/34/review", data={**fields, "comment": "実績の根拠を追記してください"})
    assert returned.status_code == 303 and current_status(seeded, 34, "危機管理課") == "returned"
    with session_scope(seeded) as s:
        told = s.scalars(select(OutboxMessage)).one()
        assert told.kind == "review_returned" and "実績の根拠を追記してください" in json.dumps(told.payload, ensure_ascii=False)


def test_nobody_reviews_their_own_report_from_the_page(seeded: Engine, conf: Settings) -> None:
    from tests.conftest import member

    member(seeded, "console", "tanaka", "危機管理課", role="manager")  # 田中 becomes a manager: his own report
    client = client_for(seeded, conf)
    sign_in(client, seeded, conf, STAFF)
    refused = client.post("/dashboard/measures/34/review", data=review_form(client, 34))
    assert refused.status_code == 403
    assert review_texts.REFUSED["own_report"].format(no=34, department="危機管理課", revision=1,
                                                     coordinator=conf.coordinator_department) in refused.text
    assert 'href="/dashboard/measures/34#d' in refused.text and t.REVIEW_BACK.format(no=34) in refused.text
    assert current_status(seeded, 34, "危機管理課") == "submitted"


def test_a_post_without_the_csrf_token_changes_nothing(seeded: Engine, conf: Settings) -> None:
    client = client_for(seeded, conf)
    sign_in(client, seeded, conf, MANAGER)
    fields = review_form(client, 34)
    for token in (None, "forged"):
        sent = {k: v for k, v in fields.items() if k != "csrf_token"}
        if token:
            sent["csrf_token"] = token
        refused = client.post("/dashboard/measures/34/review", data=sent)
        assert refused.status_code == 400 and t.CSRF_FAILED in refused.text
    assert current_status(seeded, 34, "危機管理課") == "submitted"


def test_another_departments_staff_cannot_open_the_measure(seeded: Engine, conf: Settings) -> None:
    client = client_for(seeded, conf)
    sign_in(client, seeded, conf, OTHER_STAFF)
    assert client.get("/dashboard/measures/34").status_code == 403
    assert client.get("/dashboard/measures/10").status_code == 200


def test_pages_carry_a_strict_content_security_policy(seeded: Engine, conf: Settings) -> None:
    client = client_for(seeded, conf)
    sign_in(client, seeded, conf, COORDINATOR)
    response = client.get("/dashboard/")
    assert "script-src 'none'" in response.headers["Content-Security-Policy"]
    assert 'lang="ja"' in response.text and 'style="' not in response.text  # no inline styles: CSP allows none
    font = client.get("/dashboard/font/ipaexg.ttf")
    assert font.status_code == 200 and font.mimetype == "font/ttf" and len(font.data) > 1_000_000


def test_a_measure_page_shows_plan_trend_report_and_history(seeded: Engine, conf: Settings) -> None:
    client = client_for(seeded, conf)
    sign_in(client, seeded, conf, STAFF)
    page = client.get("/dashboard/measures/34").text
    assert "令和8年度</dt><dd>コミュニティ防災士数 1,700名" in page  # the plan per year
    label = re.search(r'<svg[^>]*aria-label="([^"]+)"[^>]*class="chart trend"', page)
    assert label, "no trend chart"
    assert label.group(1) == ("コミュニティ防災士数: 令和5 目標 1,400名・実績 1,420名、令和6 目標 1,500名・実績 1,515名、"
                              "令和7 目標 1,600名・実績 1,580名、令和8 目標 1,700名・実績 1,650名")
    assert "コミュニティ防災士数: 1,650名" in page and "田中 次郎" in page  # the current report, by name
    assert "console:tanaka" not in page  # never an account id
    assert "承認する" not in page  # staff do not review


def test_the_overview_counts_as_the_round_status_model_does(seeded: Engine, conf: Settings) -> None:
    from bot.japanese.fiscal_year import FiscalYear
    from bot.reporting.round_status import round_status

    with session_scope(seeded) as s:
        model = round_status(s, FiscalYear(2026))
        rows = {r.department_id: r for r in data.department_rows(s, 2026, None)}
    assert set(rows) == {d.department_id for d in model.departments}
    for d in model.departments:
        row = rows[d.department_id]
        assert row.counts == {state: d.count(state) for state in data.STATES}, d.name
        assert (row.answered, row.open, row.total) == (d.responded, len(d.open), d.total)
    assert sum(r.answered for r in rows.values()) == model.responded


def test_a_session_ends_its_hours_after_the_sign_in(seeded: Engine, conf: Settings) -> None:
    client = client_for(seeded, conf)
    sign_in(client, seeded, conf, STAFF)
    cookie = client.get_cookie("kaikaku_session")
    assert cookie is not None
    for hours, status in ((conf.dashboard_session_hours - 1, 200), (conf.dashboard_session_hours + 1, 401)):
        later = client_for(seeded, dashboard_settings(conf, now=MID_ROUND + timedelta(hours=hours)))
        later.set_cookie("kaikaku_session", cookie.value)
        assert later.get("/dashboard/").status_code == status
