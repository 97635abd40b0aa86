"""Wording of the plan catalog's checks."""

from __future__ import annotations

NO_SUCH_MEASURE = "No.{no} はありません。"
