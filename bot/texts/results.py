"""Words of the results workbook, its CSV, the import of earlier years and the trend (No.34の推移)."""

# --- the workbook ---------------------------------------------------------------------------------

SHEET_RESULTS = "実施結果"
SHEET_SUMMARY = "集計"

COLUMNS = (
    ("no", "No."),
    ("title", "取組項目"),
    ("department", "担当課"),
    ("plan", "実施計画"),
    ("target", "目標"),
    ("actual", "実績"),
    ("rate", "達成率"),
    ("met", "達成状況"),
    ("progress", "取組状況"),
    ("result_text", "実施結果"),
    ("rating", "自己評価"),
    ("status", "状況"),
    ("reporter", "報告者"),
    ("reported_on", "報告日"),
    ("approver", "承認者"),
    ("approved_on", "承認日"),
    ("return_comment", "差戻し理由"),
)
"""The 実施結果 sheet's columns (key, header), in the plan's order; the CSV has the same."""

TITLE = "{fy} 行政改革実施計画 実施結果"
HEADER_FOOTER = "{fy} &A　&P / &N ページ"  # &A: the sheet (実施結果, 集計, a department)

DIRECTION = {"at_least": "以上", "at_most": "以下", "exactly": ""}
"""A target's direction in words, after its value (1,700名以上, 10%未満 comes from the qualifier)."""

COMPARISONS = ("以上", "以下", "未満", "超")
"""A qualifier that already says the direction (10%未満): the value is not followed by 以上/以下."""
NOT_JUDGED = "判定対象外"
NO_DEPARTMENT = "(担当課未設定)"
NO_PLAN = "(計画書に記載なし)"
POINTS = "{points}ポイント"
PLAN_TARGET_MISSING = "(目標の記載なし)"

REPORTER_IMPORTED = "取り込み({source})"
REPORTER_UNKNOWN = "(登録のない利用者)"

SUMMARY_BY_DEPARTMENT = "課ごとの回答・承認状況"
SUMMARY_COLUMNS = ("担当課", "取組数", "回答率", "承認率")
"""The 集計 sheet's department table: name, count, then one column per status (labels.STATUS),
then the two rates."""
SUMMARY_TOTAL = "合計"
SUMMARY_TARGETS = "数値目標の達成状況"
SUMMARY_TARGET_COLUMNS = ("No.", "取組項目", "担当課", "指標", "目標", "実績", "達成率", "達成状況")
SUMMARY_NOTE = "回答率 = 提出済・承認済・差戻しの件数 ÷ 取組数(共同の取組は課ごとに1件)。承認率 = 承認済 ÷ 取組数。"

# --- the command line -----------------------------------------------------------------------------

EXPORTED = "{fy}の実施結果 {count}行を {path} に書き出しました。"
BAD_FORMAT = "--format は {formats} のいずれかです(指定: {given})。"
OUTSIDE_PLAN = "{fy}は計画の期間({first}〜{last})の外です。--fy には {first}〜{last} のいずれかを指定してください。"
BY_DEPARTMENT_XLSX_ONLY = "--by-department は --format xlsx のときだけ使えます。"

# --- import of earlier years ----------------------------------------------------------------------

IMPORT_APPROVED_WORDS = ("承認済", "承認済み")
"""A 状況 cell that keeps an imported report approved (the label of today or of earlier exports)."""
IMPORT_ROW_ERROR = "{row}行目「{column}」: {reason}"
IMPORT_FAILED = "取り込みを中止しました(変更はありません)。{count}件の問題があります:"
IMPORT_DRY_RUN = "確認のみ(--dry-run): {count}件を取り込めます。変更はしていません。"
IMPORT_DONE = "{fy}の実施結果 {count}件を取り込みました(取り込み元: {source})。"
IMPORT_UNCHANGED = "うち{count}件は同じ内容がすでにあるため変更していません。"
IMPORT_NOT_READABLE = "{path} を読めません: {reason}"
IMPORT_UNKNOWN_TYPE = "{path} は CSV(.csv)か Excel(.xlsx)のファイルを指定してください。"
IMPORT_MISSING_COLUMNS = "必要な列がありません: {columns}(書き出し(kaikaku results export)と同じ見出しにしてください)。"
IMPORT_ENCODING_UNKNOWN = "文字コードを判別できません(UTF-8 または Shift_JIS で保存してください)"
IMPORT_NO_FILE = "ファイルがありません"
IMPORT_EMPTY = "{path} に取り込む行がありません。"

ERR_NO = "取組番号を数字で書いてください(「{value}」)。"
ERR_NO_MEASURE = "No.{value} は計画にありません。"
ERR_DEPARTMENT = "課「{value}」は No.{no} の担当課ではありません(担当: {expected})。"
ERR_DEPARTMENT_EMPTY = "担当課が空です(No.{no} の担当: {expected})。"
ERR_UNASSIGNED = "No.{no} は担当課が未設定です。先に kaikaku catalog assign で割り当ててください。"
ERR_PROGRESS = "取組状況は {allowed} のいずれかです(「{value}」)。"
ERR_ACTUAL = "実績を数値として読めません(「{value}」): {reason}"
ERR_ACTUAL_NO_TARGET = "No.{no} には{fy}の数値目標がないため、実績の数値は取り込めません(「{value}」)。"
ERR_ACTUAL_LINES = "実績の行数({given})が{fy}の数値目標の数({expected})と合いません。"
ERR_RATING = "自己評価は {allowed} のいずれかです(「{value}」)。"
ERR_DUPLICATE = "No.{no} {department} の行が{first}行目と重複しています。"
ERR_REPORTED_IN_CHAT = (
    "No.{no} {department} はこの年度にチャットで報告済みです。取り込みでは上書きしません(報告の修正は「報告 {no}」で)。"
)

# --- the trend (No.34の推移は?) and the digest's trend lines -------------------------------------

TREND_HEAD = "No.{no} {title}の推移"
TREND_LINE = "{fy}: 目標 {target} / 実績 {actual}"
TREND_NO_ACTUAL = "未報告"
TREND_NO_TARGET = "目標なし"
TREND_FOOT = "※{years}の実績は、過去の記録から取り込んだものです。"
TREND_NOT_NUMERIC = (
    "No.{no} {title}には数値目標がないため、推移はありません。各年度の計画は「No.{no}の計画」でご覧いただけます。"
)
TREND_UNKNOWN = "No.{no} は計画にありません(取組は No.1〜No.{last} です)。"
DIGEST_TREND_HEAD = "数値目標の推移(過去の年度の実績があるもの):"
DIGEST_TREND_LINE = "・No.{no} {metric}: {series}"
DIGEST_TREND_POINT = "{fy} {actual}"
