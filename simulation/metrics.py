"""What the model measures (outcomes), once a month, as plain attributes.

:func:`measure` sets one model attribute per market metric, so Mesa's ``DataCollector``
can collect them by attribute name (picklable and fast). Every metric is a finite number
but one: where a quantity has a natural fallback (say, the mean open price when no open
model exists) it is stated below; the closed margin of a month with no closed sales has
none, and is NaN (undefined), which reports show as such.

Market metrics (one row per month):

========================  =========  ===============================================
name                      unit       meaning
========================  =========  ===============================================
closed_price              $/Mtok     token-weighted mean API price of closed models
                                     (unweighted mean if none sold; 0 if none exist)
open_price                $/Mtok     token-weighted mean hosting price of open weights
                                     (same fallbacks)
fixed_capability_price    $/Mtok     cheapest price of a model at or above
                                     ``market.reference_capability`` (if none reaches
                                     it: the price of the most capable model)
open_token_share          share      tokens on open weights / all tokens
open_developer_share      share      adopters on open weights / all adopters
orphaned_token_share      share      tokens on open weights of vendors that have left the
                                     market (no row in the vendor table) / all tokens
orphaned_developer_share  share      adopters on such weights / all adopters
hhi                       0-1        Herfindahl index of vendors' token shares
closed_frontier           fy         best closed capability (frontier-years)
open_frontier             fy         best open capability (0 if none)
capability_gap            fy         closed_frontier - open_frontier
closed_margin             share      token-weighted Lerner index (p - c)/p of closed
                                     models sold; NaN (undefined) in a month when no
                                     closed tokens are sold
vendor_revenue            $M/month   API and complement revenue of all vendors in the
                                     market this month (one exiting included)
vendor_profit             $M/month   profit of the same vendors
platform_complement_revenue $M/month complement revenue of platform vendors
platform_payoff           $M         cumulative profit of platform vendors
cloud_revenue             $M/month   all clouds' revenue
vc_funding                $M/month   money VCs invested this month
entries, exits            count      vendors entering and exiting this month
n_vendors                 count      vendors in the market at the end of the month
developer_surplus         $M/month   logit log-sum surplus of developers in the market,
                                     relative to the outside option
adoption_rate             share      developers using a model / all developers
market_share_aware        share      developers in the market / all developers
total_tokens              Ttok/month tokens bought by developers
incidents                 count      misuse incidents this month (shock ``misuse``)
regulated                 0/1        open release is regulated (tax or cap) from now on
money_drift               $M         ledger total minus money brought in (0: conserved)
========================  =========  ===============================================

Vendor metrics (one row per month per vendor in the market): see :data:`VENDOR`.

Segment metrics (one row per month per developer segment): see :data:`SEGMENT`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from aimarket.simulation.mechanics import calendar, choice

if TYPE_CHECKING:
    from aimarket.simulation.model import MarketModel

MARKET: tuple[str, ...] = (
    "closed_price",
    "open_price",
    "fixed_capability_price",
    "open_token_share",
    "open_developer_share",
    "orphaned_token_share",
    "orphaned_developer_share",
    "hhi",
    "closed_frontier",
    "open_frontier",
    "capability_gap",
    "closed_margin",
    "vendor_revenue",
    "vendor_profit",
    "platform_complement_revenue",
    "platform_payoff",
    "cloud_revenue",
    "vc_funding",
    "entries",
    "exits",
    "n_vendors",
    "developer_surplus",
    "adoption_rate",
    "market_share_aware",
    "total_tokens",
    "incidents",
    "regulated",
    "money_drift",
)

#: Vendor metrics: attributes of :class:`aimarket.agents.vendor.Vendor`.
VENDOR: tuple[str, ...] = (
    "name",
    "business_model",
    "policy",
    "capability",
    "price",
    "revenue",
    "api_revenue",
    "complement_revenue",
    "profit",
    "payoff",
    "cash",
    "rd_spend",
    "funding",
    "token_share",
    "developer_share",
)


#: Segment metrics, a Mesa DataCollector table: one row per month per segment.
SEGMENT: tuple[str, ...] = (
    "step",
    "segment",
    "adoption_rate",  # share of the segment's developers using a model
    "tokens",  # Ttok/month bought by the segment
    "open_token_share",  # share of the segment's tokens on open weights
    "mean_price",  # token-weighted mean price paid, $/Mtok
    "surplus",  # logit log-sum surplus, $M/month
)


def reset(model: MarketModel) -> None:
    for name in MARKET:
        setattr(model, name, 0.0)


def _mean_price(price: np.ndarray, tokens: np.ndarray) -> float:
    if price.size == 0:
        return 0.0
    if tokens.sum() > 0:
        return float(np.average(price, weights=tokens))
    return float(price.mean())


def measure(model: MarketModel) -> None:
    """Compute this month's market metrics into model attributes."""
    p = model.products
    n = p.n
    avail = p.available[:n]
    is_open = p.is_open[:n]
    price, cost, tokens = p.price[:n], p.cost[:n], p.tokens[:n]
    cap = p.capability[:n]
    closed = avail & ~is_open
    opened = avail & is_open

    model.closed_price = _mean_price(price[closed], tokens[closed])
    model.open_price = _mean_price(price[opened], tokens[opened])
    reach = avail & (cap >= model.scenario.market.reference_capability)
    if reach.any():
        model.fixed_capability_price = float(price[reach].min())
    elif avail.any():
        model.fixed_capability_price = float(price[avail][np.argmax(cap[avail])])
    else:
        model.fixed_capability_price = 0.0

    total = float(tokens.sum())
    adopters = max(model.developers.adopters, 1)
    model.total_tokens = total
    model.open_token_share = float(tokens[is_open].sum() / total) if total > 0 else 0.0
    model.open_developer_share = float(p.developers[:n][is_open].sum() / adopters)
    vendor_tokens = np.bincount(p.vendor[:n], weights=tokens, minlength=len(model.vendor_list))
    model.hhi = float(((vendor_tokens / total) ** 2).sum()) if total > 0 else 0.0

    model.closed_frontier = model.frontier(is_open=False)
    model.open_frontier = model.frontier(is_open=True)
    model.capability_gap = model.closed_frontier - model.open_frontier
    sold = closed & (tokens > 0) & (price > 0)
    if sold.any():
        lerner = (price[sold] - cost[sold]) / price[sold]
        model.closed_margin = float(np.average(lerner, weights=tokens[sold]))
    else:
        model.closed_margin = float("nan")  # no closed sales: the margin is undefined

    # every vendor in the market this month, including one that exited at its end
    present = list(model.vendor_agents)
    listed = np.zeros(len(model.vendor_list), dtype=bool)
    listed[[v.index for v in present]] = True
    orphaned = ~listed[p.vendor[:n]]
    model.orphaned_token_share = float(tokens[orphaned].sum() / total) if total > 0 else 0.0
    model.orphaned_developer_share = float(p.developers[:n][orphaned].sum() / adopters)
    model.vendor_revenue = float(sum(v.revenue for v in present))
    model.vendor_profit = float(sum(v.profit for v in present))
    platforms = [v for v in model.vendor_list if v.business_model == "platform"]
    model.platform_complement_revenue = float(sum(v.complement_revenue for v in platforms))
    model.platform_payoff = float(sum(v.payoff for v in platforms))
    model.cloud_revenue = float(sum(c.revenue for c in model.clouds))
    model.n_vendors = len(model.vendors)

    dev = model.developers
    model.adoption_rate = dev.adopters / dev.n
    model.market_share_aware = float(dev.aware.mean())
    v = model.mean_utilities()
    v0 = dev.outside
    logsum = choice.log_sum(v, dev.outside_utilities())
    dollars_per_util = model.serving_cost_reference / np.maximum(dev.alpha, 1e-12)
    # no surplus where nothing can be chosen (no model and no outside option)
    gain = np.where(np.isfinite(logsum), (logsum - v0) * dollars_per_util, 0.0)
    surplus = dev.segment_weights() * gain
    model.developer_surplus = float(surplus.sum())
    _record_segments(model, surplus)
    model.regulated = float(model.regulated)
    model.money_drift = model.ledger.total() - model.ledger.initial_total


def _record_segments(model: MarketModel, surplus: np.ndarray) -> None:
    dev = model.developers
    p = model.products
    n = p.n
    tokens = dev.segment_tokens[:, :n]
    total = tokens.sum(axis=1)
    open_tokens = tokens[:, p.is_open[:n]].sum(axis=1)
    spend = tokens @ p.price[:n]
    users = dev.usage[:, :n].sum(axis=1)
    for s, name in enumerate(dev.segment_names):
        model.datacollector.add_table_row(
            "segments",
            {
                "step": int(model.steps),
                "segment": name,
                "adoption_rate": float(users[s] / max(dev.sizes[s], 1)),
                "tokens": float(total[s]),
                "open_token_share": float(open_tokens[s] / total[s]) if total[s] > 0 else 0.0,
                "mean_price": float(spend[s] / total[s]) if total[s] > 0 else 0.0,
                "surplus": float(surplus[s]),
            },
        )


def segment_frame(model: MarketModel) -> pd.DataFrame:
    df = model.datacollector.get_table_dataframe("segments")
    df.insert(1, "date", _dates(model, df["step"]))
    return df


def market_frame(model: MarketModel) -> pd.DataFrame:
    df = model.datacollector.get_model_vars_dataframe().reset_index(drop=True)
    df.insert(0, "step", np.arange(1, len(df) + 1))
    df.insert(1, "date", _dates(model, df["step"]))
    return df


def vendor_frame(model: MarketModel) -> pd.DataFrame:
    from aimarket.agents.vendor import Vendor

    df = model.datacollector.get_agenttype_vars_dataframe(Vendor)
    if df.empty:
        return pd.DataFrame(columns=["step", "date", "vendor", *VENDOR[1:]])
    df = df.reset_index().rename(columns={"Step": "step", "name": "vendor"})
    df = df.drop(columns=[c for c in ("AgentID",) if c in df.columns])
    df.insert(1, "date", _dates(model, df["step"]))
    return df.sort_values(["step", "vendor"], kind="stable").reset_index(drop=True)


def _dates(model: MarketModel, steps: pd.Series) -> pd.Series:
    """Calendar month (first day) of each step; step 1 is ``market.start``."""
    return calendar.dates(model.scenario.market.start, steps, model.steps)
