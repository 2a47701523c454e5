"""Venture capitalists: they value vendors, make offers and fund rounds of private vendors
and new entrants."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from aimarket.agents.base import MarketAgent
from aimarket.simulation.mechanics.venture import exit_value

if TYPE_CHECKING:
    from aimarket.agents.vendor import Vendor
    from aimarket.simulation.model import MarketModel
    from aimarket.simulation.parameters import EntryParams, VCParams

#: A funded startup's fixed costs a month, as a share of its first round.
ENTRANT_OPEX = 0.01
#: Rows of valuation noise drawn each month for follow-on rounds (vendor slots).
FOLLOW_ON_SLOTS = 256


class VentureCapitalist(MarketAgent):
    """A VC with capital ($M), a hurdle rate (annual) and a round size ($M).

    It values a vendor at ``(expected monthly gross profit - burn) x 12 x exit
    multiple`` (:func:`~aimarket.simulation.mechanics.venture.exit_value`), where the gross
    profit is what a closed model of its capability would earn at its best-response price
    against today's market. It perturbs that value with its own log-normal noise and
    invests the most that still earns its hurdle rate over the holding period,
    ``value / (1 + hurdle) ** horizon``, capped by its round size and its cash; below its
    minimum ticket it passes. Rounds therefore grow and shrink with the market's
    prospects instead of being all or nothing.
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
        self.funded = 0.0  # this month, $M
        self.deals = 0  # this month

    @property
    def cash(self) -> float:
        return self.model.ledger.balance(self.account)

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
        """Limited partners commit new money each month."""
        self.model.ledger.pay("limited_partners", self.account, self.params.inflow, "vc_inflow")

    def invest(self, vendor: Vendor, amount: float) -> None:
        self.model.ledger.pay(self.account, vendor.account, amount, "vc_funding")
        vendor.funding += amount
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
    """Private vendors whose cash covers less than ``runway`` months of their burn."""
    return [
        v
        for v in vendors
        if v.params.private and v.cash < entry.runway * (v.params.rd_budget + v.params.opex)
    ]


def fund(
    vcs: Sequence[VentureCapitalist],
    short: Sequence[Vendor],
    prospects: Sequence[float],
    outlook: float,
    draws: FundingDraws,
    spawn: Callable[[float, bool], Vendor],
    entry: EntryParams,
) -> float:
    """One month's rounds: follow-ons for the vendors ``short`` of cash (valued at the
    better of last month's gross profit and their ``prospects``), then each pitch in turn
    to the VCs, richest first (valued at the entrant ``outlook``); ``spawn`` makes a
    funded pitch a vendor. Returns the money invested ($M)."""
    for vc in vcs:
        vc.raise_money()
    ranked = sorted(vcs, key=lambda vc: -vc.cash)
    total = 0.0
    for vendor, prospect in zip(short, prospects, strict=True):
        burn = vendor.params.rd_budget + vendor.params.opex
        value = exit_value(max(vendor.last_gross_profit, prospect), burn, entry.exit_multiple)
        slot = entry.max_pitches + vendor.index % FOLLOW_ON_SLOTS
        total += _round(ranked, value, draws.noise[slot], vendor=vendor)
    for k in range(draws.pitches):
        is_open = bool(draws.pitch_open[k])
        for vc in ranked:  # the pitch goes to VCs in order; each values it at its size
            value = exit_value(
                outlook, entrant_burn(entry, vc.params.round_size), entry.exit_multiple
            )
            amount = _round([vc], value, draws.noise[k], spawn=spawn, open_pitch=is_open)
            total += amount
            if amount > 0:
                break
    return total


def _round(ranked, value, noise, vendor=None, spawn=None, open_pitch=False) -> float:
    """The first VC in ``ranked`` that makes an offer funds the round; returns the amount
    (0 if none did)."""
    for vc in ranked:
        amount = vc.offer(value, noise[vc.index])
        if amount <= 0:
            continue
        if vendor is None:
            vendor = spawn(amount, open_pitch)
        vc.invest(vendor, amount)
        return amount
    return 0.0
