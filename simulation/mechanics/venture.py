"""Venture finance as pure functions: a discounted-cash-flow valuation, a fund's public
market equivalent, and limited partners' commitments (docs/ODD.md section 6.2)."""

from __future__ import annotations

import functools
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
    value). Equity is worth no less than 0: its owners can close the firm. One firm of
    :func:`dcf_values`."""
    values = dcf_values([gross_profit], [burn], growth, [rate], erosion, exit_multiple)
    return float(values[0])


def dcf_values(gross_profit, burn, growth: np.ndarray, rates, erosion: float, exit_multiple: float):
    """:func:`dcf_value` of several firms at once (``gross_profit``, ``burn`` and the
    investors' ``rates``: one each), over the same ``growth`` path: an array. Each value
    is computed in the same order of operations as one alone (a row's sum is numpy's
    pairwise sum of that row), so it has the same bits."""
    months = len(growth)
    discount = np.array([_discount(float(rate), months) for rate in rates]).reshape(-1, months)
    gross = np.asarray(gross_profit, dtype=float)[:, None]
    costs = np.asarray(burn, dtype=float)
    profit = gross * growth * _erosion(float(erosion), months)
    flows = ((profit - costs[:, None]) * discount).sum(axis=1)
    ending = profit[:, -1] - costs
    terminal = exit_multiple * 12.0 * np.where(ending > 0.0, ending, 0.0) * discount[:, -1]
    value = flows + terminal
    return np.where(value > 0.0, value, 0.0)


@functools.lru_cache(maxsize=512)
def _discount(rate: float, months: int) -> np.ndarray:
    """``(1 + rate)^(-k/12)`` for k = 1..``months`` (read-only; one per rate and horizon)."""
    k = np.arange(1, months + 1, dtype=float)
    out = (1.0 + rate) ** (-k / 12.0)
    out.flags.writeable = False
    return out


@functools.lru_cache(maxsize=64)
def _erosion(erosion: float, months: int) -> np.ndarray:
    """``exp(-erosion k / 12)`` for k = 1..``months`` (read-only)."""
    k = np.arange(1, months + 1, dtype=float)
    out = np.exp(-erosion * k / 12.0)
    out.flags.writeable = False
    return out


def growth_path(index, now: float, months: int) -> np.ndarray:
    """``index(years) / index(now)`` for each of the next ``months`` months: the market's
    volume path (``index``: an array of years since step 0 -> their volume indices)
    relative to today."""
    years = np.concatenate(([now], now + np.arange(1, months + 1) / 12.0))
    levels = np.asarray(index(years), dtype=float)
    return levels[1:] / levels[0]


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
