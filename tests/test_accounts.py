"""Agents book their own money flows, and the market's state is one record.

The agents' money methods move exactly the amounts ODD section 6.7 states, between the
accounts it names, and conserve money; ``model.state`` holds what the phases update.
"""

from __future__ import annotations

import math

import pytest

from aimarket import MarketModel
from aimarket.simulation.mechanics import demand
from aimarket.simulation.uncertainties import UNCERTAINTIES
from tests.conftest import small_scenario


@pytest.fixture
def model() -> MarketModel:
    """A small baseline two months in: products priced, hosts set, tokens bought."""
    return MarketModel(small_scenario(), rng=3).run(2)


def test_the_state_is_one_record_the_phases_update(model):
    state = model.state
    market = model.scenario.market
    assert state.cost_index == (1.0 - market.compute_cost_decline) ** (2 / 12)
    assert state.serving_cost == market.serving_cost * state.cost_index
    assert state.demand_index == demand.volume_index(
        2 / 12, market.volume_growth, market.volume_growth_long, market.volume_growth_halflife
    )
    assert not hasattr(model, "cost_index") and not hasattr(model, "open_tax")


# -- agents' money flows ---------------------------------------------------------------
def balances(model: MarketModel, *accounts: str) -> list[float]:
    return [model.ledger.balance(a) for a in accounts]


def test_a_vendor_sells_tokens_and_its_cloud_serves_them(model):
    vendor = model.vendor_named("openai")
    cloud, j, tokens = vendor.cloud, vendor.closed_product, 2.0
    accounts = ("developers", vendor.account, cloud.account, "suppliers")
    before = balances(model, *accounts)
    revenue, fees, costs = vendor.api_revenue, cloud.revenue, cloud.costs
    total = model.ledger.total()
    sales = vendor.sell_tokens(j, tokens)
    price = model.products.price[j]
    unit = cloud.unit_cost(vendor.params.efficiency, False)
    fee = unit * (1 + cloud.params.partner_markup) * tokens
    assert sales == pytest.approx(price * tokens)
    assert vendor.api_revenue - revenue == pytest.approx(price * tokens)
    assert cloud.revenue - fees == pytest.approx(fee)
    assert cloud.costs - costs == pytest.approx(unit * tokens)
    after = balances(model, *accounts)
    moved = [a - b for a, b in zip(after, before, strict=True)]
    assert moved == pytest.approx([-price * tokens, price * tokens - fee, fee - unit * tokens,
                                   unit * tokens])  # fmt: skip
    assert model.ledger.total() == pytest.approx(total)


def test_a_vendor_buys_training_compute_and_pays_fixed_costs(model):
    vendor = model.vendor_named("anthropic")
    cloud = vendor.cloud
    vendor.rd_spend = 13.0
    cash, revenue, costs = vendor.cash, cloud.revenue, cloud.costs
    vendor.buy_training()
    vendor.pay_opex()
    assert vendor.cash == pytest.approx(cash - 13.0 - vendor.params.opex)
    assert cloud.revenue - revenue == pytest.approx(13.0)
    assert cloud.costs - costs == pytest.approx(13.0 / (1 + cloud.params.training_markup))


def test_a_host_sells_open_weights_with_the_tax_to_the_government(model):
    j = model.vendor_named("meta").open_product
    cloud = next(c for c in model.clouds if math.isfinite(model.hosting[c.index, j]))
    model.state.open_tax = 0.25
    price, unit = model.hosting[cloud.index, j], model.host_cost[cloud.index, j]
    before = balances(model, "developers", "government", cloud.account)
    cloud.host(j, 4.0)
    after = balances(model, "developers", "government", cloud.account)
    assert after[0] - before[0] == pytest.approx(-price * 4.0 * 1.25)
    assert after[1] - before[1] == pytest.approx(0.25 * price * 4.0)
    assert after[2] - before[2] == pytest.approx((price - unit) * 4.0)


def test_a_platform_books_its_complement_business():
    # a year in, with the complement's uplift at the top of its record's range, AI is
    # worth what it costs the platform's ads (at the calibrated uplift it may not be yet)
    top = UNCERTAINTIES["complement_strength"].hi
    model = MarketModel(small_scenario(vendors__meta__complement_strength=top), rng=3).run(12)
    platform = model.vendor_named("meta")
    assert platform.complement_revenue > 0  # it runs its business on some AI
    revenue, cost = platform.complement_revenue, platform.ai_cost
    total = model.ledger.total()
    cash = platform.cash
    platform.run_complement()
    gain = platform.complement_revenue - revenue
    assert gain > 0
    assert platform.cash - cash == pytest.approx(gain - (platform.ai_cost - cost))
    assert model.ledger.total() == pytest.approx(total)


def test_closing_the_month_adds_up_the_vendors_accounts(model):
    vendor = model.vendor_named("mistral")
    vendor.api_revenue, vendor.complement_revenue, vendor.serving_cost = 30.0, 5.0, 12.0
    vendor.ai_cost, vendor.rd_spend, vendor.community_cost = 1.0, 7.0, 2.0
    payoff = vendor.payoff
    vendor.close_month(total_tokens=0.0, adopters=1)
    assert vendor.last_gross_profit == pytest.approx(18.0)
    assert vendor.revenue == pytest.approx(35.0)
    assert vendor.profit == pytest.approx(35.0 - 12.0 - 1.0 - 7.0 - 2.0 - vendor.params.opex)
    assert vendor.payoff - payoff == pytest.approx(vendor.profit)
    assert vendor.revenue_history[-1] == 30.0 and vendor.last_rd_spend == 7.0
    assert vendor.token_share == 0.0


def test_a_cloud_backs_a_partner_with_its_parents_credits(model):
    vendor = model.vendor_named("anthropic")
    cloud = vendor.cloud
    cloud.strategic_credits = 100.0
    cash, stakes = vendor.cash, dict(vendor.investors)
    cloud.back(vendor, 40.0, value=360.0)
    assert cloud.strategic_credits == pytest.approx(60.0)
    assert vendor.cash == pytest.approx(cash + 40.0)
    diluted = {name: stake * 0.9 for name, stake in stakes.items()}
    expected = {**diluted, "owners": diluted.get("owners", 0.0) + 0.1}
    assert vendor.investors == pytest.approx(expected)


def test_a_platform_buying_a_subnormal_volume_keeps_the_books_finite():
    """Hypothesis found it: internal_tokens = 2.2e-313 made a rival API's unit price
    cost / tokens overflow to inf, and the ledger's total NaN."""
    from aimarket import MarketModel, load_scenario

    for volume in (5e-324, 2.2250738585e-313, 1e-300):
        scenario = load_scenario(
            "baseline", {"vendors.meta.internal_tokens": volume, "developers.count": 50}
        )
        model = MarketModel(scenario, rng=0).run(3)
        assert all(math.isfinite(v) for v in model.ledger.balances.values())
        assert abs(model.ledger.total() - model.ledger.initial_total) < 1e-6
