"""Capability from frontier training compute, and catching up by imitation.

One production function for every vendor (scaling laws: Kaplan et al. 2020, Hoffmann et
al. 2022): capability in frontier-years is

    q = 1 + kappa * ln(K / K1)

where K is the vendor's stock of cumulative effective training compute ($M of January
2023 compute) and K1 the stock behind the January 2023 frontier (q = 1). A month of
training adds ``spend x frontier_share x E(t) x talent`` to the stock, E(t) the effective
compute a dollar buys (hardware and algorithms, growing ``efficiency_growth`` a year, the
same for everyone). So two labs whose stocks differ by a factor r differ by kappa ln r in
capability, whoever they are and wherever they started.

A follower also absorbs released weights (imitation, distillation): each month it closes
a share theta of the gap between its stock and the stock equivalent of the best open
model X, with theta = speed * A / (A + h): A is its own effective compute this month (its
absorptive capacity, Cohen & Levinthal 1989) and h the capacity at which it imitates at
half the full speed. A follower with no R&D of its own absorbs nothing, imitation alone
never lifts it past X, and closed models cannot be imitated (their weights are not out).

Stocks span many orders of magnitude (a capability of 40 at kappa = 0.1 is e^390 times
the frontier's stock), so they are held as natural logarithms: ln 0 = -inf is no stock.
"""

from __future__ import annotations

import functools
import math

#: ln 2, as numpy's logaddexp adds it for equal arguments.
_LN2 = math.log(2.0)


def log_stock_for(capability: float, kappa: float, frontier_stock: float) -> float:
    """ln of the effective-compute stock ($M) that gives ``capability`` (frontier-years)."""
    return math.log(frontier_stock) + (capability - 1.0) / kappa


def capability_of(log_stock: float, kappa: float, frontier_stock: float) -> float:
    """Capability (frontier-years) of a stock whose ln is ``log_stock``; -inf for none."""
    return 1.0 + kappa * (log_stock - math.log(frontier_stock))


def add(log_stock: float, amount: float) -> float:
    """ln of the stock after ``amount`` ($M, at least 0) more effective compute."""
    if amount <= 0.0:
        return log_stock
    return log_add_exp(log_stock, math.log(amount))


def total(log_own: float, log_absorbed: float) -> float:
    """ln of own plus absorbed stock."""
    return log_add_exp(log_own, log_absorbed)


def log_add_exp(x: float, y: float) -> float:
    """ln(e^x + e^y) for floats, as ``numpy.logaddexp`` computes it (the same steps, so
    the same bits) without numpy's per-call cost."""
    if x == y:  # also equal infinities
        return x + _LN2
    gap = x - y
    if gap > 0:
        return x + math.log1p(math.exp(-gap))
    if gap <= 0:
        return y + math.log1p(math.exp(gap))
    return gap  # a NaN


@functools.lru_cache(maxsize=4096)
def efficiency_index(months: float, efficiency_growth: float) -> float:
    """Effective training compute a dollar buys after ``months``, relative to January
    2023 (the same for every vendor)."""
    return efficiency_growth ** (months / 12.0)


def imitation_rate(capacity: float, speed: float, half_capacity: float) -> float:
    """Share of the stock gap to the best open model closed this month:
    ``speed * capacity / (capacity + half_capacity)`` (0 without capacity)."""
    if capacity <= 0.0:
        return 0.0
    return speed * capacity / (capacity + half_capacity)


def absorb(log_absorbed: float, log_total: float, log_target: float, rate: float) -> float:
    """ln of the absorbed stock after imitating a model whose stock equivalent has ln
    ``log_target``: ``rate`` times the gap between it and the total stock is added,
    nothing when the follower is not behind. Computed relative to the target, so that
    neither stock need be representable."""
    if rate <= 0.0 or log_total >= log_target:
        return log_absorbed
    held = math.exp(log_absorbed - log_target)  # both below 1: the follower is behind
    behind = 1.0 - math.exp(log_total - log_target)
    return log_target + math.log(held + rate * behind)
