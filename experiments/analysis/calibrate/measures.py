"""The calibration's measures: every target on independent replicates of the full
48-month timeline, summarized with the intervals of
:mod:`aimarket.experiments.analysis.stats`, and the timeline's half-yearly 2025-2026
path (an untuned forecast)."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from aimarket.experiments.analysis import stats
from aimarket.experiments.analysis import targets as tg
from aimarket.experiments.analysis.calibrate.search import SCENARIO, run_frames, seeds
from aimarket.simulation.scenarios import load_scenario

REPORT_SEED = 20250101  # root of the report's replicates (independent of the fit's)

HALVES = ("2024-H2", "2025-H1", "2025-H2", "2026-H1", "2026-H2")
SEGMENTS = ("enterprise", "startup", "hobbyist")


def _half(dates: pd.Series) -> pd.Series:
    d = pd.to_datetime(dates)
    return d.dt.year.astype(str) + "-H" + np.where(d.dt.month <= 6, "1", "2")


def _minus_11(month: str) -> str:
    return str(pd.Period(month, freq="M") - 11)


def forecast_rows(frames: tg.Frames) -> pd.DataFrame:
    """One run's half-yearly path of the target quantities, by developer segment."""
    m = frames.market.assign(half=_half(frames.market["date"]))
    rows = []
    for half, df in m.groupby("half"):
        if half not in HALVES:
            continue
        year, h = int(half[:4]), half[-1]
        months = (f"{year}-01", f"{year}-06") if h == "1" else (f"{year}-07", f"{year}-12")
        row = {
            "half": half,
            "fixed_capability_price": df["fixed_capability_price"].mean(),
            "price_fall": tg.annual_price_fall(frames.market, _minus_11(months[1]), months[1]),
            "capability_gap": df["capability_gap"].mean(),
            "capability_lag": tg.capability_lag_years(
                frames.market, period=months, start=tg.WINDOW[0], end=months[1]
            ),
            "price_ratio": df["closed_price"].mean() / df["open_price"].mean(),
            "open_token_share": df["open_token_share"].mean(),
        }
        seg = frames.segments.assign(half=_half(frames.segments["date"]))
        seg = seg[seg["half"] == half]
        for name in SEGMENTS:
            s = seg[seg["segment"] == name]
            row[f"{name}_open_share"] = s["open_token_share"].mean()
            row[f"{name}_price"] = s["mean_price"].mean()
        rows.append(row)
    return pd.DataFrame(rows)


@dataclass
class Evaluation:
    values: pd.DataFrame  # replicate x target
    forecast: pd.DataFrame  # replicate-averaged half-yearly path
    developers: int
    replicates: int
    seconds: float


def evaluate(
    overrides: Mapping[str, float] | None,
    replicates: int,
    developers: int | None,
    scenario_name: str = SCENARIO,
):
    """Targets and the 2025-2026 path on independent replicates of the full timeline (or
    of ``scenario_name`` run for 48 months)."""
    t0 = time.perf_counter()
    scenario = load_scenario(scenario_name, dict(overrides or {}))
    scenario = scenario.with_overrides({"steps": 48})
    if developers:
        scenario = scenario.with_overrides({"developers.count": developers})
    values, paths = [], []
    for seed in seeds(REPORT_SEED, replicates):
        frames = run_frames(scenario, seed, scenario.steps)
        row = tg.measure_all(frames)
        row["gap_over_growth"] = tg.gap_over_growth_years(frames.market)
        values.append(row)
        paths.append(forecast_rows(frames))
    forecast = pd.concat(paths).groupby("half", sort=True).mean().reindex(list(HALVES))
    return Evaluation(
        pd.DataFrame(values),
        forecast,
        scenario.developers.count,
        replicates,
        time.perf_counter() - t0,
    )


def summary(ev: Evaluation) -> pd.DataFrame:
    """Per target: replicate mean, the t interval of the mean (``ci_lo``, ``ci_hi``) and
    the spread of single runs (``run_lo``, ``run_hi``), both at
    :data:`~aimarket.experiments.analysis.stats.LEVEL`; runs in the band, hit and miss."""
    rows = []
    for t in tg.TARGETS:
        x = stats.finite(ev.values[t.key])
        mean = float(x.mean()) if x.size else float("nan")
        ci_lo, ci_hi = stats.t_interval(x)
        run_lo, run_hi = stats.spread(x)
        rows.append(
            dict(
                key=t.key,
                mean=mean,
                ci_lo=ci_lo,
                ci_hi=ci_hi,
                run_lo=run_lo,
                run_hi=run_hi,
                n=x.size,
                in_band=int(sum(t.hit(v) for v in x)),
                hit=t.hit(mean),
                miss=t.miss(mean),
            )
        )
    return pd.DataFrame(rows).set_index("key")
