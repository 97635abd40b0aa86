"""Whether a typed value looks like a slip (a percentage over 100, ten times the target): the
report dialog asks once more before keeping it."""

from __future__ import annotations

from decimal import Decimal

from bot.japanese.numbers import canonical_unit, format_quantity, to_decimal
from bot.texts import japanese as t


def implausible(value: Decimal, unit: str | None, target: Decimal | None) -> str | None:
    """A short polite reason to ask the user to confirm ``value``, or None when it looks fine.

    Flags a percentage over 100 or below 0, and a value ten times a non-zero target or more, or a
    tenth of it or less. ``target`` is in the same unit as ``value``.
    """
    number = to_decimal(value)
    shown = format_quantity(number, unit)
    if unit is not None and canonical_unit(unit) == "%":
        if number > 100:
            return t.DOUBT_OVER_100.format(shown=shown)
        if number < 0:
            return t.DOUBT_NEGATIVE.format(shown=shown)
    if target is None or to_decimal(target) == 0:
        return None
    goal = abs(to_decimal(target))
    goal_shown = format_quantity(to_decimal(target), unit)
    if abs(number) >= goal * 10:
        return t.DOUBT_TEN_TIMES.format(shown=shown, goal=goal_shown)
    if abs(number) * 10 <= goal:
        return t.DOUBT_TENTH.format(shown=shown, goal=goal_shown)
    return None
