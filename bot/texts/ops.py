"""What the bot says to operators: start-up refusals, health, backup, the Slack manifest, the LINE
rich menu, and the command line's help (one language, Japanese, like everything else)."""

from __future__ import annotations

# --- start-up checks (serve, scheduler) -------------------------------------------------------------

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

# --- /healthz ---------------------------------------------------------------------------------------

CLOCK_STALE = "clock: last heartbeat {age:.0f} s ago (limit {limit} s); is `kaikaku scheduler` running?"
DATABASE_DOWN = "database: {reason}"

# --- kaikaku backup ---------------------------------------------------------------------------------

BACKUP_DONE = "バックアップを書き出しました: {path}({size:,}バイト、報告 {reports:,}件)"
BACKUP_EXISTS = "{path} は既にあります。別の名前を指定するか、--force で上書きしてください。"
BACKUP_PG_DONE = "pg_dump でバックアップを書き出しました: {path}({size:,}バイト)。復元: {restore}"
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
