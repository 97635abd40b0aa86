"""Every sentence question answering says (bot/answers/render*.py fills them in).

Placeholders are filled with `str.format`; figures arrive formatted (1,700名, 令和8年度).
"""

from __future__ import annotations

# --- what a target is, or why there is none -------------------------------------------------------

TARGET_NONE = "{fy}の数値目標は計画に定められていません。"
TARGET_LOST = "{fy}の数値目標は、計画書の該当欄が失われていて読み取れないため、お答えできません。"
TARGET_BLANK = "{fy}の数値目標はありません(計画書の{fy}の欄は空欄です)。"
TARGET_OTHER_YEARS = "計画のほかの年度の目標: {targets}"
GAP_NONE = "{fy}の数値目標なし(計画に定めなし)"
GAP_LOST = "{fy}の数値目標は読み取れません(計画書の欄が失われています)"
GAP_BLANK = "{fy}の数値目標なし(計画書で空欄)"

# --- who reported ---------------------------------------------------------------------------------

REPORTER_TITLE = "{head}の{fy}の報告"
REPORTER_LINE = "・{department}: {who}が{when}に報告しました({status}・第{revision}版)。"
REPORTER_NONE = "・{department}: まだ報告されていません。"
REPORTER_DRAFT = "・{department}: 下書きがあります(まだ提出されていません)。"
UNNAMED_MEMBER = "表示名が未設定の方"
NO_OWNER_YET = "担当課が未設定のため、まだ報告されていません。"

# --- achieved / not achieved ----------------------------------------------------------------------

ACHIEVED_TITLE = "{scope}の{fy}に達成した数値目標({count}件)"
NOT_ACHIEVED_TITLE = "{scope}の{fy}に未達成の数値目標({count}件)"
ACHIEVED_NONE = "{scope}で、{fy}の実績が報告され{verdict}と判定された数値目標はまだありません。"
ACHIEVEMENT_LINE = "・No.{no} {title}({department}): {actual} / 目標 {target}"
CITY_WIDE = "全庁"
OWN_SCOPE_NOTE = "(あなたの課の分です。全庁の状況は管理職と{coordinator}の方がご覧になれます。)"

# --- declines and questions back ------------------------------------------------------------------

DECLINE = "申し訳ありません。「{said}」は行政改革プランの取組についてのご質問ではないようで、お答えできません。"
DECLINE_CAN = "お答えできるのは、プランの取組の目標・計画・担当課・報告の状況と、報告の締切です。"
DEPARTMENT_DID_YOU_MEAN = "「{said}」という課は見つかりませんでした。もしかして: {names}"
NUMBER_ONLY = (
    "「{said}」は数値として読み取りました。実績値の報告は「報告 {example}」のように始めると、"
    "取組ごとに順にお尋ねします。"
)
ELLIPSIS = "…"
