"""Labels of stored codes: the database keeps the code, people read the label.

Rewording a label never changes data; a new code needs a label here (tests check every code
the storage allows has one).
"""

PROGRESS = {"not_started": "未着手", "in_progress": "実施中", "done": "完了"}
"""取組状況 of a report."""

BASIS = {"estimate": "見込み", "final": "確定"}
"""Whether an actual is an estimate or the final figure."""

STATUS = {
    "missing": "未提出",
    "draft": "下書き",
    "submitted": "提出済み",
    "approved": "承認済み",
    "returned": "差し戻し",
}
"""Where one (measure, department) stands in a round; `missing` means no report at all."""
