"""The market metrics: one row per month (registry :data:`MARKET`, in this order)."""

from __future__ import annotations

import operator
from collections.abc import Iterable

import numpy as np

from aimarket.simulation.metrics import MARKET, Metric, Month


def _weighted_mean(values: np.ndarray, weights: np.ndarray, total: float) -> float:
    """``np.average(values, weights=weights)`` (``total``: the weights' sum, not 0), by
    the same arithmetic without its checks."""
    return float((values * weights).sum() / total)


def _mean_price(price: np.ndarray, tokens: np.ndarray) -> float:
    """Token-weighted mean price; unweighted if nothing sold; 0 if no product."""
    if price.size == 0:
        return 0.0
    total = tokens.sum()
    if total > 0:
        return _weighted_mean(price, tokens, total)
    return float(price.mean())


def _fixed_capability_price(m: Month) -> float:
    reach = m.available & (m.capability >= m.model.scenario.market.reference_capability)
    if reach.any():
        return float(m.price[reach].min())
    if m.available.any():
        return float(m.price[m.available][np.argmax(m.capability[m.available])])
    return 0.0


def _hhi(m: Month) -> float:
    n_vendors = len(m.model.vendor_list)
    vendor_tokens = np.bincount(m.vendor, weights=m.tokens, minlength=n_vendors)
    return float(((vendor_tokens / m.total) ** 2).sum()) if m.total > 0 else 0.0


def _closed_margin(m: Month) -> float:
    sold = m.closed & (m.tokens > 0) & (m.price > 0)
    if not sold.any():
        return float("nan")  # no closed sales: the margin is undefined
    price, tokens = m.price[sold], m.tokens[sold]
    return _weighted_mean((price - m.cost[sold]) / price, tokens, tokens.sum())


def _total(items: Iterable, name: str) -> float:
    """``sum(x.<name> for x in items)``, as a float (same additions, same order)."""
    return float(sum(map(operator.attrgetter(name), items)))


def _aware_share(m: Month) -> float:
    """``aware.mean()``: the count of True is exact, so the same float."""
    aware = m.model.developers.aware
    return float(np.count_nonzero(aware) / aware.size)


DEFINITIONS = [
    Metric("closed_price", "$/Mtok", "closed API price",
           "token-weighted mean price of available closed products (all closed APIs, a "
           "platform's own API included); unweighted mean if none sold; 0 if none exist",
           lambda m: _mean_price(m.price[m.closed], m.tokens[m.closed]),
           outcome=("closed_price", "late", "$/Mtok"), summary=True),
    Metric("open_price", "$/Mtok", "open hosting price",
           "token-weighted mean effective (hosting) price of available open products; same "
           "fallbacks",
           lambda m: _mean_price(m.price[m.opened], m.tokens[m.opened]),
           outcome=("open_price", "late", "$/Mtok"), summary=True),
    Metric("fixed_capability_price", "$/Mtok", "price of reference capability",
           "cheapest price among available models with capability >= "
           "market.reference_capability ('LLMflation', SF #1); if none reaches it, the price "
           "of the most capable model; 0 if no model",
           _fixed_capability_price, outcome=("fixed_capability_price", "final", "$/Mtok"),
           summary=True),
    Metric("open_token_share", "share", "open share of tokens",
           "tokens on open weights / all tokens (0 if none)", lambda m: m.share(m.is_open),
           outcome=("open_token_share", "late", "share"), summary=True),
    Metric("open_developer_share", "share", "open share of developers",
           "adopters on open weights / all adopters",
           lambda m: float(m.developers[m.is_open].sum() / m.adopters),
           outcome=("open_developer_share", "final", "share")),
    Metric("orphaned_token_share", "share", "share of tokens on exited vendors' weights",
           "tokens on open weights of vendors that have left the market (no row in the "
           "vendor table) / all tokens", lambda m: m.share(m.orphaned)),
    Metric("orphaned_developer_share", "share", "share of developers on exited vendors' weights",
           "adopters on such weights / all adopters",
           lambda m: float(m.developers[m.orphaned].sum() / m.adopters)),
    Metric("hhi", "index 0-1", "HHI (token shares)",
           "Herfindahl index of vendors' token shares (exited vendors' orphaned weights "
           "count for their vendor)",
           _hhi, outcome=("hhi", "late", "index"), summary=True),
    Metric("closed_frontier", "frontier-years", "closed frontier", "best closed capability",
           lambda m: m.closed_frontier),
    Metric("open_frontier", "frontier-years", "open frontier",
           "best open capability (0 if none)", lambda m: m.open_frontier),
    Metric("capability_gap", "frontier-years", "capability gap (closed - open)",
           "closed_frontier - open_frontier (frontier-years behind)",
           lambda m: m.closed_frontier - m.open_frontier,
           outcome=("capability_gap", "final", "frontier-years"), summary=True),
    Metric("closed_margin", "Lerner index", "closed vendors' margin",
           "token-weighted Lerner index (p - c)/p of closed models sold; NaN (undefined) in "
           "a month when no closed tokens are sold", _closed_margin,
           outcome=("closed_margin", "late", "Lerner"), summary=True),
    Metric("vendor_revenue", "$M/month", "vendors' revenue",
           "API and complement revenue of all vendors in the market this month (one exiting "
           "included)", lambda m: _total(m.present, "revenue")),
    Metric("vendor_profit", "$M/month", "vendors' profit", "profit of the same vendors",
           lambda m: _total(m.present, "profit"),
           outcome=("vendor_profit", "total", "$M")),
    Metric("platform_complement_revenue", "$M/month", "platform's complement revenue",
           "complement revenue of platform vendors",
           lambda m: _total(m.platforms, "complement_revenue"),
           outcome=("platform_complement_revenue", "total", "$M"), summary=True),
    Metric("platform_payoff", "$M", "platform's cumulative payoff",
           "cumulative profit of platform vendors (exited ones included)",
           lambda m: _total(m.platforms, "payoff"),
           outcome=("platform_payoff", "final", "$M"), summary=True),
    Metric("platform_value", "$M", "platform's firm value",
           "firm_value of platform vendors (its AI activity's discounted profits plus a "
           "terminal value; exited ones at their buy-out)",
           lambda m: _total(m.platforms, "firm_value"),
           outcome=("platform_value", "final", "$M"), summary=True),
    Metric("cloud_revenue", "$M/month", "clouds' revenue",
           "all clouds' revenue (serving fees, hosting sales, training compute)",
           lambda m: _total(m.model.clouds, "revenue"),
           outcome=("cloud_revenue", "total", "$M")),
    Metric("vc_funding", "$M/month", "VC funding", "money VCs invested this month",
           lambda m: m.model.state.vc_funding, outcome=("vc_funding", "total", "$M"), summary=True),
    Metric("strategic_funding", "$M/month", "strategic funding",
           "money clouds' parents invested in partner vendors this month (compute credits)",
           lambda m: m.model.state.strategic_funding, outcome=("strategic_funding", "total", "$M")),
    Metric("lp_commitments", "$M/month", "limited partners' commitments",
           "money limited partners committed to VCs this month (base commitments scaled by "
           "each fund's track record and dry powder, docs/ODD.md 6.2)",
           lambda m: _total(m.model.vcs, "commitment"),
           outcome=("lp_commitments", "total", "$M")),
    Metric("dry_powder", "$M", "VCs' dry powder", "VCs' uninvested capital at the month's end",
           lambda m: _total(m.model.vcs, "cash"),
           outcome=("dry_powder", "final", "$M")),
    Metric("unused_credits", "$M", "unused strategic credits",
           "compute credits clouds' parents hold but have not invested (they lapse at "
           "1/credit_life a month)",
           lambda m: _total(m.model.clouds, "strategic_credits"),
           outcome=("unused_credits", "final", "$M"), summary=True),
    Metric("entries", "count/month", "entrants", "vendors entering this month",
           lambda m: m.model.state.entries, outcome=("entrants", "total", "count")),
    Metric("exits", "count/month", "exits", "vendors exiting this month",
           lambda m: m.model.state.exits, outcome=("exits", "total", "count")),
    Metric("n_vendors", "count", "vendors in market",
           "vendors in the market at the end of the month",
           lambda m: len(m.model.vendors), outcome=("n_vendors", "final", "count"), summary=True),
    Metric("developer_surplus", "$M/month", "developer surplus",
           "sum over groups of W_g (L_g - V0_g) / a_g: the logit log-sum surplus over the "
           "outside option, in dollars by the price weight (0 where nothing can be chosen)",
           lambda m: float(m.surplus.sum()), outcome=("developer_surplus", "total", "$M"),
           summary=True),
    Metric("adoption_rate", "share", "adoption rate", "developers using a model / all developers",
           lambda m: m.model.developers.adopters / m.model.developers.n,
           outcome=("adoption_rate", "final", "share"), summary=True),
    Metric("market_share_aware", "share", "share of developers in the market",
           "developers in the market / all developers",
           _aware_share),
    Metric("total_tokens", "Ttok/month", "tokens bought", "tokens bought by developers",
           lambda m: m.total),
    Metric("incidents", "count/month", "misuse incidents", "misuse incidents this month",
           lambda m: m.model.state.incidents),
    Metric("regulated", "0/1", "open release regulated",
           "open release is regulated (tax or cap) from now on",
           lambda m: float(m.model.state.regulated)),
    Metric("money_drift", "$M", "ledger drift",
           "ledger total minus money brought in (0: money conserved)",
           lambda m: m.model.ledger.total() - m.model.ledger.initial_total,
           outcome=("money_drift", "max_abs", "$M")),
]  # fmt: skip

for _metric in DEFINITIONS:
    MARKET.add(_metric)
