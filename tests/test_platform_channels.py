"""The platform's open-minus-closed value by channel (issue 21, acceptance 2).

The channels are computed from separately simulated runs (mechanisms one at a time, and
the platform's discounted flows of the base contrast); these tests check that the books
agree: the flows of the base add up to its firm-value contrast, and channels plus the
interaction residual add up to the total, within 1%.
"""

from __future__ import annotations

import numpy as np
import pytest

from aimarket.experiments import platform_channels as pc

SMALL = {"seeds": range(2), "developers": 500, "months": 36}


@pytest.fixture(scope="module")
def table():
    return pc.decompose(**SMALL)


def test_channels_and_interaction_sum_to_the_total_within_one_percent(table):
    flows = table[[*pc.FLOWS, "terminal value"]].sum(axis=1)
    scale = np.maximum(table["total"].abs(), 1.0)
    assert np.all(np.abs(flows - table["base (sum of flows)"]) <= 0.01 * scale)
    assert np.all(np.abs(table["sum of channels"] - table["total"]) <= 0.01 * scale)
    assert (table["total"] != 0).all()  # something to decompose


def test_with_cost_pricing_the_price_mediated_channels_vanish():
    table = pc.decompose(**SMALL, **{"market.pricing": "cost"})
    for channel in ("avoided markup", "hold-up avoided", "API revenue forgone"):
        assert np.abs(table[channel]).max() < 1e-6, channel


def test_the_summary_names_every_channel_and_the_annuity(table):
    text = pc.summary(table, 36, 0.10)
    for name in (*pc.MECHANISMS, *pc.FLOWS, "interaction", "total"):
        assert f"| {name}" in text
    assert "$B a year" in text
    assert pc.annuity_per_year(1200.0, 12, 0.0) == pytest.approx(1200.0)
