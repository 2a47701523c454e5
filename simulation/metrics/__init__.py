"""What the model measures, once a month: the registries of metrics.

Each metric is one :class:`Metric` record: its name, unit, label and meaning, how it is
computed, and (optionally) the outcome a sweep derives from it. Three registries hold
them: :data:`MARKET` (one row per month), :data:`VENDORS` (one row per month per vendor
in the market) and :data:`SEGMENTS` (one row per month per developer segment). The
model's data collection, the ODD's metric tables, the units and labels of reports and
figures, and the sweeps' built-in outcomes are all read from these records; adding a
metric is one module in this package (or one ``MARKET.add(...)`` from outside) and a
test, see docs/extending.md.

Every metric is a finite number but one: where a quantity has a natural fallback (say,
the mean open price when no open model exists) its record states it; the closed margin
of a month with no closed sales has none and is NaN (undefined), which reports show.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from aimarket.agents.vendor import Vendor
from aimarket.simulation.mechanics import calendar, choice
from aimarket.simulation.metrics._records import Collector, sort_order, take
from aimarket.simulation.registry import Registry

if TYPE_CHECKING:
    from aimarket.simulation.model import MarketModel

#: How a sweep turns a market metric's monthly series into one outcome per run.
AGGREGATIONS = ("final", "late", "total", "max_abs")
#: Months at the end of a run over which "late" outcomes are averaged.
LATE_MONTHS = 12


@dataclass(frozen=True)
class Metric:
    """One measured quantity. ``compute`` takes a :class:`Month` (market metrics: a
    number; segment metrics: an array over segments); vendor metrics read the vendor's
    attribute ``name``. ``outcome``: (outcome name, aggregation, outcome unit) if sweeps
    should report it by default."""

    name: str
    unit: str
    label: str
    doc: str
    compute: Callable[[Month], Any] | None = None
    outcome: tuple[str, str, str] | None = None
    summary: bool = False  # shown in a run's printed summary


MARKET: Registry[Metric] = Registry("market metric", __name__)
VENDORS: Registry[Metric] = Registry("vendor metric", __name__)
SEGMENTS: Registry[Metric] = Registry("segment metric", __name__)


class Month:
    """What this month's metrics read: the model, and quantities several metrics share,
    computed once."""

    def __init__(self, model: MarketModel):
        self.model = model
        p = model.products
        n = p.n
        self.available, self.is_open = p.available[:n], p.is_open[:n]
        self.price, self.cost, self.tokens = p.price[:n], p.cost[:n], p.tokens[:n]
        self.capability, self.developers = p.capability[:n], p.developers[:n]
        self.vendor = p.vendor[:n]
        self.closed = self.available & ~self.is_open
        self.opened = self.available & self.is_open
        self.total = float(self.tokens.sum())
        self.adopters = max(model.developers.adopters, 1)
        # every vendor in the market this month, including one that exited at its end
        self.present = list(model.vendor_agents)

    @functools.cached_property
    def orphaned(self) -> np.ndarray:
        """Products of vendors with no row in the vendor table this month (they left)."""
        if len(self.present) == len(self.model.vendor_list):  # nobody left yet
            return np.zeros(len(self.vendor), dtype=bool)
        listed = np.zeros(len(self.model.vendor_list), dtype=bool)
        listed[[v.index for v in self.present]] = True
        return ~listed[self.vendor]

    @functools.cached_property
    def platforms(self) -> list[Vendor]:
        """Platform vendors, exited ones included."""
        return [v for v in self.model.vendor_list if v.business_model == "platform"]

    @functools.cached_property
    def closed_frontier(self) -> float:
        """``model.frontier(is_open=False)``, from this month's arrays."""
        return float(self.capability[self.closed].max()) if self.closed.any() else 0.0

    @functools.cached_property
    def open_frontier(self) -> float:
        """``model.frontier(is_open=True)``, from this month's arrays."""
        return float(self.capability[self.opened].max()) if self.opened.any() else 0.0

    @functools.cached_property
    def segment_tokens(self) -> np.ndarray:
        """Tokens bought by segment (segments, products) and their sums by segment."""
        return self.model.developers.segment_tokens[:, : len(self.vendor)]

    @functools.cached_property
    def segment_total(self) -> np.ndarray:
        return self.segment_tokens.sum(axis=1)

    def share(self, mask: np.ndarray) -> float:
        """Share of this month's tokens on the products in ``mask`` (0 if none sold)."""
        return float(self.tokens[mask].sum() / self.total) if self.total > 0 else 0.0

    @functools.cached_property
    def surplus(self) -> np.ndarray:
        """Logit log-sum surplus over the outside option by segment, $M/month."""
        dev = self.model.developers
        by_group = self.group_surplus
        return by_group if dev.n_groups == len(dev.segment_names) else dev.by_segment(by_group)

    @functools.cached_property
    def group_surplus(self) -> np.ndarray:
        """The same by developer group (segment, type, home cloud)."""
        model = self.model
        dev = model.developers
        logsum = choice.log_sum(model.mean_utilities(), dev.outside_utilities())
        # a_s is utility per dollar per reference token, and the segment weights are
        # volumes at the reference price: B(p) is the exact compensating variation
        dollars_per_util = 1.0 / np.maximum(model.price_weights(), 1e-12)
        # no surplus where nothing can be chosen (no model and no outside option)
        gain = np.where(np.isfinite(logsum), (logsum - dev.outside) * dollars_per_util, 0.0)
        return dev.segment_weights() * gain


def collector(model: MarketModel, values: dict[str, Any]) -> Collector:
    """The model's ``datacollector`` for the registered metrics (Mesa's DataCollector
    interface, its records in arrays, :class:`~aimarket.simulation.metrics._records.Collector`):
    market metrics are read from ``values`` (filled by :func:`measure` each month),
    vendor metrics from the vendors' attributes, segment metrics are the rows of the
    ``segments`` table. The vendor metrics are also Mesa's agent reporters, for
    ``get_agent_vars_dataframe()`` (one row per agent and month, ``kind`` names its
    class; clouds and VCs have no vendor metrics); the model's own frames read the
    per-type records."""
    return Collector(
        values,
        MARKET.names(),
        VENDORS.names(),
        SEGMENTS.names(),
        Vendor,
        model.scenario.steps,
    )


def measure(model: MarketModel, values: dict[str, Any]) -> None:
    """This month's market metrics into ``values``, and the segment metrics (one row per
    segment) into the model's ``datacollector``."""
    month = Month(model)
    for metric in MARKET:
        values[metric.name] = metric.compute(month)
    columns = [m.compute(month) for m in SEGMENTS]
    model.datacollector.add_segments(int(model.steps), model.developers.segment_names, columns)


def market_frame(model: MarketModel) -> pd.DataFrame:
    columns = model.datacollector.market.frame()
    steps = pd.Series(np.arange(1, model.datacollector.market.n + 1))
    return pd.DataFrame({"step": steps, "date": _dates(model, steps), **columns})


def segment_frame(model: MarketModel) -> pd.DataFrame:
    collector = model.datacollector
    if not collector.segments.n:  # no month: the columns pandas makes of empty lists
        df = collector.get_table_dataframe("segments")
        df.insert(1, "date", _dates(model, df["step"]))
        return df
    columns = collector.segment_columns()
    steps = pd.Series(columns.pop("step"))
    return pd.DataFrame({"step": steps, "date": _dates(model, steps), **columns})


def vendor_frame(model: MarketModel) -> pd.DataFrame:
    """One row per month per vendor scheduled, by month then vendor name."""
    collector = model.datacollector
    if not collector.vendors.n:
        names = [m.name for m in VENDORS]
        return pd.DataFrame(columns=["step", "date", "vendor", *names[1:]])
    renamed = {"Step": "step", "name": "vendor"}
    columns = {renamed.get(k, k): v for k, v in collector.vendor_columns().items()}
    del columns["AgentID"]
    order = sort_order(columns["step"], columns["vendor"])
    if order is not None:
        columns = {k: take(v, order) for k, v in columns.items()}
    steps = pd.Series(columns.pop("step"))
    df = pd.DataFrame({"step": steps, "date": _dates(model, steps), **columns})
    if order is None:  # vendor names that are not all text: pandas sorts
        df = df.sort_values(["step", "vendor"], kind="stable").reset_index(drop=True)
    return df


def _dates(model: MarketModel, steps: pd.Series) -> pd.Series:
    """Calendar month (first day) of each step; step 1 is ``market.start``."""
    return calendar.dates(model.scenario.market.start, steps, model.steps)


def unit(name: str) -> str:
    """The unit of a market, vendor or segment metric ('' if none is registered)."""
    for registry in (MARKET, VENDORS, SEGMENTS):
        if name in registry:
            return registry[name].unit
    return ""


def label(name: str) -> str:
    """A metric's label for figures and tables (its name if none is registered)."""
    for registry in (MARKET, VENDORS, SEGMENTS):
        if name in registry:
            return registry[name].label
    return name
