"""Settlement (phase 6 of a month): every payment from payer to payee, in one place.

Developers pay for closed tokens (to the vendor, who pays its cloud to serve them) and
for open weights (to the cheapest host, ties split, plus any tax); platforms run their
complement business on the AI they choose; vendors buy training compute and pay fixed
costs; then each vendor's month is closed (revenue, profit, shares) and private vendors
out of cash exit. Every transfer goes through the model's double-entry ledger, so money
is conserved.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from aimarket.agents.cloud import Cloud
    from aimarket.agents.vendor import Vendor
    from aimarket.simulation.model import MarketModel


def settle(model: MarketModel) -> None:
    """Book the month's payments, then close each vendor's month; exits last."""
    vendors = model.vendors
    p = model.products
    for v in vendors:
        j = v.closed_product
        if j is not None and p.tokens[j] > 0:
            sell_closed(model, v, j, p.tokens[j], payer="developers")
    host_open_weights(model)
    if model.scenario.mechanisms.complement:
        for v in vendors:
            if v.business_model == "platform":
                run_platform(model, v)
    for v in vendors:
        cloud = v.cloud
        model.ledger.pay(v.account, cloud.account, v.rd_spend, "training_compute")
        cloud.revenue += v.rd_spend
        cloud_cost(model, cloud, v.rd_spend / (1 + cloud.params.training_markup))
        model.ledger.pay(v.account, "suppliers", v.params.opex, "opex")
    close_month(model, vendors)


def cloud_cost(model: MarketModel, cloud: Cloud, amount: float) -> None:
    """A cloud pays its suppliers (hardware, energy) for serving or training compute."""
    model.ledger.pay(cloud.account, "suppliers", amount, "cloud_costs")
    cloud.costs += amount


def sell_closed(model: MarketModel, v: Vendor, j: int, tokens: float, payer: str) -> float:
    """Sell ``tokens`` of closed model j: the buyer pays the vendor, the vendor pays its
    cloud (cost plus markup), the cloud pays its suppliers."""
    price = model.products.price[j]
    unit = model.closed_unit_cost(v)
    model.ledger.pay(payer, v.account, price * tokens, "api_sales")
    v.api_revenue += price * tokens
    model.ledger.pay(v.account, v.cloud.account, unit * tokens, "serving_fees")
    v.serving_cost += unit * tokens
    v.cloud.revenue += unit * tokens
    raw = v.cloud.unit_cost(v.params.efficiency, False) * tokens
    cloud_cost(model, v.cloud, raw)
    return price * tokens


def host_open_weights(model: MarketModel) -> None:
    """Developers pay the cheapest host(s) of each open model they use (ties split)."""
    p = model.products
    n = p.n
    differentiated = model.scenario.mechanisms.host_markups
    for j in np.flatnonzero(p.is_open[:n] & (p.tokens[:n] > 0)):
        prices = model.hosting[:, j]
        if differentiated:  # developers split among hosts by their logit shares
            winners = np.flatnonzero(model.host_share[:, j] > 0)
            quantity = p.tokens[j] * model.host_share[:, j]
        else:  # the cheapest host wins; ties split
            winners = np.flatnonzero(prices <= np.nanmin(prices) * (1 + 1e-12))
            quantity = np.full(len(prices), p.tokens[j] / len(winners))
        for k in winners:
            cloud = model.clouds[k]
            q = quantity[k]
            model.ledger.pay("developers", cloud.account, prices[k] * q, "hosting_sales")
            model.ledger.pay("developers", "government", model.open_tax * prices[k] * q, "open_tax")
            cloud.revenue += prices[k] * q
            cloud_cost(model, cloud, model.host_cost[k, j] * q)


def run_platform(model: MarketModel, platform: Vendor) -> None:
    """The platform runs its complement business on the AI it chooses: its own model
    (served at cost), any open weights (self-hosted at cost) or a rival's closed API (at
    its price); advertisers pay the revenue it adds. Regulation binds its own use too:
    open weights (its own, when its frontier is open) pay the tax on open-weight tokens,
    and its own open model is held to the cap on open release."""
    p = model.products
    tax = 1.0 + model.open_tax
    own_open = platform.frontier_is_open
    own_cap = min(platform.capability, model.open_cap) if own_open else platform.capability
    own_unit = model.serving_cost * platform.params.efficiency * (tax if own_open else 1.0)
    options, sellers, taxed = [(own_cap, own_unit)], [None], [own_open]
    for j in range(p.n):
        if not p.available[j]:
            continue
        if p.is_open[j]:
            options.append((p.capability[j], model.serving_cost * p.efficiency[j] * tax))
            sellers.append(None)
            taxed.append(True)
        elif p.vendor[j] != platform.index:
            options.append((p.capability[j], p.price[j]))
            sellers.append(j)
            taxed.append(False)
    gain, cost, k, used = platform.choose_ai(options)
    model.ledger.pay("advertisers", platform.account, gain, "complement_revenue")
    platform.complement_revenue += gain
    if sellers[k] is None:
        base = cost / tax if taxed[k] else cost
        model.ledger.pay(platform.account, "suppliers", base, "internal_ai")
        model.ledger.pay(platform.account, "government", cost - base, "open_tax")
    else:
        seller = sellers[k]
        sell_closed(model, model.vendor_list[p.vendor[seller]], seller, used, platform.account)
    platform.ai_cost += cost


def close_month(model: MarketModel, vendors: list[Vendor]) -> None:
    """Each vendor's revenue, profit, payoff and shares this month; private vendors out of
    cash exit (they stay in this month's records)."""
    p = model.products
    n = p.n
    total_tokens = p.tokens[:n].sum()
    adopters = max(model.developers.adopters, 1)
    model.exits = 0
    for v in vendors:
        mine = [j for j in (v.closed_product, v.open_product) if j is not None]
        v.last_gross_profit = v.api_revenue - v.serving_cost
        v.revenue_history.append(v.api_revenue)
        v.last_rd_spend = v.rd_spend
        v.revenue = v.api_revenue + v.complement_revenue
        v.profit = v.revenue - v.serving_cost - v.ai_cost - v.rd_spend - v.params.opex
        v.payoff += v.profit
        v.token_share = float(p.tokens[mine].sum() / total_tokens) if total_tokens > 0 else 0.0
        v.developer_share = float(p.developers[mine].sum() / adopters)
        v.price = float(p.price[mine[0]]) if mine else 0.0
        if model.scenario.mechanisms.exit and v.params.private and v.cash < 0:
            model.exit_vendor(v)
