"""Parameter records: market conditions, entry, innovation, mechanism switches.

Units: money in $M (flows per month), tokens in Ttok per month, prices in $/Mtok,
capability in frontier-years (1.0 = the closed frontier of January 2023), utilities in
logit units. "SF #n" in a source is row n of ``docs/facts.md``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from aimarket.simulation.params import par, retire


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
        source="SF #19: hardware price-performance ~1.3x/yr, plus serving software; 0.5 "
        "halves the cost of a token a year (to be recalibrated)",
    )
    volume_growth: float = par(
        5.0,
        lo=1.0,
        hi=30.0,
        unit="x per year",
        doc="growth of the tokens a developer uses at a given price, in 2023 (new uses, "
        "longer contexts); the growth rate decays towards volume_growth_long",
        source="SF #6: enterprise GenAI spend grew ~6x from 2023 to 2024 while adoption "
        "about doubled and prices fell several-fold: tokens per developer grew ~10x, of "
        "which ~2x is the response to price",
    )
    volume_growth_long: float = par(
        1.5,
        lo=1.0,
        hi=10.0,
        unit="x per year",
        doc="long-run growth of the tokens a developer uses at a given price",
        source="assumption: growth slows as uses mature (no data before 2025 measures it)",
    )
    volume_growth_halflife: float = par(
        2.0,
        lo=0.25,
        hi=20.0,
        unit="years",
        doc="years for the excess of log volume growth over its long-run rate to halve",
        source="assumption: the 2023-24 boom fades over a few years",
    )
    token_elasticity: float = par(
        -0.7,
        lo=-3.0,
        hi=0.0,
        doc="price elasticity of the tokens a developer uses of the model it chose: tokens "
        "scale as (price / reference_price) ^ elasticity",
        source="assumption: usage grows as prices fall, by how much is not measured before 2025",
    )
    reference_price: float = par(
        10.0,
        lo=0.01,
        hi=1000.0,
        unit="$/Mtok",
        doc="price at which developers use their segment's `tokens` (the anchor of the "
        "token demand curve)",
        source="SF #1: closed frontier prices of early 2023 were around $10-60/Mtok",
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
    host_sensitivity: float = par(
        20.0,
        lo=0.1,
        hi=1e6,
        doc="how readily developers move between clouds hosting the same open weights as "
        "their prices differ, as a multiple of their price weight between models (large: "
        "hosts are interchangeable and price near cost); each host sets its price to "
        "maximize its profit against it",
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
        15.0,
        lo=0.0,
        hi=1000.0,
        unit="x annual profit",
        doc="terminal value of a valuation: its horizon's annual net profit times this",
    )
    horizon: float = par(
        5.0, lo=0.5, hi=30.0, unit="years", doc="years of cash flows a valuation discounts"
    )
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
        0.04,
        lo=0.0,
        hi=1.0,
        unit="1/month",
        doc="what VCs expect a startup to spend on R&D a month, as a share of its round "
        "(valuing a pitch; once funded its R&D follows the rule)",
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
    erosion: float = par(
        0.1,
        lo=0.0,
        hi=5.0,
        unit="1/year",
        doc="how fast investors expect rivals' entry and catch-up to wear a vendor's gross "
        "profit down (valuations are discounted cash flows, docs/ODD.md 6.2)",
        source="assumption: not measured; 0.1 (gross profit halves in about 7 years for "
        "competition alone) puts the 2024 venture volume in its band; in the sensitivity set",
    )
    deal_share: float = par(
        0.15,
        lo=0.01,
        hi=1.0,
        doc="most of its dry powder a VC puts into one follow-on round",
        source="assumption: funds cap what one company may take (limited partnership "
        "agreements commonly allow 10-20% of a fund)",
    )
    lp_elasticity: float = par(
        1.0,
        lo=0.0,
        hi=5.0,
        doc="elasticity of limited partners' commitments to a fund's public market "
        "equivalent (docs/ODD.md 6.2)",
        source="Gompers & Lerner 1998; Kaplan & Schoar 2005: fund raising rises with past "
        "returns, less than proportionally; the value is an assumption in the sensitivity set",
    )
    lp_benchmark: float = par(
        0.1,
        lo=0.0,
        hi=1.0,
        unit="1/year",
        doc="the public market's return against which limited partners judge a fund (its "
        "public market equivalent discounts every flow at this rate)",
        source="Kaplan & Schoar 2005 benchmark funds against the S&P 500; about 10% a year "
        "over the long run (assumption)",
    )
    powder_months: float = par(
        24.0,
        lo=1.0,
        hi=240.0,
        unit="months",
        doc="limited partners commit nothing once a VC's uninvested capital equals this "
        "many months of its base commitment (and in proportion to the room left below it)",
        source="assumption: funds raise a successor once most of the last one is invested",
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
    """Capability dynamics: one production function of effective training compute,
    imitation of released weights, the community, talent.

    Every vendor's capability is ``1 + compute_scale x ln(K / frontier_stock)``, K its
    stock of cumulative effective training compute: the training spend it has made
    (the ``frontier_share`` of its R&D), each dollar weighted by the compute it bought
    (growing ``efficiency_growth`` a year) and by its talent
    (:mod:`aimarket.simulation.mechanics.capability`). Followers also absorb the best
    open weights at a speed that grows with their own R&D (absorptive capacity).
    """

    compute_scale: float = par(
        0.5,
        lo=0.05,
        hi=3.0,
        unit="frontier-years per e-fold",
        doc="capability gained per e-fold (2.72x) of cumulative effective training compute",
        source="SF #10, SF #19: frontier spend ~2.4x/yr times effective compute per dollar "
        "~3x/yr is ~2 e-folds a year, which defines one frontier-year a year (SF #3)",
    )
    frontier_stock: float = par(
        1800.0,
        lo=1.0,
        hi=1e6,
        unit="$M of Jan-2023 compute",
        doc="cumulative effective training compute behind the January 2023 frontier "
        "(capability 1.0); starting capabilities are converted to stocks with it",
        source="SF #10: a lab whose training spend ($300M/month) grew ~2.4x/yr while a "
        "dollar bought ~3x more a year holds about 6 months of its current spend",
    )
    efficiency_growth: float = par(
        3.0,
        lo=1.0,
        hi=20.0,
        unit="x per year",
        doc="growth of the effective training compute a dollar buys (algorithms, hardware), "
        "the same for every vendor",
        source="SF #19: algorithmic progress halves the compute for a level about every 8 "
        "months (2012-2023), hardware price-performance ~1.3x/yr",
    )
    imitation_speed: float = par(
        0.1,
        lo=0.0,
        hi=1.0,
        unit="1/month",
        doc="most of the stock gap to the best open model a follower closes in a month by "
        "imitating or distilling its weights (closed models cannot be imitated)",
        source="assumption: open releases were matched by followers within months (SF #3)",
    )
    imitation_capacity: float = par(
        50.0,
        lo=0.01,
        hi=1e5,
        unit="$M/month of effective compute",
        doc="own training compute at which a follower imitates at half of imitation_speed "
        "(absorptive capacity, Cohen & Levinthal 1989)",
        source="assumption: absorbing released weights takes an R&D team and compute",
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
        0.15,
        lo=0.0,
        hi=1.0,
        unit="1/month per developer share",
        doc="community cuts to the serving cost of open weights (quantization, kernels)",
        source="assumption: quantization and serving kernels for open weights cut their "
        "serving cost several-fold in 2023-24 (floored); in the sensitivity set",
    )
    min_efficiency: float = par(0.2, lo=0.01, hi=1.0, doc="floor of community cost cuts")
    community_cost: float = par(
        100.0,
        lo=0.0,
        hi=1e5,
        unit="$M per frontier-year",
        doc="what the community's gains cost: the owner of the weights pays for ecosystem "
        "support (developers pay for orphaned weights), per frontier-year added",
        source="assumption: fine-tunes, tools and developer programmes are paid for by someone",
    )
    talent_bonus: float = par(
        0.1,
        lo=0.0,
        hi=5.0,
        doc="effective-compute premium of a vendor that releases weights (talent)",
        source="assumption: open release draws researchers (no measurement)",
    )
    talent_speed: float = par(0.05, lo=0.0, hi=1.0, unit="1/month", doc="talent adjustment")


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
    rd: bool = par(True, doc="vendors spend on R&D by their rule, and R&D raises capability")
    imitation: bool = par(True, doc="followers imitate the best open weights")
    community: bool = par(True, doc="adopters improve open weights")
    talent: bool = par(True, doc="open release attracts talent")
    complement: bool = par(True, doc="platforms earn complement revenue from AI")
    venture: bool = par(True, doc="VCs fund rounds and entrants")
    exit: bool = par(True, doc="private vendors out of cash exit")


retire(MarketParams, "demand_growth",
       "token demand grows on a path: market.volume_growth (2023), market.volume_growth_long "
       "and market.volume_growth_halflife")  # fmt: skip
retire(MarketParams, "host_substitution",
       "market.host_sensitivity, a multiple of developers' price weight (prices are "
       "weighed in dollars, not relative to the serving cost)")  # fmt: skip
retire(
    InnovationParams,
    "frontier_pace",
    "capability is 1 + innovation.compute_scale x ln(stock / innovation.frontier_stock)",
)
retire(InnovationParams, "frontier_cost_growth",
       "vendors' R&D follows a value rule (vendors.<name>.rd_horizon); capability per "
       "e-fold of compute is innovation.compute_scale")  # fmt: skip
retire(
    InnovationParams,
    "training_months",
    "capability follows the cumulative training stock (innovation.frontier_stock)",
)
retire(InnovationParams, "spillover",
       "followers imitate open weights: innovation.imitation_speed and "
       "innovation.imitation_capacity")  # fmt: skip
retire(Mechanisms, "spillover", "mechanisms.imitation")
retire(EntryParams, "revenue_multiple",
       "valuations are discounted cash flows of expected gross profit less burn: "
       "entry.erosion, entry.horizon, entry.exit_multiple (terminal) and "
       "vcs.<name>.hurdle_rate")  # fmt: skip
retire(EntryParams, "growth_premium",
       "valuations grow expected gross profit with the market's volume path and wear it "
       "down by entry.erosion (a discounted cash flow)")  # fmt: skip
