"""Running sweeps: determinism across executors, CRN, resume, failure isolation, CLI."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import textwrap

import pandas as pd
import pytest
from conftest import VOLATILE, tiny_sweep

from aimarket.experiments import format_comparison, load, run_sweep
from aimarket.experiments.analysis.export import export
from aimarket.simulation.errors import ScenarioError


def stable(runs: pd.DataFrame) -> pd.DataFrame:
    return runs.drop(columns=VOLATILE).sort_values("run_id").reset_index(drop=True)


def series(frame: pd.DataFrame) -> pd.DataFrame:
    keys = [c for c in ("run_id", "step", "vendor") if c in frame.columns]
    return frame.sort_values(keys).reset_index(drop=True)


@pytest.fixture(scope="module")
def serial_results(tmp_path_factory):
    out = tmp_path_factory.mktemp("serial")
    summary = run_sweep(tiny_sweep(), out, executor="serial", progress=False)
    assert summary.exit_code == 0
    return load(out)


def test_results_tables_are_joined_to_parameters(serial_results):
    r = serial_results
    assert len(r.runs) == 3 * 2 * 2
    assert r.runs["status"].eq("ok").all()
    assert r.runs["run_id"].is_unique
    assert len(r.market) == len(r.runs) * 8
    for frame in (r.market, r.vendors):
        assert {"policy", "point", "replicate", "innovation.community_quality"} <= set(frame)
    assert r.counts() == {"planned": 12, "done": 12, "failed": 0, "pending": 0}
    m = r.manifest
    assert m["spec_hash"] and m["versions"]["mesa"] and "commit" in m["git"]


def test_replicates_differ_and_policies_share_seeds(serial_results):
    runs = serial_results.runs
    assert runs.groupby(["point", "replicate"])["seed"].nunique().eq(1).all()
    closed = runs[runs["policy"] == "closed"].set_index(["point", "replicate"])
    # Same point and policy, different replicate: different seeds and different outcomes.
    for point in closed.index.get_level_values("point").unique():
        a, b = closed.loc[(point, 0)], closed.loc[(point, 1)]
        assert a["seed"] != b["seed"]
        assert a["developer_surplus"] != b["developer_surplus"]


def test_same_results_with_two_worker_processes(serial_results, tmp_path):
    summary = run_sweep(tiny_sweep(), tmp_path, executor="process", workers=2, progress=False)
    assert summary.exit_code == 0
    parallel = load(tmp_path)
    pd.testing.assert_frame_equal(stable(parallel.runs), stable(serial_results.runs))
    pd.testing.assert_frame_equal(series(parallel.market), series(serial_results.market))
    pd.testing.assert_frame_equal(series(parallel.vendors), series(serial_results.vendors))


def test_same_results_on_dask_local_cluster(serial_results, tmp_path):
    pytest.importorskip("distributed")
    summary = run_sweep(tiny_sweep(), tmp_path, executor="dask", workers=2, progress=False)
    assert summary.exit_code == 0
    pd.testing.assert_frame_equal(stable(load(tmp_path).runs), stable(serial_results.runs))


def test_rerun_skips_done_runs_and_refuses_changed_spec(tmp_path, capsys):
    out = tmp_path / "out"
    first = run_sweep(tiny_sweep(n=2), out, executor="serial", progress=False)
    assert first.ran == 8
    again = run_sweep(tiny_sweep(n=2), out, executor="serial", progress=False)
    assert (again.ran, again.skipped) == (0, 8)
    with pytest.raises(ScenarioError, match="different sweep spec") as refused:
        run_sweep(tiny_sweep(n=2, replicates=3), out, executor="serial", progress=False)
    assert "--force" in str(refused.value) and "aside" in str(refused.value)
    # --force starts a clean folder: the old one is moved aside, never deleted.
    forced = run_sweep(
        tiny_sweep(n=2, replicates=3), out, executor="serial", progress=False, force=True
    )
    assert (forced.ran, forced.skipped) == (12, 0)
    runs = load(out).runs
    assert len(runs) == 12
    assert runs["run_id"].is_unique
    aside = [p for p in tmp_path.iterdir() if p.name.startswith("out.replaced-")]
    assert len(aside) == 1
    assert f"aside to {aside[0]}" in capsys.readouterr().err
    old = load(aside[0])
    assert len(old.runs) == 8 and old.manifest["spec"]["replicates"] == 2


FAILING_SCRIPT = """
from aimarket.experiments import Sweep


def fragile(run):
    # Stands in for a parameter value that makes the model fail.
    if run.scenario.innovation.community_quality > 0.03:
        raise FloatingPointError("community too strong for this model")
    return float(run.market["adoption_rate"].iloc[-1])


sweep = Sweep(
    name="fragile",
    overrides={"developers.count": 40},
    uncertainties={"innovation.community_quality": [0.01, 0.02, 0.04, 0.05]},
    replicates=2,
    steps=6,
    outcomes=["platform_payoff", fragile],
)

if __name__ == "__main__":
    from aimarket.experiments.cli import script_main

    raise SystemExit(script_main(__file__))
"""


def test_failing_runs_are_recorded_and_the_sweep_exits_nonzero(tmp_path):
    script = tmp_path / "fragile.py"
    script.write_text(textwrap.dedent(FAILING_SCRIPT))
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "aimarket", "sweep", str(script), "--out", str(out)]
    proc = subprocess.run(
        [*cmd, "--workers", "2", "--no-progress"], capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 1, proc.stderr
    assert "4 failed" in proc.stderr
    r = load(out)
    assert r.counts() == {"planned": 8, "done": 4, "failed": 4, "pending": 0}
    failed = r.runs[r.runs["status"] == "failed"]
    assert (failed["innovation.community_quality"] > 0.03).all()
    assert len(r.failures) == 4
    assert r.failures["traceback"].str.contains("FloatingPointError").all()
    assert r.failures["traceback"].str.contains("in fragile").all()
    assert r.ok["fragile"].notna().all()
    failures = pd.read_csv(export(r, tmp_path / "export")[3])  # exported when runs failed
    assert len(failures) == 4 and failures["error"].str.contains("community").all()
    # `status` reports the same, and so does running the script directly (which retries
    # only the failed runs).
    status = subprocess.run(
        [sys.executable, "-m", "aimarket", "status", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert status.returncode == 1
    assert "4 done, 4 failed, 0 pending" in status.stdout
    direct = subprocess.run(
        [sys.executable, str(script), "--out", str(out), "--executor", "serial", "--no-progress"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert direct.returncode == 1
    assert "4 runs this session" in direct.stderr
    assert "4 already done" in direct.stderr
    runs = load(out).runs
    assert len(runs) == 8
    assert runs["run_id"].is_unique


def test_flagship_quick_plan_is_valid():
    spec = importlib.util.find_spec("aimarket.experiments.open_vs_closed")
    assert spec is not None
    from aimarket.experiments.open_vs_closed import sweep

    plan = sweep.variant(quick=True).plan()
    assert plan.policy_names == ["closed", "open", "open_lagged", "open_then_closed"]
    assert {"complement_strength", "community_improvement", "openness_preference"} <= set(
        plan.points.columns
    )
    assert plan.sweep.replicates > 1


def test_the_comparison_shows_every_requested_outcome_without_a_table(tmp_path):
    chosen = ["open_token_share", "hhi", "platform_payoff"]  # two not in the default five
    sweep = tiny_sweep(outcomes=chosen, n=1, replicates=1, steps=3)
    run_sweep(sweep, tmp_path / "out", executor="serial", progress=False)
    text = format_comparison(load(tmp_path / "out"))
    for outcome in chosen:
        assert f"\n{outcome} (" in text, outcome
