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
from functools import cache, cached_property
from itertools import repeat
from typing import TYPE_CHECKING, Any

from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.orm import Session

from bot.answers.search import SearchIndex
from bot.storage import tables

if TYPE_CHECKING:  # the round's module is imported by the questions that read the round, not by every one
    from bot.reporting.round_status import Pair

MAX_AGE = 60.0  # seconds
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

    @cached_property
    def decimals(self) -> Mapping[str, int]:
        """Metric -> the decimal places the plan prints its targets with (94.0% keeps one)."""
        places: dict[str, int] = {}
        for t in self.targets:
            if t.value is not None:
                exponent = t.value.normalize().as_tuple().exponent
                shown = -exponent if isinstance(exponent, int) and exponent < 0 else 0
                places[t.metric] = max(places.get(t.metric, 0), shown)
        return places

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


# The catalog's tables, read as Core rows: building the snapshot is a few plain statements, not
# ORM objects (about 15 ms for the plan's 90 measures), and a one-shot `kaikaku ask` that reads no
# ORM entity never pays for configuring the mappers.
_PLAN, _MEASURE, _LINK = tables.plan.c, tables.measure.c, tables.measure_department.c
_YEAR_PLAN, _TARGET = tables.year_plan.c, tables.target.c
_DEPARTMENT, _ALIAS = tables.department.c, tables.department_alias.c


@cache
def _fingerprint_statement() -> Select[Any]:
    """Built once: composing fifteen subqueries costs more than running them."""
    text_length = (
        func.length(_MEASURE.title)
        + func.coalesce(func.length(_MEASURE.summary), 0)
        + func.coalesce(func.length(_MEASURE.vision), 0)
    )
    parts = [
        select(func.max(_PLAN.id)),
        select(func.max(_PLAN.loaded_at)),
        select(func.count(_MEASURE.id)),
        select(func.max(_MEASURE.id)),
        select(func.sum(text_length)),
        select(func.count(_MEASURE.id)).where(_MEASURE.numeric_goal.is_(True)),
        select(func.count()).select_from(tables.measure_department),
        select(func.sum(_LINK.measure_id * 7 + _LINK.department_id * 13)),
        select(func.max(_YEAR_PLAN.id)),
        select(func.count(_YEAR_PLAN.id)),
        select(func.max(_TARGET.id)),
        select(func.count(_TARGET.id)),
        select(func.max(_DEPARTMENT.id)),
        select(func.max(_ALIAS.id)),
        select(func.count(_ALIAS.id)),
    ]
    return select(*(p.scalar_subquery() for p in parts))


@dataclass(frozen=True)
class _Statements:
    plan: Select[Any]  # the active plan: the latest loaded (bot.catalog.store.active_plan's order)
    measures: Select[Any]
    links: Select[Any]  # each measure's departments, in the plan's order
    year_plans: Select[Any]
    targets: Select[Any]
    departments: Select[Any]
    aliases: Select[Any]


@cache
def _statements() -> _Statements:
    of_plan = _MEASURE.plan_id == bindparam("plan_id")
    return _Statements(
        plan=select(_PLAN.id, _PLAN.title, _PLAN.first_fy, _PLAN.last_fy)
        .order_by(_PLAN.first_fy.desc(), _PLAN.id.desc()).limit(1),
        measures=select(_MEASURE.id, _MEASURE.no, _MEASURE.title, _MEASURE.numeric_goal, _MEASURE.summary,
                        _MEASURE.vision, _MEASURE.missing, _MEASURE.no_target_reason)
        .where(of_plan).order_by(_MEASURE.no),
        links=select(_LINK.measure_id, _LINK.department_id, _DEPARTMENT.name)
        .join_from(tables.measure_department, tables.department, _DEPARTMENT.id == _LINK.department_id)
        .join(tables.measure, _MEASURE.id == _LINK.measure_id)
        .where(of_plan).order_by(_LINK.measure_id, _LINK.position),
        year_plans=select(_YEAR_PLAN.measure_id, _YEAR_PLAN.fy, _YEAR_PLAN.text)
        .join_from(tables.year_plan, tables.measure, _MEASURE.id == _YEAR_PLAN.measure_id)
        .where(of_plan).order_by(_YEAR_PLAN.measure_id, _YEAR_PLAN.fy),
        targets=select(_TARGET.measure_id, _TARGET.fy, _TARGET.metric, _TARGET.value, _TARGET.unit,
                       _TARGET.direction, _TARGET.qualifier)
        .join_from(tables.target, tables.measure, _MEASURE.id == _TARGET.measure_id)
        .where(of_plan).order_by(_TARGET.measure_id, _TARGET.fy, _TARGET.position),
        departments=select(_DEPARTMENT.name, _DEPARTMENT.id),
        aliases=select(_ALIAS.alias, _DEPARTMENT.name)
        .join_from(tables.department_alias, tables.department, _DEPARTMENT.id == _ALIAS.department_id),
    )


def build_view(session: Session) -> CatalogView:
    statements = _statements()
    plan = session.execute(statements.plan).first()
    if plan is None:
        return EMPTY
    plan_id, plan_title, first_fy, last_fy = plan
    by_plan = {"plan_id": plan_id}
    links: dict[int, list[tuple[int, str]]] = {}
    for measure_id, department_id, name in session.execute(statements.links, by_plan):
        links.setdefault(measure_id, []).append((department_id, name))
    plans: dict[int, dict[int, str | None]] = {}
    for measure_id, fy, text in session.execute(statements.year_plans, by_plan):
        plans.setdefault(measure_id, {})[fy] = text
    targets: dict[int, list[TargetView]] = {}
    for measure_id, fy, metric, value, unit, direction, qualifier in session.execute(statements.targets, by_plan):
        targets.setdefault(measure_id, []).append(TargetView(
            fy=fy, metric=metric, value=None if value is None else Decimal(value), unit=unit, direction=direction,
            qualifier=qualifier))
    views = {
        no: MeasureView(
            id=id_,
            no=no,
            title=title,
            numeric_goal=bool(numeric_goal),
            departments=tuple(name for _, name in links.get(id_, ())),
            department_ids=tuple(department_id for department_id, _ in links.get(id_, ())),
            summary=summary,
            vision=vision,
            plans=plans.get(id_, {}),
            targets=tuple(targets.get(id_, ())),
            missing=tuple(missing or ()),
            no_target_reason=no_target_reason,
        )
        for id_, no, title, numeric_goal, summary, vision, missing, no_target_reason
        in session.execute(statements.measures, by_plan)
    }
    departments = {name: id_ for name, id_ in session.execute(statements.departments)}
    aliases = {alias: name for alias, name in session.execute(statements.aliases)}
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
        plan_title=plan_title,
        first_fy=first_fy,
        last_fy=last_fy,
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
