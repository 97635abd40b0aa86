"""End to end: `kaikaku serve` as its own process, Slack's requests over real HTTP, a stand-in Web API.

A report and a question go through the web process; killing it in the middle of a delivery and
starting it again finishes the event without losing or doubling the message.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Engine

from tests.conftest import DM, SlackWorkspace, http_transport, texts_of
from tests.fakes import slack_requests as sr
from tests.fakes.slack_api import SlackApiStub

KAIKAKU = [sys.executable, "-m", "bot"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def env(sqlite_catalog_url: str, slack_api: SlackApiStub, tmp_path: Path) -> dict[str, str]:
    port = free_port()
    values = {**os.environ, "DATABASE_URL": sqlite_catalog_url, "BOT_NOW": "2027-02-03T10:15:00+09:00",
              "SLACK_BOT_TOKEN": "xoxb-kaikaku-e2e", "SLACK_SIGNING_SECRET": sr.SECRET,
              "SLACK_API_URL": slack_api.url, "PORT": str(port), "SECRET_KEY": "test-secret-key-for-serve"}
    for name in ("SLACK_APP_TOKEN", "LINE_CHANNEL_SECRET", "LINE_CHANNEL_ACCESS_TOKEN"):
        values.pop(name, None)
    add = [*KAIKAKU, "members", "add", "--platform", "slack", "--user", "U0TANAKA", "--department", "危機管理課"]
    subprocess.run(add, env=values, check=True, capture_output=True, cwd=tmp_path)
    return values


@pytest.fixture
def slack_api() -> Iterator[SlackApiStub]:
    with SlackApiStub() as stub:
        yield stub


@contextmanager
def serving(env: dict[str, str], cwd: Path) -> Iterator[subprocess.Popen[bytes]]:
    """`kaikaku serve` until the block ends (or the test kills it)."""
    proc = subprocess.Popen([*KAIKAKU, "serve"], env=env, cwd=cwd, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{env['PORT']}"
    deadline = time.monotonic() + 20
    while True:
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=1) as response:
                assert "slack" in json.loads(response.read())["platforms"]
                break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise AssertionError("kaikaku serve did not start: " + proc.stderr.read().decode()[-2000:]) from None
            time.sleep(0.05)
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if proc.stderr:
            proc.stderr.close()


def results(env: dict[str, str], cwd: Path) -> list[dict[str, object]]:
    out = subprocess.run([*KAIKAKU, "results", "export", "--fy", "R8", "--format", "json"], env=env, cwd=cwd,
                         check=True, capture_output=True)
    return json.loads(out.stdout)


def test_report_and_question_through_kaikaku_serve(env: dict[str, str], slack_api: SlackApiStub,
                                                   sqlite_catalog_engine: Engine, tmp_path: Path) -> None:
    with serving(env, tmp_path):
        ws = SlackWorkspace(http_transport(f"http://127.0.0.1:{env['PORT']}"), slack_api, sqlite_catalog_engine)
        assert ws.send(sr.as_event(sr.message_im("ヘルプ")), secret="wrong").status_code == 401

        asked = sr.mention("No.34の目標は?")
        answer = ws.exchange(sr.as_event(asked), channel="C0BOUSAI")
        assert "1,700名" in texts_of(answer) and answer[0]["thread_ts"] == asked["event"]["ts"]

        ws.say("報告 34")
        ws.tap("実施中")
        ws.submit_form(ws.open_form("実施結果"), "地区の防災訓練で養成講座を4回開催した。")
        ws.say("約1,650人")
        ws.tap("見込み")
        ws.tap("B 概ね達成")
        assert "提出しました" in texts_of(ws.tap("確定"))

    [row] = [r for r in results(env, tmp_path) if r["no"] == 34]
    assert row["status"] == "submitted" and row["result_text"] == "地区の防災訓練で養成講座を4回開催した。"
    assert row["actuals"][0]["value"] == 1650 and row["actuals"][0]["typed"] == "約1,650人"
    assert row["reported_by"] == "slack:U0TANAKA"


@pytest.mark.parametrize("taken", [False, True], ids=["post-not-taken", "post-taken-answer-lost"])
def test_killed_mid_delivery_the_restart_delivers_exactly_once(env: dict[str, str], slack_api: SlackApiStub,
                                                              sqlite_catalog_engine: Engine, tmp_path: Path,
                                                              taken: bool) -> None:
    base = f"http://127.0.0.1:{env['PORT']}"
    ws = SlackWorkspace(http_transport(base), slack_api, sqlite_catalog_engine)
    slack_api.fail_next(1, 200 if taken else 500, accept=taken, hang=30)  # Slack sits on the post…
    with serving(env, tmp_path) as proc:
        assert ws.send(sr.as_event(sr.message_im("ヘルプ"))).status_code == 200  # acknowledged
        slack_api.wait_for(lambda: bool(slack_api.attempts_of("chat.postMessage")))
        proc.kill()  # …and the web process dies before hearing back
        proc.wait()
    assert len(slack_api.posted(DM)) == (1 if taken else 0)

    with serving(env, tmp_path):  # the restart finishes the recorded event
        ws.settle()
    posted = slack_api.posted(DM)
    assert len(posted) == 1 and "kaikaku-bot でできること" in posted[0]["text"]
