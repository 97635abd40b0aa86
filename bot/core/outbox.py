"""The outbox: messages the clock wants sent, each once, whatever happens to the processes.

Jobs never send: they *enqueue* a message under an idempotency key (round/department/kind/seq/
recipient). The key is unique in the table, so a second enqueue of the same key (a second clock,
a rerun, a catch-up after a restart) is a no-op. A sender loop then *claims* due messages — one
conditional UPDATE per message whose row count says who won, so two clocks never both send the
same message — delivers them through the platform's `Sender`, and marks them sent; a failure is
retried with exponential backoff and given up (status failed) after `outbox_max_attempts`.
A claim is a lease: a message left "sending" by a process that died is due again once the lease
runs out. The lease is renewed right before each send, so a message late in a batch does not
start with half a lease, and a sender that lost its claim (its lease ran out and another sender
took the message) skips it and never does the bookkeeping over the other's claim. A crash between
the platform accepting a message and our marking it sent is caught by the platform: the key is
handed to the sender, Slack looks for it in the conversation (message metadata) before posting,
LINE's X-Line-Retry-Key makes a repeated push a 409.

A rate limit (`RateLimited`, HTTP 429) never makes the sender sleep: the message is given back
(queued, the attempt not counted) with `next_attempt_at` = now + Retry-After, and the other
messages of the batch go on; later messages to the same recipient in the same run are given back
without asking the platform again.

A LINE push refused for the monthly budget (`PushRefused`) is not retried: the message goes to
the same person's account on another platform when there is one, and the digest says so.

Two clocks: `created_at` is the business moment the message belongs to (`at`, which honours
BOT_NOW in a rehearsal); `next_attempt_at` (due time, lease, backoff) and `sent_at` are mechanical
and use the real clock, so retries and leases run out in a rehearsal too. Timestamps are stored
in UTC (SQLite keeps no offset; one zone keeps comparisons right).
"""

from __future__ import annotations

import base64
import logging
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from bot.core.config import Settings
from bot.core.messages import Card, Choice, RateLimited, Reply, Sender
from bot.core.push_budget import PushRefused
from bot.people.recipients import fallback_account
from bot.storage.db import session_scope
from bot.storage.models import OutboxMessage
from bot.texts import core as t

log = logging.getLogger(__name__)

RETRYABLE = ("queued", "failed", "sending")  # "sending" only once its lease has run out
MAX_BACKOFF = timedelta(hours=1)


# --- payloads ------------------------------------------------------------------------------------


def replies_to_payload(replies: Sequence[Reply]) -> list[dict[str, Any]]:
    """Replies as JSON (an image as base64)."""
    out: list[dict[str, Any]] = []
    for r in replies:
        item: dict[str, Any] = {"text": r.text}
        if r.choices:
            item["choices"] = [{"label": c.label, "value": c.value, **({"step": c.step} if c.step else {})}
                               for c in r.choices]
        if r.card is not None:
            item["card"] = {"title": r.card.title, "fields": [list(f) for f in r.card.fields],
                            "footer": r.card.footer}
        if r.image_png is not None:
            item["image_png"] = base64.b64encode(r.image_png).decode("ascii")
            item["image_alt"] = r.image_alt
        out.append(item)
    return out


def replies_from_payload(payload: Mapping[str, Any]) -> list[Reply]:
    replies: list[Reply] = []
    for item in payload.get("replies", []):
        card = item.get("card")
        image = item.get("image_png")
        replies.append(Reply(
            text=item.get("text", ""),
            choices=tuple(Choice(c["label"], c["value"], c.get("step")) for c in item.get("choices", [])),
            card=Card(card["title"], tuple(tuple(f) for f in card.get("fields", [])), card.get("footer"))
            if card else None,
            image_png=base64.b64decode(image) if image else None,
            image_alt=item.get("image_alt"),
        ))
    return replies


# --- enqueue -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NewMessage:
    """A message to put in the outbox."""

    key: str
    platform: str
    recipient: str
    kind: str
    replies: Sequence[Reply]
    department_id: int | None = None
    meta: Mapping[str, Any] = field(default_factory=dict)  # extra payload keys (measures, round …)

    def row(self, created: datetime, due: datetime) -> dict[str, Any]:
        return {
            "key": self.key, "platform": self.platform, "recipient": self.recipient, "kind": self.kind,
            "department_id": self.department_id,
            "payload": {**self.meta, "replies": replies_to_payload(self.replies)},
            "status": "queued", "attempts": 0, "next_attempt_at": due, "created_at": created,
        }


def real_now() -> datetime:
    """The mechanical clock of delivery (due times, leases, backoff): never BOT_NOW."""
    return datetime.now(UTC)


def utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("an aware datetime is needed")
    return moment.astimezone(UTC)


def from_db(moment: datetime | None) -> datetime | None:
    """A stored timestamp as an aware UTC datetime (SQLite hands it back naive)."""
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _insert(session: Session):  # type: ignore[no-untyped-def]
    dialect = session.get_bind().dialect.name
    module = postgresql if dialect == "postgresql" else sqlite
    return module.insert(OutboxMessage).on_conflict_do_nothing(index_elements=["key"])


def enqueue_many(session: Session, messages: Iterable[NewMessage], at: datetime,
                 due: datetime | None = None) -> set[str]:
    """Insert the messages whose key is new (INSERT … ON CONFLICT DO NOTHING); the inserted keys.

    `at` is the business moment they belong to; they are due at `due` (default: right away)."""
    created, due_at = utc(at), utc(due or real_now())
    rows = [m.row(created, due_at) for m in messages]
    if not rows:
        return set()
    stmt = _insert(session).returning(OutboxMessage.key)
    return set(session.scalars(stmt, rows))


def enqueue(session: Session, message: NewMessage, at: datetime, due: datetime | None = None) -> bool:
    """Insert one message; False (and nothing changes) when its key is already there."""
    return bool(enqueue_many(session, [message], at, due))


def existing_keys(session: Session, keys: Iterable[str], chunk: int = 500) -> set[str]:
    """Which of `keys` are already in the outbox (queried in chunks)."""
    keys = list(keys)
    found: set[str] = set()
    for i in range(0, len(keys), chunk):
        part = keys[i : i + chunk]
        found.update(session.scalars(select(OutboxMessage.key).where(OutboxMessage.key.in_(part))))
    return found


# --- senders -------------------------------------------------------------------------------------


class ConsoleSender:
    """Console members read their messages with `kaikaku outbox`: delivering is marking as sent."""

    platform = "console"

    def send(self, recipient: str, replies: Sequence[Reply], *, key: str | None = None) -> None:
        return None


_registry: dict[str, Sender] = {"console": ConsoleSender()}


def register_sender(sender: Sender) -> None:
    """Make `sender` the one for its platform (adapters' senders are registered by the process)."""
    _registry[sender.platform] = sender


def unregister_sender(platform: str) -> None:
    _registry.pop(platform, None)


def registered_senders() -> dict[str, Sender]:
    return dict(_registry)


# --- delivery ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Claimed:
    id: int
    key: str
    platform: str
    recipient: str
    kind: str
    department_id: int | None
    payload: dict[str, Any]
    attempts: int
    created_at: datetime  # the business moment the message belongs to


@dataclass
class DeliveryReport:
    sent: list[str] = field(default_factory=list)
    retrying: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    rerouted: list[str] = field(default_factory=list)
    held: list[str] = field(default_factory=list)  # given back for a rate limit, tried again later


def backoff(settings: Settings, attempts: int) -> timedelta:
    """Wait before attempt `attempts + 1`: base, 2×base, 4×base … at most an hour."""
    return min(timedelta(seconds=settings.outbox_backoff_seconds * 2 ** max(attempts - 1, 0)), MAX_BACKOFF)


def _due(settings: Settings, now: datetime, platforms: Iterable[str] | None = None) -> list[Any]:
    """The conditions of a message that may be taken now (of these platforms)."""
    conditions = [OutboxMessage.status.in_(RETRYABLE), OutboxMessage.next_attempt_at <= utc(now),
                  OutboxMessage.attempts < settings.outbox_max_attempts]
    if platforms is not None:
        conditions.append(OutboxMessage.platform.in_(list(platforms)))
    return conditions


def _claimed(row: Any, now: datetime) -> Claimed:
    return Claimed(row.id, row.key, row.platform, row.recipient, row.kind, row.department_id,
                   dict(row.payload), row.attempts, from_db(row.created_at) or now)


_CLAIMED_COLUMNS = (OutboxMessage.id, OutboxMessage.key, OutboxMessage.platform, OutboxMessage.recipient,
                    OutboxMessage.kind, OutboxMessage.department_id, OutboxMessage.payload,
                    OutboxMessage.attempts, OutboxMessage.created_at)


def _take(settings: Settings, now: datetime) -> dict[str, Any]:
    return {"status": "sending", "attempts": OutboxMessage.attempts + 1,
            "next_attempt_at": utc(now) + timedelta(seconds=settings.outbox_lease_seconds)}


def claim(engine: Engine, settings: Settings, row_id: int, now: datetime) -> Claimed | None:
    """Take one due message for sending; None if another process took it first (or it is not due)."""
    with session_scope(engine) as session:
        row = session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == row_id, *_due(settings, now))
            .values(**_take(settings, now))
            .returning(*_CLAIMED_COLUMNS)
            .execution_options(synchronize_session=False)
        ).first()
        return _claimed(row, now) if row is not None else None


def claim_batch(engine: Engine, settings: Settings, now: datetime, platforms: Iterable[str],
                limit: int) -> list[Claimed]:
    """Take up to `limit` due messages at once, atomically: no two processes get the same message.

    PostgreSQL: SELECT … FOR UPDATE SKIP LOCKED picks and locks the due rows (a second clock
    skips them and takes others), then one UPDATE … RETURNING takes them, in one transaction.
    (Not `UPDATE … WHERE id IN (SELECT … LIMIT n FOR UPDATE SKIP LOCKED)`: PostgreSQL may run such
    a subquery more than once and take more than n rows.) SQLite: one UPDATE … WHERE id IN
    (SELECT … LIMIT n) RETURNING; writers are serialised and the UPDATE checks the conditions
    again, so a row another process took in between is not taken twice."""
    platforms = list(platforms)
    with session_scope(engine) as session:
        due = (select(OutboxMessage.id).where(*_due(settings, now, platforms))
               .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id).limit(limit))
        if session.get_bind().dialect.name == "postgresql":
            ids: Any = list(session.scalars(due.with_for_update(skip_locked=True)))
            if not ids:
                return []
        else:
            ids = due.scalar_subquery()
        rows = session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(ids), *_due(settings, now, platforms))
            .values(**_take(settings, now))
            .returning(*_CLAIMED_COLUMNS)
            .execution_options(synchronize_session=False)
        ).all()
    return sorted((_claimed(r, now) for r in rows), key=lambda c: c.id)


def _finish(session: Session, msg: Claimed, **values: Any) -> bool:
    """Update the claimed row, only if our claim still holds (nobody re-claimed it after our lease)."""
    result = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == msg.id, OutboxMessage.status == "sending",
               OutboxMessage.attempts == msg.attempts)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1  # type: ignore[attr-defined]


def renew(engine: Engine, settings: Settings, msg: Claimed, now: datetime) -> bool:
    """Extend our claim's lease from now; False when it is no longer ours (the lease ran out and
    another sender claimed the message): then we must not send it."""
    with session_scope(engine) as session:
        return _finish(session, msg, next_attempt_at=utc(now) + timedelta(seconds=settings.outbox_lease_seconds))


def _give_back(engine: Engine, msg: Claimed, until: datetime, error: str) -> None:
    """A rate limit: queued again, due at `until`, the attempt not counted (nothing was sent)."""
    with session_scope(engine) as session:
        _finish(session, msg, status="queued", attempts=msg.attempts - 1, next_attempt_at=utc(until),
                last_error=error[:2000])


def _mark_sent(engine: Engine, msg: Claimed, now: datetime) -> None:
    with session_scope(engine) as session:
        if not _finish(session, msg, status="sent", sent_at=utc(now), next_attempt_at=None, last_error=None):
            log.warning("outbox %s: sent, but its claim had expired meanwhile", msg.key)


def _mark_failed(engine: Engine, settings: Settings, msg: Claimed, now: datetime, error: str) -> bool:
    """Schedule a retry with backoff, or give up after the last attempt; True when given up."""
    give_up = msg.attempts >= settings.outbox_max_attempts
    next_at = None if give_up else utc(now) + backoff(settings, msg.attempts)
    with session_scope(engine) as session:
        _finish(session, msg, status="failed", next_attempt_at=next_at, last_error=error[:2000])
    return give_up


def _reroute(engine: Engine, settings: Settings, msg: Claimed, now: datetime, exc: PushRefused) -> str | None:
    """The push was refused for the month: hand the message to the person's other account."""
    with session_scope(engine) as session:
        alt = fallback_account(session, msg.platform, msg.recipient, settings.delivery_platform_order)
        target = f"{alt.platform}:{alt.user_id}" if alt else None
        error = f"PushRefused: {exc.reason}" + (f" → {target}" if target else t.NO_OTHER_ACCOUNT)
        if not _finish(session, msg, status="failed", next_attempt_at=None, last_error=error):
            return None
        if alt is None:
            return None
        suffix = f"/{msg.platform}:{msg.recipient}"
        base = msg.key[: -len(suffix)] if msg.key.endswith(suffix) else msg.key
        meta = {k: v for k, v in msg.payload.items() if k != "replies"}
        meta["fallback_from"] = f"{msg.platform}:{msg.recipient}"
        enqueue(session, NewMessage(f"{base}/{target}", alt.platform, alt.user_id, msg.kind,
                                    replies_from_payload(msg.payload), msg.department_id, meta), msg.created_at, now)
        return target


def _expire_stale(engine: Engine, settings: Settings, now: datetime) -> None:
    """A message whose last attempt died mid-send is given up, not left "sending" forever."""
    with session_scope(engine) as session:
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.status == "sending", OutboxMessage.next_attempt_at <= utc(now),
                   OutboxMessage.attempts >= settings.outbox_max_attempts)
            .values(status="failed", next_attempt_at=None, last_error=t.STOPPED_MID_SEND)
            .execution_options(synchronize_session=False)
        )


class RunClock:
    """The mechanical clock of one delivery run: its start (`now`, which a test may set) plus the
    real time elapsed since, so a lease renewed late in the run is measured from then."""

    def __init__(self, start: datetime) -> None:
        self.start, self.began = start, time.monotonic()

    def __call__(self) -> datetime:
        return self.start + timedelta(seconds=time.monotonic() - self.began)


def deliver_one(engine: Engine, settings: Settings, msg: Claimed, sender: Sender, now: datetime,
                report: DeliveryReport, held: dict[tuple[str, str], datetime] | None = None,
                clock: RunClock | None = None) -> None:
    """Send one claimed message and record what happened (only while the claim is still ours).

    `held` maps (platform, recipient) to the moment a rate limit lifts, shared by one run: a
    message to a held recipient is given back without a call."""
    held = {} if held is None else held
    who = (msg.platform, msg.recipient)
    if who in held:
        _give_back(engine, msg, held[who], "rate limited (same recipient)")
        report.held.append(msg.key)
        return
    if not renew(engine, settings, msg, clock() if clock is not None else now):
        log.warning("outbox %s: claim lost before sending (lease ran out); left to the other sender", msg.key)
        return
    try:
        sender.send(msg.recipient, replies_from_payload(msg.payload), key=msg.key)
    except RateLimited as exc:
        wait = timedelta(seconds=exc.retry_after) if exc.retry_after is not None else backoff(settings, msg.attempts)
        held[who] = now + wait
        _give_back(engine, msg, held[who], f"RateLimited: {exc}")
        report.held.append(msg.key)
        log.info("outbox %s: rate limited, given back until %s", msg.key, held[who].isoformat())
    except PushRefused as exc:
        target = _reroute(engine, settings, msg, now, exc)
        (report.rerouted if target else report.failed).append(msg.key)
        log.warning("outbox %s: push refused (%s), rerouted to %s", msg.key, exc.reason, target)
    except Exception as exc:  # any platform error: retried with backoff, then given up
        log.warning("outbox %s: attempt %d failed: %s", msg.key, msg.attempts, exc)
        gave_up = _mark_failed(engine, settings, msg, now, f"{type(exc).__name__}: {exc}")
        (report.failed if gave_up else report.retrying).append(msg.key)
    else:
        _mark_sent(engine, msg, now)
        report.sent.append(msg.key)


def deliver_due(engine: Engine, settings: Settings, now: datetime | None = None,
                senders: Mapping[str, Sender] | None = None, batch: int = 10,
                max_batches: int = 1000) -> DeliveryReport:
    """Send every due message of the platforms we have senders for; safe to run in several processes.

    `now` is the mechanical clock (default: the real time, not BOT_NOW). Messages are claimed
    `batch` at a time; each one's lease (outbox_lease_seconds) is renewed right before it is sent,
    so the lease must outlast sending one message (the senders' requests time out well before)."""
    senders = registered_senders() if senders is None else senders
    report = DeliveryReport()
    now = now or real_now()
    _expire_stale(engine, settings, now)
    held: dict[tuple[str, str], datetime] = {}
    clock = RunClock(now)
    for _ in range(max_batches):
        claimed = claim_batch(engine, settings, now, senders.keys(), batch)
        for msg in claimed:
            deliver_one(engine, settings, msg, senders[msg.platform], now, report, held, clock)
        if not claimed:
            break
    return report


# --- listing -------------------------------------------------------------------------------------


def list_messages(session: Session, status: str | None = None, recipient: str | None = None,
                  platform: str | None = None, limit: int | None = None) -> list[OutboxMessage]:
    stmt = select(OutboxMessage).order_by(OutboxMessage.created_at, OutboxMessage.id)
    if status:
        stmt = stmt.where(OutboxMessage.status == status)
    if recipient:
        stmt = stmt.where(OutboxMessage.recipient == recipient)
    if platform:
        stmt = stmt.where(OutboxMessage.platform == platform)
    if limit:
        stmt = stmt.limit(limit)
    return list(session.scalars(stmt))


def as_dict(row: OutboxMessage, settings: Settings, with_text: bool = False) -> dict[str, Any]:
    """A row in `kaikaku outbox --format json` shape (times in the bot's time zone)."""

    def when(moment: datetime | None) -> str | None:
        aware = from_db(moment)
        return aware.astimezone(settings.tz).isoformat() if aware else None

    out: dict[str, Any] = {
        "key": row.key, "platform": row.platform, "recipient": row.recipient, "kind": row.kind,
        "status": row.status, "attempts": row.attempts, "created_at": when(row.created_at),
        "next_attempt_at": when(row.next_attempt_at), "sent_at": when(row.sent_at),
        "last_error": row.last_error, "measures": row.payload.get("measures", []),
    }
    if row.payload.get("fallback_from"):
        out["fallback_from"] = row.payload["fallback_from"]
    if with_text:
        replies = replies_from_payload(row.payload)
        out["text"] = "\n\n".join(_with_card(r) for r in replies)
        out["choices"] = [{"label": c.label, "value": c.value} for r in replies for c in r.choices]
    return out


def _with_card(reply: Reply) -> str:
    """A reply's text and its card as lines, for those who read messages in the terminal."""
    if reply.card is None:
        return reply.text
    fields = [f"  {name}: {value}".replace("\n", "\n    ") for name, value in reply.card.fields]
    return "\n".join([reply.text, f"【{reply.card.title}】", *fields])
