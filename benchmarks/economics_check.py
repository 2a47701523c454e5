"""The economics' scale facts on the model's defaults (issue 20, acceptance 2).

    .venv/bin/python benchmarks/economics_check.py [--seeds 20] [--developers 10000]

1. ``timeline``, mean over seeds of each calibration quantity (experiments/analysis/
   targets.py) over 2023-24, with its band and whether the mean lies in it: the scale
   targets (band ``revenue_scale``), ``price_fall``, ``capability_lag`` and
   ``frontier_gain`` are the ones the economics must hit without a fit; the rest are the
   calibration's to fit.
2. ``baseline`` at month 120: the Spearman rank correlation, across the vendors still in
   the market, between capability and cumulative frontier training (dollars of R&D times
   the vendor's frontier share, and effective compute, its stock), mean over seeds.

A script, not a test: it is the check behind figures quoted in docs/ODD.md section 10.
"""

from __future__ import annotations

import argparse

import numpy as np
from scipy import stats

from aimarket import MarketModel, load_scenario
from aimarket.experiments.analysis import targets

#: The quantities the economics must hit on its own (issue 20, acceptance 2).
OWN = ("model_revenue", "revenue_growth", "openai_revenue", "anthropic_revenue",
       "price_fall", "capability_lag", "frontier_gain")  # fmt: skip


def timeline_means(seeds: int, developers: int) -> dict[str, float]:
    rows = []
    for seed in range(1, seeds + 1):
        scenario = load_scenario("timeline", {"developers.count": developers})
        model = MarketModel(scenario, rng=seed).run(targets.FIT_MONTHS)
        rows.append(targets.measure_all(targets.Frames.of(model)))
    return {t.key: float(np.nanmean([r[t.key] for r in rows])) for t in targets.TARGETS}


def rank_correlations(seeds: int, developers: int) -> tuple[float, float]:
    dollars, effective = [], []
    for seed in range(1, seeds + 1):
        scenario = load_scenario("baseline", {"developers.count": developers})
        model = MarketModel(scenario, rng=seed).run(120)
        spent = model.vendor_frame().groupby("vendor")["rd_spend"].sum()
        alive = model.vendors
        capability = [v.capability for v in alive]
        frontier = [spent.get(v.name, 0.0) * v.params.frontier_share for v in alive]
        dollars.append(stats.spearmanr(frontier, capability).statistic)
        effective.append(stats.spearmanr([v.log_stock for v in alive], capability).statistic)
    return float(np.mean(dollars)), float(np.mean(effective))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--developers", type=int, default=10_000)
    args = parser.parse_args(argv)
    means = timeline_means(args.seeds, args.developers)
    print(f"timeline, mean of {args.seeds} seeds at {args.developers:,} developers")
    for t in targets.TARGETS:
        mark = "hit " if t.hit(means[t.key]) else "MISS"
        own = "economics" if t.key in OWN else "calibration"
        print(f"  {mark} {t.key:22s} {means[t.key]:10.3f}  [{t.band_text()}] {t.unit}  ({own})")
    dollars, effective = rank_correlations(min(args.seeds, 10), args.developers)
    print("baseline, month 120: rank correlation of capability with cumulative frontier")
    print(f"  training dollars {dollars:.2f}, effective compute {effective:.2f} (target >= 0.5)")


if __name__ == "__main__":
    main()
