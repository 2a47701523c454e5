"""The EMA Workbench adapter (aimarket.experiments.ema): EMA runs the market, and each
experiment equals the sweep engine's run of the same point, policy and seed."""

from __future__ import annotations

import pickle
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

ema_workbench = pytest.importorskip("ema_workbench")

from ema_workbench import Policy, SequentialEvaluator, perform_experiments  # noqa: E402
from ema_workbench import Scenario as EMAScenario  # noqa: E402

from aimarket.experiments import Sweep  # noqa: E402
from aimarket.experiments.ema import MarketFunction, ema_model  # noqa: E402
from aimarket.experiments.engine import worker  # noqa: E402
from aimarket.simulation.errors import ScenarioError  # noqa: E402
from aimarket.simulation.uncertainties import UNCERTAINTIES  # noqa: E402

SMALL = {"developers.count": 200}
STEPS = 12
LEVER = "vendors__meta__policy"
POINT = {"community_quality": 0.3, "imitation_speed": 0.07, "vc_inflow": 900.0}
OUTCOMES = ["open_token_share", "closed_margin", "platform_payoff", "vc_funding", "hhi"]


def small_model(**kw):
    args = dict(overrides=SMALL, steps=STEPS, seed=5)
    return ema_model(**{**args, **kw})


def test_perform_experiments_runs_every_scenario_under_every_policy():
    model = small_model()
    with SequentialEvaluator(model) as evaluator:
        experiments, outcomes = perform_experiments(
            model, scenarios=4, policies=2, evaluator=evaluator
        )
    assert len(experiments) == 8
    assert set(outcomes) == {o.name for o in model.outcomes}
    for name, values in outcomes.items():
        assert values.shape == (8,), name
        assert np.isfinite(values).all(), name
    assert set(experiments[LEVER].astype(str)) == {"open", "closed"}
    assert model.function.levers == {LEVER: "vendors.meta.policy"}
    for record in UNCERTAINTIES:  # every registered uncertainty, sampled inside its range
        assert experiments[record.name].between(record.lo, record.hi).all(), record.name
    # each scenario runs under both policies, and the lever changes what happens
    assert (experiments.groupby("scenario", observed=True)[LEVER].nunique() == 2).all()
    share = pd.Series(outcomes["open_token_share"]).groupby(experiments[LEVER].astype(str))
    assert share.mean()["open"] != share.mean()["closed"]


def test_an_experiment_equals_the_sweep_engines_run_of_the_same_point_policy_and_seed():
    sweep = Sweep(
        name="ema_docking",
        overrides=SMALL,
        policies={"closed": {"vendors.meta.policy": "closed"}},
        uncertainties=list(POINT),
        design=pd.DataFrame([POINT]),
        steps=STEPS,
        seed=5,
        outcomes=OUTCOMES,
    )
    plan = sweep.plan()
    engine = worker.execute(plan.task(next(plan.runs())))
    assert engine["status"] == "ok", engine["error"]

    model = small_model(uncertainties=list(POINT), outcomes=OUTCOMES)
    with SequentialEvaluator(model) as evaluator:
        _, outcomes = perform_experiments(
            model,
            scenarios=[EMAScenario("point", **POINT)],
            policies=[Policy("closed", **{LEVER: "closed"})],
            evaluator=evaluator,
        )
    assert {name: float(v[0]) for name, v in outcomes.items()} == engine["outcomes"]
    # direct calls agree, and the comparison is sharp: another seed gives other outcomes
    assert model.function(**POINT, **{LEVER: "closed"}) == engine["outcomes"]
    other = model.function(**POINT, **{LEVER: "closed"}, seed=6)
    assert other != engine["outcomes"]


def test_unknown_names_and_bad_levers_are_refused_before_any_run():
    with pytest.raises(ScenarioError, match="'community_qualty'") as err:
        small_model(uncertainties=["community_qualty"])
    assert "community_quality" in str(err.value)  # the allowed names are listed
    with pytest.raises(ScenarioError, match="'platform_payof'") as err:
        small_model(outcomes=["platform_payoff", "platform_payof"])
    assert "vc_funding" in str(err.value)
    with pytest.raises(ScenarioError, match="sideways"):
        small_model(levers={"vendors.meta.policy": ["open", "sideways"]})
    with pytest.raises(ScenarioError, match="polcy"):
        small_model(levers={"vendors.meta.polcy": ["open", "closed"]})
    with pytest.raises(ScenarioError, match="one place only"):
        small_model(overrides={**SMALL, "vendors.meta.policy": "open"})
    with pytest.raises(ScenarioError, match="nosuch"):
        small_model().function(nosuch=1.0)


def test_the_model_function_survives_pickling():
    model = small_model(uncertainties=list(POINT), outcomes=OUTCOMES)
    function = pickle.loads(pickle.dumps(model.function))
    assert isinstance(function, MarketFunction)
    values = {**POINT, LEVER: "open"}
    assert function(**values) == model.function(**values)
    assert pickle.loads(pickle.dumps(model)).function == model.function


def test_importing_the_adapter_warns_nothing():
    """EMA Workbench warns that ipyparallel is missing (an evaluator we do not use);
    importing the adapter stays quiet, in a fresh interpreter."""
    done = subprocess.run(
        [sys.executable, "-W", "error", "-c", "import aimarket.experiments.ema"],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0 and done.stderr == "", done.stderr
