"""One-time sign-in links: short-lived, single use, signed with SECRET_KEY, based on PUBLIC_URL.

A link carries a random token signed with itsdangerous (a tampered or made-up link is refused
before the database is asked); only the token's SHA-256 is stored, with who it is for and when it
expires. Redeeming marks it used in one conditional UPDATE, so two tabs opening the same link
cannot both sign in.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.core.config import Settings
from bot.storage.models import DashboardLink

SALT = "kaikaku-dashboard-link"
PATH = "/login/"  # INTERFACE.md: GET /login/TOKEN (served as a redirect to /dashboard/login/TOKEN)


class LinkRefused(Exception):
    """Why a link does not sign anyone in. `code`: invalid / used / expired."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class SignInLink:
    url: str
    expires_at: datetime


def _serializer(settings: Settings) -> URLSafeSerializer:
    return URLSafeSerializer(settings.secret_key.get_secret_value(), salt=SALT)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def base_url(settings: Settings) -> str | None:
    return settings.public_url.rstrip("/") if settings.public_url else None


def issue_link(session: Session, settings: Settings, platform: str, user_id: str, now: datetime) -> SignInLink:
    """A new sign-in link for the account (platform, user_id). PUBLIC_URL must be set."""
    base = base_url(settings)
    if base is None:
        raise ValueError("PUBLIC_URL is not set")
    token = secrets.token_urlsafe(24)
    expires = now + timedelta(minutes=settings.dashboard_link_minutes)
    session.add(DashboardLink(token_hash=_hash(token), platform=platform, user_id=user_id,
                              created_at=now, expires_at=expires))
    session.flush()
    return SignInLink(f"{base}{PATH}{_serializer(settings).dumps(token)}", expires)


def redeem(session: Session, settings: Settings, signed: str, now: datetime) -> tuple[str, str]:
    """(platform, user_id) of a valid, unused, unexpired link, which is then used up."""
    try:
        token = _serializer(settings).loads(signed)
    except BadSignature:
        raise LinkRefused("invalid") from None
    if not isinstance(token, str):
        raise LinkRefused("invalid")
    digest = _hash(token)
    claimed = session.execute(
        update(DashboardLink)
        .where(DashboardLink.token_hash == digest, DashboardLink.used_at.is_(None), DashboardLink.expires_at > now)
        .values(used_at=now)
    ).rowcount  # type: ignore[attr-defined]
    link = session.scalar(select(DashboardLink).where(DashboardLink.token_hash == digest))
    if link is None:
        raise LinkRefused("invalid")
    if claimed != 1:
        raise LinkRefused("used" if link.used_at is not None else "expired")
    return link.platform, link.user_id

