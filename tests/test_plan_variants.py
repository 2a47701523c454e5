"""A plan builds its (point, policy) scenarios as variants of one reference scenario per
policy (experiments/engine/variants.py): the scenarios, their digests, and so every run id
and the plan the results folder records, are exactly those of the ordinary way,
``base.with_overrides({**point, **policy})`` and ``digest(scenario.to_dict())``."""

from __future__ import annotations

import dataclasses
import importlib

import pandas as pd
import pytest

from aimarket import load_scenario
from aimarket.experiments import Sweep
from aimarket.experiments.engine import checks, seeds
from aimarket.experiments.engine.variants import Variants
from aimarket.simulation.errors import ScenarioError


def _ordinary(base, over, pol):
    scenario = base.with_overrides({**over, **pol})
    return scenario, seeds.digest(scenario.to_dict())


def _check_plan(sweep) -> int:
    plan = sweep.plan()
    base = checks.base_scenario(plan.sweep)
    for i, over in enumerate(plan.point_overrides):
        for pname, pol in plan.policies.items():
            _, digest = _ordinary(base, over, pol)
            assert plan.scenario_hashes[(i, pname)] == digest, (i, pname)
    return len(plan.scenario_hashes)


@pytest.mark.parametrize(
    "module, changes",
    [
        ("sensitivity_open", {"n": 2, "replicates": 1}),  # Saltelli: 2 x 26 points, 2 policies
        ("open_vs_closed", {"n": 6, "replicates": 1}),
        ("shock_pivot", {"replicates": 1}),  # a shock's fields, by policy and by point
        ("shock_entrant", {"replicates": 1}),
        ("shock_hardware", {"replicates": 1}),
    ],
)
def test_plans_of_the_studies_hash_as_the_ordinary_way(module, changes):
    sweep = importlib.import_module(f"aimarket.experiments.{module}").sweep
    assert _check_plan(dataclasses.replace(sweep, **changes)) > 1


BASE = load_scenario("baseline")
LEAK = {"new": True, "kind": "weight_leak", "step": 12, "vendor": "meta"}


@pytest.mark.parametrize(
    "common, over",
    [
        ({"vendors.meta.policy": "open"}, {"vendors.meta.rd_horizon": 9.5}),
        ({}, {"market.volume_growth": 4}),  # an int for a float field: stored as 4.0
        ({}, {"innovation.imitation_speed": "0.25"}),  # a command-line string, parsed
        ({"vendors.meta.policy": "closed"}, {"vendors": {"meta": {"rd_horizon": 3.0}}}),
        ({}, {"vendors.meta.policy": "open"}),  # the point sets what the policy leaves
        ({"vendors.meta.rd_horizon": 5.0}, {"vendors.meta.rd_horizon": 7.0}),  # policy wins
        ({}, {"developers.segments.hobbyist.types.frontier.frontier_need": 0.5}),
        ({}, {"clouds.aws.strategic_hurdle": -0.0}),  # -0.0 == 0.0, but not the same bytes
        ({}, {"vendors.mistral.remove": True}),
        ({}, {"shocks.x": LEAK}),  # a shock added: its record class is chosen by its kind
        ({"shocks.x": LEAK}, {"shocks.x.step": 20}),
        ({}, {}),
    ],
)
def test_a_variant_is_the_ordinary_scenario_and_digest(common, over):
    made = Variants(BASE, BASE.to_dict(), common)
    scenario = made.build(over)
    expected, digest = _ordinary(BASE, over, common)
    assert scenario == expected
    assert seeds.canonical(scenario.to_dict()) == seeds.canonical(expected.to_dict())
    assert made.digest(scenario) == digest


@pytest.mark.parametrize(
    "common, over",
    [
        ({}, {"market.volume_growth": -3.0}),  # out of range
        ({}, {"vendors.meta.cloud": "nowhere"}),  # a cross-field check
        ({}, {"vendors.nobody.rd_horizon": 3.0}),  # no such entry
        ({"vendors.meta.policy": "ajar"}, {"market.volume_growth": 4.0}),  # a bad policy
    ],
)
def test_a_bad_variant_fails_with_the_ordinary_message(common, over):
    with pytest.raises(ScenarioError) as ordinary:
        BASE.with_overrides({**over, **common})
    with pytest.raises(ScenarioError) as variant:
        Variants(BASE, BASE.to_dict(), common).build(over)
    assert str(variant.value) == str(ordinary.value)


def test_variants_do_not_change_the_reference_they_share():
    made = Variants(BASE, BASE.to_dict(), {"vendors.meta.policy": "open"})
    before = seeds.canonical(made.ref_plain)
    for value in (2.0, 3.0, 4.0):
        made.digest(made.build({"market.volume_growth": value}))
    assert seeds.canonical(made.ref_plain) == before
    assert made.ref == BASE.with_overrides({"vendors.meta.policy": "open"})


def test_a_sweep_with_a_bad_point_names_it():
    sweep = Sweep(
        name="bad",
        policies={"a": {}, "b": {"vendors.meta.policy": "open"}},
        design=pd.DataFrame({"market.volume_growth": [4.0, -1.0]}),
    )
    with pytest.raises(ScenarioError, match=r"design point 1 \(market.volume_growth=-1.0\)"):
        sweep.plan()
