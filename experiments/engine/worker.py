"""One run, executed in a worker: build the model, run it, measure, discard it.

:func:`execute` is a top-level function of an importable module, so any executor can
ship it to another process (spawn, forkserver, Dask). It takes and returns plain data;
the model never leaves the function, so each task frees its model before the next.
An exception inside the run becomes a ``failed`` result carrying the traceback.
:func:`execute_many` runs several tasks in one call (Dask ships runs in batches).

:func:`start_worker` initializes a worker process of the sweep's process pool: it leaves
Ctrl-C to the driver and makes the worker exit as soon as the driver is gone.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import threading
import time
import traceback
import warnings
from multiprocessing.connection import Connection
from typing import Any

import numpy as np
import pandas as pd

from aimarket.experiments.engine import encoding, functional, outcomes
from aimarket.experiments.engine.seeds import run_seed
from aimarket.simulation.model import MarketModel
from aimarket.simulation.scenario import Scenario


def ignore_interrupts() -> None:
    """Ignore SIGINT in this (worker) process: a terminal's Ctrl-C reaches every process in
    the foreground group, and the driver alone decides what happens to the runs."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.SIG_IGN)


def start_worker(lifeline: Connection | None = None) -> None:
    """Initializer of a worker process: ignore SIGINT, and exit at once when the driver dies.

    ``lifeline`` is the read end of a pipe whose only write end the driver holds and never
    writes to; when the driver exits, however it exits (SIGKILL included), the kernel closes
    it, the blocked read here ends, and the worker exits, whatever it is doing.
    """
    ignore_interrupts()
    if lifeline is not None:
        watchdog = threading.Thread(
            target=_exit_when_closed, args=(lifeline,), name="aimarket-lifeline", daemon=True
        )
        watchdog.start()


def _exit_when_closed(lifeline: Connection) -> None:
    with contextlib.suppress(EOFError, OSError):
        lifeline.recv()  # nothing is ever sent: returns only by EOF (or an error)
    os._exit(1)  # the driver is gone: stop now, without cleanup that could block


def execute(task: dict[str, Any], encode: bool = False) -> dict[str, Any]:
    """Run one task from :meth:`aimarket.experiments.engine.plan.Plan.task`; never raises
    for model errors. Its time series come back as frames, or with ``encode`` as the
    store's :class:`~aimarket.experiments.engine.encoding.Encoded` tables, which the
    driver appends to its batch as they are."""
    started = time.time()
    t0 = time.perf_counter()
    result: dict[str, Any] = {
        "run_id": task["run_id"],
        "status": "ok",
        "error": "",
        "traceback": "",
        "outcomes": {},
        "market": None,
        "vendors": None,
        "started": started,
        "worker": f"{socket.gethostname()}:{os.getpid()}",
    }
    try:
        result.update(_run(task))
        if encode:
            start = {task["run_id"]: encoding.run_start(task)}
            for table in ("market", "vendors"):
                if result[table] is not None:
                    result[table] = encoding.encode_frame(table, result[table], start)
    except Exception as exc:  # a failed run is data, not a crash of the sweep
        result["status"] = "failed"
        result["error"] = f"{type(exc).__name__}: {exc}"[:500]
        result["traceback"] = traceback.format_exc()
        result["outcomes"] = {}
        result["market"] = result["vendors"] = None
    result["elapsed"] = time.perf_counter() - t0
    return result


def execute_many(tasks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """:func:`execute` each task in turn, its series encoded for the store; one result per
    task, in order (what executors run)."""
    return [execute(task, encode=True) for task in tasks]


def _run(task: dict[str, Any]) -> dict[str, Any]:
    if task.get("model"):
        return functional.run(task)
    scenario = Scenario.from_dict(task["base"]).with_overrides(task["overrides"])
    seed = run_seed(task["root_seed"], task.get("seed_point", task["point"]), task["replicate"])
    # Numerical warnings (overflow in exp() at extreme parameters, say) are counted and
    # recorded with the run rather than printed from every worker. Underflow is not one:
    # tiny logit weights and discount factors rounding to zero are the intended result,
    # and counting them made every run look suspect (about 400 a run).
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", RuntimeWarning)
        with np.errstate(all="warn", under="ignore"):
            model = MarketModel(scenario, rng=seed)
            model.run(task["steps"])
            market = model.market_frame()
            vendors = model.vendor_frame()
            del model
            values = outcomes.compute(
                outcomes.RunView(market, vendors, scenario),
                task["outcomes"],
                task["outcome_functions"],
                list(task["params"]),
            )
    series = task["series"]
    return {
        "warnings": sum(issubclass(w.category, RuntimeWarning) for w in caught),
        "outcomes": values,
        "market": _tag(market, task["run_id"]) if "market" in series else None,
        "vendors": _tag(vendors, task["run_id"]) if "vendors" in series else None,
    }


def _tag(frame: pd.DataFrame, run_id: str) -> pd.DataFrame:
    frame = frame.copy()
    frame.insert(0, "run_id", run_id)
    return frame
