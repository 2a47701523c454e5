"""Memory stays flat over many runs; finished models are freed (Mesa 3.3 ``Agent._ids``).

The full 2,000-run measurement with worker processes is ``benchmarks/sweep_memory.py``.
"""

from __future__ import annotations

import gc
import os
import weakref

import mesa

from aimarket import MarketModel, load_scenario
from aimarket.agents.base import MarketAgent
from aimarket.experiments import Sweep, load, run_sweep


def rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        pages = int(fh.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def test_finished_models_are_freed():
    scenario = load_scenario("baseline", {"developers.count": 30})
    gc.collect()
    counters_before = len(MarketAgent._ids)  # models other tests may still hold
    refs = []
    for seed in range(5):
        model = MarketModel(scenario, rng=seed).run(3)
        refs.append(weakref.ref(model))
        del model
    gc.collect()
    assert all(r() is None for r in refs)
    # Mesa 3.3's class-level id counter holds none of them: neither ours (weak) ...
    assert len(MarketAgent._ids) <= counters_before
    # ... nor Mesa's own, if this Mesa version still has it.
    mesa_ids = getattr(mesa.Agent, "_ids", {})
    assert not any(isinstance(k, MarketModel) for k in list(mesa_ids))


def test_driver_memory_is_flat_over_many_runs(tmp_path):
    def sweep(n: int, seed: int) -> Sweep:
        return Sweep(
            name="memory",
            overrides={"developers.count": 20},
            uncertainties={"innovation.imitation_speed": (0.0, 0.05)},
            design="lhs",
            n=n,
            steps=3,
            seed=seed,
        )

    run_sweep(sweep(60, 1), tmp_path / "warm", executor="serial", progress=False)
    gc.collect()
    before = rss_mb()
    summary = run_sweep(sweep(300, 2), tmp_path / "big", executor="serial", progress=False)
    gc.collect()
    after = rss_mb()
    assert summary.ok == 300
    assert len(load(tmp_path / "big").runs) == 300
    assert after - before < 40, f"RSS grew {after - before:.1f} MB over 300 runs"
