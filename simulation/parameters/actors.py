"""Parameter records of the market's parts: vendors, clouds, VCs and developer segments.

Units: money in $M (flows per month), tokens in Ttok per month, prices in $/Mtok,
capability in frontier-years (1.0 = the closed frontier of January 2023), utilities in
logit units. "SF #n" in a source is row n of ``docs/facts.md``.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import Any, Literal

from aimarket.simulation.errors import ScenarioError
from aimarket.simulation.mechanics.calendar import MAX_STEPS
from aimarket.simulation.params import FrozenMap, par, retire
from aimarket.simulation.policies import POLICIES, option_fields

BusinessModel = Literal["api", "platform"]
#: Names the model gives to funded startups as they enter; no scenario entity may take one.
GENERATED_NAME = re.compile(r"entrant\d+")


@dataclass(frozen=True)
class VendorParams:
    """A model vendor: its business model, release policy and starting position."""

    business_model: BusinessModel = par("api", doc="'api' sells tokens; 'platform' sells ads")
    policy: str = par(
        "closed",
        choices=POLICIES,
        doc="release policy (lever; aimarket.simulation.policies, docs/ODD.md section 7.3)",
    )
    capability: float = par(0.5, lo=0.0, hi=100.0, unit="frontier-years", doc="at step 0")
    cash: float = par(1000.0, lo=0.0, hi=1e7, unit="$M", doc="cash at step 0")
    rd_horizon: float = par(
        6.0,
        lo=0.5,
        hi=240.0,
        unit="months",
        doc="its R&D rule counts what one more frontier-year adds to its profit over this "
        "many months (R&D = compute_scale x that value, discounted at discount_rate)",
        source="assumption: a model generation earns for about half a year before the next "
        "(SF #3: the frontier moves about one frontier-year a year); in the sensitivity set",
    )
    discount_rate: float = par(
        0.10,
        lo=0.0,
        hi=1.0,
        unit="1/year",
        doc="its cost of capital: discounts its R&D rule's value and its firm_value",
        source="assumption: about a large firm's cost of capital (in the sensitivity set)",
    )
    core_cash_flow: float = par(
        0.0,
        lo=0.0,
        hi=1e6,
        unit="$M/month",
        doc="public incumbent: operating cash flow of its other businesses (ads, search, "
        "cloud) booked to it each month; it funds its AI from it",
        source="SF #25: Meta's 2023 operating cash flow $71.1B, Alphabet's $101.7B (10-Ks)",
    )
    frontier_share: float = par(
        1.0,
        lo=0.0,
        hi=1.0,
        doc="share of its R&D spend that trains frontier models (the rest of a platform's "
        "or a cloud parent's AI capex serves its own products)",
        source="assumption: a lab's R&D is training compute; a platform's AI capex mostly "
        "serves ranking and ads (SF #12)",
    )
    opex: float = par(10.0, lo=0.0, hi=1e5, unit="$M/month", doc="fixed costs (staff, offices)")
    efficiency: float = par(
        1.0, lo=0.01, hi=10.0, doc="serving-cost multiplier of its models (1 = industry norm)"
    )
    cloud: str = par("", doc="partner cloud (empty: the first cloud that serves closed models)")
    offers_api: bool = par(True, doc="sells API access to its closed model")
    private: bool = par(True, doc="venture-funded: can raise rounds and exits when out of cash")
    complement_revenue: float = par(
        0.0,
        lo=0.0,
        hi=1e6,
        unit="$M/month",
        doc="platform: revenue of the complement business that AI features act on",
        source="SF #12: ads >97% of Meta revenue; ~$11,000M/month in 2023",
    )
    complement_strength: float = par(
        0.0,
        lo=0.0,
        hi=0.5,
        doc="platform: most that AI adds to its complement revenue (a share of it, at full "
        "deployment of unbounded capability)",
        source="SF #23: AI-driven recommendations raised time spent on Facebook 8% and "
        "Instagram 6% (2024)",
    )
    complement_half: float = par(
        1.0,
        lo=0.01,
        hi=100.0,
        unit="frontier-years",
        doc="platform: capability at which AI adds half of complement_strength",
        source="assumption: the uplift saturates (in the sensitivity set)",
    )
    internal_tokens: float = par(
        0.0, lo=0.0, hi=1e6, unit="Ttok/month", doc="platform: AI use at full deployment"
    )
    options: FrozenMap[str, Any] = par(
        FrozenMap(),
        doc="release-policy options (e.g. open_lag), written flat in the vendor's table; "
        "every policy's options may be given, each policy reads its own",
    )

    @classmethod
    def extension_fields(cls) -> dict[str, tuple[Any, Any]]:
        """The options the release policies declare (see :mod:`aimarket.simulation.policies`)."""
        return option_fields()


@dataclass(frozen=True)
class CloudParams:
    """A cloud provider: sells training compute, serves closed models, hosts open weights."""

    cost_multiplier: float = par(1.0, lo=0.01, hi=10.0, doc="serving cost relative to norm")
    open_cost_multiplier: float = par(
        1.0,
        lo=0.01,
        hi=10.0,
        doc="extra multiplier on open-weight serving (specialized inference hardware < 1)",
        source="docs/brief.md, question 5: Groq-style hardware serves open weights cheaply",
    )
    hosts_open_weights: bool = par(True, doc="hosts open-weight models at its own price")
    serves_closed: bool = par(True, doc="resells partners' closed models and trains them")
    partner_markup: float = par(
        0.3, lo=0.0, hi=10.0, doc="margin over cost charged to closed-model partners"
    )
    training_markup: float = par(0.3, lo=0.0, hi=10.0, doc="margin over cost on training compute")
    undercut: float = par(
        0.5,
        lo=0.01,
        hi=1.0,
        doc="share of its margin a cloud gives up to undercut the cheapest rival host",
    )
    entry_step: int = par(0, lo=0, hi=MAX_STEPS, unit="step", doc="first step it operates")
    strategic_budget: float = par(
        0.0,
        lo=0.0,
        hi=1e6,
        unit="$M/month",
        doc="compute credits a month its parent may invest in partner vendors short of cash "
        "(for equity); unused credits carry over and lapse (credit_life)",
        source="SF #17: Amazon and Google invested in Anthropic, Microsoft in OpenAI",
    )
    strategic_hurdle: float = par(
        0.15,
        lo=0.0,
        hi=10.0,
        unit="1/year",
        doc="its parent backs a partner short of cash up to the partner's value discounted "
        "at this rate (the same valuation as VCs', docs/ODD.md 6.2)",
        source="assumption: a large public firm's cost of capital plus a premium for risk",
    )
    credit_life: float = par(
        24.0,
        lo=1.0,
        hi=1200.0,
        unit="months",
        doc="credits not invested lapse back to its parent at 1/credit_life a month",
        source="assumption: a strategic budget not spent within about two years is reallocated",
    )


@dataclass(frozen=True)
class VCParams:
    """A venture capitalist: capital, hurdle rate and cheque size."""

    capital: float = par(5000.0, lo=0.0, hi=1e7, unit="$M", doc="dry powder at step 0")
    commitment: float = par(
        200.0,
        lo=0.0,
        hi=1e6,
        unit="$M/month",
        doc="limited partners' base commitment: what they commit a month at a public market "
        "equivalent of 1 with no dry powder (entry.lp_elasticity, entry.powder_months)",
        source="SF #8: US AI VC ~$97B in 2024, foundation models ~27% of it",
    )
    hurdle_rate: float = par(
        0.3,
        lo=0.0,
        hi=10.0,
        unit="1/year",
        doc="required annual return: the rate its valuations discount at",
    )
    round_size: float = par(
        500.0,
        lo=1.0,
        hi=1e6,
        unit="$M",
        doc="size of a startup's first round (its follow-ons are capped by entry.deal_share)",
    )
    fund_life: float = par(
        10.0,
        lo=1.0,
        hi=30.0,
        unit="years",
        doc="capital it has not invested goes back to its limited partners at 1/(12 x "
        "fund_life) a month",
        source="assumption: venture funds last about ten years",
    )


@dataclass(frozen=True)
class TasteType:
    """A latent type of developer within a segment: tastes that stay with a developer, as
    random coefficients do (Berry, Levinsohn & Pakes 1995), here a finite number of types
    so the choice stays group-level. Multipliers scale the segment's own weights."""

    share: float = par(
        1.0,
        lo=0.0,
        hi=1000.0,
        doc="weight of the type among the segment's developers "
        "(the types' weights are normalized to shares)",
    )
    tokens: float = par(
        1.0, lo=0.0, hi=1000.0, doc="token volume per developer, relative to the other types"
    )
    quality: float = par(1.0, lo=0.0, hi=100.0, doc="multiplier of the segment's quality weight")
    price: float = par(1.0, lo=0.01, hi=100.0, doc="multiplier of the segment's price sensitivity")
    openness: float = par(
        1.0, lo=0.0, hi=100.0, doc="multiplier of the segment's taste for open weights"
    )
    frontier_need: float = par(
        1000.0,
        lo=0.0,
        hi=1000.0,
        unit="frontier-years",
        doc="its tasks need a model within this distance of the best one on the market "
        "(capability thresholds: models further behind cannot do its work)",
        source="assumption: a share of work needs frontier capability (docs/ODD.md 6.6)",
    )


@dataclass(frozen=True)
class SegmentParams:
    """A developer segment: tastes (logit utility weights), volume and diffusion."""

    share: float = par(0.33, lo=0.0, hi=1.0, doc="share of all developers")
    tokens: float = par(
        5.0,
        lo=0.0,
        hi=1e7,
        unit="Ttok/month",
        doc="segment token demand at step 0 if all its developers adopt, at the reference price",
        source="SF #6: enterprise GenAI spend $13.8B in 2024 (about $2.3B in 2023)",
    )
    price_weight: float = par(
        0.1,
        lo=0.0001,
        hi=100.0,
        unit="utility per $/Mtok",
        doc="alpha: utility lost per $/Mtok of price at the reference price and the 2023 "
        "volume; it grows with the tokens a developer uses (utility falls with the bill)",
        source="assumption: calibrated to the 2024 bands (docs/calibration.md)",
    )
    quality_weight: float = par(1.5, lo=0.0, hi=100.0, unit="utility per frontier-year")
    openness_preference: float = par(
        0.5,
        lo=0.0,
        hi=10.0,
        unit="utility",
        doc="taste for open weights (customization, privacy, self-hosting)",
        source="SF #5: open models ~19% of enterprise workloads (2024-11)",
    )
    network_weight: float = par(
        1.0, lo=0.0, hi=100.0, unit="utility per share", doc="ecosystem (network) effect"
    )
    switching_cost: float = par(0.5, lo=0.0, hi=100.0, unit="utility", doc="cost of moving")
    outside_utility: float = par(0.0, lo=-100.0, hi=100.0, unit="utility", doc="not adopting")
    reconsider_rate: float = par(0.2, lo=0.0, hi=1.0, unit="1/month", doc="re-choice hazard")
    bass_p: float = par(0.03, lo=0.0, hi=1.0, unit="1/month", doc="Bass innovation hazard")
    bass_q: float = par(0.3, lo=0.0, hi=10.0, unit="1/month", doc="Bass imitation hazard")
    initial_adoption: float = par(0.2, lo=0.0, hi=1.0, doc="share in the market at step 0")
    native_bonus: float = par(
        0.0,
        lo=0.0,
        hi=10.0,
        unit="utility",
        doc="value of a model offered on the developer's own cloud (its console, billing, "
        "security review): closed models reach partner clouds' customers",
        source="SF #18: Claude on Bedrock and Vertex, OpenAI on Azure, Llama on every cloud",
    )
    types: FrozenMap[str, TasteType] = par(
        FrozenMap(),
        doc="latent taste types (none: one type with the segment's own tastes)",
    )

    def validate(self, path: str) -> None:
        if self.types and sum(t.share for t in self.types.values()) <= 0:
            raise ScenarioError(f"{path}.types: at least one type needs a share above 0")


@dataclass(frozen=True)
class DeveloperParams:
    """The developer population: its size and its segments."""

    count: int = par(10_000, lo=1, hi=50_000_000, doc="number of simulated developers")
    segments: FrozenMap[str, SegmentParams] = dataclasses.field(default_factory=FrozenMap)
    home_clouds: FrozenMap[str, float] = par(
        FrozenMap(),
        doc="share of developers whose own cloud is each named cloud (the rest have none); "
        "models offered there get the segment's native_bonus",
        source="SF #22: AWS, Azure and Google Cloud about 30%, 21% and 12% of cloud "
        "infrastructure services (2024-Q4)",
    )

    def validate(self, path: str) -> None:
        prefix = f"{path}." if path else ""
        if not self.segments:
            raise ScenarioError(f"{prefix}segments must name at least one segment")
        total = sum(s.share for s in self.segments.values())
        if abs(total - 1.0) > 1e-6:
            raise ScenarioError(f"{prefix}segments.*.share must sum to 1 (they sum to {total:.6g})")
        homes = sum(self.home_clouds.values())
        if any(v < 0 for v in self.home_clouds.values()) or homes > 1.0 + 1e-9:
            raise ScenarioError(
                f"{prefix}home_clouds: shares must be >= 0 and sum to at most 1 (they sum to "
                f"{homes:.6g})"
            )


_RD_RULE = (
    "R&D is chosen by a rule (kappa x the value of a frontier-year, ODD 6.3): "
    "vendors.<name>.rd_horizon and vendors.<name>.discount_rate"
)
retire(VendorParams, "rd_budget", _RD_RULE)
retire(VendorParams, "rd_growth", _RD_RULE)
retire(VendorParams, "max_burn",
       "R&D is spent from cash it has (a private lab over its runway, entry.runway); "
       "public incumbents fund it from vendors.<name>.core_cash_flow")  # fmt: skip
retire(SegmentParams, "price_sensitivity",
       "price_weight, utility per $/Mtok at the 2023 volume (not relative to the serving "
       "cost, and growing with volume; at step 0, old value / market.serving_cost)")  # fmt: skip
retire(VCParams, "inflow",
       "vcs.<name>.commitment, limited partners' base commitment; what flows in follows the "
       "fund's returns and dry powder (entry.lp_elasticity, entry.powder_months)")  # fmt: skip
retire(CloudParams, "strategic_gap",
       "clouds back partners short of cash up to their value at "
       "clouds.<name>.strategic_hurdle")  # fmt: skip
