"""The coordinating division is a setting (COORDINATOR_DEPARTMENT): every sentence that tells people
to ask it names the configured division, never the default's name, in chat and on the dashboard;
and a refused review is worded the same in both (bot.texts.review.REFUSED)."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import Engine, select

import bot.texts
from bot.catalog.store import find_department
from bot.core import router
from bot.core.config import Settings
from bot.core.messages import Incoming
from bot.core.web import create_app
from bot.people.registration import issue_code
from bot.storage.db import session_scope
from bot.storage.models import Department
from bot.texts import core
from bot.texts import dashboard as t
from bot.texts import review as review_texts
from tests.conftest import Bot, member
from tests.dashboard_support import COORDINATOR, STAFF, dashboard_settings, link_for, seed_round

OTHER = "企画調整課"  # a department of the catalog, as another deployment's coordinating division
DEFAULT = core.DEFAULT_COORDINATOR_DEPARTMENT
ROOT = Path(__file__).resolve().parent.parent
REPORT_35 = ["報告 35", "実施中", "女性防災士の講座を開いた。", "40名", "見込み", "B", "確定"]


def names_the_setting(text: str) -> bool:
    return OTHER in text and DEFAULT not in text


@pytest.fixture
def other(monkeypatch: pytest.MonkeyPatch, sqlite_catalog_url: str, sqlite_catalog_engine: Engine,
          now: datetime) -> Settings:
    """Settings as a deployment with COORDINATOR_DEPARTMENT=企画調整課 reads them."""
    monkeypatch.setenv("COORDINATOR_DEPARTMENT", OTHER)
    settings = Settings(database_url=sqlite_catalog_url, bot_now=now)
    assert settings.coordinator_department == OTHER != DEFAULT
    with session_scope(sqlite_catalog_engine) as s:
        assert find_department(s, OTHER) is not None  # it must exist as a department
    return settings


# --- no sentence writes the default's name ----------------------------------------------------------


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, (list, tuple, set, frozenset)):
        return [s for v in value for s in _strings(v)]
    return []


def _text_modules() -> list[ModuleType]:
    import importlib
    import pkgutil

    return [bot.texts] + [importlib.import_module(f"bot.texts.{m.name}") for m in pkgutil.iter_modules(bot.texts.__path__)]


def test_only_the_default_itself_names_the_default_division() -> None:
    found = [f"{module.__name__}.{name}" for module in _text_modules() for name, value in vars(module).items()
             if not name.startswith("_") and not (module is core and name == "DEFAULT_COORDINATOR_DEPARTMENT")
             and any(DEFAULT in s for s in _strings(value))]
    assert found == [], "use {coordinator}, filled from Settings.coordinator_department"
    for dialog in sorted((ROOT / "conversations").glob("*.yaml")):
        assert DEFAULT not in dialog.read_text(encoding="utf-8"), dialog.name


# --- chat ---------------------------------------------------------------------------------------------


def test_registration_prompts_and_refusals_name_the_configured_division(other: Settings,
                                                                       sqlite_catalog_engine: Engine,
                                                                       now: datetime) -> None:
    bot = Bot(other, sqlite_catalog_engine)
    assert names_the_setting(bot.say("stranger", "登録"))  # ASK_CODE: the codes come from the division
    assert names_the_setting(bot.say("stranger", "報告"))  # UNREGISTERED: a code from the division
    assert names_the_setting(bot.say("stranger", "状況"))
    with session_scope(sqlite_catalog_engine) as s:
        used = issue_code(s, find_department(s, "危機管理課"), now, 72).code
        expired = issue_code(s, find_department(s, "危機管理課"), now - timedelta(hours=73), 72).code
    assert "登録しました" in bot.say("tanaka", f"登録 {used}")
    assert "すでに使われています" in (again := bot.say("suzuki", f"登録 {used}")) and names_the_setting(again)
    assert "有効期限" in (late := bot.say("suzuki", f"登録 {expired}")) and names_the_setting(late)
    greeting = router.route(other, sqlite_catalog_engine, Incoming("console", "new", "console", event="greeting"))
    assert names_the_setting(greeting[0].text)


def test_review_refusals_in_chat_name_the_configured_division(other: Settings, sqlite_catalog_engine: Engine) -> None:
    bot = Bot(other, sqlite_catalog_engine)
    bot.member("kacho", "危機管理課", "manager")
    bot.member("suzuki", "人事課")
    bot.member("desk", OTHER, "manager")  # the coordinating division's manager reviews the manager's report
    for line in REPORT_35:
        bot.say("kacho", line)
    own = bot.say("kacho", "承認 35")
    assert "ご自身が提出されたため" in own and names_the_setting(own)
    assert own.strip() == review_texts.REFUSED["own_report"].format(no=35, department="危機管理課", revision=1,
                                                                    coordinator=OTHER)
    not_allowed = bot.say("suzuki", "承認 35 危機管理課")
    assert "管理職が登録されていない課は" in not_allowed and names_the_setting(not_allowed)
    not_yours = bot.say("suzuki", "報告 35")  # the report dialog's refusal (conversations/report.yaml)
    assert "人事課からは報告できません" in not_yours and names_the_setting(not_yours)
    assert "承認しました" in bot.say("desk", "承認 35 危機管理課")  # the setting decides who reviews, too


# --- dashboard ----------------------------------------------------------------------------------------


@pytest.fixture
def seeded(sqlite_catalog_engine: Engine) -> Engine:
    seed_round(sqlite_catalog_engine)
    return sqlite_catalog_engine


def signed_in(engine: Engine, conf: Settings, who: tuple[str, ...]) -> FlaskClient:
    client = create_app(conf, engine).test_client()
    form = client.get(link_for(engine, conf, who), follow_redirects=True)
    path = form.request.path
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)  # type: ignore[union-attr]
    assert client.post(path, data={"csrf_token": token}).status_code == 303
    return client


def _between(html: str, pattern: str) -> str:
    found = re.search(pattern, html, re.S)
    assert found, html[:800]
    return found.group(1)


def test_the_dashboard_names_the_configured_division(other: Settings, seeded: Engine) -> None:
    conf = dashboard_settings(other)
    staff = signed_in(seeded, conf, STAFF)
    note = _between(staff.get("/dashboard/downloads").text, r"<main.*?<p>(.*?)</p>")
    assert note == t.DOWNLOAD_SCOPE_NOTE.format(coordinator=OTHER) and names_the_setting(note)

    coordinator = signed_in(seeded, conf, COORDINATOR)
    with session_scope(seeded) as s:
        jinji = s.scalar(select(Department.id).where(Department.name == "人事課"))  # a member, no manager
    page = coordinator.get(f"/dashboard/departments/{jinji}").text
    no_manager = _between(page, r"<li>([^<]*管理職が登録されていません[^<]*)</li>")
    assert no_manager == t.DEPARTMENT_NO_MANAGER.format(coordinator=OTHER) and names_the_setting(no_manager)

    unset = replace(conf, public_url=None)
    said = router.route(unset, seeded, Incoming("console", STAFF[1], "console", text="ダッシュボード"))
    assert [r.text for r in said] == [t.NOT_CONFIGURED.format(coordinator=OTHER)]


def test_an_own_report_refusal_is_worded_as_in_chat_and_names_the_configured_division(
        other: Settings, seeded: Engine) -> None:
    member(seeded, "console", STAFF[1], STAFF[2], role="manager")  # 田中 reported No.34 and is now its manager
    client = signed_in(seeded, dashboard_settings(other), STAFF)
    html = client.get("/dashboard/measures/34").text
    form = _between(html, r'<form method="post" action="/dashboard/measures/34/review">(.*?)</form>')
    refused = client.post("/dashboard/measures/34/review", data=dict(re.findall(r'name="(\w+)" value="([^"]*)"', form)))
    assert refused.status_code == 403
    assert t.REVIEW_REFUSED_TITLE in refused.text and t.REFUSED_TITLE not in refused.text  # the page opened
    message = _between(refused.text, r'<p class="message">(.*?)</p>')
    assert message == review_texts.REFUSED["own_report"].format(no=34, department="危機管理課", revision=1,
                                                               coordinator=OTHER)
    assert names_the_setting(message)
    chat = Bot(other, seeded).say(STAFF[1], "承認 34")  # the same person, the same refusal, in chat
    assert chat.strip() == message
