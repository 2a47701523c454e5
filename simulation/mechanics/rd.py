"""The R&D rule: how much a vendor spends on training compute, and what it is worth.

A vendor values a frontier-year of capability (one unit of capability, held for good) at

    V = m x annuity(H, r),    annuity(H, r) = sum_{t=1..H} (1 + r_m)^-t,

where m is what one more frontier-year adds to its profit a month (API sales and, for a
platform, its complement business), H the months over which it counts that gain and r_m
its monthly discount rate. Capability rises with the log of training compute (ODD 6.3):
for the next run, q = kappa ln(R) + constant, so the spend that maximises V q(R) - R is

    R* = kappa V    (the static optimum; Ericson & Pakes 1995 in spirit: invest while a
                     frontier-year is worth more than what it costs).

A vendor cannot spend cash it does not have: a public incumbent spends at most its cash, a
private lab at most its cash spread over its runway (it raises again when short; ODD 6.2).
"""

from __future__ import annotations

import functools


@functools.lru_cache(maxsize=1024)
def monthly_rate(annual: float) -> float:
    """The monthly rate equivalent to ``annual``."""
    return (1.0 + annual) ** (1.0 / 12.0) - 1.0


@functools.lru_cache(maxsize=1024)
def annuity(months: float, annual_rate: float) -> float:
    """Present value of $1 a month for ``months`` months at ``annual_rate``."""
    r = monthly_rate(annual_rate)
    if r <= 0.0:
        return float(months)
    return (1.0 - (1.0 + r) ** -months) / r


def frontier_year_value(marginal: float, months: float, annual_rate: float) -> float:
    """V: a frontier-year's value ($M) to a vendor it would earn ``marginal`` $M a month."""
    return max(0.0, marginal) * annuity(months, annual_rate)


def static_optimum(value: float, compute_scale: float) -> float:
    """R* = kappa V: the spend ($M) that maximises V kappa ln(R) - R."""
    return compute_scale * max(0.0, value)


def api_marginal(gross_profit: float, quality_weight: float, share: float) -> float:
    """What a frontier-year adds to API gross profit a month ($M): logit demand raises the
    share s by d ln s / d q = beta (1 - s) per frontier-year, so beta g (1 - s)."""
    return quality_weight * max(0.0, gross_profit) * max(0.0, 1.0 - share)


def terminal_value(recent_profit: list[float], annual_rate: float) -> float:
    """A perpetuity of the mean of ``recent_profit`` (monthly, $M) at ``annual_rate``
    with no growth: mean / r_m ($M; 0 without history; at r = 0, 1,200 months of it)."""
    if not recent_profit:
        return 0.0
    mean = sum(recent_profit) / len(recent_profit)
    r = monthly_rate(annual_rate)
    return mean / r if r > 0 else 1200.0 * mean
