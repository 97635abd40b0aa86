"""Japanese fiscal years (年度): April 1 – March 31, reckoned in Asia/Tokyo.

A fiscal year is named by the Western year it starts in: ``FiscalYear(2026)`` is 令和8年度, which runs
from 2026-04-01 to 2027-03-31 and whose catalog key is ``"R8"``.

Pure module: no I/O; the clock is read only through the arguments (``today``, ``moment``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.texts import japanese as t

__all__ = [
    "DEFAULT_TZ",
    "FiscalYear",
    "FiscalYearError",
    "find_fiscal_year",
    "fiscal_year_of",
    "parse_fiscal_year",
    "reiwa_label",
]

DEFAULT_TZ = "Asia/Tokyo"
FIRST_MONTH = 4  # a fiscal year starts on April 1

MIN_YEAR = 1000  # four-digit years only, so that every key and label parses back
MAX_YEAR = 9998  # FY9998 ends on 9999-03-31, the last one `date` can hold

_REIWA_START = 2019  # 令和元年度 = FY2019
_HEISEI_START = 1989  # 平成元年度 = FY1989
_HEISEI_LAST = 31  # 平成31年度 = FY2019 = 令和元年度
_ERA_OFFSET = {"R": _REIWA_START - 1, "H": _HEISEI_START - 1}
_ERA_PREFIX = {"令和": "R", "平成": "H", "R": "R", "H": "H"}  # the era words people type
GANNEN = "元"  # the first year of an era, as typed (令和元年度)

# Words relative to the fiscal year of "today", longest first so that 一昨年度 is not read as 昨年度.
_RELATIVE = {
    "一昨年度": -2,
    "再来年度": 2,
    "今年度": 0,
    "本年度": 0,
    "当年度": 0,
    "昨年度": -1,
    "前年度": -1,
    "来年度": 1,
    "次年度": 1,
    "翌年度": 1,
}

ACCEPTED_FORMS = t.FY_ACCEPTED_FORMS


class FiscalYearError(ValueError):
    """A text or a number that is not a fiscal year this module understands."""


@dataclass(frozen=True, order=True)
class FiscalYear:
    """A Japanese fiscal year, named by the Western year it starts in (FY2026 = 令和8年度)."""

    year: int

    def __post_init__(self) -> None:
        if isinstance(self.year, bool) or not isinstance(self.year, int):
            raise TypeError(f"FiscalYear.year must be an int, not {type(self.year).__name__}")
        if not MIN_YEAR <= self.year <= MAX_YEAR:
            raise FiscalYearError(t.FY_OUT_OF_RANGE.format(year=self.year, low=MIN_YEAR, high=MAX_YEAR))

    @property
    def reiwa(self) -> int:
        """The Reiwa year number (8 for FY2026); raises FiscalYearError before 令和元年度 (FY2019)."""
        if self.year < _REIWA_START:
            raise FiscalYearError(t.FY_BEFORE_REIWA.format(year=self.year))
        return self.year - _ERA_OFFSET["R"]

    @property
    def key(self) -> str:
        """The catalog key: "R8" for Reiwa years, "H30" for Heisei years, "FY1985" before them."""
        if self.year >= _REIWA_START:
            return f"R{self.reiwa}"
        if self.year >= _HEISEI_START:
            return f"H{self.year - _ERA_OFFSET['H']}"
        return f"FY{self.year}"

    @property
    def label(self) -> str:
        """The Japanese name: "令和8年度", "令和元年度", "平成30年度" (or "1985年度" before Heisei)."""
        if self.year >= _REIWA_START:
            return reiwa_label(self.year)
        if self.year >= _HEISEI_START:
            return t.FY_HEISEI.format(n=_era_number(self.year - _ERA_OFFSET['H']))
        return t.FY_WESTERN.format(year=self.year)

    @property
    def start(self) -> date:
        """The first day, April 1 of `year`."""
        return date(self.year, FIRST_MONTH, 1)

    @property
    def end(self) -> date:
        """The last day, March 31 of the following year."""
        return date(self.year + 1, FIRST_MONTH - 1, 31)

    def contains(self, moment: date | datetime, tz: str = DEFAULT_TZ) -> bool:
        """Whether a date (or a moment, read in `tz`) falls within this fiscal year."""
        return fiscal_year_of(moment, tz) == self

    def next(self) -> FiscalYear:
        """The following fiscal year."""
        return FiscalYear(self.year + 1)

    def previous(self) -> FiscalYear:
        """The preceding fiscal year."""
        return FiscalYear(self.year - 1)

    @classmethod
    def from_key(cls, key: str) -> FiscalYear:
        """The fiscal year of a catalog key as produced by `key` ("R8", "H30", "FY1985")."""
        match = re.fullmatch(r"([RH])([1-9][0-9]*)|FY([0-9]{4})", key)
        if match is None:
            raise FiscalYearError(t.FY_BAD_KEY.format(key=key))
        era, number, western = match.groups()
        if western is not None:
            return cls(int(western))
        return _from_era(era, int(number))

    def __str__(self) -> str:
        return self.label


def reiwa_label(year: int) -> str:
    """The Reiwa name of the fiscal year starting in Western `year`: 2026 → "令和8年度", 2019 → "令和元年度"."""
    if year < _REIWA_START:
        raise FiscalYearError(t.FY_BEFORE_REIWA.format(year=year))
    return t.FY_REIWA.format(n=_era_number(year - _ERA_OFFSET['R']))


def fiscal_year_of(moment: date | datetime, tz: str = DEFAULT_TZ) -> FiscalYear:
    """The fiscal year a date or moment falls in.

    An aware datetime is first converted to `tz` (so 2026-03-31T16:00Z, 01:00 JST on April 1, is
    FY2026); a naive datetime is taken as wall-clock time in `tz`; a date is taken as it is.
    """
    day = _local_date(moment, tz)
    return FiscalYear(day.year if day.month >= FIRST_MONTH else day.year - 1)


def parse_fiscal_year(text: str, today: date | datetime | None = None) -> FiscalYear:
    """Read a whole text as a fiscal year.

    Accepts "R8", "r8", "Ｒ８", "R8年度", "令和8年度", "令和8", "令和元年度", "2026年度", "FY2026",
    "2026", "H30", "平成30年度" and the words 今年度・本年度・昨年度・前年度・来年度・次年度 (and
    一昨年度・再来年度・当年度・翌年度), which need `today`. Full-width characters and surrounding
    spaces are allowed. Raises FiscalYearError for anything else.
    """
    normalized = _normalize(text)
    for pattern, convert in _WHOLE_FORMS:
        match = pattern.fullmatch(normalized)
        if match is not None:
            return convert(match, today)
    raise FiscalYearError(t.FY_UNREADABLE.format(text=text.strip(), forms=ACCEPTED_FORMS))


def find_fiscal_year(text: str, today: date | datetime) -> FiscalYear | None:
    """The first fiscal-year expression inside a sentence, or None if there is none.

    Finds 令和7年度・令和7・R7・H30・FY2025・2025年度 and the relative words (昨年度, 来年度, ...).
    Numbers that are not years ("No.34", "34番", "1,700名", a bare "2025", "令和7年4月1日",
    "R7.4.1") are not read as fiscal years.
    """
    normalized = _normalize(text)
    for match in _SENTENCE_PATTERN.finditer(normalized):
        found = _convert_sentence_match(match, today)
        if found is not None:
            return found
    return None


# --- helpers -------------------------------------------------------------------------------------


def _era_number(number: int) -> str:
    return t.FIRST_YEAR if number == 1 else str(number)


def _from_era(era: str, number: int) -> FiscalYear:
    """The fiscal year of era `era` ("R" or "H") year `number`."""
    if number < 1 or (era == "H" and number > _HEISEI_LAST):
        raise FiscalYearError(t.FY_NO_SUCH_YEAR.format(era=t.ERA_NAMES[era], number=number))
    return FiscalYear(_ERA_OFFSET[era] + number)


def _era_year(prefix: str, number: str) -> FiscalYear:
    return _from_era(_ERA_PREFIX[prefix], 1 if number == GANNEN else int(number))


def _relative(word: str, today: date | datetime | None) -> FiscalYear:
    if today is None:
        raise FiscalYearError(t.FY_NEEDS_TODAY.format(word=word))
    return FiscalYear(fiscal_year_of(today).year + _RELATIVE[word])


def _local_date(moment: date | datetime, tz: str) -> date:
    if isinstance(moment, datetime):
        if moment.tzinfo is not None and moment.utcoffset() is not None:
            moment = moment.astimezone(ZoneInfo(tz))
        return moment.date()
    if isinstance(moment, date):
        return moment
    raise TypeError(f"expected a date or datetime, not {type(moment).__name__}")


def _normalize(text: str) -> str:
    """Full-width to half-width (NFKC, also ㋿ → 令和), upper case, no surrounding spaces."""
    if not isinstance(text, str):
        raise TypeError(f"expected a str, not {type(text).__name__}")
    return unicodedata.normalize("NFKC", text).strip().upper()


_Converter = Callable[[re.Match[str], date | datetime | None], FiscalYear]
_RELATIVE_ALTERNATION = "|".join(sorted(_RELATIVE, key=len, reverse=True))

_WHOLE_FORMS: list[tuple[re.Pattern[str], _Converter]] = [
    (
        re.compile(r"(令和|平成|R|H)\s*(元|[0-9]+)\s*(?:年度)?"),
        lambda m, _today: _era_year(m.group(1), m.group(2)),
    ),
    (
        re.compile(r"(?:FY\s*([1-9][0-9]{3})|([1-9][0-9]{3})\s*年度|([1-9][0-9]{3}))"),
        lambda m, _today: FiscalYear(int(m.group(1) or m.group(2) or m.group(3))),
    ),
    (
        re.compile(_RELATIVE_ALTERNATION),
        lambda m, today: _relative(m.group(0), today),
    ),
]

# Inside a sentence, a form must stand on its own: "R7" but not "HR7", "R7.4.1" (a date), "H2O";
# 令和7 and R7 but not 令和7年4月 or H27年 (dates); a 4-digit year only with FY or 年度, never after a digit,
# a comma or a point (so "1,700名" and "No.2025" stay numbers).
_SENTENCE_PATTERN = re.compile(
    r"(?P<era>令和|平成)\s*(?P<era_number>元|[0-9]+)(?![0-9])(?:\s*年度|(?!\s*年))"
    r"|(?<![A-Z0-9])(?P<letter>[RH])\s*(?P<letter_number>[0-9]{1,2})(?![0-9A-Z])(?![./\-][0-9])"
    r"(?:\s*年度|(?!\s*年))"
    r"|(?<![A-Z0-9])FY\s*(?P<fy>[0-9]{4})(?![0-9])"
    r"|(?<![0-9,.])(?P<western>[1-9][0-9]{3})\s*年度"
    rf"|(?P<relative>{_RELATIVE_ALTERNATION})"
)


def _convert_sentence_match(match: re.Match[str], today: date | datetime) -> FiscalYear | None:
    """The fiscal year of one match of `_SENTENCE_PATTERN`, or None if its number is out of range."""
    groups = match.groupdict()
    try:
        if groups["era"] is not None:
            return _era_year(groups["era"], groups["era_number"])
        if groups["letter"] is not None:
            return _era_year(groups["letter"], groups["letter_number"])
        if groups["relative"] is not None:
            return _relative(groups["relative"], today)
        return FiscalYear(int(groups["fy"] or groups["western"]))
    except FiscalYearError:
        return None
