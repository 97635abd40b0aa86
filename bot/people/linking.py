"""`登録 @user 課名 [役割]`: the coordinating division links a member by naming them in the chat.

Platform-neutral: the adapter resolves the mention to the platform's user id (`Incoming.mentions`,
the text reads `@<user id>`), and the reply names the person the way the platform writes a mention.
Only role `coordinator` may (bot.people.permissions), and never grant a role above their own;
the act is recorded in the audit trail. Anyone else is told who can do it.
"""

from __future__ import annotations

import re
import unicodedata

from bot.catalog.store import closest_departments, find_department
from bot.core.context import Context
from bot.core.messages import Mention, Reply
from bot.people import permissions
from bot.people.members import add_member, platform_name
from bot.people.registration import ROLE_NAMES
from bot.storage.audit import Actor
from bot.texts import people as people_texts
from bot.texts import platforms as say

_LINK = re.compile(r"^登録\s+@(?P<user>\S+)\s+(?P<dept>\S+)(?:\s+(?P<role>\S+))?\s*$")
ROLE_WORDS = {**{v: k for k, v in ROLE_NAMES.items()}, **{k: k for k in ROLE_NAMES}}


def link_command(ctx: Context) -> tuple[Mention, str, str | None] | None:
    """(who, department name, role word) of a `登録 @user 課名 [役割]`; None for anything else."""
    match = _LINK.match(unicodedata.normalize("NFKC", ctx.incoming.text or "").strip())
    if match is None:
        return None
    who = next((m for m in ctx.incoming.mentions if m.user == match["user"]), None)
    return (who, match["dept"], match["role"]) if who is not None else None


def handle(ctx: Context) -> list[Reply] | None:
    """Router handler: carry out a link command of a coordinator (recorded in the audit trail)."""
    command = link_command(ctx)
    if command is None:
        return None
    who, dept_name, role_word = command
    if ctx.member is None or not permissions.acts_as_coordinator(ctx.member):
        return [Reply(say.LINK_ONLY_COORDINATOR)]
    role = ROLE_WORDS.get(role_word) if role_word else "staff"
    if role is None:
        return [Reply(say.LINK_UNKNOWN_ROLE.format(role=role_word))]
    if not permissions.can_grant(ctx.member, role):
        return [Reply(people_texts.ROLE_ABOVE_OWN.format(own=ROLE_NAMES[ctx.member.role], role=ROLE_NAMES[role]))]
    department = find_department(ctx.session, dept_name)
    if department is None:
        near = closest_departments(ctx.session, dept_name)
        hint = say.LINK_NEAR.format(names="、".join(near)) if near else ""
        return [Reply(say.LINK_UNKNOWN_DEPARTMENT.format(name=dept_name, hint=hint))]
    name = platform_name(ctx.settings, ctx.incoming.platform, who.user)
    add_member(ctx.session, ctx.incoming.platform, who.user, department, role, name, now=ctx.now,
               actor=actor_of(ctx))
    text = say.LINKED.format(who=who.markup, department=department.name, role=ROLE_NAMES[role])
    return [Reply(text, mentions=(who.markup,))]


def actor_of(ctx: Context) -> Actor:
    """The one acting in a chat, as the audit trail records them."""
    return Actor(ctx.incoming.who, ctx.member.name if ctx.member is not None else None)
