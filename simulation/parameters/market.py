"""Parameter records: market conditions, entry, innovation, mechanism switches.

Units: money in $M (flows per month), tokens in Ttok per month, prices in $/Mtok,
capability in frontier-years (1.0 = the closed frontier of January 2023), utilities in
logit units. "SF #n" in a source is row n of ``docs/facts.md``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from aimarket.simulation.params import par


@dataclass(frozen=True)
class MarketParams:
    """Exogenous market conditions: costs, demand growth, the pricing rule."""

    start: str = par("2023-01", doc="calendar month of step 1 (YYYY-MM)")
    serving_cost: float = par(
        2.0,
        lo=0.001,
        hi=1000.0,
        unit="$/Mtok",
        doc="cost of serving a frontier model at step 0 on a standard cloud",
        source="SF #4: closed mean $1.86 vs open $0.23/Mtok (2024-25); SF #1 GPT-4 era prices",
    )
    compute_cost_decline: float = par(
        0.5,
        lo=0.0,
        hi=0.99,
        unit="1/year",
        doc="annual fractional fall of the compute cost index (hardware and algorithms)",
        source="calibrated: the baseline's value is in simulation/data/calibrated.toml",
    )
    demand_growth: float = par(
        1.0,
        lo=0.0,
        hi=20.0,
        unit="1/year",
        doc="annual growth rate of token demand at full adoption (1.0 doubles it a year)",
        source="SF #6: enterprise GenAI spend ~6x 2023->2024 while prices fell",
    )
    pricing: Literal["nash", "cost"] = par(
        "nash",
        doc="closed API pricing rule: logit best response ('nash') or marginal cost ('cost')",
    )
    price_adjustment: float = par(
        1.0,
        lo=0.01,
        hi=1.0,
        doc="share of the gap to the best-response price a vendor closes each month",
    )
    host_substitution: float = par(
        20.0,
        lo=0.1,
        hi=1e6,
        unit="utility per (price / serving cost)",
        doc="how readily developers move between clouds hosting the same open weights as "
        "their prices differ (large: hosts are interchangeable and price near cost); each "
        "host sets its price to maximize its profit against it",
        source="assumption: hosts differ a little (latency, limits, tooling); in the "
        "sensitivity set",
    )
    reference_capability: float = par(
        1.0,
        lo=0.0,
        hi=100.0,
        unit="frontier-years",
        doc="capability level whose cheapest price is reported ('LLMflation' metric)",
        source="SF #1: a16z LLMflation tracks the price of a fixed capability (2024-11)",
    )


@dataclass(frozen=True)
class EntryParams:
    """How VCs value startups and what a funded entrant looks like."""

    rate: float = par(0.5, lo=0.0, hi=20.0, unit="1/month", doc="mean startup pitches a month")
    max_pitches: int = par(4, lo=1, hi=64, doc="cap on pitches a month (fixes random draws)")
    capability_gap: float = par(
        1.0,
        lo=0.0,
        hi=100.0,
        unit="frontier-years",
        doc="entrant starts this far behind the closed frontier, or at the open frontier",
    )
    open_share: float = par(0.3, lo=0.0, hi=1.0, doc="chance an entrant releases open_lagged")
    exit_multiple: float = par(
        15.0, lo=0.0, hi=1000.0, unit="x annual profit", doc="valuation at exit"
    )
    horizon: float = par(5.0, lo=0.5, hi=30.0, unit="years", doc="holding period")
    signal_noise: float = par(0.5, lo=0.0, hi=5.0, doc="log-normal noise on VCs' valuation")
    min_ticket: float = par(
        0.5, lo=0.01, hi=1.0, doc="smallest round a VC writes, as a share of its round size"
    )
    runway: float = par(
        36.0,
        lo=0.0,
        hi=120.0,
        unit="months",
        doc="vendors raise when cash < runway x burn",
        source="calibrated: the baseline's value is in simulation/data/calibrated.toml",
    )
    burn: float = par(
        0.04, lo=0.0, hi=1.0, unit="1/month", doc="entrant R&D budget as a share of its round"
    )
    round_interval: int = par(
        6,
        lo=1,
        hi=60,
        unit="months",
        doc="a vendor raises at most once in this many months; a round is filled by several "
        "investors (syndicated) up to what its runway needs",
        source="assumption: model labs raised about once or twice a year in 2023-24 (SF #17)",
    )
    revenue_multiple: float = par(
        20.0,
        lo=0.0,
        hi=200.0,
        unit="x annual revenue",
        doc="valuation of a vendor per dollar of annual API revenue, before growth",
        source="SF #20: 2024 rounds valued model labs at about 20-40x annual revenue",
    )
    growth_premium: float = par(
        0.5,
        lo=0.0,
        hi=10.0,
        doc="extra revenue multiple per unit of annual revenue growth (growth investors pay for)",
        source="assumption: valuations rise with revenue growth (SF #20)",
    )
    acquisition_share: float = par(
        0.3,
        lo=0.0,
        hi=2.0,
        doc="a vendor out of cash is bought for this share of its last valuation; its "
        "investors share the price (an acqui-hire returns part of their capital)",
        source="SF #21: Inflection, Adept and Character.AI were bought out in 2024",
    )


@dataclass(frozen=True)
class InnovationParams:
    """Capability dynamics: R&D as compute scaling, spillover, community, talent.

    A vendor's capability follows the logarithm of its effective training compute: the
    spend of its recent training (a moving average over ``training_months``) times the
    compute a dollar buys (growing ``efficiency_growth`` a year) times its talent. The
    scale is set so that a lab whose spend grows as fast as frontier training spend
    (``frontier_cost_growth``) advances ``frontier_pace`` frontier-years a year: capability
    per e-fold of compute is ``frontier_pace / ln(frontier_cost_growth x
    efficiency_growth)``.
    """

    frontier_pace: float = par(
        1.0,
        lo=0.1,
        hi=5.0,
        unit="frontier-years/year",
        doc="pace of the frontier when spend grows at frontier_cost_growth (the unit of "
        "capability: one frontier-year is a year of frontier progress)",
        source="SF #3: defines the capability unit (a gap of 1.0 is one year behind)",
    )
    frontier_cost_growth: float = par(
        2.4,
        lo=1.0,
        hi=100.0,
        unit="x per year",
        doc="growth of frontier training spend (the pace-setting labs' R&D grows this fast)",
        source="SF #10: frontier training cost grows ~2.4x/yr (Cottier et al. 2024)",
    )
    efficiency_growth: float = par(
        3.0,
        lo=1.0,
        hi=20.0,
        unit="x per year",
        doc="growth of the effective training compute a dollar buys (algorithms, hardware)",
        source="SF #19: algorithmic progress halves the compute for a level about every 8 "
        "months (2012-2023), hardware price-performance ~1.3x/yr",
    )
    training_months: float = par(
        6.0,
        lo=1.0,
        hi=36.0,
        unit="months",
        doc="a model reflects the spend of about this many months of training (moving average)",
        source="assumption: frontier training runs take a few months (docs/ODD.md 6.3)",
    )
    spillover: float = par(
        0.03,
        lo=0.0,
        hi=1.0,
        unit="1/month",
        doc="share of the gap to the best open model any vendor closes each month",
        source="assumption: how fast vendors learn from the best open model",
    )
    community_cap: float = par(
        0.15,
        lo=0.0,
        hi=2.0,
        unit="frontier-years",
        doc="most the community can add to open weights (fine-tunes, tools): diminishing returns",
        source="assumption: derivative models improve task fit, not the frontier (SF #13)",
    )
    community_quality: float = par(
        0.1,
        lo=0.0,
        hi=10.0,
        unit="1/month per developer share",
        doc="how fast the community closes the gap to community_cap, per share of developers",
        source="assumption: contributions grow with the developers using the weights",
    )
    community_efficiency: float = par(
        0.05,
        lo=0.0,
        hi=1.0,
        unit="1/month per developer share",
        doc="community cuts to the serving cost of open weights (quantization, kernels)",
        source="assumption: quantization and kernels cut serving cost (floored)",
    )
    min_efficiency: float = par(0.2, lo=0.01, hi=1.0, doc="floor of community cost cuts")
    talent_bonus: float = par(
        0.1,
        lo=0.0,
        hi=5.0,
        doc="effective-compute premium of a vendor that releases weights (talent)",
        source="assumption: open release draws researchers (no measurement)",
    )
    talent_speed: float = par(0.05, lo=0.0, hi=1.0, unit="1/month", doc="talent adjustment")

    @property
    def compute_scale(self) -> float:
        """Frontier-years per e-fold of effective compute."""
        return self.frontier_pace / math.log(self.frontier_cost_growth * self.efficiency_growth)


@dataclass(frozen=True)
class Mechanisms:
    """Switches: each turns one mechanism off, for reduced (docking) configurations."""

    cost_decline: bool = par(True, doc="compute cost index falls over time")
    demand_growth: bool = par(True, doc="token demand grows over time")
    diffusion: bool = par(True, doc="Bass entry into the market (off: all developers in)")
    outside_option: bool = par(True, doc="developers may choose no model")
    distribution: bool = par(True, doc="developers have home clouds; models there are worth more")
    host_markups: bool = par(
        True, doc="hosts of open weights are differentiated (off: Bertrand undercutting)"
    )
    network_effects: bool = par(True, doc="ecosystem size enters utility")
    switching_costs: bool = par(True, doc="switching costs enter utility")
    rd: bool = par(True, doc="R&D raises capability")
    spillover: bool = par(True, doc="open weights spill over to every vendor")
    community: bool = par(True, doc="adopters improve open weights")
    talent: bool = par(True, doc="open release attracts talent")
    complement: bool = par(True, doc="platforms earn complement revenue from AI")
    venture: bool = par(True, doc="VCs fund rounds and entrants")
    exit: bool = par(True, doc="private vendors out of cash exit")
