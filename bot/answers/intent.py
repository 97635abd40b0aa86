"""What a question asks, as data: the parser's output and the dispatcher's input."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from bot.japanese.fiscal_year import FiscalYear


class Topic(Enum):
    MEASURE = "measure"  # one or more measures by No.
    DEPARTMENT = "department"  # a department's measures
    STATUS = "status"  # the reporting round: who has not submitted, response rate
    NUMERIC = "numeric"  # the numeric-goal measures
    SEARCH = "search"  # keyword search over the catalog
    AMBIGUOUS_NUMBER = "ambiguous_number"  # a bare "34"
    AMBIGUOUS_DEPARTMENT = "ambiguous_department"  # a word matching several departments
    NEED_MEASURE = "need_measure"  # "目標は?" without saying which
    GREETING = "greeting"  # こんにちは, ありがとう: a friendly word and the short help
    ROUND = "round"  # 締切はいつ?: the reporting round in words
    ACHIEVEMENT = "achievement"  # 達成した取組は? / 未達成の取組は?
    DECLINE = "decline"  # 金沢市長は誰?: not about the plan
    DID_YOU_MEAN = "did_you_mean"  # 危機管里課の取組は?: a department name misspelled
    NUMBER_ONLY = "number_only"  # １，６５２名 typed outside a report
    UNKNOWN = "unknown"


class Kind(Enum):
    """What about the topic; a question may ask several (`No.7の担当課と計画`)."""

    OVERVIEW = "overview"
    TARGET = "target"
    PLAN = "plan"
    OWNERS = "owners"
    RESULTS = "results"
    REPORTER = "reporter"  # 誰がNo.34を報告した?
    TREND = "trend"  # targets and actuals across the plan's years (No.34の推移)


@dataclass(frozen=True)
class Question:
    topic: Topic
    kinds: tuple[Kind, ...] = ()
    numbers: tuple[int, ...] = ()
    fys: tuple[FiscalYear, ...] = ()  # as asked, in order; empty: the answer's default year
    departments: tuple[str, ...] = ()  # canonical names (several: ambiguous)
    keyword: str | None = None
    own_department: bool = False  # "うちの課"
    achieved: bool | None = None  # ACHIEVEMENT: 達成 (True) or 未達成 (False)

    @property
    def kind(self) -> Kind | None:
        return self.kinds[0] if self.kinds else None
