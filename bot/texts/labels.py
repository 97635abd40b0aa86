"""Labels of stored codes: the database keeps the code, people read the label.

Rewording a label never changes data; a new code needs a label here (tests check every code
the storage allows has one).
"""

PROGRESS = {"not_started": "未着手", "in_progress": "実施中", "done": "完了"}
"""取組状況 of a report."""

BASIS = {"estimate": "見込み", "final": "確定"}
"""Whether an actual is an estimate or the final figure."""

SKIP_REASON = {"pending": "未確定(集計中)", "not_available": "数値なし"}
"""Why an actual has no figure (stored with value NULL): typed as 未確定・集計中・未定 / なし・－."""

STATUS = {
    "missing": "未着手",
    "draft": "下書き",
    "submitted": "提出済",
    "approved": "承認済",
    "returned": "差戻し",
}
"""Where one (measure, department) stands in a round; `missing` means no report at all, `returned`
that a reviewer sent it back and it needs the reporter again."""

MET = {True: "達成", False: "未達成"}
"""Whether an actual met its target (Actual.met; None: not judged)."""

ROLE = {"staff": "担当者", "manager": "管理職", "coordinator": "取りまとめ担当"}
"""A member's role (bot.people.members.ROLES)."""

AUDIT_ACTION = {
    "submit": "提出",
    "revise": "修正",
    "approve": "承認",
    "return": "差戻し",
    "member_add": "メンバー追加",
    "member_remove": "メンバー削除",
    "member_move": "課の変更",
    "role_change": "役割の変更",
    "assign": "担当課の割り当て",
    "unassign": "担当課の割り当て解除",
    "catalog_load": "取組一覧の読み込み",
    "code_issue": "登録コードの発行",
    "import": "過去の実績の取り込み",
}
"""What an audit entry records (bot.storage.audit)."""
