"""Sentences about people: names, what someone may see or do, members and the audit trail."""

# --- names (never an account id) -----------------------------------------------------------------
NAME_HONORIFIC = "{name}さん"
NAME_OF_DEPARTMENT = "{department}の担当者"  # a member who has no display name yet
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
STATUS_UNREGISTERED = "報告の提出状況は、課に登録したメンバーだけが見られます。"

# --- what someone may do -------------------------------------------------------------------------
ONLY_COORDINATOR = "この操作は、取りまとめ担当(役割: 取りまとめ担当)の方だけが行えます。"
ROLE_ABOVE_OWN = "ご自身の役割({own})より上の役割「{role}」は付けられません。"
ONLY_DIRECT = "この操作は、ボットとの1対1のトークで送ってください。"

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
