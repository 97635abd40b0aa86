"""`登録 @user 課名 [役割]`: the coordinating division links a Slack user from Slack itself.

Slack-only because it names the person by a mention (`<@U…>`, as Slack sends it; a slash command
needs "Escape channels, users, and links" on). Anyone else is told who can do it.
"""

from __future__ import annotations

import re

from sqlalchemy import Engine

from bot.catalog.store import closest_departments, find_department
from bot.core.config import Settings
from bot.people.members import add_member, find_member, is_coordinator
from bot.people.registration import ROLE_NAMES
from bot.storage.db import session_scope

_LINK = re.compile(r"^登録\s+<@(?P<user>[UW][A-Z0-9]+)(?:\|[^>]*)?>\s+(?P<dept>\S+)(?:\s+(?P<role>\S+))?\s*$")
ROLE_WORDS = {**{v: k for k, v in ROLE_NAMES.items()}, **{k: k for k in ROLE_NAMES}}

ONLY_COORDINATOR = "ほかの方の登録は、デジタル行政戦略課(取りまとめ担当)の方だけが行えます。"
UNKNOWN_DEPARTMENT = "課「{name}」は計画にありません。{hint}"
UNKNOWN_ROLE = "役割「{role}」は分かりませんでした。担当者・管理職・取りまとめ担当のいずれかでご指定ください。"
LINKED = "<@{user}> さんを{department}({role})として登録しました。"


def link_command(text: str | None) -> tuple[str, str, str | None] | None:
    """(user id, department name, role word) of a `登録 @user 課名 [役割]`; None for anything else."""
    match = _LINK.match((text or "").strip())
    return (match["user"], match["dept"], match["role"]) if match else None


def link(settings: Settings, engine: Engine, by: str, command: tuple[str, str, str | None]) -> str:
    """Carry out the command for Slack user `by`; the answer, in mrkdwn (already safe)."""
    user, dept_name, role_word = command
    role = ROLE_WORDS.get(role_word or "担当者")
    with session_scope(engine) as session:
        if not is_coordinator(find_member(session, "slack", by), settings.coordinator_department):
            return ONLY_COORDINATOR
        if role is None:
            return UNKNOWN_ROLE.format(role=_safe(role_word or ""))
        department = find_department(session, dept_name)
        if department is None:
            near = closest_departments(session, dept_name)
            hint = f"近い名前: {'、'.join(near)}" if near else ""
            return UNKNOWN_DEPARTMENT.format(name=_safe(dept_name), hint=_safe(hint))
        add_member(session, "slack", user, department, role, now=settings.now())
        return LINKED.format(user=user, department=_safe(department.name), role=ROLE_NAMES[role])


def _safe(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
