"""Regression tests for results that used to come out silently wrong."""

from __future__ import annotations

import math
import re

import numpy as np

from aimarket import MarketModel
from aimarket.simulation.reduced import open_vendor, reduced


def test_closed_margin_is_undefined_without_closed_sales():
    """A market with open weights only sells no closed tokens: its closed margin is NaN
    (undefined), not 0 (which would read as 'margins collapsed')."""
    model = MarketModel(reduced({"giver": open_vendor(1.0)}), rng=1).run(3)
    market = model.market_frame()
    assert market["total_tokens"].gt(0).all()
    assert market["closed_margin"].isna().all()
    assert math.isnan(model.measured["closed_margin"])


def test_orphaned_share_is_measured_when_every_token_is_on_orphaned_weights():
    """Once the only vendor of open weights leaves, every token is on its orphaned weights
    and the market table says so (the vendor table has no row to carry it)."""
    scenario = reduced(
        {"giver": open_vendor(1.0, cash=0.5, opex=1.0, private=True)},
        **{"mechanisms.exit": True},
    )
    model = MarketModel(scenario, rng=2).run(4)
    market, vendors = model.market_frame(), model.vendor_frame()
    assert market["exits"].tolist() == [1, 0, 0, 0]  # it exits in month 1 ...
    assert vendors["step"].tolist() == [1]  # ... whose row still carries its share
    assert market["orphaned_token_share"].tolist() == [0.0, 1.0, 1.0, 1.0]
    assert np.allclose(market["open_token_share"], 1.0)


def test_console_comparison_fits_100_columns_labels_intervals_and_says_na(tmp_path):
    from aimarket.experiments import Sweep, load, run_sweep
    from aimarket.experiments.analysis.console import WIDTH, format_comparison

    sweep = Sweep(
        name="narrow",
        base="baseline",
        overrides={"developers.count": 200, "vendors.anthropic.remove": True,
                   "vendors.google.remove": True, "vendors.mistral.remove": True,
                   "mechanisms.venture": False},
        # the first policy leaves no closed model on the market, the second sells one
        policies={"a_rather_long_policy_name_indeed": {"vendors.meta.policy": "open",
                                                        "vendors.openai.remove": True},
                  "another_long_policy_name_too": {"vendors.meta.policy": "open_lagged"}},
        uncertainties={"innovation.imitation_speed": [0.01, 0.02]},
        outcomes=["platform_payoff", "developer_surplus", "closed_margin"],
        table=["platform_payoff", "developer_surplus", "closed_margin"],
        steps=3,
    )  # fmt: skip
    run_sweep(sweep, tmp_path / "n", executor="serial", progress=False)
    text = format_comparison(load(tmp_path / "n"))
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= WIDTH
    assert "middle 95% of runs" in text and "not a confidence interval" in text
    assert "95% CI of mean" in text and "Student t" in text
    # the all-open policy sells no closed tokens: its margin is undefined, and said so
    na = [line for line in lines if "a_rather_long_policy_name_indeed" in line and "n/a" in line]
    assert na, text
    assert "n/a: undefined" in text
    # one number format per unit: every $M figure is whole, every Lerner one has 3 decimals
    blocks: dict[str, list[str]] = {}
    current = None
    for line in lines:
        if line[:1].strip():
            current = line.split()[0]
        if current:
            blocks.setdefault(current, []).append(line)
    money = " ".join(blocks["platform_payoff"] + blocks["developer_surplus"])
    assert re.findall(r"\d,\d{3}", money) and not re.findall(r"\d\.\d", money)
    margins = re.findall(r"[+-]?\d+\.\d+", " ".join(blocks["closed_margin"]))
    assert margins and all(len(m.split(".")[1]) == 3 for m in margins)


def test_no_arguments_prints_usage_and_version_works(cli_main):
    code, out, _ = cli_main([])
    assert code == 0 and out.startswith("usage: aimarket")
    assert "sweep" in out and "run" in out
    code, out, _ = cli_main(["--version"])
    assert code == 0 and out.startswith("aimarket ")


def test_numerical_warnings_count_overflow_but_not_underflow(monkeypatch):
    """A run's ``warnings`` flags numerical trouble: an overflow counts, while underflow
    (tiny logit weights rounding to zero, as in every baseline month) does not."""
    from aimarket.experiments import Sweep
    from aimarket.experiments.engine import worker

    plan = Sweep(name="w", overrides={"developers.count": 200}, steps=6).plan()
    task = plan.task(next(plan.runs()))
    assert worker.execute(task)["warnings"] == 0
    original = MarketModel.run

    def overflowing(self, steps=None):
        np.exp(np.array([1000.0]))  # overflow: a warning under the worker's errstate
        return original(self, steps)

    monkeypatch.setattr(MarketModel, "run", overflowing)
    result = worker.execute(task)
    assert result["status"] == "ok" and result["warnings"] == 1
