"""bot.core.timers: actions after a delay unless cancelled, on one timer thread."""

from __future__ import annotations

import threading

from bot.core.timers import Deadlines


class Clock:
    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


def test_an_action_is_due_only_when_its_time_has_come() -> None:
    clock = Clock()
    timer = Deadlines("test", clock=clock)
    ran: list[str] = []
    timer.after(0.5, lambda: ran.append("late"))
    timer.after(0.2, lambda: ran.append("soon"))
    timer.stop()  # the thread started by after() exits; due() is driven by hand below
    assert timer.due() == []
    clock.t += 0.3
    [action() for action in timer.due()]
    assert ran == ["soon"]
    clock.t += 0.3
    [action() for action in timer.due()]
    assert ran == ["soon", "late"]
    assert timer.due() == []  # each runs once


def test_a_cancelled_action_never_comes_due() -> None:
    clock = Clock()
    timer = Deadlines("test", clock=clock)
    timer.stop()
    pending = timer.after(0.1, lambda: None)
    timer.cancel(pending)
    clock.t += 1
    assert timer.due() == []


def test_the_timer_thread_runs_an_action_that_was_not_cancelled() -> None:
    timer = Deadlines("test", tick=0.01)
    ran, cancelled = threading.Event(), threading.Event()
    timer.cancel(timer.after(0.02, cancelled.set))
    timer.after(0.05, ran.set)
    try:
        assert ran.wait(5), "the action did not run"
        assert not cancelled.is_set()
    finally:
        timer.stop()


def test_a_failing_action_does_not_stop_the_others() -> None:
    timer = Deadlines("test", tick=0.01)
    ran = threading.Event()

    def fail() -> None:
        raise RuntimeError("boom")

    timer.after(0.01, fail)
    timer.after(0.03, ran.set)
    try:
        assert ran.wait(5)
    finally:
        timer.stop()
