"""A read-only snapshot of the catalog for answering questions, cached per database.

The catalog is read-mostly (it changes when a coordinator imports or assigns), while questions
come all day, so answering must not reload 90 measures with their plans and targets each time.
The snapshot is kept in process memory as a *cache* of the database, never as state: every use
first runs one cheap aggregate query (the fingerprint) and rebuilds when it differs; a snapshot
older than `MAX_AGE` is rebuilt anyway, which catches an in-place edit of the same length that
the fingerprint cannot see. Reports are never cached (see `bot.answers.results`).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from itertools import repeat
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from bot.answers.search import SearchIndex
from bot.catalog.store import active_plan, measures
from bot.storage.models import (
    Department,
    DepartmentAlias,
    Measure,
    MeasureDepartment,
    Plan,
    Target,
    YearPlan,
)

MAX_AGE = 60.0  # seconds
Pair = tuple[int, int, str, int | None, str | None]  # bot.reporting.round_status.Pair (not imported: lazy)
_CACHE_SIZE = 16  # databases per process (tests open many; a deployment uses one)


@dataclass(frozen=True)
class TargetView:
    fy: int
    metric: str
    value: Decimal | None
    unit: str | None
    direction: str
    qualifier: str | None


@dataclass(frozen=True)
class MeasureView:
    id: int
    no: int
    title: str
    numeric_goal: bool
    departments: tuple[str, ...]
    department_ids: tuple[int, ...]
    summary: str | None
    vision: str | None
    plans: Mapping[int, str | None]  # fiscal year -> 実施計画 (None: the document lost it)
    targets: tuple[TargetView, ...]
    missing: tuple[str, ...]
    no_target_reason: str | None

    def targets_for(self, fy: int) -> list[TargetView]:
        return [t for t in self.targets if t.fy == fy]

    @property
    def target_years(self) -> list[int]:
        return sorted({t.fy for t in self.targets})


@dataclass(frozen=True)
class CatalogView:
    plan_title: str
    first_fy: int
    last_fy: int
    measures: Mapping[int, MeasureView]  # by No.
    departments: Mapping[str, int]  # canonical name -> id
    department_names: Mapping[int, str]  # id -> canonical name
    aliases: Mapping[str, str]  # alias -> canonical name
    by_department: Mapping[str, tuple[int, ...]]  # name -> measure numbers, ordered
    index: SearchIndex = field(repr=False, compare=False)
    # (measure id, No., title, department id, department name) by No., the plan's department order;
    # (…, None, None) for a measure nobody answers for: the round's pairs (round_status.round_status_of)
    pairs: tuple[Pair, ...] = field(default=(), repr=False, compare=False)

    @property
    def numbers(self) -> list[int]:
        return sorted(self.measures)

    @property
    def first_no(self) -> int:
        return min(self.measures) if self.measures else 0

    @property
    def last_no(self) -> int:
        return max(self.measures) if self.measures else 0

    def covers(self, fy: int) -> bool:
        return self.first_fy <= fy <= self.last_fy

    def canonical_department(self, name: str) -> str | None:
        if name in self.departments:
            return name
        return self.aliases.get(name)


EMPTY = CatalogView("", 0, 0, {}, {}, {}, {}, {}, SearchIndex(()))


# --- the cache -----------------------------------------------------------------------------------

_lock = threading.Lock()
_cache: dict[str, tuple[tuple[Any, ...], float, CatalogView]] = {}


def catalog_view(session: Session) -> CatalogView:
    """The snapshot of the active plan's catalog, rebuilt when the database's catalog changed."""
    key = _database_key(session)
    stamp = fingerprint(session)
    now = time.monotonic()
    with _lock:
        hit = _cache.get(key)
    if hit is not None and hit[0] == stamp and now - hit[1] < MAX_AGE:
        return hit[2]
    view = build_view(session)
    with _lock:
        if len(_cache) >= _CACHE_SIZE and key not in _cache:
            _cache.pop(next(iter(_cache)))
        _cache[key] = (stamp, now, view)
    return view


def clear_cache() -> None:
    with _lock:
        _cache.clear()


def _database_key(session: Session) -> str:
    bind = session.get_bind()
    return bind.engine.url.render_as_string(hide_password=True)


def fingerprint(session: Session) -> tuple[Any, ...]:
    """One round trip of aggregates that changes whenever the catalog rows change.

    Rows re-created by a load (links, plans, targets) get new ids; measure texts are summed by
    length; `plan.loaded_at` is included for loaders that stamp it.
    """
    return tuple(session.execute(_fingerprint_statement()).one())


@cache
def _fingerprint_statement() -> Select[Any]:
    """Built once: composing fifteen subqueries costs more than running them."""
    text_length = (
        func.length(Measure.title)
        + func.coalesce(func.length(Measure.summary), 0)
        + func.coalesce(func.length(Measure.vision), 0)
    )
    parts = [
        select(func.max(Plan.id)),
        select(func.max(Plan.loaded_at)),
        select(func.count(Measure.id)),
        select(func.max(Measure.id)),
        select(func.sum(text_length)),
        select(func.count(Measure.id)).where(Measure.numeric_goal.is_(True)),
        select(func.count()).select_from(MeasureDepartment),
        select(func.sum(MeasureDepartment.measure_id * 7 + MeasureDepartment.department_id * 13)),
        select(func.max(YearPlan.id)),
        select(func.count(YearPlan.id)),
        select(func.max(Target.id)),
        select(func.count(Target.id)),
        select(func.max(Department.id)),
        select(func.max(DepartmentAlias.id)),
        select(func.count(DepartmentAlias.id)),
    ]
    return select(*(p.scalar_subquery() for p in parts))


def build_view(session: Session) -> CatalogView:
    plan = active_plan(session)
    if plan is None:
        return EMPTY
    views = {m.no: _measure_view(m) for m in measures(session, plan)}
    departments = {name: id_ for name, id_ in session.execute(select(Department.name, Department.id))}
    aliases = {
        alias: name
        for alias, name in session.execute(
            select(DepartmentAlias.alias, Department.name).join(DepartmentAlias.department)
        )
    }
    by_department: dict[str, list[int]] = {}
    for view in views.values():
        for name in view.departments:
            by_department.setdefault(name, []).append(view.no)
    index = SearchIndex.build(
        {
            no: {
                "title": v.title,
                "summary": v.summary,
                "vision": v.vision,
                "plans": " ".join(t for t in v.plans.values() if t),
            }
            for no, v in views.items()
        }
    )
    return CatalogView(
        plan_title=plan.title,
        first_fy=plan.first_fy,
        last_fy=plan.last_fy,
        measures=views,
        departments=departments,
        department_names={i: n for n, i in departments.items()},
        aliases=aliases,
        by_department={name: tuple(sorted(nos)) for name, nos in by_department.items()},
        index=index,
        pairs=_pairs(views),
    )


def _pairs(views: Mapping[int, MeasureView]) -> tuple[Pair, ...]:
    pairs: list[Pair] = []
    for _, v in sorted(views.items()):
        pairs.extend(zip(repeat(v.id), repeat(v.no), repeat(v.title), v.department_ids, v.departments))
        if not v.departments:
            pairs.append((v.id, v.no, v.title, None, None))
    return tuple(pairs)


def _measure_view(m: Measure) -> MeasureView:
    return MeasureView(
        id=m.id,
        no=m.no,
        title=m.title,
        numeric_goal=bool(m.numeric_goal),
        departments=tuple(link.department.name for link in m.department_links),
        department_ids=tuple(link.department_id for link in m.department_links),
        summary=m.summary,
        vision=m.vision,
        plans={p.fy: p.text for p in m.year_plans},
        targets=tuple(
            TargetView(
                fy=t.fy,
                metric=t.metric,
                value=None if t.value is None else Decimal(t.value),
                unit=t.unit,
                direction=t.direction,
                qualifier=t.qualifier,
            )
            for t in m.targets
        ),
        missing=tuple(m.missing or ()),
        no_target_reason=m.no_target_reason,
    )
