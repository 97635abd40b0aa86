"""Wording of the approval loop: reviewers' notifications, 承認 / 差戻し and what the reporter is told.

Values filled in: {no} the measure number, {title}, {department}, {fy} 令和8年度, {revision} 2,
{name} a display name, {comment} the reviewer's comment as typed, {coordinator} the coordinating
division (always `Settings.coordinator_department`).
"""

from __future__ import annotations

# --- words matched (what people type or tap) -------------------------------------------------------

APPROVE_WORDS = ("承認する", "承認します", "承認")
RETURN_WORDS = ("差し戻します", "差し戻す", "差戻します", "差戻す", "差し戻し", "差戻し", "差し戻", "差戻")
NUMBER_SUFFIX = "番"  # 承認 34番
REVISION_PATTERN = r"^第\s*(\d+)\s*版$"  # 第2版, as a button names the revision

BUTTON_APPROVE = "承認"
BUTTON_RETURN = "差戻し"
BUTTON_REVISE = "修正"
COMMAND = "{verb} {no} {department} 第{revision}版"
"""A button's value: the words typed, with the department and the revision the reviewer saw."""
COMMAND_NO_REVISION = "{verb} {no} {department}"
REVISE_COMMAND = "報告 {no}"

# --- names ---------------------------------------------------------------------------------------------

UNNAMED = "(表示名未設定の方)"
"""A person who has not set a display name (an account id is never shown)."""
NAMED = "{name}さん"
WHEN = "{month}月{day}日 {time}"

# --- to the reviewers, when a report is submitted ----------------------------------------------------

ASK_REVIEW = (
    "【承認のお願い】No.{no}「{title}」({department})の{fy}の報告が提出されました"
    "(第{revision}版、{reporter})。内容をご確認のうえ、「承認」または「差戻し」を選んでください。"
)
ASK_REVIEW_AGAIN = (
    "【承認のお願い・再提出】No.{no}「{title}」({department})の{fy}の報告が、差戻しのあと修正されて"
    "再提出されました(第{revision}版、{reporter})。内容をご確認のうえ、「承認」または「差戻し」を選んでください。"
)
TYPED_HINT = "「承認 {no}」「差戻し {no} 理由」と送っても操作できます。"
CARD_TITLE = "No.{no} {title}({department} 第{revision}版)"

# --- to the reviewer, after they act -----------------------------------------------------------------

APPROVED = "No.{no}({department})の{fy}の報告(第{revision}版)を承認しました。報告者にお知らせします。"
RETURNED = (
    "No.{no}({department})の{fy}の報告(第{revision}版)を差し戻しました。報告者にコメントをお知らせします。\n"
    "コメント: {comment}"
)
WHICH_DEPARTMENT = "No.{no}は複数の課の共同の取組です。どの課の報告を{verb}しますか?"
VERB = {"approve": "承認", "return": "差し戻し"}
NEEDS_NUMBER = "取組の番号を付けて「承認 34」「差戻し 34 理由」のように送ってください。"
UNKNOWN_MEASURE = "No.{no}の取組は計画にありません。取組の番号をご確認ください。"

# --- a review refused: the one wording, in chat and on the dashboard -----------------------------------

REFUSED = {
    "not_allowed": (
        "申し訳ありません。No.{no}({department})の報告の承認・差戻しは、{department}の管理職の方"
        "(管理職が登録されていない課は{coordinator})が行います。"
    ),
    "not_submitted": "No.{no}({department})の{fy}の報告は、まだ提出されていません。",
    "not_found": "No.{no}は{department}の取組ではありません。担当課: {owners}",
    "stale": (
        "No.{no}({department})は、ご覧になった第{seen}版のあとに第{revision}版が提出されています。"
        "最新の内容をご確認のうえ、あらためて選んでください。"
    ),
    "no_comment": "No.{no}({department})の報告を差し戻すときは、理由を書いてください。",
    "own_report": (
        "No.{no}({department})の報告(第{revision}版)はご自身が提出されたため、承認・差戻しはできません。"
        "ほかの管理職の方、または{coordinator}が確認します。"
    ),
}
"""Keyed by `bot.reporting.approval.REFUSALS`; filled by `review_notices.refusal_text` with {no},
{department} (its name), {fy}, {revision} (the current one), {seen} (the one the reviewer saw),
{owners} and {coordinator} (the coordinating division, `Settings.coordinator_department`)."""
ALREADY = {
    "approved": "No.{no}({department})の報告(第{revision}版)は、{when}に{name}が承認済みです。",
    "returned": (
        "No.{no}({department})の報告(第{revision}版)は、{when}に{name}が差し戻し済みです。"
        "報告者の修正をお待ちください。"
    ),
}
"""`not_submitted` when the current revision was already reviewed: by whom and when, instead."""

# --- in 状況, for a reviewer -------------------------------------------------------------------------

WAITING_HEADING = "承認待ちの報告({n}件):"
WAITING_LINE = "・No.{no} {title}({department} 第{revision}版、{reporter})"
WAITING_MORE = "・ほか{n}件"
WAITING_HINT = "内容をご確認のうえ、「承認 {no}」または「差戻し {no} 理由」と送ってください。"
WAITING_CHOICE = "No.{no}の内容"
WAITING_QUESTION = "No.{no}の進捗は?"

# --- to the reporter -------------------------------------------------------------------------------

TOLD_APPROVED = "No.{no}「{title}」({department})の{fy}の報告(第{revision}版)を、{reviewer}が承認しました。"
TOLD_RETURNED = (
    "No.{no}「{title}」({department})の{fy}の報告(第{revision}版)が、{reviewer}から差し戻されました。\n"
    "コメント: {comment}\n"
    "「修正」を選ぶか「報告 {no}」と送ると、提出した内容を直して再提出できます。"
)

# --- in the report dialog, on a returned report --------------------------------------------------------

STATE_SENTENCE = {"submitted": "提出済みです", "approved": "承認済みです", "returned": "差し戻されています"}
RETURN_NOTE = "\n差戻しのコメント({reviewer}、{when}): {comment}"
