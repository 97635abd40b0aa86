"""Wording of the core: settings' default words, the outbox's notes on a message it gave up."""

from __future__ import annotations

DEFAULT_COORDINATOR_DEPARTMENT = "デジタル行政戦略課"  # the division the texts tell people to ask
RATING_SCALE = ("A 達成", "B 概ね達成", "C 一部未達成", "D 未達成")
"""自己評価's choices (Settings.rating_scale's default); the letter is what is stored."""

# Kept in outbox.last_error, read by the coordinating division in `kaikaku outbox` and the digest.
NO_OTHER_ACCOUNT = "(ほかの連絡先なし)"
STOPPED_MID_SEND = "送信中に処理が停止しました"
