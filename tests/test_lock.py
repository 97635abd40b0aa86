"""The lock files make every install reproducible: each dependency of pyproject.toml pinned at a
version its specifier admits, the runtime lock free of development tools, and the two locks in
agreement (a runtime install is the same in CI, in the image and on a VM)."""

from __future__ import annotations

import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent


def pins(name: str) -> dict[str, Version]:
    found = {}
    for line in (ROOT / name).read_text(encoding="utf-8").splitlines():
        line = line.split("#")[0].strip()
        if line:
            req = Requirement(line)
            [spec] = req.specifier
            assert spec.operator == "==", f"{name}: {line} is not pinned"
            found[canonicalize_name(req.name)] = Version(spec.version)
    return found


def project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def test_every_dependency_is_pinned_within_its_range() -> None:
    runtime, dev = pins("requirements.lock"), pins("requirements-dev.lock")
    for lock, requirements in ((runtime, project()["dependencies"]),
                               (dev, project()["dependencies"] + project()["optional-dependencies"]["dev"])):
        for text in requirements:
            req = Requirement(text)
            name = canonicalize_name(req.name)
            assert name in lock, f"{req.name} is not in the lock"
            assert req.specifier.contains(lock[name], prereleases=True), f"{name}=={lock[name]} outside {req.specifier}"


def test_the_runtime_lock_has_no_dev_tools_and_agrees_with_the_dev_lock() -> None:
    runtime, dev = pins("requirements.lock"), pins("requirements-dev.lock")
    # The tools themselves (requests, also in [dev], is a runtime library's dependency too).
    tools = {"pytest", "hypothesis", "ruff", "mypy", "openapi-core"}
    assert tools <= {canonicalize_name(Requirement(t).name) for t in project()["optional-dependencies"]["dev"]}
    assert not tools & runtime.keys(), f"dev tools in the runtime lock: {sorted(tools & runtime.keys())}"
    assert {n: v for n, v in dev.items() if n in runtime} == runtime


def test_no_version_with_a_known_advisory() -> None:
    runtime = pins("requirements.lock")
    assert runtime["waitress"] >= Version("3.0.1")  # 3.0.0: two published advisories (request smuggling, DoS)
    assert any("waitress>=3.0.1" in d.replace(" ", "") for d in project()["dependencies"])
