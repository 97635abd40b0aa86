"""The web process: health check, platforms only when configured, and the router's safety net."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import Engine

from bot import texts
from bot.core import router
from bot.core.config import SecretStr, Settings
from bot.core.context import Context
from bot.core.messages import Incoming, Reply
from bot.core.web import create_app


def test_healthz_reports_the_database_and_no_platform_without_secrets(
    sqlite_catalog_engine: Engine, settings: Settings
) -> None:
    client = create_app(settings, sqlite_catalog_engine).test_client()
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json()["status"] == "ok" and response.get_json()["platforms"] == []
    assert client.post("/slack/events").status_code == 404
    assert client.post("/line/webhook").status_code == 404


def test_platforms_are_served_when_their_secrets_are_set(sqlite_catalog_engine: Engine, settings: Settings) -> None:
    configured = replace(settings,
        slack_bot_token=SecretStr("xoxb-test"), slack_signing_secret=SecretStr("s1"),
        slack_api_url="http://127.0.0.1:9/api/",
        line_channel_secret=SecretStr("s2"), line_channel_access_token=SecretStr("t2"),
        line_api_url="http://127.0.0.1:9",
    )
    client = create_app(configured, sqlite_catalog_engine).test_client()
    assert client.get("/healthz").get_json()["platforms"] == ["slack", "line"]
    assert client.post("/line/webhook", data=b'{"events":[]}', headers={"X-Line-Signature": "bad"}).status_code == 400
    assert client.post("/slack/events", data=b"{}").status_code == 401


def test_a_failing_handler_gives_a_polite_reply_and_keeps_nothing_half_done(
    sqlite_catalog_engine: Engine, settings: Settings, monkeypatch
) -> None:
    def broken(ctx: Context) -> list[Reply] | None:
        raise RuntimeError("boom")

    monkeypatch.setattr(router, "handlers", lambda: [broken])
    replies = router.route(settings, sqlite_catalog_engine, Incoming("console", "u1", "console", text="報告"))
    assert [r.text for r in replies] == [texts.INTERNAL_ERROR]
    assert "boom" not in replies[0].text
