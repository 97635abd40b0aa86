"""`No.34の推移は?`: a numeric measure's targets and actuals across the plan's years (R5–R8).

Earlier years' actuals come from `kaikaku results import`, this year's from the reports made in
chat (submitted or approved); a year without one says 未報告.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from bot.answers.catalog_view import MeasureView
from bot.core.messages import Reply
from bot.japanese.fiscal_year import FiscalYear
from bot.japanese.numbers import format_quantity
from bot.reporting.results_table import TrendPoint, target_words
from bot.texts import labels
from bot.texts import results as t


def _actual(point: TrendPoint) -> str:
    if point.actual is None:
        return t.TREND_NO_ACTUAL
    if point.actual.value is None:  # skipped with a reason
        return labels.SKIP_REASON.get(point.actual.skip_reason or "", t.TREND_NO_ACTUAL)
    shown = format_quantity(Decimal(point.actual.value), point.actual.unit)
    notes = [labels.BASIS["estimate"]] if point.actual.basis == "estimate" else []
    if point.actual.met is not None:
        notes.append(labels.MET[point.actual.met])
    return shown + (f"({'・'.join(notes)})" if notes else "")


def trend_lines(points: Sequence[TrendPoint]) -> list[str]:
    """Per metric (named when there are several): one line per year, target against actual."""
    metrics = list(dict.fromkeys(p.metric for p in points))
    lines: list[str] = []
    for metric in metrics:
        if len(metrics) > 1:
            lines.append(f"【{metric}】")
        for p in (p for p in points if p.metric == metric):
            target = target_words(p.target, with_metric=False) if p.target is not None else t.TREND_NO_TARGET
            lines.append(t.TREND_LINE.format(fy=FiscalYear(p.fy).label, target=target, actual=_actual(p)))
    return lines


def trend_reply(m: MeasureView, points: Sequence[TrendPoint]) -> Reply:
    if not m.numeric_goal or not points:
        return Reply(t.TREND_NOT_NUMERIC.format(no=m.no, title=m.title))
    head = t.TREND_HEAD.format(no=m.no, title=m.title)
    imported = sorted({p.fy for p in points if p.imported})
    foot = [t.TREND_FOOT.format(years="・".join(FiscalYear(fy).label for fy in imported))] if imported else []
    return Reply("\n".join([head, *trend_lines(points), *foot]))
