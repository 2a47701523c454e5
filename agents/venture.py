"""Venture capital: VCs and strategic investors (clouds) value vendors, fund their rounds
and new entrants, hold stakes, and get capital back when a vendor is bought out."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from aimarket.agents.base import MarketAgent
from aimarket.simulation.mechanics.venture import exit_value, revenue_value

if TYPE_CHECKING:
    from aimarket.agents.cloud import Cloud
    from aimarket.agents.vendor import Vendor
    from aimarket.simulation.model import MarketModel
    from aimarket.simulation.parameters import EntryParams, VCParams

#: A funded startup's fixed costs a month, as a share of its first round.
ENTRANT_OPEX = 0.01
#: Rows of valuation noise drawn each month for follow-on rounds (vendor slots).
FOLLOW_ON_SLOTS = 256
#: The external account of strategic investors' parents and of acquirers.
OWNERS = "owners"


class VentureCapitalist(MarketAgent):
    """A VC with capital ($M), a hurdle rate (annual) and a round size ($M).

    It values a vendor by :func:`valuation` (the better of a profit-based exit value and a
    revenue multiple that rises with growth), perturbs that value with its own log-normal
    noise and invests the most that still earns its hurdle rate over the holding period,
    ``value / (1 + hurdle) ** horizon``, capped by its round size and its cash; below its
    minimum ticket it passes. Capital it leaves idle goes back to its limited partners over
    its fund's life; proceeds of buy-outs come back to it.
    """

    def __init__(
        self, model: MarketModel, name: str, params: VCParams, index: int, entry: EntryParams
    ):
        super().__init__(model)
        self.name = name
        self.index = index
        self.params = params
        self.entry = entry
        self.account = f"vc:{name}"
        self.reset_flows()

    @property
    def cash(self) -> float:
        return self.model.ledger.balance(self.account)

    def reset_flows(self) -> None:
        """Zero this month's investments: money funded ($M) and deals."""
        self.funded = 0.0
        self.deals = 0

    def offer(self, value: float, noise: float) -> float:
        """What it invests ($M) in a venture worth ``value`` at exit, given its standard
        normal valuation noise: 0 if that is below its minimum ticket."""
        entry = self.entry
        sigma = entry.signal_noise
        noisy = value * math.exp(sigma * noise - 0.5 * sigma**2)
        justified = noisy / (1.0 + self.params.hurdle_rate) ** entry.horizon
        amount = min(self.params.round_size, self.cash, justified)
        return amount if amount >= entry.min_ticket * self.params.round_size else 0.0

    def raise_money(self) -> None:
        """Limited partners commit new money each month; capital left idle is returned
        over the fund's life."""
        ledger = self.model.ledger
        ledger.pay("limited_partners", self.account, self.params.inflow, "vc_inflow")
        idle = max(0.0, self.cash) / (12.0 * self.params.fund_life)
        ledger.pay(self.account, "limited_partners", idle, "vc_distribution")

    def invest(self, vendor: Vendor, amount: float, value: float) -> None:
        self.model.ledger.pay(self.account, vendor.account, amount, "vc_funding")
        vendor.take_investment(self.account, amount, value)
        self.funded += amount
        self.deals += 1


@dataclass
class FundingDraws:
    """A month's random draws for funding, of a fixed size so paired runs stay aligned:
    the pitches and whether each is open, and valuation noise for pitches and for
    follow-on slots (rows) by VC (columns)."""

    pitches: int
    pitch_open: np.ndarray
    noise: np.ndarray

    @classmethod
    def draw(cls, entry_stream, funding_stream, entry: EntryParams, n_vcs: int) -> FundingDraws:
        pitches = min(int(entry_stream.poisson(entry.rate)), entry.max_pitches)
        pitch_open = entry_stream.random(entry.max_pitches) < entry.open_share
        noise = funding_stream.standard_normal((entry.max_pitches + FOLLOW_ON_SLOTS, n_vcs))
        return cls(pitches, pitch_open, noise)


def entrant_burn(entry: EntryParams, round_size: float) -> float:
    """Monthly R&D plus fixed costs of a startup funded with ``round_size``."""
    return (entry.burn + ENTRANT_OPEX) * round_size


def short_of_cash(vendors: Sequence[Vendor], entry: EntryParams) -> list[Vendor]:
    """Private vendors whose cash covers less than ``runway`` months of their burn and
    whose last round is at least ``round_interval`` months old."""
    return [
        v
        for v in vendors
        if v.params.private
        and v.cash < entry.runway * v.burn
        and v.model.steps - v.last_round >= entry.round_interval
    ]


def need(vendor: Vendor, entry: EntryParams) -> float:
    """What a round must raise to fund ``runway`` months of the vendor's planned spending
    (its R&D plan keeps growing over the runway) beyond its cash ($M)."""
    return max(0.0, vendor.planned_burn(entry.runway) - vendor.cash)


def valuation(vendor: Vendor, prospect: float, entry: EntryParams) -> float:
    """What an investor thinks ``vendor`` is worth ($M): the better of its exit value on
    profit (last month's gross profit or its ``prospect``, whichever is higher, less its
    burn) and its annual API revenue times a multiple that rises with revenue growth."""
    profit = exit_value(max(vendor.last_gross_profit, prospect), vendor.burn, entry.exit_multiple)
    revenue = revenue_value(
        vendor.revenue_rate, vendor.revenue_growth, entry.revenue_multiple, entry.growth_premium
    )
    return max(profit, revenue)


def strategic_rounds(
    clouds: Sequence[Cloud],
    short: Sequence[Vendor],
    prospects: Sequence[float],
    frontier: float,
    entry: EntryParams,
) -> float:
    """Clouds' parents back frontier-class partners short of cash with compute credits
    (for equity at the :func:`valuation` VCs would give, with the vendors' ``prospects``),
    up to the credits they have; returns the money invested ($M)."""
    total = 0.0
    for vendor, prospect in zip(short, prospects, strict=True):
        cloud = vendor.cloud
        behind = vendor.capability < frontier - cloud.params.strategic_gap
        if cloud.strategic_credits <= 0 or behind:
            continue
        amount = min(cloud.strategic_credits, need(vendor, entry))
        if amount <= 0:
            continue
        cloud.back(vendor, amount, valuation(vendor, prospect, entry))
        total += amount
    return total


def fund(
    vcs: Sequence[VentureCapitalist],
    short: Sequence[Vendor],
    prospects: Sequence[float],
    outlook: float,
    draws: FundingDraws,
    spawn: Callable[[float, bool], Vendor],
    entry: EntryParams,
) -> float:
    """One month's VC rounds: follow-ons for the vendors ``short`` of cash (valued by
    :func:`valuation` with their ``prospects``), then each pitch in turn to the VCs,
    richest first (valued at the entrant ``outlook``); ``spawn`` makes a funded pitch a
    vendor. Returns the money invested ($M)."""
    for vc in vcs:
        vc.raise_money()
    ranked = sorted(vcs, key=lambda vc: -vc.cash)
    total = 0.0
    for vendor, prospect in zip(short, prospects, strict=True):
        value = valuation(vendor, prospect, entry)
        slot = entry.max_pitches + vendor.index % FOLLOW_ON_SLOTS
        total += _syndicate(ranked, value, draws.noise[slot], vendor, need(vendor, entry))
    for k in range(draws.pitches):
        is_open = bool(draws.pitch_open[k])
        for vc in ranked:  # the pitch goes to VCs in order; each values it at its size
            burn = entrant_burn(entry, vc.params.round_size)
            value = exit_value(outlook, burn, entry.exit_multiple)
            amount = _round([vc], value, draws.noise[k], spawn=spawn, open_pitch=is_open)
            total += amount
            if amount > 0:
                break
    return total


def _syndicate(ranked, value, noise, vendor: Vendor, wanted: float) -> float:
    """Investors in ``ranked`` order join a follow-on round until it raises ``wanted``;
    returns the amount raised."""
    raised = 0.0
    for vc in ranked:
        if raised >= wanted:
            break
        amount = min(vc.offer(value, noise[vc.index]), wanted - raised)
        if amount <= 0:
            continue
        vc.invest(vendor, amount, value)
        raised += amount
    return raised


def _round(ranked, value, noise, vendor=None, spawn=None, open_pitch=False) -> float:
    """The first VC in ``ranked`` that makes an offer funds the round; returns the amount
    (0 if none did)."""
    for vc in ranked:
        amount = vc.offer(value, noise[vc.index])
        if amount <= 0:
            continue
        if vendor is None:
            vendor = spawn(amount, open_pitch)
        vc.invest(vendor, amount, value)
        return amount
    return 0.0


def buy_out(vendor: Vendor, entry: EntryParams) -> float:
    """A vendor out of cash is bought (an acqui-hire) for ``acquisition_share`` of its last
    valuation; its investors are paid by their stakes (strategic stakes go back to the
    parents). Returns the price ($M)."""
    price = entry.acquisition_share * vendor.last_valuation
    ledger = vendor.model.ledger
    for account, stake in vendor.investors.items():
        if account != OWNERS and price * stake > 0:
            ledger.pay(OWNERS, account, price * stake, "buyout_proceeds")
    return price
