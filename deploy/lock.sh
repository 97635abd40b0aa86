#!/bin/sh
# Regenerate requirements.lock (runtime) and requirements-dev.lock (runtime + dev) from
# pyproject.toml: each from a fresh virtual environment, so nothing else leaks in.
set -eu
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
python3 -m venv "$work/rt" && "$work/rt/bin/pip" install --quiet "$root"
python3 -m venv "$work/dev" && "$work/dev/bin/pip" install --quiet "$root[dev]"
{
  echo "# The runtime dependencies, pinned: what \`kaikaku serve\` and \`kaikaku scheduler\` run with."
  echo "# Used as constraints by the README, the Dockerfile and deploy/check.sh: pip install -c requirements.lock ."
  echo "# Regenerate after changing pyproject.toml's dependencies: deploy/lock.sh"
  "$work/rt/bin/pip" freeze --exclude kaikaku-bot
} > "$root/requirements.lock"
{
  echo "# Runtime and development dependencies, pinned (tests, ruff, mypy): what CI (.ci/run) installs."
  echo "# pip install -c requirements-dev.lock -e '.[dev]'   Regenerate: deploy/lock.sh"
  "$work/dev/bin/pip" freeze --exclude kaikaku-bot
} > "$root/requirements-dev.lock"
