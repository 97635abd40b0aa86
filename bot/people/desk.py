"""The coordinating division's chat commands for people (besides `登録 @user 課名`, bot.people.linking):

- `招待 課名 [役割]` issues a one-time registration code for a department, shown once, in the
  one-to-one chat only;
- `未登録の課は?` lists the responsible departments with nobody registered;
- `異動 @user 課名` (Slack mention) or `異動 表示名 課名` moves a person to another department.

Who may: `bot.people.permissions` (inviting and moving: role coordinator; the list: the
coordinating division). Every change is recorded in the audit trail.
"""

from __future__ import annotations

import re
import unicodedata

from sqlalchemy import select

from bot.answers.catalog_view import catalog_view
from bot.catalog.store import closest_departments, find_department
from bot.core.context import Context
from bot.core.messages import Choice, Reply
from bot.people import permissions
from bot.people.linking import ROLE_WORDS, actor_of
from bot.people.members import move_member
from bot.people.registration import ROLE_NAMES, issue_code
from bot.storage.models import Department, Member
from bot.texts import people as t

_INVITE = re.compile(r"^招待\s*(?P<dept>\S+)?(?:\s+(?P<role>\S+))?\s*$")
_MOVE = re.compile(r"^異動\s+@?(?P<who>.+?)\s+(?P<dept>\S+)\s*$")
_UNREGISTERED = re.compile(r"^(?:未登録の課|登録(?:の)?(?:ない|されていない)課|メンバーのいない課)(?:は|を)?(?:\?|？|一覧|教えて)?\s*$")


def _text(ctx: Context) -> str:
    return unicodedata.normalize("NFKC", ctx.said).strip()


def handle(ctx: Context) -> list[Reply] | None:
    """Router handler: the three commands above; anything else passes through."""
    text = _text(ctx)
    if match := _INVITE.match(text):
        return invite(ctx, match["dept"], match["role"])
    if _UNREGISTERED.match(text):
        return unregistered(ctx)
    if match := _MOVE.match(text):
        return move(ctx, match["who"], match["dept"])
    return None


def _department(ctx: Context, name: str) -> Department | list[Reply]:
    department = find_department(ctx.session, name)
    if department is not None:
        return department
    near = closest_departments(ctx.session, name)
    hint = t.NEAR.format(names="、".join(near)) if near else ""
    return [Reply(t.UNKNOWN_DEPARTMENT.format(name=name, hint=hint))]


# --- 招待 ----------------------------------------------------------------------------------------


def invite(ctx: Context, dept_name: str | None, role_word: str | None) -> list[Reply]:
    """A one-time code for a department; shown once, so only in the one-to-one chat."""
    if not permissions.acts_as_coordinator(ctx.member):
        return [Reply(t.ONLY_COORDINATOR)]
    if not ctx.incoming.direct:
        return [Reply(t.INVITE_ONLY_DIRECT)]
    if not dept_name:
        return [Reply(t.INVITE_HOW)]
    role = ROLE_WORDS.get(role_word or "staff")
    if role is None:
        return [Reply(t.ROLE_WORD_UNKNOWN.format(role=role_word))]
    if not permissions.can_grant(ctx.member, role):
        own = ROLE_NAMES.get(ctx.member.role, ctx.member.role) if ctx.member else ""
        return [Reply(t.ROLE_ABOVE_OWN.format(own=own, role=ROLE_NAMES[role]))]
    department = _department(ctx, dept_name)
    if isinstance(department, list):
        return department
    secret = ctx.settings.secret_key.get_secret_value()
    inv = issue_code(ctx.session, department, ctx.now, ctx.settings.registration_code_ttl_hours, role,
                     secret=secret, actor=actor_of(ctx))
    until = inv.expires_at.astimezone(ctx.settings.tz)
    when = t.WHEN.format(month=until.month, day=until.day, hour=until.hour, minute=until.minute)
    return [Reply(t.INVITED.format(department=inv.department, role=ROLE_NAMES[role], code=inv.code, until=when))]


# --- 未登録の課は? -------------------------------------------------------------------------------


def unregistered(ctx: Context) -> list[Reply]:
    """Departments that answer for measures and have nobody registered, in the plan's order."""
    if not permissions.coordinating(ctx.member, ctx.settings):
        return [Reply(t.ONLY_COORDINATING_DIVISION)]
    view = catalog_view(ctx.session)
    registered = set(ctx.session.scalars(select(Member.department_id).distinct()))
    missing = sorted(((name, nos) for name, nos in view.by_department.items() if view.departments[name] not in registered),
                     key=lambda item: (item[1][0], item[0]))
    if not missing:
        return [Reply(t.UNREGISTERED_NONE.format(total=len(view.by_department)))]
    lines = [t.UNREGISTERED_HEAD.format(count=len(missing), total=len(view.by_department))]
    lines += [t.UNREGISTERED_LINE.format(name=name, count=len(nos)) for name, nos in missing]
    choices = tuple(Choice(t.INVITE_CHOICE.format(name=name), t.INVITE_COMMAND.format(name=name))
                    for name, _ in missing[:3])
    return [Reply("\n".join(lines), choices if ctx.incoming.direct else ())]


# --- 異動 ----------------------------------------------------------------------------------------


def _person(ctx: Context, who: str) -> Member | list[Reply]:
    """The member a command names: by the platform's mention, else by display name (one match)."""
    mention = next((m for m in ctx.incoming.mentions if m.user == who), None)
    if mention is not None:
        found = ctx.session.scalar(select(Member).where(Member.platform == ctx.incoming.platform,
                                                        Member.user_id == mention.user))
        return found if found is not None else [Reply(t.MOVE_NOT_REGISTERED.format(who=mention.markup),
                                                      mentions=(mention.markup,))]
    name = who.removesuffix(t.NAME_HONORIFIC.format(name="")).strip()
    matches = list(ctx.session.scalars(select(Member).where(Member.name == name).order_by(Member.id)))
    if len(matches) == 1:
        return matches[0]
    if not matches:
        return [Reply(t.MOVE_NOBODY.format(name=name))]
    places = "、".join(sorted({m.department.name for m in matches}))
    return [Reply(t.MOVE_SEVERAL.format(name=name, count=len(matches), departments=places))]


def move(ctx: Context, who: str, dept_name: str) -> list[Reply]:
    """Move a person to another department, keeping the role (recorded)."""
    if not permissions.acts_as_coordinator(ctx.member):
        return [Reply(t.ONLY_COORDINATOR)]
    person = _person(ctx, who)
    if isinstance(person, list):
        return person
    department = _department(ctx, dept_name)
    if isinstance(department, list):
        return department
    shown = permissions.display_name(person)
    if person.department_id == department.id:
        return [Reply(t.MOVE_ALREADY.format(who=shown, department=department.name))]
    before = person.department.name
    move_member(ctx.session, person, department, actor_of(ctx), now=ctx.now)
    return [Reply(t.MOVED.format(who=shown, before=before, department=department.name,
                                 role=ROLE_NAMES.get(person.role, person.role)))]
