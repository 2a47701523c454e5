"""Policy search (issue 24): docking on function models with a known optimum, the same
answer under the same optimiser seed, resume after SIGKILL, Pareto sets, refusals."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from aimarket.experiments.engine.store import load
from aimarket.experiments.strategy.optimize import optimize
from aimarket.experiments.strategy.search_checks import check_spec
from aimarket.experiments.strategy.search_figures import write_outputs
from aimarket.experiments.strategy.search_spec import OptimizeSpec
from aimarket.simulation.errors import ScenarioError

T_STAR = 30
#: payoff(t*) - payoff(t* +- 5) = 25, so the seed noise has sd 2.5 (10% of it).
NOISE_SD = 0.1 * 25


def switch_payoff(t, rng):
    """A switch-time payoff peaked at t* = 30; each (seed, t) draws its own noise, so the
    common seeds do not cancel it (the hardest case for a paired search)."""
    noise = rng.normal(0.0, NOISE_SD, size=121)[t]
    return 100.0 - (t - T_STAR) ** 2 + noise


def trade_off(x, rng):
    """Two objectives in conflict along x: the whole range is the Pareto front."""
    return {"gain": x + rng.normal(0, 0.01), "cost": x**2 + rng.normal(0, 0.01)}


MODEL_FILE = """
import os
import time

def switch_payoff(t, rng):
    time.sleep(float(os.environ.get("DOCK_SLEEP", 0)))  # slow enough to be killed mid-study
    return 100.0 - (t - 30) ** 2 + rng.normal(0.0, 2.5, size=121)[t]
"""

SPEC = """
name = "dock"
model = "model.py:switch_payoff"
seeds = 3
seed = 11
budget = 14
optimizer_seed = 5
startup = 5

[levers]
t = [0, 120]

[[objectives]]
outcome = "switch_payoff"
direction = "maximize"
"""


def docking_spec(**changes) -> OptimizeSpec:
    fields = {
        "name": "dock",
        "model": switch_payoff,
        "levers": {"t": [0, 120]},
        "objectives": [{"outcome": "switch_payoff"}],
        "seeds": 4,
        "budget": 60,
        **changes,
    }
    return OptimizeSpec(**fields)


def test_search_finds_the_interior_optimum_for_nine_of_ten_optimiser_seeds():
    found = []
    for seed in range(10):
        result = optimize(docking_spec(optimizer_seed=seed))
        assert len(result.evaluations) == 60  # one evaluation = one candidate x 4 seeds
        assert set(result.runs.groupby("evaluation").size()) == {4}
        found.append(int(result.best["t"].iloc[0]))
    assert all(isinstance(t, int) for t in found)  # an integer lever stays an integer
    assert sum(abs(t - T_STAR) <= 2 for t in found) >= 9, found


def write_spec(folder: Path, text: str = SPEC) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "model.py").write_text(MODEL_FILE)
    spec = folder / "dock.toml"
    spec.write_text(text)
    return spec


def test_same_optimiser_seed_same_answer_stored_in_memory_and_on_two_workers(tmp_path):
    spec = write_spec(tmp_path / "spec", SPEC.replace("budget = 14", "budget = 6"))
    serial = optimize(spec, tmp_path / "serial", executor="serial", progress=False)
    pooled = optimize(spec, tmp_path / "pooled", executor="process", workers=2, progress=False)
    memory = optimize(spec)
    for other in (pooled, memory):
        pd.testing.assert_frame_equal(serial.evaluations, other.evaluations)
        pd.testing.assert_frame_equal(serial.runs, other.runs)
    other_seed = optimize(spec, optimizer_seed=6)
    assert list(other_seed.evaluations["t"]) != list(serial.evaluations["t"])
    # common seeds: replicate r of every candidate ran on the same seed
    folders = sorted((tmp_path / "serial" / "evals").iterdir())
    seeds = {tuple(load(f).runs.sort_values("replicate")["seed"]) for f in folders}
    assert len(folders) == 6 and len(seeds) == 1


def test_resume_after_sigkill_runs_no_finished_evaluation_again(tmp_path):
    spec = write_spec(tmp_path / "spec")
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "aimarket", "optimize", str(spec), "--out", str(out),
           "--executor", "serial", "--no-progress"]  # fmt: skip
    env = {**os.environ, "DOCK_SLEEP": "0.03"}
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    deadline = time.monotonic() + 600
    while not (out / "evals" / "0006").exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    folders = sorted((out / "evals").iterdir())
    before = {f.name: set(load(f).ok["run_id"]) for f in folders if (f / "manifest.json").exists()}
    assert 5 <= len(before) < 14
    resumed = optimize(spec, out, executor="serial", progress=False)
    assert len(resumed.evaluations) == 14
    mine = f":{os.getpid()}"
    ran_again = 0
    for folder in sorted((out / "evals").iterdir()):
        runs = load(folder).runs
        assert len(runs) == 3 and runs["status"].eq("ok").all()
        redone = runs[runs["worker"].str.endswith(mine)]
        ran_again += len(redone)
        assert not set(redone["run_id"]) & before.get(folder.name, set())
    finished = sum(len(ids) for ids in before.values())
    assert ran_again == 14 * 3 - finished  # every stored run kept, none run twice
    pd.testing.assert_frame_equal(resumed.evaluations, optimize(spec).evaluations)


def test_several_objectives_give_a_pareto_set_with_seed_bands(tmp_path):
    spec = OptimizeSpec(
        name="tradeoff",
        model=trade_off,
        levers={"x": [0.0, 1.0]},
        objectives=[{"outcome": "gain"}, {"outcome": "cost", "direction": "minimize"}],
        seeds=3,
        budget=24,
        population=8,
        optimizer_seed=2,
    )
    result = optimize(spec)
    assert result.problem.sampler == "nsga2"
    front = result.best
    assert len(front) >= 3 and front["pareto"].all()
    assert (front["gain_lo"] < front["gain"]).all() and (front["gain"] < front["gain_hi"]).all()
    ranked = front.sort_values("gain")  # on the front, more gain costs more
    assert ranked["cost"].is_monotonic_increasing
    paths = write_outputs(result, tmp_path / "analysis", "parquet")
    assert {p.name for p in paths} == {"evaluations.parquet", "runs.parquet", "levers.png",
                                       "pareto.png"}  # fmt: skip
    assert pd.read_parquet(tmp_path / "analysis" / "runs.parquet").shape[0] == 24 * 3


def test_cli_runs_resumes_and_exports(tmp_path, cli_main):
    spec = write_spec(tmp_path / "spec", SPEC.replace("budget = 14", "budget = 6"))
    out = tmp_path / "out"
    code, stdout, _ = cli_main(["optimize", str(spec), "--out", str(out), "--executor", "serial",
                                "--no-progress"])  # fmt: skip
    assert code == 0, stdout
    assert "best candidate of 6 evaluations" in stdout
    first = pd.read_csv(out / "analysis" / "evaluations.csv")
    code, stdout, _ = cli_main(["optimize", str(spec), "--out", str(out), "--executor", "serial",
                                "--no-progress", "--budget", "8"])  # fmt: skip
    assert code == 0 and "of 8 evaluations" in stdout
    longer = pd.read_csv(out / "analysis" / "evaluations.csv")
    pd.testing.assert_frame_equal(first.drop(columns=["best", "pareto"]),
                                  longer.head(6).drop(columns=["best", "pareto"]))  # fmt: skip


def test_market_search_on_a_vendor_metric(tmp_path, cli_main):
    example = Path(__file__).resolve().parent.parent / "experiments/examples/switch_time.toml"
    code, _, err = cli_main(["optimize", str(example), "--quick", "--budget", "2",
                                  "--executor", "serial", "--out", str(tmp_path / "o"),
                                  "--no-progress"])  # fmt: skip
    assert code == 0, err
    ev = pd.read_csv(tmp_path / "o" / "analysis" / "evaluations.csv")
    assert ev["vendors.meta.switch_step"].dtype.kind == "i"
    assert np.isfinite(ev["meta.firm_value"]).all() and (ev["seeds"] == 2).all()


MARKET = {
    "name": "m",
    "developers": 50,
    "months": 12,
    "overrides": {"vendors.meta.policy": "open_then_closed"},
    "levers": {"vendors.meta.switch_step": [0, 12]},
    "objectives": [{"outcome": "platform_payoff"}],
}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"levers": {"vendors.meta.no_such": [0, 1]}}, "no_such"),
        ({"levers": {"vendors.meta.switch_step": [5, 5]}}, "lo must be below hi"),
        ({"levers": {"vendors.meta.switch_step": [0.5, 10]}}, "integer parameter"),
        ({"levers": {"vendors.meta.switch_step": [0, 100000]}}, "switch_step"),
        ({"levers": {}}, "levers must be a non-empty table"),
        ({"levers": {"vendors.meta.switch_step": {"rnage": [0, 3]}}}, "unknown key 'rnage'"),
        ({"objectives": []}, "objectives must be a non-empty list"),
        ({"objectives": [{"outcome": "platform_payof"}]}, "did you mean 'platform_payoff'"),
        ({"objectives": [{"vendor": "nobody", "metric": "firm_value"}]}, "vendor 'nobody'"),
        ({"objectives": [{"vendor": "meta", "metric": "policy"}]}, "metric 'policy'"),
        ({"objectives": [{"outcome": "hhi", "direction": "up"}]}, "direction 'up'"),
        ({"budget": 0}, "budget = 0 is out of range"),
        ({"seeds": 0}, "seeds = 0 is out of range"),
        ({"budget": 2.5}, "budget = 2.5 must be an integer"),
        ({"sampler": "cmaes"}, "sampler 'cmaes' is unknown"),
        ({"overrides": {"vendors.meta.switch_step": 3}}, "set each path in one place only"),
    ],
)
def test_bad_specs_are_refused_in_one_line_before_any_run(tmp_path, cli_main, change, message):
    import tomli_w

    spec = tmp_path / "bad.toml"
    spec.write_text(tomli_w.dumps({**MARKET, **change}))
    out = tmp_path / "out"
    code, _, err = cli_main(["optimize", str(spec), "--out", str(out)])
    assert code == 2
    assert message in err and len(err.strip().splitlines()) == 1, err
    assert not out.exists()


def test_a_folder_of_another_search_is_refused_unless_forced(tmp_path):
    spec = docking_spec(budget=2, seeds=1)
    optimize(spec, tmp_path / "o", executor="serial", progress=False)
    with pytest.raises(ScenarioError, match="holds another search"):
        optimize(spec, tmp_path / "o", executor="serial", optimizer_seed=3, progress=False)
    optimize(spec, tmp_path / "o", executor="serial", optimizer_seed=3, force=True, progress=False)
    assert len(list(tmp_path.glob("o.replaced-*"))) == 1


def fragile(t):
    if t % 2:
        raise ValueError("odd")
    return -abs(t - 4)


def test_a_failed_evaluation_is_kept_out_of_the_answer():
    result = optimize(docking_spec(model=fragile, objectives=["fragile"], seeds=1, budget=12))
    ev = result.evaluations
    assert set(ev.loc[ev["t"] % 2 == 1, "state"]) == {"failed"}
    assert ev["state"].eq("ok").any() and result.best["t"].iloc[0] % 2 == 0
    assert ev.loc[ev["state"] == "failed", "fragile"].isna().all()


def test_unknown_field_and_function_model_outputs_are_refused():
    with pytest.raises(ScenarioError, match="did you mean 'budget'"):
        OptimizeSpec.from_dict({"levers": {"t": [0, 1]}, "objectives": ["x"], "budgte": 3})
    with pytest.raises(ScenarioError, match="objective 'switch_payof' is unknown"):
        check_spec(docking_spec(objectives=[{"outcome": "switch_payof"}]))
    with pytest.raises(ScenarioError, match="has no argument 'u'"):
        check_spec(docking_spec(levers={"u": [0, 3]}))
