"""The market's state besides its agents and products: one record, ``model.state``.

The month's indices (compute cost, token demand, serving cost), the regulatory state set
by shocks, this month's counters (entries, exits, incidents, money invested) and the
shocks already fired. The phases write it; agents, metrics and shocks read it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field


@dataclass
class MarketState:
    """What the model knows about the market as a whole (ODD section 2.2)."""

    serving_cost: float  # c_t: serving cost of a frontier model on a standard cloud, $/Mtok
    cost_index: float = 1.0  # compute cost relative to step 0
    demand_index: float = 1.0  # token demand relative to step 0
    open_cap: float = math.inf  # regulatory cap on open-weight capability (frontier-years)
    open_tax: float = 0.0  # regulatory tax on open-weight tokens, share of hosting price
    regulated: bool = False  # open release is regulated (tax or cap) from now on
    incidents: int = 0  # misuse incidents this month
    entries: int = 0  # vendors entering this month
    exits: int = 0  # vendors exiting this month
    vc_funding: float = 0.0  # money VCs invested this month, $M
    strategic_funding: float = 0.0  # money clouds' parents invested this month, $M
    entrants: int = 0  # funded entrants so far (names them: entrant1, entrant2, ...)
    fired_shocks: set[str] = field(default_factory=set)  # one-off shocks already fired
    unconverged: int = 0  # price solves that stopped short of their tolerance, so far
    # what a model of each vendor's capability would earn if new ($M/month, by vendor
    # index), as valued in this month's funding phase; the R&D rule reads it
    prospects: dict[int, float] = field(default_factory=dict)
