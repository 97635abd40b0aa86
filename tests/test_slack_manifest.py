"""The Slack app manifest asks for what the code handles: every listener's events, the slash
command, interactivity, the Messages tab, and a scope for every Web API method called."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import yaml
from slack_bolt import App
from sqlalchemy import Engine
from typer.testing import CliRunner

from bot.cli import app as cli
from bot.core.config import SecretStr, Settings
from bot.handlers.slack import manifest as m

SLACK_PACKAGE = Path(m.__file__).parent


@pytest.fixture
def registered(monkeypatch: pytest.MonkeyPatch, sqlite_catalog_engine: Engine,
               settings: Settings) -> dict[str, list[Any]]:
    """What SlackBot registers with bolt, by kind (the real constructor, bolt's methods recorded)."""
    seen: dict[str, list[Any]] = {"event": [], "command": [], "action": [], "view": [], "shortcut": [],
                                  "options": []}
    for kind in seen:
        original = getattr(App, kind)

        def record(self: App, *args: Any, _kind: str = kind, _original: Any = original, **kwargs: Any) -> Any:
            seen[_kind].append(args[0] if args else kwargs)
            return _original(self, *args, **kwargs)

        monkeypatch.setattr(App, kind, record)
    from bot.handlers.slack.app import SlackBot

    configured = replace(settings, slack_bot_token=SecretStr("xoxb-test"),
                                             slack_signing_secret=SecretStr("secret-for-tests"),
                                             slack_api_url="http://127.0.0.1:9/api/")
    bot = SlackBot(configured, sqlite_catalog_engine)
    bot.pipeline.shutdown(wait=False)
    return seen


def test_every_handled_event_and_command_is_in_the_manifest(registered: dict[str, list[Any]]) -> None:
    manifest = m.manifest("https://bot.example.jp")
    events = manifest["settings"]["event_subscriptions"]["bot_events"]
    assert registered["event"], "SlackBot registered no event listener: the recording is broken"
    for event in registered["event"]:
        assert isinstance(event, str), f"listener on {event!r}: name the event type so the manifest can list it"
        assert event in m.BOT_EVENTS, f"SlackBot handles {event!r} but the manifest does not subscribe to it"
        assert set(m.BOT_EVENTS[event]) <= set(events)
    commands = [c["command"] for c in manifest["features"]["slash_commands"]]
    assert sorted(registered["command"]) == sorted(commands)
    assert registered["action"] and registered["view"] and manifest["settings"]["interactivity"]["is_enabled"]
    assert not registered["shortcut"] and not registered["options"], "shortcuts/options need manifest entries"
    assert set(m.BOT_EVENTS) == set(registered["event"]), "the manifest subscribes to events nobody handles"


def test_every_web_api_method_called_has_its_scope() -> None:
    called = set()
    for path in SLACK_PACKAGE.glob("*.py"):
        called |= set(re.findall(r"\bclient\.([a-z]+_[A-Za-z0-9_]+)\(", path.read_text(encoding="utf-8")))
    assert {"chat_postMessage", "conversations_open", "views_publish"} <= called  # the scan sees the calls
    missing = called - set(m.METHOD_SCOPES)
    assert not missing, f"Web API methods without a scope in the manifest: {sorted(missing)}"
    scopes = set(m.manifest(socket_mode=True)["oauth_config"]["scopes"]["bot"])
    for method in called:
        assert set(m.METHOD_SCOPES[method]) <= scopes


def test_the_messages_tab_lets_people_write_and_mpim_history_is_asked() -> None:
    home = m.manifest("https://bot.example.jp")["features"]["app_home"]
    assert home == {"home_tab_enabled": True, "messages_tab_enabled": True, "messages_tab_read_only_enabled": False}
    assert {"mpim:history", "im:history", "app_mentions:read", "commands", "chat:write"} <= set(m.bot_scopes())


def test_the_command_prints_yaml_with_urls_or_socket_mode_without() -> None:
    runner = CliRunner()
    result = runner.invoke(cli, ["slack", "manifest", "--url", "https://bot.example.jp/"])
    assert result.exit_code == 0
    data = yaml.safe_load(result.stdout)
    assert data["settings"]["event_subscriptions"]["request_url"] == "https://bot.example.jp/slack/events"
    assert data["features"]["slash_commands"][0]["url"] == "https://bot.example.jp/slack/events"
    assert data["settings"]["interactivity"]["request_url"] == "https://bot.example.jp/slack/events"
    result = runner.invoke(cli, ["slack", "manifest", "--socket-mode", "--format", "json"])
    data = json.loads(result.stdout)
    assert data["settings"]["socket_mode_enabled"] is True and "request_url" not in json.dumps(data)
    assert "url" not in data["features"]["slash_commands"][0]
    refused = runner.invoke(cli, ["slack", "manifest", "--url", "http://bot.example.jp"])
    assert refused.exit_code == 2 and "https://" in refused.stderr
    assert runner.invoke(cli, ["slack", "manifest"]).exit_code == 2
