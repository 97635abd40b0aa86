"""`kaikaku slack manifest`: the Slack app manifest for this version of the bot."""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Annotated

import typer
import yaml

from bot.cli.common import fail
from bot.handlers.slack.manifest import manifest as build
from bot.texts import ops as t

app = typer.Typer(no_args_is_help=True)


class ManifestFormat(StrEnum):
    yaml = "yaml"
    json = "json"


@app.command("manifest")
def manifest(
    url: Annotated[str | None, typer.Option("--url", help=t.HELP_MANIFEST_URL)] = None,
    socket_mode: Annotated[bool, typer.Option("--socket-mode", help=t.HELP_MANIFEST_SOCKET)] = False,
    fmt: Annotated[ManifestFormat, typer.Option("--format", help=t.HELP_MANIFEST_FORMAT)] = ManifestFormat.yaml,
) -> None:
    """Slack アプリのマニフェストを表示します(「From an app manifest」に貼り付けます)。"""
    if not socket_mode and not url:
        fail(t.SLACK_MANIFEST_WHERE)
    if url and not socket_mode and not url.startswith("https://"):
        fail(t.SLACK_MANIFEST_NOT_HTTPS.format(url=url))
    data = build(url, socket_mode)
    if fmt is ManifestFormat.json:
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        typer.echo(yaml.safe_dump(data, allow_unicode=True, sort_keys=False).rstrip())
