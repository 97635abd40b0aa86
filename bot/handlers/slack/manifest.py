"""The Slack app manifest (`kaikaku slack manifest`): what to paste into "Create New App → From an
app manifest", generated from what this package handles, so the app asks for exactly the events,
the command and the scopes the code uses. tests/test_slack_manifest.py fails when a listener of
`app.SlackBot` or a Web API method called in this package is missing here.

Reference: https://api.slack.com/reference/manifests
"""

from __future__ import annotations

from typing import Any

from bot.texts import ops as t

EVENTS_PATH = "/slack/events"

# bolt listener (app.event(...)) → the bot events to subscribe to. The bot answers direct
# messages and mentions; channel messages without a mention are not taken (docs/slack.md).
BOT_EVENTS: dict[str, tuple[str, ...]] = {
    "message": ("message.im",),
    "app_mention": ("app_mention",),
    "app_home_opened": ("app_home_opened",),
    "user_change": ("user_change",),  # a registered member's display name follows Slack's
}
COMMANDS: dict[str, dict[str, Any]] = {
    "/kaikaku": {"description": t.SLACK_COMMAND_DESCRIPTION, "usage_hint": t.SLACK_COMMAND_HINT,
                 "should_escape": True},  # `/kaikaku 登録 @user 課名` names the user by id
}
# Web API method (as slack_sdk spells it) → the bot scopes it needs.
METHOD_SCOPES: dict[str, tuple[str, ...]] = {
    "chat_postMessage": ("chat:write",),
    "chat_update": ("chat:write",),
    "conversations_open": ("im:write",),
    # A reply Slack took but did not confirm is looked for before posting again, wherever it went.
    "conversations_history": ("im:history", "channels:history", "groups:history", "mpim:history"),
    "conversations_replies": ("im:history", "channels:history", "groups:history", "mpim:history"),
    "files_upload_v2": ("files:write",),
    "views_open": (),
    "views_publish": (),
    "auth_test": (),
    "users_info": ("users:read",),  # display names at registration
}
EVENT_SCOPES: dict[str, tuple[str, ...]] = {
    "message.im": ("im:history",),
    "app_mention": ("app_mentions:read",),
    "app_home_opened": (),
    "user_change": ("users:read",),
}


def bot_scopes() -> list[str]:
    scopes = {scope for needed in METHOD_SCOPES.values() for scope in needed}
    scopes |= {scope for event in bot_events() for scope in EVENT_SCOPES[event]}
    if COMMANDS:
        scopes.add("commands")
    return sorted(scopes)


def bot_events() -> list[str]:
    return sorted({e for events in BOT_EVENTS.values() for e in events})


def manifest(url: str | None = None, socket_mode: bool = False, name: str = "kaikaku") -> dict[str, Any]:
    """The manifest as a dict (printed as YAML or JSON). `url` is the bot's public base URL
    (https://host); with Socket Mode no URL is needed."""
    request_url = None if socket_mode or not url else url.rstrip("/") + EVENTS_PATH
    with_url: dict[str, Any] = {"request_url": request_url} if request_url else {}
    command_url: dict[str, Any] = {"url": request_url} if request_url else {}  # commands say `url`
    commands = [{"command": command, **command_url, **spec} for command, spec in COMMANDS.items()]
    return {
        "_metadata": {"major_version": 1, "minor_version": 1},
        "display_information": {"name": name, "description": t.SLACK_APP_DESCRIPTION,
                                "background_color": "#1d3c6e"},
        "features": {
            "app_home": {"home_tab_enabled": True, "messages_tab_enabled": True,
                         "messages_tab_read_only_enabled": False},  # people write to the bot there
            "bot_user": {"display_name": name, "always_online": True},
            "slash_commands": commands,
        },
        "oauth_config": {"scopes": {"bot": bot_scopes()}},
        "settings": {
            "event_subscriptions": {**with_url, "bot_events": bot_events()},
            "interactivity": {"is_enabled": True, **with_url},
            "org_deploy_enabled": False,
            "socket_mode_enabled": socket_mode,
            "token_rotation_enabled": False,
        },
    }
