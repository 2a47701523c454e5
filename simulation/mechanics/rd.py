"""The R&D rule: how much a vendor spends on training compute, and what it is worth.

A vendor values a frontier-year of capability (one unit of capability, held for good) at

    V = m x annuity(H, r),    annuity(H, r) = sum_{t=1..H} (1 + r_m)^-t,

where m is what one more frontier-year adds to its profit a month (API sales and, for a
platform, its complement business), H the months over which it counts that gain and r_m
its monthly discount rate. Capability rises with the log of the stock of effective
training compute (ODD 6.3): a vendor holding K and spending R this month, each dollar
buying u = frontier_share x E(t) x talent of effective compute, reaches
q = 1 + kappa ln((K + u R) / K1). The spend that maximises V q(R) - R sets
V kappa u / (K + u R) = 1:

    R* = max(0, kappa V - K / u)    (the static optimum; Ericson & Pakes 1995 in spirit:
                                     invest while a frontier-year is worth more than it
                                     costs at the margin).

K / u is the stock in dollars of this month's training: the more a vendor already holds,
and the less of its spend reaches frontier training, the less a dollar adds, so a vendor
with a large stock or a small frontier share spends little or nothing.

A vendor cannot spend cash it does not have: a public incumbent spends at most its cash, a
private lab at most its cash spread over its runway (it raises again when short; ODD 6.2).
"""

from __future__ import annotations

import functools
import math


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


def static_optimum(value: float, compute_scale: float, held: float = 0.0) -> float:
    """R* = max(0, kappa V - held): the spend ($M) that maximises
    V kappa ln(held + R) - R, ``held`` the stock it already holds in dollars of this
    month's training (K / u; 0 for a first run, where R* = kappa V)."""
    return max(0.0, compute_scale * max(0.0, value) - held)


def held_in_dollars(log_stock: float, per_dollar: float) -> float:
    """K / u ($M): a stock whose ln is ``log_stock`` priced at ``per_dollar`` effective
    compute a dollar (infinite when no dollar reaches training, 0 for no stock)."""
    if per_dollar <= 0.0:
        return math.inf
    if log_stock == -math.inf:
        return 0.0
    exponent = log_stock - math.log(per_dollar)
    return math.exp(exponent) if exponent < 700.0 else math.inf


def api_marginal(gross_profit: float, quality_weight: float, share: float) -> float:
    """What a frontier-year adds to API gross profit a month ($M): logit demand raises the
    share s by d ln s / d q = beta (1 - s) per frontier-year, so beta g (1 - s)."""
    return quality_weight * max(0.0, gross_profit) * max(0.0, 1.0 - share)


def catch_up_marginal(gross_profit: float, lead_gross_profit: float, gap: float) -> float:
    """What a frontier-year of catching up adds to API gross profit a month ($M), for a
    vendor ``gap`` frontier-years behind the best model: the chord from its own gross
    profit to that of a model level with the leader, (G_lead - G) / gap (0 at no gap).

    A laggard's incentive is the profit of drawing level less the profit of staying
    behind, not the slope where it stands (step-by-step innovation: Aghion, Harris,
    Howitt & Vickers 2001, "Competition, imitation and growth with step-by-step
    innovation", Review of Economic Studies 68(3)). Under logit demand the slope at a
    small share is small, so the slope alone would leave a vendor that is behind with no
    reason to invest."""
    if gap <= 0.0:
        return 0.0
    return max(0.0, lead_gross_profit - max(0.0, gross_profit)) / gap


def terminal_value(recent_operating: list[float], annual_rate: float) -> float:
    """A perpetuity of the mean of ``recent_operating`` (monthly operating profit before
    R&D, $M) at ``annual_rate`` with no growth: mean / r_m ($M; 0 without history; at
    r = 0, 1,200 months of it).

    No growth means no reinvestment: growth is the reinvestment rate times the return
    on what is reinvested (Damodaran, *Investment Valuation*, 3rd ed. 2012, ch. 12), so
    a no-growth perpetuity carries no R&D. Counting this month's R&D in it instead would
    capitalise a growth investment as a loss made for ever."""
    if not recent_operating:
        return 0.0
    mean = sum(recent_operating) / len(recent_operating)
    r = monthly_rate(annual_rate)
    return mean / r if r > 0 else 1200.0 * mean
