"""Start-up cost, side by side with its baseline on the same machine in the same run.

- `kaikaku ask "No.34の目標は?"` (a person at a terminal waits for it on every question) against
  `python -c "import sqlalchemy.orm"` (what importing the ORM alone costs): goal within 1.5×.
- For reference: the ORM imported, the bot's ORM classes mapped and one measure read (`MAPPED`).
  A catalog question pays less than this: it reads the Core tables (bot/storage/tables.py) and
  never maps the classes.
- `kaikaku serve` until GET /healthz answers (on SQLite, no platform configured): goal under 2 s.

Each command runs RUNS times in fresh processes; the best and the median are printed (the best
is the cost itself, the median what a loaded machine adds). Run: `python bench/bench_startup.py`.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

RUNS = int(os.environ.get("BENCH_RUNS", "7"))
ASK_GOAL = 1.5  # × the ORM import
SERVE_GOAL = 2.0  # seconds


MAPPED = """
import os
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session
from bot.storage.models import Measure
with Session(create_engine(os.environ["DATABASE_URL"])) as s:
    s.scalars(select(Measure).where(Measure.no == 34)).first()
"""


def timed(argv: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve_ready(kaikaku: str, env: dict[str, str], timeout: float = 30.0) -> float:
    port = free_port()
    start = time.perf_counter()
    process = subprocess.Popen([kaikaku, "serve"], env={**env, "PORT": str(port)},
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while time.perf_counter() - start < timeout:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=0.5) as answer:
                    if answer.status == 200:
                        return time.perf_counter() - start
            except OSError:
                time.sleep(0.02)
        raise RuntimeError("kaikaku serve did not answer /healthz in time")
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


def line(name: str, samples: list[float]) -> str:
    return f"{name:<34} best {min(samples):6.3f} s   median {statistics.median(samples):6.3f} s"


def main() -> None:
    kaikaku = shutil.which("kaikaku") or str(Path(sys.executable).with_name("kaikaku"))
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp}/bench.db", "SECRET_KEY": "bench-secret-key",
               # As an installed deployment runs: bytecode compiled once (pip compiles at install), here
               # into a cache outside the source tree, for the baseline and the bot alike.
               "PYTHONPYCACHEPREFIX": f"{tmp}/pycache"}
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env.pop("SLACK_BOT_TOKEN", None)
        env.pop("LINE_CHANNEL_SECRET", None)
        subprocess.run([kaikaku, "init"], env=env, check=True, stdout=subprocess.DEVNULL)
        for warm_up in ([sys.executable, "-c", MAPPED], [kaikaku, "ask", "No.34の目標は?"]):  # fills the cache
            timed(warm_up, env)
        orm = [timed([sys.executable, "-c", "import sqlalchemy.orm"], env) for _ in range(RUNS)]
        mapped = [timed([sys.executable, "-c", MAPPED], env) for _ in range(RUNS)]
        ask = [timed([kaikaku, "ask", "No.34の目標は?"], env) for _ in range(RUNS)]
        serve = [serve_ready(kaikaku, env) for _ in range(max(3, RUNS // 2))]
    ratio_best, ratio_median = min(ask) / min(orm), statistics.median(ask) / statistics.median(orm)
    print(f"start-up, {RUNS} runs each (fresh processes)")
    print(line('python -c "import sqlalchemy.orm"', orm) + "   (baseline)")
    print(line("ORM + the ORM classes + one query", mapped)
          + f"   ×{min(mapped) / min(orm):.2f} best, ×{statistics.median(mapped) / statistics.median(orm):.2f} median"
          + "   (reference: what ask avoids)")
    print(line('kaikaku ask "No.34の目標は?"', ask)
          + f"   ×{ratio_best:.2f} best, ×{ratio_median:.2f} median (goal ≤ ×{ASK_GOAL})")
    print(line("kaikaku serve → /healthz 200", serve) + f"   (goal < {SERVE_GOAL:.0f} s)")


if __name__ == "__main__":
    main()
