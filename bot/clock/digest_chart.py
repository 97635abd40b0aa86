"""The digest's chart: response rate of the departments furthest behind and achievement of each
reported numeric target, drawn with matplotlib as a PNG with Japanese labels."""

from __future__ import annotations

import io
from collections import Counter
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from bot.japanese.numbers import format_rate
from bot.texts import notices as t

if TYPE_CHECKING:
    from bot.clock.digest import Digest

CHART_BARS = 30  # bars per panel: the departments furthest behind, the targets furthest from met


@lru_cache(maxsize=1)
def japanese_font() -> str:
    """IPAexGothic, shipped with matplotlib-fontja, registered with matplotlib (the machine's own
    fonts need not draw Japanese)."""
    import matplotlib_fontja  # importing it registers the font with matplotlib

    return str(matplotlib_fontja.matplotlib_fontja.FONT_NAME)


def render_chart(digest: Digest) -> bytes:
    """Response rate of the departments furthest behind, and achievement of each reported numeric
    target, as a PNG with Japanese labels."""
    import matplotlib
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    font = japanese_font()
    fy = digest.round.fy
    behind = digest.behind[:CHART_BARS]
    reported = [n for n in digest.numeric if n.rate is not None]
    if len(reported) > CHART_BARS:
        reported = sorted(reported, key=lambda n: (n.rate, n.no))[:CHART_BARS]
    several = Counter(n.no for n in reported)
    rows = max(len(behind), len(reported), 8)
    fig = Figure(figsize=(11, 0.3 * rows + 1.8), dpi=100)
    FigureCanvasAgg(fig)
    with matplotlib.rc_context({"font.family": [font, "DejaVu Sans"]}):
        left, right = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.2, 1]})
        _bars(left, [s.name for s in behind], [float(s.rate) * 100 for s in behind], ["#4C72B0"] * len(behind), rows, 100)
        left.axvline(float(digest.rate) * 100, color="#C44E52", linestyle="--", linewidth=1)
        left.set_title(t.DIGEST_CHART_RATE.format(fy=fy.label, rate=format_rate(digest.rate)))
        if not behind:
            left.text(0.5, 0.5, t.DIGEST_CHART_ALL_DONE, ha="center", transform=left.transAxes)
        values = [float(n.rate or 0) * 100 for n in reported]
        _bars(right, _unique([f"No.{n.no}" + (f" {n.metric}" if several[n.no] > 1 else "") for n in reported]),
              values, ["#55A868" if n.met else "#DD8452" for n in reported], rows, max([110.0, *values]) * 1.1)
        right.axvline(100, color="#333333", linewidth=1)
        right.set_title(t.DIGEST_CHART_ACHIEVEMENT)
        if not reported:
            right.text(0.5, 0.5, t.DIGEST_CHART_NO_ACTUALS, ha="center", transform=right.transAxes)
        fig.tight_layout()
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png")
    return buffer.getvalue()


def _bars(ax: Any, labels: list[str], values: list[float], colors: list[str], rows: int, xmax: float) -> None:
    """Horizontal bars, first item on top, each with its value written beside it."""
    positions = list(range(rows - 1, rows - 1 - len(labels), -1))
    ax.barh(positions, values, height=0.6, color=colors)
    ax.set_yticks(positions, labels)
    ax.set_ylim(-0.6, rows - 0.4)
    ax.set_xlim(0, xmax)
    ax.set_xlabel("%")
    for y, value in zip(positions, values, strict=True):
        ax.text(value + xmax * 0.01, y, format_rate(value / 100), va="center", fontsize=8)


def _unique(names: list[str]) -> list[str]:
    """No.86, No.86 (2), No.86 (3): one bar each (equal labels would share one)."""
    seen: dict[str, int] = {}
    out = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        out.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return out
