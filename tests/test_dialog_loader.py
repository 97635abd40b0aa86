"""Dialog files are checked as they are loaded: a bad file is refused with the file, the step and
the reason; at start-up that stops the bot, on a reload the last good version keeps serving."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.dialogs import loader
from bot.dialogs.model import DialogError

SETTINGS = (loader.CONVERSATIONS / "settings.yaml").read_text(encoding="utf-8")


def _write(folder: Path, text: str) -> Path:
    path = folder / "settings.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(("typo", "fixed", "reason"), [
    ('next: {"yes": END, "no": name}', 'next: {"yes": END, "no": nmae}', "settings.confirm: 次の手順 「nmae」はありません"),
    ("validate: display_name", "validate: display_nmae", "settings.name: validator 「display_nmae」が登録されていません"),
    ("on_finish: profile_save", "on_finish: profile_sve", "settings.on_finish: action 「profile_sve」が登録されていません"),
    ("「{name}」に変更します", "「{nmae}」に変更します", "settings.confirm: prompt の {nmae} は data にも手順にもない名前です"),
    ("    prompt: 表示名を", "    promt: 表示名を", "settings.confirm: unknown keys ['promt']"),
    ("    kind: text", "    kind: txt", "settings.name: kind 「txt」は"),
    ('{"yes": END, "no": name}', '{"yes": END, "non": name}', "settings.confirm: next の 「non」は選択肢の値にありません"),
    ("  saved: 表示名を「{name}」に変更しました。", "  saved: 表示名を「{name}」に変更しました{", "settings.messages: saved の書式が正しくありません"),
])
def test_a_typo_is_refused_at_load_with_the_file_the_step_and_the_reason(
        tmp_path: Path, typo: str, fixed: str, reason: str) -> None:
    assert typo in SETTINGS
    path = _write(tmp_path, SETTINGS.replace(typo, fixed))
    with pytest.raises(DialogError) as refused:
        loader.load_dialog(path)
    message = str(refused.value)
    assert message.startswith("settings.yaml: ") and reason in message, message


def test_the_shipped_file_itself_loads(tmp_path: Path) -> None:
    assert loader.load_dialog(_write(tmp_path, SETTINGS)).name == "settings"


def test_a_reload_keeps_the_last_good_version(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = _write(tmp_path, SETTINGS)
    library = loader.Library(tmp_path)
    good = library.dialogs()["settings"]
    _write(tmp_path, SETTINGS.replace("validate: display_name", "validate: display_nmae") + "\n")
    with caplog.at_level(logging.ERROR, logger="bot.dialogs.loader"):
        still = library.dialogs()["settings"]
    assert still is good  # the running bot keeps the last good version
    assert "display_nmae" in library.refused[path][1] and "display_nmae" in caplog.text
    reworded = SETTINGS.replace("新しい表示名を入力してください", "新しい表示名をどうぞ")
    _write(tmp_path, reworded)
    fixed = library.dialogs()["settings"]
    assert "どうぞ" in fixed.steps["name"].prompt and path not in library.refused


def test_at_start_up_a_bad_file_stops_the_bot(tmp_path: Path) -> None:
    _write(tmp_path, SETTINGS.replace("    kind: text", "    kind: txt"))
    with pytest.raises(DialogError, match="settings.name: kind 「txt」"):
        loader.load_all(tmp_path)


def test_every_shipped_dialog_loads_at_start_up() -> None:
    assert {"report", "settings"} <= set(loader.load_all())


def test_no_dialog_repeats_the_generic_words() -> None:
    """A dialog's `messages:` rewords; a copy of bot/texts/dialogs.py would drift from it."""
    from bot.texts.dialogs import MESSAGES

    for name, dialog in loader.load_all().items():
        copies = [key for key, text in dialog.messages.items() if MESSAGES.get(key) == text]
        assert copies == [], f"{name}: {copies} repeat bot/texts/dialogs.py"
