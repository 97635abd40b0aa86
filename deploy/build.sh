#!/bin/sh
# The image's build steps: the Dockerfile runs exactly this, and deploy/check.sh runs it in CI
# (this machine has no container daemon), so what CI checks is what the image gets.
#   deploy/build.sh PREFIX [SOURCE]   → a virtual environment at PREFIX with kaikaku installed
# (PYTHON=/usr/bin/python3 picks the interpreter; 3.11 or later)
# Only the runtime dependencies, at the versions of requirements.lock; no dev tools.
set -eu
prefix="$1"
src="${2:-.}"
"${PYTHON:-python3}" -m venv "$prefix"
"$prefix/bin/pip" install --no-cache-dir --quiet --requirement "$src/requirements.lock"
"$prefix/bin/pip" install --no-cache-dir --quiet --no-deps "$src"
"$prefix/bin/pip" check
"$prefix/bin/kaikaku" --version
if "$prefix/bin/python" -c "import pytest" 2>/dev/null; then
  echo "build.sh: a development tool (pytest) reached the runtime install" >&2
  exit 1
fi
