"""Loading the catalog into the database, exporting it, and looking things up in it."""

from __future__ import annotations

import difflib
import hashlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import event, select
from sqlalchemy.orm import Session, selectinload

from bot.japanese.fiscal_year import FiscalYear
from bot.storage.models import (
    Department,
    DepartmentAlias,
    Measure,
    MeasureDepartment,
    Plan,
    Report,
    Target,
    YearPlan,
)
from bot.texts import catalog as t

if TYPE_CHECKING:  # pydantic and YAML are needed to read a catalog file, not to answer from the database
    from bot.catalog.schema import MeasureEntry
    from bot.catalog.schema import Target as TargetEntry

DATA = Path(__file__).resolve().parent / "data"
BUNDLED_CATALOG = DATA / "catalog.yaml"
BUNDLED_DOCUMENT = DATA / "seed" / "kanazawa-r5-r8.txt"
BUNDLED_PLAN_CODE = "kanazawa-r5-r8"
BUNDLED_PLAN_TITLE = "金沢市行政改革実施計画(令和5年度~令和8年度)"


@dataclass(frozen=True)
class PlanInfo:
    code: str
    title: str
    first_fy: int
    last_fy: int
    source_sha256: str | None = None


BUNDLED_PLAN = PlanInfo(BUNDLED_PLAN_CODE, BUNDLED_PLAN_TITLE, 2023, 2026)


def read_catalog(path: Path = BUNDLED_CATALOG) -> list[MeasureEntry]:
    """The reviewed catalog from its YAML file, validated."""
    from bot.catalog.schema import MeasureEntry
    from bot.core import yaml_io

    raw = yaml_io.load(path.read_text(encoding="utf-8"))
    if not isinstance(raw, list):
        raise ValueError(f"{path}: a catalog is a YAML list of measures")
    entries = [MeasureEntry.model_validate(item) for item in raw]
    return sorted(entries, key=lambda e: e.no)


def fy_of_key(key: str) -> int:
    return FiscalYear.from_key(key).year


def key_of_fy(fy: int) -> str:
    return FiscalYear(fy).key


def _department(session: Session, name: str, cache: dict[str, Department]) -> Department:
    if name not in cache:
        dept = session.scalar(select(Department).where(Department.name == name))
        if dept is None:
            dept = Department(name=name)
            session.add(dept)
            session.flush()
        cache[name] = dept
    return cache[name]


def _damaged_spellings(entry: MeasureEntry) -> dict[str, str]:
    """Department spellings the document used (from corrections), as aliases of the real name."""
    out: dict[str, str] = {}
    for c in entry.corrections:
        if c.field.startswith("departments") and c.reading in entry.departments:
            source = c.source.strip()
            if source and source != c.reading and len(source) <= 100:
                out[source] = c.reading
    return out


def load_catalog(session: Session, entries: Iterable[MeasureEntry], info: PlanInfo) -> Plan:
    """Insert or update the plan's measures (matched by number), so reports keep their measure.

    Running it twice with the same entries changes nothing.
    """
    plan = session.scalar(select(Plan).where(Plan.code == info.code))
    if plan is None:
        plan = Plan(code=info.code, title=info.title, first_fy=info.first_fy, last_fy=info.last_fy)
        session.add(plan)
        session.flush()
    plan.title, plan.first_fy, plan.last_fy = info.title, info.first_fy, info.last_fy
    if info.source_sha256 and plan.source_sha256 != info.source_sha256:
        plan.source_sha256 = info.source_sha256
    cache: dict[str, Department] = {}
    with _watching(session) as changed:
        existing = {m.no: m for m in session.scalars(select(Measure).where(Measure.plan_id == plan.id))}
        entries = list(entries)
        for entry in entries:
            measure = existing.get(entry.no) or Measure(plan_id=plan.id, no=entry.no)
            if measure.id is None:
                session.add(measure)
            _apply(session, measure, entry, cache)
            for alias, name in _damaged_spellings(entry).items():
                _add_alias(session, alias, _department(session, name, cache))
        _drop_unreported(session, plan, {e.no for e in entries}, existing)
        session.flush()
    if changed:
        plan.loaded_at = datetime.now(UTC)  # tells caches (bot.answers) that the catalog changed
        session.flush()
    return plan


@contextmanager
def _watching(session: Session) -> Iterator[list[bool]]:
    """Whether any flush inside the block wrote something. Queries autoflush as the load goes,
    so `session.new/dirty/deleted` at the end are empty even when rows changed (a reordered
    joint measure went unnoticed that way)."""
    changed: list[bool] = []

    def note(sess: Session, _context: Any, _instances: Any) -> None:
        if sess.new or sess.deleted or any(sess.is_modified(o) for o in sess.dirty):
            changed.append(True)

    event.listen(session, "before_flush", note)
    try:
        yield changed
    finally:
        event.remove(session, "before_flush", note)


def _add_alias(session: Session, alias: str, dept: Department) -> None:
    if alias == dept.name or session.scalar(select(Department.id).where(Department.name == alias)):
        return
    if session.scalar(select(DepartmentAlias).where(DepartmentAlias.alias == alias)) is None:
        session.add(DepartmentAlias(alias=alias, department=dept))
        session.flush()


def _apply(session: Session, m: Measure, e: MeasureEntry, cache: dict[str, Department]) -> None:
    fields: dict[str, Any] = {
        "title": e.title,
        "numeric_goal": e.numeric_goal,
        "policy": e.policy,
        "section": e.section,
        "summary": e.summary,
        "vision": e.vision,
        "related_plans": list(e.related_plans),
        "resources": list(e.resources) if e.resources is not None else None,
        "missing": list(e.missing),
        "no_target_reason": e.no_target_reason,
        "corrections": [c.model_dump() for c in e.corrections],
        "notes": e.notes,
    }
    for key, value in fields.items():
        if getattr(m, key) != value:
            setattr(m, key, value)
    depts = [_department(session, name, cache) for name in e.departments]
    if not depts and m.department_links:
        # Unassigned in the document, assigned since by the coordinating division: keep that.
        m.missing = [f for f in m.missing if f != "departments"]
    elif [link.department_id for link in m.department_links] != [d.id for d in depts]:
        m.department_links.clear()
        session.flush()
        m.department_links.extend(
            MeasureDepartment(department=d, position=i) for i, d in enumerate(depts)
        )
    plans = sorted((fy_of_key(k), text) for k, text in e.plans.items())
    if [(p.fy, p.text) for p in m.year_plans] != plans:
        m.year_plans.clear()
        session.flush()
        m.year_plans.extend(YearPlan(fy=fy, text=text) for fy, text in plans)
    targets = [_target_row(t, i) for i, t in enumerate(e.targets)]
    if [_target_key(t) for t in m.targets] != [_target_key(t) for t in targets]:
        m.targets.clear()
        session.flush()
        m.targets.extend(targets)


def _target_row(t: TargetEntry, position: int) -> Target:
    return Target(
        fy=fy_of_key(t.fy),
        position=position,
        metric=t.metric,
        value=t.value,
        unit=t.unit,
        direction=t.direction,
        qualifier=t.qualifier,
        text=t.text,
    )


def _target_key(t: Target) -> tuple[Any, ...]:
    value = None if t.value is None else Decimal(t.value).normalize()
    return (t.fy, t.position, t.metric, value, t.unit, t.direction, t.qualifier, t.text)


def _drop_unreported(session: Session, plan: Plan, keep: set[int], existing: dict[int, Measure]) -> None:
    """Measures no longer in the catalog are removed unless a report refers to them."""
    for no, measure in existing.items():
        if no in keep:
            continue
        if session.scalar(select(Report.id).where(Report.measure_id == measure.id).limit(1)) is None:
            session.delete(measure)


def active_plan(session: Session) -> Plan | None:
    """The plan the bot works on: the latest one loaded (by its first fiscal year)."""
    return session.scalar(select(Plan).order_by(Plan.first_fy.desc(), Plan.id.desc()).limit(1))


def measures(session: Session, plan: Plan | None = None, department_id: int | None = None) -> list[Measure]:
    """The plan's measures by number (of one department, joint ones included, if given)."""
    plan = plan or active_plan(session)
    if plan is None:
        return []
    stmt = select(Measure).where(Measure.plan_id == plan.id)
    if department_id is not None:
        stmt = stmt.join(MeasureDepartment, MeasureDepartment.measure_id == Measure.id).where(
            MeasureDepartment.department_id == department_id
        )
    stmt = (
        stmt.order_by(Measure.no)
        .options(
            selectinload(Measure.department_links).selectinload(MeasureDepartment.department),
            selectinload(Measure.year_plans),
            selectinload(Measure.targets),
        )
    )
    return list(session.scalars(stmt))


def measure_by_no(session: Session, no: int, plan: Plan | None = None) -> Measure | None:
    plan = plan or active_plan(session)
    if plan is None:
        return None
    return session.scalar(select(Measure).where(Measure.plan_id == plan.id, Measure.no == no))


def entry_of(measure: Measure) -> dict[str, Any]:
    """A measure in the export shape of INTERFACE.md (plus extra keys)."""
    return {
        "no": measure.no,
        "title": measure.title,
        "numeric_goal": measure.numeric_goal,
        "departments": [d.name for d in measure.departments],
        "summary": measure.summary,
        "vision": measure.vision,
        "plans": {key_of_fy(p.fy): p.text for p in measure.year_plans},
        "targets": [
            {
                "fy": key_of_fy(t.fy),
                "metric": t.metric,
                "value": json_number(t.value),
                "unit": t.unit,
                "direction": t.direction,
                "qualifier": t.qualifier,
                "text": t.text,
            }
            for t in measure.targets
        ],
        "policy": measure.policy,
        "section": measure.section,
        "related_plans": measure.related_plans,
        "resources": measure.resources,
        "missing": measure.missing,
        "no_target_reason": measure.no_target_reason,
        "corrections": measure.corrections,
        "notes": measure.notes,
    }


def json_number(value: Decimal | None) -> int | float | None:
    """A stored Decimal as JSON shows it: 1700, 98.87 (never "1700.0000")."""
    if value is None:
        return None
    value = Decimal(value).normalize()
    return int(value) if value == value.to_integral_value() else float(value)


def export_catalog(session: Session) -> list[dict[str, Any]]:
    return [entry_of(m) for m in measures(session)]


def find_department(session: Session, name: str) -> Department | None:
    """A department by its canonical name or an alias."""
    name = name.strip()
    dept = session.scalar(select(Department).where(Department.name == name))
    if dept is None:
        alias = session.scalar(select(DepartmentAlias).where(DepartmentAlias.alias == name))
        dept = alias.department if alias else None
    return dept


def closest_departments(session: Session, name: str, n: int = 3) -> list[str]:
    """Names a user probably meant: containment first, then difflib's similarity."""
    names = list(session.scalars(select(Department.name).order_by(Department.name)))
    contains = [d for d in names if name and (name in d or d in name)]
    similar = difflib.get_close_matches(name, names, n=n, cutoff=0.3)
    out: list[str] = []
    for d in contains + similar:
        if d not in out:
            out.append(d)
    return out[:n]


def unassigned_measures(session: Session) -> list[Measure]:
    return [m for m in measures(session) if not m.department_links]


def assign_department(session: Session, no: int, department: Department) -> Measure:
    """The coordinating division assigns a department to a measure (appended, keeps order)."""
    measure = measure_by_no(session, no)
    if measure is None:
        raise LookupError(t.NO_SUCH_MEASURE.format(no=no))
    if department.id not in [link.department_id for link in measure.department_links]:
        measure.department_links.append(
            MeasureDepartment(department=department, position=len(measure.department_links))
        )
        if "departments" in (measure.missing or []):
            measure.missing = [f for f in measure.missing if f != "departments"]
    session.flush()
    return measure


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()

