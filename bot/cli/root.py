"""The root of `kaikaku`: `--version`.

A module of its own because typer reads the callback's annotations from its module's globals, and
`bot/cli/__init__.py` imports typer only when the app is built (`kaikaku ask` does without it).
"""

from __future__ import annotations

from importlib.metadata import version as package_version
from typing import Annotated

import typer

from bot.texts.ops import CLI_VERSION_HELP


def _version(value: bool) -> None:
    if value:
        typer.echo(f"kaikaku-bot {package_version('kaikaku-bot')}")
        raise typer.Exit()


def _root(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help=CLI_VERSION_HELP)] = False,
) -> None:
    """kaikaku-bot"""


def register(app: typer.Typer) -> None:
    app.callback()(_root)
