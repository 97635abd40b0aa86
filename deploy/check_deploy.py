"""Static checks of the deploy recipes, for a machine without a container daemon (deploy/check.sh).

  python3 deploy/check_deploy.py static       the Dockerfile, compose.yaml and the Caddyfile agree
  python3 deploy/check_deploy.py healthcheck  print the Dockerfile's HEALTHCHECK command (JSON array)

compose.yaml is checked against the keys of the Compose specification it uses and for what makes
this deployment work: every service's image or build, depends_on pointing at services (healthy ones
having a health check), named volumes declared, bind-mounted files present, PostgreSQL's data on a
volume, only the proxy publishing ports, web and clock on one image with a DATABASE_URL at `db`.
Exit 1 with one line per problem.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

import yaml

DEPLOY = Path(__file__).resolve().parent
TOP_KEYS = {"name", "services", "volumes", "networks", "configs", "secrets", "include", "version"}
SERVICE_KEYS = {
    "image", "build", "command", "entrypoint", "restart", "environment", "env_file", "depends_on", "expose",
    "ports", "volumes", "healthcheck", "networks", "user", "working_dir", "labels", "logging", "deploy",
    "stop_grace_period", "stop_signal", "read_only", "tmpfs", "cap_drop", "cap_add", "security_opt", "init",
    "container_name", "profiles", "secrets", "configs", "ulimits", "extra_hosts", "hostname", "pull_policy",
}
HEALTHCHECK_KEYS = {"test", "interval", "timeout", "retries", "start_period", "start_interval", "disable"}
CONDITIONS = {"service_started", "service_healthy", "service_completed_successfully"}
RESTART = {"no", "always", "on-failure", "unless-stopped"}


def _dockerfile() -> str:
    return (DEPLOY / "Dockerfile").read_text(encoding="utf-8")


def healthcheck_command() -> list[str]:
    """The exec-form command of the Dockerfile's HEALTHCHECK (continuation lines joined)."""
    text = _dockerfile().replace("\\\n", " ")
    match = re.search(r"^HEALTHCHECK\b.*?\bCMD\s+(\[.*\])\s*$", text, re.MULTILINE)
    if not match:
        raise SystemExit("Dockerfile: no HEALTHCHECK ... CMD [...] (exec form)")
    return list(json.loads(match.group(1)))


def check_dockerfile() -> list[str]:
    text = _dockerfile()
    problems = []
    stages = re.findall(r"^FROM\s+(\S+)", text, re.MULTILINE)
    if not stages or not all("slim" in s for s in stages):
        problems.append(f"Dockerfile: base images should be slim: {stages}")
    users = re.findall(r"^USER\s+(\S+)", text, re.MULTILINE)
    if not users or users[-1] in ("root", "0"):
        problems.append("Dockerfile: the final stage must switch to a non-root USER")
    if not re.search(r"^RUN\s+sh deploy/build\.sh\b", text, re.MULTILINE):
        problems.append("Dockerfile: the build must be `RUN sh deploy/build.sh` (what CI runs)")
    if "requirements.lock" not in text:
        problems.append("Dockerfile: the lock file is not copied in")
    if not re.search(r"^HEALTHCHECK\b", text, re.MULTILINE):
        problems.append("Dockerfile: no HEALTHCHECK")
    else:
        healthcheck_command()
    return problems


def _volumes(service: dict[str, Any]) -> list[tuple[str, str]]:
    found = []
    for v in service.get("volumes", []):
        if isinstance(v, str):
            source, _, rest = v.partition(":")
            found.append((source, rest.split(":")[0]))
        else:
            found.append((str(v.get("source", "")), str(v.get("target", ""))))
    return found


def _env(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment", {})
    if isinstance(env, list):
        return dict(item.split("=", 1) if "=" in item else (item, "") for item in env)
    return {k: str(v) for k, v in env.items()}


def check_compose(path: Path = DEPLOY / "compose.yaml") -> list[str]:
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    problems = [f"compose: unknown top-level key {k!r}" for k in doc if k not in TOP_KEYS and not k.startswith("x-")]
    services: dict[str, dict[str, Any]] = doc.get("services", {})
    declared = set((doc.get("volumes") or {}).keys())
    for need in ("web", "clock", "db", "proxy"):
        if need not in services:
            problems.append(f"compose: no {need!r} service")
    for name, svc in services.items():
        problems += [f"compose: {name}: unknown key {k!r}" for k in svc if k not in SERVICE_KEYS and not k.startswith("x-")]
        if "image" not in svc and "build" not in svc:
            problems.append(f"compose: {name}: neither image nor build")
        if str(svc.get("restart", "no")) not in RESTART:
            problems.append(f"compose: {name}: restart {svc.get('restart')!r}")
        problems += [f"compose: {name}: healthcheck key {k!r}" for k in svc.get("healthcheck", {}) if k not in HEALTHCHECK_KEYS]
        depends = svc.get("depends_on", {})
        for target, how in (depends.items() if isinstance(depends, dict) else ((d, {}) for d in depends)):
            if target not in services:
                problems.append(f"compose: {name} depends on unknown service {target!r}")
                continue
            condition = (how or {}).get("condition", "service_started")
            if condition not in CONDITIONS:
                problems.append(f"compose: {name}: condition {condition!r}")
            if condition == "service_healthy" and not _healthy(services[target]):
                problems.append(f"compose: {name} waits for {target} to be healthy, which has no health check")
        for source, _target in _volumes(svc):
            if source.startswith((".", "/")):
                if not (path.parent / source).exists():
                    problems.append(f"compose: {name}: bind mount {source} does not exist")
            elif source not in declared:
                problems.append(f"compose: {name}: volume {source!r} not declared under volumes:")
        env_file = svc.get("env_file")
        if env_file and not (path.parent / f"{env_file}.example").exists():
            problems.append(f"compose: {name}: env_file {env_file} has no {env_file}.example to copy")
        if "build" in svc:
            build = svc["build"]
            context = path.parent / (build if isinstance(build, str) else build.get("context", "."))
            dockerfile = "Dockerfile" if isinstance(build, str) else build.get("dockerfile", "Dockerfile")
            if not (context / dockerfile).exists():
                problems.append(f"compose: {name}: {context / dockerfile} does not exist")
        if svc.get("ports") and name != "proxy":
            problems.append(f"compose: {name} publishes ports; only the proxy should")
    if "db" in services and not any(t == "/var/lib/postgresql/data" and not s.startswith((".", "/"))
                                    for s, t in _volumes(services["db"])):
        problems.append("compose: db: PostgreSQL's data is not on a named volume")
    if {"web", "clock"} <= services.keys():
        web, clock = services["web"], services["clock"]
        if web.get("image") != clock.get("image"):
            problems.append("compose: web and clock must run the same image")
        for name, svc in (("web", web), ("clock", clock)):
            url = _env(svc).get("DATABASE_URL", "")
            if not re.match(r"postgres(ql)?://[^@]+@db:5432/", url):
                problems.append(f"compose: {name}: DATABASE_URL should point at the db service: {url!r}")
        port = _env(web).get("PORT", "8000")
        upstream = _env(services.get("proxy", {})).get("KAIKAKU_UPSTREAM", "")
        if upstream != f"web:{port}":
            problems.append(f"compose: the proxy's upstream {upstream!r} is not web:{port}")
    if "proxy" in services:
        published = {str(p).split(":")[-1].split("/")[0] for p in services["proxy"].get("ports", [])}
        if not {"80", "443"} <= published:
            problems.append("compose: the proxy must publish 80 (ACME challenge) and 443")
    caddy = (DEPLOY / "Caddyfile").read_text(encoding="utf-8")
    if "reverse_proxy {$KAIKAKU_UPSTREAM" not in caddy:
        problems.append("Caddyfile: no reverse_proxy to {$KAIKAKU_UPSTREAM}")
    return problems


def _healthy(service: dict[str, Any]) -> bool:
    check = service.get("healthcheck")
    return bool(check) and not check.get("disable")


def main(argv: list[str]) -> int:
    if argv[1:] == ["healthcheck"]:
        print(json.dumps(healthcheck_command()))
        return 0
    if argv[1:] != ["static"]:
        print(__doc__, file=sys.stderr)
        return 2
    problems = check_dockerfile() + check_compose()
    for p in problems:
        print(p, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
