"""What a regular (non-editable) install carries: a server deployed with `pip install .` must have
the dialogs, the catalog and the migrations, not only the code."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_wheel_carries_dialogs_catalog_and_migrations(tmp_path: Path) -> None:
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(tmp_path),
                    str(ROOT)], check=True, capture_output=True, timeout=300)
    wheel = next(tmp_path.glob("kaikaku_bot-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    dialogs = {f"bot/conversations/{p.name}" for p in (ROOT / "conversations").glob("*.yaml")}
    assert dialogs and dialogs <= names
    assert {"bot/catalog/data/catalog.yaml", "bot/catalog/data/seed/kanazawa-r5-r8.txt", "bot/storage/migrations/env.py"} <= names
    assert any(n.startswith("bot/storage/migrations/versions/0001") for n in names)
    assert not any("__pycache__" in n or n.startswith("tests/") for n in names)
