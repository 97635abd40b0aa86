"""The digest's chart, on the dashboard's design (bot.dashboard.palette): one PNG for chat.

What it shows, with names, a legend and the date in the title:
- the trend: items still open per day since the opening against the straight line to zero at
  the deadline (the dashboard's burndown);
- departments with the most still open, as stacked bars of counts by state (early in the round
  that is a picture of work to do, not a wall of 0% bars);
- each reported numeric target's achievement, named "No.34 コミュニティ防災士数", against 100%.
An empty panel says in words why it is empty.
"""

from __future__ import annotations

import io
from collections import Counter
from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from bot.dashboard.data import STATES, burndown
from bot.dashboard.palette import ACTUAL, GRID, IDEAL, INK, MET, NOT_MET, STATE_COLOURS
from bot.japanese.numbers import format_number, format_rate
from bot.reporting.rounds import format_day
from bot.texts import labels
from bot.texts import notices as t

if TYPE_CHECKING:
    from bot.clock.digest import Digest, NumericLine
    from bot.reporting.round_status import DepartmentStatus

CHART_BARS = 15  # rows per list panel: the departments with most open, the targets furthest from met
LABEL_CHARS = 18  # a measure's name is cut here (the full one is in the digest's text)


@lru_cache(maxsize=1)
def japanese_font() -> str:
    """IPAexGothic, shipped with matplotlib-fontja, registered with matplotlib (the machine's own
    fonts need not draw Japanese)."""
    import matplotlib_fontja  # importing it registers the font with matplotlib

    return str(matplotlib_fontja.matplotlib_fontja.FONT_NAME)


def render_chart(digest: Digest, today: date | None = None) -> bytes:
    """The chart as a PNG."""
    import matplotlib

    buffer = io.BytesIO()
    with matplotlib.rc_context(_STYLE | {"font.family": [japanese_font(), "DejaVu Sans"]}):
        figure(digest, today).savefig(buffer, format="png")
    return buffer.getvalue()


_STYLE: dict[Any, Any] = {"axes.edgecolor": GRID, "axes.labelcolor": INK, "xtick.color": INK, "ytick.color": INK, "font.size": 10}


def figure(digest: Digest, today: date | None = None) -> Any:
    """The matplotlib Figure (tests read its texts: names, legend, date)."""
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    today = today or digest.at.date()
    behind = sorted(digest.status.pending_departments, key=lambda d: (-len(d.open), d.rate, d.name))
    reported = [n for n in digest.numeric if n.rate is not None]
    shown = sorted(reported, key=lambda n: (n.rate, n.no))[:CHART_BARS]
    rows = max(min(len(behind), CHART_BARS), len(shown), 4)
    fig = Figure(figsize=(11, 3.4 + 0.32 * rows + 1.2), dpi=100)
    FigureCanvasAgg(fig)
    with matplotlib.rc_context(_STYLE | {"font.family": [japanese_font(), "DejaVu Sans"]}):
        grid = fig.add_gridspec(2, 2, height_ratios=[3.0, 0.32 * rows + 0.9], width_ratios=[1.1, 1])
        _trend(fig.add_subplot(grid[0, :]), digest, today)
        _departments(fig.add_subplot(grid[1, 0]), behind, rows)
        _numeric(fig.add_subplot(grid[1, 1]), shown, len(reported),
                 (len({n.no for n in reported}), len({n.no for n in digest.numeric})), rows)
        fig.suptitle(t.CHART_TITLE.format(fy=digest.round.fy.label, day=format_day(today),
                                          rate=format_rate(digest.rate), done=digest.status.responded,
                                          total=digest.status.total),
                     x=0.01, ha="left", fontsize=13)
        fig.tight_layout(rect=(0, 0, 1, 0.97))
    return fig


def _trend(ax: Any, digest: Digest, today: date) -> None:
    rnd = digest.round
    points = burndown(rnd, today, digest.status.total, digest.answered_days)
    end = max(rnd.deadline, points[-1][0] if points else rnd.deadline)
    ax.plot([rnd.open_day, rnd.deadline], [digest.status.total, 0], color=IDEAL, linestyle="--", linewidth=1.2,
            label=t.CHART_IDEAL)
    if points:
        ax.step([d for d, _ in points], [v for _, v in points], where="post", color=ACTUAL, linewidth=2.2,
                label=t.CHART_OPEN)
        last_day, last = points[-1]
        ax.plot([last_day], [last], "o", color=ACTUAL)
        near_end = (last_day - rnd.open_day).days > 0.8 * max(1, (end - rnd.open_day).days)
        ax.annotate(t.CHART_OPEN_NOW.format(n=format_number(last)), (last_day, last), textcoords="offset points",
                    xytext=(-6, 8) if near_end else (6, 6), ha="right" if near_end else "left", color=INK)
    ax.axvline(rnd.deadline, color=INK, linestyle=":", linewidth=1)
    ax.text(rnd.deadline, digest.status.total * 1.02, t.CHART_DEADLINE.format(day=format_day(rnd.deadline)), ha="right",
            va="bottom", fontsize=9)
    ax.set_xlim(rnd.open_day, end)
    ax.set_ylim(0, max(1, digest.status.total) * 1.08)
    ax.set_title(t.CHART_TREND_TITLE, loc="left", fontsize=11)
    ax.xaxis.set_major_formatter(_month_day())
    ax.grid(axis="y", color=GRID)
    ax.legend(loc="lower left", frameon=False, fontsize=9)


def _month_day() -> Any:
    from matplotlib.dates import num2date
    from matplotlib.ticker import FuncFormatter

    return FuncFormatter(lambda value, _pos: f"{num2date(value).month}/{num2date(value).day}")


def _departments(ax: Any, behind: list[DepartmentStatus], rows: int) -> None:
    more = len(behind) - CHART_BARS
    title = t.CHART_DEPARTMENTS_TITLE + (t.CHART_MORE.format(n=more) if more > 0 else "")
    ax.set_title(title, loc="left", fontsize=11)
    if not behind:
        _empty(ax, t.CHART_ALL_IN)
        return
    shown = behind[:CHART_BARS]
    positions = list(range(rows - 1, rows - 1 - len(shown), -1))
    left = [0] * len(shown)
    for state in STATES:
        widths = [d.count(state) for d in shown]
        ax.barh(positions, widths, left=left, height=0.62, color=STATE_COLOURS[state], label=labels.STATUS[state])
        left = [a + b for a, b in zip(left, widths, strict=True)]
    ax.set_yticks(positions, [d.name for d in shown])
    ax.set_ylim(-0.6, rows - 0.4)
    top = max(d.total for d in shown)
    ax.set_xlim(0, top * 1.25 + 0.5)
    for y, d in zip(positions, shown, strict=True):
        ax.text(d.total + top * 0.02, y, t.CHART_OPEN_OF.format(open=len(d.open), total=d.total), va="center",
                fontsize=8)
    ax.set_xlabel(t.CHART_ITEMS)
    ax.xaxis.set_major_locator(_whole_numbers())
    ax.legend(loc="upper center", bbox_to_anchor=(0.45, -0.11), frameon=False, fontsize=8, ncols=5,
              handlelength=1, columnspacing=0.8)


def _whole_numbers() -> Any:
    from matplotlib.ticker import MaxNLocator

    return MaxNLocator(integer=True)


def _numeric(ax: Any, shown: list[NumericLine], reported: int, measures: tuple[int, int], rows: int) -> None:
    """`measures`: (numeric measures with an actual reported, numeric measures of the year)."""
    more = reported - len(shown)
    title = t.CHART_NUMERIC_TITLE.format(reported=measures[0], total=measures[1])
    ax.set_title(title + (t.CHART_MORE_TARGETS.format(n=more) if more > 0 else ""), loc="left",
                 fontsize=11)
    if not shown:
        _empty(ax, t.CHART_NO_ACTUALS.format(n=measures[1]))
        return
    several = Counter(n.no for n in shown)
    names = [_short(f"No.{n.no} {n.metric}") + (f"({n.department})" if n.department and several[n.no] > 1 else "")
             for n in shown]
    values = [float(n.rate or 0) * 100 for n in shown]
    positions = list(range(rows - 1, rows - 1 - len(shown), -1))
    ax.barh(positions, values, height=0.62, color=[MET if n.met else NOT_MET for n in shown])
    ax.set_yticks(positions, names)
    ax.set_ylim(-0.6, rows - 0.4)
    xmax = max([120.0, *values]) * 1.12
    ax.set_xlim(0, xmax)
    ax.axvline(100, color=INK, linewidth=1)
    for y, value in zip(positions, values, strict=True):
        ax.text(value + xmax * 0.01, y, format_rate(value / 100), va="center", fontsize=8)
    from matplotlib.patches import Patch

    ax.legend(handles=[Patch(color=MET, label=t.CHART_MET), Patch(color=NOT_MET, label=t.CHART_NOT_MET)],
              loc="upper center", bbox_to_anchor=(0.5, -0.11), frameon=False, fontsize=8, ncols=2)
    ax.set_xlabel(t.CHART_RATE_AXIS)


def _short(name: str) -> str:
    return name if len(name) <= LABEL_CHARS else name[:LABEL_CHARS - 1] + "…"


def _empty(ax: Any, text: str) -> None:
    ax.set_xticks([])
    ax.set_yticks([])
    for side in ax.spines.values():
        side.set_visible(False)
    ax.text(0.5, 0.5, text, ha="center", va="center", transform=ax.transAxes, fontsize=10, color=INK, wrap=True)
