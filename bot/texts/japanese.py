"""Wording of the pure Japanese helpers (bot.japanese): how a fiscal year, a closed day and a
number are named, and the polite messages when a typed year or number cannot be read."""

from __future__ import annotations

# --- fiscal years ----------------------------------------------------------------------------------

FY_REIWA = "令和{n}年度"
FY_HEISEI = "平成{n}年度"
FY_WESTERN = "{year}年度"
ERA_NAMES = {"R": "令和", "H": "平成"}
FIRST_YEAR = "元"  # 令和元年度
FY_OUT_OF_RANGE = "{year}年度は扱える範囲({low}〜{high}年度)の外です。"
FY_BEFORE_REIWA = "{year}年度は令和より前の年度です。"
FY_BAD_KEY = "「{key}」は年度のキーではありません。R8 のような形でご指定ください。"
FY_UNREADABLE = "「{text}」を年度として読み取れませんでした。次のいずれかの形でご入力ください: {forms}。"
FY_ACCEPTED_FORMS = "R8、令和8年度、令和元年度、2026年度、FY2026、2026、H30・平成30年度、今年度・昨年度・来年度"
FY_NO_SUCH_YEAR = "{era}{number}年度という年度はありません。"
FY_NEEDS_TODAY = "「{word}」がどの年度かを決めるには今日の日付が必要です。"

# --- closed days -----------------------------------------------------------------------------------

CLOSED_SATURDAY = "土曜日"
CLOSED_SUNDAY = "日曜日"
CLOSED_YEAR_END = "年末年始"
CLOSED_EXTRA = "臨時閉庁日"

# --- numbers ---------------------------------------------------------------------------------------

NUMBER_EXAMPLE = "例: 1,650名 / 98.5% / 8億円"
NUMBER_UNCONVERTIBLE = "単位「{source}」は「{target}」に換算できません。"
NUMBER_WRONG_UNIT = "単位が目標と合いません。「{unit}」ではなく「{target}」で入力してください（例: {example}）。"
NUMBER_UNREADABLE_PART = "「{bad}」を数値として読み取れませんでした。数字で入力してください（{example}）。"
NUMBER_UNREADABLE = "数値を読み取れませんでした。数字で入力してください（{example}）。"
NUMBER_SEVERAL = "数値が複数あり（「{shown}」）、どれか判断できませんでした。1つだけ入力してください（{example}）。"
DOUBT_OVER_100 = "{shown}は100%を超えています。入力に誤りがないかご確認ください。"
DOUBT_NEGATIVE = "{shown}はマイナスの値です。入力に誤りがないかご確認ください。"
DOUBT_TEN_TIMES = "{shown}は目標（{goal}）の10倍以上です。桁や単位に誤りがないかご確認ください。"
DOUBT_TENTH = "{shown}は目標（{goal}）の10分の1以下です。桁や単位に誤りがないかご確認ください。"
