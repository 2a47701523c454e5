"""The platform's complement business: AI features raise revenue from ads and attention.

A platform deploys AI in its products at intensity a in [0, 1]. At full deployment its
products would use V tokens a month. AI of capability q adds R0 u(q) sqrt(a) to the
complement revenue R0 (diminishing returns to deployment), where the uplift
u(q) = k q / (q + h) saturates at k (better AI helps ads less and less; k is the most AI
can add, h the capability at half of it), and costs a V w, where w is the unit price of
the model it uses (its own serving cost, a rival's API price or an open model's hosting
cost). Maximizing the difference gives the closed form

    a* = min(1, (R0 u(q) / (2 V w))^2),    gain = R0 u(q) sqrt(a*),

so the complement revenue rises as w falls: the reason a platform wants the model it
depends on to be a commodity priced at cost.
"""

from __future__ import annotations

import math


def deployment(
    base_revenue: float,
    strength: float,
    capability: float,
    tokens: float,
    unit_price: float,
    half: float = 1.0,
) -> tuple[float, float, float]:
    """(intensity a*, complement revenue gain $M/month, AI cost $M/month)."""
    q = max(capability, 0.0)
    value = base_revenue * strength * q / (q + half) if q > 0 else 0.0
    if value <= 0.0 or tokens <= 0.0:
        return 0.0, 0.0, 0.0
    marginal_cost = 2.0 * tokens * unit_price
    a = 1.0 if value >= marginal_cost else (value / marginal_cost) ** 2
    return a, value * math.sqrt(a), a * tokens * unit_price
