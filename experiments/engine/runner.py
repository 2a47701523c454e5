"""Running a sweep: plan, skip what is done, stream results to the store as runs finish.

The driver keeps only a small window of runs in flight (a few per worker) and a small
buffer of finished results, which it writes as one batch every ``flush_every`` runs or
``flush_seconds`` seconds; so memory stays flat however many runs a sweep has, and a
crash loses at most the results not yet flushed (they are simply run again). SIGINT
(Ctrl-C) and SIGTERM stop a sweep cleanly (:mod:`aimarket.experiments.interrupts`); its workers
never outlive the driver (:mod:`aimarket.experiments.engine.executors`).
"""

from __future__ import annotations

import itertools
import signal
import sys
import time
import traceback
from concurrent.futures import FIRST_COMPLETED, Future, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aimarket.experiments.engine import faults, interrupts
from aimarket.experiments.engine.executors import (
    default_workers,
    describe,
    open_executor,
    runs_per_task,
)
from aimarket.experiments.engine.spec import Plan, Sweep, load_spec
from aimarket.experiments.engine.store import Store
from aimarket.experiments.engine.worker import execute_many


@dataclass
class SweepSummary:
    """What a sweep session did, and the state of its results folder afterwards."""

    name: str
    out: Path
    planned: int
    skipped: int
    ran: int = 0
    ok: int = 0
    failed: int = 0
    elapsed: float = 0.0
    interrupted: bool = False
    signum: int = 0  # the signal that interrupted the session (SIGINT or SIGTERM)
    aborted: str = ""
    store_counts: dict[str, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        if self.interrupted:
            return 128 + (self.signum or signal.SIGINT)  # 130 for Ctrl-C, 143 for SIGTERM
        return 1 if self.store_counts.get("failed", 0) or self.aborted else 0

    def text(self) -> str:
        c = self.store_counts
        lines = [
            f"sweep '{self.name}': {self.ran} runs this session in {self.elapsed:.1f} s "
            f"({self.ok} ok, {self.failed} failed; {self.skipped} already done, skipped)",
            f"results in {self.out}: {c.get('done', 0)} done, {c.get('failed', 0)} failed, "
            f"{c.get('pending', 0)} pending of {c.get('planned', self.planned)}",
        ]
        if self.errors:
            lines.append("failures (first few; tracebacks in the failures table):")
            lines += [f"  {e}" for e in self.errors[:5]]
        if self.aborted:
            lines.append(f"sweep aborted: {self.aborted}")
        if self.interrupted:
            lines.append("interrupted: finished runs are saved; run the same command to resume")
        return "\n".join(lines)


def _failure(run_id: str, exc: BaseException) -> dict[str, Any]:
    return {
        "run_id": run_id,
        "status": "failed",
        "error": f"{type(exc).__name__}: {exc}"[:500],
        "traceback": "".join(traceback.format_exception(exc)),
        "outcomes": {},
        "market": None,
        "vendors": None,
        "started": time.time(),
        "elapsed": 0.0,
        "worker": "",
    }


def run_sweep(
    sweep: Sweep | Plan | str | Path,
    out: str | Path,
    *,
    executor: str = "process",
    workers: int | None = None,
    quick: bool = False,
    replicates: int | None = None,
    steps: int | None = None,
    seed: int | None = None,
    force: bool = False,
    progress: bool = True,
    flush_every: int = 64,
    flush_seconds: float = 2.0,
    argv: list[str] | None = None,
) -> SweepSummary:
    """Run ``sweep`` into the results folder ``out``; resumes if ``out`` holds its runs.

    ``sweep``: a :class:`Sweep`, a validated :class:`Plan`, or a path to a ``.py`` or
    ``.toml`` spec. The whole spec is validated (ScenarioError) before any run starts.
    Returns a :class:`SweepSummary`; its ``exit_code`` is non-zero if any run failed.
    A folder of another spec or other code is refused unless ``force``, which moves it
    aside to ``out.replaced-<UTC time>`` and starts afresh (see
    :mod:`aimarket.experiments.engine.store`).
    """
    if isinstance(sweep, str | Path):
        sweep = load_spec(sweep)
    if isinstance(sweep, Sweep):
        plan = sweep.variant(quick=quick, replicates=replicates, steps=steps, seed=seed).plan()
    else:
        plan = sweep
    n_workers = 1 if executor == "serial" else (workers or default_workers())
    store = Store(Path(out))
    info = {"executor": describe(executor, workers), "argv": argv or sys.argv}
    store.open_session(plan, force=force, info=info)
    for notice in store.notices:  # folders moved aside: always said, progress bar or not
        print(f"aimarket: {notice}", file=sys.stderr)
    summary = SweepSummary(plan.sweep.name, store.path, len(plan), 0)
    started = time.perf_counter()
    stop = interrupts.Stop()
    try:
        with interrupts.stop_on_signals(stop):  # SIGTERM is handled like Ctrl-C
            _drive(plan, store, summary, executor, workers, n_workers, progress, flush_every,
                   flush_seconds)  # fmt: skip
    except KeyboardInterrupt:
        summary.interrupted = True
    finally:
        summary.signum = stop.signum or (signal.SIGINT if summary.interrupted else 0)
        summary.elapsed = time.perf_counter() - started
        summary.store_counts = store.counts()
        store.close_session(
            {
                "ran": summary.ran,
                "ok": summary.ok,
                "failed": summary.failed,
                "interrupted": summary.interrupted,
                "signal": signal.Signals(summary.signum).name if summary.signum else "",
                "aborted": summary.aborted,
                "elapsed_s": round(summary.elapsed, 3),
            }
        )
    return summary


def _drive(plan, store, summary, executor, workers, n_workers, progress, every, seconds):
    from tqdm.auto import tqdm

    done = set(store.run_status().query("status == 'ok'")["run_id"])
    planned_ids = [r["run_id"] for r in plan.runs()]
    summary.skipped = len(done.intersection(planned_ids))
    del planned_ids
    todo = (r for r in plan.runs() if r["run_id"] not in done)
    bar = tqdm(
        total=len(plan),
        initial=summary.skipped,
        desc=plan.sweep.name,
        unit="run",
        disable=not progress,
        dynamic_ncols=True,
        file=sys.stderr,
    )
    (store.path / faults.MARKER).unlink(missing_ok=True)
    pause_at = faults.pause_after()
    if pause_at is not None:  # a test stops the sweep at a point it controls
        every, seconds = 1, 0.05
    committed = 0
    window = max(2, 2 * n_workers + 2)
    inflight: dict[Future, list[dict]] = {}  # a task: one or more runs (Dask batches them)
    n_todo, submitted, timed = len(plan) - summary.skipped, 0, [0.0, 0]
    buffer: list[dict] = []
    meta: dict[str, dict] = {}
    last_flush = time.monotonic()

    def run_seconds() -> float | None:
        return timed[0] / timed[1] if timed[1] else None

    def flush() -> None:
        nonlocal buffer, last_flush, committed
        with interrupts.deferred():  # a signal waits until the batch is written
            if buffer:
                store.write_batch(buffer, meta)
                committed += len(buffer)
                for res in buffer:
                    meta.pop(res["run_id"], None)
                buffer = []
        last_flush = time.monotonic()
        faults.maybe_pause(committed, pause_at, store.path)

    def record(res: dict) -> None:
        buffer.append(res)
        summary.ran += 1
        if res["status"] == "ok":
            summary.ok += 1
            timed[0] += res["elapsed"]
            timed[1] += 1
        else:
            summary.failed += 1
            run = meta[res["run_id"]]
            summary.errors.append(
                f"{res['run_id']} (policy {run['policy']}, point {run['point']}, "
                f"replicate {run['replicate']}): {res['error']}"
            )
        bar.update(1)
        bar.set_postfix(done=summary.ok + summary.skipped, failed=summary.failed, refresh=False)

    try:
        with open_executor(executor, workers) as pool:
            exhausted = False
            while True:
                while not exhausted and len(inflight) < window:
                    size = runs_per_task(executor, n_workers, n_todo - submitted, run_seconds())
                    tasks = [plan.task(run) for run in itertools.islice(todo, size)]
                    if not tasks:
                        exhausted = True
                        break
                    for task in tasks:
                        meta[task["run_id"]] = task
                    inflight[pool.submit(execute_many, tasks)] = tasks
                    submitted += len(tasks)
                if not inflight:
                    break
                finished, _ = wait(list(inflight), timeout=seconds, return_when=FIRST_COMPLETED)
                broken = None
                for fut in finished:
                    tasks = inflight.pop(fut)
                    try:
                        results = fut.result()
                    except BrokenProcessPool as exc:
                        broken = exc
                        results = [_failure(task["run_id"], exc) for task in tasks]
                    except Exception as exc:  # the executor lost the task (e.g. a worker died)
                        results = [_failure(task["run_id"], exc) for task in tasks]
                    for res in results:
                        record(res)
                if len(buffer) >= every or time.monotonic() - last_flush >= seconds:
                    flush()
                if broken is not None:
                    for fut, tasks in list(inflight.items()):
                        for task in tasks:
                            record(_failure(task["run_id"], broken))
                        inflight.pop(fut)
                    summary.aborted = (
                        "a worker process died (out of memory or a crash); the runs in flight "
                        "are recorded as failed; run the same command to resume"
                    )
                    break
    finally:
        for fut in inflight:  # interrupted: keep what finished, drop the rest
            if fut.done() and not fut.cancelled() and fut.exception() is None:
                for res in fut.result():
                    record(res)
        flush()
        bar.close()
