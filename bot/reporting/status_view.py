"""The status view: a member's department, its measures, submitted and missing, report buttons.

Neutral replies (Slack's App Home renders them as its Home tab): the first reply is the summary
with a button to report, then one reply per measure with its own button. An unregistered user
gets one reply saying how to register. The counts are the round-status model's.
"""

from __future__ import annotations

from bot import texts
from bot.core.context import Context
from bot.core.messages import Choice, Reply
from bot.people import permissions
from bot.reporting.round_phase import in_words
from bot.reporting.round_status import department_status
from bot.texts import labels, notices
from bot.texts import people as people_texts
from bot.texts import platforms as say


def status_view(ctx: Context) -> list[Reply]:
    member = ctx.member
    if member is None:
        return [Reply(texts.UNREGISTERED.format(coordinator=ctx.settings.coordinator_department))]
    if not permissions.viewer(member, ctx.settings, ctx.incoming.direct).sees_status:
        return [Reply(people_texts.RESULTS_IN_GROUP)]
    fy, round_lines, accepts = in_words(ctx.session, ctx.settings, ctx.now)  # never a year outside the plan
    status = department_status(ctx.session, member.department_id, fy)
    measures = status.measures if status else ()
    counts = {state: (status.count(state) if status else 0) for state in labels.STATUS}
    summary = say.STATUS_SUMMARY.format(department=member.department.name, fy=fy.label, total=len(measures),
                                        drafts=counts.pop("draft"), **counts)
    report = (Choice(say.STATUS_REPORT, notices.REPORT_COMMAND),) if accepts else ()
    view = [Reply("\n".join([summary, *round_lines]), report)]
    for item in measures:
        label = labels.STATUS[item.state]
        if item.responded and item.has_draft:
            label += say.STATUS_DRAFT_PENDING
        text = say.STATUS_ITEM.format(mark="⬜" if item.open else "✅", no=item.no,
                                      title=item.title, label=label)
        choice = Choice(say.STATUS_FIX if item.responded else say.STATUS_NEW, notices.CHOICE_VALUE.format(no=item.no))
        view.append(Reply(text, (choice,) if accepts else ()))
    if not measures:
        view.append(Reply(say.STATUS_NONE))
    return view
