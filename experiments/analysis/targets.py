"""Calibration targets: stylized facts dated up to the end of 2024 and how to measure them.

Twelve **bands** (:data:`BANDS`) say what the calibrated ``timeline`` must look like at the
end of 2024. Each band is made of one or more measured **quantities** (:class:`Target`),
each naming a row of ``docs/facts.md`` ("SF #n"), the published figure, an acceptance
band and a function that measures the same quantity on one run's frames
(``market_frame()``, ``segment_frame()``, ``vendor_frame()``). A band is hit when the mean
over seeds of each of its quantities lies inside that quantity's band. The months are the
``timeline`` scenario's first 24 (January 2023 to December 2024).

:data:`BACKTEST` holds the same kind of quantities dated 2023 (end-2023 levels and 2023
totals), for the backtest: calibrate on 2023, predict 2024.

Measurement functions take plain DataFrames with a ``date`` column (as the model's frames
have), so they can be checked on synthetic frames with known answers.

A miss is normalized so that the acceptance band maps to [-1, 1]: below the figure it is
``(f(value) - f(figure)) / (f(figure) - f(lo))`` and above it
``(f(value) - f(figure)) / (f(hi) - f(figure))``, with ``f = log`` for ratios and the
identity otherwise.
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
#: The named vendors of the ``timeline`` (the API-share and survival bands).
NAMED = ("openai", "anthropic", "google", "meta", "mistral")
#: Segments that stand for an API router's users (price-sensitive developers).
ROUTER_SEGMENTS = ("startup", "hobbyist")
#: The calibration window: the timeline's first 24 months.
WINDOW = ("2023-01", "2024-12")
FIT_MONTHS = 24


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


def _month(df: pd.DataFrame, month: str) -> pd.DataFrame:
    return _between(df, month, month)


def _year(df: pd.DataFrame, year: int) -> pd.DataFrame:
    return _between(df, f"{year}-01", f"{year}-12")


def _months(dates: pd.Series) -> np.ndarray:
    """Months since 1970-01 as floats (for slopes and interpolation)."""
    d = pd.to_datetime(dates)
    return ((d.dt.year - 1970) * 12 + (d.dt.month - 1)).to_numpy(dtype=float)


# -- measurement functions ------------------------------------------------------------------
def annual_price_fall(market: pd.DataFrame, start: str = "2024-01", end: str = "2024-12"):
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


def capability_lag_months(
    market: pd.DataFrame, period: tuple[str, str] = ("2024-12", "2024-12"), start: str = WINDOW[0]
) -> float:
    """Open-vs-closed lag in months: for each month of ``period``, how long ago the closed
    frontier first reached the open frontier's level that month (Epoch AI's definition,
    SF #3); the mean over the period's months.

    The closed frontier is its running maximum from ``start`` to the period's end. An open
    level below the closed frontier's first value is dated by extrapolating backwards at
    the closed frontier's mean growth over its first 12 months. Months with no open model
    are skipped; NaN if there are none.
    """
    df = _between(market, start, period[1])
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
    return float(np.mean(lags)) if lags else float("nan")


def frontier_gain(market: pd.DataFrame, year: int = 2024) -> float:
    """Frontier-years the closed frontier gained over ``year``: December's level less the
    previous December's (for the first year of a run, the gain since its first month,
    scaled to twelve months)."""
    df = _between(market, f"{year - 1}-12", f"{year}-12")
    if len(df) < 2:
        return float("nan")
    closed = df["closed_frontier"].to_numpy(dtype=float)
    t = _months(df["date"])
    return float((closed[-1] - closed[0]) * 12.0 / (t[-1] - t[0]))


def segment_open_share(segments: pd.DataFrame, names: Sequence[str], month: str = "2024-12"):
    """Open weights' share of the tokens bought in ``month`` by the developers of the
    segments ``names`` (token-weighted across segments); NaN if they bought none."""
    df = _month(segments, month)
    df = df[df["segment"].isin(list(names))]
    tokens = df["tokens"].to_numpy(dtype=float)
    if tokens.sum() <= 0:
        return float("nan")
    return float((tokens * df["open_token_share"].to_numpy(dtype=float)).sum() / tokens.sum())


def price_ratio(market: pd.DataFrame, month: str = "2024-12") -> float:
    """Closed over open mean price (token-weighted) in ``month``; NaN without open tokens."""
    df = _month(market, month)
    if not len(df) or float(df["open_price"].iloc[0]) <= 0:
        return float("nan")
    return float(df["closed_price"].iloc[0] / df["open_price"].iloc[0])


def vc_volume(vendors: pd.DataFrame, year: int = 2024) -> float:
    """Money raised by all vendors in ``year`` (VC and strategic rounds), $B."""
    return float(_year(vendors, year)["funding"].sum()) / 1000.0


def vc_top2_share(vendors: pd.DataFrame, start: str = "2023-01", end: str = "2023-12"):
    """Share of the money raised over [start, end] that went to the two largest
    recipients; a run in which two or fewer vendors raised money counts as 1."""
    df = _between(vendors, start, end)
    by_vendor = df.groupby("vendor")["funding"].sum()
    by_vendor = by_vendor[by_vendor > 0].sort_values(ascending=False)
    if len(by_vendor) <= 2:
        return 1.0
    return float(by_vendor.iloc[:2].sum() / by_vendor.sum())


def vc_open_share(vendors: pd.DataFrame, start: str = WINDOW[0], end: str = WINDOW[1]):
    """Share of the money raised over [start, end] by vendors releasing open weights
    (their policy in the month they raised it). NaN when none flowed."""
    df = _between(vendors, start, end)
    total = df["funding"].sum()
    if total <= 0:
        return float("nan")
    return float(df.loc[df["policy"].isin(OPEN_POLICIES), "funding"].sum() / total)


def api_share(vendors: pd.DataFrame, vendor: str, year: int = 2024) -> float:
    """``vendor``'s share of the named vendors' API revenue in ``year`` (NaN if none)."""
    df = _year(vendors, year)
    df = df[df["vendor"].isin(NAMED)]
    total = df["api_revenue"].sum()
    if total <= 0:
        return float("nan")
    return float(df.loc[df["vendor"] == vendor, "api_revenue"].sum() / total)


def api_shift(vendors: pd.DataFrame, vendor: str, year: int = 2024) -> float:
    """Change of ``vendor``'s API-revenue share from the year before to ``year``."""
    return api_share(vendors, vendor, year) - api_share(vendors, vendor, year - 1)


def model_revenue(vendors: pd.DataFrame, year: int = 2024, vendor: str | None = None) -> float:
    """Model revenue in ``year``, $B: all vendors' (or ``vendor``'s) API revenue, which
    stands for all of a lab's model revenue (docs/ODD.md section 10)."""
    df = _year(vendors, year)
    if vendor is not None:
        df = df[df["vendor"] == vendor]
    return float(df["api_revenue"].sum()) / 1000.0


def revenue_growth(vendors: pd.DataFrame, year: int = 2024) -> float:
    """All vendors' model revenue in ``year`` over the year before (NaN without any)."""
    before = model_revenue(vendors, year - 1)
    return model_revenue(vendors, year) / before if before > 0 else float("nan")


def named_alive(vendors: pd.DataFrame, month: str = "2024-12") -> float:
    """1 if every named vendor is still in the market in ``month``, else 0."""
    present = set(_month(vendors, month)["vendor"])
    return float(all(name in present for name in NAMED))


# -- targets --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Target:
    """A measured quantity with a published figure and an acceptance band."""

    key: str
    band: str  # the band (of BANDS) it belongs to
    name: str
    sf: int  # row of the table in docs/facts.md
    figure: str  # the published figure, as text
    value: float  # the figure in the model's terms (the centre of the miss)
    lo: float
    hi: float
    unit: str
    measure: Callable[[Frames], float] = field(repr=False)
    log: bool = False  # misses on a log scale (ratios)
    how: str = ""  # how it is measured (for the report)

    def miss(self, value: float) -> float:
        """Normalized miss: the acceptance band maps to [-1, 1]; NaN stays NaN."""
        if not math.isfinite(value) or (self.log and value <= 0):
            return float("nan")
        f = math.log if self.log else float
        gap = f(value) - f(self.value)
        if gap == 0:
            return 0.0
        edge = f(self.lo) if gap < 0 else f(self.hi)
        span = abs(edge - f(self.value))
        return gap / span if span > 0 else math.copysign(math.inf, gap)

    def hit(self, value: float) -> bool:
        return math.isfinite(value) and self.lo <= value <= self.hi

    def band_text(self) -> str:
        return f"{self.lo:g} to {self.hi:g}"


def _t(key, band, name, sf, figure, value, lo, hi, unit, measure, how, log=False) -> Target:
    return Target(key, band, name, sf, figure, value, lo, hi, unit, measure, log, how)


#: The twelve bands of the end-2024 calibration (quantities of the same band share it).
TARGETS: tuple[Target, ...] = (
    _t("router_open_share", "router_open_share", "open share of router-like tokens", 15,
       "closed models about 80% of API-router tokens (2024-25; a wide 2024 band)", 0.2, 0.1,
       0.3, "share", lambda f: segment_open_share(f.segments, ROUTER_SEGMENTS),
       "open weights' share of the tokens startups and hobbyists bought in Dec 2024"),
    _t("enterprise_open_share", "enterprise_open_share", "open share of enterprise tokens",
       5, "open models 19% of enterprise workloads (2024)", 0.19, 0.13, 0.25, "share",
       lambda f: segment_open_share(f.segments, ("enterprise",)),
       "the enterprise segment's open token share in Dec 2024"),
    _t("price_ratio", "price_ratio", "closed / open mean price", 4,
       "$1.86 vs $0.23 per million tokens (2024-25; a wide 2024 band)", 6.0, 4.0, 10.0, "x",
       lambda f: price_ratio(f.market), "closed over open token-weighted price, Dec 2024",
       log=True),
    _t("price_fall", "price_fall", "price of a fixed capability falls", 1,
       "about 10x a year (2021-2024)", 10.0, 3.0, 30.0, "x a year",
       lambda f: annual_price_fall(f.market),
       "exp(-12 x least-squares slope of log `fixed_capability_price`), 2024", log=True),
    _t("capability_lag", "capability_lag", "open-closed capability lag", 3,
       "best open model about a year behind the closed frontier", 12.0, 6.0, 18.0, "months",
       lambda f: capability_lag_months(f.market),
       "months since the closed frontier first reached the Dec 2024 open frontier"),
    _t("frontier_gain", "frontier_gain", "closed frontier's progress over 2024", 10,
       "frontier spend and capability kept their historical pace in 2024", 1.0, 0.7, 1.3,
       "frontier-years", lambda f: frontier_gain(f.market),
       "closed frontier in Dec 2024 less Dec 2023"),
    _t("vc_volume", "vc_volume", "money raised by model vendors in 2024", 8,
       "about $26B to foundation models in 2024", 26.0, 13.0, 52.0, "$B",
       lambda f: vc_volume(f.vendors), "VC and strategic rounds over 2024", log=True),
    _t("vc_open_share", "vc_open_share", "open vendors' share of money raised", 9,
       "$14.9B open vs $37.5B closed since 2020: about 28%", 0.28, 0.15, 0.40, "share",
       lambda f: vc_open_share(f.vendors), "vendors releasing weights, 2023-24"),
    _t("vc_top2_share", "vc_top2_share", "top two vendors' share of 2023 money", 9,
       "about 86% of 2023 generative-AI VC to two firms", 0.86, 0.70, 0.95, "share",
       lambda f: vc_top2_share(f.vendors), "2023; two or fewer funded vendors count as 1"),
    _t("openai_api_share", "api_shares", "OpenAI-like share of named API revenue, 2024", 16,
       "OpenAI 34% of enterprise LLM API spend (2024)", 0.34, 0.24, 0.44, "share",
       lambda f: api_share(f.vendors, "openai"), "of the named vendors' API revenue, 2024"),
    _t("anthropic_api_share", "api_shares", "Anthropic-like share of named API revenue, 2024",
       16, "Anthropic 24% of enterprise LLM API spend (2024)", 0.24, 0.14, 0.34, "share",
       lambda f: api_share(f.vendors, "anthropic"), "of the named vendors' API revenue, 2024"),
    _t("openai_api_shift", "api_shares", "OpenAI-like share, 2024 less 2023", 16,
       "50% (2023) to 34% (2024)", -0.16, -0.5, -0.005, "share",
       lambda f: api_shift(f.vendors, "openai"), "must fall (by at least half a point)"),
    _t("anthropic_api_shift", "api_shares", "Anthropic-like share, 2024 less 2023", 16,
       "12% (2023) to 24% (2024)", 0.12, 0.005, 0.5, "share",
       lambda f: api_shift(f.vendors, "anthropic"), "must rise (by at least half a point)"),
    _t("model_revenue", "revenue_scale", "all vendors' model revenue, 2024", 6,
       "all enterprise generative-AI spend was $13.8B in 2024 (models are part of it)", 7.0,
       1.4, 14.0, "$B", lambda f: model_revenue(f.vendors),
       "sum of API revenue over 2024 (at most $14B; the floor is a tenth of that)", log=True),
    _t("revenue_growth", "revenue_scale", "model revenue, 2024 over 2023", 6,
       "enterprise generative-AI spend grew about 6x from 2023 to 2024", 6.0, 3.0, 10.0, "x",
       lambda f: revenue_growth(f.vendors), "2024 API revenue over 2023's", log=True),
    _t("openai_revenue", "revenue_scale", "OpenAI-like model revenue, 2024", 20,
       "OpenAI expected about $3.7B of revenue for 2024", 3.7, 2.0, 6.0, "$B",
       lambda f: model_revenue(f.vendors, vendor="openai"), "its API revenue over 2024",
       log=True),
    _t("anthropic_revenue", "revenue_scale", "Anthropic-like model revenue, 2024", 20,
       "Anthropic: well under $1B of annual revenue (2024)", 0.5, 0.05, 1.0, "$B",
       lambda f: model_revenue(f.vendors, vendor="anthropic"),
       "its API revenue over 2024 (below $1B; the floor is not binding)", log=True),
    _t("named_alive", "named_alive", "every named vendor in the market, Dec 2024", 14,
       "OpenAI, Anthropic, Google, Meta and Mistral all sold models through 2024", 1.0, 0.9,
       1.0, "share of seeds", lambda f: named_alive(f.vendors),
       "1 if all five named vendors are present in Dec 2024 (mean: share of seeds)"),
)  # fmt: skip

#: The bands in order, each with its quantities' keys.
BANDS: dict[str, tuple[str, ...]] = {}
for _target in TARGETS:
    BANDS[_target.band] = (*BANDS.get(_target.band, ()), _target.key)

#: End-2023 levels and 2023 totals, for the backtest (calibrate on 2023, predict 2024).
BACKTEST: tuple[Target, ...] = (
    _t("price_fall_2023", "price_fall", "price of a fixed capability falls, 2023", 1,
       "about 10x a year (2021-2024)", 10.0, 3.0, 30.0, "x a year",
       lambda f: annual_price_fall(f.market, "2023-01", "2023-12"), "as price_fall, 2023",
       log=True),
    _t("frontier_gain_2023", "frontier_gain", "closed frontier's progress over 2023", 10,
       "historical pace", 1.0, 0.7, 1.3, "frontier-years",
       lambda f: frontier_gain(f.market, 2023), "Dec 2023 less Jan 2023, scaled to a year"),
    _t("capability_lag_2023", "capability_lag", "open-closed lag, Dec 2023", 3,
       "best open model about a year behind", 12.0, 6.0, 18.0, "months",
       lambda f: capability_lag_months(f.market, ("2023-12", "2023-12")),
       "as capability_lag, Dec 2023"),
    _t("vc_top2_share_2023", "vc_top2_share", "top two vendors' share of 2023 money", 9,
       "about 86% to two firms", 0.86, 0.70, 0.95, "share",
       lambda f: vc_top2_share(f.vendors), "as vc_top2_share"),
    _t("openai_api_share_2023", "api_shares", "OpenAI-like share of named API revenue, 2023",
       16, "OpenAI 50% (2023)", 0.50, 0.40, 0.60, "share",
       lambda f: api_share(f.vendors, "openai", 2023), "as openai_api_share, 2023"),
    _t("anthropic_api_share_2023", "api_shares", "Anthropic-like share, 2023", 16,
       "Anthropic 12% (2023)", 0.12, 0.04, 0.22, "share",
       lambda f: api_share(f.vendors, "anthropic", 2023), "as anthropic_api_share, 2023"),
    _t("named_alive_2023", "named_alive", "every named vendor in the market, Dec 2023", 14,
       "all five sold models through 2023", 1.0, 0.9, 1.0, "share of seeds",
       lambda f: named_alive(f.vendors, "2023-12"), "as named_alive, Dec 2023"),
)  # fmt: skip


def by_key(key: str) -> Target:
    for target in (*TARGETS, *BACKTEST):
        if target.key == key:
            return target
    known = ", ".join(t.key for t in (*TARGETS, *BACKTEST))
    raise KeyError(f"no target {key!r}; choose one of: {known}")


def measure_all(frames: Frames, targets: Sequence[Target] = TARGETS) -> dict[str, float]:
    """Every target's value on one run."""
    return {t.key: t.measure(frames) for t in targets}


def band_hits(means: dict[str, float], targets: Sequence[Target] = TARGETS) -> dict[str, bool]:
    """Per band: whether every one of its quantities' means lies in its band."""
    hits: dict[str, bool] = {}
    for t in targets:
        hits[t.band] = hits.get(t.band, True) and t.hit(means.get(t.key, float("nan")))
    return hits
