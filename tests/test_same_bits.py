"""Vectorized funding, innovation and settlement keep every bit (issue 22): each batched
computation gives exactly (==, not approximately) what the one-at-a-time formula it
replaces gives, so the baseline hashes hold."""

from __future__ import annotations

import math

import numpy as np
import pytest

from aimarket.agents import venture
from aimarket.agents.accounts import _summed
from aimarket.simulation import funding
from aimarket.simulation.mechanics import capability, complement, demand
from aimarket.simulation.mechanics import venture as finance
from tests.conftest import run_model, small_scenario


@pytest.mark.parametrize("months", [1, 7, 12, 60, 61, 130])
def test_many_valuations_at_once_equal_each_alone(months):
    rng = np.random.default_rng(months)
    n = 40
    gross = rng.lognormal(2.0, 2.0, n)
    burn = rng.lognormal(2.0, 2.0, n)
    rates = rng.choice([0.15, 0.25, 0.3, 0.4], n)
    growth = np.cumprod(1.0 + rng.uniform(0.0, 0.05, months))
    for erosion, multiple in [(0.0, 0.0), (0.35, 10.0)]:
        batch = finance.dcf_values(gross, burn, growth, rates, erosion, multiple)
        alone = [
            finance.dcf_value(g, b, growth, r, erosion, multiple)
            for g, b, r in zip(gross, burn, rates, strict=True)
        ]
        assert batch.tolist() == alone
        assert (batch == 0.0).any() and (batch > 0.0).any()


def test_a_months_valuations_equal_one_valuation_each():
    model = run_model(small_scenario(developers=400), seed=5, steps=24)
    entry = model.scenario.entry
    vendors = model.vendors
    prospects = [1.5 * v.last_gross_profit + 3.0 for v in vendors]
    growth = funding.volume_path(model)
    outlook = 7.0
    values = venture.Valuations.compute(model.vcs, vendors, prospects, outlook, growth, entry)
    for vendor, prospect, strategic, row in zip(
        vendors, prospects, values.strategic, values.follow_on, strict=True
    ):
        hurdle = vendor.cloud.params.strategic_hurdle
        assert strategic == venture.valuation(vendor, prospect, entry, hurdle, growth)
        for vc, value in zip(model.vcs, row, strict=True):
            assert value == venture.valuation(
                vendor, prospect, entry, vc.params.hurdle_rate, growth
            )
    for vc, value in zip(model.vcs, values.pitch, strict=True):
        burn = venture.entrant_burn(entry, vc.params.round_size)
        rate, erosion, multiple = vc.params.hurdle_rate, entry.erosion, entry.exit_multiple
        assert value == finance.dcf_value(outlook, burn, growth, rate, erosion, multiple)


def test_the_volume_path_is_the_index_point_by_point():
    model = run_model(small_scenario(developers=400), seed=5, steps=7)
    m = model.scenario.market
    now = model.steps / 12.0

    def index(years):
        growth, long_run, half = m.volume_growth, m.volume_growth_long, m.volume_growth_halflife
        return demand.volume_index(years, growth, long_run, half)

    months = len(funding.volume_path(model))
    expected = [index(now + k / 12.0) / index(now) for k in range(1, months + 1)]
    assert funding.volume_path(model).tolist() == expected
    assert months == round(12 * model.scenario.entry.horizon)


def test_a_platforms_options_valued_at_once_equal_each_alone():
    rng = np.random.default_rng(3)
    r0, strength, half = 40.0, 0.6, 2.0
    caps = np.concatenate([[-1.0, 0.0], rng.uniform(0.0, 6.0, 50)])
    lifts = complement.uplifts(strength, caps, half)
    assert lifts.tolist() == [complement.uplift(strength, float(q), half) for q in caps]
    prices = rng.uniform(0.0, 200.0, len(caps))
    profits = complement.profits(r0, lifts, prices)
    assert profits.tolist() == [
        complement.profit(r0, u, x) for u, x in zip(lifts, prices, strict=True)
    ]
    alternative = float(profits.max())
    charges = complement.rival_charges(r0, lifts, prices, alternative)
    for u, listed, charge in zip(lifts, prices, charges, strict=True):
        limit = complement.limit_price(r0, u, alternative) * (1.0 - 1e-9)
        assert charge == max(listed, min(complement.nash_prices(r0, u), limit))


def test_log_add_exp_is_numpys():
    rng = np.random.default_rng(11)
    x = rng.uniform(-50.0, 800.0, 5000)
    y = x + rng.standard_normal(5000) * 10.0 ** rng.uniform(-12.0, 3.0, 5000)
    ours = [capability.log_add_exp(a, b) for a, b in zip(x.tolist(), y.tolist(), strict=True)]
    assert ours == np.logaddexp(x, y).tolist()
    for a, b in [(-math.inf, 3.0), (3.0, -math.inf), (-math.inf, -math.inf), (2.0, 2.0)]:
        assert capability.log_add_exp(a, b) == float(np.logaddexp(a, b))


def test_a_vendors_share_sums_its_products_as_numpy_does():
    values = np.array([0.1, 0.2, 1e-17, 3.0])
    for rows in ([], [1], [0, 1], [2, 3]):
        assert _summed(values, rows) == values[rows].sum()
