"""Charts as hand-written SVG, rendered on the server.

Why not matplotlib here: an SVG of a few dozen elements is built in well under a millisecond
(matplotlib takes ~100 ms a figure, a third of the overview's budget), its text is real text
(selectable, read by screen readers, drawn in the page's own font, served from the bot), and
the CSS of the page styles it. The digest, which must send a PNG to chat, keeps matplotlib with
the same colours (bot.dashboard.palette).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from xml.sax.saxutils import escape, quoteattr

from bot.dashboard.palette import ACTUAL, GRID, IDEAL, INK, TARGET
from bot.japanese.numbers import format_number


def _text(x: float, y: float, body: str, *, anchor: str = "start", size: int = 12, fill: str = INK,
          weight: str = "normal") -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" fill="{fill}" '
            f'font-weight="{weight}">{escape(body)}</text>')


def _svg(width: int, height: int, label: str, body: list[str], kind: str = "") -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
            f'aria-label={quoteattr(label)} class="chart {kind}"><title>{escape(label)}</title>'
            + "".join(body) + "</svg>")


def _nice_max(value: float) -> float:
    """The axis' top: 1, 2 or 5 times a power of ten, at least `value`."""
    if value <= 0:
        return 1.0
    power = 10 ** (len(str(int(value))) - 1)
    for step in (1, 2, 5, 10):
        if step * power >= value:
            return float(step * power)
    return float(10 * power)


def burndown_svg(points: Sequence[tuple[date, int]], total: int, opens: date, deadline: date, today: date,
                 label: str, words: dict[str, str]) -> str:
    """Open items per day (a step line) against the straight line to zero at the deadline."""
    width, height, left, right, top, bottom = 640, 280, 52, 24, 34, 48
    end = max(deadline, points[-1][0] if points else deadline)
    span = max(1, (end - opens).days)
    ymax = _nice_max(total)

    def x(day: date) -> float:
        return left + (width - left - right) * (day - opens).days / span

    def y(value: float) -> float:
        return top + (height - top - bottom) * (1 - value / ymax)

    body = []
    for i in range(5):
        v = ymax * i / 4
        body.append(f'<line x1="{left}" x2="{width - right}" y1="{y(v):.1f}" y2="{y(v):.1f}" stroke="{GRID}"/>')
        body.append(_text(left - 6, y(v) + 4, format_number(int(v)), anchor="end", size=11))
    body.append(f'<line x1="{x(opens):.1f}" y1="{y(total):.1f}" x2="{x(deadline):.1f}" y2="{y(0):.1f}" '
                f'stroke="{IDEAL}" stroke-width="1.5" stroke-dasharray="6 4"/>')
    if points:
        path = " ".join(f"{x(d):.1f},{y(v):.1f}" for d, v in points)
        body.append(f'<polyline points="{path}" fill="none" stroke="{ACTUAL}" stroke-width="2.5"/>')
        last_day, last_value = points[-1]
        body.append(f'<circle cx="{x(last_day):.1f}" cy="{y(last_value):.1f}" r="4" fill="{ACTUAL}"/>')
        body.append(_text(x(last_day) + 6, y(last_value) - 6, format_number(last_value), weight="bold",
                          anchor="end" if x(last_day) > width - 80 else "start"))
    for day, word in ((deadline, words["deadline"]), (today, words["today"])):
        if opens <= day <= end:
            body.append(f'<line x1="{x(day):.1f}" x2="{x(day):.1f}" y1="{top}" y2="{height - bottom}" '
                        f'stroke="{INK}" stroke-width="1" stroke-dasharray="2 3"/>')
            body.append(_text(x(day), top - 8, word, anchor="middle", size=11))
    for day in (opens, deadline):
        body.append(_text(x(day), height - bottom + 16, f"{day.month}/{day.day}", anchor="middle", size=11))
    legend_y = height - 6
    body.append(f'<line x1="{left}" x2="{left + 24}" y1="{legend_y - 4}" y2="{legend_y - 4}" stroke="{ACTUAL}" '
                f'stroke-width="2.5"/>')
    body.append(_text(left + 30, legend_y, words["actual"], size=11))
    body.append(f'<line x1="{left + 210}" x2="{left + 234}" y1="{legend_y - 4}" y2="{legend_y - 4}" '
                f'stroke="{IDEAL}" stroke-width="1.5" stroke-dasharray="6 4"/>')
    body.append(_text(left + 240, legend_y, words["ideal"], size=11))
    return _svg(width, height, label, body, "wide")


def trend_svg(years: Sequence[tuple[int, str]], targets: dict[int, Decimal | None],
              actuals: dict[int, Decimal | None], unit: str | None, label: str, words: dict[str, str]) -> str:
    """Target (outlined) and actual (filled) bars side by side for each fiscal year, values written."""
    width, height, left, top, bottom = 480, 220, 12, 24, 56
    values = [float(v) for v in (*targets.values(), *actuals.values()) if v is not None]
    ymax = _nice_max(max(values, default=0) * 1.15)
    slot = (width - 2 * left) / max(1, len(years))
    bar = min(40.0, slot / 3)
    floor = height - bottom

    def h(value: float) -> float:
        return (height - top - bottom) * value / ymax

    body = [f'<line x1="{left}" x2="{width - left}" y1="{floor}" y2="{floor}" stroke="{INK}"/>']
    for i, (fy, name) in enumerate(years):
        centre = left + slot * (i + 0.5)
        # 10 apart: the two values written above the bars must not run together on a phone
        for offset, value, filled in ((-bar - 5, targets.get(fy), False), (5, actuals.get(fy), True)):
            bx = centre + offset
            if value is None:
                body.append(_text(bx + bar / 2, floor - 4, words["none"], anchor="middle", size=11, fill=TARGET))
                continue
            top_y = floor - h(float(value))
            style = f'fill="{ACTUAL}"' if filled else f'fill="#FFFFFF" stroke="{TARGET}" stroke-width="1.5"'
            body.append(f'<rect x="{bx:.1f}" y="{top_y:.1f}" width="{bar:.1f}" height="{floor - top_y:.1f}" {style}/>')
            body.append(_text(bx + bar / 2, top_y - 4, format_number(value), anchor="middle", size=11))
        body.append(_text(centre, floor + 16, name, anchor="middle", size=12))
    legend_y = height - 10
    body.append(f'<rect x="{left}" y="{legend_y - 10}" width="12" height="12" fill="#FFFFFF" stroke="{TARGET}"/>')
    body.append(_text(left + 16, legend_y, words["target"] + (f"({unit})" if unit else ""), size=11))
    body.append(f'<rect x="{left + 120}" y="{legend_y - 10}" width="12" height="12" fill="{ACTUAL}"/>')
    body.append(_text(left + 136, legend_y, words["actual"] + (f"({unit})" if unit else ""), size=11))
    return _svg(width, height, label, body, "trend")


def stack_svg(parts: Sequence[tuple[int, str]], label: str) -> str:
    """One horizontal bar split by counts (value, colour), scaled to 100 wide."""
    total = sum(n for n, _ in parts) or 1
    x, body = 0.0, []
    for n, colour in parts:
        if n:
            w = 100 * n / total
            body.append(f'<rect x="{x:.2f}" y="0" width="{w:.2f}" height="10" fill="{colour}"/>')
            x += w
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 10" preserveAspectRatio="none" '
            f'role="img" aria-label={quoteattr(label)} class="stack"><title>{escape(label)}</title>'
            + "".join(body) + "</svg>")
