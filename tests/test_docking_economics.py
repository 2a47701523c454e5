"""Docking of the economics of capability and demand (docs/ODD.md section 8, (f) to (j)).

Capability is one production function of cumulative effective training compute, and
followers imitate open weights at a speed set by their own R&D; developers weigh prices
in dollars. Each test puts the model's own code in a reduced configuration whose answer
is known in closed form.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import integrate, optimize

from aimarket import MarketModel, load_scenario
from aimarket.experiments.analysis import targets
from aimarket.simulation.mechanics import capability as production
from aimarket.simulation.mechanics import choice, demand, pricing
from aimarket.simulation.reduced import api_vendor, fix_rd, open_vendor, reduced

KAPPA = 0.5
FRONTIER = 1800.0


def _rd_market(vendors: dict, **overrides) -> MarketModel:
    """A market whose vendors only do R&D: capabilities move, nothing else does. A vendor
    made by :func:`_lab` spends its fixed plan instead of following the R&D rule (the
    rule is docked in tests/test_docking_financing.py)."""
    plans = {name: fields.pop("_plan") for name, fields in vendors.items() if "_plan" in fields}
    scenario = reduced(
        vendors,
        developers=200,
        **{
            "mechanisms.rd": True,
            "innovation.compute_scale": KAPPA,
            "innovation.frontier_stock": FRONTIER,
            **overrides,
        },
    )
    return fix_rd(MarketModel(scenario, rng=1), plans)


def _lab(capability: float, spend: float, growth: float = 1.0, **fields) -> dict:
    """A lab that spends ``spend`` a month on R&D, growing ``growth`` a year, with deep
    enough pockets that cash never binds."""
    return {**api_vendor(capability, cash=1e7, **fields), "_plan": (spend, growth)}


# -- (f) capability from compute ---------------------------------------------------------------


def test_a_tenfold_stock_gap_is_kappa_ln_ten_from_zero_stocks():
    # The production function itself: two stocks built from nothing by flows 10:1.
    a = b = -math.inf  # ln of no stock
    for month in range(1, 121):
        per_dollar = production.efficiency_index(month, 3.0)
        a = production.add(a, 100.0 * 1.9 ** (month / 12) * per_dollar)
        b = production.add(b, 10.0 * 1.9 ** (month / 12) * per_dollar)
        gap = production.capability_of(a, KAPPA, FRONTIER) - production.capability_of(
            b, KAPPA, FRONTIER
        )
        assert gap == pytest.approx(KAPPA * math.log(10.0), abs=1e-12)


@pytest.mark.parametrize("ratio", [10.0, 100.0])
def test_vendors_with_a_compute_gap_differ_by_kappa_ln_the_gap_every_month(ratio):
    # Through the vendors: stocks start in the ratio and flows keep it (equal growth).
    low = 0.3
    high = low + KAPPA * math.log(ratio)
    model = _rd_market(
        {"big": _lab(high, 5.0 * ratio, growth=1.5), "small": _lab(low, 5.0, growth=1.5)},
        **{"mechanisms.talent": False},
    )
    big, small = model.vendor_list
    for _ in range(120):
        model.step()
        assert big.capability - small.capability == pytest.approx(KAPPA * math.log(ratio), abs=1e-6)
    assert small.capability > low + 1.0  # both moved: the gap is not a frozen start


def test_without_imitation_an_entrants_gap_tends_to_kappa_ln_the_spend_ratio():
    model = _rd_market(
        {"lab": _lab(0.0, 1000.0), "entrant": _lab(0.0, 10.0)},
        **{"mechanisms.talent": False, "innovation.efficiency_growth": 3.0},
    )
    lab, entrant = model.vendor_list
    gaps = []
    for _ in range(240):
        model.step()
        gaps.append(lab.capability - entrant.capability)
    assert gaps[-1] == pytest.approx(KAPPA * math.log(100.0), abs=1e-3)
    assert gaps[11] < gaps[-1]  # the starting stocks wash out: the gap opens up to it


def _imitation_market(entrant_spend: float, speed: float, half: float) -> MarketModel:
    return _rd_market(
        {
            "x": {**open_vendor(2.0), "_plan": (0.0, 1.0)},  # weights that stay where they are
            "entrant": _lab(0.0, entrant_spend),
        },
        **{
            "mechanisms.talent": False,
            "mechanisms.imitation": True,
            "innovation.efficiency_growth": 1.0,
            "innovation.imitation_speed": speed,
            "innovation.imitation_capacity": half,
        },
    )


def test_imitation_closes_the_stock_gap_at_the_stated_speed_and_never_passes_the_model():
    spend, speed, half = 20.0, 0.1, 30.0
    model = _imitation_market(spend, speed, half)
    x, entrant = model.vendor_list
    target = math.exp(production.log_stock_for(2.0, KAPPA, FRONTIER))
    theta = speed * spend / (spend + half)  # docs/ODD.md 6.3: the catch-up speed
    for _ in range(200):
        gap = target - entrant.stock - entrant.absorbed
        model.step()
        after = target - entrant.stock - entrant.absorbed
        # the gap left by own R&D shrinks by (1 - theta) through imitation; once own R&D
        # has closed it, nothing more is absorbed
        left = gap - spend
        assert after == pytest.approx((1.0 - theta) * left if left > 0 else left, rel=0.01)
        assert entrant.absorbed <= target - FRONTIER * math.exp(-1 / KAPPA) + 1e-6
    # own R&D (20 a month) takes it past X only once the gap it imitates is gone
    assert x.capability == 2.0


def test_imitation_alone_never_lifts_a_follower_past_the_model_it_imitates():
    model = _imitation_market(1e-3, 0.5, 0.01)  # R&D of $1k a month: theta about 0.045
    x, entrant = model.vendor_list
    path = []
    for _ in range(240):
        model.step()
        path.append(entrant.capability)
    assert max(path) <= x.capability + 1e-6
    assert path[-1] == pytest.approx(x.capability, abs=1e-3)  # and it gets there


def test_stocks_beyond_a_float_s_range_keep_capabilities_finite():
    # a capability of 46 at kappa = 0.0625 is e^720 times the frontier's stock
    model = _rd_market(
        {"far": _lab(46.0, 10.0), "near": _lab(0.5, 10.0)},
        **{"innovation.compute_scale": 0.0625, "mechanisms.imitation": True},
    )
    model.run(3)
    far, near = model.vendor_list
    assert math.isfinite(far.capability) and far.capability >= 46.0
    assert math.isfinite(near.capability) and near.absorbed == 0.0  # X is closed


def test_closed_models_cannot_be_imitated():
    model = _rd_market(
        {"x": _lab(2.0, 0.0), "entrant": _lab(0.0, 20.0)},
        **{"mechanisms.talent": False, "mechanisms.imitation": True},
    )
    entrant = model.vendor_list[1]
    model.run(24)
    assert entrant.absorbed == 0.0


# -- (g) a logit best response in dollars ---------------------------------------------------


def test_closed_price_against_an_open_rival_at_cost_matches_the_closed_form():
    # Quality a = 2 $/Mtok for both models, cost c = 1, logit scale mu = 0.25 $/Mtok:
    # utility (a - p) / mu = 8 - 4p, outside option 0; the open rival is hosted at cost.
    scenario = reduced(
        {"closed": api_vendor(2.0), "open": open_vendor(2.0)},
        segment={"price_weight": 4.0, "quality_weight": 4.0},
        clouds={"c1": {"partner_markup": 0.0}, "c2": {}},
        **{"market.serving_cost": 1.0},
    )
    model = MarketModel(scenario, rng=1).run(200)
    p = model.products
    closed, open_ = 0, 1
    assert p.price[open_] == pytest.approx(1.0, abs=1e-9)
    assert p.price[closed] == pytest.approx(1.31863, abs=1e-4)
    shares = choice.expected_shares(model.mean_utilities(), model.developers.outside)[0]
    assert shares[closed] == pytest.approx(0.21540, abs=1e-4)
    assert shares[open_] == pytest.approx(0.77049, abs=1e-4)


def _profit_maximum(v, price, coef, weights, cost, elasticity, j):
    """Product j's best response by direct maximization of its profit (rivals fixed)."""

    def profit(x):
        trial = price.copy()
        trial[j] = x
        u = v + coef[:, None] * (price - trial)[None, :]
        s = choice.expected_shares(u, np.zeros(len(coef)))[:, j]
        return -(x - cost[j]) * (weights * s).sum() * x**elasticity

    return optimize.minimize_scalar(
        profit, bounds=(cost[j], cost[j] + 50.0), method="bounded", options={"xatol": 1e-10}
    ).x


@pytest.mark.parametrize("elasticity", [0.0, -0.3, -0.7, -1.5])
def test_best_response_maximizes_profit_with_tokens_that_respond_to_price(elasticity):
    coef = np.array([0.8, 2.0])
    weights = np.array([3.0, 1.0])
    price = np.array([2.0, 3.0, 1.5])
    cost = np.array([1.0, 1.2, 0.8])
    v = np.array([[1.0, 1.5, 0.2], [0.5, 2.5, 0.0]]) - coef[:, None] * price[None, :]
    best, unsolved = pricing.best_response(v, price, np.zeros(2), coef, weights, cost, elasticity)
    assert unsolved == 0
    for j in range(3):
        assert best[j] == pytest.approx(
            _profit_maximum(v, price, coef, weights, cost, elasticity, j), rel=1e-6
        )
    # more elastic token demand, lower prices
    if elasticity < 0:
        inelastic, _ = pricing.best_response(v, price, np.zeros(2), coef, weights, cost, 0.0)
        assert (best < inelastic).all()


# -- (h) the cost level moves the Lerner index -------------------------------------------------


def _lerner(serving_cost: float) -> float:
    scenario = reduced(
        {"a": api_vendor(1.0), "b": api_vendor(0.8)},
        segment={"price_weight": 0.5, "quality_weight": 2.0},
        **{"market.serving_cost": serving_cost},
    )
    p = MarketModel(scenario, rng=1).run(60).products
    return float((p.price[0] - p.cost[0]) / p.price[0])


def test_halving_the_serving_cost_changes_the_closed_lerner_index():
    full, half = _lerner(2.0), _lerner(1.0)
    assert half > full + 0.05  # about the same dollar markup on half the cost


def test_at_fixed_rivals_halving_cost_leaves_the_dollar_markup_and_moves_the_lerner():
    coef, weights = np.array([0.5]), np.array([1.0])
    price = np.array([3.0, 2.5])
    v = np.array([[2.0, 1.6]]) - coef[:, None] * price[None, :]
    lerner = []
    for cost in (np.array([2.0, 2.0]), np.array([1.0, 1.0])):
        best, _ = pricing.best_response(v, price, np.zeros(1), coef, weights, cost)
        lerner.append((best[0] - cost[0]) / best[0])
    assert lerner[1] > lerner[0] + 0.05


# -- (i) the price of a fixed capability ---------------------------------------------------------


def test_with_costs_halving_a_year_the_fixed_capability_price_falls_at_least_threefold():
    falls = []
    for seed in (1, 2, 3):
        scenario = load_scenario(
            "timeline", {"developers.count": 3000, "market.compute_cost_decline": 0.5}
        )
        market = MarketModel(scenario, rng=seed).run(24).market_frame()
        falls.append(targets.annual_price_fall(market))
    assert np.mean(falls) >= 3.0


# -- (j) the volume path ---------------------------------------------------------------------


def test_volume_index_integrates_a_decaying_growth_rate():
    growth, long_run, halflife = 5.0, 1.5, 2.0

    def rate(t):
        fast, slow = math.log(growth), math.log(long_run)
        return slow + (fast - slow) * 2.0 ** (-t / halflife)

    for years in (0.5, 1.0, 3.0, 10.0):
        integral, _ = integrate.quad(rate, 0.0, years)
        expected = math.exp(integral)
        assert demand.volume_index(years, growth, long_run, halflife) == pytest.approx(
            expected, rel=1e-10
        )
    # the first year grows about `growth`-fold (less, as the rate decays within it)
    assert long_run < demand.volume_index(1.0, growth, long_run, halflife) < growth
