"""The platform contract and the one list of platforms everything else reads.

A platform is one package under bot/handlers/ (console, slack, line) exposing `PLATFORM`, a
`Platform`: its name, what it can show (`Capabilities`), whether a deployment configured it, how it
mounts its web routes (which build the shared inbound pipeline, bot.core.pipeline, around the
platform's own verify/translate/render/send) and the `Sender` the clock's outbox delivers through.

The web process (bot.core.web), the clock (bot.cli.schedule), members (bot.people.members),
settings (`delivery_platform_order`) and the digest read `all()` / `names()`; adding a platform is
one package and one `register()` (or one name in BUILTIN for a bundled one).
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask
    from sqlalchemy import Engine

    from bot.core.config import Settings
    from bot.core.messages import Sender

BUILTIN = ("slack", "line", "console")  # bot/handlers/<name>; this order is the default delivery order


@dataclass(frozen=True)
class Capabilities:
    """What a platform can show and how it may be reached; the core adapts to these."""

    buttons: bool = False  # `Choice`s as tappable buttons (else typed, by number or label)
    forms: bool = False  # a `Form` opens an input of its own (a modal)
    images: bool = False  # `Reply.image_png` is shown (the digest's chart)
    push_budget: bool = False  # messages sent outside a reply count against a monthly budget
    max_text: int | None = None  # characters per message, longer texts are split by the renderer


@dataclass(frozen=True)
class Platform:
    """One chat platform, as the rest of the bot sees it."""

    name: str
    capabilities: Capabilities
    configured: Callable[[Settings], bool]  # its secrets are set in this deployment
    # Mount its routes on the web app (building its pipeline); whether it did. None: no web side.
    register_web: Callable[[Flask, Settings, Engine], bool] | None = None
    # The outbox's sender for reminders and digests. None: nothing is sent outside a chat.
    make_sender: Callable[[Settings, Engine], Sender] | None = None
    # Conversations, besides the coordinators, that get the weekly digest (a Slack channel).
    digest_channels: Callable[[Settings], list[str]] = field(default=lambda settings: [])
    # The display name the platform shows for a user id (Slack users.info, LINE get_profile);
    # None when unknown or unreachable. None: the platform has no profiles.
    display_name: Callable[[Settings, str], str | None] | None = None


_registry: dict[str, Platform] = {}
_loaded = False
_lock = threading.RLock()


def _load_builtin() -> None:
    global _loaded
    with _lock:
        if _loaded:
            return
        for name in BUILTIN:  # each package's __init__ imports no platform SDK
            module = importlib.import_module(f"bot.handlers.{name}")
            _registry.setdefault(name, module.PLATFORM)
        _loaded = True


def register(platform: Platform) -> None:
    """Add (or replace) a platform; it is then served, sent to and registered like the others."""
    _load_builtin()
    _registry[platform.name] = platform


def unregister(name: str) -> None:
    _load_builtin()
    _registry.pop(name, None)


def all_platforms() -> list[Platform]:
    """Every platform, bundled ones first in BUILTIN's order, then those registered later."""
    _load_builtin()
    return list(_registry.values())


def names() -> tuple[str, ...]:
    return tuple(p.name for p in all_platforms())


def get(name: str) -> Platform | None:
    _load_builtin()
    return _registry.get(name)


def with_capability(capability: str) -> tuple[str, ...]:
    """Names of the platforms that have `capability` (a `Capabilities` field), e.g. "images"."""
    return tuple(p.name for p in all_platforms() if getattr(p.capabilities, capability))
