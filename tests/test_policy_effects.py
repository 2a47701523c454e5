"""Acceptance item 5: the platform's release policy moves the market, and the baseline
runs its full 120 months with the acceptance population and reports its summary.

The direction test only asserts that flipping the platform's policy *changes* the
outcomes (same seed, so the difference is the policy's effect, not noise); the sign of
the effect is a result of the model, not something a test may fix.
"""

from __future__ import annotations

import functools
import math

import numpy as np
import pandas as pd
import pytest
from conftest import numeric_columns

from aimarket import MarketModel, load_scenario
from aimarket.simulation.plots import plot_shares
from aimarket.simulation.report import summary_table

MONTHS = 120
DEVELOPERS = 2_000


@functools.cache
def _outcomes(name: str, seed: int) -> dict[str, float]:
    model = MarketModel(load_scenario(name, {"developers.count": DEVELOPERS}), rng=seed)
    market = model.run(MONTHS).market_frame()
    vendors = model.vendor_frame()
    assert len(market) == MONTHS
    closed = vendors[(vendors["policy"] == "closed") & (vendors["price"] > 0)]
    return {
        "closed_price_mean": float(market["closed_price"].mean()),
        "closed_vendor_price_mean": float(closed["price"].mean()),
        "vc_funding_total": float(market["vc_funding"].sum()),
        "platform_payoff": float(market["platform_payoff"].iloc[-1]),
    }


SEED = 0


@pytest.mark.parametrize(
    "outcome",
    ["closed_price_mean", "closed_vendor_price_mean", "vc_funding_total", "platform_payoff"],
)
def test_platform_policy_changes_outcome(outcome):
    """Same seed, platform open vs closed: the outcome must differ (either way)."""
    a = _outcomes("meta_open", SEED)[outcome]
    b = _outcomes("meta_closed", SEED)[outcome]
    assert math.isfinite(a) and math.isfinite(b)
    assert not math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9), (outcome, a, b)


def test_baseline_acceptance_run_and_summary():
    scenario = load_scenario("baseline", {"developers.count": 10_000})
    model = MarketModel(scenario, rng=0).run(MONTHS)
    market, vendors = model.market_frame(), model.vendor_frame()
    assert len(market) == MONTHS
    assert np.isfinite(market[numeric_columns(market)].to_numpy(dtype=float)).all()
    assert np.isfinite(vendors[numeric_columns(vendors)].to_numpy(dtype=float)).all()
    assert abs(model.ledger.total() - model.ledger.initial_total) <= 1e-9 * max(
        abs(b) for b in model.ledger.balances.values()
    )

    table = summary_table(model)
    lowered = table.lower()
    for key in (
        "closed api price",
        "open hosting price",
        "open share of tokens",
        "hhi",
        "vc funding",
        "platform's cumulative payoff",
        "developer surplus",
        "adoption rate",
    ):
        assert key in lowered, key
    first, last = market["date"].iloc[0], market["date"].iloc[-1]
    assert first.strftime("%Y-%m") in table and last.strftime("%Y-%m") in table
    alive = vendors[vendors["step"] == MONTHS]
    top = alive.sort_values("token_share", ascending=False)["vendor"].head(3)
    for name in top:
        assert name in table


class _Crowded:
    """A run's frames with the platform pushed below twelve bigger vendors (as when many
    entrants crowd it out): what the single-run summary and share chart are given."""

    def __init__(self, model: MarketModel):
        self.market = model.market_frame()
        vendors = model.vendor_frame()
        last = vendors[vendors["step"] == vendors["step"].max()]
        others = last[last["business_model"] != "platform"].iloc[[0] * 13].copy()
        others["vendor"] = [f"entrant{k}" for k in range(13)]
        others["token_share"] = 0.01  # each bigger than the platform, whatever the run
        vendors.loc[vendors["business_model"] == "platform", "token_share"] = 0.0
        self.vendors = pd.concat([vendors, others], ignore_index=True)

    def market_frame(self):
        return self.market

    def vendor_frame(self):
        return self.vendors


def test_the_summary_and_share_chart_always_show_the_platform():
    model = MarketModel(load_scenario("baseline", {"developers.count": 300}), rng=0).run(3)
    crowded = _Crowded(model)
    platform = crowded.vendors.loc[crowded.vendors["business_model"] == "platform", "vendor"]
    (name,) = set(platform)
    vendor_lines = summary_table(crowded).split("Vendors at the last month")[1].splitlines()
    assert any(line.split()[:1] == [name] for line in vendor_lines)
    assert len(vendor_lines) - 2 == 13  # header line and column names, then 12 + platform
    assert "the 12 largest by token share and the platform shown" in vendor_lines[0]
    few = summary_table(model).split("Vendors at the last month")[1].splitlines()
    at_end = model.vendor_frame()["step"] == model.steps
    assert len(few) - 2 == at_end.sum() <= 12
    assert "shown" not in few[0]  # every vendor is listed: nothing to say
    figure = plot_shares(crowded.vendors)
    labels = [t.get_text() for t in figure.axes[0].get_legend().get_texts()]
    assert name in labels and "others" in labels
