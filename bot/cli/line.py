"""`kaikaku line usage`: this month's LINE pushes against the budget (pushes cost money)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from bot.cli.common import fail, print_json, session, settings
from bot.core import push_budget
from bot.texts import cli as say
from bot.texts import ops as t

if TYPE_CHECKING:
    from bot.handlers.line.richmenu import RichMenus

app = typer.Typer(no_args_is_help=True)


@app.command("usage")
def usage(
    month: str | None = typer.Option(None, "--month", help=say.HELP_MONTH),
    fmt: str = typer.Option("text", "--format", help="text / json"),
) -> None:
    """Pushes sent this month, the budget, what is left, and what the budget refused."""
    if fmt not in ("text", "json"):
        fail(say.ONE_OF.format(option="format", choices="text / json", given=fmt))
    conf = settings()
    month = month or push_budget.month_of(conf.now())
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", month):
        fail(say.BAD_MONTH.format(given=month))
    with session() as s:
        u = push_budget.usage(s, month, conf.line_push_monthly_budget)
    if fmt == "json":
        print_json(u.as_dict())
    else:
        typer.echo(push_budget.summary(u))


richmenu_app = typer.Typer(no_args_is_help=True)
app.add_typer(richmenu_app, name="richmenu", help=t.HELP_RICHMENU)


def _menus() -> RichMenus:
    from bot.handlers.line.richmenu import RichMenus

    conf = settings()
    if conf.line_channel_access_token is None or not conf.line_channel_access_token.get_secret_value().strip():
        fail(t.RICHMENU_NOT_CONFIGURED)
    return RichMenus(conf)


@contextmanager
def _line_errors() -> Iterator[None]:
    """LINE's refusal as one line (its status and message), not a traceback."""
    from linebot.v3.messaging.exceptions import ApiException

    try:
        yield
    except ApiException as exc:
        from bot.handlers.line.api import error_message

        fail(t.RICHMENU_REFUSED.format(status=exc.status, message=error_message(exc) or exc.reason), code=1)


@richmenu_app.command("create")
def richmenu_create(
    image: Path | None = typer.Option(None, "--image", help=t.HELP_RICHMENU_IMAGE),
    dry_run: bool = typer.Option(False, "--dry-run", help=t.HELP_RICHMENU_DRY_RUN),
) -> None:
    """リッチメニューを描いて登録し、全員の既定にします(以前の既定メニューは削除)。"""
    from bot.handlers.line.richmenu import draw

    png = draw()
    if image is not None:
        image.write_bytes(png)
    if dry_run:
        if image is None:
            fail(t.RICHMENU_DRY_RUN_NEEDS_IMAGE)
        typer.echo(t.RICHMENU_IMAGE_WRITTEN.format(path=image))
        return
    with _line_errors():
        menu_id = _menus().create(png)
    typer.echo(t.RICHMENU_CREATED.format(id=menu_id, image=image or "-"))


@richmenu_app.command("show")
def richmenu_show(fmt: str = typer.Option("text", "--format", help="text / json")) -> None:
    """既定のリッチメニューを表示します。"""
    if fmt not in ("text", "json"):
        fail(say.ONE_OF.format(option="format", choices="text / json", given=fmt))
    with _line_errors():
        shown = _menus().show()
    if fmt == "json":
        print_json(None if shown is None else {"id": shown.id, "name": shown.name, "buttons": shown.labels})
    elif shown is None:
        typer.echo(t.RICHMENU_NONE)
    else:
        typer.echo(t.RICHMENU_SHOW.format(id=shown.id, name=shown.name, labels=" / ".join(shown.labels)))


@richmenu_app.command("delete")
def richmenu_delete() -> None:
    """既定のリッチメニューを解除して削除します。"""
    with _line_errors():
        menu_id = _menus().delete()
    typer.echo(t.RICHMENU_NONE if menu_id is None else t.RICHMENU_DELETED.format(id=menu_id))
