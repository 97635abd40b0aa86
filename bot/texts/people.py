"""Wording of people: registration by code, account checks, names (never an account id), what someone
may see or do, members, the coordinating division's chat commands and the audit trail."""

from __future__ import annotations

# --- 登録 コード -----------------------------------------------------------------------------------

ASK_CODE = "登録コードを「登録 ABCD-EFGH」の形で送ってください。コードは{coordinator}から配布されます。"
ONLY_DIRECT = "登録はボットとの1対1のトークで送ってください。グループに送ったコードはまだ使われていません。"
NOT_FOUND = "登録コード「{code}」が見つかりませんでした。配布されたコードをもう一度ご確認ください。"
EXPIRED = (
    "この登録コードは有効期限({expires})が切れています。"
    "お手数ですが、{coordinator}に新しいコードの発行を依頼してください。"
)
USED = "この登録コードはすでに使われています。{coordinator}に新しいコードの発行を依頼してください。"
ALREADY = "このアカウントはすでに{department}に登録されています。"
TOO_MANY = "登録コードの誤りが続いたため、しばらく受け付けを止めています。{until}以降にもう一度お試しください。"
LINKED = "登録しました。このアカウントを{department}({role})として登録しました。「ヘルプ」で使い方を表示します。"
WHEN = "{month}月{day}日 {hour}:{minute:02d}"

# --- checks of the people's commands (the CLI shows them) -------------------------------------------

UNKNOWN_PLATFORM = "platform は {known} のいずれかです: {platform}"
UNKNOWN_ROLE = "role は {known} のいずれかです: {role}"

# --- names (never an account id) -----------------------------------------------------------------
NAME_HONORIFIC = "{name}さん"
NAME_OF_DEPARTMENT = "{department}の方"  # a member who has no display name yet
NAME_UNKNOWN = "不明"
NAME_FORMER = "登録が解除された方"
NAME_OPERATOR = "管理者(サーバー操作)"

# --- what someone may see ------------------------------------------------------------------------
RESULTS_UNREGISTERED = (
    "報告された実施結果や実績は、課に登録したメンバーだけが見られます。"
    "登録コードをお持ちの方は「登録 コード」と送ってください。"
)
RESULTS_IN_GROUP = "報告された実施結果や提出状況は、ボットとの1対1のトークでお尋ねください。"
RESULTS_OTHER_DEPARTMENT = "(内容は担当課・管理職・取りまとめ担当の方が見られます)"
STATUS_UNREGISTERED = (
    "報告の提出状況は、課に登録したメンバーだけが見られます。"
    "登録コードをお持ちの方は「登録 コード」と送ってください。"
)

# --- what someone may do -------------------------------------------------------------------------
ONLY_COORDINATOR = "この操作は、取りまとめ担当(役割: 取りまとめ担当)の方だけが行えます。"
ROLE_ABOVE_OWN = "ご自身の役割({own})より上の役割「{role}」は付けられません。"

# --- `kaikaku members` ---------------------------------------------------------------------------
CLI_NOT_A_MEMBER = "{account} は登録されていません(`kaikaku members list` で確認できます)。"
CLI_REMOVED = "{account} の登録({department})を解除しました。"
IMPORT_MISSING_COLUMNS = "CSVに列 {columns} がありません。1行目の見出しは {expected} です。"
IMPORT_BAD_PLATFORM = "platform「{value}」は {allowed} のいずれかです。"
IMPORT_NO_USER = "user が空です。"
IMPORT_DUPLICATE = "同じアカウントが{line}行目にもあります。"
IMPORT_BAD_ROLE = "role「{value}」は {allowed} のいずれかです。"
IMPORT_BAD_DEPARTMENT = "課「{value}」はカタログにありません。{hint}"
IMPORT_NEAR = "近い名前: {names}"
IMPORT_ROW_ERROR = "{line}行目: {problems}"
IMPORT_REFUSED = "誤りのある行が{count}行あるため、何も登録しませんでした。直してからもう一度実行してください。"
IMPORT_UNREADABLE = "{path} を読めませんでした: {reason}"
IMPORT_NOT_UTF8 = "{path} は UTF-8 ではありません。UTF-8(BOM付きでも可)で保存し直してください。"
IMPORT_DONE = "{count}人を登録しました。"

# --- the coordinating division's chat commands (bot.people.desk) ---------------------------------
ONLY_COORDINATING_DIVISION = "この一覧は、取りまとめ担当の課の方だけが見られます。"
UNKNOWN_DEPARTMENT = "課「{name}」は計画にありません。{hint}"
NEAR = "近い名前: {names}"
ROLE_WORD_UNKNOWN = "役割「{role}」は分かりませんでした。担当者・管理職・取りまとめ担当のいずれかでご指定ください。"
INVITE_HOW = "「招待 課名」の形で送ってください(例: 招待 危機管理課、管理職なら 招待 危機管理課 管理職)。"
INVITE_ONLY_DIRECT = "登録コードは一度だけ表示するため、ボットとの1対1のトークで「招待 課名」と送ってください。"
INVITED = (
    "{department}({role})の登録コードを発行しました。\n"
    "登録コード: {code}\n"
    "1回限り、{until}まで有効です。このコードは二度と表示されません。\n"
    "本人がボットに「登録 {code}」と送ると登録されます。"
)
INVITE_CHOICE = "{name}を招待"
INVITE_COMMAND = "招待 {name}"  # the choice's value: the command it sends
UNREGISTERED_HEAD = "担当の取組がある{total}課のうち、まだ誰も登録していない課は{count}課です。"
UNREGISTERED_LINE = "・{name}(取組 {count}件)"
UNREGISTERED_NONE = "担当の取組がある{total}課すべてに、登録したメンバーがいます。"
MOVE_NOT_REGISTERED = "{who} さんはまだ登録されていません。「登録 {who} 課名」で登録できます。"
MOVE_NOBODY = "表示名が「{name}」のメンバーは見つかりませんでした。"
MOVE_SEVERAL = "表示名が「{name}」のメンバーは{count}人います({departments})。Slack では @メンションでご指定ください。"
MOVE_ALREADY = "{who}はすでに{department}に登録されています。"
MOVED = "{who}を{before}から{department}に異動しました(役割: {role})。"

# --- `kaikaku audit` -----------------------------------------------------------------------------
AUDIT_WHEN = "{y}年{m}月{d}日 {time}"
AUDIT_HELP_MEASURE = "取組の番号(例: 34)"
AUDIT_HELP_SINCE = "この日時以降(例: 2027-02-10)"
IMPORT_HELP_FILE = "CSV: platform, user, department, role, name(UTF-8、BOM可)"
AUDIT_LINE = "{when} {who} {action}"
AUDIT_MEMBER = "{who}({department}・{role})"
AUDIT_MOVE = "{who}({before} → {after})"
AUDIT_ROLE = "{who}({before} → {after})"
AUDIT_CODE = "{department}・{role}用"
AUDIT_ASSIGN = "担当課: {before} → {after}"
AUDIT_NONE = "なし"
AUDIT_CATALOG = "{title} 取組 {count}件"
AUDIT_REVISION = "第{revision}版"
AUDIT_STATUS = "{before} → {after}"
AUDIT_COMMENT = "コメント「{comment}」"
AUDIT_EMPTY = "記録はありません。"
AUDIT_BAD_SINCE = "--since は 2027-02-10 または 2027-02-10T09:00 の形で指定してください(指定: {value})。"
AUDIT_BAD_FORMAT = "--format は text / json のいずれかです(指定: {value})。"
