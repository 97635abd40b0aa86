"""`kaikaku line richmenu create|show|delete` against the LINE stand-in, which checks every request
against messaging-api.yml (openapi-core + the schemas) and the documented rich-menu limits."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import Engine
from typer.testing import CliRunner

from bot import texts
from bot.catalog.store import find_department
from bot.cli import app
from bot.core.config import Settings, get_settings
from bot.core.messages import Incoming
from bot.core.router import route
from bot.handlers.line.richmenu import HEIGHT, WIDTH, draw
from bot.people.members import add_member
from bot.storage.db import session_scope
from tests.fakes.line_api import RICHMENU, FakeLineApi, Scripted, image_limits

TOKEN = "richmenu-access-token"
INTERFACE = Path(__file__).parent.parent / "docs" / "INTERFACE.md"


@pytest.fixture
def line_api(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[FakeLineApi]:
    api = FakeLineApi(token=TOKEN).start()
    monkeypatch.setenv("KAIKAKU_ENV_FILE", "")
    monkeypatch.setenv("LINE_CHANNEL_ACCESS_TOKEN", TOKEN)
    monkeypatch.setenv("LINE_API_URL", api.url)
    monkeypatch.setenv("LINE_DATA_API_URL", api.url)
    monkeypatch.chdir(tmp_path)
    get_settings.cache_clear()
    yield api
    get_settings.cache_clear()
    api.stop()
    assert api.errors == [], "the bot sent requests the Messaging API would refuse"


def kaikaku(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_create_show_replace_delete(line_api: FakeLineApi, tmp_path: Path) -> None:
    code, out, _ = kaikaku("line", "richmenu", "show")
    assert code == 0 and "ありません" in out
    image = tmp_path / "menu.png"
    code, out, err = kaikaku("line", "richmenu", "create", "--image", str(image))
    assert code == 0, err
    [first] = line_api.richmenus
    assert first in out and line_api.default_richmenu == first
    assert line_api.images[first] == image.read_bytes()  # what was uploaded is what the operator looks at
    assert [c.path for c in line_api.calls if c.method == "POST"] == [
        RICHMENU, f"{RICHMENU}/{first}/content", f"/v2/bot/user/all/richmenu/{first}"]
    areas = line_api.richmenus[first]["areas"]
    assert [a["action"]["text"] for a in areas] == ["報告", "状況", "ダッシュボード", "ヘルプ"]
    assert sum(a["bounds"]["width"] for a in areas) == WIDTH

    code, out, _ = kaikaku("line", "richmenu", "show")
    assert code == 0 and first in out and "報告 / 状況 / ダッシュボード / ヘルプ" in out

    assert kaikaku("line", "richmenu", "create")[0] == 0  # again: the new one replaces the old
    [second] = line_api.richmenus
    assert second != first and line_api.default_richmenu == second

    code, out, _ = kaikaku("line", "richmenu", "delete")
    assert code == 0 and second in out
    assert line_api.richmenus == {} and line_api.default_richmenu is None
    assert "ありません" in kaikaku("line", "richmenu", "delete")[1]


def test_a_refusal_is_one_line_and_leaves_no_half_made_menu(line_api: FakeLineApi) -> None:
    line_api.fail_next("/v2/bot/user/all/richmenu", Scripted(404))  # the look for an earlier default
    code, _, err = kaikaku("line", "richmenu", "create")
    assert code == 0, err
    [menu_id] = line_api.richmenus
    line_api.fail_next(f"/v2/bot/user/all/richmenu/{menu_id}", Scripted(500, {"message": "LINE is down"}))
    kaikaku("line", "richmenu", "delete")
    line_api.fail_next(RICHMENU, Scripted(400, {"message": "The request body has 1 error(s)"}))
    code, out, err = kaikaku("line", "richmenu", "create")
    assert code == 1 and err.strip() == "LINE がリクエストを受け付けませんでした(400): The request body has 1 error(s)"
    assert "Traceback" not in out + err


def test_without_a_token_it_says_what_to_set(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("KAIKAKU_ENV_FILE", "")
    monkeypatch.delenv("LINE_CHANNEL_ACCESS_TOKEN", raising=False)
    monkeypatch.chdir(tmp_path)
    get_settings.cache_clear()
    code, _, err = kaikaku("line", "richmenu", "show")
    get_settings.cache_clear()
    assert code == 2 and "LINE_CHANNEL_ACCESS_TOKEN" in err


def test_the_image_is_the_menus_size_and_the_stand_in_would_refuse_another() -> None:
    png = draw()
    with Image.open(io.BytesIO(png)) as image:
        assert image.format == "PNG" and image.size == (WIDTH, HEIGHT)
        # Four panels with text on them: each quarter has light (text) pixels on the dark ground.
        grey = image.convert("L")
        for i in range(4):
            quarter = grey.crop((i * WIDTH // 4 + 60, 200, (i + 1) * WIDTH // 4 - 60, 700))
            assert quarter.getextrema()[1] > 200
    menu = {"size": {"width": WIDTH, "height": HEIGHT}}
    assert image_limits(menu, "image/png", png) == [] and len(png) < 1024 * 1024
    small = io.BytesIO()
    Image.new("RGB", (100, 100)).save(small, format="PNG")
    assert image_limits(menu, "image/png", small.getvalue())  # the check is real
    assert image_limits(menu, "image/jpeg", png)


def test_each_button_sends_a_word_the_bot_answers(sqlite_catalog_engine: Engine, settings: Settings,
                                                  now: datetime) -> None:
    from bot.texts import ops as t

    with session_scope(sqlite_catalog_engine) as s:
        add_member(s, "line", "U1", find_department(s, "危機管理課"), "staff", now=now)
    fallback = route(settings, sqlite_catalog_engine, Incoming("line", "U1", "U1", text="ほげほげ"))[0].text
    chat_words = INTERFACE.read_text(encoding="utf-8")
    for label, text in t.RICHMENU_BUTTONS:
        assert f"| `{text}`" in chat_words or f"`{text}`" in texts.HELP or text in texts.HELP, text
        if text == "ダッシュボード":
            continue  # answered by the dashboard (INTERFACE.md's chat words)
        replies = route(settings, sqlite_catalog_engine, Incoming("line", "U1", "U1", text=text))
        assert replies and replies[0].text != fallback, f"{label}: the bot did not understand {text!r}"
        route(settings, sqlite_catalog_engine, Incoming("line", "U1", "U1", text="キャンセル"))
