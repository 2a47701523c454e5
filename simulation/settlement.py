"""Settlement (phase 6 of a month): the order in which the agents book their payments.

Developers pay for closed tokens (:meth:`Vendor.sell_tokens`: to the vendor, who pays its
cloud to serve them) and for open weights (:meth:`Cloud.host`: to the cheapest host, ties
split, or split by the hosts' logit shares, plus any tax); platforms run their complement
business on the AI they choose (:meth:`Vendor.run_complement`); vendors buy training
compute (:meth:`Vendor.buy_training`) after public incumbents book their other businesses'
cash flow (:meth:`Vendor.receive_core_cash`), pay fixed costs (:meth:`Vendor.pay_opex`) and the
community's gains to their open weights (:meth:`Vendor.support_community`); then
each vendor closes its month (:meth:`Vendor.close_month`: revenue, profit, shares) and
private vendors out of cash exit. The agents own their money flows; every transfer goes
through the model's double-entry ledger, so money is conserved.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from aimarket.agents.vendor import Vendor
    from aimarket.simulation.model import MarketModel


def settle(model: MarketModel) -> None:
    """Book the month's payments, then close each vendor's month; exits last."""
    vendors = model.vendors
    p = model.products
    sell_api_tokens(model, vendors)
    host_open_weights(model)
    if model.scenario.mechanisms.complement:
        for v in vendors:
            if v.business_model == "platform":
                v.run_complement()
    pay_running_costs(model, vendors)
    pay_for_community(model)
    total_tokens = p.tokens[: p.n].sum()
    adopters = max(model.developers.adopters, 1)
    model.state.exits = 0
    exits = model.scenario.mechanisms.exit
    for v in vendors:
        v.close_month(total_tokens, adopters)
        if exits and v.out_of_cash:
            model.exit_vendor(v)


def sell_api_tokens(model: MarketModel, vendors: list[Vendor]) -> None:
    """Developers buy this month's tokens of every closed model sold: for each vendor in
    turn, :meth:`Vendor.sell_tokens` at the API price, its cloud serving them
    (:meth:`Cloud.serve`); the same payments, in the same order and arithmetic, booked
    in one pass over the vendors."""
    p = model.products
    price, sold = p.price, p.tokens
    pay = model.ledger.pay
    serving = model.state.serving_cost
    for v in vendors:
        j = v.closed_product
        if j is None:
            continue
        tokens = sold[j]
        if tokens > 0:
            account, cloud = v.account, v.cloud
            sales = price[j] * tokens
            pay("developers", account, sales, "api_sales")
            v.api_revenue += sales
            params = cloud.params
            unit = serving * v.params.efficiency * params.cost_multiplier
            fees = unit * (1 + params.partner_markup) * tokens
            pay(account, cloud.account, fees, "serving_fees")
            cloud.revenue += fees
            cost = unit * tokens
            pay(cloud.account, "suppliers", cost, "cloud_costs")
            cloud.costs += cost
            v.serving_cost += fees


def pay_running_costs(model: MarketModel, vendors: list[Vendor]) -> None:
    """For each vendor in turn: a public incumbent's other businesses' cash flow
    (:meth:`Vendor.receive_core_cash`), its training compute bought from its cloud
    (:meth:`Vendor.buy_training`, :meth:`Cloud.sell_training`) and its fixed costs
    (:meth:`Vendor.pay_opex`); the same payments in one pass over the vendors."""
    pay = model.ledger.pay
    for v in vendors:
        account, params, cloud = v.account, v.params, v.cloud
        core = params.core_cash_flow
        if core > 0:
            pay("owners", account, core, "core_cash_flow")
            v.core_cash += core
        amount = v.rd_spend
        pay(account, cloud.account, amount, "training_compute")
        cloud.revenue += amount
        cost = amount / (1 + cloud.params.training_markup)
        pay(cloud.account, "suppliers", cost, "cloud_costs")
        cloud.costs += cost
        pay(account, "suppliers", params.opex, "opex")


def pay_for_community(model: MarketModel) -> None:
    """The community's gains to open weights this month are paid for: by the owner of
    the weights (ecosystem support), or by the developers for weights whose owner left."""
    p = model.products
    gains = p.community_gain[: p.n]
    gained = np.flatnonzero(gains > 0)
    rate, vendor_list = model.scenario.innovation.community_cost, model.vendor_list
    for gain, owner_index in zip(gains[gained], p.vendor[gained].tolist(), strict=True):
        cost = rate * gain  # gain a numpy scalar, as before
        owner = vendor_list[owner_index]
        if owner.alive:
            owner.support_community(cost)
        else:
            model.ledger.pay("developers", "suppliers", cost, "community_support")


def host_open_weights(model: MarketModel) -> None:
    """Developers buy each open model they use from its hosts: split by the hosts' logit
    shares (differentiated hosts), or from the cheapest host(s), ties split."""
    p = model.products
    n = p.n
    bought = np.flatnonzero(p.is_open[:n] & (p.tokens[:n] > 0))
    if not len(bought):
        return
    clouds = model.clouds
    if model.scenario.mechanisms.host_markups:  # developers split by the hosts' logit shares
        shares = model.host_share[:, bought].T  # (products, clouds)
        quantity = p.tokens[bought][:, None] * shares
        rows, ks = np.nonzero(shares > 0)  # by product, then cloud
        js = bought[rows]
        sales = zip(
            ks.tolist(),
            model.hosting[ks, js].tolist(),
            model.host_cost[ks, js].tolist(),
            quantity[rows, ks],  # numpy scalars: the sums keep their type
            strict=True,
        )
        tax = model.state.open_tax
        for k, price, unit_cost, tokens in sales:  # Cloud.host, in the same order
            clouds[k].host_sales(price, unit_cost, tokens, tax)
        return
    for j in bought:  # the cheapest host wins; ties split
        prices = model.hosting[:, j]
        winners = np.flatnonzero(prices <= np.nanmin(prices) * (1 + 1e-12))
        quantity = p.tokens[j] / len(winners)
        for k in winners:
            clouds[k].host(j, quantity)
