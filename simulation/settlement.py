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
    from aimarket.simulation.model import MarketModel


def settle(model: MarketModel) -> None:
    """Book the month's payments, then close each vendor's month; exits last."""
    vendors = model.vendors
    p = model.products
    sold = p.tokens
    for v in vendors:
        j = v.closed_product
        if j is not None:
            tokens = sold[j]
            if tokens > 0:
                v.sell_tokens(j, tokens)
    host_open_weights(model)
    if model.scenario.mechanisms.complement:
        for v in vendors:
            if v.business_model == "platform":
                v.run_complement()
    for v in vendors:
        v.receive_core_cash()
        v.buy_training()
        v.pay_opex()
    pay_for_community(model)
    total_tokens = p.tokens[: p.n].sum()
    adopters = max(model.developers.adopters, 1)
    model.state.exits = 0
    exits = model.scenario.mechanisms.exit
    for v in vendors:
        v.close_month(total_tokens, adopters)
        if exits and v.out_of_cash:
            model.exit_vendor(v)


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
