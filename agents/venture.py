"""Venture capital: VCs and strategic investors (clouds) value vendors by discounted cash
flows, fund their rounds and new entrants, hold stakes, get capital back when a vendor is
bought out, and raise money from limited partners who follow their returns."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from aimarket.agents.base import MarketAgent
from aimarket.simulation.mechanics import venture as finance

if TYPE_CHECKING:
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
    """A VC with dry powder ($M, its cash), a hurdle rate (annual) and a first-round size.

    It values a vendor by :func:`valuation` (a discounted cash flow at its hurdle rate),
    perturbs that value with its own log-normal noise and invests at most that value,
    capped by its round size for a startup's first round, or by ``deal_share`` of its dry
    powder for a follow-on; below its minimum ticket it passes, and what it does not invest
    stays dry powder. Limited partners commit each month in proportion to its base
    commitment, its track record (public market equivalent) and the room its dry powder
    leaves (:func:`aimarket.simulation.mechanics.venture.lp_commitment`); capital it leaves
    idle goes back to them over its fund's life; proceeds of buy-outs come back to it.
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
        self.paid_in = params.capital  # paid in by limited partners, discounted to step 0
        self.distributed = 0.0  # money returned to them, discounted to step 0
        self.pace = params.commitment  # recent investment a month, $M (exponentially weighted)
        self.reset_flows()

    @property
    def cash(self) -> float:
        return self.model.ledger.balances[self.account]

    def reset_flows(self) -> None:
        """Zero this month's flows: commitments ($M), money funded ($M) and deals."""
        self.commitment = 0.0
        self.funded = 0.0
        self.deals = 0

    def net_asset_value(self) -> float:
        """Its dry powder plus its stakes in vendors still in the market, each marked at
        the post-money value of the vendor's last round ($M)."""
        vendors = self.model.vendors
        stakes = sum(v.investors.get(self.account, 0.0) * v.last_valuation for v in vendors)
        return self.cash + stakes

    def public_market_equivalent(self) -> float:
        """Its track record: distributions and net asset value over money paid in, all
        discounted at the public market's return ``entry.lp_benchmark`` (Kaplan & Schoar
        2005)."""
        discount = finance.discount_factor(self.entry.lp_benchmark, self.model.steps)
        nav = self.net_asset_value()
        return finance.public_market_equivalent(self.paid_in, self.distributed, nav, discount)

    def offer(self, value: float, noise: float, cap: float) -> float:
        """What it invests ($M), at most ``cap``, in a venture worth ``value`` to it, given
        its standard normal valuation noise: 0 if that is below its minimum ticket."""
        entry = self.entry
        sigma = entry.signal_noise
        justified = value * math.exp(sigma * noise - 0.5 * sigma**2)
        amount = min(cap, self.cash, justified)
        return amount if amount >= entry.min_ticket * self.params.round_size else 0.0

    def raise_money(self) -> None:
        """Limited partners commit new money (following its returns and dry powder);
        capital left idle is returned over the fund's life."""
        ledger = self.model.ledger
        entry = self.entry
        discount = finance.discount_factor(entry.lp_benchmark, self.model.steps)
        self.commitment = finance.lp_commitment(
            self.params.commitment, self.public_market_equivalent(), entry.lp_elasticity,
            self.cash, self.pace, entry.powder_months,
        )  # fmt: skip
        ledger.pay("limited_partners", self.account, self.commitment, "vc_inflow")
        self.paid_in += self.commitment * discount
        idle = max(0.0, self.cash) / (12.0 * self.params.fund_life)
        ledger.pay(self.account, "limited_partners", idle, "vc_distribution")
        self.distributed += idle * discount

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


def expected_profit(vendor: Vendor, prospect: float) -> float:
    """The gross profit a month ($M) investors expect of ``vendor``: last month's or its
    ``prospect`` (a new model of its capability), whichever is higher."""
    return max(vendor.last_gross_profit, prospect)


def valuation(
    vendor: Vendor, prospect: float, entry: EntryParams, rate: float, growth: np.ndarray
) -> float:
    """What an investor discounting at ``rate`` (a year) thinks ``vendor`` is worth ($M):
    the discounted cash flow of its :func:`expected_profit`, growing with the market's
    volume path ``growth`` and worn down by ``entry.erosion``, less its burn, over
    ``entry.horizon`` years, plus a terminal value
    (:func:`aimarket.simulation.mechanics.venture.dcf_value`)."""
    profit = expected_profit(vendor, prospect)
    return finance.dcf_value(profit, vendor.burn, growth, rate, entry.erosion, entry.exit_multiple)


@dataclass
class Valuations:
    """A month's :func:`valuation` s, all computed at once before the rounds (none
    depends on what the rounds invest): each vendor short of cash at its cloud parent's
    ``strategic_hurdle`` and at each VC's hurdle rate (columns: VCs in list order), and a
    pitch (a startup earning the entrant ``outlook``, burning by each VC's round size) at
    each VC's hurdle rate."""

    strategic: list[float]
    follow_on: list[list[float]]
    pitch: list[float]

    @classmethod
    def compute(cls, vcs, short, prospects, outlook, growth, entry: EntryParams) -> Valuations:
        n, width = len(short), len(vcs)
        hurdles = [vc.params.hurdle_rate for vc in vcs]
        profit = [expected_profit(v, p) for v, p in zip(short, prospects, strict=True)]
        burn = [v.burn for v in short]
        gross = [*profit, *(g for g in profit for _ in vcs), *([outlook] * width)]
        burns = [*burn, *(b for b in burn for _ in vcs)]
        burns += [entrant_burn(entry, vc.params.round_size) for vc in vcs]
        rates = [v.cloud.params.strategic_hurdle for v in short] + hurdles * n + hurdles
        values = finance.dcf_values(
            gross, burns, growth, rates, entry.erosion, entry.exit_multiple
        ).tolist()
        rows = [values[n + i * width : n + (i + 1) * width] for i in range(n)]
        return cls(values[:n], rows, values[n + n * width :])


def strategic_rounds(short: Sequence[Vendor], values: Valuations, entry: EntryParams) -> float:
    """Clouds' parents back partners short of cash with compute credits, each up to what
    the round needs, the credits it has and the partner's :func:`valuation` at the
    parent's ``strategic_hurdle`` (``values.strategic``; for equity at that value);
    returns the money invested ($M)."""
    total = 0.0
    for vendor, value in zip(short, values.strategic, strict=True):
        cloud = vendor.cloud
        if cloud.strategic_credits <= 0:
            continue
        amount = min(cloud.strategic_credits, need(vendor, entry), value)
        if amount <= 0:
            continue
        cloud.back(vendor, amount, value)
        total += amount
    return total


def fund(
    vcs: Sequence[VentureCapitalist],
    short: Sequence[Vendor],
    values: Valuations,
    draws: FundingDraws,
    spawn: Callable[[float, bool], Vendor],
) -> float:
    """One month's VC rounds: follow-ons for the vendors ``short`` of cash, then each
    pitch in turn to the VCs, richest first, at their ``values``; ``spawn`` makes a funded
    pitch a vendor. Returns the money invested ($M)."""
    if not vcs:
        return 0.0
    entry = vcs[0].entry
    for vc in vcs:
        vc.raise_money()
    order = sorted(range(len(vcs)), key=lambda i: -vcs[i].cash)  # richest first
    ranked = [vcs[i] for i in order]
    total = 0.0
    for vendor, row in zip(short, values.follow_on, strict=True):
        slot = entry.max_pitches + vendor.index % FOLLOW_ON_SLOTS
        wanted = need(vendor, entry)
        worth = [row[i] for i in order]
        total += _syndicate(ranked, draws.noise[slot], vendor, worth, wanted)
    pitch = [values.pitch[i] for i in order]
    for k in range(draws.pitches):
        is_open = bool(draws.pitch_open[k])
        for vc, value in zip(ranked, pitch, strict=True):  # the pitch goes to VCs in order
            amount = vc.offer(value, draws.noise[k][vc.index], vc.params.round_size)
            if amount > 0:
                vc.invest(spawn(amount, is_open), amount, value)
                total += amount
                break
    for vc in vcs:
        vc.pace = finance.update_pace(vc.pace, vc.funded, entry.powder_months)
    return total


def _syndicate(ranked, noise, vendor: Vendor, values: list[float], wanted: float) -> float:
    """Investors in ``ranked`` order join a follow-on round until it raises ``wanted``,
    each valuing the vendor at its own hurdle rate (``values``, in the same order) and
    writing at most ``deal_share`` of its dry powder; returns the amount raised."""
    raised = 0.0
    for vc, value in zip(ranked, values, strict=True):
        if raised >= wanted:
            break
        cap = vc.entry.deal_share * max(0.0, vc.cash)
        amount = min(vc.offer(value, noise[vc.index], cap), wanted - raised)
        if amount <= 0:
            continue
        vc.invest(vendor, amount, value)
        raised += amount
    return raised


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
