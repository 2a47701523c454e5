"""Fault injection for the runner's own tests: stop a sweep at a point the test chooses.

A test that kills a sweep must kill it at a point it controls, never by timing. Setting
the environment variable ``AIMARKET_PAUSE_AFTER_RUNS=K`` makes the sweep driver write
every finished task at once (one batch per task, so one run per batch with the process
pool; a Dask task may carry several) and, as soon as at least ``K`` runs are committed in
this session, write the marker file ``DIR/.paused`` and wait there, with its workers
alive, until a signal arrives. The test then sends SIGKILL, SIGTERM or SIGINT
and checks what survives. Unset (the normal case), nothing here has any effect.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

PAUSE_VARIABLE = "AIMARKET_PAUSE_AFTER_RUNS"
MARKER = ".paused"


def pause_after() -> int | None:
    """The run count to pause after, or None when no pause is requested."""
    text = os.environ.get(PAUSE_VARIABLE, "").strip()
    return int(text) if text.isdigit() and int(text) > 0 else None


def maybe_pause(committed: int, limit: int | None, folder: Path) -> None:
    """Block (until a signal) the first time ``committed`` reaches ``limit``."""
    marker = folder / MARKER
    if limit is None or committed < limit or marker.exists():
        return
    marker.write_text(f"{committed}\n")
    while True:  # a signal handler's exception (KeyboardInterrupt) ends the wait
        time.sleep(0.05)
