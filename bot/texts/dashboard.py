"""Everything the dashboard says: the chat replies that hand out sign-in links, and the pages."""

# --- chat: `ダッシュボード` -------------------------------------------------------------------
WORDS = {"ダッシュボード", "だっしゅぼーど", "dashboard"}
LINK = ("ダッシュボードを開くリンクです({minutes}分間、1回だけ使えます)。\n{url}\n"
        "リンクは他の人に転送しないでください。")
ONLY_DIRECT = "ダッシュボードのリンクは個別のメッセージでお送りします。ボットとの1対1のチャットで「ダッシュボード」と送ってください。"
NOT_CONFIGURED = "ダッシュボードはまだ設定されていません(PUBLIC_URL が未設定です)。{coordinator}にお問い合わせください。"

# --- pages: sign-in and refusals -----------------------------------------------------------------
APP_NAME = "行政改革 進捗ダッシュボード"
REFUSED_TITLE = "ページを開けません"
REVIEW_REFUSED_TITLE = "承認・差戻しできませんでした"
LINK_REFUSED = {
    "invalid": "このリンクは正しくありません。チャットで「ダッシュボード」と送り、新しいリンクを受け取ってください。",
    "used": "このリンクはすでに使われています。リンクは1回だけ使えます。チャットで「ダッシュボード」と送り、新しいリンクを受け取ってください。",
    "expired": "このリンクは有効期限が切れています。チャットで「ダッシュボード」と送り、新しいリンクを受け取ってください。",
    "unregistered": "このアカウントは課に登録されていません。登録してから、もう一度「ダッシュボード」と送ってください。",
}
SIGNED_OUT = "サインインしていません。ボットとの1対1のチャットで「ダッシュボード」と送ると、サインイン用のリンクが届きます。"
FORBIDDEN = "このページを見る権限がありません。表示できるのは、あなたの課(管理職は担当の課)の情報です。"
NOT_FOUND = "お探しのページは見つかりませんでした。"
CSRF_FAILED = "この操作は受け付けられませんでした(フォームの有効期限切れの可能性があります)。ページを開き直してから、もう一度お試しください。"
SIGN_OUT = "サインアウト"
SIGNED_OUT_DONE = "サインアウトしました。"
SKIP_TO_CONTENT = "本文へ移動"

# --- navigation ------------------------------------------------------------------------------------
NAV_OVERVIEW = "概要"
NAV_MEASURES = "取組一覧"
NAV_DEPARTMENTS = "課"
NAV_DOWNLOADS = "ダウンロード"
SIGNED_IN_AS = "{name}({department}・{role})"

# --- overview ------------------------------------------------------------------------------------
OVERVIEW_TITLE = "{fy} 実施結果の報告状況"
AS_OF = "{date} 時点"
RESPONSE_RATE = "回答率"
RESPONSE_DETAIL = "{answered:,} / {total:,} 件"
APPROVAL_RATE = "承認率"
APPROVAL_DETAIL = "全 {total:,} 件のうち承認 {approved:,} 件"
DAYS_LEFT = "締切まで"
DAYS_LEFT_VALUE = "{days}営業日"
DAYS_PAST = "締切後"
DAYS_PAST_VALUE = "{days}日経過"
DEADLINE_DETAIL = "締切 {deadline}"
BURNDOWN_TITLE = "未回答件数の推移"
BURNDOWN_ALT = "未回答件数の推移: 受付開始 {opens} に {total:,} 件、{today} 時点で {open:,} 件。締切は {deadline}。"
BURNDOWN_ACTUAL = "未回答(実績)"
BURNDOWN_IDEAL = "締切に間に合う目安"
BURNDOWN_TODAY = "今日"
BURNDOWN_DEADLINE = "締切"
LATE_TITLE = "遅れている課"
LATE_NOTE_BEFORE = "目安({pace})より回答率が低い課です。"
LATE_NOTE_AFTER = "締切を過ぎて、まだ対応が残っている課です(未着手・下書き・差戻し)。"
LATE_NONE = "遅れている課はありません。"
LATE_ITEM = "{name}: 未提出 {open} 件(回答率 {rate})"
GRID_TITLE = "課ごとの状況"
GRID_ITEM_ALT = "{name}: {parts}"
UNASSIGNED = "担当課が決まっていない取組: {nos}"

# --- measures ------------------------------------------------------------------------------------
MEASURES_TITLE = "取組一覧({fy})"
FILTER_DEPARTMENT = "課"
FILTER_STATUS = "状況"
FILTER_NUMERIC = "数値目標"
FILTER_NUMERIC_ONLY = "数値目標のある取組のみ"
FILTER_QUERY = "検索"
FILTER_QUERY_HINT = "番号・取組名・課名"
FILTER_ALL = "すべて"
FILTER_APPLY = "絞り込む"
FILTER_COUNT = "{shown} 件 / 全 {total} 件"
COL_NO = "No."
COL_TITLE = "取組"
COL_DEPARTMENTS = "担当課と状況"
COL_NUMERIC = "数値目標"
NUMERIC_MARK = "あり"
NO_MEASURES = "条件に合う取組はありません。"

# --- one measure -----------------------------------------------------------------------------------
MEASURE_TITLE = "No.{no} {title}"
PLAN_TITLE = "年度ごとの実施計画"
PLAN_MISSING = "(計画書に記載なし)"
TREND_TITLE = "数値目標と実績(令和5〜8年度)"
TREND_ALT = "{metric}: {points}"
TREND_POINT = "{fy} 目標 {target}・実績 {actual}"
TREND_TARGET = "目標"
TREND_ACTUAL = "実績"
TREND_NONE = "—"
NO_TARGETS = "この取組には数値目標がありません。"
REPORT_TITLE = "{fy}の報告"
REPORT_NONE = "まだ報告はありません。"
REPORT_FIELDS = {"progress": "進捗", "rating": "自己評価", "result": "実施結果", "actuals": "実績値",
                 "by": "報告者", "at": "報告日時", "revision": "版"}
REVISIONS_TITLE = "改訂履歴"
REVISION_ITEM = "第{revision}版・{status}・{who}・{when}"
HISTORY_TITLE = "承認の履歴"
HISTORY_NONE = "承認・差し戻しの記録はまだありません。"
APPROVE = "承認する"
RETURN = "差し戻す"
RETURN_COMMENT = "差し戻しの理由(担当者に届きます)"
REVIEW_DONE = {"approved": "承認しました。", "returned": "差し戻しました。"}
REVIEW_BACK = "No.{no}のページを開き直す"
"""Under a refused review (worded once for chat and dashboard: bot.texts.review.REFUSED)."""

# --- department ------------------------------------------------------------------------------------
DEPARTMENT_TITLE = "{name}"
DEPARTMENT_MEASURES = "担当の取組"
DEPARTMENT_MEMBERS = "登録されている人"
DEPARTMENT_NO_MEMBERS = "まだ誰も登録されていません。この課には通知が届きません。"
DEPARTMENT_MISSING = "まだ届いていないもの"
DEPARTMENT_NOTHING_MISSING = "すべての取組の報告が届いています。"
DEPARTMENT_NO_MANAGER = "管理職が登録されていません(承認は{coordinator}が行います)。"
DEPARTMENTS_TITLE = "課の一覧"

# --- downloads -------------------------------------------------------------------------------------
DOWNLOADS_TITLE = "ダウンロード({fy})"
DOWNLOAD_WORKBOOK = "実施結果(Excel ブック)"
DOWNLOAD_WORKBOOK_NOTE = "全取組 × 担当課の実施結果、実績値、承認状況。"
DOWNLOAD_CSV = "実施結果(CSV、UTF-8 BOM付き)"
DOWNLOAD_CSV_NOTE = "Excel でそのまま開けます。"
DOWNLOAD_SCOPE_NOTE = "ダウンロードできるのは、全課の結果を扱う{coordinator}の方です。"

# --- command line ----------------------------------------------------------------------------------
CLI_LINK_EXPIRES = "有効期限: {when}(1回だけ使えます)"
NO_NAME = "表示名未設定"
SIGN_IN_TITLE = "ダッシュボードにサインイン"
SIGN_IN_NOTE = "下のボタンを押すとサインインします。このリンクは1回だけ使えます。"
SIGN_IN_BUTTON = "サインインする"
KPI_LABEL = "主な数字"
LATE_COUNT = "残り {open}件・回答率 {rate}"
LATE_MORE = "ほか {n} 課"
LEGEND = "凡例"
REVISION_NO = "第{revision}版"
ACHIEVEMENT = "達成率 {rate}"
COL_PROGRESS = "回答率"
PLATFORM_LABELS = {"slack": "Slack", "line": "LINE", "console": "コンソール"}
NO_DEPARTMENT = "担当課が決まっていません"
NAV_LABEL = "メイン"
LIST_SEPARATOR = "、"
GRID_PART = "{label} {n}件"
WHEN = "{year}年{month}月{day}日 {hour}:{minute:02d}"
TREND_YEAR = "令和{reiwa}"
MEMBER_ITEM = "{name}({role}・{platform})"
HISTORY_ITEM = "{revision}・{who}・{when}"
CLI_NO_PUBLIC_URL = "PUBLIC_URL が設定されていません。ダッシュボードの公開URLを設定してください。"
CLI_NO_SECRET_KEY = "SECRET_KEY が設定されていません。"
CLI_UNREGISTERED = "{who} は登録されていません(kaikaku members list で確認できます)。"
CLI_HELP = "ダッシュボード: サインイン用リンクの発行"
