"""Wording of the safety rails: a report submitted by someone else a moment earlier, secrets at
start-up, an unreachable database, and `kaikaku purge`."""

from __future__ import annotations

# --- two people submitting the same report ---------------------------------------------------------

SUBMITTED_MEANWHILE = (
    "{who}が{when}、No.{no}({department})の{fy}の報告を提出しました(第{revision}版)。"
    "提出された内容はこちらです。\n{content}"
)
MEANWHILE_KEPT = (
    "あなたが入力した内容は消えていません(下書きとして保存しました)。"
    "あなたの内容で修正しますか? 次の確認で「確定」を選ぶと、あなたの内容で第{next_revision}版として提出します。"
    "{who_short}の提出のままでよいときは「キャンセル」を選んでください。"
)
WHO_SAME_DEPARTMENT = "同じ課の{name}さん"
WHO_OTHER_DEPARTMENT = "{department}の{name}さん"
WHO_UNNAMED = "同じ課の別の方"
WHO_UNNAMED_SHORT = "その方"
WHO_YOURSELF = "あなた(別の画面)"
WHO_YOURSELF_SHORT = "先の提出"
WHEN_JUST_NOW = "たった今"
WHEN_AT = "{month}月{day}日 {time}に"
CONTENT_LINE = "・{label}: {value}"
CONTENT_LABELS = {"progress": "取組状況", "result_text": "実施結果", "actual": "実績値", "rating": "自己評価"}

# --- start-up and the command line -----------------------------------------------------------------

EMPTY_SIGNING_SECRET = (
    "SLACK_SIGNING_SECRET が空です。Slack を使うときは、Slack アプリの「Signing Secret」を設定してください"
    "(空のままでは Slack からの要求を確かめられません)。"
)
EMPTY_SECRET_KEY = (
    "SECRET_KEY が空です。`python -c \"import secrets; print(secrets.token_urlsafe(32))\"` などで作った"
    "推測できない値を設定してください(登録コードの照合に使います)。"
)
EMPTY_LINE_SECRET = (
    "LINE_CHANNEL_SECRET が空です。LINE を使うときは、LINE Developers のチャネルシークレットを設定してください"
    "(空のままでは LINE からの要求を確かめられません)。"
)
DATABASE_URL_INVALID = "DATABASE_URL を読み取れません({reason})。例: postgresql://user@host:5432/kaikaku"
DATABASE_UNREACHABLE = "データベースを利用できません({where}): {reason}"

# --- kaikaku purge ---------------------------------------------------------------------------------

PURGE_DONE = "{cutoff}より前の記録を削除しました: 処理済みの受信イベント {events:,}件、配信済みの送信メッセージ {outbox:,}件、登録コードの失敗記録 {attempts:,}件"
PURGE_DRY_RUN = "(--dry-run: 削除していません){cutoff}より前の記録で削除の対象になるもの: 処理済みの受信イベント {events:,}件、配信済みの送信メッセージ {outbox:,}件、登録コードの失敗記録 {attempts:,}件"
PURGE_BAD_DAYS = "--older-than は1以上の日数で指定してください: {days}"
