"""Issue 26: no silent wrong results from coercion, resume or damaged files, and no hangs
or tracebacks on hostile input. Each test reproduces one finding of the issue."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from aimarket.experiments.engine.spec import Sweep
from aimarket.simulation.errors import ScenarioError


def _plan(**kw):
    return Sweep(name="t", steps=3, **kw).plan()


@pytest.mark.parametrize(
    ("uncertainties", "design", "said"),
    [
        ({"mechanisms.venture": ["false", "true"]}, "grid", "not a true/false"),
        ({"mechanisms.venture": (0.0, 1.0)}, "lhs", "two-level factor"),
        ({"vendors.mistral.open_lag": [1.5, 2.5]}, "grid", "not an integer"),
        ({"vendors.mistral.open_lag": (1, 5)}, "lhs", "would be rounded"),
        ({"vendors.meta.policy": {"values": ["open"], "mode": "scale"}}, "grid", "scaled"),
    ],
)
def test_design_values_are_refused_rather_than_coerced(uncertainties, design, said):
    with pytest.raises(ScenarioError, match=said):
        _plan(uncertainties=uncertainties, design=design, n=4)


def test_a_points_table_of_0_and_1_for_a_boolean_is_refused_not_cast():
    with pytest.raises(ScenarioError, match="not a true/false"):
        _plan(design=pd.DataFrame({"mechanisms.venture": [0, 1]}))


def test_a_boolean_is_a_two_level_factor_and_the_runs_table_says_what_the_model_got():
    plan = _plan(uncertainties={"mechanisms.venture": [False, True], "vendors.meta.open_lag": [3]})
    assert [o["mechanisms.venture"] for o in plan.point_overrides] == [False, True]
    assert plan.table()["mechanisms.venture"].tolist() == [False, True]
    lhs = _plan(uncertainties={"mechanisms.venture": [False, True]}, design="lhs", n=8)
    got = [o["mechanisms.venture"] for o in lhs.point_overrides]
    assert set(got) == {False, True}
    assert lhs.table()["mechanisms.venture"].tolist() == got


def test_an_option_the_base_leaves_unset_can_be_swept_and_numpy_scalars_are_accepted():
    plan = _plan(uncertainties={"vendors.meta.open_lag": [1, 2]})
    assert [o["vendors.meta.open_lag"] for o in plan.point_overrides] == [1, 2]
    plan = _plan(overrides={"vendors.mistral.open_lag": np.int64(3)})
    assert plan.base["vendors"]["mistral"]["open_lag"] == 3
