"""Wording of the approval loop: reviewers' notifications, 承認 / 差戻し and what the reporter is told."""

from __future__ import annotations

UNNAMED = "(表示名未設定の方)"
"""A person who has not set a display name (an account id is never shown)."""
