"""One language in `--help`: Japanese, like everything the bot says.

`JapaneseGroup` is the root command's class: when typer builds the command tree it puts the
Japanese help of bot.texts.ops.CLI_HELP over the English docstrings. Typer's panel titles are its
documented module constants (typer.rich_utils); the built-in options (--help, the completion
options) get their Japanese, and flags lose the `<bool>` typer shows after them (a flag takes no
value), where click hands a command its parameters (`Command.get_params`, wrapped once here).
"""

from __future__ import annotations

import re
from typing import Any

import typer.rich_utils
from typer._click.core import Command
from typer.core import TyperGroup

from bot.texts import ops as t

for _name, _text in t.CLI_PANELS.items():
    setattr(typer.rich_utils, _name, _text)


def plain(param: Any) -> Any:
    """The built-in options' help in Japanese; no `<bool>` after a flag."""
    key = next((o for o in getattr(param, "opts", []) if o.startswith("--")), "")
    if key in t.CLI_BUILTIN_HELP:
        param.help = t.CLI_BUILTIN_HELP[key]
    if getattr(param, "is_flag", False) and not getattr(param, "secondary_opts", None):
        param.metavar = ""
    return param


_get_params = Command.get_params


def _japanese_params(self: Command, ctx: Any) -> list[Any]:
    """Every command's parameters, including the help option click adds when asked."""
    return [plain(p) for p in _get_params(self, ctx)]


Command.get_params = _japanese_params  # type: ignore[method-assign]


def japanese_error(message: str) -> str:
    """A usage error in Japanese (unknown ones as they are)."""
    for pattern, text in t.CLI_ERRORS:
        match = re.fullmatch(pattern, message.strip(), re.DOTALL)
        if match:
            return text.format(*match.groups())
    return message


_print_error = typer.rich_utils.rich_format_error


def _japanese_print_error(error: Any) -> None:
    message = japanese_error(error.format_message())
    error.format_message = lambda: message
    _print_error(error)


typer.rich_utils.rich_format_error = _japanese_print_error  # type: ignore[assignment]


def localize(command: Any, path: str = "") -> None:
    """Apply the Japanese help to `command` and everything under it."""
    texts = t.CLI_HELP.get(path, {})
    if "" in texts:
        command.help = texts[""]
        command.short_help = None
    for param in command.params:
        key = next((o for o in getattr(param, "opts", []) if o.startswith("--")), param.name or "")
        if key in texts:
            param.help = texts[key]
    if isinstance(command, TyperGroup):
        for name, sub in command.commands.items():
            localize(sub, f"{path} {name}".strip())


class JapaneseGroup(TyperGroup):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        localize(self)
