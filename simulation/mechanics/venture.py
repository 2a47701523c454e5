"""Venture finance as pure functions: a discounted-cash-flow valuation, a fund's public
market equivalent, and limited partners' commitments (docs/ODD.md section 6.2)."""

from __future__ import annotations

import math

import numpy as np


def dcf_value(
    gross_profit: float,
    burn: float,
    growth: np.ndarray,
    rate: float,
    erosion: float,
    exit_multiple: float,
) -> float:
    """Value ($M, at least 0) of a firm expected to earn ``gross_profit`` a month now and
    to spend ``burn`` a month, over the months of ``growth`` (``growth[k]``: the market's
    token volume k + 1 months ahead over today's), discounted at ``rate`` a year:

    ``V = sum_k (g_k - burn) / (1 + rate)^(k/12) + M x 12 (g_H - burn)+ / (1 + rate)^(H/12)``,
    ``g_k = gross_profit x growth[k-1] x exp(-erosion k / 12)``,

    where ``erosion`` (a year) is how fast rivals' entry and catch-up wear its gross profit
    down and ``M`` = ``exit_multiple`` values the horizon's annual net profit (terminal
    value). Equity is worth no less than 0: its owners can close the firm."""
    months = len(growth)
    k = np.arange(1, months + 1, dtype=float)
    discount = (1.0 + rate) ** (-k / 12.0)
    profit = gross_profit * growth * np.exp(-erosion * k / 12.0)
    flows = float(((profit - burn) * discount).sum())
    terminal = exit_multiple * 12.0 * max(0.0, float(profit[-1]) - burn) * float(discount[-1])
    return max(0.0, flows + terminal)


def growth_path(index, now: float, months: int) -> np.ndarray:
    """``index(years) / index(now)`` for each of the next ``months`` months: the market's
    volume path (``index``: years since step 0 -> volume index) relative to today."""
    today = index(now)
    return np.array([index(now + k / 12.0) / today for k in range(1, months + 1)])


def discount_factor(rate: float, months: float) -> float:
    """What a dollar ``months`` from step 0 is worth at step 0 at ``rate`` a year."""
    return (1.0 + rate) ** (-months / 12.0)


def public_market_equivalent(paid_in: float, distributed: float, nav: float, discount: float):
    """A fund's public market equivalent (Kaplan & Schoar 2005): distributions plus
    today's net asset value ``nav``, over money paid in, each discounted to step 0 at the
    public market's return (``paid_in`` and ``distributed`` are already discounted;
    ``discount`` is today's factor). 1 if nothing was paid in."""
    if paid_in <= 0:
        return 1.0
    return (distributed + nav * discount) / paid_in


def lp_commitment(
    base: float, pme: float, elasticity: float, dry_powder: float, pace: float, months: float
) -> float:
    """Limited partners' commitment this month ($M): ``base`` scaled by the fund's track
    record, ``pme ** elasticity`` (Gompers & Lerner 1998; Kaplan & Schoar 2005), and by
    the room its dry powder leaves, ``1 - dry_powder / (months x pace)``: none once it
    holds ``months`` of its recent investment ``pace`` ($M a month) uninvested."""
    if base <= 0:
        return 0.0
    target = months * max(0.0, pace)
    room = max(0.0, 1.0 - max(0.0, dry_powder) / target) if target > 0 else 0.0
    return base * math.pow(max(pme, 0.0), elasticity) * room


def update_pace(pace: float, invested: float, months: float) -> float:
    """A fund's investment pace ($M a month): an exponentially weighted mean of what it
    invests a month, with a memory of ``months``."""
    return pace + (invested - pace) / max(months, 1.0)
