"""Docking: reduced configurations of the model reproduce closed-form economics.

Each test switches off every mechanism the theory leaves out and compares the
simulation with the textbook result (docs/brief.md, "Checks against theory"; docs/ODD.md,
section 8).
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy import optimize

from aimarket import MarketModel
from aimarket.simulation.mechanics import choice as logit
from aimarket.simulation.mechanics import complement, diffusion
from aimarket.simulation.reduced import api_vendor, open_vendor, reduced


def nash_prices(quality, cost, mu, outside=0.0):
    """Logit Bertrand-Nash prices solved independently: p_j - c_j = mu / (1 - s_j(p))."""
    quality, cost = np.asarray(quality, float), np.asarray(cost, float)

    def foc(p):
        v = np.concatenate([[outside], quality - p / mu])
        s = np.exp(v - v.max())
        s = s[1:] / s.sum()
        return p - cost - mu / (1.0 - s)

    sol = optimize.root(foc, cost + 2 * mu, tol=1e-14)
    assert sol.success
    return sol.x


# -- (a) logit Bertrand ------------------------------------------------------------------


@pytest.mark.parametrize(
    "capabilities, efficiencies, alpha",
    [
        ((1.0, 1.0), (1.0, 1.0), 0.5),  # symmetric duopoly
        ((2.0, 1.0, 0.2), (1.0, 0.7, 1.3), 1.5),  # asymmetric qualities and costs
    ],
)
def test_closed_prices_converge_to_logit_bertrand_nash(capabilities, efficiencies, alpha):
    vendors = {
        f"v{k}": api_vendor(q, e)
        for k, (q, e) in enumerate(zip(capabilities, efficiencies, strict=True))
    }
    scenario = reduced(vendors, segment={"price_weight": alpha, "quality_weight": 3.0})
    model = MarketModel(scenario, rng=1).run(300)

    p = model.products
    n = p.n
    price, cost = p.price[:n], p.cost[:n]
    mu = 1.0 / alpha  # logit scale in $/Mtok (volumes fixed: the price weight is alpha)
    shares = logit.expected_shares(model.mean_utilities(), model.developers.outside)[0]
    # The equilibrium condition, vendor by vendor ...
    np.testing.assert_allclose(price - cost, mu / (1.0 - shares), rtol=0, atol=1e-6)
    # ... and the same prices as an independent solver of the Nash system.
    expected = nash_prices(3.0 * p.capability[:n], cost, mu)
    np.testing.assert_allclose(price, expected, rtol=1e-9)
    # Asymmetric qualities give asymmetric markups: the better model charges more.
    if len(set(capabilities)) > 1:
        assert np.argmax(price - cost) == int(np.argmax(capabilities))


def test_marginal_cost_pricing_switch_prices_at_cost():
    scenario = reduced({"a": api_vendor(1.0), "b": api_vendor(0.5)}, **{"market.pricing": "cost"})
    model = MarketModel(scenario, rng=2).run(5)
    p = model.products
    np.testing.assert_allclose(p.price[: p.n], p.cost[: p.n], rtol=1e-12)


# -- (b) Bass diffusion ---------------------------------------------------------------------


def bass_closed_form(t, p, q):
    e = np.exp(-(p + q) * t)
    return (1 - e) / (1 + (q / p) * e)


@pytest.mark.parametrize("p, q", [(0.01, 0.15), (0.03, 0.38)])
def test_adoption_follows_bass_closed_form(p, q):
    scenario = reduced(
        {"a": api_vendor(1.0)},
        segment={"initial_adoption": 0.0, "bass_p": p, "bass_q": q, "reconsider_rate": 0.0},
        **{
            "mechanisms.diffusion": True,
            "mechanisms.outside_option": False,
            "developers.count": 100_000,
        },
    )
    steps = 60
    adoption = MarketModel(scenario, rng=3).run(steps).market_frame()["adoption_rate"]
    t = np.arange(1, steps + 1)
    assert np.abs(adoption.to_numpy() - bass_closed_form(t, p, q)).max() < 0.02
    new = np.diff(np.concatenate([[0.0], adoption.to_numpy()]))
    peak = t[np.argmax(new)]
    assert abs(peak - np.log(q / p) / (p + q)) <= 1.0


def test_monthly_entry_probability_integrates_the_bass_hazard():
    # For a small hazard the monthly probability is p + q F, to first order.
    p, q = np.array([1e-4]), np.array([2e-4])
    for share in (0.0, 0.3, 0.9):
        prob = diffusion.entry_probability(p, q, share)[0]
        assert prob == pytest.approx(p[0] + q[0] * share, rel=1e-3)
    # Nobody enters an empty market without innovators; everyone is in at F = 1.
    assert diffusion.entry_probability(np.array([0.0]), np.array([0.5]), 0.0)[0] == 0.0
    assert diffusion.entry_probability(np.array([0.1]), np.array([0.5]), 1.0)[0] == 1.0


# -- (c) Bertrand hosting -------------------------------------------------------------------


@pytest.mark.parametrize("n_clouds", [2, 3])
def test_hosting_price_falls_to_serving_cost_with_competing_clouds(n_clouds):
    clouds = {f"c{k + 1}": {} for k in range(n_clouds)}
    model = MarketModel(reduced({"open": open_vendor(1.0)}, clouds), rng=4)
    model.run(1)
    j = model.vendor_list[0].open_product
    first_margin = model.products.price[j] / model.products.cost[j] - 1.0
    model.run(80)
    price, cost = model.products.price[j], model.products.cost[j]
    assert first_margin > 0.1  # it starts well above cost ...
    assert price == pytest.approx(cost, rel=1e-9)  # ... and ends at cost
    hosted = model.hosting[:, j]
    np.testing.assert_allclose(hosted, cost, rtol=1e-9)


def test_single_host_keeps_a_monopoly_markup():
    clouds = {"c1": {}, "c2": {"hosts_open_weights": False}}
    model = MarketModel(reduced({"open": open_vendor(1.0)}, clouds), rng=5).run(80)
    j = model.vendor_list[0].open_product
    assert model.products.price[j] > 1.1 * model.products.cost[j]


def test_cheaper_host_wins_at_the_rivals_cost():
    # Specialized inference hardware (half the cost) undercuts down toward the rival's cost.
    clouds = {"c1": {}, "fast": {"open_cost_multiplier": 0.5, "serves_closed": False}}
    model = MarketModel(reduced({"open": open_vendor(1.0)}, clouds), rng=6).run(80)
    j = model.vendor_list[0].open_product
    rival_cost = model.host_cost[0, j]
    own_cost = model.host_cost[1, j]
    assert own_cost < model.products.price[j] <= rival_cost
    assert model.clouds[1].revenue > 0 and model.clouds[0].revenue == 0


# -- (d) complements ------------------------------------------------------------------------


def test_complement_profit_closed_form_rises_as_model_price_falls():
    # R0 (sqrt(1 + u) - x)^2 with x = V w / (2 R0), u = k q / (q + h)
    profits = [complement.profit(11_000, 0.05, 200.0 * w) for w in (8.0, 4.0, 2.0, 1.0)]
    assert all(a < b for a, b in itertools.pairwise(profits))
    u = complement.uplift(0.02, 2.0, half=1.0)
    assert u == pytest.approx(0.02 * 2.0 / 3.0)
    x = 200.0 * 8.0 / (2 * 11_000)
    assert complement.profit(11_000, u, 1600.0) == pytest.approx(11_000 * ((1 + u) ** 0.5 - x) ** 2)
    # free AI adds R0 u; more capability, more revenue, but never more than R0 k
    assert complement.profit(11_000, u, 0.0) == pytest.approx(11_000 * (1 + u))
    lifts = [complement.uplift(0.02, q, 1.0) for q in (1, 10, 100, 1e4)]
    assert all(a < b for a, b in itertools.pairwise(lifts)) and lifts[-1] < 0.02


def test_platform_earns_more_when_the_model_it_uses_is_priced_at_cost():
    platform = {
        "business_model": "platform",
        "policy": "closed",
        "offers_api": False,
        "capability": 0.0,  # no model of its own: it buys a rival's
        "cash": 1e6,
        "opex": 0.0,
        "private": False,
        "complement_revenue": 11_000.0,
        "complement_strength": 0.05,
        "internal_tokens": 20.0,
        "cloud": "c1",
    }
    vendors = {"platform": platform, "lab": api_vendor(1.5)}
    revenue = {}
    for rule in ("nash", "cost"):
        scenario = reduced(vendors, **{"mechanisms.complement": True, "market.pricing": rule})
        frame = MarketModel(scenario, rng=7).run(30).market_frame()
        revenue[rule] = frame["platform_complement_revenue"].iloc[-1]
    assert revenue["cost"] > revenue["nash"] > 0


def test_with_nothing_to_choose_developers_use_no_model():
    # No model on offer and no outside option: nobody can adopt anything.
    clouds = {"c1": {"hosts_open_weights": False}, "c2": {"hosts_open_weights": False}}
    scenario = reduced({"open": open_vendor(1.0)}, clouds, **{"mechanisms.outside_option": False})
    model = MarketModel(scenario, rng=9).run(3)
    assert model.developers.adopters == 0
    assert (model.developers.choice == logit.NONE).all()
    assert model.market_frame()["total_tokens"].eq(0).all()
