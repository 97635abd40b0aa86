"""Sentences of the platform-neutral features that used to live in the adapters: the greeting of
a new friend, linking a member by mention, the status view (Slack's App Home), and what the bot
says to a message it cannot read."""

GREETING = "友だち追加ありがとうございます。行政改革実施計画の報告ボットです。"
UNSUPPORTED = "申し訳ありません。文字のメッセージだけを読み取れます。「ヘルプ」で使い方を表示します。"

# `登録 @user 課名 [役割]`
LINK_ONLY_COORDINATOR = "ほかの方の登録は、取りまとめ担当(役割: 取りまとめ担当)の方だけが行えます。"
LINK_UNKNOWN_DEPARTMENT = "課「{name}」は計画にありません。{hint}"
LINK_NEAR = "近い名前: {names}"
LINK_UNKNOWN_ROLE = "役割「{role}」は分かりませんでした。担当者・管理職・取りまとめ担当のいずれかでご指定ください。"
LINKED = "{who} さんを{department}({role})として登録しました。"

# The status view
STATUS_TITLE = "行政改革 実施結果の報告"
STATUS_SUMMARY = ("{department} の{fy}の報告状況(全{total}件)\n"
                  "承認済 {approved}件・提出済 {submitted}件・差戻し {returned}件・下書き {drafts}件・未着手 {missing}件")
STATUS_REPORT = "報告する"
STATUS_ITEM = "{mark} No.{no} {title}\n{label}"
STATUS_DRAFT_PENDING = "(修正の下書きあり)"
STATUS_FIX = "修正"
STATUS_NEW = "報告"
STATUS_NONE = "担当の取組はありません。"

# Slack only: a slash command in a channel is answered in the DM
SLACK_ANSWER_IN_DM = "ボットとのメッセージ画面でお返事します。"

# Forms (a long text typed in a box where the platform has one)
FORM_SUBMIT = "送信"
FORM_CLOSE = "閉じる"
FORM_EMPTY = "内容を入力してください。"
FORM_TOO_LONG = "{max_chars:,}文字以内で入力してください(現在{length:,}文字です)。"
CHART_TITLE = "グラフ"  # an uploaded chart without its own description

# LINE: no forms, no images in a reply; the text says how instead
LINE_FORM_HINT = "(このトークに文章をそのまま入力して送ってください。改行を含めて1通で送れます。最大{max_chars:,}字)"
LINE_FORM_CURRENT = "現在の内容です。コピーして直すこともできます:\n{initial}"
LINE_MORE_CHOICES = "選択肢(下のボタンにないものは、そのまま入力して送ってください):"
LINE_IMAGE_NOTE = "(図は LINE では表示できません: {alt})"

# The console (kaikaku chat)
CONSOLE_FORM_HINT = "  (最大{max_chars:,}文字。改行するときは行末に \\ (または ¥)を付けて続けて入力してください)"
CONSOLE_IMAGE = "  [画像: {alt}]"
