"""The words of questions back (which measure? which department?), help, greetings and declines."""

from __future__ import annotations

from collections.abc import Sequence

from bot.answers.catalog_view import MeasureView
from bot.answers.intent import Kind
from bot.answers.render import as_reply, choice, head, measure_choices, quote
from bot.core.messages import Choice, Reply
from bot.texts import answers as say

# --- questions back ------------------------------------------------------------------------------


def ambiguous_number(m: MeasureView) -> Reply:
    return as_reply(
        [f"「{m.no}」は {head(m)} のことでしょうか。知りたいことを選んでください。"],
        measure_choices(m),
    )


def ambiguous_department(word: str, names: Sequence[str], search_hits: int) -> Reply:
    word = quote(word)
    if len(names) == 1 and search_hits:
        text = f"「{word}」は{names[0]}のことでしょうか。それとも「{word}」を含む取組をお探しですか。"
    elif search_hits:
        text = f"「{word}」に当てはまる課が複数あります。どの課か、または「{word}」を含む取組の検索かを選んでください。"
    else:
        text = f"「{word}」に当てはまる課が複数あります。どの課でしょうか。"
    choices = [choice(f"{n}の取組", f"{n}の取組は?") for n in names]
    if search_hits:
        choices.append(choice(f"「{word}」で検索", f"「{word}」を検索"))
    return as_reply([text], choices)


def need_measure(kinds: Sequence[Kind], example: MeasureView | None) -> Reply:
    word = {Kind.TARGET: "目標", Kind.PLAN: "計画", Kind.OWNERS: "担当課"}.get(kinds[0] if kinds else Kind.OVERVIEW, "内容")
    no = example.no if example else 34
    return as_reply(
        [f"どの取組の{word}でしょうか。番号や言葉を添えてお尋ねください(例: No.{no}の{word}は?)。"],
        [choice(f"No.{no}の{word}", f"No.{no}の{word}は?"), choice("数値目標の一覧", "数値目標の一覧")],
    )


def help_choices(example: MeasureView | None = None, department: str | None = None) -> list[Choice]:
    no = example.no if example else 34
    dept = department or "危機管理課"
    return [
        choice(f"No.{no}の目標は?", f"No.{no}の目標は?"),
        choice(f"No.{no}の進捗は?", f"No.{no}の進捗は?"),
        choice(f"{dept}の取組", f"{dept}の取組は?"),
        choice("未提出の課は?", "未提出の課は?"),
    ]


def greeting(example: MeasureView | None, department: str | None) -> Reply:
    return as_reply(
        ["kaikaku-bot です。取組の目標や報告の状況をお答えします。", *examples(example, department, None)],
        help_choices(example, department),
    )


def not_understood(example: MeasureView | None, department: str | None, keyword: str | None) -> Reply:
    return as_reply(
        ["ご質問を読み取れませんでした。", *examples(example, department, keyword)],
        help_choices(example, department),
    )


def examples(example: MeasureView | None, department: str | None, keyword: str | None) -> list[str]:
    no = example.no if example else 34
    return [
        "次のようにお尋ねください。",
        f"・取組の番号で: No.{no}の目標は? / No.{no}の進捗は? / No.{no}の担当課は?",
        f"・年度を添えて: No.{no}の令和7年度の計画は?",
        f"・課の名前で: {department or '危機管理課'}の取組は?",
        f"・言葉で探す: {keyword or '防災'}",
        "・報告の状況: 未提出の課は?",
    ]


def no_catalog() -> Reply:
    return Reply("計画の取組がまだ登録されていません。管理者に `kaikaku init` の実行を依頼してください。")


def no_department_of_member() -> Reply:
    return Reply(
        "あなたの課がまだ登録されていないため、どの課かわかりません。"
        "課の名前を添えてお尋ねください(例: 危機管理課の取組は?)。"
    )


def too_many(asked: int, shown: int) -> Reply:
    return Reply(f"一度にお答えできるのは{shown}件までです({asked}件のうち最初の{shown}件にお答えしました)。")


def decline(said: str, example: MeasureView | None, department: str | None) -> Reply:
    """A question about something else (金沢市長は誰?): declined, with what the bot can answer."""
    return as_reply(
        [say.DECLINE.format(said=quote(said)), say.DECLINE_CAN, *examples(example, department, None)],
        help_choices(example, department),
    )


def did_you_mean(word: str, names: Sequence[str], kind: Kind | None) -> Reply:
    """危機管里課の取組は?: the departments meant, to tap."""
    asked = {Kind.TARGET: "の目標", Kind.PLAN: "の計画", Kind.RESULTS: "の進捗"}.get(kind or Kind.OVERVIEW, "の取組")
    return as_reply(
        [say.DEPARTMENT_DID_YOU_MEAN.format(said=quote(word), names="、".join(names))],
        [choice(f"{n}{asked}", f"{n}{asked}は?") for n in names],
    )


def number_only(said: str, example_no: int) -> Reply:
    """１，６５２名 typed outside a report: read whole, and where figures go."""
    return as_reply([say.NUMBER_ONLY.format(said=quote(said), example=example_no)],
                    [choice(f"報告 {example_no}", f"報告 {example_no}")])
