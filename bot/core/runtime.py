"""What a long-running process does once it has loaded everything (`kaikaku serve`, the scheduler).

After start-up a process holds about 115,000 objects the garbage collector tracks: the modules,
SQLAlchemy's mappers and statement caches, Flask, the dialogs. They live as long as the process,
yet every full (generation-2) collection walks all of them: 50–70 ms on a 2-core machine, at a
moment nobody chooses, inside whichever request happens to allocate then (bench/bench_answers.py
measured one in a question whose median is 2 ms). `gc.freeze()` moves what exists now into the
permanent generation, which no collection examines again; the objects made while answering are
collected exactly as before (nothing is disabled).
"""

from __future__ import annotations

import gc


def loaded() -> None:
    """Start-up is over: collect its garbage once, then freeze what is left (see the module)."""
    gc.collect()
    gc.freeze()
