"""Executors: where runs execute, behind the ``concurrent.futures.Executor`` interface.

* ``serial``: in the calling process, one run at a time (debugging, tiny sweeps);
* ``process``: a local process pool, default all cores. Workers are started with the
  ``spawn`` method, so it also works from a Jupyter notebook (the worker function is
  :func:`aimarket.experiments.engine.worker.execute`, importable in any fresh interpreter);
* ``dask``: a Dask ``LocalCluster`` started for the sweep and closed after it;
* ``dask://HOST:PORT``: join a running Dask scheduler (its workers need aimarket installed;
  experiment scripts with their own outcome functions need a shared file system).

Dask is an optional extra: ``pip install .[dask]``.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
from collections.abc import Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor

from aimarket.simulation.errors import ScenarioError

KINDS = ("serial", "process", "dask")


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


@contextlib.contextmanager
def open_executor(kind: str = "process", workers: int | None = None) -> Iterator[Executor]:
    """An executor for ``kind``; closed (and its cluster shut down) on exit."""
    if workers is not None and workers < 1:
        raise ScenarioError(f"--workers = {workers} must be at least 1")
    if kind == "serial" or (kind == "process" and workers == 1):
        yield SerialExecutor()
    elif kind == "process":
        ctx = multiprocessing.get_context("spawn")
        pool = ProcessPoolExecutor(max_workers=workers or default_workers(), mp_context=ctx)
        try:
            yield pool
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
    elif kind == "dask" or kind.startswith(("dask://", "tcp://")):
        with _dask(kind, workers) as executor:
            yield executor
    else:
        raise ScenarioError(
            f"--executor {kind!r} is unknown; choose serial, process, dask or dask://HOST:PORT"
        )


@contextlib.contextmanager
def _dask(kind: str, workers: int | None) -> Iterator[Executor]:
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise ScenarioError("--executor dask needs Dask: pip install 'aimarket[dask]'") from None
    if kind == "dask":
        cluster = LocalCluster(
            n_workers=workers or default_workers(),
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
        )
        address = None
    else:
        cluster = None
        address = "tcp://" + kind.split("://", 1)[1]
    try:
        client = Client(cluster if cluster is not None else address)
    except OSError as exc:
        if cluster is not None:
            cluster.close()
        raise ScenarioError(f"cannot reach the Dask scheduler at {address}: {exc}") from None
    try:
        yield client.get_executor(pure=False)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
