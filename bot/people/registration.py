"""Linking a chat account to a department with a one-time registration code (`登録 CODE`).

Chat user ids (LINE's above all) are not known in advance, so the coordinating division issues a
code (`kaikaku members invite`) and the person sends it to the bot. Only a keyed hash of the code
is stored (HMAC-SHA256 with SECRET_KEY): a copy of the database alone cannot recover a code (a plain
SHA-256 of ~40 bits can be searched through in minutes). Codes stored before the key came in
(plain SHA-256) still work until they expire. A code expires, is used once, and failed attempts
are rate-limited per account.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.core.context import Context
from bot.core.messages import Reply
from bot.people.members import ROLES, add_member, platform_name
from bot.storage import audit
from bot.storage.audit import Actor
from bot.storage.models import Department, RegistrationAttempt, RegistrationCode
from bot.texts import labels
from bot.texts import people as t

# No 0/O, 1/I/L: a code is read aloud and typed from paper as well.
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8
MAX_FAILURES = 5
FAILURE_WINDOW = timedelta(hours=1)

_SEPARATORS = r"[\s\-‐－ー]"  # spaces and dashes people type inside a code
_COMMAND = re.compile(r"^登録(?:\s|[:：])*(?P<code>[0-9A-Za-z\-\s]*)$")

ROLE_NAMES = labels.ROLE


@dataclass(frozen=True)
class Invitation:
    code: str  # shown once, never stored
    department: str
    role: str
    expires_at: datetime


def normalize_code(typed: str) -> str:
    """What the person typed, in any width or case, with or without hyphens and spaces."""
    text = unicodedata.normalize("NFKC", typed)
    return re.sub(_SEPARATORS, "", text).upper()


def hash_code(code: str, secret: str = "") -> str:
    """The stored form of a code: HMAC-SHA256 keyed with the server's SECRET_KEY (64 hex digits)."""
    message = normalize_code(code).encode("ascii", "replace")
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def legacy_hash(code: str) -> str:
    """How codes were stored before SECRET_KEY: an unkeyed SHA-256 (kept until they expire)."""
    return hashlib.sha256(normalize_code(code).encode("ascii", "replace")).hexdigest()


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def display_code(code: str) -> str:
    """ABCDEFGH → ABCD-EFGH: easier to read out and to copy."""
    half = len(code) // 2
    return f"{code[:half]}-{code[half:]}"


def issue_code(
    session: Session, department: Department, now: datetime, ttl_hours: int,
    role: str = "staff", name: str | None = None, secret: str = "", actor: Actor | None = None,
) -> Invitation:
    """Create a one-time code for `department`; the returned code is the only copy of it. With
    `actor`, the issue is recorded in the audit trail (never the code itself)."""
    if role not in ROLES:
        raise ValueError(t.UNKNOWN_ROLE.format(known=", ".join(ROLES), role=role))
    code = new_code()
    expires = now + timedelta(hours=ttl_hours)
    session.add(RegistrationCode(
        code_hash=hash_code(code, secret), department_id=department.id, role=role, name=name,
        created_at=now, expires_at=expires,
    ))
    if actor is not None:
        audit.record(session, actor, "code_issue", "member", department_id=department.id, at=now,
                     after={"department": department.name, "role": role, "name": name,
                            "expires_at": expires.isoformat()})
    session.flush()
    return Invitation(display_code(code), department.name, role, expires)


def _aware(moment: datetime, tz: tzinfo) -> datetime:
    """SQLite hands back naive datetimes; every moment is stored in the bot's time zone."""
    return moment.replace(tzinfo=tz) if moment.tzinfo is None else moment


def _when(moment: datetime, tz: tzinfo) -> str:
    local = moment.astimezone(tz)
    return t.WHEN.format(month=local.month, day=local.day, hour=local.hour, minute=local.minute)


def recent_failures(session: Session, platform: str, user: str, now: datetime) -> list[datetime]:
    stmt = select(RegistrationAttempt.at).where(
        RegistrationAttempt.platform == platform,
        RegistrationAttempt.user_id == user,
        RegistrationAttempt.at > now - FAILURE_WINDOW,
    )
    return list(session.scalars(stmt.order_by(RegistrationAttempt.at)))


def _fail(ctx: Context, text: str) -> list[Reply]:
    ctx.session.add(RegistrationAttempt(platform=ctx.incoming.platform, user_id=ctx.incoming.user, at=ctx.now))
    return [Reply(text)]


def register(ctx: Context, typed_code: str) -> list[Reply]:
    """Check the code and link the account; every refusal is polite and says what to do."""
    tz = ctx.settings.tz
    failures = recent_failures(ctx.session, ctx.incoming.platform, ctx.incoming.user, ctx.now)
    if len(failures) >= MAX_FAILURES:
        until = _aware(failures[-MAX_FAILURES], tz) + FAILURE_WINDOW
        return [Reply(t.TOO_MANY.format(until=_when(until, tz)))]
    secret = ctx.settings.secret_key.get_secret_value()
    hashes = (hash_code(typed_code, secret), legacy_hash(typed_code))
    code = ctx.session.scalar(select(RegistrationCode).where(RegistrationCode.code_hash.in_(hashes)).limit(1))
    if code is None:
        return _fail(ctx, t.NOT_FOUND.format(code=typed_code.strip()))
    department = ctx.session.get(Department, code.department_id)
    assert department is not None  # a foreign key
    if code.used_at is not None:
        if code.used_by == ctx.incoming.who:
            return [Reply(t.ALREADY.format(department=department.name))]
        return _fail(ctx, t.USED.format(coordinator=ctx.settings.coordinator_department))
    if _aware(code.expires_at, tz) <= ctx.now:
        return _fail(ctx, t.EXPIRED.format(coordinator=ctx.settings.coordinator_department, expires=_when(_aware(code.expires_at, tz), tz)))
    claimed = ctx.session.execute(
        update(RegistrationCode)
        .where(RegistrationCode.id == code.id, RegistrationCode.used_at.is_(None))
        .values(used_at=ctx.now, used_by=ctx.incoming.who)
    ).rowcount  # type: ignore[attr-defined]
    if claimed != 1:  # someone else used it a moment ago
        return _fail(ctx, t.USED.format(coordinator=ctx.settings.coordinator_department))
    name = code.name or platform_name(ctx.settings, ctx.incoming.platform, ctx.incoming.user)
    add_member(ctx.session, ctx.incoming.platform, ctx.incoming.user, department, code.role, name, now=ctx.now,
               actor=Actor(ctx.incoming.who, name))
    return [Reply(t.LINKED.format(department=department.name, role=ROLE_NAMES.get(code.role, code.role)))]


def handle(ctx: Context) -> list[Reply] | None:
    """Router handler: `登録 CODE` (any width, case, spacing); other messages pass through."""
    match = _COMMAND.match(unicodedata.normalize("NFKC", ctx.said).strip())
    if match is None:
        return None
    typed = match.group("code").strip()
    if not typed:
        return [Reply(t.ASK_CODE.format(coordinator=ctx.settings.coordinator_department))]
    if not ctx.incoming.direct:
        return [Reply(t.ONLY_DIRECT)]
    return register(ctx, typed)

