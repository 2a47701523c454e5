"""Regression tests for results that used to come out silently wrong."""

from __future__ import annotations

import math

import numpy as np

from simulation import MarketModel
from simulation.reduced import open_vendor, reduced


def test_closed_margin_is_undefined_without_closed_sales():
    """A market with open weights only sells no closed tokens: its closed margin is NaN
    (undefined), not 0 (which would read as 'margins collapsed')."""
    model = MarketModel(reduced({"giver": open_vendor(1.0)}), rng=1).run(3)
    market = model.market_frame()
    assert market["total_tokens"].gt(0).all()
    assert market["closed_margin"].isna().all()
    assert math.isnan(model.closed_margin)


def test_orphaned_share_is_measured_when_every_token_is_on_orphaned_weights():
    """Once the only vendor of open weights leaves, every token is on its orphaned weights
    and the market table says so (the vendor table has no row to carry it)."""
    scenario = reduced(
        {"giver": open_vendor(1.0, cash=0.5, opex=1.0, private=True)},
        **{"mechanisms.exit": True},
    )
    model = MarketModel(scenario, rng=2).run(4)
    market, vendors = model.market_frame(), model.vendor_frame()
    assert market["exits"].tolist() == [1, 0, 0, 0]  # it exits in month 1 ...
    assert vendors["step"].tolist() == [1]  # ... whose row still carries its share
    assert market["orphaned_token_share"].tolist() == [0.0, 1.0, 1.0, 1.0]
    assert np.allclose(market["open_token_share"], 1.0)
