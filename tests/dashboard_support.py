"""A round in progress for the dashboard's tests, browser test and screenshots: people of four
kinds, about half the reports in (some approved, some drafts, one returned), and No.34's
numbers over 令和5–7年度 so its trend has something to show."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy import Engine, select, update

from bot.core.config import Settings
from bot.dashboard.links import issue_link
from bot.storage.db import session_scope
from bot.storage.models import Department, Measure, MeasureDepartment, Report
from tests.conftest import answer, jst, member

MID_ROUND = jst(2027, 3, 24, 10, 0)  # 令和8年度's round: opened Feb 1, deadline Apr 30
SECRET = "dashboard-test-secret"
PUBLIC = "http://127.0.0.1"

COORDINATOR = ("console", "coord", "デジタル行政戦略課", "coordinator", "山田 花子")
MANAGER = ("console", "boss", "危機管理課", "manager", "佐藤 一郎")
STAFF = ("console", "tanaka", "危機管理課", "staff", "田中 次郎")
OTHER_STAFF = ("console", "suzuki", "人事課", "staff", "鈴木 三郎")
PEOPLE = (COORDINATOR, MANAGER, STAFF, OTHER_STAFF)


def dashboard_settings(settings: Settings, now: datetime = MID_ROUND, public: str = PUBLIC) -> Settings:
    return replace(settings, secret_key=Settings(secret_key=SECRET).secret_key, public_url=public,
                                       bot_now=now)


def add_people(engine: Engine) -> None:
    from bot.people.members import find_member

    for platform, user, dept, role, name in PEOPLE:
        member(engine, platform, user, dept, role)
        with session_scope(engine) as s:
            found = find_member(s, platform, user)
            assert found is not None
            found.name = name


def pairs(engine: Engine) -> list[tuple[int, str]]:
    with session_scope(engine) as s:
        stmt = (select(Measure.no, Department.name).select_from(MeasureDepartment)
                .join(Measure, Measure.id == MeasureDepartment.measure_id)
                .join(Department, Department.id == MeasureDepartment.department_id)
                .order_by(Measure.no, MeasureDepartment.position))
        return [(no, name) for no, name in s.execute(stmt)]


def seed_round(engine: Engine, until: datetime = MID_ROUND) -> None:
    """Answers spread from the opening to `until`: 危機管理課's No.34 submitted (waiting for review)."""
    add_people(engine)
    opens = jst(2027, 2, 1, 10, 0)
    span = (until - opens).days
    for i, (no, dept) in enumerate(pairs(engine)):
        if no == 34:
            continue
        kind = i % 9
        if kind in (0, 3, 6, 8):
            continue  # missing
        at = opens + timedelta(days=span * ((i * 37) % 100) / 100 * (0.6 if kind == 1 else 1))
        status = {1: "approved", 2: "submitted", 4: "approved", 5: "draft", 7: "submitted"}[kind]
        if i % 31 == 7:
            status = "returned"
        answer(engine, no, dept, at, status=status)
    for fy, value, rate in ((2023, "1420", "1.014"), (2024, "1515", "1.01"), (2025, "1580", "0.9875")):
        answer(engine, 34, "危機管理課", jst(fy + 1, 4, 20), status="approved",
               actual=("コミュニティ防災士数", value, "名"), rate=rate, met=rate >= "1", fy=fy)
    answer(engine, 34, "危機管理課", until - timedelta(days=1), status="submitted",
           actual=("コミュニティ防災士数", "1650", "名"), rate="0.9706", met=False)
    with session_scope(engine) as s:  # reported by 田中 (round_support's answers are anonymous)
        s.execute(update(Report).where(Report.department_id == select(Department.id)
                                       .where(Department.name == STAFF[2]).scalar_subquery())
                  .values(reported_by=f"{STAFF[0]}:{STAFF[1]}"))


def link_for(engine: Engine, settings: Settings, who: tuple[str, ...], at: datetime | None = None) -> str:
    """A fresh sign-in URL for one of PEOPLE (path only: the test client or server adds the host)."""
    with session_scope(engine) as s:
        url = issue_link(s, settings, who[0], who[1], at or settings.now()).url
    return url.removeprefix(settings.public_url or "")
