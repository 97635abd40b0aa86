"""Every sentence the bot says lives in bot/texts/: an AST scan of every other bot/ module.

A string literal with Japanese letters (kana or kanji) outside bot/texts/ is a sentence in the
wrong place, unless the allow-list below says why it is not said but MATCHED (words the bot reads:
chat commands, parser patterns, unit and era tables) or kept as data. Adding a sentence anywhere
else in bot/ fails this test; move it into the bot/texts module of its area.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

BOT = Path(__file__).resolve().parent.parent / "bot"
JAPANESE = re.compile(r"[\u3041-\u3096\u30a1-\u30fa\u30fc\u4e00-\u9fff\u3005]")  # kana, kanji, ー, 々

# Whole modules (paths relative to bot/) whose Japanese is not said by the bot.
ALLOWED_MODULES: dict[str, str] = {
    "texts/": "the texts themselves",
    "answers/parse.py": "the question patterns and word lists, read not said",
    "catalog/parser.py": "patterns of the plan document, read not said",
    "storage/migrations/": "historical stored labels the migrations convert to codes (data)",
}

# Module-level names (and class attributes) holding words MATCHED, never said, per module.
ALLOWED_NAMES: dict[str, set[str]] = {
    # chat words the bot recognises
    "core/router.py": {"HELP_WORDS"},
    "dialogs/model.py": {"BACK_WORDS", "CANCEL_WORDS", "HELP_WORDS", "YES_WORDS", "NO_WORDS", "KEEP_WORDS"},
    "dialogs/manager.py": {"_QUESTION"},
    "reporting/handler.py": {"_REPORT", "_MORE_NOS", "STATUS_WORDS"},
    "reporting/steps.py": {"NO_PATTERN", "RESUME", "REVISE", "SKIP_WORDS"},  # "34番", report.yaml's choice values, 集計中
    "reporting/reports.py": {"_STRICT"},  # 未満 / 超 read from a target's qualifier
    "answers/render.py": {"_PUNCTUATION"},  # what is not content when a plan cell is compared with its target
    # registration commands ("登録 ABCD-EFGH", "登録 @user 課 役割")
    "people/registration.py": {"_COMMAND", "_SEPARATORS"},
    "people/linking.py": {"_LINK"},
    "people/desk.py": {"_INVITE", "_MOVE", "_UNREGISTERED"},  # 招待 課名 / 異動 @user 課名 / 未登録の課は?
    "people/profile.py": {"ENTRY_WORDS"},
    # the plan's categories as the document names them (data, matched when the catalog is read)
    "catalog/schema.py": {"Resource"},
    # the bundled plan's title, stored with the plan when it is loaded (data)
    "catalog/store.py": {"BUNDLED_PLAN_TITLE"},
    # pure helpers: the era names, year words, units, numerals and signs they read
    "japanese/fiscal_year.py": {"_ERA_PREFIX", "GANNEN", "_RELATIVE", "_WHOLE_FORMS", "_SENTENCE_PATTERN"},
    "japanese/numbers.py": {"_UNITS", "UNIT_ALIASES", "_YEN_PREFIXES", "_SIGNS", "_DASH_SIGNS", "_APPROX_BEFORE",
                            "_APPROX_AFTER", "_NOT_APPROX_BEFORE_YAKU", "_LABEL_BEFORE", "_LABEL_AFTER",
                            "_KANJI_PREFIX_OK", "_YEN", "_YAKU", "_LONG_VOWEL", "_IDEOGRAPHS", "_IDEOGRAPH_MARKS",
                            "_KATAKANA"},
    "japanese/kanji_numerals.py": {"KANJI_DIGITS", "SMALL_MULTIPLIERS", "BIG_MULTIPLIERS"},
}


def _module_key(path: Path) -> str:
    return path.relative_to(BOT).as_posix()


def _allowed_module(key: str) -> bool:
    return any(key == m or (m.endswith("/") and key.startswith(m)) for m in ALLOWED_MODULES)


def _docstrings(tree: ast.AST) -> set[int]:
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                out.add(id(first.value))
    return out


def _named_blocks(tree: ast.Module) -> dict[str, ast.AST]:
    """Module-level assignments and classes by name (where allowed words are kept)."""
    blocks: dict[str, ast.AST] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    blocks[target.id] = node
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            blocks[node.target.id] = node
        elif isinstance(node, ast.ClassDef):
            blocks[node.name] = node
    return blocks


def japanese_literals(path: Path, key: str | None = None) -> list[tuple[int, str]]:
    """(line, text) of each string literal with Japanese in `path` (read as the module `key`,
    relative to bot/) that is neither a docstring nor inside an allowed name."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = _docstrings(tree)
    names = ALLOWED_NAMES.get(key or _module_key(path), set())
    for name, block in _named_blocks(tree).items():
        if name in names:
            skip |= {id(n) for n in ast.walk(block)}
    return [(node.lineno, node.value) for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip
            and JAPANESE.search(node.value)]


def _scanned() -> list[Path]:
    return [p for p in sorted(BOT.rglob("*.py")) if not _allowed_module(_module_key(p))]


def test_no_sentence_outside_bot_texts() -> None:
    found = {_module_key(p): hits for p in _scanned() if (hits := japanese_literals(p))}
    report = "\n".join(f"bot/{m}:{line}: {text[:60]!r}" for m, hits in found.items() for line, text in hits)
    assert not found, f"Japanese outside bot/texts (move it into bot/texts/<area>.py):\n{report}"


def test_every_allowed_name_exists() -> None:
    """An allow-list entry for a name that is gone would let the next sentence in silently."""
    for module, names in ALLOWED_NAMES.items():
        tree = ast.parse((BOT / module).read_text(encoding="utf-8"))
        missing = names - set(_named_blocks(tree))
        assert not missing, f"bot/{module}: {sorted(missing)} not found"


def test_the_scan_catches_a_new_sentence(tmp_path: Path) -> None:
    """The scan is not blind: a sentence in a function (an f-string's words) and a new constant are
    found in a module with allowed names; its allowed words (ENTRY_WORDS) are not."""
    source = (BOT / "people" / "profile.py").read_text(encoding="utf-8")
    assert "ENTRY_WORDS" in source and japanese_literals(BOT / "people" / "profile.py") == []
    planted = tmp_path / "profile.py"
    planted.write_text(source + '\nGOODBYE = "お疲れさまでした。"\n\n\ndef _new(name: str) -> str:\n'
                       '    return f"{name}さん、ようこそ。"\n', encoding="utf-8")
    assert sorted(text for _, text in japanese_literals(planted, "people/profile.py")) == [
        "お疲れさまでした。", "さん、ようこそ。"]


@pytest.mark.parametrize("module", sorted(ALLOWED_MODULES))
def test_allowed_modules_exist(module: str) -> None:
    assert (BOT / module).exists(), module
