"""The colours of the dashboard and of the digest's chart: one design for both.

Okabe–Ito colours (told apart with every common colour-vision deficiency); every colour carries
a text label beside it as well, never colour alone.
"""

STATE_COLOURS = {
    "missing": "#C8C8C8",
    "draft": "#E69F00",
    "returned": "#D55E00",
    "submitted": "#56B4E9",
    "approved": "#009E73",
}
TARGET = "#6B6B6B"
ACTUAL = "#0072B2"
MET = "#009E73"
NOT_MET = "#D55E00"
IDEAL = "#6B6B6B"
INK = "#1F1F1F"
GRID = "#E3E3E3"
