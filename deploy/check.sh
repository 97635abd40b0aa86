#!/usr/bin/env bash
# What CI can verify of the deploy recipes without a container daemon:
#   1. the image's build steps (deploy/build.sh, which the Dockerfile runs) into a fresh prefix:
#      the lock file's versions, no dev tools;
#   2. the built program as the image runs it: as an unprivileged user, `kaikaku init`, `kaikaku
#      serve`, the Dockerfile's own HEALTHCHECK command, /metrics; `kaikaku scheduler` refusing a
#      half-set configuration;
#   3. the Dockerfile, compose.yaml and the Caddyfile agree (deploy/check_deploy.py);
#   4. the systemd units (`systemd-analyze verify`, where this machine has it).
# Usage: deploy/check.sh            (from anywhere; exit 0 when all is well)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
server=""
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
step() { printf '== %s\n' "$*"; }

step "build steps (deploy/build.sh) into $work/opt"
if ! sh "$root/deploy/build.sh" "$work/opt" "$root" >"$work/build.log" 2>&1; then
  grep -v "^WARNING: Location" "$work/build.log" >&2; exit 1
fi
grep -v "^WARNING: Location" "$work/build.log" || true  # (that warning: this machine's local index)
chmod -R a+rX "$work"

step "static: Dockerfile, compose.yaml, Caddyfile"
"$work/opt/bin/python" "$root/deploy/check_deploy.py" static

# The image runs as an unprivileged user: so do we, when we can switch to one.
as_user=()
if [ "$(id -u)" = 0 ] && command -v runuser >/dev/null 2>&1 && id nobody >/dev/null 2>&1; then
  if runuser -u nobody -- "$work/opt/bin/python" -c pass 2>/dev/null; then
    as_user=(runuser -u nobody --)
  else  # e.g. a Python under /root (pyenv) that other users cannot run
    step "note: this machine's Python cannot be run by nobody; running as $(id -un)"
  fi
fi
data="$work/data"
mkdir -p "$data" && chmod 777 "$data"
port="$("$work/opt/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
export DATABASE_URL="sqlite:///$data/kaikaku.db" SECRET_KEY="check-$(date +%s)-not-a-real-key" PORT="$port"
export KAIKAKU_ENV_FILE= LOG_FORMAT=json PATH="$work/opt/bin:$PATH"
cd "$data"

step "the clock refuses an uninitialised database"
if "${as_user[@]}" env PATH="$PATH" kaikaku scheduler 2>"$work/refused.txt"; then
  echo "kaikaku scheduler started on an empty database" >&2; exit 1
fi
grep -q "kaikaku init" "$work/refused.txt" || { cat "$work/refused.txt" >&2; exit 1; }

step "kaikaku init, kaikaku serve on port $port"
"${as_user[@]}" env PATH="$PATH" kaikaku init
"${as_user[@]}" env PATH="$PATH" kaikaku serve 2>"$work/serve.log" &
server=$!

step "the Dockerfile's HEALTHCHECK"
mapfile -t health < <("$work/opt/bin/python" -c 'import json, sys; print("\n".join(json.loads(sys.stdin.read())))' \
  < <("$work/opt/bin/python" "$root/deploy/check_deploy.py" healthcheck))
ok=""
for _ in $(seq 1 60); do
  if "${health[@]}" 2>/dev/null; then ok=1; break; fi
  sleep 0.5
done
if [ -z "$ok" ]; then echo "HEALTHCHECK never passed" >&2; cat "$work/serve.log" >&2; exit 1; fi
"$work/opt/bin/python" - "$port" <<'PY'
import json, sys, urllib.request
base = f"http://127.0.0.1:{sys.argv[1]}"
health = json.load(urllib.request.urlopen(base + "/healthz", timeout=5))
assert health["status"] == "ok", health
metrics = urllib.request.urlopen(base + "/metrics", timeout=5).read().decode()
for name in ("kaikaku_outbox_messages", "kaikaku_http_request_duration_seconds", "kaikaku_line_push_budget_remaining"):
    assert name in metrics, name
print("healthz:", health["status"], "| metrics:", len(metrics.splitlines()), "lines")
PY
grep -q '"level": "INFO"' "$work/serve.log"  # LOG_FORMAT=json: JSON lines

kill "$server"; wait "$server" 2>/dev/null || true; server=""

if command -v systemd-analyze >/dev/null 2>&1; then
  step "systemd units (systemd-analyze verify)"
  units="$work/units"
  mkdir -p "$units"
  for unit in "$root"/deploy/systemd/*; do
    sed "s#/opt/kaikaku/#$work/opt/#g" "$unit" > "$units/$(basename "$unit")"
  done
  # verify exits 0 on many problems; any message is one.
  out="$(systemd-analyze verify "$units"/*.service "$units"/*.timer 2>&1 || true)"
  if [ -n "$out" ]; then echo "$out" >&2; exit 1; fi
else
  step "systemd-analyze is not installed: units not verified"
fi
step "deploy recipes: all checks passed"
