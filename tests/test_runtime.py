"""bot.core.runtime: what a long-running process does once loaded."""

from __future__ import annotations

import gc

import pytest
import waitress
from sqlalchemy import Engine

from bot.core import runtime, web
from bot.core.config import Settings


def test_loaded_freezes_the_start_up_objects_and_keeps_collecting() -> None:
    gc.unfreeze()
    try:
        runtime.loaded()
        assert gc.isenabled()  # the GC stays on: what answering makes is collected as before
        assert gc.get_freeze_count() > 10_000  # the modules and mappers, out of every later walk
    finally:
        gc.unfreeze()


def test_the_web_process_freezes_once_loaded_and_before_serving(monkeypatch: pytest.MonkeyPatch, settings: Settings,
                                                                 sqlite_catalog_engine: Engine) -> None:
    calls: list[str] = []
    monkeypatch.setattr(runtime, "loaded", lambda: calls.append("loaded"))
    monkeypatch.setattr(waitress, "serve", lambda app, **options: calls.append("serve"))
    web.serve(settings, sqlite_catalog_engine)
    assert calls == ["loaded", "serve"]
