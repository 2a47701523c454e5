"""Calibration targets: stylized facts dated up to the end of 2024 and how to measure them.

Each :class:`Target` names a row of the table in ``docs/facts.md`` ("SF #n"), the
published figure, an acceptance band, and a function that measures the same quantity on
one run's frames (``market_frame()``, ``segment_frame()``, ``vendor_frame()``). They are
measured on the ``timeline`` scenario's first 24 months (January 2023 to December 2024),
which replays history and inherits every baseline default.

Measurement functions take plain DataFrames with a ``date`` column (as the model's frames
have), so they can be checked on synthetic frames with known answers.

A miss is normalized so that the acceptance band maps to [-1, 1]: below the target it is
``(f(value) - f(target)) / (f(target) - f(lo))`` and above it
``(f(value) - f(target)) / (f(hi) - f(target))``, with ``f = log`` for ratios and the
identity otherwise. A one-sided target (no upper bound) has no miss above its figure.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from aimarket.simulation.policies import POLICIES

#: Release policies whose vendor publishes open weights (for the open share of VC).
OPEN_POLICIES: frozenset[str] = frozenset(p.name for p in POLICIES if p.releases_weights)

#: The calibration window: the timeline's first 24 months.
WINDOW = ("2023-01", "2024-12")
FIT_YEAR = 2024


@dataclass(frozen=True)
class Frames:
    """One run's outputs: market, segment and vendor frames (each with a ``date``)."""

    market: pd.DataFrame
    segments: pd.DataFrame
    vendors: pd.DataFrame

    @classmethod
    def of(cls, model) -> Frames:
        return cls(model.market_frame(), model.segment_frame(), model.vendor_frame())


# -- helpers --------------------------------------------------------------------------------
def _between(df: pd.DataFrame, start: str, end: str) -> pd.DataFrame:
    dates = pd.to_datetime(df["date"])
    lo = pd.Period(start, freq="M").to_timestamp()
    hi = pd.Period(end, freq="M").to_timestamp()
    return df[(dates >= lo) & (dates <= hi)]


def _year(df: pd.DataFrame, year: int) -> pd.DataFrame:
    return df[pd.to_datetime(df["date"]).dt.year == year]


def _months(dates: pd.Series) -> np.ndarray:
    """Months since 1970-01 as floats (for slopes and interpolation)."""
    d = pd.to_datetime(dates)
    return ((d.dt.year - 1970) * 12 + (d.dt.month - 1)).to_numpy(dtype=float)


# -- measurement functions ------------------------------------------------------------------
def annual_price_fall(market: pd.DataFrame, start: str = WINDOW[0], end: str = WINDOW[1]) -> float:
    """Annualized fall factor of ``fixed_capability_price`` over [start, end].

    The least-squares slope b of log(price) on months gives ``exp(-12 b)``: a path that
    falls exactly 10x a year gives 10. Months with a zero price are skipped. NaN if fewer
    than two priced months.
    """
    df = _between(market, start, end)
    price = df["fixed_capability_price"].to_numpy(dtype=float)
    ok = price > 0
    if ok.sum() < 2:
        return float("nan")
    slope = np.polyfit(_months(df["date"])[ok], np.log(price[ok]), 1)[0]
    return float(math.exp(-12.0 * slope))


def _reach_time(t: np.ndarray, closed: np.ndarray, level: float, back_slope: float) -> float:
    """First month at which the (non-decreasing) closed frontier reached ``level``;
    linear interpolation inside the path, linear extrapolation before its start."""
    if level <= closed[0]:
        if back_slope <= 0:
            return float("nan")
        return float(t[0] - (closed[0] - level) / back_slope)
    above = np.flatnonzero(closed >= level)
    if above.size == 0:
        return float("nan")
    k = int(above[0])
    c0, c1 = closed[k - 1], closed[k]
    frac = (level - c0) / (c1 - c0) if c1 > c0 else 1.0
    return float(t[k - 1] + frac * (t[k] - t[k - 1]))


def capability_lag_years(
    market: pd.DataFrame,
    period: tuple[str, str] = (f"{FIT_YEAR}-01", f"{FIT_YEAR}-12"),
    start: str = WINDOW[0],
    end: str = WINDOW[1],
) -> float:
    """Open-vs-closed lag in years: for each month of ``period``, how long ago the closed
    frontier first reached the open frontier's level that month (Epoch AI's definition,
    SF #3); the mean over the period's months.

    The closed frontier is taken as its running maximum over [start, end]. An open level
    below the closed frontier's first value is dated by extrapolating backwards at the
    closed frontier's mean growth rate over the window's first 12 months. Months with no
    open model are skipped; NaN if there are none.
    """
    df = _between(market, start, end)
    t = _months(df["date"])
    closed = np.maximum.accumulate(df["closed_frontier"].to_numpy(dtype=float))
    first = t <= t[0] + 12
    span = t[first][-1] - t[0]
    back_slope = (closed[first][-1] - closed[0]) / span if span > 0 else 0.0
    first_month, last_month = _months(pd.Series(pd.to_datetime(list(period))))
    lags = []
    for ti, level in zip(t, df["open_frontier"].to_numpy(dtype=float), strict=True):
        if ti < first_month or ti > last_month or level <= 0:
            continue
        reach = _reach_time(t, closed, level, back_slope)
        lags.append(ti - reach if math.isfinite(reach) else 0.0)
    return float(np.mean(lags) / 12.0) if lags else float("nan")


def gap_over_growth_years(market: pd.DataFrame, year: int = FIT_YEAR) -> float:
    """Alternative lag (a diagnostic, not fitted): the year's mean capability gap divided
    by the closed frontier's growth over the year (frontier-years per year)."""
    df = _year(market, year)
    if len(df) < 2:
        return float("nan")
    t = _months(df["date"])
    growth = (df["closed_frontier"].iloc[-1] - df["closed_frontier"].iloc[0]) / (t[-1] - t[0])
    if growth <= 0:
        return float("nan")
    return float(df["capability_gap"].mean() / (12.0 * growth))


def segment_open_share(segments: pd.DataFrame, segment: str = "enterprise", year: int = FIT_YEAR):
    """Mean monthly ``open_token_share`` of one developer segment over ``year``."""
    df = _year(segments[segments["segment"] == segment], year)
    return float(df["open_token_share"].mean()) if len(df) else float("nan")


def price_ratio(market: pd.DataFrame, year: int = FIT_YEAR) -> float:
    """Closed/open mean price ratio: the year's mean ``closed_price`` over its mean
    ``open_price`` (Nagle & Yue compare mean prices, SF #4)."""
    df = _year(market, year)
    open_mean = df["open_price"].mean()
    if not len(df) or open_mean <= 0:
        return float("nan")
    return float(df["closed_price"].mean() / open_mean)


def _funding(vendors: pd.DataFrame, start: str, end: str) -> pd.DataFrame:
    df = _between(vendors, start, end)
    return df[df["funding"] > 0]


#: Fewest funded vendors for which a top-2 share says anything (with two it is 1).
MIN_RECIPIENTS = 3


def vc_top2_share(
    vendors: pd.DataFrame,
    start: str = WINDOW[0],
    end: str = WINDOW[1],
    min_recipients: int = MIN_RECIPIENTS,
) -> float:
    """Share of all VC funding over [start, end] that went to the two largest recipients.

    NaN when fewer than ``min_recipients`` vendors raised money: with one or two
    recipients the share is 1 by construction, which is not concentration in a market."""
    df = _funding(vendors, start, end)
    by_vendor = df.groupby("vendor")["funding"].sum().sort_values(ascending=False)
    if len(by_vendor) < min_recipients:
        return float("nan")
    return float(by_vendor.iloc[:2].sum() / by_vendor.sum())


def vc_volume(vendors: pd.DataFrame, year: int = FIT_YEAR) -> float:
    """VC money raised by all vendors in ``year`` ($M)."""
    return float(_year(vendors, year)["funding"].sum())


def vc_open_share(vendors: pd.DataFrame, start: str = WINDOW[0], end: str = WINDOW[1]) -> float:
    """Share of VC funding over [start, end] raised by vendors releasing open weights
    (policy open, open_lagged or open_then_closed when funded). NaN when none flowed."""
    df = _funding(vendors, start, end)
    total = df["funding"].sum()
    if total <= 0:
        return float("nan")
    return float(df.loc[df["policy"].isin(OPEN_POLICIES), "funding"].sum() / total)


# -- targets --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Target:
    """A stylized fact as a calibration target."""

    key: str
    name: str
    sf: int  # row of the table in docs/facts.md
    source: str
    date: str
    figure: str  # the published figure, as text
    value: float  # the figure as a number in the model's terms
    lo: float  # acceptance band
    hi: float  # math.inf: one-sided (no upper bound)
    measure: Callable[[Frames], float] = field(repr=False)
    log: bool = False  # misses on a log scale (ratios)
    fit: bool = True  # in the objective
    how: str = ""  # how it is measured (for the report)

    def miss(self, value: float) -> float:
        """Normalized miss: the acceptance band maps to [-1, 1]; NaN stays NaN."""
        if not math.isfinite(value) or (self.log and value <= 0):
            return float("nan")
        f = math.log if self.log else float
        if value < self.value:
            return (f(value) - f(self.value)) / (f(self.value) - f(self.lo))
        if not math.isfinite(self.hi):
            return 0.0
        return (f(value) - f(self.value)) / (f(self.hi) - f(self.value))

    def hit(self, value: float) -> bool:
        return math.isfinite(value) and self.lo <= value <= self.hi

    def band(self) -> str:
        return f">= {self.lo:g}" if not math.isfinite(self.hi) else f"{self.lo:g} to {self.hi:g}"


TARGETS: tuple[Target, ...] = (
    Target(
        key="price_fall",
        name="price of a fixed capability level falls (LLMflation)",
        sf=1,
        source='a16z, "LLMflation"',
        date="2024-11",
        figure="about 10x cheaper per year",
        value=10.0,
        lo=5.0,
        hi=40.0,
        log=True,
        measure=lambda f: annual_price_fall(f.market),
        how="annualized fall of `fixed_capability_price` (reference capability 1.0, GPT-4 "
        "class), exp(-12 x least-squares slope of log price per month), Jan 2023 to Dec 2024",
    ),
    Target(
        key="capability_lag",
        name="open-vs-closed capability lag (years)",
        sf=3,
        source="Epoch AI, open models report",
        date="2024-11",
        figure="best open model about 1 year behind the closed frontier",
        value=1.0,
        lo=0.75,
        hi=1.5,
        log=True,
        measure=lambda f: capability_lag_years(f.market),
        how="for each month of 2024, the time since the closed frontier (running max) first "
        "reached that month's open frontier (interpolated; extrapolated before Jan 2023 at "
        "the closed frontier's 2023 growth rate); mean over 2024",
    ),
    Target(
        key="enterprise_open_share",
        name="open models' share of enterprise workloads",
        sf=5,
        source='Menlo Ventures, "2024: The State of Generative AI in the Enterprise"',
        date="2024-11",
        figure="open 19%, closed 81% (2024)",
        value=0.19,
        lo=0.12,
        hi=0.26,
        measure=lambda f: segment_open_share(f.segments, "enterprise"),
        how="enterprise segment's `open_token_share`, mean over 2024",
    ),
    Target(
        key="price_ratio",
        name="closed/open mean price ratio",
        sf=4,
        source='Nagle & Yue, "The Latent Role of Open Models in the AI Economy" (SSRN 5767103)',
        date="2024-2025",
        figure="$1.86 vs $0.23 per M tokens: about 6 to 8",
        value=7.0,
        lo=5.0,
        hi=10.0,
        log=True,
        measure=lambda f: price_ratio(f.market),
        how="2024 mean of `closed_price` over 2024 mean of `open_price` (token-weighted)",
    ),
    Target(
        key="vc_top2_share",
        name="VC concentration: top-2 recipients' share",
        sf=9,
        source="Axios (via CB Insights)",
        date="2023",
        figure="about 86% of 2023 generative-AI VC to two firms",
        value=0.86,
        lo=0.70,
        hi=math.inf,
        measure=lambda f: vc_top2_share(f.vendors),
        how="two largest recipients' share of `vendor_frame().funding`, Jan 2023 to Dec 2024; "
        "undefined in a run where fewer than 3 vendors raised money (the share would be 1 "
        "by construction), and such runs are left out of the mean",
    ),
    Target(
        key="vc_open_share",
        name="open-model developers' share of VC",
        sf=9,
        source="CB Insights",
        date="2024 (since 2020)",
        figure="$14.9B open vs $37.5B closed: about 28%",
        value=0.28,
        lo=0.15,
        hi=0.40,
        measure=lambda f: vc_open_share(f.vendors),
        how="funding raised by vendors whose policy is open, open_lagged or open_then_closed "
        "when funded, over all funding, Jan 2023 to Dec 2024",
    ),
    Target(
        key="vc_volume",
        name="VC into foundation models in 2024 ($M), diagnostic",
        sf=8,
        source="PitchBook via press; Crunchbase via summaries",
        date="2025-01",
        figure="US AI VC $97B in 2024, foundation models 27% of AI funding: about $26B",
        value=26_000.0,
        lo=10_000.0,
        hi=50_000.0,
        log=True,
        fit=False,
        measure=lambda f: vc_volume(f.vendors),
        how="sum of `vendor_frame().funding` over 2024 ($M); not fitted (no fitted parameter "
        "sets the VCs' capital), reported as a check on the VC targets' scale",
    ),
)


def by_key(key: str) -> Target:
    for target in TARGETS:
        if target.key == key:
            return target
    raise KeyError(f"no target {key!r}; choose one of: {', '.join(t.key for t in TARGETS)}")


def measure_all(frames: Frames, targets: Sequence[Target] = TARGETS) -> dict[str, float]:
    """Every target's value on one run."""
    return {t.key: t.measure(frames) for t in targets}
