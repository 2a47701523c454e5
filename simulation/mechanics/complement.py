"""The platform's complement business: ads whose demand falls with what its AI costs it.

Advertisers buy the platform's ad output Q at a full price P per unit; every unit needs AI
input that costs the platform p2 per unit (tokens per unit x the unit price of the model
it uses: its own serving cost, open weights' hosting cost, or what a rival charges).
Demand is linear in the full price, with an intercept that better AI raises (composite
demand for complements, Cournot 1838; Farrell & Katz 2000):

    Q = A(q) - b P,    A(q) = A0 sqrt(1 + u(q)),    u(q) = k q / (q + h).

The platform's margin is p1 = P - p2. Given p2 it sets P to maximise p1 Q:

    P* = (A / b + p2) / 2,    Q* = (A - b p2) / 2,    profit* = (A - b p2)^2 / (4 b).

Units: a month's ad output without AI is 1 (Q0 = 1), so A0 = 2 and b = 1 / R0, R0 the
complement revenue without AI; then, with x = p2 / (2 R0),

    profit* = R0 (sqrt(1 + u) - x)^2,    Q* = sqrt(1 + u) - x,

so AI free at the margin adds R0 u(q) (u saturates at k: the most AI can add), and every
dollar the AI costs per unit of output takes output and margin away: the reason a platform
wants the model it depends on to be a commodity priced at cost.

An independent supplier of the AI input facing this demand (an API rival the platform
depends on) sets p2 to maximise p2 Q*: against the platform's price it charges
``supplier_price`` (the Nash price of the complements game, A / (3 b) with the platform's
margin also A / (3 b)), so the platform earns A^2 / (9 b) instead of A^2 / (4 b) with the
input at zero, and sells two thirds of the output (the docking test in ODD section 8).
A rival can charge no more than leaves the platform as well off as its best alternative
(``limit_price``): its own model or open weights; what it charges above its API price is
the hold-up the platform avoids by having an alternative.
"""

from __future__ import annotations

import math

import numpy as np


def uplift(strength: float, capability: float, half: float = 1.0) -> float:
    """u(q) = k q / (q + h): the share AI of capability q adds to complement revenue when it
    costs nothing (0 for q <= 0)."""
    q = max(capability, 0.0)
    return strength * q / (q + half) if q > 0 else 0.0


def outcome(base_revenue: float, lift: float, input_price: float) -> tuple[float, float, float]:
    """The platform's complement business with uplift ``lift`` (u) and AI input price
    ``input_price`` ($M per unit of output, p2): (revenue P* Q*, AI cost p2 Q*,
    output Q*), all at the platform's optimum. Output 0 if the input price shuts it."""
    r0 = base_revenue
    if r0 <= 0.0:
        return 0.0, 0.0, 0.0
    a, b = 2.0 * math.sqrt(1.0 + lift), 1.0 / r0
    q = max(0.0, (a - b * input_price) / 2.0)
    price = (a / b + input_price) / 2.0
    return price * q, input_price * q, q


def profit(base_revenue: float, lift: float, input_price: float) -> float:
    """The platform's complement profit (revenue less AI cost), R0 (sqrt(1 + u) - x)^2
    with x = p2 / (2 R0)."""
    revenue, cost, _ = outcome(base_revenue, lift, input_price)
    return revenue - cost


def supplier_price(base_revenue: float, lift: float, platform_margin: float) -> float:
    """An independent monopolist supplier's best-response input price against the
    platform's margin p1: argmax p2 (A - b (p1 + p2)) = (A / b - p1) / 2 ($M per unit)."""
    a, b = 2.0 * math.sqrt(1.0 + lift), 1.0 / base_revenue
    return max(0.0, (a / b - platform_margin) / 2.0)


def nash_prices(base_revenue: float, lift: float) -> float:
    """The Nash equilibrium of the complements game (each sets its price against the
    other's): p1 = p2 = A / (3 b) ($M per unit); returns that common price."""
    a, b = 2.0 * math.sqrt(1.0 + lift), 1.0 / base_revenue
    return a / (3.0 * b)


def limit_price(base_revenue: float, lift: float, alternative: float) -> float:
    """The input price at which the platform earns ``alternative`` (its profit with its
    best other option): p2 = 2 R0 (sqrt(1 + u) - sqrt(alternative / R0)), at least 0."""
    r0 = base_revenue
    return max(0.0, 2.0 * r0 * (math.sqrt(1.0 + lift) - math.sqrt(max(alternative, 0.0) / r0)))


def marginal_value(
    base_revenue: float, strength: float, capability: float, half: float, input_price: float
) -> float:
    """d profit / d q of the platform using a model of capability q at input price p2:
    R0 (sqrt(1 + u) - x) u'(q) / sqrt(1 + u), u'(q) = k h / (q + h)^2 ($M a month per
    frontier-year; 0 when the AI's cost shuts it)."""
    r0 = base_revenue
    if r0 <= 0.0:
        return 0.0
    q = max(capability, 0.0)
    lift = uplift(strength, q, half)
    root = math.sqrt(1.0 + lift)
    x = input_price / (2.0 * r0)
    return max(0.0, r0 * (root - x) * strength * half / (q + half) ** 2 / root)


# -- several options at once (numpy; the same operations in the same order as the scalar
#    functions above, so each entry has their bits) ------------------------------------
def uplifts(strength: float, capability: np.ndarray, half: float = 1.0) -> np.ndarray:
    """:func:`uplift` of each of ``capability``."""
    q = np.where(capability < 0.0, 0.0, capability)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(q > 0, strength * q / (q + half), 0.0)


def profits(base_revenue: float, lift: np.ndarray, input_price: np.ndarray) -> np.ndarray:
    """:func:`profit` of each option (``lift``, ``input_price``), ``base_revenue`` > 0."""
    a, b = 2.0 * np.sqrt(1.0 + lift), 1.0 / base_revenue
    half = (a - b * input_price) / 2.0
    q = np.where(half > 0.0, half, 0.0)
    price = (a / b + input_price) / 2.0
    return price * q - input_price * q


def rival_charges(
    base_revenue: float, lift: np.ndarray, listed: np.ndarray, alternative: float
) -> np.ndarray:
    """What rivals selling AI of ``lift`` at API prices ``listed`` ($M per unit) charge a
    platform whose best other option earns ``alternative``: the complements game's price
    (:func:`nash_prices`), at most a hair below :func:`limit_price`, at least ``listed``."""
    r0 = base_revenue
    root = np.sqrt(1.0 + lift)
    gap = 2.0 * r0 * (root - math.sqrt(max(alternative, 0.0) / r0))
    limit = np.where(gap > 0.0, gap, 0.0) * (1.0 - 1e-9)
    nash = 2.0 * root / (3.0 * (1.0 / r0))
    held = np.where(limit < nash, limit, nash)
    return np.where(held > listed, held, listed)
