"""The calibrated timeline's 2025-2026 path: a forecast, with intervals over posterior
draws x seeds, written to ``docs/forecast.md`` with a figure.

Nothing dated after 2024 informs it: the parameters come from the posterior fitted to facts
up to the end of 2024. It is conditional on the timeline's scheduled input event of January
2025 (the efficient open entrant, SF #11). It is generated and committed as it comes out,
never tuned.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from aimarket.experiments.analysis import stats
from aimarket.experiments.analysis import targets as tg
from aimarket.experiments.analysis.calibrate import answers, ensemble, problem
from aimarket.simulation.model import MarketModel
from aimarket.simulation.scenarios import load_scenario

MONTHS = 48  # January 2023 to December 2026
START = "2025-01"
SEGMENTS = ("enterprise", "startup", "hobbyist")
VENDORS = ("openai", "anthropic", "google", "meta", "mistral", "deepseek")
#: Quantities of the path: (key, label, unit, how a quarter aggregates it).
QUANTITIES: tuple[tuple[str, str, str, str], ...] = (
    *((f"{s}_open_share", f"open share of {s} tokens", "share", "last") for s in SEGMENTS),
    ("capability_lag", "open-closed capability lag", "months", "last"),
    ("closed_price", "closed API price", "$/Mtok", "last"),
    ("open_price", "open hosting price", "$/Mtok", "last"),
    *((f"share_{v}", f"{v} token share", "share", "last") for v in VENDORS),
    ("raised", "money raised by vendors (VC and strategic)", "$B", "sum"),
    ("top2_share", "top two recipients' share of money raised, trailing 12 months", "share",
     "last"),
    ("entries", "entries", "count", "sum"),
    ("exits", "exits", "count", "sum"),
)  # fmt: skip


def path(frames: tg.Frames) -> pd.DataFrame:
    """One run's monthly path from ``START`` (one row per month, one column per quantity)."""
    market = frames.market.set_index("date")
    seg = frames.segments.pivot_table(index="date", columns="segment", values="open_token_share")
    share = frames.vendors.pivot_table(index="date", columns="vendor", values="token_share")
    funding = frames.vendors.groupby("date")["funding"].sum()
    dates = [d for d in market.index if str(d)[:7] >= START]
    rows = []
    for d in dates:
        month = str(d)[:7]
        year_ago = str(pd.Period(month, freq="M") - 11)
        row = {"date": month}
        for s in SEGMENTS:
            row[f"{s}_open_share"] = float(seg.at[d, s]) if s in seg.columns else np.nan
        row["capability_lag"] = tg.capability_lag_months(frames.market, (month, month))
        row["closed_price"] = float(market.at[d, "closed_price"])
        row["open_price"] = float(market.at[d, "open_price"])
        for v in VENDORS:
            row[f"share_{v}"] = float(share.at[d, v]) if v in share.columns else 0.0
        row["raised"] = float(funding.get(d, 0.0)) / 1000.0
        row["top2_share"] = tg.vc_top2_share(frames.vendors, year_ago, month)
        row["entries"] = float(market.at[d, "entries"])
        row["exits"] = float(market.at[d, "exits"])
        rows.append(row)
    return pd.DataFrame(rows)


class PathJob:
    def __init__(self, developers: int):
        self.developers = developers

    def __call__(self, job: tuple[int, int, dict[str, float]]) -> pd.DataFrame:
        i, r, values = job
        patch = {**problem.overrides(values), "developers.count": int(self.developers)}
        seed = np.random.SeedSequence(ensemble.seed_of(values, r))
        model = MarketModel(load_scenario(problem.SCENARIO, patch), rng=seed).run(MONTHS)
        return path(tg.Frames.of(model)).assign(draw=i, replicate=r)


def run(draws: pd.DataFrame, seeds: int, developers: int, workers: int) -> pd.DataFrame:
    """Monthly paths of every draw x seed (long: one row per run and month)."""
    paths = ensemble.run_all(PathJob(developers), ensemble.jobs(draws, seeds), workers, "forecast")
    return pd.concat(paths, ignore_index=True)


def bands(paths: pd.DataFrame) -> pd.DataFrame:
    """Per month and quantity: median and the middle 90% over draws x seeds."""
    rows = []
    for month, df in paths.groupby("date"):
        for key, *_ in QUANTITIES:
            lo, hi = stats.spread(df[key], answers.LEVEL)
            rows.append(dict(date=month, key=key, median=stats.median(df[key]),
                             lo=lo, hi=hi))  # fmt: skip
    return pd.DataFrame(rows)


def quarterly(paths: pd.DataFrame) -> pd.DataFrame:
    """Per run and quarter: levels at the quarter's last month, flows summed."""
    q = paths.assign(quarter=pd.PeriodIndex(paths["date"], freq="M").asfreq("Q").astype(str))
    how = {key: agg for key, _, _, agg in QUANTITIES}
    return q.groupby(["draw", "replicate", "quarter"]).agg(how).reset_index()


def _cell(x: pd.Series, unit: str) -> str:
    lo, hi = stats.spread(x, answers.LEVEL)
    med = stats.median(x)
    fmt = "{:.0%}" if unit == "share" else "{:.3g}"
    return f"{fmt.format(med)} ({fmt.format(lo)}–{fmt.format(hi)})"


def table(paths: pd.DataFrame) -> pd.DataFrame:
    """Quarters x quantities: median (90% interval) over draws x seeds."""
    q = quarterly(paths)
    out = {}
    for key, label, unit, _ in QUANTITIES:
        out[f"{label} ({unit})"] = q.groupby("quarter")[key].apply(lambda x, u=unit: _cell(x, u))
    return pd.DataFrame(out).T


def figure(paths: pd.DataFrame, out: Path) -> Path:
    """Monthly medians and 90% bands of the main quantities."""
    b = bands(paths)
    panels = (("open share by segment", [f"{s}_open_share" for s in SEGMENTS]),
              ("capability lag (months)", ["capability_lag"]),
              ("prices ($/Mtok)", ["closed_price", "open_price"]),
              ("token share by vendor", [f"share_{v}" for v in VENDORS]),
              ("money raised ($B/month)", ["raised"]),
              ("entries and exits (per month)", ["entries", "exits"]))  # fmt: skip
    fig = Figure(figsize=(13, 6.5), layout="constrained")
    axes = fig.subplots(2, 3)
    for ax, (title, keys) in zip(axes.flat, panels, strict=True):
        for key in keys:
            d = b[b["key"] == key]
            x = pd.PeriodIndex(d["date"], freq="M").to_timestamp()
            (line,) = ax.plot(x, d["median"], label=key.replace("_open_share", ""))
            ax.fill_between(x, d["lo"], d["hi"], color=line.get_color(), alpha=0.2)
        ax.set_title(title)
        if "price" in title:
            ax.set_yscale("log")
        if len(keys) > 1:
            ax.legend(fontsize=7)
        ax.tick_params(axis="x", labelrotation=30)
    fig.suptitle("Forecast 2025-2026 (median and 90% band over posterior draws x seeds)")
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=110)
    return out
