"""Parameter records: market conditions, entry, innovation, mechanism switches.

Units: money in $M (flows per month), tokens in Ttok per month, prices in $/Mtok,
capability in frontier-years (1.0 = the closed frontier of January 2023), utilities in
logit units. "SF #n" in a source is row n of ``docs/facts.md``.
"""

from __future__ import annotations

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


@dataclass(frozen=True)
class InnovationParams:
    """Capability dynamics: R&D, spillover, community, talent."""

    rd_productivity: float = par(
        1 / 12,
        lo=0.0,
        hi=10.0,
        unit="frontier-years/month",
        doc="capability gain a month from the reference R&D spend at talent 1",
        source="SF #3, #10: frontier advances ~1 frontier-year a year by construction",
    )
    rd_reference: float = par(
        300.0, lo=1.0, hi=1e6, unit="$M/month", doc="R&D spend that buys rd_productivity at step 0"
    )
    rd_elasticity: float = par(0.5, lo=0.0, hi=1.0, doc="returns to R&D spend (concave)")
    frontier_cost_growth: float = par(
        2.4,
        lo=1.0,
        hi=100.0,
        unit="x per year",
        doc="growth of the spend that buys the reference R&D gain (frontier gets dearer)",
        source="SF #10: frontier training cost grows ~2.4x/yr (Cottier et al. 2024)",
    )
    spillover: float = par(
        0.03,
        lo=0.0,
        hi=1.0,
        unit="1/month",
        doc="share of the gap to the best open model any vendor closes each month",
    )
    community_quality: float = par(
        0.03,
        lo=0.0,
        hi=10.0,
        unit="frontier-years/month per developer share",
        doc="community improvements (fine-tunes, tooling) to open weights",
        source="calibrated: the baseline's value is in simulation/data/calibrated.toml",
    )
    community_efficiency: float = par(
        0.05,
        lo=0.0,
        hi=1.0,
        unit="1/month per developer share",
        doc="community cuts to the serving cost of open weights (quantization, kernels)",
    )
    min_efficiency: float = par(0.2, lo=0.01, hi=1.0, doc="floor of community cost cuts")
    talent_bonus: float = par(
        0.1, lo=0.0, hi=5.0, doc="R&D productivity premium of an open vendor (talent)"
    )
    talent_speed: float = par(0.05, lo=0.0, hi=1.0, unit="1/month", doc="talent adjustment")


@dataclass(frozen=True)
class Mechanisms:
    """Switches: each turns one mechanism off, for reduced (docking) configurations."""

    cost_decline: bool = par(True, doc="compute cost index falls over time")
    demand_growth: bool = par(True, doc="token demand grows over time")
    diffusion: bool = par(True, doc="Bass entry into the market (off: all developers in)")
    outside_option: bool = par(True, doc="developers may choose no model")
    network_effects: bool = par(True, doc="ecosystem size enters utility")
    switching_costs: bool = par(True, doc="switching costs enter utility")
    rd: bool = par(True, doc="R&D raises capability")
    spillover: bool = par(True, doc="open weights spill over to every vendor")
    community: bool = par(True, doc="adopters improve open weights")
    talent: bool = par(True, doc="open release attracts talent")
    complement: bool = par(True, doc="platforms earn complement revenue from AI")
    venture: bool = par(True, doc="VCs fund rounds and entrants")
    exit: bool = par(True, doc="private vendors out of cash exit")
