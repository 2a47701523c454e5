"""Mesa's own idioms work on the market model: the scenario's ``steps`` is the horizon
(``running``, ``run_model``, ``batch_run``), agent reporters, ``seed=`` as well as ``rng=``."""

from __future__ import annotations

import subprocess

import mesa
import pandas as pd
import pytest
from conftest import aimarket_command, frame_digest, small_scenario

from aimarket import MarketModel

HORIZON = 5


def _scenario(steps: int = HORIZON):
    return small_scenario(developers=200, steps=steps)


def test_run_model_stops_at_the_scenario_horizon():
    model = MarketModel(_scenario(), rng=3)
    assert model.running
    model.run_model()
    assert model.steps == HORIZON and not model.running
    assert len(model.market_frame()) == HORIZON


def test_run_advances_past_the_horizon():
    model = MarketModel(_scenario(), rng=3).run(HORIZON + 3)
    assert model.steps == HORIZON + 3 and not model.running
    same = MarketModel(_scenario(), rng=3)
    same.run_model()
    same.run(3)
    assert frame_digest(same.market_frame()) == frame_digest(model.market_frame())


def test_setting_running_false_stops_run_model_early():
    model = MarketModel(_scenario(), rng=3)
    model.step()
    model.running = False
    model.run_model()
    assert model.steps == 1


def test_batch_run_needs_no_max_steps():
    results = mesa.batch_run(
        MarketModel,
        {"scenario": _scenario(), "seed": [1, 2]},
        display_progress=False,
    )
    rows = pd.DataFrame(results)
    assert set(rows["seed"]) == {1, 2}
    assert set(rows["Step"]) == {HORIZON - 1}  # Mesa's index of the last record
    vendors = rows[rows["kind"] == "Vendor"]
    assert len(vendors) >= 2 and vendors["token_share"].notna().all()


def test_cli_runs_past_the_horizon():
    args = ["--set", "developers.count=100", "--set", "steps=2", "--steps", "4", "--quiet"]
    done = subprocess.run(
        [*aimarket_command(), "run", *args],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "ran 4 months" in done.stdout


def test_seed_is_rng():
    a = MarketModel(_scenario(), seed=42).run(3)
    b = MarketModel(_scenario(), rng=42).run(3)
    assert frame_digest(a.market_frame()) == frame_digest(b.market_frame())
    assert frame_digest(a.vendor_frame()) == frame_digest(b.vendor_frame())


def test_seed_and_rng_together_is_a_one_line_error():
    with pytest.raises(ValueError, match="seed or rng") as info:
        MarketModel(_scenario(), seed=1, rng=1)
    assert "\n" not in str(info.value)


def test_agent_reporters_hold_the_vendor_metrics():
    model = MarketModel(_scenario(), rng=5).run(2)
    agents = model.datacollector.get_agent_vars_dataframe()
    vendors = agents[agents["kind"] == "Vendor"]
    assert len(vendors) == len(model.vendor_frame())
    assert set(agents["kind"]) == {"Vendor", "Cloud", "VentureCapitalist", "DeveloperPopulation"}
    frame = model.vendor_frame()
    last = vendors.xs(2, level="Step").set_index("name").sort_index()
    final = frame[frame["step"] == 2].set_index("vendor").sort_index()
    pd.testing.assert_series_equal(last["cash"], final["cash"], check_names=False)
    others = agents[agents["kind"] != "Vendor"]
    assert others["cash"].isna().all()
