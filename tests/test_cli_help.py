"""The command line as operators expect it: help in one language, no stray `<bool>`, --version,
shell completion, and `--format json` where a list is printed."""

from __future__ import annotations

import json
import re
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from bot.cli import app

JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
runner = CliRunner()


def every_command() -> list[tuple[str, Any]]:
    root = typer.main.get_command(app)
    found = []

    def walk(command: Any, path: str) -> None:
        found.append((path, command))
        for name, sub in getattr(command, "commands", {}).items():
            walk(sub, f"{path} {name}")

    walk(root, "kaikaku")
    return found


def test_every_command_and_option_is_helped_in_japanese() -> None:
    english = []
    for path, command in every_command():
        ctx = typer.Context(command, info_name=path)  # type: ignore[arg-type]
        if not JAPANESE.search(command.help or ""):
            english.append(f"{path}: {command.help!r}")
        for param in command.get_params(ctx):
            if not JAPANESE.search(getattr(param, "help", None) or ""):
                english.append(f"{path} {param.opts}: {getattr(param, 'help', None)!r}")
    assert not english, "help without Japanese (add it to bot/texts/ops.py CLI_HELP):\n" + "\n".join(english)


@pytest.mark.parametrize("args", [["--help"], ["outbox", "--help"], ["members", "add", "--help"],
                                  ["line", "richmenu", "create", "--help"]])
def test_help_has_no_stray_bool_nor_english_builtins(args: list[str]) -> None:
    result = runner.invoke(app, args, env={"COLUMNS": "200"})
    assert result.exit_code == 0
    assert "<bool>" not in result.stdout
    assert "Show this message" not in result.stdout and "Options" not in result.stdout
    assert "このヘルプを表示して終了します" in result.stdout and "オプション" in result.stdout


def test_version_and_completion() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.stdout.strip() == f"kaikaku-bot {version('kaikaku-bot')}"
    top = runner.invoke(app, ["--help"], env={"COLUMNS": "200"}).stdout
    assert "--install-completion" in top and "--show-completion" in top
    script = runner.invoke(app, ["--show-completion", "bash"], prog_name="kaikaku")
    assert script.exit_code == 0 and "complete" in script.stdout and "kaikaku" in script.stdout


def test_lists_print_json(cli_env: Path) -> None:
    assert runner.invoke(app, ["init"]).exit_code == 0
    runner.invoke(app, ["members", "add", "--platform", "console", "--user", "demo", "--department", "危機管理課",
                        "--name", "田中"])
    members = json.loads(runner.invoke(app, ["members", "list", "--format", "json"]).stdout)
    assert members == [{"platform": "console", "user": "demo", "name": "田中", "department": "危機管理課",
                        "role": "staff"}]
    unassigned = json.loads(runner.invoke(app, ["catalog", "unassigned", "--format", "json"]).stdout)
    as_text = runner.invoke(app, ["catalog", "unassigned"]).stdout
    assert [m["no"] for m in unassigned] == [int(n) for n in re.findall(r"^No\.(\d+) ", as_text, re.MULTILINE)]
    assert len(unassigned) >= 5 and all(m["title"] and m["title"] in as_text for m in unassigned)
    bad = runner.invoke(app, ["members", "list", "--format", "xml"])
    assert bad.exit_code == 2 and "text / json" in bad.stderr


@pytest.mark.parametrize(("args", "said"), [
    (["members", "add"], "オプション --platform を指定してください。"),
    (["nosuch"], "コマンド「nosuch」はありません。"),
    (["outbox", "--status", "x"], "--status は 'queued', 'sending', 'sent', 'failed' のいずれかです(指定: x)。"),
    (["outbox", "--stat"], "オプション --stat はありません"),
])
def test_usage_errors_are_in_japanese(args: list[str], said: str) -> None:
    result = runner.invoke(app, args, env={"COLUMNS": "300"})
    assert result.exit_code == 2
    assert said in result.stderr and "Missing" not in result.stderr and "No such" not in result.stderr
