"""Executors: where runs execute, behind the ``concurrent.futures.Executor`` interface.

* ``serial``: in the calling process, one run at a time (debugging, tiny sweeps);
* ``process``: a local process pool, default all cores. Workers are started with the
  ``spawn`` method, so it also works from a Jupyter notebook (the worker function is
  :func:`aimarket.experiments.engine.worker.execute_many`, importable in any fresh
  interpreter); one run per task;
* ``dask``: a Dask ``LocalCluster`` started for the sweep and closed after it; runs travel
  in batches (:func:`runs_per_task`), results come straight from the workers (not through
  the scheduler) and the cluster is tuned for throughput (:data:`LOCAL_DASK_CONFIG`);
* ``dask://HOST:PORT``: join a running Dask scheduler (its workers need aimarket installed;
  experiment scripts with their own outcome functions need a shared file system).

Dask is an optional extra: ``pip install .[dask]``.

Processes and signals. Local workers (the process pool and a LocalCluster's) ignore
SIGINT, so a terminal's Ctrl-C, which reaches the whole foreground process group, is
handled by the driver alone; and they exit as soon as the driver is gone, even when it was
killed with SIGKILL: a pool worker watches a pipe whose only write end the driver holds
(:func:`aimarket.experiments.engine.worker.start_worker`), and a LocalCluster's worker
process does the same through its nanny (``distributed`` watches a pipe to its parent).
When the body of :func:`open_executor` raises (an interrupt, an error of the driver), the
runs in flight are dropped: pool workers are killed at once and a cluster is closed with its logging
silenced; those runs are simply run again when the sweep resumes.
"""

from __future__ import annotations

import contextlib
import logging
import math
import multiprocessing.context
import os
import signal
import threading
import time
from collections.abc import Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor

from aimarket.experiments.engine import interrupts
from aimarket.experiments.engine.worker import ignore_interrupts, start_worker
from aimarket.simulation.errors import ScenarioError

KINDS = ("serial", "process", "dask")

#: Each Dask task costs the driver process a few milliseconds of CPU (the LocalCluster's
#: scheduler, the client and their messages all run in it), so Dask is sent batches of
#: runs of about this many seconds of work each; see :func:`runs_per_task`.
DASK_TASK_SECONDS = 1.0


class SerialExecutor(Executor):
    """Runs each task when submitted, in this process; futures come back done."""

    def submit(self, fn, /, *args, **kwargs) -> Future:
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:
            future.set_exception(exc)
            if isinstance(exc, KeyboardInterrupt):
                raise
        return future


def default_workers() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)


def describe(kind: str, workers: int | None) -> str:
    if kind == "serial":
        return "serial"
    return f"{kind} x {workers or default_workers()}"


def runs_per_task(kind: str, workers: int, remaining: int, run_seconds: float | None) -> int:
    """How many runs the driver ships in its next task, given the runs not yet submitted
    and the mean duration of a finished run (None until one has finished).

    The process pool gets runs one at a time (a task costs it well under 1% of a run).
    Dask gets batches of about :data:`DASK_TASK_SECONDS` of work, never more than a
    quarter of what is left per worker, so that the workers still finish together; its
    first tasks, before any run has been timed, are single runs.
    """
    if kind in ("serial", "process") or run_seconds is None:
        return 1
    by_time = math.ceil(DASK_TASK_SECONDS / max(run_seconds, 1e-3))
    by_tail = math.ceil(remaining / (4 * max(1, workers)))
    return max(1, min(by_time, by_tail))


def check_executor(kind: str, workers: int | None) -> None:
    """Refuse (ScenarioError) an unknown executor, a malformed scheduler address or fewer
    than one worker: checked before anything is written."""
    if workers is not None and (isinstance(workers, bool) or workers < 1):
        raise ScenarioError(f"--workers = {workers} must be at least 1")
    if not isinstance(kind, str) or not (
        kind in ("serial", "process", "dask") or kind.startswith(("dask://", "tcp://"))
    ):
        raise ScenarioError(
            f"--executor {kind!r} is unknown; choose serial, process, dask or dask://HOST:PORT"
        )
    if "://" in kind:
        host, sep, port = kind.split("://", 1)[1].rpartition(":")
        if not (sep and host and port.isdigit() and 0 < int(port) < 65536):
            raise ScenarioError(
                f"--executor {kind!r}: a scheduler address is dask://HOST:PORT "
                "(PORT a number from 1 to 65535)"
            )


@contextlib.contextmanager
def open_executor(kind: str = "process", workers: int | None = None) -> Iterator[Executor]:
    """An executor for ``kind``; closed (and its cluster shut down) on exit."""
    check_executor(kind, workers)
    if kind == "serial" or (kind == "process" and workers == 1):
        yield SerialExecutor()
    elif kind == "process":
        with _process_pool(workers or default_workers()) as pool:
            yield pool
    else:
        with _dask(kind, workers) as executor:
            yield executor


@contextlib.contextmanager
def _sigint_ignored() -> Iterator[None]:
    """Start worker processes inside: they are born ignoring SIGINT (an ignored disposition
    survives ``exec``), so a Ctrl-C cannot interrupt one while it is still importing, before
    it can say so itself. This process ignores SIGINT meanwhile too, so keep it short: a
    Ctrl-C in that moment (milliseconds) is lost. Only possible in the main thread;
    elsewhere, and under a handler not installed from Python, a no-op."""
    previous = signal.getsignal(signal.SIGINT)
    if threading.current_thread() is not threading.main_thread() or previous is None:
        yield
        return
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


class _WorkerProcess(multiprocessing.context.SpawnProcess):
    def start(self) -> None:
        # A few milliseconds, until the child runs; a SIGTERM meanwhile waits for its end.
        with interrupts.deferred(), _sigint_ignored():
            super().start()


class _WorkerContext(multiprocessing.context.SpawnContext):
    """The ``spawn`` start method, starting processes with SIGINT ignored."""

    Process = _WorkerProcess


@contextlib.contextmanager
def _process_pool(workers: int) -> Iterator[ProcessPoolExecutor]:
    ctx = _WorkerContext()
    lifeline, keep_alive = ctx.Pipe(duplex=False)  # workers read; only the driver can write
    pool = ProcessPoolExecutor(
        max_workers=workers, mp_context=ctx, initializer=start_worker, initargs=(lifeline,)
    )
    try:
        yield pool
    except BaseException:
        _kill_workers(pool)
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        keep_alive.close()
        lifeline.close()


def _kill_workers(pool: ProcessPoolExecutor) -> None:
    """Stop the pool's workers now (SIGKILL); the runs they were executing are dropped."""
    for process in list((pool._processes or {}).values()):
        with contextlib.suppress(OSError, ValueError):
            process.kill()
    # A worker that dies while it sends a result (killed here, or by a SIGTERM sent to the
    # whole process group) leaves half a message in the result pipe, and the pool's manager
    # thread would wait for the rest for ever, and ``shutdown`` with it. Closing the driver's
    # write end, the last once the workers are gone, turns that wait into an end of file,
    # which the pool handles as a broken pool.
    if pool._result_queue is not None:
        pool._result_queue._writer.close()


def _silence_dask() -> None:
    """No log lines or tracebacks from ``distributed`` (and the event loop it runs on) in
    this process from now on: closing a cluster with work in flight is expected here, and
    a worker's failures are recorded with its runs. Some of these loggers have levels and
    handlers of their own (``tornado.application``), so each is set."""
    families = ("distributed", "tornado", "asyncio")
    names = [n for n in logging.root.manager.loggerDict if n.split(".")[0] in families]
    for name in (*families, *names):
        logging.getLogger(name).setLevel(logging.CRITICAL + 1)


#: Settings of the local cluster. Its workers run with glibc's default memory trimming,
#: like the process pool's: the nanny's ``MALLOC_TRIM_THRESHOLD_=65536`` (memory handed
#: back to the system at every free of more than 64 KiB) makes a 10,000-developer run
#: about 30% slower. Its housekeeping wakes up less often (event-loop health ticks every
#: 20 ms, memory monitors every 100 ms, the statistical profiler sampling the running task
#: every 10 ms, work stealing): on 2 cores the defaults cost about 9% of a core while
#: idle, taken from the runs; these cost about 1%. Workers get all this from their nannies
#: (and keep it when restarted).
LOCAL_DASK_CONFIG = {
    "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None,
    "distributed.admin.tick.interval": "1s",
    "distributed.admin.system-monitor.interval": "2s",
    "distributed.worker.memory.monitor-interval": "1s",
    "distributed.worker.profile.enabled": False,
    "distributed.scheduler.work-stealing": False,
}


def _connect(kind: str):
    from distributed import Client

    address = "tcp://" + kind.split("://", 1)[1]
    try:
        return Client(address)
    except OSError as exc:
        raise ScenarioError(f"cannot reach the Dask scheduler at {address}: {exc}") from None


def _local_cluster(Client, LocalCluster, workers: int, plugin):
    """A LocalCluster of ``workers`` single-threaded worker processes that ignore SIGINT
    (from birth, see :func:`_sigint_ignored`, and through ``plugin`` once running), and a
    client of it."""
    import dask

    with dask.config.set(LOCAL_DASK_CONFIG):
        cluster = LocalCluster(
            n_workers=0,  # started below
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            # no dashboard, and its bare HTTP server on any free port (the default port
            # taken by another cluster would print a warning)
            scheduler_kwargs={"dashboard": False, "dashboard_address": "127.0.0.1:0"},
            silence_logs=logging.ERROR,
        )
        try:
            # results come straight from the worker that holds them, not through the
            # scheduler, which here runs in this process too: one transfer, not two
            client = Client(cluster, direct_to_workers=True)
            client.register_plugin(plugin, name="aimarket-quiet-worker")
            before = len(multiprocessing.active_children())
            with _sigint_ignored():  # until the nannies have started their worker processes
                cluster.scale(workers)
                deadline = time.monotonic() + 10  # past it, the plugin alone protects them
                while len(multiprocessing.active_children()) < before + workers:
                    if time.monotonic() > deadline:
                        break
                    time.sleep(0.005)
        except BaseException:
            cluster.close()
            raise
    return cluster, client


@contextlib.contextmanager
def _dask(kind: str, workers: int | None) -> Iterator[Executor]:
    try:
        from distributed import Client, LocalCluster, WorkerPlugin
    except ImportError:
        raise ScenarioError("--executor dask needs Dask: pip install 'aimarket[dask]'") from None

    class QuietWorker(WorkerPlugin):
        """Each worker process of the local cluster ignores SIGINT (see the module doc) and
        logs nothing once started: what goes wrong in a run is recorded with the run, and
        a cluster closed by an interrupt would otherwise print its workers' complaints."""

        def setup(self, worker) -> None:
            ignore_interrupts()
            _silence_dask()

    cluster = client = None
    try:
        with interrupts.deferred():  # a cluster half started could not be closed cleanly
            if kind == "dask":
                cluster, client = _local_cluster(
                    Client, LocalCluster, workers or default_workers(), QuietWorker()
                )
            else:
                client = _connect(kind)
        yield client.get_executor(pure=False)
    except BaseException:
        _silence_dask()
        raise
    finally:
        if client is not None:
            client.close()
        if cluster is not None:
            cluster.close()
