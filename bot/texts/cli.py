"""Wording of the `kaikaku` command: help, what each command prints, and its polite errors."""

from __future__ import annotations

# --- help ------------------------------------------------------------------------------------------

HELP_APP = "kaikaku-bot: 行政改革実施計画の進捗報告ボット"
HELP_CATALOG = "計画カタログ: export / import / assign"
HELP_MEMBERS = "チャットアカウントと課の登録"
HELP_RESULTS = "実施結果の書き出し: export"
HELP_LINE = "LINE: 今月のプッシュ送信数と上限"
HELP_QUESTION = "質問(例: 「No.34の目標は?」)"
HELP_ASK_USER = "誰として尋ねるか: console のユーザーID、または platform:ID(例: slack:U0123)"
HELP_PLAN_TEXT = "計画書のテキスト(シードと同じ形式)"
HELP_MONTH = "YYYY-MM(省略時は今月)"
HELP_DEPARTMENT = "課の名前"
HELP_OLDER_THAN = "この日数より前の記録を削除します(1以上)"
HELP_PURGE_DRY_RUN = "削除せず、対象の件数だけを表示します"
HELP_FY = "R8 / 令和8年度 / 2026 / FY2026"
HELP_OUT = "書き出すファイル(省略時は標準出力、xlsx は results-R8.xlsx)"
HELP_AT = "この時刻として実行(ISO 8601、例 2027-02-01T09:00+09:00)"
HELP_DRY_RUN = "送らずに、送る予定の内容を表示"
HELP_FORMAT = "text または json"
HELP_RECIPIENT = "この宛先(ユーザーID)の分だけ"
HELP_TEXT = "本文も表示(コンソールの利用者向け)"

# --- errors ----------------------------------------------------------------------------------------

NO_DATABASE = "データベースが初期化されていません。先に `kaikaku init` を実行してください。"
UNKNOWN_DEPARTMENT = "課「{name}」はカタログにありません。{hint}"
NEAR_NAMES = " 近い名前: {names}"
NOT_YET = "`kaikaku {name}` はまだ利用できません。"
ASK_EMPTY = "質問を指定してください(例: kaikaku ask \"No.34の目標は?\")。"
CHAT_NO_USER = "--user にユーザーIDを指定してください。"
ONE_OF = "--{option} は {choices} のいずれかです(指定: {given})。"
ONLY_JSON = "--format は json です(指定: {given})。"
BAD_MONTH = "--month は YYYY-MM の形で指定してください(指定: {given})。"
BAD_AT = "--at の日時「{text}」を読み取れませんでした。2027-02-01T09:00+09:00 のような形でご指定ください。"
FILE_NOT_FOUND = "ファイルが見つかりません: {file}"
NOT_UTF8 = "{file} は UTF-8 のテキストではありません。計画書のテキストを指定してください。"
NOT_A_PLAN = "{file} は計画書として読み取れません: {error}"

# --- what the commands print ------------------------------------------------------------------------

CHAT_START = "console:{user} としてボットと話します。「ヘルプ」で使い方、Ctrl-D で終了します。"
INIT_DONE = "データベースを準備しました: 取組 {n}件を読み込みました。"
INIT_UNASSIGNED = "担当課が未設定の取組: {nos}(`kaikaku catalog assign` で設定できます)"
CATALOG_TITLE = "行政改革実施計画({first}~{last})"
CATALOG_BUNDLED = "同梱の計画書と同じ内容のため、確認済みカタログを読み込みます。"
CATALOG_LOADED = "{title}: 取組 {n}件を読み込みました。"
CATALOG_ALL_ASSIGNED = "担当課が未設定の取組はありません。"
CATALOG_ASSIGNED = "No.{no} {title} の担当課: {departments}"
MEMBER_ADDED = "{platform}:{user} を {department}({role})に登録しました。"
INVITE_CODE = "登録コード: {code}"
INVITE_VALID = "{department}({role})用、1回限り、{until} まで有効です。"
INVITE_HOW = "本人がボット(LINE・Slack など)に「登録 {code}」と送ると登録されます。"
NO_MEMBERS = "登録されたメンバーはいません。"
RESULTS_SHEET = "実施結果"
RESULTS_BOOK_TITLE = "{fy} 実施結果"
RESULTS_WRITTEN = "{fy}の実施結果 {n}件を {path} に書き出しました。"
RESULTS_MET = {True: "達成", False: "未達成"}
RESULTS_COLUMNS = {
    "no": "No.", "fy": "年度", "department": "担当課", "title": "取組", "status": "状態",
    "progress": "取組状況", "result_text": "実施結果", "rating": "自己評価",
    "metric": "指標", "value": "実績値", "unit": "単位", "typed": "入力", "basis": "見込み/確定",
    "rate": "達成率", "met": "達成", "method": "算定方法",
    "reported_by": "報告者", "reported_at": "報告日時", "revision": "版",
}
"""The results export's column headings, in order."""

# --- kaikaku remind / digest / deliver / outbox -------------------------------------------------------

SENT = "送信: {n}件"
RETRYING = "、再送待ち: {n}件"
FAILED = "、送信できず: {n}件"
REROUTED = "、別の連絡先へ: {n}件"
SENT_HINT = "(詳しくは `kaikaku outbox`)"
OUTSIDE_ROUND = "{day}は報告期間外です。送る通知はありません。"
ROUND_PERIOD = "{fy}の報告期間: {open}〜{deadline}(締切)"
CLOSED_DAY = "{day}は閉庁日のため、通知は次の開庁日に送ります。"
NOTHING_TO_SEND = "送る通知はありません(送信済み、またはすべての課が提出済みです)。"
PLANNED = "[予定] "
UNREACHABLE = "連絡先が未登録のため通知できない課({n}課): {names}"
NO_DIGEST = ("送るダイジェストはありません(今週分は送信済み、報告期間外、閉庁日、または送信先が未登録です)。"
             "内容は `kaikaku digest --dry-run` で表示できます。")
NO_MESSAGES = "該当するメッセージはありません。"
OUTBOX_LINE = "{when} {status:<7} {attempts}回 {platform}:{recipient} {kind} {key}"
OUTBOX_CHOICES = "    選択肢: {choices}"
OUTBOX_CHOICE = "{label}(「{value}」と送信)"
