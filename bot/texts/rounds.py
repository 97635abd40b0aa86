"""The reporting round in words (bot/reporting/round_phase.py fills them in): answers, 状況, the report."""

from __future__ import annotations

ROUND_OPEN = "{fy}の報告の受付期間です。締切は{deadline}で、あと{left}営業日です(今日を含む)。"
ROUND_OPEN_LAST_DAY = "{fy}の報告の受付期間です。締切は今日、{deadline}です。"
ROUND_OPENED = "受付開始: {opens}"
ROUND_LATE = (
    "{fy}の報告の締切({deadline})を{days}日過ぎています。"
    "まだの報告は、できるだけ早く提出してください。"
)
ROUND_BEFORE = (
    "いまは報告の受付期間ではありません。次は{fy}の報告で、受付は{opens}から、締切は{deadline}です。"
)
ROUND_BEFORE_DRAFT = "いま「報告」で入力した内容は{fy}の報告として保存され、受付開始後も修正できます。"
ROUND_OVER = (
    "計画({first}〜{last})の最後の報告({last}分、締切{deadline})は終わりました。"
    "これから報告していただくものはありません。"
)
ROUND_PENDING = "{fy}の未提出: {missing}件(取組と担当課の組 {total}件中)"
ROUND_PENDING_OWN = "{department}の未提出: {nos}"
ROUND_ALL_DONE = "{department}の{fy}の報告はすべて提出済みです。"

DAY = "{year}年{month}月{day}日({weekday})"
WEEKDAYS = "月火水木金土日"
OUTSIDE_PLAN_REPORT = "{fy}は計画期間({first}〜{last})の外のため、報告はありません。"
