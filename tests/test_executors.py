"""Executors: how many runs go in one task, batched Dask tasks give the same bytes, and a
local cluster hands results straight from its workers."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import VOLATILE
from conftest import tiny_sweep as tiny

from aimarket.experiments import load, run_sweep
from aimarket.experiments.engine import runner as runner_module
from aimarket.experiments.engine.executors import DASK_TASK_SECONDS, runs_per_task


def test_process_pool_gets_single_runs_and_dask_batches():
    assert runs_per_task("process", 2, 1000, 0.01) == 1
    assert runs_per_task("serial", 1, 1000, 0.01) == 1
    assert runs_per_task("dask", 2, 1000, None) == 1  # no run timed yet
    # about DASK_TASK_SECONDS of work per task ...
    assert runs_per_task("dask", 2, 1000, DASK_TASK_SECONDS / 10) == 10
    assert runs_per_task("dask://127.0.0.1:8786", 2, 1000, DASK_TASK_SECONDS / 10) == 10
    # ... but never more than a quarter of what is left per worker, at least one
    assert runs_per_task("dask", 2, 40, 0.001) == 5
    assert runs_per_task("dask", 2, 3, 0.001) == 1
    assert runs_per_task("dask", 2, 1000, 10 * DASK_TASK_SECONDS) == 1


def test_batched_dask_tasks_give_the_same_results_as_serial(tmp_path, monkeypatch):
    pytest.importorskip("distributed")
    sweep = tiny(name="batched", n=6, replicates=4, seed=3)  # 48 runs
    sizes = []

    def spy(*args):
        sizes.append(runs_per_task(*args))
        return sizes[-1]

    monkeypatch.setattr(runner_module, "runs_per_task", spy)
    dask = run_sweep(sweep, tmp_path / "dask", executor="dask", workers=2, progress=False)
    serial = run_sweep(sweep, tmp_path / "serial", executor="serial", progress=False)
    assert dask.exit_code == serial.exit_code == 0
    assert max(sizes) > 1  # runs did travel in batches

    a, b = load(tmp_path / "dask"), load(tmp_path / "serial")
    for name, keys in (
        ("runs", ["run_id"]),
        ("market", ["run_id", "step"]),
        ("vendors", ["run_id", "step", "vendor"]),
    ):
        x, y = (
            getattr(r, name).drop(columns=VOLATILE, errors="ignore").sort_values(keys)
            for r in (a, b)
        )
        pd.testing.assert_frame_equal(x.reset_index(drop=True), y.reset_index(drop=True))


def test_local_cluster_results_come_straight_from_the_workers():
    pytest.importorskip("distributed")
    from aimarket.experiments.engine.executors import open_executor

    with open_executor("dask", 1) as pool:
        assert pool._client.direct_to_workers is True  # not relayed by the scheduler
        assert pool.submit(sum, [1, 2, 3]).result() == 6
