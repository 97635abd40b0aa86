"""What the benchmarks that run servers in their own processes share."""

from __future__ import annotations

import sys
from collections.abc import Iterable
from multiprocessing.process import BaseProcess

STOP_TIMEOUT = 5.0  # seconds for a server process to end after SIGTERM, then after SIGKILL


def stop(children: Iterable[BaseProcess]) -> None:
    """Terminate every server process, kill what lingers; all waits bounded."""
    children = list(children)
    for process in children:
        if process.is_alive():
            process.terminate()
    for process in children:
        process.join(STOP_TIMEOUT)
        if process.is_alive():
            process.kill()
            process.join(STOP_TIMEOUT)
        if process.is_alive():
            print(f"warning: {process.name} (pid {process.pid}) did not end", file=sys.stderr)
