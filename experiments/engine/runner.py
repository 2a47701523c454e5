"""Running a sweep: plan, skip what is done, stream results to the store as runs finish.

The driver keeps only a small window of runs in flight (a few per worker) and a small
buffer of finished results, which it writes as one batch every ``flush_every`` runs or
``flush_seconds`` seconds; so memory stays flat however many runs a sweep has, and a
crash loses at most the results not yet flushed (they are simply run again). SIGINT
(Ctrl-C) and SIGTERM stop a sweep cleanly (:mod:`aimarket.experiments.engine.interrupts`);
its workers never outlive the driver (:mod:`aimarket.experiments.engine.executors`).
"""

from __future__ import annotations

import contextlib
import itertools
import signal
import sys
import time
import traceback
from concurrent.futures import FIRST_COMPLETED, Executor, Future, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tqdm.auto import tqdm

from aimarket.experiments.engine import faults, interrupts
from aimarket.experiments.engine.executors import (
    check_executor,
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
    pool: Executor | None = None,
) -> SweepSummary:
    """Run ``sweep`` into the results folder ``out``; resumes if ``out`` holds its runs.

    ``sweep``: a :class:`Sweep`, a validated :class:`Plan`, or a path to a ``.py`` or
    ``.toml`` spec. The whole spec is validated (ScenarioError) before any run starts.
    Returns a :class:`SweepSummary`; its ``exit_code`` is non-zero if any run failed.
    A folder of another spec or other code is refused unless ``force``, which moves it
    aside to ``out.replaced-<UTC time>`` and starts afresh (see
    :mod:`aimarket.experiments.engine.store`). ``pool``: an executor already opened by
    :func:`~aimarket.experiments.engine.executors.open_executor` (for ``executor``), used
    and left open, so that sweeps in a row (a policy search's evaluations) share workers.
    """
    if isinstance(sweep, str | Path):
        sweep = load_spec(sweep)
    if isinstance(sweep, Sweep):
        plan = sweep.variant(quick=quick, replicates=replicates, steps=steps, seed=seed).plan()
    else:
        plan = sweep
    check_executor(executor, workers)  # before the folder is touched
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
            driver = _Driver(plan, store, summary, n_workers, progress, flush_every, flush_seconds)
            driver.drive(executor, workers, pool)
    except KeyboardInterrupt:
        summary.interrupted = True
    finally:
        summary.signum = stop.signum or (signal.SIGINT if summary.interrupted else 0)
        summary.elapsed = time.perf_counter() - started
        _close(store, summary)
    return summary


def _close(store: Store, summary: SweepSummary) -> None:
    """Count the folder's runs into ``summary`` and record the session's end."""
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


class _Driver:
    """One session's loop: a window of tasks in flight (a few per worker), finished runs
    recorded as they come and written as one batch every ``every`` runs or ``seconds``
    seconds, runs already done in the folder skipped."""

    def __init__(self, plan, store, summary, n_workers, progress, every, seconds):
        self.plan, self.store, self.summary, self.n_workers = plan, store, summary, n_workers
        done = set(store.run_status().query("status == 'ok'")["run_id"])
        planned_ids = [r["run_id"] for r in plan.runs()]
        summary.skipped = len(done.intersection(planned_ids))
        del planned_ids
        self.todo = (r for r in plan.runs() if r["run_id"] not in done)
        self.bar = tqdm(
            total=len(plan),
            initial=summary.skipped,
            desc=plan.sweep.name,
            unit="run",
            disable=not progress,
            dynamic_ncols=True,
            file=sys.stderr,
        )
        (store.path / faults.MARKER).unlink(missing_ok=True)
        self.pause_at = faults.pause_after()
        if self.pause_at is not None:  # a test stops the sweep at a point it controls
            every, seconds = 1, 0.05
        self.every, self.seconds = every, seconds
        self.committed = 0
        self.window = max(2, 2 * n_workers + 2)
        self.inflight: dict[Future, list[dict]] = {}  # a task: one or more runs (Dask batches)
        self.n_todo, self.submitted, self.exhausted = len(plan) - summary.skipped, 0, False
        self.timed = [0.0, 0]  # seconds and number of the successful runs
        self.buffer: list[dict] = []
        self.meta: dict[str, dict] = {}  # the task of each run in flight or buffered
        self.last_flush = time.monotonic()

    def drive(self, executor: str, workers: int | None, pool: Executor | None = None) -> None:
        """Run every run not yet done on ``executor`` (or on ``pool``, left open);
        whatever ends the loop, keep what finished, write it, and close the progress bar."""
        try:
            opened = (
                contextlib.nullcontext(pool)
                if pool is not None
                else open_executor(executor, workers)
            )
            with opened as running:
                self._loop(running, executor)
        finally:
            for fut in self.inflight:  # interrupted: keep what finished, drop the rest
                if fut.done() and not fut.cancelled() and fut.exception() is None:
                    for res in fut.result():
                        self.record(res)
            self.flush()
            self.bar.close()

    def _loop(self, pool, executor: str) -> None:
        while True:
            self._submit(pool, executor)
            if not self.inflight:
                return
            finished, _ = wait(
                list(self.inflight), timeout=self.seconds, return_when=FIRST_COMPLETED
            )
            broken = self._collect(finished)
            if len(self.buffer) >= self.every or time.monotonic() - self.last_flush >= self.seconds:
                self.flush()
            if broken is not None:
                self._abort(broken)
                return

    def _submit(self, pool, executor: str) -> None:
        """Fill the window with tasks of runs not yet submitted."""
        while not self.exhausted and len(self.inflight) < self.window:
            run_seconds = self.timed[0] / self.timed[1] if self.timed[1] else None
            remaining = self.n_todo - self.submitted
            size = runs_per_task(executor, self.n_workers, remaining, run_seconds)
            tasks = [self.plan.task(run) for run in itertools.islice(self.todo, size)]
            if not tasks:
                self.exhausted = True
                return
            for task in tasks:
                self.meta[task["run_id"]] = task
            self.inflight[pool.submit(execute_many, tasks)] = tasks
            self.submitted += len(tasks)

    def _collect(self, finished) -> BrokenProcessPool | None:
        """Record the results of the finished tasks; the error if the pool broke."""
        broken = None
        for fut in finished:
            tasks = self.inflight.pop(fut)
            try:
                results = fut.result()
            except BrokenProcessPool as exc:
                broken = exc
                results = [_failure(task["run_id"], exc) for task in tasks]
            except Exception as exc:  # the executor lost the task (e.g. a worker died)
                results = [_failure(task["run_id"], exc) for task in tasks]
            for res in results:
                self.record(res)
        return broken

    def _abort(self, broken: BrokenProcessPool) -> None:
        """A worker process died: record the runs in flight as failed and stop."""
        for fut, tasks in list(self.inflight.items()):
            for task in tasks:
                self.record(_failure(task["run_id"], broken))
            self.inflight.pop(fut)
        self.summary.aborted = (
            "a worker process died (out of memory or a crash); the runs in flight "
            "are recorded as failed; run the same command to resume"
        )

    def flush(self) -> None:
        """Write the buffered results as one batch."""
        with interrupts.deferred():  # a signal waits until the batch is written
            if self.buffer:
                self.store.write_batch(self.buffer, self.meta)
                self.committed += len(self.buffer)
                for res in self.buffer:
                    self.meta.pop(res["run_id"], None)
                self.buffer = []
        self.last_flush = time.monotonic()
        faults.maybe_pause(self.committed, self.pause_at, self.store.path)

    def record(self, res: dict) -> None:
        """Buffer one result, count it, and show it on the progress bar."""
        summary = self.summary
        self.buffer.append(res)
        summary.ran += 1
        if res["status"] == "ok":
            summary.ok += 1
            self.timed[0] += res["elapsed"]
            self.timed[1] += 1
        else:
            summary.failed += 1
            run = self.meta[res["run_id"]]
            summary.errors.append(
                f"{res['run_id']} (policy {run['policy']}, point {run['point']}, "
                f"replicate {run['replicate']}): {res['error']}"
            )
        self.bar.update(1)
        self.bar.set_postfix(
            done=summary.ok + summary.skipped, failed=summary.failed, refresh=False
        )
