"""Numbers as Kanazawa city staff type them: parsing, unit conversion, formatting, plausibility.

A pure module (no I/O, no imports from the rest of the bot). The parser reads one quantity out
of a chat message such as ``"実績は１，６５０名です"``, ``"約1.5万人"``, ``"▲1.2億円"`` or
``"千六百五十"`` and refuses, with a polite Japanese message, when it finds no number or more
than one (``"100か200"``): a wrong value in the record is worse than asking again.

Reading rules, in short:

* The text is NFKC-normalised first, so full-width digits and punctuation (``１，６５０``,
  ``９８．５％``) read like ASCII.
* A number is a run of Arabic digits, kanji numerals (``〇零一二三…九``, ``壱弐参…``) and the
  multipliers ``十百千万億兆``; ``,`` / ``、`` are thousands separators only between correctly
  grouped digits (``1,650``, ``1、650``), ``.`` is the decimal point.
  ``3億5000万``, ``1万2千``, ``1.5万``, ``12万3456`` and ``二千二十三`` are single numbers.
* A sign (``△ ▲ − - ー マイナス``) and an approximation word (``約``, ``およそ`` … before;
  ``程度``, ``くらい`` … after) may surround the number; spaces are allowed between the parts.
* A unit follows the number (see ``UNIT_ALIASES``). A multiplier written just before 円 stays
  in the unit: ``8億円`` is 8 億円, ``800,000千円`` is 800000 千円, ``3億5000万円`` is 35000 万円.
* Kanji numerals that are part of a word (``一般``, ``十分``, ``統一``) are not numbers; numbers
  that label a date or an ordinal (``令和6年度``, ``R6``, ``第3期``) are ignored when another
  number is present.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal

from bot.japanese.kanji_numerals import BIG_MULTIPLIERS, KANJI_DIGITS, NUMERAL_CHARS, evaluate, exact_context
from bot.texts import japanese as t

__all__ = [
    "UNIT_ALIASES",
    "IncompatibleUnitsError",
    "NumberParseError",
    "Quantity",
    "canonical_unit",
    "convert",
    "format_number",
    "format_quantity",
    "parse_for_target",
    "parse_quantity",
    "unit_family",
]

EXAMPLE = t.NUMBER_EXAMPLE

# canonical unit -> (family, power of ten relative to the family's base unit)
_UNITS: dict[str, tuple[str, int]] = {
    "名": ("people", 0),
    "人": ("people", 0),
    "%": ("percent", 0),
    "円": ("yen", 0),
    "千円": ("yen", 3),
    "万円": ("yen", 4),
    "百万円": ("yen", 6),
    "億円": ("yen", 8),
    "kg": ("mass", 0),
    "t": ("mass", 3),
    "件": ("件", 0),
    "地区": ("地区", 0),
    "団体": ("団体", 0),
    "世帯": ("世帯", 0),
    "回": ("回", 0),
    "校": ("校", 0),
    "箇所": ("箇所", 0),
    "本": ("本", 0),
    "台": ("台", 0),
    "個": ("個", 0),
    "棟": ("棟", 0),
    "時間": ("時間", 0),
}

#: Every spelling the parser accepts (after NFKC) -> canonical unit.
UNIT_ALIASES: dict[str, str] = {
    **{unit: unit for unit in _UNITS},
    "パーセント": "%",
    "トン": "t",
    "キログラム": "kg",
    "か所": "箇所",
    "カ所": "箇所",
    "ヵ所": "箇所",
    "ヶ所": "箇所",
    "ケ所": "箇所",
    "个所": "箇所",
    "個所": "箇所",
}
_ALIASES_LONGEST_FIRST = sorted(UNIT_ALIASES, key=len, reverse=True)

# A multiplier written just before 円 is part of the unit: 千円, 万円, 百万円, 億円.
_YEN_PREFIXES = ("百万", "千", "万", "億")

_SIGNS = ("マイナス", "△", "▲", "−", "-", "‐", "‑", "–", "ー")
_DASH_SIGNS = frozenset("-−‐‑–ー")
_APPROX_BEFORE = ("おおよそ", "およそ", "おおむね", "だいたい", "凡そ", "大凡", "大体", "概ね", "ほぼ", "約")
_APPROX_AFTER = ("程度", "くらい", "ぐらい", "前後", "ほど", "余り", "あまり")
# 約 preceded by one of these is a word (予約, 契約, 節約 ...), not "about".
_NOT_APPROX_BEFORE_YAKU = frozenset("予契節集要規制条婚公解違誓確")
_LABEL_BEFORE = ("令和", "平成", "昭和", "FY", "R", "H", "第", "No.", "No", "#")
_LABEL_AFTER = ("年", "月", "日", "期", "次", "号")
_KANJI_PREFIX_OK = frozenset("約計")
_YEN = "円"
_YAKU = "約"
_LONG_VOWEL = "ー"
_IDEOGRAPHS = ("\u4e00", "\u9fff")
_IDEOGRAPH_MARKS = "々〆"
_KATAKANA = ("\u30a1", "\u30fa")


class NumberParseError(ValueError):
    """The text holds no readable quantity, or more than one; the message is for the user."""


class IncompatibleUnitsError(NumberParseError):
    """Two units that cannot be converted into one another."""


@dataclass(frozen=True)
class Quantity:
    """One quantity read from a message.

    ``value`` carries the sign; ``unit`` is canonical (a key of ``_UNITS``) or None when no known
    unit was typed; ``approx`` is true for 約/およそ/程度…; ``typed`` is the original text.
    """

    value: Decimal
    unit: str | None
    approx: bool
    typed: str


@dataclass
class _Candidate:
    """A number found in the text, with what surrounds it."""

    raw: str
    value: Decimal | None
    unit: str | None
    negative: bool
    approx: bool
    kanji_only: bool
    word_part: bool
    label: bool


# ---------------------------------------------------------------------------------------------
# Units and conversion
# ---------------------------------------------------------------------------------------------


def canonical_unit(unit: str) -> str:
    """Return the canonical spelling of ``unit`` ("％" → "%", "か所" → "箇所", "トン" → "t").

    Unknown units are returned NFKC-normalised and stripped, unchanged otherwise.
    """
    normal = unicodedata.normalize("NFKC", unit).strip()
    return UNIT_ALIASES.get(normal, normal)


def unit_family(unit: str | None) -> str | None:
    """Return the family of a unit ("yen", "mass", "people", "percent", or the counter itself).

    Units of one family convert into each other; None for no unit or an unknown one.
    """
    if unit is None:
        return None
    known = _UNITS.get(canonical_unit(unit))
    return known[0] if known else None


def convert(value: Decimal, from_unit: str, to_unit: str) -> Decimal:
    """Convert ``value`` from one unit to another of the same family, exactly.

    ``convert(Decimal(8), "億円", "千円") == Decimal(800000)``. Equal (or equally unknown) units
    convert to themselves; anything else raises ``IncompatibleUnitsError``.
    """
    source, target = canonical_unit(from_unit), canonical_unit(to_unit)
    if source == target:
        return _tidy(to_decimal(value))
    if source not in _UNITS or target not in _UNITS or _UNITS[source][0] != _UNITS[target][0]:
        raise IncompatibleUnitsError(t.NUMBER_UNCONVERTIBLE.format(source=source, target=target))
    shift = _UNITS[source][1] - _UNITS[target][1]
    with exact_context():
        return _tidy(to_decimal(value).scaleb(shift).normalize())


# ---------------------------------------------------------------------------------------------
# Parsing
# ---------------------------------------------------------------------------------------------


def parse_quantity(text: str) -> Quantity:
    """Read the one quantity in ``text``.

    Raises ``NumberParseError`` (a polite Japanese message) when no number can be read, when a
    number is malformed, or when there is more than one candidate ("100か200").
    """
    normal = unicodedata.normalize("NFKC", text)
    candidate = _choose(_candidates(normal))
    assert candidate.value is not None
    value = -candidate.value if candidate.negative else candidate.value
    return Quantity(value=_tidy(value), unit=candidate.unit, approx=candidate.approx, typed=text)


def parse_for_target(text: str, target_unit: str | None) -> Quantity:
    """Read a quantity and express it in the unit of the target it reports on.

    A bare number takes the target's unit; a unit of the same family is converted ("8億円"
    against 千円 gives 800000 千円); any other unit raises ``NumberParseError`` naming the
    expected unit. Without a target unit the quantity is returned as read.
    """
    quantity = parse_quantity(text)
    if target_unit is None or not target_unit.strip():
        return quantity
    target = canonical_unit(target_unit)
    if quantity.unit is None:
        return replace(quantity, unit=target)
    try:
        value = convert(quantity.value, quantity.unit, target)
    except IncompatibleUnitsError:
        raise NumberParseError(
            t.NUMBER_WRONG_UNIT.format(unit=quantity.unit, target=target, example=_example(target))) from None
    return replace(quantity, value=value, unit=target)


def _candidates(text: str) -> list[_Candidate]:
    """Every number in the (normalised) text, in order."""
    found: list[_Candidate] = []
    i = 0
    while i < len(text):
        if text[i] in NUMERAL_CHARS:
            candidate, i = _read_candidate(text, i)
            found.append(candidate)
        else:
            i += 1
    return found


def _read_candidate(text: str, start: int) -> tuple[_Candidate, int]:
    """Read the number starting at ``start`` with its sign, unit and approximation words."""
    end = _run_end(text, start)
    raw = "".join(ch for ch in text[start:end] if ch not in ",、" and not ch.isspace())
    negative, approx_before = _prefix(text, start)
    unit, after_unit = _match_unit(text, end)
    value = evaluate(raw)
    if value is not None and unit == _YEN:
        value, unit = _fold_yen_multiplier(raw, value)
    approx_after, after = _approx_suffix(text, after_unit)
    kanji_only = not any(ch.isdigit() for ch in raw)
    candidate = _Candidate(
        raw=text[start:end].strip(),
        value=value,
        unit=unit,
        negative=negative,
        approx=approx_before or approx_after,
        kanji_only=kanji_only,
        word_part=kanji_only and unit is None and _is_word_part(text, start, end),
        label=unit is None and _is_label(text, start, end),
    )
    return candidate, after


def _run_end(text: str, start: int) -> int:
    """End of the run of numeral characters, decimal points and separators at ``start``."""
    i = start
    while i < len(text):
        ch = text[i]
        if ch in NUMERAL_CHARS:
            i += 1
        elif ch == "." and _digit_at(text, i - 1) and _digit_at(text, i + 1):
            i += 1
        elif ch in ",、" and _is_group_separator(text, i):
            i += 1
        elif ch.isspace() and text[i - 1] in BIG_MULTIPLIERS and _digit_follows(text, i):
            i += 1  # "3億 5000万"
        else:
            break
    return i


def _digit_at(text: str, i: int) -> bool:
    return 0 <= i < len(text) and text[i].isascii() and text[i].isdigit()


def _digit_follows(text: str, i: int) -> bool:
    """Whether a digit or kanji digit follows the spaces at ``i``."""
    rest = text[i:].lstrip()
    return bool(rest) and (_digit_at(rest, 0) or rest[0] in KANJI_DIGITS)


def _is_group_separator(text: str, i: int) -> bool:
    """Whether the comma at ``i`` separates thousands: 1-3 digits before, exactly 3 after."""
    if not (_digit_at(text, i + 1) and _digit_at(text, i + 2) and _digit_at(text, i + 3)):
        return False
    if _digit_at(text, i + 4):
        return False
    j = i
    while _digit_at(text, j - 1):
        j -= 1
    group = i - j
    if j > 0 and text[j - 1] in ",、":
        return group == 3
    return 1 <= group <= 3 and not (j > 0 and text[j - 1] == ".")


def _prefix(text: str, start: int) -> tuple[bool, bool]:
    """(negative, approx) from the sign and approximation words just before the number."""
    negative = approx = False
    pos = start
    for _ in range(2):  # "約△5" and "△約5"
        before = text[:pos].rstrip()
        sign = _sign_at_end(before)
        if sign and not negative:
            negative, pos = True, len(before) - len(sign)
            continue
        word = _approx_at_end(before)
        if word and not approx:
            approx, pos = True, len(before) - len(word)
            continue
        break
    return negative, approx


def _sign_at_end(before: str) -> str | None:
    """The negative mark ending ``before``, if it is one (not the dash of "R5-" or "センター")."""
    for sign in _SIGNS:
        if not before.endswith(sign):
            continue
        if sign in _DASH_SIGNS and len(before) > len(sign):
            previous = before[-len(sign) - 1]
            if (previous.isascii() and previous.isalnum()) or _is_katakana(previous) or previous == _LONG_VOWEL:
                return None
        return sign
    return None


def _approx_at_end(before: str) -> str | None:
    for word in _APPROX_BEFORE:
        if before.endswith(word):
            if word == _YAKU and len(before) > 1 and before[-2] in _NOT_APPROX_BEFORE_YAKU:
                return None
            return word
    return None


def _approx_suffix(text: str, pos: int) -> tuple[bool, int]:
    rest = text[pos:].lstrip()
    for word in _APPROX_AFTER:
        if rest.startswith(word):
            return True, len(text) - len(rest) + len(word)
    return False, pos


def _match_unit(text: str, pos: int) -> tuple[str | None, int]:
    """The unit written at ``pos`` (spaces allowed before it) and where it ends."""
    rest = text[pos:].lstrip()
    offset = len(text) - len(rest)
    for alias in _ALIASES_LONGEST_FIRST:
        if not rest.startswith(alias):
            continue
        following = rest[len(alias) : len(alias) + 1]
        if alias.isascii() and alias.isalpha() and following.isascii() and following.isalpha():
            continue  # "t" of "to"
        return UNIT_ALIASES[alias], offset + len(alias)
    return None, pos


def _fold_yen_multiplier(raw: str, value: Decimal) -> tuple[Decimal, str]:
    """Keep a multiplier written before 円 in the unit: "8億" + 円 → (8, "億円")."""
    for prefix in _YEN_PREFIXES:
        if raw.endswith(prefix):
            unit = prefix + _YEN
            with exact_context():
                return value.scaleb(-_UNITS[unit][1]), unit
    return value, _YEN


def _is_word_part(text: str, start: int, end: int) -> bool:
    """Whether kanji numerals belong to a word: 一般, 十分, 統一 (but not 約十, 合計二十)."""
    if end < len(text) and _is_ideograph(text[end]):
        return True
    return (
        end - start == 1
        and start > 0
        and _is_ideograph(text[start - 1])
        and text[start - 1] not in _KANJI_PREFIX_OK
    )


def _is_label(text: str, start: int, end: int) -> bool:
    """Whether the number names a year, a date or an ordinal: 令和6年度, R6, 第3期, 4月."""
    before = text[:start].rstrip()
    after = text[end:].lstrip()
    return before.endswith(_LABEL_BEFORE) or after.startswith(_LABEL_AFTER)


def _is_ideograph(ch: str) -> bool:
    return _IDEOGRAPHS[0] <= ch <= _IDEOGRAPHS[1] or ch in _IDEOGRAPH_MARKS


def _is_katakana(ch: str) -> bool:
    return _KATAKANA[0] <= ch <= _KATAKANA[1]


def _choose(candidates: list[_Candidate]) -> _Candidate:
    """The one candidate that is the quantity, or ``NumberParseError``."""
    if any(c.value is None and not c.kanji_only for c in candidates):
        bad = next(c.raw for c in candidates if c.value is None and not c.kanji_only)
        raise NumberParseError(t.NUMBER_UNREADABLE_PART.format(bad=bad, example=EXAMPLE))
    # A number that names a year, a date or a measure (令和6年度, 4月, No.34) is never the quantity.
    usable = [c for c in candidates if c.value is not None and not c.word_part and not c.label]
    if not usable:
        raise NumberParseError(t.NUMBER_UNREADABLE.format(example=EXAMPLE))
    if len(usable) > 1:
        shown = "」「".join(c.raw for c in usable[:3])
        raise NumberParseError(t.NUMBER_SEVERAL.format(shown=shown, example=EXAMPLE))
    return usable[0]


# ---------------------------------------------------------------------------------------------
# Formatting
# ---------------------------------------------------------------------------------------------


def format_number(value: Decimal | int | float) -> str:
    """Format a number for Japanese readers: "1,650", "98.47", "△1,200" (no trailing zeros)."""
    number = _tidy(to_decimal(value))
    if number != number.to_integral_value():
        number = number.normalize()  # a database column hands back 98.8700 for 98.87
    magnitude = abs(number)
    text = format(magnitude, ",f")
    return f"△{text}" if number < 0 else text


def format_rate(rate: Decimal | int | float) -> str:
    """A ratio as a percentage for readers, to two decimals: 0.97058 → "97.06%", 0.5 → "50%"."""
    percent = (to_decimal(rate) * 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return format_quantity(percent, "%")


def format_quantity(value: Decimal | int | float, unit: str | None) -> str:
    """Format a quantity: "1,700名", "98.87%", "800,000千円", "△5%".

    Whole numbers have no decimals, other values keep theirs, never an exponent.
    """
    text = format_number(value)
    return text + canonical_unit(unit) if unit else text


def _example(unit: str) -> str:
    """A sample entry in ``unit`` for error messages."""
    return format_quantity(Decimal("98.5") if unit == "%" else Decimal(120), unit)


# ---------------------------------------------------------------------------------------------
# Decimal helpers
# ---------------------------------------------------------------------------------------------


def to_decimal(value: Decimal | int | float) -> Decimal:
    """A finite Decimal; floats go through their shortest repr (98.87 stays 98.87)."""
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, float):
        number = Decimal(repr(value))
    else:
        number = Decimal(value)
    if not number.is_finite():
        raise ValueError(f"not a finite number: {value!r}")
    return number


def _tidy(value: Decimal) -> Decimal:
    """Whole numbers without decimals or exponent (1650.0 → 1650, 8E+3 → 8000, -0 → 0).

    Other values keep their digits ("98.50" stays 98.50).
    """
    sign, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)
    if exponent >= 0:
        digits, exponent = digits + (0,) * exponent, 0
    elif all(d == 0 for d in digits[exponent:]):
        digits, exponent = digits[:exponent] or (0,), 0
    if not any(digits):
        sign = 0
    return Decimal((sign, digits, exponent))
