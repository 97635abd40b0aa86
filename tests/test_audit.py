"""The audit trail keeps each act with its actor, time and values, on both databases."""

from datetime import UTC, datetime, timedelta

import pytest

from bot.storage import audit
from bot.storage.db import session_scope


def test_entries_filter_by_measure_and_time(engine):
    t0 = datetime(2027, 2, 10, 9, tzinfo=UTC)
    tanaka = audit.Actor("console:tanaka", "田中 一郎")
    with session_scope(engine) as s:
        audit.record(s, tanaka, "submit", "report", measure_no=34, fy=2026,
                     after={"revision": 1}, at=t0)
        audit.record(s, tanaka, "approve", "report", measure_no=34, fy=2026,
                     before={"status": "submitted"}, after={"status": "approved"},
                     at=t0 + timedelta(hours=2))
        audit.record(s, tanaka, "submit", "report", measure_no=35, fy=2026, at=t0)
    with session_scope(engine) as s:
        got = audit.entries(s, measure_no=34)
        assert [e.action for e in got] == ["submit", "approve"]
        assert got[1].before == {"status": "submitted"} and got[1].actor_name == "田中 一郎"
        assert [e.action for e in audit.entries(s, since=t0 + timedelta(hours=1))] == ["approve"]


def test_unknown_action_is_refused(engine):
    with session_scope(engine) as s, pytest.raises(ValueError):
        audit.record(s, audit.Actor("cli:root"), "delete_everything", "report")
