"""The shock experiment scripts: each is a valid sweep and runs in quick mode."""

from __future__ import annotations

from pathlib import Path

import pytest

from aimarket.experiments import load, run_sweep
from aimarket.experiments.engine.spec import load_spec

SCRIPTS = sorted((Path(__file__).resolve().parent.parent / "experiments").glob("shock_*.py"))


def test_there_is_a_script_per_shock_family():
    from aimarket.simulation.shocks import SHOCKS

    names = {p.stem for p in SCRIPTS}
    expected = {
        "weight_leak": "shock_leak",
        "efficient_entrant": "shock_entrant",
        "inference_hardware": "shock_hardware",
        "policy_pivot": "shock_pivot",
        "misuse": "shock_misuse",
    }
    assert set(expected) == set(SHOCKS.names())
    assert set(expected.values()) <= names


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.stem)
def test_shock_sweep_runs_and_varies_its_shock(script, tmp_path):
    sweep = load_spec(script)
    swept = [u.name for u in sweep.plan().uncertainties]
    assert any(name.startswith("shocks.") for name in swept), swept
    summary = run_sweep(script, tmp_path / "out", executor="serial", quick=True, progress=False)
    assert summary.failed == 0 and summary.ok == summary.planned > 0
    runs = load(tmp_path / "out").runs
    assert set(runs["policy"]) == set(sweep.policies)
    for name in swept:
        assert runs[name].nunique() > 1  # the key parameter really varies
