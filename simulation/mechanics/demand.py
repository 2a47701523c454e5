"""Token demand over time: the volume a developer uses at a given price.

The log growth rate of a developer's volume starts at ln(g0) a year (2023) and decays
towards a long-run ln(g1) with half-life H years:

    d ln I / dt = ln g1 + (ln g0 - ln g1) 2^(-t / H),
    I(t) = exp(t ln g1 + (ln g0 - ln g1) (H / ln 2) (1 - 2^(-t / H))),

so 2023-24's boom (SF #6) need not last ten years. The price response is separate
(:func:`aimarket.simulation.mechanics.choice.volume`).
"""

from __future__ import annotations

import math


def volume_index(years: float, growth: float, long_run: float, halflife: float) -> float:
    """I(t): a developer's token volume at a given price after ``years``, relative to
    the start; ``growth`` and ``long_run`` are x-per-year factors, ``halflife`` years."""
    fast, slow = math.log(growth), math.log(long_run)
    fading = halflife / math.log(2.0) * -math.expm1(-years * math.log(2.0) / halflife)
    return math.exp(years * slow + (fast - slow) * fading)
