"""The words of questions back (which measure? which department?), help, greetings and declines."""

from __future__ import annotations

from collections.abc import Sequence

from bot.answers.catalog_view import MeasureView
from bot.answers.intent import Kind
from bot.answers.render import as_reply, choice, head, measure_choices, quote
from bot.core.messages import Choice, Reply
from bot.texts import answers as say

# --- questions back ------------------------------------------------------------------------------

_KIND_KEY = {Kind.TARGET: "target", Kind.PLAN: "plan", Kind.OWNERS: "owners", Kind.RESULTS: "results"}


def ambiguous_number(m: MeasureView) -> Reply:
    return as_reply([say.AMBIGUOUS_NUMBER.format(no=m.no, head=head(m))], measure_choices(m))


def ambiguous_department(word: str, names: Sequence[str], search_hits: int) -> Reply:
    word = quote(word)
    if len(names) == 1 and search_hits:
        text = say.DEPARTMENT_OR_SEARCH.format(word=word, department=names[0])
    elif search_hits:
        text = say.DEPARTMENTS_OR_SEARCH.format(word=word)
    else:
        text = say.DEPARTMENTS.format(word=word)
    choices = [choice(say.LABEL_DEPARTMENT.format(department=n), say.ASK_DEPARTMENT.format(department=n)) for n in names]
    if search_hits:
        choices.append(choice(say.LABEL_SEARCH.format(word=word), say.ASK_SEARCH.format(word=word)))
    return as_reply([text], choices)


def need_measure(kinds: Sequence[Kind], example: MeasureView | None) -> Reply:
    key = _KIND_KEY.get(kinds[0]) if kinds else None
    word = say.NEED_WORD.get(key or "other", say.NEED_WORD["other"])
    no = example.no if example else say.EXAMPLE_NO
    return as_reply(
        [say.NEED_MEASURE.format(word=word, no=no)],
        [choice(say.LABEL_NEED.format(no=no, word=word), say.ASK_NEED.format(no=no, word=word)),
         choice(say.LABEL_NUMERIC_LIST, say.LABEL_NUMERIC_LIST)],
    )


def help_choices(example: MeasureView | None = None, department: str | None = None) -> list[Choice]:
    no = example.no if example else say.EXAMPLE_NO
    dept = department or say.EXAMPLE_DEPARTMENT
    return [
        choice(say.ASK_TARGET.format(no=no), say.ASK_TARGET.format(no=no)),
        choice(say.ASK_RESULTS.format(no=no), say.ASK_RESULTS.format(no=no)),
        choice(say.LABEL_DEPARTMENT.format(department=dept), say.ASK_DEPARTMENT.format(department=dept)),
        choice(say.ASK_PENDING, say.ASK_PENDING),
    ]


def greeting(example: MeasureView | None, department: str | None) -> Reply:
    return as_reply([say.GREETING, *examples(example, department, None)], help_choices(example, department))


def not_understood(example: MeasureView | None, department: str | None, keyword: str | None) -> Reply:
    return as_reply([say.NOT_UNDERSTOOD, *examples(example, department, keyword)], help_choices(example, department))


def examples(example: MeasureView | None, department: str | None, keyword: str | None) -> list[str]:
    values = {"no": example.no if example else say.EXAMPLE_NO, "department": department or say.EXAMPLE_DEPARTMENT,
              "keyword": keyword or say.EXAMPLE_KEYWORD}
    return [line.format(**values) for line in say.EXAMPLES]


def no_catalog() -> Reply:
    return Reply(say.NO_CATALOG)


def no_department_of_member() -> Reply:
    return Reply(say.NO_DEPARTMENT_OF_MEMBER)


def too_many(asked: int, shown: int) -> Reply:
    return Reply(say.TOO_MANY.format(asked=asked, shown=shown))

def decline(said: str, example: MeasureView | None, department: str | None) -> Reply:
    """A question about something else (金沢市長は誰?): declined, with what the bot can answer."""
    return as_reply(
        [say.DECLINE.format(said=quote(said)), say.DECLINE_CAN, *examples(example, department, None)],
        help_choices(example, department),
    )


def did_you_mean(word: str, names: Sequence[str], kind: Kind | None) -> Reply:
    """危機管里課の取組は?: the departments meant, to tap."""
    key = _KIND_KEY.get(kind) if kind else None
    asked = say.ASKED.get(key or "other", say.ASKED["other"])
    return as_reply(
        [say.DEPARTMENT_DID_YOU_MEAN.format(said=quote(word), names=say.JOIN_NAMES.join(names))],
        [choice(f"{n}{asked}", f"{n}{asked}{say.ASK_SUFFIX}") for n in names],
    )


def number_only(said: str, example_no: int) -> Reply:
    """１，６５２名 typed outside a report: read whole, and where figures go."""
    return as_reply([say.NUMBER_ONLY.format(said=quote(said), example=example_no)],
                    [choice(say.REPORT_COMMAND.format(no=example_no), say.REPORT_COMMAND.format(no=example_no))])
