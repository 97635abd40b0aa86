"""The shape of a plan catalog: what the reviewed data file holds and what the parser produces.

One `MeasureEntry` per measure. The reviewed file (``bot/catalog/data/catalog/*.yaml``) is the source of
truth for the plan; the parser produces the same shape from a plan document, plus warnings.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

FY_KEYS = ("R5", "R6", "R7", "R8")
Direction = Literal["at_least", "at_most", "exactly"]
Resource = Literal["ヒト", "カネ", "モノ", "情報"]


class Target(BaseModel):
    """A numeric yearly target of a 【数値目標】 measure."""

    model_config = ConfigDict(extra="forbid")

    fy: str  # "R5".."R8"
    metric: str
    value: Decimal | None = None  # None: a comparison without a number (中核市平均以下)
    unit: str | None = None  # 名, 件, %, 千円, t, 地区 ...
    direction: Direction = "at_least"
    qualifier: str | None = None  # 累計, 令和6年度まで, 未満, 中核市平均以下, H25比 ...
    text: str | None = None  # the words of the plan cell the target was read from


class Correction(BaseModel):
    """One traceable correction of the source: what the text said and what it means."""

    model_config = ConfigDict(extra="forbid")

    field: str  # title, departments, summary, vision, plans.R7, targets.R8, ...
    source: str  # the damaged text, as it stands in the document
    reading: str  # what it means
    note: str | None = None  # why (OCR glyph, split cell, shifted cell, ...)


class MeasureEntry(BaseModel):
    """One measure of the plan as a coordinator signs it off."""

    model_config = ConfigDict(extra="forbid")

    no: int
    title: str
    numeric_goal: bool = False
    departments: list[str] = Field(default_factory=list)  # in the document's order; [] = unassigned
    policy: str | None = None  # 方針 heading the measure stands under
    section: str | None = None  # ①.. sub-heading
    summary: str | None = None  # 概要
    vision: str | None = None  # めざす姿
    related_plans: list[str] = Field(default_factory=list)  # 関連計画
    resources: list[Resource] | None = None  # 確保する行政資源 marked ○; None = unreadable
    plans: dict[str, str | None] = Field(default_factory=dict)  # 実施計画 by FY key; None = lost
    targets: list[Target] = Field(default_factory=list)
    missing: list[str] = Field(default_factory=list)  # fields the document lost: "plans.R8", ...
    no_target_reason: str | None = None  # a numeric-goal measure without targets for some year
    corrections: list[Correction] = Field(default_factory=list)
    notes: str | None = None
