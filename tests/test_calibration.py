"""Calibration: target measurements on synthetic frames with known answers, a tiny
end-to-end fit, and the committed report's coverage of every target."""

from __future__ import annotations

import math
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from aimarket.experiments.analysis import calibrate
from aimarket.experiments.analysis import targets as tg

ROOT = Path(__file__).resolve().parents[1]


def dates(n: int, start: str = "2023-01") -> list[pd.Timestamp]:
    first = pd.Period(start, freq="M")
    return [(first + k).to_timestamp() for k in range(n)]


def market(n: int = 24, **columns) -> pd.DataFrame:
    df = pd.DataFrame({"step": np.arange(1, n + 1), "date": dates(n)})
    for name, values in columns.items():
        df[name] = values
    return df


# -- measurement functions on synthetic frames ----------------------------------------------
def test_price_falling_tenfold_a_year_gives_ten():
    t = np.arange(24)
    df = market(fixed_capability_price=60.0 * 10.0 ** (-t / 12))
    assert math.isclose(tg.annual_price_fall(df), 10.0, rel_tol=1e-9)


def test_price_fall_uses_only_the_window_and_skips_zero_prices():
    t = np.arange(36)
    price = 5.0 * 4.0 ** (-t / 12)
    price[3] = 0.0  # no priced model that month
    price[30:] = 1e-9  # after the window: ignored
    df = market(36, fixed_capability_price=price)
    assert math.isclose(tg.annual_price_fall(df, "2023-01", "2024-12"), 4.0, rel_tol=1e-9)
    assert math.isnan(tg.annual_price_fall(market(24, fixed_capability_price=np.zeros(24))))


def test_capability_lag_of_a_follower_one_year_behind_is_one_year():
    # Closed frontier grows 1 frontier-year a year from 1.0; open trails it by exactly 1.0.
    t = np.arange(24)
    closed = 1.0 + t / 12
    df = market(closed_frontier=closed, open_frontier=closed - 1.0, capability_gap=1.0)
    assert math.isclose(tg.capability_lag_years(df), 1.0, rel_tol=1e-9)
    assert math.isclose(tg.gap_over_growth_years(df), 1.0, rel_tol=1e-9)


def test_capability_lag_interpolates_inside_the_path():
    # Closed frontier 0.5/yr from 1.0; open at 1.25 in every 2024 month: reached in
    # month 6 of 2023, so the lag is (12..23 - 6) months, mean 11.5 months.
    t = np.arange(24)
    closed = 1.0 + 0.5 * t / 12
    open_ = np.where(t >= 12, 1.25, 0.0)
    df = market(closed_frontier=closed, open_frontier=open_, capability_gap=closed - open_)
    assert math.isclose(tg.capability_lag_years(df), 11.5 / 12, rel_tol=1e-9)


def test_capability_lag_skips_months_without_open_models():
    t = np.arange(24)
    closed = 1.0 + t / 12
    open_ = np.where(t >= 18, closed - 0.5, 0.0)
    df = market(closed_frontier=closed, open_frontier=open_, capability_gap=closed - open_)
    assert math.isclose(tg.capability_lag_years(df), 0.5, rel_tol=1e-9)
    none = market(closed_frontier=closed, open_frontier=np.zeros(24), capability_gap=closed)
    assert math.isnan(tg.capability_lag_years(none))


def test_segment_open_share_is_the_2024_mean_of_one_segment():
    rows = []
    for k, d in enumerate(dates(24)):
        rows.append({"date": d, "segment": "enterprise", "open_token_share": 0.5 * (k < 12) + 0.2})
        rows.append({"date": d, "segment": "hobbyist", "open_token_share": 0.9})
    seg = pd.DataFrame(rows)
    assert math.isclose(tg.segment_open_share(seg, "enterprise"), 0.2)
    assert math.isclose(tg.segment_open_share(seg, "hobbyist"), 0.9)


def test_price_ratio_is_ratio_of_2024_means():
    t = np.arange(24)
    closed = np.where(t >= 12, np.where(t % 2 == 0, 6.0, 10.0), 100.0)
    df = market(closed_price=closed, open_price=np.where(t >= 12, 1.0, 50.0))
    assert math.isclose(tg.price_ratio(df), 8.0)


def vendors_frame(rounds: list[tuple[str, str, str, float]]) -> pd.DataFrame:
    rows = [
        {"date": pd.Period(month, freq="M").to_timestamp(), "vendor": v, "policy": p, "funding": f}
        for month, v, p, f in rounds
    ]
    return pd.DataFrame(rows)


def test_vc_shares_on_known_rounds():
    vf = vendors_frame(
        [
            ("2023-02", "a", "closed", 500.0),
            ("2023-08", "a", "closed", 300.0),
            ("2024-03", "b", "open_lagged", 100.0),
            ("2024-05", "c", "open", 60.0),
            ("2024-05", "d", "closed", 40.0),
            ("2024-06", "e", "closed", 0.0),
            ("2025-03", "c", "open", 10_000.0),  # after the window
        ]
    )
    assert math.isclose(tg.vc_top2_share(vf), 900.0 / 1000.0)
    assert math.isclose(tg.vc_open_share(vf), 160.0 / 1000.0)
    assert math.isclose(tg.vc_volume(vf), 200.0)  # 2024 only
    empty = vendors_frame([("2023-02", "a", "closed", 0.0)])
    assert math.isnan(tg.vc_top2_share(empty)) and math.isnan(tg.vc_open_share(empty))


def test_top2_share_is_undefined_with_fewer_than_three_recipients():
    two = vendors_frame([("2023-02", "a", "closed", 200.0), ("2024-02", "b", "open", 200.0)])
    assert math.isnan(tg.vc_top2_share(two))
    assert math.isclose(tg.vc_top2_share(two, min_recipients=2), 1.0)
    assert math.isclose(tg.vc_open_share(two), 0.5)


def test_normalized_miss_maps_the_band_to_unit_interval():
    for t in tg.TARGETS:
        assert t.miss(t.value) == 0.0
        assert math.isclose(t.miss(t.lo), -1.0)
        assert t.hit(t.lo) and t.hit(t.value)
        if math.isfinite(t.hi):
            assert math.isclose(t.miss(t.hi), 1.0)
            assert not t.hit(t.hi * 1.01)
        else:
            assert t.miss(t.value * 10) == 0.0
        assert math.isnan(t.miss(float("nan")))
    ratio = tg.by_key("price_fall")  # log scale: 10 -> 40 is one band, 40 -> 160 two
    assert math.isclose(ratio.miss(160.0), 2.0)


def test_loss_is_zero_on_target_and_charges_undefined_targets():
    on = {t.key: t.value for t in tg.TARGETS}
    assert calibrate.loss(on) == 0.0
    undefined = {**on, "vc_top2_share": float("nan")}
    assert calibrate.loss(undefined) == calibrate.UNDEFINED_MISS


def test_search_bounds_lie_inside_declared_ranges():
    from aimarket import load_scenario

    calibrate.check_bounds(load_scenario("timeline"))
    with pytest.raises(ValueError):
        calibrate.check_bounds(
            load_scenario("timeline"),
            [calibrate.Parameter("market.compute_cost_decline", 0.5, 1.5, "out of range")],
        )


# -- the calibrated values: the model's data file --------------------------------------------
def test_calibration_reads_the_values_the_baseline_is_built_from():
    """The calibration's values file is the model's simulation/data/calibrated.toml: every
    fitted parameter in it is the baseline's value."""
    from aimarket import load_scenario

    assert calibrate.CALIBRATED == ROOT / "simulation" / "data" / "calibrated.toml"
    values = calibrate.read_calibrated()
    assert set(values) == {p.path for p in calibrate.PARAMETERS}
    baseline = load_scenario("baseline")
    for p in calibrate.PARAMETERS:
        assert values[p.path] == calibrate.field_info(baseline, p.path)[0], p.path
    assert not (ROOT / "experiments" / "analysis" / "calibrated.toml").exists()


def test_written_values_are_the_committed_file_s_data(tmp_path):
    """Writing the current values again gives the committed file's data exactly (nested
    tables, base = "firms.toml") under a header saying the file is generated."""
    out = calibrate.write_calibrated(tmp_path / "calibrated.toml", calibrate.read_calibrated())
    committed = tomllib.loads(calibrate.CALIBRATED.read_text())
    assert tomllib.loads(out.read_text()) == committed
    assert committed["base"] == "firms.toml"
    assert out.read_text().startswith("# Calibrated values")
    assert "Generated by the calibration" in calibrate.CALIBRATED.read_text()


def test_quick_fit_writes_the_values_file_and_the_report(tmp_path):
    """A tiny fit on a temporary copy of the model's data: the fitted values land in the
    copy's nested tables (other values kept), the copy loads as a scenario over its
    firms.toml, and the model's own file is untouched."""
    from aimarket import load_scenario

    for name in ("firms.toml", "calibrated.toml"):
        (tmp_path / name).write_bytes((calibrate.CALIBRATED.parent / name).read_bytes())
    toml, report = tmp_path / "calibrated.toml", tmp_path / "calibration.md"
    with toml.open("a") as f:
        f.write("\n[vcs.seedfund]\ncapital = 123.0\n")  # a value the fit does not touch
    committed = calibrate.CALIBRATED.read_bytes()
    assert calibrate.main(["--quick", "--report", str(report), "--toml", str(toml)]) == 0
    assert calibrate.CALIBRATED.read_bytes() == committed
    text = toml.read_text()
    assert text.startswith("# Calibrated values") and "Last fit: loss" in text
    data = tomllib.loads(text)
    assert data["base"] == "firms.toml" and data["vcs"]["seedfund"]["capital"] == 123.0
    fitted = calibrate.read_calibrated(toml)
    scenario = load_scenario(toml)
    for p in calibrate.PARAMETERS:
        assert p.lo <= fitted[p.path] <= p.hi
        assert calibrate.field_info(scenario, p.path)[0] == fitted[p.path]
    text = report.read_text()
    for t in tg.TARGETS:
        assert f"SF #{t.sf}: {t.name}" in text
    assert "Untuned forecast" in text and "2026-H2" in text
    assert str(toml) in text


def test_committed_report_lists_every_target_and_parameter():
    text = (ROOT / "docs" / "calibration.md").read_text()
    assert "python -m aimarket.experiments.analysis.calibrate" in text
    for t in tg.TARGETS:
        assert f"SF #{t.sf}: {t.name}" in text
    for p in calibrate.PARAMETERS:
        assert f"`{p.path}`" in text
    assert "Untuned forecast" in text
