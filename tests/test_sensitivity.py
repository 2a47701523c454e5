"""Sensitivity analysis and scenario discovery: docked against known answers through the
whole pipeline (design, runner with its serial executor, store, analysis), and the
commands' refusals."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aimarket.cli import main
from aimarket.experiments import load
from aimarket.experiments.analysis.sensitivity import discover, sensitivity, write_sensitivity
from aimarket.experiments.analysis.sensitivity.data import Contrast, UndefinedPoints
from aimarket.experiments.analysis.sensitivity.indices import judge, verdict
from aimarket.experiments.analysis.sensitivity.report import convergence_line
from aimarket.experiments.engine import designs
from aimarket.experiments.engine.runner import run_sweep
from aimarket.experiments.engine.spec import Sweep
from aimarket.experiments.engine.uncertainty import Uncertainty
from aimarket.simulation.errors import ScenarioError

PI = np.pi
ISHIGAMI = {"x1": (-PI, PI), "x2": (-PI, PI), "x3": (-PI, PI)}


def ishigami(x1, x2, x3):
    """Ishigami and Homma's test function (a = 7, b = 0.1)."""
    return np.sin(x1) + 7 * np.sin(x2) ** 2 + 0.1 * x3**4 * np.sin(x1)


def ishigami_indices(a: float = 7.0, b: float = 0.1) -> dict[str, dict[str, float]]:
    """Analytic first-order and total indices of the Ishigami function."""
    v1 = 0.5 * (1 + b * PI**4 / 5) ** 2
    v2 = a**2 / 8
    v13 = b**2 * PI**8 * (1 / 18 - 1 / 50)
    total = v1 + v2 + v13
    return {
        "S1": {"x1": v1 / total, "x2": v2 / total, "x3": 0.0},
        "ST": {"x1": (v1 + v13) / total, "x2": v2 / total, "x3": v13 / total},
    }


def in_box(a, b, c):
    """True exactly inside a known box of the unit cube (c is irrelevant)."""
    return float(0.2 <= a <= 0.6 and 0.3 <= b <= 0.8)


def linear(a, b, c):
    return 4.0 * a + 1.0 * b + 0.0 * c


def noisy(a, b, rng):
    """A stochastic model: a signal plus seed noise that is the same at every point."""
    return 2.0 * a + b + rng.normal(0.0, 0.5)


def interacting(a, b, rng):
    """Seed noise whose size depends on the point: it does not cancel between points."""
    return 2.0 * a + b + (0.2 + a) * rng.normal(0.0, 1.0)


def _run(tmp_path, name, **fields):
    sweep = Sweep(name=name, outcomes=[], series=(), **fields)
    summary = run_sweep(sweep, tmp_path / name, executor="serial", progress=False)
    assert summary.exit_code == 0, summary.text()
    return tmp_path / name


def test_ishigami_sobol_indices_dock_within_0_05_at_n_1024(tmp_path):
    folder = _run(tmp_path, "ishigami", model=ishigami, design="saltelli", n=1024,
                  uncertainties=ISHIGAMI)  # fmt: skip
    table = sensitivity(folder, "ishigami")
    assert table.attrs["points"] == 1024 * 8
    truth = ishigami_indices()
    for row in table.itertuples():
        expected = truth[row.index][row.input]
        assert abs(row.value - expected) < 0.05, (row.input, row.index, row.value, expected)
        assert row.lo <= row.value <= row.hi
        assert row.agree  # N and N/2 agree within their intervals
    assert np.isnan(table.attrs["seed_share"])  # one replicate: no seed variance to give


def test_a_linear_function_at_n_1024_is_converged_on_its_known_indices(tmp_path):
    unit = {k: (0.0, 1.0) for k in "abc"}
    folder = _run(tmp_path, "linear", model=linear, design="saltelli", n=1024,
                  uncertainties=unit)  # fmt: skip
    table = sensitivity(folder, "linear")
    truth = {"a": 16 / 17, "b": 1 / 17, "c": 0.0}  # 4a + b: variances 16/12 and 1/12
    for row in table.itertuples():
        assert abs(row.value - truth[row.input]) < 0.02, (row.input, row.index, row.value)
        assert row.half_width <= 0.1 and row.shift <= 0.05 and row.converged
    assert table.attrs["verdict"] == "converged"
    assert convergence_line(table).startswith("Convergence: converged: every S1 and ST")


def test_a_study_of_n_4_is_not_converged(tmp_path, capsys):
    folder = _run(tmp_path, "ishigami4", model=ishigami, design="saltelli", n=4,
                  uncertainties=ISHIGAMI)  # fmt: skip
    table = sensitivity(folder, "ishigami")
    assert table.attrs["verdict"].startswith("not converged: too few samples, increase n")
    assert not table["converged"].any()
    assert main(["sensitivity", str(folder), "--outcome", "ishigami"]) == 0
    printed = capsys.readouterr().out
    assert "Convergence: not converged: too few samples, increase n (N = 4, 6 indices:" in printed
    assert "N/2 agrees" not in printed


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"value": 1.2, "value_half": 1.2}, "1 outside [-0.05, 1.05]"),
        ({"hi": 0.9}, "1 with a half-width over 0.1"),
        ({"value_half": 0.2}, "1 moving more than 0.05 from N = 32"),
    ],
)
def test_each_criterion_alone_makes_a_study_not_converged(change, reason):
    rows = pd.DataFrame({"input": ["a", "a"], "index": ["S1", "ST"], "value": [0.5, 0.5],
                         "lo": [0.45, 0.45], "hi": [0.55, 0.55],
                         "value_half": [0.5, 0.5]})  # fmt: skip
    rows.attrs["n"] = 64
    for column, value in change.items():
        rows.loc[1, column] = value
    judged = judge(rows)
    assert judged["converged"].tolist() == [True, False]
    said = verdict(judged)
    assert said == f"not converged: too few samples, increase n (N = 64, 2 indices: {reason})"


def test_prim_recovers_a_known_box_within_10_percent_of_each_side(tmp_path):
    unit = {k: (0.0, 1.0) for k in "abc"}
    folder = _run(tmp_path, "box", model=in_box, design="lhs", n=3000, uncertainties=unit)
    box = discover(folder, "in_box", above=0.5, min_density=0.95).set_index("input")
    for name, (lo, hi) in {"a": (0.2, 0.6), "b": (0.3, 0.8)}.items():
        side = hi - lo
        assert abs(box.loc[name, "lo"] - lo) <= 0.1 * side
        assert abs(box.loc[name, "hi"] - hi) <= 0.1 * side
        assert box.loc[name, "restricted"]
        assert box.loc[name, "qp_lo"] < 1e-3 and box.loc[name, "qp_hi"] < 1e-3
    assert not box.loc["c", "restricted"]
    assert (box.loc["c", "lo"], box.loc["c", "hi"]) == (0.0, 1.0)
    assert box.attrs["density"] >= 0.95 and box.attrs["coverage"] > 0.8
    trajectory = box.attrs["trajectory"]
    assert trajectory["coverage"].iloc[0] == 1.0 and trajectory["box"].is_unique


def test_morris_ranks_inputs_by_their_effect(tmp_path):
    unit = {k: (0.0, 1.0) for k in "abc"}
    folder = _run(tmp_path, "morris", model=linear, design="morris", n=20, uncertainties=unit)
    table = sensitivity(folder, "linear")
    mu_star = table[table["index"] == "mu_star"].set_index("input")["value"]
    assert mu_star["a"] == pytest.approx(4.0) and mu_star["b"] == pytest.approx(1.0)
    assert mu_star["c"] == pytest.approx(0.0)
    sigma = table[table["index"] == "sigma"].set_index("input")["value"]
    assert (sigma.abs() < 1e-9).all()  # a linear function: every effect is the same


def test_replicates_share_seeds_across_points_and_seed_noise_is_reported(tmp_path):
    unit = {"a": (0.0, 1.0), "b": (0.0, 1.0)}
    folder = _run(tmp_path, "noisy", model=noisy, design="saltelli", n=32, replicates=3,
                  uncertainties=unit)  # fmt: skip
    runs = load(folder).runs
    assert len(runs) == 32 * 6 * 3
    assert runs.groupby("replicate")["seed"].nunique().eq(1).all()  # common seeds
    table = sensitivity(folder, "noisy")
    # the noise is the same at every point: it is run-to-run variance (seed_share) but
    # moves every point mean alike, so none of it is left in what the indices analyse
    assert table.attrs["seed_share"] > 0.05
    assert table.attrs["noise_share"] < 1e-9
    clean = {r.input: r.value for r in table[table["index"] == "ST"].itertuples()}
    assert clean["a"] == pytest.approx(0.8, abs=0.15) and clean["b"] == pytest.approx(0.2, abs=0.15)
    folder = _run(tmp_path, "interacting", model=interacting, design="saltelli", n=32,
                  replicates=3, uncertainties=unit)  # fmt: skip
    table = sensitivity(folder, "interacting")
    assert 0 < table.attrs["noise_share"] < table.attrs["seed_share"] < 1


def test_contrasts_name_two_policies_even_with_hyphens():
    policies = ["open-weights", "closed", "open"]
    assert Contrast.parse("policy:open-weights-closed", policies) == Contrast(
        "open-weights", "closed"
    )
    assert Contrast.parse("policy:open-closed", policies) == Contrast("open", "closed")
    with pytest.raises(ScenarioError, match="does not name two"):
        Contrast.parse("policy:open-shut", policies)
    with pytest.raises(ScenarioError, match="policy:A-B"):
        Contrast.parse("open", policies)


def test_designs_sampled_by_salib_have_their_sizes_and_stay_in_range():
    us = [Uncertainty("a", lo=0.0, hi=2.0), Uncertainty("b", lo=-1.0, hi=1.0)]
    saltelli = designs.build("saltelli", us, n=16, seed=3)
    assert len(saltelli) == 16 * (2 * 2 + 2)
    assert saltelli["a"].between(0, 2).all() and saltelli["b"].between(-1, 1).all()
    pd.testing.assert_frame_equal(saltelli, designs.build("saltelli", us, n=16, seed=3))
    morris = designs.build("morris", us, n=5, seed=3)
    assert len(morris) == 5 * 3
    with pytest.raises(ScenarioError, match="power of two"):
        designs.build("saltelli", us, n=12)
    with pytest.raises(ScenarioError, match="allowed at most"):
        designs.build("saltelli", us, n=2**20)
    with pytest.raises(ScenarioError, match="needs a range"):
        designs.build("saltelli", [Uncertainty("a", values=(1, 2)), us[1]], n=4)


@settings(max_examples=25, deadline=None)
@given(m=st.integers(1, 5), d=st.integers(2, 5), seed=st.integers(0, 2**31))
def test_saltelli_prefix_is_the_design_of_half_the_size(m, d, seed):
    """The convergence check analyses the first N/2 blocks as a design of N/2."""
    us = [Uncertainty(f"x{k}", lo=0.0, hi=1.0) for k in range(d)]
    full = designs.build("saltelli", us, n=2 ** (m + 1), seed=seed)
    half = designs.build("saltelli", us, n=2**m, seed=seed)
    pd.testing.assert_frame_equal(full.iloc[: len(half)], half)


def test_market_contrast_report_and_export(tmp_path):
    sweep = Sweep(
        name="market_sobol",
        policies={
            "closed": {"vendors.meta.policy": "closed"},
            "open": {"vendors.meta.policy": "open"},
        },
        uncertainties=["complement_strength", "community_quality"],
        design="saltelli",
        n=4,
        replicates=2,
        steps=6,
        reference="closed",
        overrides={"developers.count": 200},
        outcomes=["platform_payoff", "open_token_share"],
        series=("market",),
    )
    out = tmp_path / "market"
    assert run_sweep(sweep, out, executor="serial", progress=False).exit_code == 0
    table = sensitivity(out, "platform_payoff", contrast="policy:open-closed")
    assert set(table["input"]) == {"complement_strength", "community_quality"}
    assert table["contrast"].eq("open - closed").all()
    assert 0 <= table.attrs["seed_share"] <= 1
    paths = write_sensitivity(table, tmp_path / "tables")
    assert {p.suffix for p in paths} == {".parquet", ".csv", ".png"}
    with pytest.raises(ScenarioError, match="name a contrast"):
        sensitivity(out, "platform_payoff")
    assert main(["report", str(out)]) == 0
    report = (out / "report" / "report.md").read_text()
    assert "## Sensitivity analysis" in report and "Sobol indices of platform_payoff" in report
    assert main(["export", str(out), "--format", "csv"]) == 0
    runs = pd.read_csv(out / "export" / "runs.csv")
    assert len(runs) == 4 * (2 * 2 + 2) * 2 * 2 and "platform_payoff" in runs.columns
    market = pd.read_csv(out / "export" / "market.csv")
    assert len(market) == len(runs) * 6 and market["run_id"].isin(runs["run_id"]).all()


@pytest.mark.parametrize("design", ["lhs", "sobol"])
def test_commands_refuse_a_design_without_the_method(tmp_path, capsys, design):
    unit = {"a": (0.0, 1.0), "b": (0.0, 1.0), "c": (0.0, 1.0)}
    folder = _run(tmp_path, design, model=linear, design=design, n=16, uncertainties=unit)
    for method in ("sobol", "morris"):
        code = main(["sensitivity", str(folder), "--outcome", "linear", "--method", method])
        err = capsys.readouterr().err
        assert code == 2 and err.count("\n") == 1 and "Traceback" not in err
        assert f"design is '{design}'" in err
    code = main(["sensitivity", str(folder), "--outcome", "nope"])
    assert code == 2 and "'nope' is not in" in capsys.readouterr().err
    code = main(["discover", str(folder), "--outcome", "linear", "--above", "99"])
    assert code == 2 and "no design point crosses" in capsys.readouterr().err
    assert main(["discover", str(folder), "--outcome", "linear", "--above", "3"]) == 0


def test_bad_contrast_and_not_a_folder_are_one_line_errors(tmp_path, capsys):
    assert main(["sensitivity", str(tmp_path), "--outcome", "x"]) == 2
    assert "not a sweep results folder" in capsys.readouterr().err
    unit = {"a": (0.0, 1.0), "b": (0.0, 1.0), "c": (0.0, 1.0)}
    folder = _run(tmp_path, "m", model=linear, design="morris", n=4, uncertainties=unit)
    assert main(["sensitivity", str(folder), "--outcome", "linear", "--contrast", "open"]) == 2
    assert "policy:A-B" in capsys.readouterr().err


def centred(a, b, c):
    return (a - 0.5) * np.exp(8 * b) + 0.0 * c


def test_transforms_analyse_the_sign_or_the_ranks(tmp_path):
    """'positive' asks which inputs decide whether the value is above zero (here only a),
    'rank' is invariant under a monotone map of the values."""
    unit = {k: (0.0, 1.0) for k in "abc"}
    folder = _run(tmp_path, "centred", model=centred, design="saltelli", n=256,
                  uncertainties=unit)  # fmt: skip
    sign = sensitivity(folder, "centred", transform="positive")
    first = sign[sign["index"] == "S1"].set_index("input")["value"]
    assert first["a"] == pytest.approx(1.0, abs=0.05)
    assert abs(first["b"]) < 0.05 and abs(first["c"]) < 0.05
    assert sign["transform"].eq("positive").all()
    assert sign.attrs["label"].startswith("whether > 0")
    raw = sensitivity(folder, "centred")
    assert raw.set_index(["input", "index"]).loc[("b", "ST"), "value"] > 0.3  # b scales it
    ranks = sensitivity(folder, "centred", transform="rank")
    assert ranks.attrs["label"].startswith("rank of")
    with pytest.raises(ScenarioError, match="transform"):
        sensitivity(folder, "centred", transform="log")


def test_a_function_model_refuses_what_it_would_ignore(tmp_path):
    unit = {"a": (0.0, 1.0), "b": (0.0, 1.0)}
    with pytest.raises(ScenarioError, match="no scenario to override"):
        Sweep(name="f", model=noisy, design="lhs", n=4, uncertainties=unit,
              overrides={"developers.count": 5}).plan()  # fmt: skip
    with pytest.raises(ScenarioError, match="policy 'x' sets 'a', which is not an argument"):
        Sweep(name="f", model=noisy, design="lhs", n=4, uncertainties=unit,
              policies={"x": {"a": 1}}).plan()  # an uncertainty sets it  # fmt: skip
    with pytest.raises(ScenarioError, match="has no argument 'z'"):
        Sweep(name="f", model=linear, design="lhs", n=4, uncertainties={"z": (0.0, 1.0)}).plan()


def test_an_outcome_undefined_at_some_points_is_reported_not_computed(tmp_path, monkeypatch):
    # A study's secondary outcome that has no value at some design points (a closed
    # margin where no closed token is sold) gets a line saying so; the rest is written.
    from aimarket.experiments.analysis.sensitivity import report

    sweep = Sweep(
        name="undefined", policies={"closed": {"vendors.meta.policy": "closed"},
                                    "open": {"vendors.meta.policy": "open"}},
        uncertainties=["complement_strength", "community_quality"], design="saltelli",
        n=8, replicates=2, steps=6, reference="closed", overrides={"developers.count": 200},
        outcomes=["platform_payoff", "open_token_share"], series=(),
    )  # fmt: skip
    out = tmp_path / "undefined"
    assert run_sweep(sweep, out, executor="serial", progress=False).exit_code == 0
    real = report.api.sensitivity

    def undefined_share(results, outcome, **kw):
        if outcome == "open_token_share":
            raise UndefinedPoints(out, outcome, [1, 5, 9], 48)
        return real(results, outcome, **kw)

    monkeypatch.setattr(report.api, "sensitivity", undefined_share)
    lines = report.study_lines(load(out), "policy:open-closed", tmp_path / "fig", "fig")
    text = "\n".join(lines)
    assert "#### open_token_share (open - closed)" in text
    assert ("Not computed: 3 of 48 design points have no successful run with a finite "
            "'open_token_share' (first: point 1).") in text  # fmt: skip
    assert "Sobol indices of platform_payoff (open - closed)" in text
