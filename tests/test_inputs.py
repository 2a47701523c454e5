"""Acceptance item 6 (Python side): bad input raises ScenarioError with a message that
names the field and says what is allowed; scenarios round-trip through dicts and TOML."""

from __future__ import annotations

import dataclasses
import math
import re

import pytest

from aimarket import POLICIES, Scenario, ScenarioError, builtin_names, load_scenario
from aimarket.simulation.params import iter_fields

FIELDS = {path: field for path, field, _ in iter_fields(Scenario)}


def _bounds(pattern: str) -> tuple[float | None, float | None]:
    meta = FIELDS[pattern].metadata
    return meta.get("lo"), meta.get("hi")


def _allowed(message: str) -> tuple[float, float]:
    found = re.search(r"\[([^\],]+), ([^\]]+)\]", message)
    assert found, message
    return float(found.group(1)), float(found.group(2))


# -- unknown fields ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "where", "suggestion"),
    [
        ({"stpes": 10}, "stpes", "steps"),
        ({"markt": {"serving_cost": 1.0}}, "markt", "market"),
        ({"market": {"serving_cots": 1.0}}, "market.serving_cots", "serving_cost"),
        ({"vendors": {"meta": {"polcy": "open"}}}, "vendors.meta.polcy", "policy"),
        (
            {"developers": {"segments": {"hobbyist": {"bass_qq": 0.1, "share": 1.0}}}},
            "developers.segments.hobbyist.bass_qq",
            "bass_q",
        ),
        ({"mechanisms": {"difusion": False}}, "mechanisms.difusion", "diffusion"),
    ],
)
def test_from_dict_unknown_field_suggests_closest(data, where, suggestion):
    with pytest.raises(ScenarioError) as err:
        Scenario.from_dict(data)
    message = str(err.value)
    assert where in message
    assert f"did you mean '{suggestion}'" in message


@pytest.mark.parametrize(
    ("path", "suggestion"),
    [
        ("vendors.meta.polcy", "policy"),
        ("market.volume_grwoth", "volume_growth"),
        ("innovation.imitation_sped", "imitation_speed"),
    ],
)
def test_override_unknown_field_suggests_closest(path, suggestion):
    with pytest.raises(ScenarioError) as err:
        load_scenario("baseline").with_overrides({path: "1"})
    message = str(err.value)
    assert path in message
    assert f"did you mean '{suggestion}'" in message


def test_override_unknown_table_suggests_closest():
    with pytest.raises(ScenarioError) as err:
        load_scenario("baseline").with_overrides({"vendrs.meta.policy": "open"})
    assert "vendrs" in str(err.value)
    assert "did you mean 'vendors'" in str(err.value)


def test_override_unknown_vendor_lists_the_vendors():
    with pytest.raises(ScenarioError) as err:
        load_scenario("baseline").with_overrides({"vendors.zzzz.policy": "open"})
    message = str(err.value)
    assert "vendors.zzzz" in message
    for name in load_scenario("baseline").vendors:
        assert name in message


# -- values out of range ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "pattern", "side"),
    [
        ("market.serving_cost", "market.serving_cost", "lo"),
        ("market.compute_cost_decline", "market.compute_cost_decline", "hi"),
        ("developers.count", "developers.count", "lo"),
        ("vendors.openai.efficiency", "vendors.<name>.efficiency", "hi"),
        ("developers.segments.startup.reconsider_rate", None, "hi"),
        ("clouds.aws.undercut", "clouds.<name>.undercut", "lo"),
        ("entry.horizon", "entry.horizon", "lo"),
        ("steps", "steps", "lo"),
    ],
)
def test_out_of_range_names_field_value_and_range(path, pattern, side):
    pattern = pattern or "developers.segments.<name>.reconsider_rate"
    lo, hi = _bounds(pattern)
    is_int = isinstance(lo, int) and isinstance(hi, int)
    value = (lo - 1) if side == "lo" else (hi * 2 + 1)
    if not is_int:
        value = float(value)
    with pytest.raises(ScenarioError) as err:
        load_scenario("baseline").with_overrides({path: value})
    message = str(err.value)
    assert path in message
    assert repr(value) in message
    assert "out of range" in message
    got_lo, got_hi = _allowed(message)
    assert math.isclose(got_lo, lo, rel_tol=1e-5)
    assert math.isclose(got_hi, hi, rel_tol=1e-5)


def test_out_of_range_through_from_dict_and_strings():
    with pytest.raises(ScenarioError, match=r"market\.serving_cost = -5\.0"):
        Scenario.from_dict({"market": {"serving_cost": -5}})
    # command-line style: the value is a string parsed as TOML
    with pytest.raises(ScenarioError, match=r"entry\.open_share = 1\.5 .*\[0, 1\]"):
        load_scenario("baseline").with_overrides({"entry.open_share": "1.5"})


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_non_finite_values_are_rejected(value):
    with pytest.raises(ScenarioError) as err:
        load_scenario("baseline").with_overrides({"market.volume_growth": value})
    assert "market.volume_growth" in str(err.value)


@pytest.mark.parametrize(
    ("path", "value", "expect"),
    [
        ("steps", "ten", "integer"),
        ("steps", 2.5, "integer"),
        ("mechanisms.rd", 1, "true or false"),
        ("market.serving_cost", True, "number"),
        ("market", 3, "table"),
    ],
)
def test_wrong_types_name_the_field(path, value, expect):
    with pytest.raises(ScenarioError) as err:
        load_scenario("baseline").with_overrides({path: value})
    assert path in str(err.value)
    assert expect in str(err.value)


# -- choices --------------------------------------------------------------------------------


@pytest.mark.parametrize("bad", ["opn", "Open", "semi-open"])
def test_unknown_policy_lists_valid_policies(bad):
    with pytest.raises(ScenarioError) as err:
        load_scenario("baseline").with_overrides({"vendors.meta.policy": bad})
    message = str(err.value)
    assert "vendors.meta.policy" in message
    assert bad in message
    for policy in POLICIES.names():
        assert policy in message


def test_unknown_choice_in_from_dict_lists_choices():
    with pytest.raises(ScenarioError) as err:
        Scenario.from_dict({"market": {"pricing": "bertrand"}})
    assert "market.pricing" in str(err.value)
    assert "'nash'" in str(err.value) and "'cost'" in str(err.value)


def test_cross_field_errors_are_explained():
    with pytest.raises(ScenarioError, match="sum to 1"):
        load_scenario("baseline").with_overrides({"developers.segments.startup.share": 0.9})
    with pytest.raises(ScenarioError) as err:
        load_scenario("baseline").with_overrides({"vendors.openai.cloud": "azur"})
    assert "vendors.openai.cloud" in str(err.value)
    for cloud in load_scenario("baseline").clouds:
        assert cloud in str(err.value)
    with pytest.raises(ScenarioError, match="YYYY-MM"):
        load_scenario("baseline").with_overrides({"market.start": "Jan 2023"})


def test_malformed_override_path():
    for path in ("vendors..policy", ".steps", "market."):
        with pytest.raises(ScenarioError, match="malformed"):
            load_scenario("baseline").with_overrides({path: 1})
    with pytest.raises(ScenarioError, match="not a table"):
        load_scenario("baseline").with_overrides({"steps.value": 1})


# -- scenarios by name and file -------------------------------------------------------------


def test_unknown_scenario_name_suggests_and_lists():
    with pytest.raises(ScenarioError) as err:
        load_scenario("baselin")
    message = str(err.value)
    assert "baselin" in message
    assert "did you mean 'baseline'" in message
    with pytest.raises(ScenarioError) as err:
        load_scenario("qqqqqq")
    for name in builtin_names():
        assert name in str(err.value)


def test_load_scenario_overrides_are_validated():
    with pytest.raises(ScenarioError, match="did you mean 'policy'"):
        load_scenario("meta_open", {"vendors.meta.polcy": "closed"})
    with pytest.raises(ScenarioError, match="out of range"):
        load_scenario("meta_open", {"developers.count": 0})


def test_bad_toml_file(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("steps = = 12\n[market\n")
    with pytest.raises(ScenarioError) as err:
        load_scenario(bad)
    assert "bad.toml" in str(err.value)
    assert "TOML" in str(err.value)


def test_missing_toml_file(tmp_path):
    with pytest.raises(ScenarioError, match="not found"):
        load_scenario(tmp_path / "nowhere.toml")
    with pytest.raises(ScenarioError):
        load_scenario(str(tmp_path / "nowhere.toml"))


def test_toml_file_with_bad_fields(tmp_path):
    typo = tmp_path / "typo.toml"
    typo.write_text('[vendors.meta]\npolcy = "open"\n')
    with pytest.raises(ScenarioError, match="did you mean 'policy'"):
        load_scenario(typo)
    out = tmp_path / "range.toml"
    out.write_text("[market]\ncompute_cost_decline = 1.5\n")
    with pytest.raises(ScenarioError) as err:
        load_scenario(out)
    assert "market.compute_cost_decline" in str(err.value)
    assert "1.5" in str(err.value)
    assert _allowed(str(err.value)) == (0.0, 0.99)


def test_partial_toml_keeps_defaults(tmp_path):
    """A file that names one key of one entity changes that key and nothing else: every
    default entity of every collection is still there, unchanged but for the key."""
    part = tmp_path / "mine.toml"
    part.write_text('steps = 7\n[vendors.meta]\npolicy = "closed"\n')
    s = load_scenario(part)
    base = load_scenario("baseline")
    assert s.name == "mine"
    assert s.steps == 7
    assert s.vendors["meta"].policy == "closed"
    assert list(s.vendors) == list(base.vendors)
    for name, vendor in base.vendors.items():
        expected = dataclasses.replace(vendor, policy="closed") if name == "meta" else vendor
        assert s.vendors[name] == expected, name
    assert s.vendors["meta"].business_model == "platform"
    for collection in ("clouds", "vcs", "shocks"):
        assert getattr(s, collection) == getattr(base, collection), collection
    assert s.developers == base.developers
    assert s.market == base.market
    assert s.entry == base.entry
    assert s.innovation == base.innovation
    assert s.mechanisms == base.mechanisms


# -- round trips --------------------------------------------------------------------------


@pytest.mark.parametrize("name", builtin_names())
def test_builtin_scenarios_round_trip(name, tmp_path):
    s = load_scenario(name)
    assert s.name == name
    assert Scenario.from_dict(s.to_dict()) == s
    path = tmp_path / "s.toml"
    path.write_text(s.to_toml())
    assert load_scenario(path) == s
    assert load_scenario(path) == s


def test_overridden_scenario_round_trips(tmp_path):
    s = load_scenario(
        "meta_closed",
        {
            "developers.count": 1234,
            "vendors.openai.policy": "open_then_closed",
            "vendors.openai.switch_step": 30,
            "market.pricing": "cost",
            "mechanisms.venture": False,
            "entry.signal_noise": 0.123456789012345,
        },
    )
    assert Scenario.from_dict(s.to_dict()) == s
    path = tmp_path / "o.toml"
    path.write_text(s.to_toml())
    back = load_scenario(path)
    assert back == s
    assert back.entry.signal_noise == 0.123456789012345
