"""Inputs retired by the economics rework (issue 20) are refused in one line that names
what replaces them: in a scenario file, a sweep file, ``--set``, Python overrides and a
sweep's named uncertainties (CHANGELOG.md, the migration table)."""

from __future__ import annotations

import pytest
from conftest import run_cli

from aimarket import load_scenario
from aimarket.experiments import Sweep
from aimarket.simulation.errors import ScenarioError

#: (retired path, a name its replacement message must give)
RETIRED = [
    ("innovation.spillover", "innovation.imitation_speed"),
    ("innovation.frontier_pace", "innovation.compute_scale"),
    ("innovation.frontier_cost_growth", "innovation.compute_scale"),
    ("innovation.training_months", "innovation.frontier_stock"),
    ("market.demand_growth", "market.volume_growth"),
    ("market.host_substitution", "market.host_sensitivity"),
    ("developers.segments.enterprise.price_sensitivity", "price_weight"),
    ("mechanisms.spillover", "mechanisms.imitation"),
    ("entry.revenue_multiple", "entry.erosion"),
    ("entry.growth_premium", "entry.erosion"),
    ("vcs.megafund.inflow", "vcs.<name>.commitment"),
    ("clouds.aws.strategic_gap", "strategic_hurdle"),
]


def _one_line(err: str, *texts: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in err, err
    for text in texts:
        assert text in lines[0], (text, lines[0])
    return lines[0]


@pytest.mark.parametrize(("path", "replacement"), RETIRED)
def test_python_overrides_name_the_replacement(path, replacement):
    value = False if path.startswith("mechanisms.") else 1.0
    with pytest.raises(ScenarioError) as err:
        load_scenario("baseline", {path: value})
    assert f"'{path}' was retired" in str(err.value) and replacement in str(err.value)


def test_set_on_the_command_line_is_refused_in_one_line():
    proc = run_cli(["run", "--set", "innovation.spillover=0.05", "--steps", "2"])
    assert proc.returncode == 2
    _one_line(proc.stderr, "'innovation.spillover' was retired", "innovation.imitation_speed")


def test_a_scenario_file_is_refused_in_one_line(tmp_path):
    path = tmp_path / "old.toml"
    path.write_text('base = "baseline"\n[market]\ndemand_growth = 2.0\n')
    proc = run_cli(["run", "--scenario", str(path), "--steps", "2"])
    assert proc.returncode == 2
    _one_line(proc.stderr, "'market.demand_growth' was retired", "market.volume_growth")


def test_a_sweep_file_is_refused_in_one_line_before_any_run(tmp_path):
    spec = tmp_path / "old.toml"
    spec.write_text(
        'name = "old"\nsteps = 2\n[uncertainties]\n"innovation.spillover" = [0.01, 0.02]\n'
    )
    out = tmp_path / "out"
    proc = run_cli(["sweep", str(spec), "--out", str(out)])
    assert proc.returncode == 2
    _one_line(proc.stderr, "'innovation.spillover' was retired", "innovation.imitation_speed")
    assert not out.exists()


def test_a_retired_uncertainty_name_says_what_replaces_it():
    with pytest.raises(ScenarioError, match="'spillover' was retired: imitation_speed"):
        Sweep(name="old", uncertainties=["spillover"], steps=2).plan()
