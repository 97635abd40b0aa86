"""bot.runtime: what a long-running process does once loaded."""

from __future__ import annotations

import gc

from bot import runtime


def test_loaded_freezes_the_start_up_objects_and_keeps_collecting() -> None:
    gc.unfreeze()
    try:
        runtime.loaded()
        assert gc.isenabled()  # the GC stays on: what answering makes is collected as before
        assert gc.get_freeze_count() > 10_000  # the modules and mappers, out of every later walk
    finally:
        gc.unfreeze()
