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

# --- pieces (render.py) ---------------------------------------------------------------------------

DIRECTION = {"at_least": "以上", "at_most": "以下", "exactly": ""}
COMPARISONS = ("以上", "以下", "未満", "超")  # a qualifier starting with one of these is the comparison
MOMENT = "{year}年{month}月{day}日 {time}"
RATE = "達成率 {rate}"
POINTS = "目標との差 {points}ポイント"
JOIN_ACHIEVEMENT = "・"
JOIN_NAMES = "、"
PLAN_BLANK = "計画書では空欄です"
PLAN_LOST = "計画書から読み取れません"
PLAN_NONE = "計画書に記載がありません"
MORE_LINES = "…ほか{n}行"
MEASURE_CHOICE = "No.{no}の{label}"
ASK_OVERVIEW = "No.{no}について"
ASK_TARGET = "No.{no}の目標は?"
ASK_PLAN = "No.{no}の計画は?"
ASK_RESULTS = "No.{no}の進捗は?"
ASK_OWNERS = "No.{no}の担当課は?"
ASK_YEAR_RESULTS = "No.{no}の{fy}の実績は?"
ASK_DEPARTMENT = "{department}の取組は?"
ASK_DEPARTMENT_RESULTS = "{department}の進捗は?"
REPORT_COMMAND = "報告 {no}"
LABEL_OVERVIEW, LABEL_TARGET, LABEL_PLAN, LABEL_RESULTS, LABEL_OWNERS = "概要", "目標", "計画", "進捗", "担当課"
LABEL_DEPARTMENT = "{department}の取組"
LABEL_YEAR_RESULTS = "{fy}の結果"
LABEL_REPORT = "No.{no}を報告する"
NUMERIC_FLAG = "【数値目標】"
OWNERS_LINE = "担当: {owners}"
NO_OWNER = "未設定"
SUMMARY_LINE = "概要: {summary}"
VISION_LINE = "めざす姿: {vision}"
YEAR_TARGET_LINE = "{fy}の目標: {targets}"
YEAR_TARGET_HEAD = "{fy}の目標:"
YEAR_PLAN_LINE = "{fy}{mark}の実施計画: {plan}"
YEAR_PLAN_HEAD = "{fy}{mark}の実施計画:"
THIS_YEAR_MARK = "(今年度)"
PLAN_SAYS = "(実施計画の記載: {plan})"
SERIES_LINE = "各年度の目標: {series}"
BULLET = "・{text}"
OWNERS_UNKNOWN = ("{head} の担当課は、計画書から読み取れないため、まだ決まっていません。",
                  "{coordinator}が担当課を割り当てます。")
OWNERS_ONE = "{head} の担当課は{department}です。"
OWNERS_JOINT = "{head} の担当課は{departments}です(共同で担当)。"
NOT_NUMERIC = "この取組には数値目標がありません。"
RESULTS_HEAD = "{fy}の実施結果"
DEPARTMENT_STATE = "■{department}: {state}。"
NOT_REPORTED = "まだ報告されていません"
REPORT_HEAD = "■{department}({status}{revision})"
REVISION_MARK = "・第{revision}版"
RESULT_TEXT_LINE = "実施結果: {text}"
PROGRESS_PART = "進捗: {progress}"
RATING_PART = "自己評価: {rating}"
ACTUAL_LINE = "実績: {actual}"
AGAINST_TARGET = " / 目標 {target}"
ARROW = " → {done}"
REPORTED_BY = "報告: {who}({when})"
WHEN_UNKNOWN = "日時不明"
NO_CATALOG = "計画の取組がまだ登録されていません。管理者に `kaikaku init` の実行を依頼してください。"
NOT_FOUND = "No.{no} の取組はありません。取組の番号は No.{first}〜No.{last} です。"
OUTSIDE_PLAN = "{fy}は計画期間({first}〜{last})の外のため、目標や実施計画はありません。"

# --- lists (render_lists.py) ----------------------------------------------------------------------

ITEM = "・No.{no} {title}{flag}"
ITEM_DETAIL = "・No.{no} {title}: {detail}"
ITEM_TARGETS = "・No.{no} {targets}"
ITEM_OWNERS = "・No.{no} {title}{flag}({owners})"
NO_NUMERIC_TARGET = "数値目標なし"
DEPARTMENT_NONE = "{department}が担当する取組は、この計画にはありません。"
DEPARTMENT_TARGETS = "{department}の取組({count}件)の{fy}の目標"
DEPARTMENT_PLANS = "{department}の取組({count}件)の{fy}の実施計画"
DEPARTMENT_COUNT = "{department}の取組は{count}件です。"
DEPARTMENT_RESULTS = "{department}の{fy}の報告状況: {count}件中{done}件提出済み"
ACTUAL_PART = " / {actual}"
LABEL_MEASURE_TARGET = "No.{no}の目標"
LABEL_MEASURE_PLAN = "No.{no}の計画"
LABEL_MEASURE_RESULTS = "No.{no}の進捗"
SEARCH_NONE = "「{keyword}」に当てはまる取組は見つかりませんでした。"
SEARCH_COUNT = "「{keyword}」に関する取組は{count}件です。"
SEARCH_MORE = "…ほか{more}件(言葉を足すと絞り込めます)"
SEARCH_TARGETS = "{head}{fy}の目標:"
SEARCH_PLANS = "{head}{fy}の実施計画:"
SEARCH_STATES = "{head}{fy}の報告状況:"
SEARCH_STATE = "{department} {state}"
NO_OWNER_SET = "担当課未設定"
SEARCH_ASK = {"results": "の進捗は?", "owners": "の担当課は?", "other": "について"}
NUMERIC_TARGETS_HEAD = "数値目標のある取組は{count}件です({fy}の目標)。"
NUMERIC_RESULTS_HEAD = "数値目標のある取組({count}件)の{fy}の達成状況: 実績報告 {reported}件"
NOT_REPORTED_ITEM = "・No.{no} {title}: {goal}: 未報告"
NUMERIC_ACTUAL = "・No.{no} {actual}{who} / {goal}{done}"
GOAL = "目標 {target}"
NO_GOAL = "目標なし"
WHO = "({department})"
LABEL_ACHIEVEMENT = "達成状況"
LABEL_NUMERIC_STATUS = "数値目標の達成状況"
ASK_NUMERIC_STATUS = "数値目標の達成状況は?"
STATUS_HEAD = "{fy}の報告状況({moment}時点)"
STATUS_RATE = "回答率 {rate}(取組と担当課の組 {total}件中 {submitted}件が提出済み)"
STATUS_APPROVAL = "承認率 {rate}({approved_label} {approved}件・{submitted_label} {submitted}件・{returned_label} {returned}件)"
STATUS_RETURNED = "、うち{label} {count}件"
STATUS_DONE = "提出を終えた課: {done}課 / {total}課"
STATUS_PENDING_HEAD = "未提出の取組がある課({count}課):"
STATUS_PENDING_LINE = "・{department} {count}件({nos}{drafts})"
STATUS_DRAFTS = "、うち作成中 {count}件"
STATUS_ALL_DONE = "すべての課が提出済みです。"
STATUS_UNASSIGNED = "担当課が未設定の取組: {nos}"
LABEL_DEPARTMENT_STATUS = "{department}の状況"
NO = "No.{no}"
ASK_PENDING = "未提出の課は?"
ASK_STATUS = "状況"

# --- questions back, help (render_help.py) --------------------------------------------------------

EXAMPLE_NO = 34
EXAMPLE_DEPARTMENT = "危機管理課"
EXAMPLE_KEYWORD = "防災"
AMBIGUOUS_NUMBER = "「{no}」は {head} のことでしょうか。知りたいことを選んでください。"
DEPARTMENT_OR_SEARCH = "「{word}」は{department}のことでしょうか。それとも「{word}」を含む取組をお探しですか。"
DEPARTMENTS_OR_SEARCH = "「{word}」に当てはまる課が複数あります。どの課か、または「{word}」を含む取組の検索かを選んでください。"
DEPARTMENTS = "「{word}」に当てはまる課が複数あります。どの課でしょうか。"
LABEL_SEARCH = "「{word}」で検索"
ASK_SEARCH = "「{word}」を検索"
NEED_WORD = {"target": "目標", "plan": "計画", "owners": "担当課", "other": "内容"}
NEED_MEASURE = "どの取組の{word}でしょうか。番号や言葉を添えてお尋ねください(例: No.{no}の{word}は?)。"
LABEL_NEED = "No.{no}の{word}"
ASK_NEED = "No.{no}の{word}は?"
LABEL_NUMERIC_LIST = "数値目標の一覧"
GREETING = "kaikaku-bot です。取組の目標や報告の状況をお答えします。"
NOT_UNDERSTOOD = "ご質問を読み取れませんでした。"
EXAMPLES = (
    "次のようにお尋ねください。",
    "・取組の番号で: No.{no}の目標は? / No.{no}の進捗は? / No.{no}の担当課は?",
    "・年度を添えて: No.{no}の令和7年度の計画は?",
    "・課の名前で: {department}の取組は?",
    "・言葉で探す: {keyword}",
    "・報告の状況: 未提出の課は?",
)
NO_DEPARTMENT_OF_MEMBER = (
    "あなたの課がまだ登録されていないため、どの課かわかりません。"
    "課の名前を添えてお尋ねください(例: 危機管理課の取組は?)。"
)
TOO_MANY = "一度にお答えできるのは{shown}件までです({asked}件のうち最初の{shown}件にお答えしました)。"
ASKED = {"target": "の目標", "plan": "の計画", "results": "の進捗", "other": "の取組"}
ASK_SUFFIX = "は?"
