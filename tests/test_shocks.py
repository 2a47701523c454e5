"""Each shock's direct effect, in a reduced configuration where nothing else moves."""

from __future__ import annotations

import numpy as np
import pytest

from aimarket import MarketModel, Scenario, ScenarioError, load_scenario
from aimarket.simulation.reduced import api_vendor, fix_rd, open_vendor, reduced


def market(vendors: dict, shocks: dict, clouds: dict | None = None, **extra) -> Scenario:
    segment = {"quality_weight": 2.0, "openness_preference": 0.5}
    return reduced(vendors, clouds, segment, shocks, developers=3000, **extra)


def test_weight_leak_makes_the_leaked_model_hostable_at_serving_cost():
    shocks = {"leak": {"kind": "weight_leak", "step": 5, "vendor": "lab"}}
    model = MarketModel(market({"lab": api_vendor(1.0)}, shocks), rng=1)
    model.run(4)
    lab = model.vendor_list[0]
    assert lab.open_product is None
    model.run(60)
    j = lab.open_product
    assert j is not None and model.products.is_open[j]
    assert (5, "lab", "weights leaked") in model.events
    # the leaked weights' hosting price has fallen to the clouds' serving cost ...
    assert model.products.price[j] == pytest.approx(model.products.cost[j], rel=1e-6)
    # ... far below the API price the lab still charges for the same model
    assert model.products.price[j] < 0.5 * model.products.price[lab.closed_product]
    assert lab.policy == "closed" and model.products.available[lab.closed_product]


def test_efficient_entrant_arrives_near_the_frontier_with_low_costs():
    shocks = {
        "newco": {
            "kind": "efficient_entrant",
            "step": 3,
            "policy": "closed",
            "capability_gap": 0.1,
            "efficiency": 0.2,
            "cash": 300.0,
        }
    }
    model = MarketModel(market({"lab": api_vendor(1.0)}, shocks), rng=2).run(20)
    frame = model.market_frame()
    newco = model.vendor_list[1]
    assert newco.name == "newco" and newco.alive
    assert newco.capability == pytest.approx(0.9)
    assert model.closed_unit_cost(newco) == pytest.approx(
        0.2 * model.closed_unit_cost(model.vendor_list[0])
    )
    assert frame.loc[frame["step"] == 2, "n_vendors"].item() == 1
    assert frame.loc[frame["step"] == 3, "n_vendors"].item() == 2
    # cheaper serving shows in the price: the entrant undercuts the incumbent
    assert newco.price < model.vendor_list[0].price
    assert model.ledger.balances["owners"] == pytest.approx(-300.0)


def test_inference_hardware_cloud_undercuts_open_hosting():
    shocks = {"fast": {"kind": "inference_hardware", "step": 30, "open_cost_multiplier": 0.3}}
    vendors = {"open": open_vendor(1.0)}
    model = MarketModel(market(vendors, shocks), rng=3).run(29)
    j = model.vendor_list[0].open_product
    before = model.products.price[j]
    model.run(40)
    after = model.products.price[j]
    assert [c.name for c in model.clouds] == ["c1", "c2", "fast"]
    assert before == pytest.approx(model.host_cost[0, j], rel=1e-6)  # at the old cost
    assert after < before  # the new cloud wins below the incumbents' cost
    assert model.clouds[2].revenue > 0 and model.clouds[0].revenue == 0


@pytest.mark.parametrize("penalty", [0.0, 1.0, 3.0])
def test_policy_pivot_switches_at_its_step_and_costs_trust(penalty):
    shocks = {
        "close": {
            "kind": "policy_pivot",
            "step": 10,
            "vendor": "giver",
            "policy": "closed",
            "trust_penalty": penalty,
        }
    }
    vendors = {
        "giver": api_vendor(1.0, policy="open"),
        "lab": api_vendor(1.0),
    }
    model = MarketModel(market(vendors, shocks), rng=4).run(9)
    giver = model.vendor_list[0]
    assert giver.policy == "open"
    model.run(1)
    assert giver.policy == "closed" and (10, "giver", "pivoted to closed") in model.events
    # the penalty is on the giver's models, in utility units
    for j in (giver.closed_product, giver.open_product):
        assert model.products.penalty[j] == penalty


def test_trust_penalty_moves_adopters_away():
    # Same seed, same market, prices held at cost so only the penalty differs: a penalty
    # k multiplies the odds of choosing the vendor's models by e^-k.
    odds = []
    for penalty in (0.0, 1.0, 2.0):
        shocks = {
            "close": {
                "kind": "policy_pivot",
                "step": 10,
                "vendor": "giver",
                "policy": "closed",
                "trust_penalty": penalty,
            }
        }
        vendors = {"giver": api_vendor(1.0, policy="open"), "lab": api_vendor(1.0)}
        scenario = market(vendors, shocks, **{"market.pricing": "cost"})
        model = MarketModel(scenario, rng=4).run(20)
        giver = model.vendor_list[0]
        mine = [giver.closed_product, giver.open_product]
        share = model.products.developers[mine].sum() / model.developers.n
        odds.append(share / (1 - share))
    assert odds[0] > odds[1] > odds[2]
    assert odds[1] / odds[0] == pytest.approx(np.exp(-1.0), rel=0.15)
    assert odds[2] / odds[0] == pytest.approx(np.exp(-2.0), rel=0.15)


def test_pivot_fires_when_share_crosses_threshold():
    shocks = {
        "close": {
            "kind": "policy_pivot",
            "vendor": "giver",
            "policy": "closed",
            "share_threshold": 0.5,
        }
    }
    vendors = {"giver": api_vendor(2.0, policy="open"), "lab": api_vendor(0.5)}
    model = MarketModel(market(vendors, shocks), rng=5).run(5)
    giver = model.vendor_list[0]
    fired = [s for s, who, what in model.events if what == "pivoted to closed"]
    assert len(fired) == 1 and giver.policy == "closed"
    assert model.market_frame().set_index("step").loc[fired[0] - 1, "open_developer_share"] >= 0.5


@pytest.mark.parametrize("regulation", ["cap", "tax"])
def test_misuse_incident_brings_regulation(regulation):
    shocks = {
        "misuse": {
            "kind": "misuse",
            "step": 5,
            "regulation_probability": 1.0,
            "regulation": regulation,
            "capability_threshold": 1.0,
            "tax": 0.5,
        }
    }
    vendors = {"open": open_vendor(1.0)}
    scenario = market(vendors, shocks, **{"mechanisms.rd": True})
    model = fix_rd(MarketModel(scenario, rng=6), {"open": (300.0, 1.0)}).run(5)
    j = model.vendor_list[0].open_product
    released = model.products.capability[j]
    model.run(25)
    frame = model.market_frame().set_index("step")
    assert frame.loc[4, "regulated"] == 0 and frame.loc[5, "regulated"] == 1
    assert frame.loc[5, "incidents"] == 1
    if regulation == "cap":
        # no release beyond the weights already out, while the vendor keeps improving
        assert model.vendor_list[0].capability > released + 0.3
        assert model.products.capability[j] == released
    else:
        host = np.nanmin(model.hosting[:, j])
        assert model.products.price[j] == pytest.approx(1.5 * host)
        assert model.ledger.balances["government"] > 0


def test_incident_hazard_grows_with_open_capability():
    counts = []
    for threshold in (3.0, 0.0):  # below the threshold no incident can happen
        shocks = {
            "misuse": {
                "kind": "misuse",
                "incident_rate": 0.2,
                "capability_threshold": threshold,
                "regulation_probability": 0.0,
            }
        }
        vendors = {"open": open_vendor(2.0)}
        model = MarketModel(market(vendors, shocks), rng=7).run(60)
        counts.append(model.market_frame()["incidents"].sum())
    assert counts[0] == 0 and counts[1] > 10


def test_shock_naming_an_unknown_vendor_is_refused():
    with pytest.raises(ScenarioError, match=r"shocks\.leak\.vendor = 'nobody' is not a vendor"):
        market({"lab": api_vendor(1.0)}, {"leak": {"kind": "weight_leak", "vendor": "nobody"}})
    with pytest.raises(ScenarioError, match="choose one of"):
        market({"lab": api_vendor(1.0)}, {"x": {"kind": "earthquake"}})


def test_timeline_replays_the_events_in_order():
    model = MarketModel(load_scenario("timeline", {"developers.count": 2000}), rng=8).run()
    whats = {what: step for step, _, what in model.events}
    assert whats["weights leaked"] == 2  # Feb 2023
    assert whats["pivoted to open"] == 7  # Jul 2023
    assert whats["efficient entrant arrived"] == 25  # Jan 2025
    frame = model.market_frame()
    assert str(frame["date"].iloc[0].date()) == "2023-01-01" and len(frame) == 48


def test_timeline_counterfactuals_drop_their_event():
    for name, missing in [
        ("timeline_no_leak", "weights leaked"),
        ("timeline_meta_closed", "pivoted to open"),
        ("timeline_no_entrant", "efficient entrant arrived"),
    ]:
        model = MarketModel(load_scenario(name, {"developers.count": 500}), rng=9).run()
        assert missing not in {what for _, _, what in model.events}


@pytest.mark.parametrize("policy", ["closed", "open_lagged"])
def test_closing_by_pivot_freezes_weights_without_double_counting(policy):
    # The community's gains live in the open product's stock, not in the vendor's own
    # capability, so they are counted once: released open weights never exceed the
    # vendor's frontier at the freeze (or its lagged release) plus that stock.
    shocks = {"close": {"kind": "policy_pivot", "step": 15, "vendor": "giver", "policy": policy}}
    vendors = {"giver": api_vendor(1.0, policy="open"), "lab": api_vendor(1.0)}
    scenario = market(vendors, shocks, **{"mechanisms.community": True, "mechanisms.rd": True})
    model = fix_rd(MarketModel(scenario, rng=11), {"giver": (300.0, 1.0)}).run(14)
    giver = model.vendor_list[0]
    model.run(1)
    frozen = giver.capability
    j = giver.open_product
    assert model.products.capability[j] <= frozen + model.products.community[j] + 1e-12
    model.run(20)
    gained = model.products.community[j]
    lag = giver.options.open_lag if policy == "open_lagged" else 0  # closed: no lagged release
    lagged = giver.history[-1 - lag]
    assert model.products.capability[j] <= max(frozen, lagged) + gained + 1e-9
    if policy == "closed":  # frozen weights fall behind the closed frontier
        assert model.products.capability[j] < giver.capability
