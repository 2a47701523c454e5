"""What decides the calibrated set (the one-at-a-time scan), the simulation-based
calibration's bookkeeping and the posterior predictive shares (issue 23)."""

from __future__ import annotations

import math
import tomllib

import numpy as np
import pandas as pd
import pytest

from aimarket.experiments.analysis import stats
from aimarket.experiments.analysis import targets as tg
from aimarket.experiments.analysis.calibrate import identify, problem, sbc, scan
from aimarket.simulation import uncertainties
from aimarket.simulation.parameters.market import InnovationParams
from aimarket.simulation.scenarios import DATA, load_scenario
from aimarket.simulation.uncertainties import UNCERTAINTIES


def _runs(effects: dict[str, float], seeds: int = 8, noise: float = 0.01) -> pd.DataFrame:
    """A scan's rows where parameter ``p``'s distance rises by ``effects[p]`` across its
    points, plus paired seed noise (common to every point of a seed) and a little more."""
    rng = np.random.default_rng(0)
    common = rng.normal(0, 1.0, seeds)
    rows = []
    for name, effect in effects.items():
        for q in scan.POINTS:
            for s in range(seeds):
                d = 1.0 + effect * q + common[s] + noise * rng.standard_normal()
                rows.append({"parameter": name, "point": q, "value": q, "seed": s, "distance": d})
    return pd.DataFrame(rows)


def test_the_scan_calls_a_parameter_calibrated_only_beyond_three_paired_standard_errors():
    v = scan.verdicts(_runs({"moves": 0.5, "flat": 0.0})).set_index("parameter")
    assert v.loc["moves", "moves"] and v.loc["moves", "z"] > 3
    assert not v.loc["flat", "moves"] and v.loc["flat", "z"] < 3
    # the seed effect shared by every point cancels: a large common noise does not hide it
    assert v.loc["moves", "effect"] == pytest.approx(0.5 * 0.8, abs=0.05)


def test_the_scan_names_only_parameters_with_identical_runs_as_inert(tmp_path):
    # a flat parameter with noise is not inert; one whose runs are the same at every
    # point (the seed's common part only) is
    noisy = _runs({"moves": 0.5, "flat": 0.0})
    still = _runs({"inert": 0.0}, noise=0.0)
    path = tmp_path / "scan.csv"
    pd.concat([noisy, still]).to_csv(path, index=False)
    assert scan.inert(path) == ["inert"]


def test_calibrated_records_are_exactly_those_the_committed_scan_says_move_the_fit():
    movers = scan.movers()
    demoted = {u.name for u in uncertainties.demoted()}
    # a mover is calibrated unless the inference failed it on synthetic data (demoted)
    assert {u.name for u in problem.records()} == movers - demoted
    assert demoted <= movers and not demoted & {u.name for u in problem.records()}
    scanned = set(pd.read_csv(scan.SCAN)["parameter"])
    assert scanned == {u.name for u in UNCERTAINTIES}  # every record was scanned
    assert 0 < len(movers) < len(scanned)


def test_scan_points_span_each_range_on_its_own_scale():
    rec = UNCERTAINTIES["host_sensitivity"]  # log scale, 3 to 100
    assert scan.point_value(rec, 0.5) == pytest.approx(math.sqrt(3.0 * 100.0))
    lin = UNCERTAINTIES["runway"]
    assert scan.point_value(lin, 0.1) == pytest.approx(lin.lo + 0.1 * (lin.hi - lin.lo))


def test_synthetic_targets_move_each_band_to_the_simulated_value():
    observed = {t.key: t.value * 2 for t in tg.TARGETS}
    observed["price_ratio"] = float("nan")
    moved = {t.key: t for t in sbc.synthetic_targets(observed)}
    assert "price_ratio" not in moved  # undefined: dropped
    rev = moved["model_revenue"]  # log scale: the band scales
    assert rev.value == 14.0 and rev.lo == pytest.approx(2.8) and rev.hi == pytest.approx(28.0)
    share = moved["router_open_share"]  # linear: the band shifts
    assert share.value == 0.4 and share.lo == pytest.approx(0.3) and share.hi == pytest.approx(0.5)
    assert share.miss(0.4) == 0.0 and share.miss(0.5) == pytest.approx(1.0)


def test_sbc_truths_are_fixed_draws_from_the_prior():
    a, b = sbc.truth(3), sbc.truth(3)
    assert np.array_equal(a, b) and not np.array_equal(a, sbc.truth(4))
    assert a.shape == (len(problem.records()),) and np.all((a >= 0) & (a < 1))


def test_coverage_counts_truths_inside_each_interval():
    frame = pd.DataFrame({"truth": range(10), "parameter": "x",
                          "covered_50": [True] * 5 + [False] * 5,
                          "covered_90": [True] * 9 + [False], "width_90": 0.5})  # fmt: skip
    c = sbc.coverage(frame).iloc[0]
    assert c["50%"] == 0.5 and c["90%"] == 0.9 and c["truths"] == 10
    lo, hi = (float(x) for x in c["90% interval"].split("-"))
    assert lo < 0.9 < hi


def test_wilson_interval_of_a_proportion():
    lo, hi = stats.proportion_interval(45, 50)
    assert 0.8 < lo < 0.9 < hi < 0.96
    assert stats.proportion_interval(0, 10)[0] == 0.0
    assert all(math.isnan(x) for x in stats.proportion_interval(0, 0))


def test_joint_in_band_needs_every_band_at_once():
    t = [tg.by_key("router_open_share"), tg.by_key("price_ratio")]
    runs = pd.DataFrame({"router_open_share": [0.2, 0.2, 0.9], "price_ratio": [6.0, 50.0, 6.0]})
    assert identify.joint_in_band(runs, t) == pytest.approx(1 / 3)
    assert identify.in_band(runs, t[0]) == pytest.approx(2 / 3)


def test_the_coverage_table_is_rewritten_between_its_markers(tmp_path):
    doc = tmp_path / "calibration.md"
    doc.write_text(f"head\n{sbc.BEGIN}\nold table\n{sbc.END}\ntail\n")
    frame = pd.DataFrame({"truth": [0, 1], "parameter": "x", "covered_50": [True, False],
                          "covered_90": [True, True], "width_90": 0.4})  # fmt: skip
    frame.to_csv(tmp_path / "sbc.csv", index=False)
    assert sbc.write_block(doc, tmp_path / "sbc.csv")
    text = doc.read_text()
    assert text.startswith("head\n") and text.endswith("\ntail\n") and "old table" not in text
    assert "2 synthetic truths" in text and "| `x`" in text
    assert not sbc.write_block(tmp_path / "missing.md", tmp_path / "sbc.csv")


def test_bands_per_run_counts_whole_bands():
    runs = pd.DataFrame([{t.key: t.value for t in tg.TARGETS}] * 2)
    runs.loc[1, "price_ratio"] = 50.0  # one run misses one band
    runs.loc[1, "openai_api_share"] = 0.9  # and one quantity of a band of four
    assert identify.bands_per_run(runs) == pytest.approx((12 + 10) / 2)


def test_the_scan_stands_on_the_uncalibrated_timeline_not_a_previous_fit(tmp_path):
    # The scan decides what is calibrated, so its centre is the timeline with firms.toml
    # and the records' defaults beneath it, whatever calibrated.toml holds.
    path = scan.uncalibrated(tmp_path)
    bare = load_scenario(path)
    fitted = load_scenario(problem.SCENARIO)
    assert bare.name == fitted.name == problem.SCENARIO
    assert bare.steps == fitted.steps
    firms = tomllib.loads((DATA / "firms.toml").read_text())
    assert bare.vendors["meta"].frontier_share == firms["vendors"]["meta"]["frontier_share"]
    calibrated = tomllib.loads((DATA / "calibrated.toml").read_text())
    for section, values in calibrated.items():
        if not isinstance(values, dict) or section != "innovation":
            continue
        for key in values:  # each calibrated innovation value is back at its default
            assert getattr(bare.innovation, key) == getattr(InnovationParams(), key), key


def test_the_coverage_table_names_calibrated_parameters_that_under_cover(tmp_path):
    # a calibrated record covering its truth in 6 of 10 fits is named as still
    # calibrated; one covering in 9 of 10 is not
    bad, good = (u.name for u in problem.records()[:2])
    rows = [{"truth": t, "parameter": name, "covered_50": True, "covered_90": t < k,
             "width_90": 0.5} for name, k in ((bad, 6), (good, 9)) for t in range(10)]  # fmt: skip
    pd.DataFrame(rows).to_csv(tmp_path / "sbc.csv", index=False)
    text = sbc.table(tmp_path / "sbc.csv")
    tail = text.split("Still calibrated though they under-cover:")[1]
    assert f"`{bad}`" in tail and f"`{good}`" not in tail
