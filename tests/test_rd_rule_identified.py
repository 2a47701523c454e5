"""The platform's R&D rule can be identified: its horizon moves what it spends, and the fit.

Issue 21, acceptance 4: over four values of the platform's `rd_horizon` (the months over
which its rule counts a frontier-year), on the same seeds, the platform's R&D over
2023-2024 rises monotonically, each step by more than two standard errors of the paired
seed differences; and the committed one-at-a-time scan (`simulation/data/scan.csv`) finds
that the horizon moves the calibration's distance by more than three paired standard
errors, so the targets can tell its values apart.

The capability lag (SF #3) no longer moves step by step with the horizon: when the
platform's open weights come near the closed frontier, the labs behind the leader value
drawing level (the catch-up chord of ODD 6.3) and train more, so the lag does not fall
monotonically (seeds 1-6, 2,000 developers: 12.8, 14.0, 22.0 and 14.7 months at horizons
4-16 and the platform's uncalibrated frontier share).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from aimarket import MarketModel, load_scenario
from aimarket.experiments.analysis import targets
from aimarket.experiments.analysis.calibrate import scan

HORIZONS = (4.0, 8.0, 12.0, 16.0)
SEEDS = range(1, 7)


def _platform_rd(horizon: float, seed: int) -> float:
    overrides = {"vendors.meta.rd_horizon": horizon, "developers.count": 2000}
    model = MarketModel(load_scenario("timeline", overrides), rng=seed).run(targets.FIT_MONTHS)
    vendors = model.vendor_frame()
    return float(vendors.loc[vendors["vendor"] == "meta", "rd_spend"].sum())


def test_the_platform_rd_horizon_moves_its_rd_step_by_step():
    spend = np.array([[_platform_rd(h, s) for s in SEEDS] for h in HORIZONS])
    # paired steps: the same seeds at neighbouring values
    steps = np.diff(spend, axis=0)
    errors = steps.std(axis=1, ddof=1) / np.sqrt(len(SEEDS))
    moves = steps.mean(axis=1)
    assert (moves > 0).all(), spend.mean(axis=1)  # a longer horizon: more R&D
    assert (moves > 2 * errors).all(), (moves, errors)


def test_the_scan_finds_the_platform_rd_horizon_moves_the_fit():
    verdicts = scan.verdicts(pd.read_csv(scan.SCAN)).set_index("parameter")
    row = verdicts.loc["platform_rd_horizon"]
    assert bool(row["moves"]) and row["z"] > scan.Z, row
