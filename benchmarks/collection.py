"""Data collection's cost per month and the frames' build time: the model's array
collector against Mesa's DataCollector with one reporter per metric (how the model
collected before; rebuilt here), on the same run, in one process.

    .venv/bin/python benchmarks/collection.py [--developers N] [--months M] [--seed S]

Each month, after the other phases, both collections run on the same state, in
alternating order, timed in CPU time of this process (the host is shared: read the
ratio, not the absolute figures). Computing the metrics is the same code for both and
timed once; recording is what differs. At the end both build the market, vendor and
segment frames (each timed as the best of 3), and the frames are checked identical.
"""

from __future__ import annotations

import argparse
import functools
import operator
import os
import statistics
import time

import mesa
import numpy as np
import pandas as pd

from aimarket import MarketModel, load_scenario
from aimarket.agents.vendor import Vendor
from aimarket.simulation import metrics
from aimarket.simulation.metrics._records import attribute_of, kind


def mesa_collector(values: dict) -> mesa.DataCollector:
    """The collector as it was: one Mesa reporter per metric per agent."""
    vendors = metrics.VENDORS.names()
    return mesa.DataCollector(
        model_reporters={n: [operator.getitem, [values, n]] for n in metrics.MARKET.names()},
        agent_reporters={"kind": kind, **{n: [attribute_of, [Vendor, n]] for n in vendors}},
        agenttype_reporters={Vendor: {n: n for n in vendors}},
        tables={"segments": ["step", "segment", *metrics.SEGMENTS.names()]},
    )


def mesa_measure(model: MarketModel, values: dict) -> dict:
    """The month's metrics as they were computed (the same code as now)."""
    month = metrics.Month(model)
    for metric in metrics.MARKET:
        values[metric.name] = metric.compute(month)
    return {m.name: m.compute(month) for m in metrics.SEGMENTS}


def mesa_record(model: MarketModel, dc: mesa.DataCollector, columns: dict) -> None:
    """The month's recording as it was: one table row per segment, Mesa's reporters."""
    for s, name in enumerate(model.developers.segment_names):
        row = {"step": int(model.steps), "segment": name}
        row.update({k: float(v[s]) for k, v in columns.items()})
        dc.add_table_row("segments", row)
    dc.collect(model)


def timed(fn, out: list[float]):
    start = time.process_time()
    result = fn()
    out.append(time.process_time() - start)
    return result


def mesa_frames(model: MarketModel, dc: mesa.DataCollector) -> list[pd.DataFrame]:
    market = dc.get_model_vars_dataframe().reset_index(drop=True)
    market.insert(0, "step", np.arange(1, len(market) + 1))
    market.insert(1, "date", metrics._dates(model, market["step"]))
    segments = dc.get_table_dataframe("segments")
    segments.insert(1, "date", metrics._dates(model, segments["step"]))
    vendors = dc.get_agenttype_vars_dataframe(Vendor).reset_index()
    vendors = vendors.rename(columns={"Step": "step", "name": "vendor"}).drop(columns="AgentID")
    vendors.insert(1, "date", metrics._dates(model, vendors["step"]))
    vendors = vendors.sort_values(["step", "vendor"], kind="stable").reset_index(drop=True)
    return [market, vendors, segments]


def best_of(fn, repeat: int = 3) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeat):
        start = time.process_time()
        out = fn()
        times.append(time.process_time() - start)
    return min(times), out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--developers", type=int, default=10_000)
    ap.add_argument("--months", type=int, default=120)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    model = MarketModel(
        load_scenario("baseline", {"developers.count": args.developers}), rng=args.seed
    )
    old_values: dict = {}
    old = mesa_collector(old_values)
    times: dict[str, list[float]] = {k: [] for k in ("phases", "measure", "arrays", "mesa")}
    record = model.datacollector
    for month in range(args.months):
        model.steps += 1  # what Mesa's step wrapper does before each step
        start = time.process_time()
        for phase in model.PHASES[:-1]:  # Mesa's step, without the collection phase
            getattr(model, phase.method)()
        times["phases"].append(time.process_time() - start)
        new = [lambda: metrics.measure(model, model.measured), lambda: record.collect(model)]
        columns = mesa_measure(model, old_values)
        for run in (new, [functools.partial(mesa_record, model, old, columns)])[
            :: 1 if month % 2 else -1
        ]:
            if len(run) == 2:
                timed(run[0], times["measure"])
                timed(run[1], times["arrays"])
            else:
                timed(run[0], times["mesa"])
    new_build, new = best_of(
        lambda: [model.market_frame(), model.vendor_frame(), model.segment_frame()]
    )
    old_build, before = best_of(lambda: mesa_frames(model, old))
    for a, b in zip(new, before, strict=True):
        pd.testing.assert_frame_equal(a, b, check_exact=True)
    ms = 1e3
    med = {k: statistics.median(v) * ms for k, v in times.items()}
    load = os.getloadavg()[0]
    print(f"{args.developers} developers, {args.months} months; load average {load:.1f}")
    print(f"other phases: median {med['phases']:.3f} ms/month")
    print(f"computing the metrics (both): median {med['measure']:.3f} ms/month")
    print(f"recording, Mesa's reporters: median {med['mesa']:.3f} ms/month")
    print(f"recording, arrays:           median {med['arrays']:.3f} ms/month")
    for label, num, den in (
        ("recording, arrays/Mesa", times["arrays"], times["mesa"]),
        (
            "collection (compute + record), arrays/Mesa",
            np.add(times["measure"], times["arrays"]),
            np.add(times["measure"], times["mesa"]),
        ),
    ):
        ratios = np.divide(num, den)
        quartiles = np.percentile(ratios, [25, 50, 75])
        print(
            f"{label} per month: median {quartiles[1]:.3f} (quartiles "
            f"{quartiles[0]:.3f}-{quartiles[2]:.3f})"
        )
    print(
        f"frames (market, vendors, segments), best of 3: arrays {new_build * ms:.1f} ms, "
        f"Mesa {old_build * ms:.1f} ms; identical"
    )


if __name__ == "__main__":
    main()
