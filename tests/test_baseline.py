"""A committed baseline: one seeded run's key outcomes, pinned.

Any change to the engine that moves these numbers shows up here. If the change is
intended (new economics, a recalibration), regenerate the file and commit it with the
change, saying why:

    .venv/bin/python tests/test_baseline.py --update

The tolerance is tight (relative 1e-9): the run is pure float64 arithmetic on a fixed
random stream, so only a change of operation order may move the last few bits.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

from simulation import MarketModel, load_scenario

BASELINE = Path(__file__).parent / "data" / "baseline.json"
SEED = 20230101
STEPS = 120
DEVELOPERS = 10_000


def key_outcomes() -> dict[str, float]:
    """Summary numbers of the seeded baseline run (10,000 developers, 120 months)."""
    scenario = load_scenario("baseline", {"developers.count": DEVELOPERS})
    model = MarketModel(scenario, rng=SEED).run(STEPS)
    market = model.market_frame()
    last = market.iloc[-1]
    vendors = model.vendor_frame()
    out = {
        f"final_{name}": float(last[name])
        for name in (
            "closed_price",
            "open_price",
            "fixed_capability_price",
            "open_token_share",
            "hhi",
            "closed_frontier",
            "open_frontier",
            "closed_margin",
            "platform_payoff",
            "adoption_rate",
            "n_vendors",
        )
    }
    out.update(
        {
            "mean_closed_price": float(market["closed_price"].mean()),
            "mean_developer_surplus": float(market["developer_surplus"].mean()),
            "total_vc_funding": float(market["vc_funding"].sum()),
            "total_entries": float(market["entries"].sum()),
            "total_exits": float(market["exits"].sum()),
            "total_cloud_revenue": float(market["cloud_revenue"].sum()),
            "openai_final_cash": float(vendors.loc[vendors["vendor"] == "openai", "cash"].iloc[-1]),
        }
    )
    return out


def test_baseline_outcomes_are_unchanged():
    expected = json.loads(BASELINE.read_text())
    actual = key_outcomes()
    assert actual.keys() == expected.keys()
    for name, value in expected.items():
        np.testing.assert_allclose(actual[name], value, rtol=1e-9, atol=1e-12, err_msg=name)


if __name__ == "__main__":
    if "--update" in sys.argv:
        BASELINE.write_text(json.dumps(key_outcomes(), indent=2) + "\n")
        print(f"wrote {BASELINE}")
