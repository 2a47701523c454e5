"""Sweep declaration: validation before any run, designs, seeds and run ids."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aimarket import Scenario, load_scenario
from aimarket.experiments import Sweep, Uncertainty
from aimarket.experiments.engine.seeds import run_seed
from aimarket.experiments.engine.spec import load_spec
from aimarket.simulation.errors import ScenarioError

TINY = {"developers.count": 40}
POLICIES = {"closed": {"vendors.meta.policy": "closed"}, "open": {"vendors.meta.policy": "open"}}


def tiny(**kw) -> Sweep:
    args = dict(name="tiny", overrides=TINY, policies=POLICIES, steps=6, seed=7)
    args.update(kw)
    return Sweep(**args)


# -- validation: refused before any run, naming the problem --------------------------------
def test_unknown_uncertainty_path_is_named():
    sweep = tiny(uncertainties={"innovation.community_qualty": [0.01, 0.02]})
    with pytest.raises(ScenarioError, match="community_qualty") as err:
        sweep.plan()
    assert "community_quality" in str(err.value)  # did-you-mean from the engine


def test_unknown_table_in_path_is_named():
    with pytest.raises(ScenarioError, match="vendorz"):
        tiny(uncertainties={"vendorz.meta.capability": [0.1]}).plan()


def test_unknown_policy_path_is_named():
    sweep = tiny(policies={"x": {"vendors.meta.polcy": "open"}})
    with pytest.raises(ScenarioError, match=r"policy 'x'.*polcy"):
        sweep.plan()


@pytest.mark.parametrize(
    "kw",
    [
        {"uncertainties": {"innovation.imitation_speed": []}},
        {"design": "lhs", "n": 0, "uncertainties": {"innovation.imitation_speed": (0.0, 0.1)}},
        {"design": pd.DataFrame()},
        {"design": "lhs", "n": 4},
    ],
    ids=["grid-empty-list", "lhs-n0", "empty-frame", "no-uncertainties"],
)
def test_empty_design_is_refused(kw):
    with pytest.raises(ScenarioError, match=r"empty|at least one|n = 0 is out of range"):
        tiny(**kw).plan()


def test_out_of_range_value_names_point_and_path():
    # community_quality is allowed in [0, 10]: half of an LHS over [0, 20] is outside.
    sweep = tiny(design="lhs", n=8, uncertainties={"innovation.community_quality": (0.0, 20.0)})
    with pytest.raises(ScenarioError, match=r"design point \d+.*innovation.community_quality"):
        sweep.plan()


def test_out_of_range_in_scaled_uncertainty_is_caught():
    u = Uncertainty("rd", paths=("innovation.rd_elasticity",), values=(1.0, 4.0), mode="scale")
    with pytest.raises(ScenarioError, match="rd_elasticity"):
        tiny(uncertainties={"rd": u}).plan()


@pytest.mark.parametrize(
    ("kw", "pattern"),
    [
        ({"design": "sobol", "n": 10, "uncertainties": {"innovation.imitation_speed": (0, 0.1)}},
         "power of two"),
        ({"design": "zip", "uncertainties": {"innovation.imitation_speed": [0.01, 0.02],
                                              "entry.rate": [0.1]}}, "equal length"),
        ({"outcomes": ["platform_payof"]}, "did you mean 'platform_payoff'"),
        ({"design": "latin"}, "design 'latin' is unknown"),
        ({"replicates": 0}, "replicates"),
        ({"steps": 0}, "steps"),
        ({"policies": {"a": {"vendors.meta.capability": 0.1}},
          "uncertainties": {"vendors.meta.capability": [0.2]}}, "policy .a. sets"),
        ({"uncertainties": {"innovation.imitation_speed": (0.2, 0.1)}}, "empty range"),
        ({"reference": "nope"}, "reference policy"),
        ({"series": ["clouds"]}, "unknown series"),
    ],
)  # fmt: skip
def test_bad_specs_are_refused(kw, pattern):
    with pytest.raises(ScenarioError, match=pattern):
        tiny(**kw).plan()


def test_cli_refuses_bad_spec_before_running(tmp_path):
    spec = tmp_path / "bad.toml"
    spec.write_text('[uncertainties]\n"innovation.imitation_speed" = [0.5, 2.0]\n')
    out = tmp_path / "out"
    proc = subprocess.run(
        [sys.executable, "-m", "aimarket", "sweep", str(spec), "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2
    assert "innovation.imitation_speed" in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1
    assert not out.exists()


# -- designs -------------------------------------------------------------------------------
def test_grid_and_policies_combine_factorially():
    sweep = tiny(
        uncertainties={"innovation.imitation_speed": [0.01, 0.02, 0.03], "entry.rate": [0.1, 0.5]},
        replicates=2,
    )
    plan = sweep.plan()
    assert len(plan.points) == 6
    assert len(plan) == 6 * 2 * 2
    table = plan.table()
    assert table.groupby(["point", "replicate"])["policy"].nunique().eq(2).all()
    assert set(zip(table["innovation.imitation_speed"], table["entry.rate"], strict=True)) == {
        (a, b) for a in (0.01, 0.02, 0.03) for b in (0.1, 0.5)
    }


def test_zip_pairs_values():
    plan = tiny(design="zip", uncertainties={"innovation.imitation_speed": [0.01, 0.02],
                                             "entry.rate": [0.1, 0.5]}).plan()  # fmt: skip
    assert plan.points.to_dict("records") == [
        {"innovation.imitation_speed": 0.01, "entry.rate": 0.1},
        {"innovation.imitation_speed": 0.02, "entry.rate": 0.5},
    ]


@settings(max_examples=25, deadline=None)
@given(
    lo=st.floats(0.0, 0.5),
    width=st.floats(0.01, 0.5),
    n=st.integers(1, 20),
    seed=st.integers(0, 2**32),
)
def test_lhs_is_stratified_within_range(lo, width, n, seed):
    plan = tiny(
        design="lhs", n=n, seed=seed, uncertainties={"innovation.imitation_speed": (lo, lo + width)}
    ).plan()
    x = plan.points["innovation.imitation_speed"].to_numpy()
    assert len(x) == n
    assert (x >= lo).all()
    assert (x <= lo + width).all()
    strata = np.floor((x - lo) / width * n).astype(int).clip(0, n - 1)
    assert sorted(strata) == list(range(n))  # one point per stratum


def test_sobol_and_categorical_choices():
    plan = tiny(
        design="sobol",
        n=8,
        uncertainties={
            "innovation.imitation_speed": (0.0, 0.1),
            "market.pricing": ["nash", "cost"],
        },
    ).plan()
    assert len(plan.points) == 8
    assert set(plan.points["market.pricing"]) == {"nash", "cost"}
    assert plan.points["innovation.imitation_speed"].between(0, 0.1).all()


def test_points_frame_design_and_modes():
    frame = pd.DataFrame({"open_shift": [0.0, 0.5], "innovation.imitation_speed": [0.01, 0.02]})
    segs = ("enterprise", "startup", "hobbyist")
    u = Uncertainty(
        "open_shift",
        paths=tuple(f"developers.segments.{s}.openness_preference" for s in segs),
        mode="shift",
    )
    plan = tiny(design=frame, uncertainties=[u]).plan()
    base = plan.base["developers"]["segments"]
    over = plan.point_overrides[1]
    for s in segs:
        path = f"developers.segments.{s}.openness_preference"
        assert over[path] == pytest.approx(base[s]["openness_preference"] + 0.5)
    assert over["innovation.imitation_speed"] == 0.02


def test_design_is_reproducible_from_the_root_seed():
    kw = {"design": "lhs", "n": 6, "uncertainties": {"innovation.imitation_speed": (0.0, 0.1)}}
    a, b, c = tiny(**kw).plan(), tiny(**kw).plan(), tiny(seed=8, **kw).plan()
    assert a.points.equals(b.points)
    assert not a.points.equals(c.points)
    assert a.spec_hash == b.spec_hash != c.spec_hash


# -- seeds and ids ---------------------------------------------------------------------------
def test_run_seed_is_seedsequence_spawning():
    root = np.random.SeedSequence(123)
    spawned = root.spawn(5)[3].spawn(4)[2]
    ours = run_seed(123, 3, 2)
    assert np.array_equal(spawned.generate_state(4), ours.generate_state(4))


def test_policies_share_seed_replicates_differ_ids_unique():
    plan = tiny(uncertainties={"innovation.imitation_speed": [0.01, 0.02]}, replicates=3).plan()
    table = plan.table()
    assert table["run_id"].is_unique
    per_pair = table.groupby(["point", "replicate"])["seed"].nunique()
    assert per_pair.eq(1).all()  # common random numbers across policies
    assert table.drop_duplicates(["point", "replicate"])["seed"].is_unique


def test_run_ids_stable_and_extend_with_replicates():
    kw = {"uncertainties": {"innovation.imitation_speed": [0.01, 0.02]}}
    two = set(tiny(replicates=2, **kw).plan().table()["run_id"])
    again = set(tiny(replicates=2, **kw).plan().table()["run_id"])
    three = set(tiny(replicates=3, **kw).plan().table()["run_id"])
    assert two == again
    assert two < three


# -- TOML ------------------------------------------------------------------------------------
def test_toml_spec_matches_python(tmp_path):
    (tmp_path / "s.toml").write_text(
        """
name = "tiny"
steps = 6
seed = 7
replicates = 2
design = { kind = "lhs", n = 4 }

[overrides]
"developers.count" = 40

[policies.closed]
"vendors.meta.policy" = "closed"
[policies.open]
"vendors.meta.policy" = "open"

[uncertainties]
"innovation.imitation_speed" = [0.01, 0.05]

[uncertainties.open_shift]
paths = ["developers.segments.hobbyist.openness_preference"]
range = [-1.0, 1.0]
mode = "shift"
"""
    )
    from_toml = load_spec(tmp_path / "s.toml").plan()
    py = tiny(
        design="lhs",
        n=4,
        replicates=2,
        uncertainties={
            "innovation.imitation_speed": (0.01, 0.05),
            "open_shift": Uncertainty(
                "open_shift",
                paths=("developers.segments.hobbyist.openness_preference",),
                lo=-1.0,
                hi=1.0,
                mode="shift",
            ),
        },
    ).plan()
    assert from_toml.spec_hash == py.spec_hash


def test_toml_unknown_field_is_named(tmp_path):
    (tmp_path / "s.toml").write_text("replicate = 3\n")
    with pytest.raises(ScenarioError, match="did you mean 'replicates'"):
        load_spec(tmp_path / "s.toml")


def test_quick_variant_replaces_fields():
    sweep = tiny(
        design="lhs",
        n=10,
        uncertainties={"innovation.imitation_speed": (0.0, 0.1)},
        quick={"n": 2, "replicates": 1, "overrides": {"developers.count": 20}},
    )
    quick = sweep.variant(quick=True).plan()
    assert len(quick) == 2 * 1 * 2
    assert quick.base["developers"]["count"] == 20
    assert quick.spec_hash != sweep.plan().spec_hash


def test_example_toml_plans():
    from pathlib import Path

    import aimarket.experiments

    path = Path(aimarket.experiments.__file__).parent / "examples" / "meta_policy.toml"
    plan = load_spec(path).variant(quick=True).plan()
    assert plan.policy_names == ["closed", "open"]
    assert len(plan) == 6 * 2 * 2
    assert plan.steps == 36


def test_uncertainty_records_have_sources_and_ranges_inside_their_parameters():
    from dataclasses import fields as dc_fields

    from aimarket.simulation.params import iter_fields
    from aimarket.simulation.policies import POLICIES, option_fields
    from aimarket.simulation.uncertainties import UNCERTAINTIES

    fields = {path: field.metadata for path, field, _ in iter_fields(Scenario)}
    # release-policy options sit on the vendor's table (absent: the option's default)
    options = {name: meta for name, (_, meta) in option_fields().items()}
    fields |= {f"vendors.<name>.{name}": meta for name, meta in options.items()}
    defaults = {f.name: f.default for p in POLICIES if p.Options for f in dc_fields(p.Options)}
    base = load_scenario("baseline").to_dict()
    assert len(UNCERTAINTIES) >= 10
    for record in UNCERTAINTIES:
        assert record.source.startswith(("SF #", "assumption")), record.name
        assert record.lo < record.hi and record.unit is not None
        for path in record.paths:
            parts = path.split(".")
            pattern = ".".join(
                "<name>" if parts[i - 1] in ("vendors", "segments", "clouds", "vcs", "types") else p
                for i, p in enumerate(parts)
            )
            meta = fields[pattern]
            assert meta["lo"] is None or meta["lo"] <= record.lo, path
            assert meta["hi"] is None or record.hi <= meta["hi"], path
            node = base
            for part in parts:
                node = node[part] if part in node or part not in options else defaults[part]
            assert record.lo <= node <= record.hi, f"{path}: baseline {node} outside the range"


def test_a_sweep_names_registered_uncertainties():
    from aimarket.simulation.uncertainties import UNCERTAINTIES

    sweep = Sweep(name="named", uncertainties=["community_quality", "frontier_need"],
                  design="lhs", n=4, steps=2)  # fmt: skip
    plan = sweep.plan()
    assert [u.name for u in plan.uncertainties] == ["community_quality", "frontier_need"]
    assert len(plan.uncertainties[1].paths) == 2
    record = UNCERTAINTIES["community_quality"]
    assert plan.points["community_quality"].between(record.lo, record.hi).all()
    with pytest.raises(ScenarioError, match="did you mean 'community_quality'"):
        Sweep(name="bad", uncertainties=["comunity_quality"], design="lhs", n=2).plan()
