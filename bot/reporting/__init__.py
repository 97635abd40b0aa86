"""Reporting: the 報告 dialog's steps, revisions, achievement, rounds and where a round stands."""
