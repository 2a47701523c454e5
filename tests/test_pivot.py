"""``open_then_closed``: a switch the vendor reaches through the market's dynamics, and
developers who anticipate it (issue 21, item 5 and acceptance 3)."""

from __future__ import annotations

import functools

import numpy as np
import pytest

from aimarket import MarketModel, load_scenario
from aimarket.experiments.analysis.stats import contrast
from aimarket.simulation.policies import open_then_closed as otc
from aimarket.simulation.reduced import api_vendor, open_vendor, reduced
from aimarket.simulation.uncertainties import UNCERTAINTIES

CLOSED = "closed its weights"
#: The pivot scenario's test population: the acceptance population (10,000 developers,
#: 120 months); ten seeds, each run under open_then_closed and under open.
SEEDS = range(10)
DEVELOPERS = 10_000


def switch_month(model: MarketModel, vendor: str) -> int | None:
    return next((t for t, who, what in model.events if (who, what) == (vendor, CLOSED)), None)


def giver_market(capability: float, **options) -> MarketModel:
    """A giver under open_then_closed with fixed capabilities: an open rival at 1.0 and a
    closed lab at 2.0 (no R&D, so the lead never moves)."""
    giver = {**open_vendor(capability), "policy": "open_then_closed", "switch_share": 0.0}
    giver.update(options)
    vendors = {"giver": giver, "rival": open_vendor(1.0), "lab": api_vendor(2.0)}
    segment = {"quality_weight": 2.0, "openness_preference": 0.5}
    return MarketModel(reduced(vendors, segment=segment, developers=1000), rng=1)


@pytest.mark.parametrize(
    ("capability", "options", "switches"),
    [
        (1.5, {"switch_lead": 0.4}, True),  # leads the best open rival by 0.5
        (1.5, {"switch_lead": 0.6}, False),  # not by 0.6
        (1.5, {"switch_lead": 0.0, "switch_rivals": "all"}, False),  # the lab leads
        (2.5, {"switch_lead": 0.4, "switch_rivals": "all"}, True),  # leads every rival
        (1.5, {"switch_lead": 0.4, "switch_share": 1.01}, False),  # share > 1: never
        (0.5, {"switch_lead": 9.0, "switch_step": 4}, True),  # the forced date
    ],
)
def test_switch_needs_the_lead_over_the_chosen_rivals(capability, options, switches):
    model = giver_market(capability, switch_hold=1, **options).run(12)
    giver = model.vendor_list[0]
    assert giver.switched == switches
    if "switch_step" in options:
        assert switch_month(model, "giver") == options["switch_step"]


def test_the_condition_must_hold_switch_hold_months_in_a_row(monkeypatch):
    # the condition holds in months 1-2, fails in month 3, then holds from month 4 on: with
    # switch_hold 3 the run restarts at month 4, so the switch comes in month 6
    holds = {0: False, 1: True, 2: True, 3: False}
    model = giver_market(1.5, switch_lead=0.4, switch_hold=3)
    monkeypatch.setattr(otc, "condition_holds", lambda v: holds.get(v.model.steps, True))
    model.run(12)
    assert switch_month(model, "giver") == 6


def test_segment_shares_add_up_to_the_vendor_developer_share():
    model = MarketModel(load_scenario("baseline", {"developers.count": 2000}), rng=0).run(6)
    meta = model.vendor_named("meta")
    dev = model.developers
    named = np.array([otc.segment_share(meta, s) for s in dev.segment_names])
    adopters = dev.segment_usage.sum(axis=1)
    assert named.min() > 0 and named.max() <= 1
    assert otc.segment_share(meta, "best") == named.max()
    assert (named * adopters).sum() / adopters.sum() == pytest.approx(meta.developer_share)
    assert otc.segment_share(meta, "all") == meta.developer_share


def test_an_unknown_switch_segment_is_one_line_naming_the_segments(cli_main):
    code, out, err = cli_main(["run", "--set", "vendors.meta.switch_segment=gamers", "--quiet"])
    assert code == 2
    line = err.strip()
    assert "\n" not in line and "Traceback" not in err
    assert "vendors.meta.switch_segment" in line and "hobbyist" in line and "best" in line
    assert "ran " not in out


# -- the pivot scenario ---------------------------------------------------------------


def pivot_run(policy: str, seed: int, anticipation: float = 0.5):
    """(switch month, meta's payoff, vendor frame) of one pivot run; cached (under open
    the anticipation is not read)."""
    return _pivot_run(policy, seed, anticipation if policy == "open_then_closed" else 0.5)


@functools.cache
def _pivot_run(policy: str, seed: int, anticipation: float):
    overrides = {
        "developers.count": DEVELOPERS,
        "vendors.meta.policy": policy,
        "vendors.meta.anticipation": anticipation,
        # at the calibrated frontier share (a few percent of its R&D) the platform never
        # leads the best rival open weights and never switches (docs/ODD.md section 10);
        # the switch is tested where it trains as much as its record allows
        "vendors.meta.frontier_share": UNCERTAINTIES["platform_frontier_share"].hi,
    }
    model = MarketModel(load_scenario("pivot", overrides), rng=seed).run()
    frame = model.vendor_frame()
    return switch_month(model, "meta"), model.vendor_named("meta").payoff, frame


def _switching_seeds() -> list[int]:
    return [s for s in SEEDS if pivot_run("open_then_closed", s)[0] is not None]


def test_pivot_switches_through_the_dynamics_after_month_12_in_most_seeds():
    # The lead is reached through the dynamics, so a seed in which a rival's open weights
    # keep up (seed 9 at the calibration of this commit) never switches: most seeds must,
    # none before its lead has been held past month 12.
    scenario = load_scenario("pivot")
    options = scenario.vendors["meta"].options
    assert options["switch_step"] == -1  # no date: the lead decides
    months = [pivot_run("open_then_closed", s)[0] for s in SEEDS]
    switched = [m for m in months if m is not None]
    assert len(switched) >= 0.8 * len(SEEDS), months
    assert all(12 < m < scenario.steps for m in switched), months
    assert all(pivot_run("open", s)[0] is None for s in SEEDS)


def test_pivot_changes_the_platform_payoff_beyond_noise():
    diffs = [pivot_run("open_then_closed", s)[1] - pivot_run("open", s)[1] for s in SEEDS]
    c = contrast(diffs)  # the paired t interval of the project's statistics module
    assert c.n == len(SEEDS)
    assert c.lo > 0 or c.hi < 0, (c.mean, c.lo, c.hi)


def _share_before(policy: str, seed: int, month: int, anticipation: float = 0.5) -> np.ndarray:
    frame = pivot_run(policy, seed, anticipation)[2]
    mine = frame[(frame["vendor"] == "meta") & (frame["step"] < month)]
    return mine["developer_share"].to_numpy()


def test_announcing_open_then_closed_costs_adoption_before_the_switch():
    for seed in _switching_seeds():
        month = pivot_run("open_then_closed", seed)[0]
        announced = _share_before("open_then_closed", seed, month)
        plain = _share_before("open", seed, month)
        assert announced.mean() < plain.mean(), seed


def test_without_anticipation_the_months_before_the_switch_are_those_of_open():
    seed = 0
    month = pivot_run("open_then_closed", seed, 0.0)[0]
    assert month is not None
    announced = _share_before("open_then_closed", seed, month, 0.0)
    np.testing.assert_array_equal(announced, _share_before("open", seed, month, 0.0))


def test_the_anticipated_cost_becomes_the_trust_penalty_at_the_switch():
    share = UNCERTAINTIES["platform_frontier_share"].hi  # as in _pivot_run: it switches
    scenario = load_scenario(
        "pivot", {"developers.count": 1000, "vendors.meta.frontier_share": share}
    )
    options = scenario.vendors["meta"].options
    model = MarketModel(scenario, rng=0).run(12)
    meta = model.vendor_named("meta")
    j = meta.open_product
    assert not meta.switched
    expected = options["anticipation"] * options["trust_penalty"]
    assert model.products.anticipated[j] == expected and model.products.penalty[j] == 0
    model.run(scenario.steps - 12)
    assert meta.switched
    assert model.products.anticipated[j] == 0
    assert model.products.penalty[j] == options["trust_penalty"]


def test_a_pivot_to_another_policy_drops_the_anticipated_cost():
    shock = {"kind": "policy_pivot", "step": 5, "vendor": "meta", "policy": "open"}
    overrides = {"developers.count": 500, "shocks.reopen": {"new": True, **shock}}
    model = MarketModel(load_scenario("pivot", overrides), rng=0).run(4)
    meta = model.vendor_named("meta")
    assert model.products.anticipated[meta.open_product] > 0
    model.run(8)
    assert meta.policy == "open" and not meta.switched
    assert model.products.anticipated[meta.open_product] == 0 and meta.policy_state == {}
