"""Migration 0003: report.progress and actual.basis become codes, and back, on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import Engine, text

from bot.storage.db import downgrade, migrate
from bot.texts.labels import BASIS, PROGRESS

NOW = "2027-02-03 10:15:00+09:00"


def _add_report(conn, measure_id: int, department_id: int, revision: int, progress: str, basis: str) -> None:
    report_id = conn.execute(text(
        "INSERT INTO report (measure_id, department_id, fy, revision, is_current, status, progress, created_at) "
        "VALUES (:m, :d, 2026, :r, :c, 'submitted', :p, :t) RETURNING id"),
        {"m": measure_id, "d": department_id, "r": revision, "c": False, "p": progress, "t": NOW}).scalar_one()
    conn.execute(text(
        "INSERT INTO actual (report_id, position, metric, value, unit, typed, basis) "
        "VALUES (:r, 0, '収納率', 99.1, '%', '99.1%', :b)"), {"r": report_id, "b": basis})


def _stored(conn) -> list[tuple[str, str]]:
    return [tuple(row) for row in conn.execute(text(
        "SELECT report.progress, actual.basis FROM report JOIN actual ON actual.report_id = report.id "
        "ORDER BY report.revision"))]


def test_progress_and_basis_become_codes_and_back(catalog_engine: Engine) -> None:
    downgrade(catalog_engine, "0002")  # a database as it was: labels stored
    with catalog_engine.begin() as conn:
        measure_id = conn.execute(text("SELECT min(id) FROM measure")).scalar_one()
        department_id = conn.execute(text("SELECT min(id) FROM department")).scalar_one()
        for revision, (progress, basis) in enumerate(
                [("未着手", "見込み"), ("実施中", "確定"), ("完了", "見込み")], start=1):
            _add_report(conn, measure_id, department_id, revision, progress, basis)
    migrate(catalog_engine, "0003")
    with catalog_engine.connect() as conn:
        assert _stored(conn) == [("not_started", "estimate"), ("in_progress", "final"), ("done", "estimate")]
        assert {p for p, _ in _stored(conn)} <= set(PROGRESS) and {b for _, b in _stored(conn)} <= set(BASIS)
    downgrade(catalog_engine, "0002")
    with catalog_engine.connect() as conn:
        assert _stored(conn) == [("未着手", "見込み"), ("実施中", "確定"), ("完了", "見込み")]
    migrate(catalog_engine)
