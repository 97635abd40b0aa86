"""The reviewed catalog: invariants a coordinator relies on, and how it loads and exports."""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal

import pytest
from sqlalchemy import Engine, func, select

from bot.catalog.schema import FY_KEYS, MeasureEntry
from bot.catalog.store import (
    BUNDLED_CATALOG,
    BUNDLED_DOCUMENT,
    BUNDLED_PLAN,
    assign_department,
    export_catalog,
    find_department,
    load_catalog,
    read_catalog,
)
from bot.storage.db import session_scope
from bot.storage.models import Department, Measure, MeasureDepartment, Target, YearPlan

ENTRIES = read_catalog(BUNDLED_CATALOG)
DOCUMENT = BUNDLED_DOCUMENT.read_text(encoding="utf-8")


def squash(text: str) -> str:
    """Compare texts as a reader would: width-folded, without spaces, commas or tags."""
    text = unicodedata.normalize("NFKC", re.sub(r"<[^>]+>", "", text))
    return re.sub(r"[\s,、]", "", text)


def by_no(no: int) -> MeasureEntry:
    return next(e for e in ENTRIES if e.no == no)


def test_all_90_measures_in_order() -> None:
    assert [e.no for e in ENTRIES] == list(range(1, 91))


def test_21_numeric_goal_measures_as_the_document_marks_them() -> None:
    marked = {int(n) for n in re.findall(r"^No\.(\d+)\t.*数値\s*目", DOCUMENT, flags=re.M)}
    assert {e.no for e in ENTRIES if e.numeric_goal} == marked
    assert len(marked) == 21


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda e: f"No.{e.no}")
def test_measure_invariants(entry: MeasureEntry) -> None:
    assert entry.title and "数値目標" not in entry.title and "<" not in entry.title
    assert set(entry.plans) <= set(FY_KEYS)
    for key in FY_KEYS:
        if entry.plans.get(key) is None:
            assert f"plans.{key}" in entry.missing, f"plans.{key} is empty but not marked missing"
    if not entry.departments:
        assert "departments" in entry.missing
    for field in ("summary", "vision", "resources"):  # lost ⇔ listed as lost
        assert (getattr(entry, field) is None) == (field in entry.missing), field
    if entry.numeric_goal:
        assert entry.targets or entry.no_target_reason, "numeric goal without targets or a reason"
        years = {t.fy for t in entry.targets}
        if years != set(FY_KEYS):
            assert entry.no_target_reason or any(m.startswith("targets") for m in entry.missing)
    else:
        assert entry.targets == []
    for t in entry.targets:
        assert t.fy in FY_KEYS
        assert t.value is None or t.value >= 0


@pytest.mark.parametrize("entry", [e for e in ENTRIES if e.targets], ids=lambda e: f"No.{e.no}")
def test_every_target_number_stands_in_the_plan_text(entry: MeasureEntry) -> None:
    """Never invent a number: each target's value is written in that year's plan."""
    for t in entry.targets:
        if t.value is None:
            continue
        plan = squash(entry.plans.get(t.fy) or "")
        value = t.value.normalize()
        spelled = format(value, "f")
        assert spelled in plan or squash(t.text or "") in plan and spelled in squash(t.text or ""), (
            f"{t.fy} {t.metric}: {spelled} not in {plan!r}"
        )


@pytest.mark.parametrize("entry", [e for e in ENTRIES if e.corrections], ids=lambda e: f"No.{e.no}")
def test_every_correction_points_at_text_in_the_document(entry: MeasureEntry) -> None:
    for c in entry.corrections:
        assert c.source in DOCUMENT, f"{c.field}: {c.source!r} is not in the document"
        assert c.reading


def test_known_facts() -> None:
    no34 = by_no(34)
    assert no34.departments == ["危機管理課"]
    r8 = [t for t in no34.targets if t.fy == "R8"]
    assert len(r8) == 1 and r8[0].value == Decimal(1700) and r8[0].unit == "名"
    assert r8[0].direction == "at_least"
    assert by_no(7).departments == ["人事課", "デジタル行政戦略課"]


def test_load_is_idempotent_and_exports_the_interface_shape(catalog_engine: Engine) -> None:
    with session_scope(catalog_engine) as s:
        counts = [s.scalar(select(func.count()).select_from(t)) for t in (Measure, Department, Target, YearPlan)]
        load_catalog(s, ENTRIES, BUNDLED_PLAN)
        assert not s.dirty and not s.new and not s.deleted
    with session_scope(catalog_engine) as s:
        again = [s.scalar(select(func.count()).select_from(t)) for t in (Measure, Department, Target, YearPlan)]
        exported = export_catalog(s)
    assert again == counts
    assert [m["no"] for m in exported] == [e.no for e in ENTRIES]
    first = exported[0]
    assert {"no", "title", "numeric_goal", "departments", "summary", "vision", "plans", "targets"} <= set(first)
    for m, e in zip(exported, ENTRIES, strict=True):
        assert m["departments"] == e.departments
        assert m["plans"] == {k: v for k, v in e.plans.items()}
        assert [(t["fy"], t["metric"], t["unit"], t["direction"]) for t in m["targets"]] == [
            (t.fy, t.metric, t.unit, t.direction) for t in e.targets
        ]
        for t_out, t_in in zip(m["targets"], e.targets, strict=True):
            assert (t_out["value"] is None) == (t_in.value is None)
            if t_in.value is not None:
                assert Decimal(str(t_out["value"])) == t_in.value


def test_an_assignment_survives_reloading_the_catalog(catalog_engine: Engine) -> None:
    with session_scope(catalog_engine) as s:
        target = next((e for e in ENTRIES if not e.departments), None) or ENTRIES[0]
        dept = find_department(s, "デジタル行政戦略課")
        assert dept is not None
        assign_department(s, target.no, dept)
    with session_scope(catalog_engine) as s:
        load_catalog(s, ENTRIES, BUNDLED_PLAN)
    with session_scope(catalog_engine) as s:
        links = s.scalars(
            select(MeasureDepartment).join(Measure).where(Measure.no == target.no)
        ).all()
        assert dept.id in [link.department_id for link in links]
