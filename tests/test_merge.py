"""One merge rule for every way of changing a scenario: files, ``--set``, Python overrides
and sweeps. Tables merge key by key at every depth; collections change shape only when
told (``new``, ``remove``, ``replace``); a name that exists nowhere is refused."""

from __future__ import annotations

import dataclasses
import textwrap

import pytest

from aimarket import Scenario, ScenarioError, load_scenario
from aimarket.experiments import Sweep
from aimarket.experiments.engine.outcomes import RESERVED
from aimarket.simulation.reduced import api_vendor, reduced

BASE = load_scenario("baseline")


def write(tmp_path, text: str, name: str = "s.toml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return path


def only_changed(scenario: Scenario, base: Scenario, collection: str, entry: str, **fields):
    """Every entry of ``collection`` equals the base's, except ``entry`` with ``fields``."""
    got, want = getattr(scenario, collection), getattr(base, collection)
    assert list(got) == list(want)
    for name, record in want.items():
        expected = dataclasses.replace(record, **fields) if name == entry else record
        assert got[name] == expected, name


# -- scenario files --------------------------------------------------------------------------


def test_empty_collection_table_changes_nothing(tmp_path):
    s = load_scenario(write(tmp_path, "[vcs]\n[vendors]\n[clouds]\n"))
    assert s.vcs == BASE.vcs and s.vendors == BASE.vendors and s.clouds == BASE.clouds


def test_one_segment_named_keeps_the_others(tmp_path):
    s = load_scenario(write(tmp_path, "[developers.segments.hobbyist]\nbass_q = 0.5\n"))
    got, want = s.developers.segments, BASE.developers.segments
    assert list(got) == ["enterprise", "startup", "hobbyist"]
    assert got["enterprise"] == want["enterprise"] and got["startup"] == want["startup"]
    assert got["hobbyist"] == dataclasses.replace(want["hobbyist"], bass_q=0.5)


def test_one_vc_key_keeps_the_vc_and_the_others(tmp_path):
    s = load_scenario(write(tmp_path, "[vcs.megafund]\nhurdle_rate = 0.2\n"))
    only_changed(s, BASE, "vcs", "megafund", hurdle_rate=0.2)


def test_file_names_its_base(tmp_path):
    s = load_scenario(write(tmp_path, 'base = "timeline"\n[vendors.meta]\ncash = 1.0\n'))
    timeline = load_scenario("timeline")
    only_changed(s, timeline, "vendors", "meta", cash=1.0)
    assert s.shocks == timeline.shocks
    assert s.steps == timeline.steps


def test_base_may_be_another_file_relative_to_this_one(tmp_path):
    (tmp_path / "sub").mkdir()
    write(tmp_path, "[vendors.openai]\ncash = 5.0\n", "parent.toml")
    child = write(tmp_path, 'base = "../parent.toml"\n[vendors.google]\ncash = 6.0\n', "sub/c.toml")
    s = load_scenario(child)
    assert s.vendors["openai"].cash == 5.0 and s.vendors["google"].cash == 6.0
    assert list(s.vendors) == list(BASE.vendors)


def test_base_cycle_is_refused(tmp_path):
    write(tmp_path, 'base = "b.toml"\n', "a.toml")
    write(tmp_path, 'base = "a.toml"\n', "b.toml")
    with pytest.raises(ScenarioError, match="cycle"):
        load_scenario(tmp_path / "a.toml")


def test_unknown_entry_is_refused_with_the_names_that_exist(tmp_path):
    with pytest.raises(ScenarioError) as err:
        load_scenario(write(tmp_path, '[vendors.mata]\npolicy = "closed"\n'))
    message = str(err.value)
    assert "vendors.mata" in message and "did you mean 'meta'" in message
    for name in BASE.vendors:
        assert name in message
    assert "new = true" in message


def test_new_entry_needs_to_say_so_and_then_is_added(tmp_path):
    s = load_scenario(write(tmp_path, "[vcs.sovereign]\nnew = true\ncapital = 9000.0\n"))
    assert list(s.vcs) == [*BASE.vcs, "sovereign"]
    assert s.vcs["sovereign"].capital == 9000.0
    assert s.vcs["megafund"] == BASE.vcs["megafund"]
    with pytest.raises(ScenarioError, match="already exists"):
        load_scenario(write(tmp_path, "[vcs.megafund]\nnew = true\n", "dup.toml"))


def test_remove_and_replace(tmp_path):
    s = load_scenario(write(tmp_path, "[vendors.mistral]\nremove = true\n"))
    assert list(s.vendors) == ["openai", "anthropic", "google", "meta"]
    s = load_scenario(
        write(tmp_path, "[vcs]\nreplace = true\n[vcs.solo]\ncapital = 1.0\n", "r.toml")
    )
    assert list(s.vcs) == ["solo"]
    with pytest.raises(ScenarioError, match="nothing to remove"):
        load_scenario(write(tmp_path, "[vendors.nobody]\nremove = true\n", "n.toml"))
    with pytest.raises(ScenarioError, match="must be true or false"):
        load_scenario(write(tmp_path, '[vendors.meta]\nremove = "yes"\n', "y.toml"))


def test_complete_file_round_trips(tmp_path):
    timeline = load_scenario("timeline")
    path = tmp_path / "full.toml"
    path.write_text(timeline.to_toml())
    assert path.read_text().startswith('base = "none"')
    assert load_scenario(path) == timeline


# -- --set and Python overrides ----------------------------------------------------------------


def test_inline_table_override_merges():
    s = BASE.with_overrides({"vendors.meta": '{policy = "closed"}'})
    only_changed(s, BASE, "vendors", "meta", policy="closed")
    s = BASE.with_overrides({"vendors": {"meta": {"policy": "closed"}}})
    only_changed(s, BASE, "vendors", "meta", policy="closed")


def test_cli_set_with_inline_table_merges(cli_main, tmp_path):
    out = tmp_path / "run"
    code, _, err = cli_main(
        ["run", "--steps", "2", "--developers", "50", "--quiet", "--no-plots", "--out", str(out),
         "--set", 'vendors.meta={policy = "closed"}']
    )  # fmt: skip
    assert code == 0, err
    saved = load_scenario(out / "scenario.toml")
    assert list(saved.vendors) == list(BASE.vendors)
    assert saved.vendors["meta"] == dataclasses.replace(BASE.vendors["meta"], policy="closed")


def test_cli_set_unknown_entry_is_one_line_exit_2(cli_main):
    code, out, err = cli_main(["run", "--set", "vendors.mata.policy=closed", "--steps", "1"])
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1
    assert "vendors.mata" in err and "meta" in err


# -- sweeps --------------------------------------------------------------------------------------


def planned_scenarios(plan) -> dict[str, Scenario]:
    base = Scenario.from_dict(plan.base)
    return {p: base.with_overrides(over) for p, over in plan.policies.items()}


def test_sweep_policies_with_unquoted_dotted_keys_and_nested_tables_merge(tmp_path):
    spec = write(
        tmp_path,
        """
        name = "forms"
        [policies.dotted]
        vendors.meta.policy = "closed"
        [policies.nested.vendors.meta]
        policy = "closed"
        [policies.quoted]
        "vendors.meta.policy" = "closed"
        [policies.vc.vcs.megafund]
        hurdle_rate = 0.2
        """,
        "forms.toml",
    )
    from aimarket.experiments.engine.spec import load_spec

    plan = load_spec(spec).plan()
    scenarios = planned_scenarios(plan)
    for name in ("dotted", "nested", "quoted"):
        only_changed(scenarios[name], BASE, "vendors", "meta", policy="closed")
    assert plan.policies["dotted"] == plan.policies["nested"] == plan.policies["quoted"]
    only_changed(scenarios["vc"], BASE, "vcs", "megafund", hurdle_rate=0.2)


def test_sweep_levers_given_as_nested_table(tmp_path):
    from aimarket.experiments.engine.spec import load_spec

    spec = write(tmp_path, 'name = "lev"\n[policies]\nvendors.meta.policy = ["open", "closed"]\n')
    plan = load_spec(spec).plan()
    assert plan.policy_names == ["policy=open", "policy=closed"]


def test_sweep_policy_naming_unknown_vendor_is_refused():
    sweep = Sweep(name="typo", policies={"a": {"vendors.mata.policy": "closed"}})
    with pytest.raises(ScenarioError, match=r"policy 'a'.*vendors\.mata.*meta"):
        sweep.plan()


@pytest.mark.parametrize(
    ("kw", "first", "second"),
    [
        (
            {"policies": {"p": {"vendors.meta": {"capability": 2.0}}},
             "uncertainties": {"vendors.meta.capability": [1.0, 2.0]}},
            "policy 'p'", "uncertainty 'vendors.meta.capability'",
        ),
        (
            {"policies": {"p": {"vendors.mistral.remove": True}},
             "uncertainties": {"vendors.mistral.capability": [0.1]}},
            "policy 'p'", "uncertainty",
        ),
        (
            {"overrides": {"innovation.imitation_speed": 0.02},
             "uncertainties": {"innovation.imitation_speed": [0.01, 0.05]}},
            "overrides", "uncertainty",
        ),
        (
            {"overrides": {"vendors.meta.policy": "open"},
             "policies": {"p": {"vendors.meta.policy": "closed"}}},
            "overrides", "policy 'p'",
        ),
        (
            {"uncertainties": {"a": {"paths": ["vendors.meta.capability"], "values": [1.0]},
                               "b": {"paths": ["vendors.meta.capability"], "values": [2.0]}}},
            "uncertainty 'a'", "uncertainty 'b'",
        ),
    ],
)  # fmt: skip
def test_overlapping_keys_are_refused_naming_both(kw, first, second):
    with pytest.raises(ScenarioError) as err:
        Sweep(name="clash", **kw).plan()
    message = str(err.value)
    assert first in message and second in message


def test_cli_set_overlapping_an_uncertainty_is_refused(cli_main, tmp_path):
    spec = write(
        tmp_path,
        'name = "s"\nsteps = 2\n[uncertainties]\n"innovation.imitation_speed" = [0.01, 0.02]\n',
    )
    code, _, err = cli_main(
        [
            "sweep",
            str(spec),
            "--out",
            str(tmp_path / "o"),
            "--set",
            "innovation.imitation_speed=0.1",
        ]
    )
    assert code == 2
    assert "overrides (--set)" in err and "uncertainty 'innovation.imitation_speed'" in err
    assert not (tmp_path / "o").exists()


def seed(run) -> float:
    """An outcome function whose name is reserved."""
    return 1.0


def bookkeeping(run) -> dict:
    """An outcome function returning a reserved key."""
    return {"replicate": 3.0}


def test_reserved_outcome_names_are_refused():
    with pytest.raises(ScenarioError, match="reserved"):
        Sweep(name="r", outcomes=["platform_payoff", seed]).plan()
    with pytest.raises(ScenarioError, match="reserved"):
        Sweep(
            name="r",
            uncertainties={"seed": {"path": "innovation.imitation_speed", "values": [0.1]}},
        ).plan()
    assert {"run_id", "seed", "replicate", "policy", "status"} <= set(RESERVED)


def test_reserved_key_from_an_outcome_function_fails_the_run_not_the_table(tmp_path):
    from aimarket.experiments import load, run_sweep

    sweep = Sweep(
        name="r", outcomes=["platform_payoff", bookkeeping], steps=2,
        overrides={"developers.count": 30},
    )  # fmt: skip
    summary = run_sweep(sweep, tmp_path / "r", executor="serial", progress=False)
    results = load(tmp_path / "r")
    assert summary.exit_code == 1
    assert (results.runs["replicate"] == 0).all()
    assert "reserved" in results.runs["error"].iloc[0]


# -- reduced docking markets ---------------------------------------------------------------------


def test_reduced_markets_hold_exactly_what_they_name():
    s = reduced({"a": api_vendor(1.0), "b": api_vendor(0.5)})
    assert list(s.vendors) == ["a", "b"]
    assert list(s.clouds) == ["c1", "c2"]
    assert list(s.developers.segments) == ["all"]
    assert dict(s.shocks) == {}
