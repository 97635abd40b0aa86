"""Kanji and mixed numerals as people type them: "千六百五十", "3億5000万", "1.5万", "壱万".

A pure module: `evaluate` reads one run of digits, kanji numerals and multipliers (found by
bot.japanese.numbers) exactly, or says it is malformed; nothing is rounded.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from decimal import Context, Decimal, Inexact, InvalidOperation, getcontext, localcontext

KANJI_DIGITS = {
    "〇": 0, "零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
    "壱": 1, "弐": 2, "参": 3, "肆": 4, "伍": 5, "陸": 6, "漆": 7, "捌": 8, "玖": 9,
}  # fmt: skip
SMALL_MULTIPLIERS = {"十": 1, "拾": 1, "百": 2, "千": 3}
BIG_MULTIPLIERS = {"万": 4, "萬": 4, "億": 8, "兆": 12}
NUMERAL_CHARS = (
    frozenset("0123456789") | set(KANJI_DIGITS) | set(SMALL_MULTIPLIERS) | set(BIG_MULTIPLIERS)
)

_PRECISION = 60


def evaluate(raw: str) -> Decimal | None:
    """The value of a run like "1650", "1.5万", "3億5000万", "千六百五十"; None if malformed."""
    tokens = _tokenize(raw)
    if not tokens:
        return None
    try:
        with exact_context():
            return _evaluate_tokens(tokens)
    except (ArithmeticError, ValueError):
        return None


def _tokenize(raw: str) -> list[Decimal | str] | None:
    """Numbers (Decimal) and multiplier characters (str); None if the run is malformed."""
    tokens: list[Decimal | str] = []
    i = 0
    while i < len(raw):
        ch = raw[i]
        if ch in SMALL_MULTIPLIERS or ch in BIG_MULTIPLIERS:
            tokens.append(ch)
            i += 1
            continue
        j = i
        if ch.isdigit():
            while j < len(raw) and (raw[j].isdigit() or raw[j] == "."):
                j += 1
            if raw[i:j].count(".") > 1 or raw[j - 1] == ".":
                return None
            tokens.append(Decimal(raw[i:j]))
        else:
            while j < len(raw) and raw[j] in KANJI_DIGITS:
                j += 1
            tokens.append(Decimal("".join(str(KANJI_DIGITS[c]) for c in raw[i:j])))
        if len(tokens) > 1 and isinstance(tokens[-2], Decimal):
            return None  # two numbers side by side: "5五"
        i = j
    return tokens


def _evaluate_tokens(tokens: list[Decimal | str]) -> Decimal | None:
    """Sum sections separated by 兆/億/万, each below the previous multiplier."""
    total: Decimal | None = None
    section: list[Decimal | str] = []
    last_big: int | None = None
    for token in tokens:
        if isinstance(token, str) and token in BIG_MULTIPLIERS:
            exponent = BIG_MULTIPLIERS[token]
            coefficient = _section_value(section)
            if coefficient is None or (last_big is not None and exponent >= last_big):
                return None
            part = coefficient.scaleb(exponent)
            if last_big is not None and part >= Decimal(10) ** last_big:
                return None
            total = _add(total, part)
            last_big, section = exponent, []
        else:
            section.append(token)
    if section:
        rest = _section_value(section)
        if rest is None or (last_big is not None and rest >= Decimal(10) ** last_big):
            return None
        total = _add(total, rest)
    return total


def _section_value(tokens: list[Decimal | str]) -> Decimal | None:
    """Value of a part below 万: "千六百五十", "2千", "5000", "三百五"; None if malformed."""
    if not tokens:
        return None
    total: Decimal | None = None
    current: Decimal | None = None
    last_small: int | None = None
    for token in tokens:
        if isinstance(token, Decimal):
            current = token
            continue
        exponent = SMALL_MULTIPLIERS[token]
        part = (Decimal(1) if current is None else current).scaleb(exponent)
        if last_small is not None and (exponent >= last_small or part >= Decimal(10) ** last_small):
            return None
        total = _add(total, part)
        current, last_small = None, exponent
    if current is not None:
        if last_small is not None and current >= Decimal(10) ** last_small:
            return None
        total = _add(total, current)
    return total


def _add(total: Decimal | None, part: Decimal) -> Decimal:
    """``total + part``, keeping the exponent of a lone part (1.2E+8 stays 1.2E+8, not 120000000)."""
    return part if total is None else total + part


def exact_context() -> AbstractContextManager[Context]:
    """A decimal context with ample precision that raises instead of rounding."""
    context = getcontext().copy()
    context.prec = _PRECISION
    context.traps[Inexact] = True
    context.traps[InvalidOperation] = True
    return localcontext(context)
