"""The LINE rich menu: four buttons under the chat (報告 / 状況 / ダッシュボード / ヘルプ), so people
tap instead of guessing what to type. Each button sends its chat word as a message, the same
words INTERFACE.md lists, so the menu needs no handling of its own.

`draw()` paints the image (Pillow, the IPAex Gothic font matplotlib-fontja bundles);
`create()` registers the menu, uploads the image (the blob host, LINE_DATA_API_URL) and makes it
every user's default, replacing an earlier default; `show()` and `delete()` read and remove it.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from linebot.v3.messaging import (
    ApiClient,
    Configuration,
    MessagingApi,
    MessagingApiBlob,
    RichMenuRequest,
)
from linebot.v3.messaging.exceptions import ApiException
from PIL import Image, ImageDraw, ImageFont

from bot.core.config import Settings
from bot.texts import ops as t

WIDTH, HEIGHT = 2500, 843  # LINE's "compact" full-width menu
BACKGROUND = (29, 60, 110)
BUTTON = (38, 76, 136)
DIVIDER = (84, 116, 166)
MARGIN = 28
LABEL = (255, 255, 255)
CAPTION = (200, 214, 235)
ACCENT = (255, 196, 61)


@cache
def font_file() -> Path:
    """IPAex Gothic, shipped inside matplotlib-fontja (a dependency already, for the charts)."""
    import matplotlib_fontja

    return Path(matplotlib_fontja.__file__).parent / "fonts" / "ipaexg.ttf"


def _fitted(text: str, width: int, largest: int) -> ImageFont.FreeTypeFont:
    size = largest
    while size > 20:
        font = ImageFont.truetype(str(font_file()), size)
        if font.getlength(text) <= width:
            return font
        size -= 4
    return ImageFont.truetype(str(font_file()), size)


def draw() -> bytes:
    """The menu image as PNG bytes: four equal buttons, a big word and a short caption each (one
    size for all words, one for all captions, so no button looks more important)."""
    image = Image.new("RGB", (WIDTH, HEIGHT), BACKGROUND)
    pen = ImageDraw.Draw(image)
    panel = WIDTH // len(t.RICHMENU_BUTTONS)
    inner = panel - 2 * MARGIN - 60
    big = min((_fitted(label, inner, 150) for label, _ in t.RICHMENU_BUTTONS), key=lambda f: f.size)
    big = big if big.size >= 110 else ImageFont.truetype(str(font_file()), 110)
    small = min((_fitted(caption, inner, 60) for caption in t.RICHMENU_CAPTIONS), key=lambda f: f.size)
    for i, ((label, _), caption) in enumerate(zip(t.RICHMENU_BUTTONS, t.RICHMENU_CAPTIONS, strict=True)):
        left, centre = i * panel, i * panel + panel // 2
        pen.rounded_rectangle([left + MARGIN, MARGIN, left + panel - MARGIN, HEIGHT - MARGIN], radius=48,
                              fill=BUTTON, outline=DIVIDER, width=6)
        label_font = big if big.getlength(label) <= inner else _fitted(label, inner, int(big.size))
        pen.text((centre, 360), label, font=label_font, fill=LABEL, anchor="mm")
        pen.rounded_rectangle([centre - 60, 500, centre + 60, 512], radius=6, fill=ACCENT)
        pen.text((centre, 620), caption, font=small, fill=CAPTION, anchor="mm")
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def menu_request() -> RichMenuRequest:
    """The menu's definition: four tap areas side by side, each sending its chat word."""
    panel = WIDTH // len(t.RICHMENU_BUTTONS)
    areas = [{"bounds": {"x": i * panel, "y": 0, "width": panel if i < 3 else WIDTH - 3 * panel, "height": HEIGHT},
              "action": {"type": "message", "label": label, "text": text}}
             for i, (label, text) in enumerate(t.RICHMENU_BUTTONS)]
    return RichMenuRequest.from_dict({"size": {"width": WIDTH, "height": HEIGHT}, "selected": True,
                                      "name": t.RICHMENU_NAME, "chatBarText": t.RICHMENU_CHAT_BAR, "areas": areas})


@dataclass(frozen=True)
class Shown:
    id: str
    name: str
    labels: list[str]


class RichMenus:
    """The Messaging API's rich menu calls (line-bot-sdk v3) for this channel."""

    def __init__(self, settings: Settings) -> None:
        assert settings.line_channel_access_token is not None
        token = settings.line_channel_access_token.get_secret_value()
        self.api = MessagingApi(ApiClient(Configuration(host=settings.line_api_url.rstrip("/"), access_token=token)))
        self.blob = MessagingApiBlob(ApiClient(Configuration(host=settings.line_data_api_url.rstrip("/"),
                                                             access_token=token)))

    def default_id(self) -> str | None:
        try:
            return str(self.api.get_default_rich_menu_id().rich_menu_id)
        except ApiException as exc:
            if exc.status == 404:
                return None
            raise

    def create(self, png: bytes) -> str:
        """Register the menu with its image and make it the default; an earlier default is removed."""
        earlier = self.default_id()
        menu_id = str(self.api.create_rich_menu(menu_request()).rich_menu_id)
        try:
            self.blob.set_rich_menu_image(menu_id, png, _headers={"Content-Type": "image/png"})
            self.api.set_default_rich_menu(menu_id)
        except Exception:
            self.api.delete_rich_menu(menu_id)  # no half-made menu left behind
            raise
        if earlier and earlier != menu_id:
            self.api.delete_rich_menu(earlier)
        return menu_id

    def show(self) -> Shown | None:
        menu_id = self.default_id()
        if menu_id is None:
            return None
        menu = self.api.get_rich_menu(menu_id)
        return Shown(menu_id, menu.name, [str(area.action.label) for area in menu.areas])

    def delete(self) -> str | None:
        """Stop showing the default menu and delete it; its id, or None when there was none."""
        menu_id = self.default_id()
        if menu_id is None:
            return None
        self.api.cancel_default_rich_menu()
        self.api.delete_rich_menu(menu_id)
        return menu_id
