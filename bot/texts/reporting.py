"""Wording of reporting outside the dialog file: achievement explained, the report dialog's cards
and echoes, the names of days, and how a reporter is named."""

from __future__ import annotations

from bot.texts.labels import STATUS

# --- achievement (kept with each actual as achievement_method.text, read in results) -----------------

RULE_WORDS = {"at_least": "以上", "at_most": "以下", "exactly": "ちょうど"}
TARGET_WITHOUT_NUMBER = "数値のない目標"
NO_TARGET = "目標なし"
NOT_JUDGED = "目標に数値がないため自動判定していません({shown})。"
UNIT_MISMATCH = "単位「{unit}」が目標の「{target}」と異なるため判定していません。"
BY_POINTS = "実績 {actual} − 目標 {goal} = {points}ポイント → {verdict}(率はポイント差で比較、目標{rule}で達成)"
AGAINST_ZERO = "実績 {actual}(目標 0)→ {verdict}"
BY_RATIO = "達成率 {rate}(実績 {actual} ÷ 目標 {goal})→ {verdict}"
MARGIN_LEFT = "目標まで{margin}の余裕"
MARGIN_OVER = "目標を{margin}上回る"
AT_MOST = "実績 {actual}(目標 {goal} {rule})→ {verdict}({detail})"
MARGIN_NONE = "目標の値ちょうどで、{rule}ではありません"
NO_TARGET_THIS_YEAR = "この年度の数値目標がないため、達成率は出していません。"
SKIPPED = "{label}のため、達成率は出していません。"
EXACTLY = "実績 {actual}(目標 {goal} を維持)→ {verdict}(差 {difference})"

# --- days and people ---------------------------------------------------------------------------------

WEEKDAYS = "月火水木金土日"
DAY = "{month}月{day}日({weekday})"
DATE = "{month}月{day}日"
DATE_TIME = "{month}月{day}日 {time}"
PERSON = "{name}さん"

# --- the report dialog's cards, choices and echoes -------------------------------------------------

NO_NUMERIC_TARGET = "数値目標なし"
NO_UNIT = "単位なし"
NO_PLAN_TEXT = "(計画の記載なし)"
ACTUAL_NO_TARGET = "({target})"
AGAINST = "{metric} {actual} / 目標 {target}"
JOIN_FIGURES = "、"
NO_TEXT = "(記載なし)"
UNANSWERED = "(未回答)"
STATE_MARK = {"draft": "(下書きあり)", **{code: f"({STATUS[code]})" for code in ("submitted", "approved", "returned")}}
OWN_MEASURES_TITLE = "{department}の取組({fy})"
CARD_PLAN = "計画: {text}"
CARD_TARGETS = "目標: {targets}"
CARD_JOINT = "共同: {departments}"
FIELD_FY = "年度"
FIELD_DEPARTMENT = "担当"
FIELD_PLAN = "計画"
FIELD_TARGET = "目標 {metric}"
FIELD_PROGRESS = "取組状況"
FIELD_RESULT = "実施結果"
FIELD_ACTUAL = "実績値"
FIELD_BASIS = "見込み/確定"
FIELD_RATING = "自己評価"
BACK_TO_SUMMARY = "修正せず確認に戻る"
ACTUAL_LINE = "{metric}: {shown}"
ACTUAL_TYPED = "(入力: {typed})"
ACTUAL_TARGET = " / 目標 {target}"
ACTUAL_UNANSWERED = "{metric}: " + UNANSWERED
NEXT_REVISION = "提出すると第{next}版になります(第{revision}版も記録に残ります)。"
APPROX = "約"
ACCEPTED = "{metric}: {shown}"
CONVERTED = "({typed}を{unit}に換算)"
ACCEPTED_END = " として受け付けました。"
CONFIRM_DOUBT = "{doubt}\nこの値({shown})で登録してよろしいですか?"
