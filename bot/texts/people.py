"""Wording of people: registration by code, account checks, the day and time a code expires."""

from __future__ import annotations

# --- 登録 コード -----------------------------------------------------------------------------------

ASK_CODE = "登録コードを「登録 ABCD-EFGH」の形で送ってください。コードはデジタル行政戦略課から配布されます。"
ONLY_DIRECT = "登録はボットとの1対1のトークで送ってください。グループに送ったコードはまだ使われていません。"
NOT_FOUND = "登録コード「{code}」が見つかりませんでした。配布されたコードをもう一度ご確認ください。"
EXPIRED = (
    "この登録コードは有効期限({expires})が切れています。"
    "お手数ですが、デジタル行政戦略課に新しいコードの発行を依頼してください。"
)
USED = "この登録コードはすでに使われています。デジタル行政戦略課に新しいコードの発行を依頼してください。"
ALREADY = "このアカウントはすでに{department}に登録されています。"
TOO_MANY = "登録コードの誤りが続いたため、しばらく受け付けを止めています。{until}以降にもう一度お試しください。"
LINKED = "登録しました。このアカウントを{department}({role})として登録しました。「ヘルプ」で使い方を表示します。"
WHEN = "{month}月{day}日 {hour}:{minute:02d}"

# --- checks of the people's commands (the CLI shows them) -------------------------------------------

UNKNOWN_PLATFORM = "platform は {known} のいずれかです: {platform}"
UNKNOWN_ROLE = "role は {known} のいずれかです: {role}"
