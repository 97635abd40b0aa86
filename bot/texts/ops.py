"""What the bot says to operators: start-up refusals, health, backup, the Slack manifest, the LINE
rich menu, and the command line's help (one language, Japanese, like everything else)."""

from __future__ import annotations

# --- start-up checks (serve, scheduler) -------------------------------------------------------------

COORDINATOR_UNKNOWN = (
    "COORDINATOR_DEPARTMENT の「{name}」という課はカタログにありません。{hint}"
    "取りまとめを行う課の正式名を設定してください。"
)
COORDINATOR_NEAR = "近い課: {names}。"
SCHEMA_MISSING = "データベースが初期化されていません。先に `kaikaku init` を実行してください。"
SCHEMA_BEHIND = (
    "データベースのスキーマが古いままです(現在: {current}、このバージョンが必要とするもの: {head})。"
    "`kaikaku init` を実行して移行してから起動してください。"
)
SCHEMA_AHEAD = (
    "データベースのスキーマ({current})を、このバージョンは知りません(新しい版で移行済みの可能性があります)。"
    "同じ版のプログラムで起動してください。"
)
SLACK_SECRET_MISSING = (
    "SLACK_BOT_TOKEN が設定されていますが、SLACK_SIGNING_SECRET がありません。"
    "Slack アプリの「Signing Secret」を設定するか、Socket Mode なら SLACK_APP_TOKEN を設定してください。"
)
SLACK_TOKEN_MISSING = (
    "SLACK_SIGNING_SECRET または SLACK_APP_TOKEN が設定されていますが、SLACK_BOT_TOKEN がありません。"
    "Slack アプリの「Bot User OAuth Token」(xoxb-…)を設定してください。"
)
LINE_SECRET_MISSING = (
    "LINE_CHANNEL_ACCESS_TOKEN が設定されていますが、LINE_CHANNEL_SECRET がありません。"
    "LINE Developers のチャネルシークレットを設定してください。"
)
LINE_TOKEN_MISSING = (
    "LINE_CHANNEL_SECRET が設定されていますが、LINE_CHANNEL_ACCESS_TOKEN がありません。"
    "LINE Developers でチャネルアクセストークン(長期)を発行して設定してください。"
)
REFUSED_TO_START = "起動を中止しました。"
SETTING_INVALID = "環境変数 {name} の値を使えません: {reason}"
SETTING_NOT_INT = "整数で指定してください。"
SETTING_NOT_DATETIME = "日時を ISO 8601 の形(例: 2027-02-03T10:00:00+09:00)で指定してください。"
SETTING_NOT_DATE = "日付を YYYY-MM-DD の形で、複数はカンマ区切りで指定してください。"
SETTING_NOT_CHOICE = "{choices} のいずれかを指定してください。"
SETTING_NOT_LIST = "JSON の配列(例: [\"S\", \"A\", \"B\"])で指定してください。"
SETTING_NOT_PAIR = "{count}個の数の JSON 配列(例: [2, 1])で指定してください。"

# --- /healthz ---------------------------------------------------------------------------------------

CLOCK_STALE = "clock: last heartbeat {age:.0f} s ago (limit {limit} s); is `kaikaku scheduler` running?"
DATABASE_DOWN = "database: {reason}"

# --- kaikaku backup ---------------------------------------------------------------------------------

BACKUP_DONE = "バックアップを書き出しました: {path}({size:,}バイト、報告 {reports:,}件)"
BACKUP_EXISTS = "{path} は既にあります。別の名前を指定するか、--force で上書きしてください。"
BACKUP_PG_DONE = (
    "pg_dump でバックアップを書き出しました: {path}({size:,}バイト)。"
    "復元(パスワードは環境変数 PGPASSWORD か ~/.pgpass で渡します): {restore}"
)
BACKUP_PG_NO_TOOL = (
    "PostgreSQL のバックアップには pg_dump を使います(このマシンには見つかりません)。"
    "次のように実行してください:\n{recipe}"
)
BACKUP_FAILED = "バックアップを書き出せませんでした: {reason}"

# --- kaikaku line richmenu --------------------------------------------------------------------------

RICHMENU_CREATED = "リッチメニューを作成し、既定に設定しました: {id}(画像: {image})"
RICHMENU_SHOW = "既定のリッチメニュー: {id}「{name}」 ボタン: {labels}"
RICHMENU_NONE = "既定のリッチメニューはありません。`kaikaku line richmenu create` で作成できます。"
RICHMENU_DELETED = "既定のリッチメニュー {id} を解除して削除しました。"
RICHMENU_NOT_CONFIGURED = "LINE_CHANNEL_ACCESS_TOKEN が設定されていません。LINE のチャネルアクセストークンを設定してください。"
RICHMENU_REFUSED = "LINE がリクエストを受け付けませんでした({status}): {message}"
RICHMENU_IMAGE_WRITTEN = "リッチメニューの画像を書き出しました: {path}(LINE には送っていません)"
# What the four areas say on the image, and the text each one sends (the chat words of INTERFACE.md).
RICHMENU_NAME = "kaikaku-bot メニュー"
RICHMENU_CHAT_BAR = "メニュー"
RICHMENU_BUTTONS = (("報告", "報告"), ("状況", "状況"), ("ダッシュボード", "ダッシュボード"), ("ヘルプ", "ヘルプ"))
RICHMENU_CAPTIONS = ("実施結果の報告", "課の提出状況", "一覧をブラウザで", "使い方")

# --- kaikaku slack manifest -------------------------------------------------------------------------

SLACK_APP_DESCRIPTION = "行政改革実施計画の実施結果を集め、締切前にお知らせし、質問に答えるボットです。"
SLACK_COMMAND_DESCRIPTION = "実施結果の報告、課の状況、計画についての質問"
SLACK_COMMAND_HINT = "報告 | 状況 | No.34の目標は?"
SLACK_MANIFEST_WHERE = "--url(公開する https の URL)か --socket-mode のどちらかを指定してください。"
SLACK_MANIFEST_NOT_HTTPS = "--url は https:// で始まる URL を指定してください(Slack は https にしか送りません): {url}"
RICHMENU_DRY_RUN_NEEDS_IMAGE = "--dry-run には --image で画像の書き出し先を指定してください。"

# --- the command line's help (kaikaku --help): one language ----------------------------------------
# Commands and options whose help is written in their modules in English get their Japanese here
# (bot/cli/help.py applies it); "" is the command itself. tests/test_cli_help.py fails on any
# command or option whose help has no Japanese.

CLI_VERSION_HELP = "バージョンを表示して終了します。"
CLI_BUILTIN_HELP = {
    "--help": "このヘルプを表示して終了します。",
    "--install-completion": "シェルの補完(Tab キー)を設定します。",
    "--show-completion": "シェルの補完スクリプトを表示します(手で設定するとき)。",
}
CLI_PANELS = {
    "OPTIONS_PANEL_TITLE": "オプション",
    "COMMANDS_PANEL_TITLE": "コマンド",
    "ARGUMENTS_PANEL_TITLE": "引数",
    "ERRORS_PANEL_TITLE": "エラー",
    "DEFAULT_STRING": "[既定: {}]",
    "REQUIRED_LONG_STRING": "[必須]",
    "ENVVAR_STRING": "[環境変数: {}]",
    "ABORTED_TEXT": "中断しました。",
    "RICH_HELP": "[blue]'{command_path} {help_option}'[/] で使い方を表示します。",
}
CLI_HELP: dict[str, dict[str, str]] = {
    "init": {"": "データベースを作成・移行し、同梱の計画カタログを読み込みます(何度実行しても同じ結果です)。"},
    "serve": {"": "Web プロセス: POST /slack/events、POST /line/webhook、GET /healthz、GET /metrics。"
                  "起動前にスキーマと秘密情報を確かめます。"},
    "scheduler": {"": "時計プロセス: 通知・督促・ダイジェストの送信と、生存確認(heartbeat)の記録。"},
    "chat": {"": "コンソールのユーザーとしてボットと話します(1行に1メッセージ、選択肢は番号で)。",
             "--user": "コンソールのユーザーID(`kaikaku members add --platform console` で登録)"},
    "ask": {"": "質問へのボットの答えを表示します(何も保存しません)。"},
    "remind": {"": "その時刻に送るべき通知を送ります(--dry-run: 送らずに一覧表示)。"},
    "digest": {"": "取りまとめ課あての週次ダイジェストを送ります(--dry-run: 送らずに表示)。"},
    "outbox": {"": "送信待ち・送信済みのメッセージ: キー、プラットフォーム、宛先、種類、状態、試行回数、時刻。",
               "--status": "状態で絞り込み: queued / sending / sent / failed",
               "--limit": "表示する件数の上限"},
    "purge": {"": "処理済みの受信イベント、配信済みの送信メッセージ、古い登録コードの失敗記録を削除します。"},
    "catalog export": {"": "計画カタログを JSON で表示します(INTERFACE.md の形)。",
                       "--format": "出力形式: json"},
    "catalog import": {"": "計画書のテキストをカタログに読み込みます(計画書でなければ何も変えません)。"},
    "catalog unassigned": {"": "計画書に担当課の記載がない取組の一覧です。"},
    "catalog assign": {"": "取組に担当課を割り当てます(取りまとめ課の判断)。",
                       "no": "取組の番号(例 34)", "department": "課の名前"},
    "members add": {"": "チャットのアカウントを課に登録します。",
                    "--platform": "プラットフォーム: slack / line / console",
                    "--user": "そのプラットフォームのユーザーID",
                    "--role": "役割: staff(担当者)/ manager(管理職)/ coordinator(取りまとめ担当)",
                    "--name": "表示名"},
    "members invite": {"": "1回限りの登録コードを表示します。本人がボットに「登録 コード」と送ると登録されます。",
                       "--role": "役割: staff(担当者)/ manager(管理職)/ coordinator(取りまとめ担当)",
                       "--name": "表示名"},
    "members list": {"": "登録されているメンバーを課ごとに表示します。"},
    "members remove": {"": "チャットのアカウントの登録を外します(以後は報告も結果の閲覧もできません。記録が残ります)。",
                       "--platform": "プラットフォーム: slack / line / console",
                       "--user": "そのプラットフォームのユーザーID"},
    "members import": {"": "CSV からまとめて登録します(1行でも誤りがあれば何も変えず、終了コード 2)。"},
    "audit": {"": "変更の記録(報告・メンバー・担当課の割り当て・カタログ): 誰がいつ何をしたかを古い順に表示します。",
              "--format": "出力形式: text / json"},
    "results export": {"": "年度の実施結果を書き出します(取組・課ごとに最新の版)。",
                       "--format": "出力形式: json / csv / xlsx"},
    "dashboard link": {"": "登録済みのアカウントに、ダッシュボードへの1回限りのサインインリンクを表示します"
                              "(有効なのは DASHBOARD_LINK_MINUTES 分)。",
                       "--platform": "プラットフォーム: slack / line / console",
                       "--user": "そのプラットフォームのユーザーID"},
    "line usage": {"": "今月の LINE プッシュ送信数、上限、残り、上限で送らなかった数。",
                   "--format": "出力形式: text / json"},
    "line richmenu show": {"--format": "出力形式: text / json"},
}
FORMAT_HELP = "出力形式: text / json"
HELP_BACKUP_OUT = "書き出し先のファイル"
HELP_BACKUP_FORCE = "既にあるファイルを上書きする"
HELP_RICHMENU = "リッチメニュー(報告 / 状況 / ダッシュボード / ヘルプ): create / show / delete"
HELP_RICHMENU_IMAGE = "画像の書き出し先(確認用のPNG)"
HELP_RICHMENU_DRY_RUN = "LINE に送らず、画像を書き出すだけ(--image と一緒に)"
HELP_MANIFEST_URL = "ボットを公開する URL(例 https://kaikaku.example.jp)"
HELP_MANIFEST_SOCKET = "Socket Mode で接続する(公開 URL なし)"
HELP_MANIFEST_FORMAT = "出力形式: yaml / json"
# typer/click's usage errors (pattern → Japanese; a group is kept as it is)
CLI_ERRORS = (
    (r"Missing option '(.+)'\.", "オプション {0} を指定してください。"),
    (r"Missing argument '(.+)'\.", "引数 {0} を指定してください。"),
    (r"No such command '(.+)'\.", "コマンド「{0}」はありません。"),
    (r"No such option: (\S+) \(Possible options: (.+)\)", "オプション {0} はありません(候補: {1})。"),
    (r"No such option: (\S+) Did you mean (\S+)\?", "オプション {0} はありません({1} のことですか?)。"),
    (r"No such option: (\S+)", "オプション {0} はありません。"),
    (r"Invalid value for '(.+?)': (?:Value error, )?'(.*)' is not one of (.+)\.", "{0} は {2} のいずれかです(指定: {1})。"),
    (r"Invalid value for '(.+?)': (?:Value error, )?(.+)", "{0} の値を使えません: {1}"),
    (r"Option '(.+)' requires an argument\.", "オプション {0} には値が必要です。"),
    (r"Got unexpected extra arguments? \((.+)\)", "余分な引数があります: {0}"),
)
