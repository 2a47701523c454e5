"""The scenario: every parameter of one simulated market, in one validated, frozen record.

Units used throughout:

* money in millions of US dollars ($M); flows are per month;
* token volumes in trillions of tokens (Ttok) per month;
* prices in US dollars per million tokens ($/Mtok), so price x volume is in $M;
* capability in *frontier-years*: 1.0 is the closed frontier of January 2023 (GPT-4
  class) and the baseline closed frontier advances about one unit a year, so a gap of 1.0
  is "one year behind" (SF #3, Epoch AI 2024-11);
* utilities are in logit units (the scale of the Gumbel taste shock is one).

"SF #n" in a source refers to row n of the table in ``docs/facts.md`` (public figures, their
sources and the period their data covers); the questions behind the model are in
``docs/brief.md``.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import tomli_w
from aimarket.simulation.errors import ScenarioError
from aimarket.simulation.mechanics.calendar import MAX_STEPS, check_start
from aimarket.simulation.merging import expand, merge, parse_value
from aimarket.simulation.params import FrozenMap, from_dict, par, to_dict
from aimarket.simulation.shocks import ShockParams

Policy = Literal["closed", "open", "open_lagged", "open_then_closed"]
BusinessModel = Literal["api", "platform"]
POLICIES: tuple[str, ...] = ("closed", "open", "open_lagged", "open_then_closed")
#: Names the model gives to funded startups as they enter; no scenario entity may take one.
GENERATED_NAME = re.compile(r"entrant\d+")


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
        0.5146,
        lo=0.0,
        hi=0.99,
        unit="1/year",
        doc="annual fractional fall of the compute cost index (hardware and algorithms)",
        source="fitted to SF #1, #3, #4, #5, #9 (docs/calibration.md)",
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
class VendorParams:
    """A model vendor: its business model, release policy and starting position."""

    business_model: BusinessModel = par("api", doc="'api' sells tokens; 'platform' sells ads")
    policy: Policy = par("closed", doc="release policy (lever)")
    capability: float = par(0.5, lo=0.0, hi=100.0, unit="frontier-years", doc="at step 0")
    cash: float = par(1000.0, lo=0.0, hi=1e7, unit="$M", doc="cash at step 0")
    rd_budget: float = par(
        100.0, lo=0.0, hi=1e5, unit="$M/month", doc="planned R&D (training compute) spend"
    )
    rd_profit_share: float = par(
        0.5, lo=0.0, hi=1.0, doc="share of last month's gross API profit added to R&D"
    )
    max_burn: float = par(
        0.1, lo=0.0, hi=1.0, unit="1/month", doc="cap on R&D spend as a share of cash"
    )
    opex: float = par(10.0, lo=0.0, hi=1e5, unit="$M/month", doc="fixed costs (staff, offices)")
    efficiency: float = par(
        1.0, lo=0.01, hi=10.0, doc="serving-cost multiplier of its models (1 = industry norm)"
    )
    cloud: str = par("", doc="partner cloud (empty: the first cloud that serves closed models)")
    offers_api: bool = par(True, doc="sells API access to its closed model")
    private: bool = par(True, doc="venture-funded: can raise rounds and exits when out of cash")
    open_lag: int = par(
        12, lo=0, hi=240, unit="months", doc="open_lagged: how far open weights trail"
    )
    switch_step: int = par(
        -1, lo=-1, hi=MAX_STEPS, unit="step", doc="open_then_closed: step of the switch (-1 none)"
    )
    switch_share: float = par(
        0.3,
        lo=0.0,
        hi=1.01,
        doc="open_then_closed: switch once its developer share reaches this and its model "
        "leads every rival's (>1: never)",
    )
    trust_penalty: float = par(
        0.5,
        lo=0.0,
        hi=20.0,
        unit="utility",
        doc="developers' utility loss on the vendor's models after it closes again",
    )
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
        hi=10.0,
        unit="1/frontier-year",
        doc="platform: revenue uplift per frontier-year of AI at full deployment",
    )
    internal_tokens: float = par(
        0.0, lo=0.0, hi=1e6, unit="Ttok/month", doc="platform: AI use at full deployment"
    )


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


@dataclass(frozen=True)
class SegmentParams:
    """A developer segment: tastes (logit utility weights), volume and diffusion."""

    share: float = par(0.33, lo=0.0, hi=1.0, doc="share of all developers")
    tokens: float = par(
        5.0,
        lo=0.0,
        hi=1e7,
        unit="Ttok/month",
        doc="segment token demand at step 0 if all its developers adopt",
        source="SF #6: ~$1.1B/month enterprise spend in 2024 at ~$2-10/Mtok",
    )
    price_sensitivity: float = par(
        0.5,
        lo=0.01,
        hi=100.0,
        unit="utility per (price / serving cost)",
        doc="alpha: weight of price relative to the current serving-cost index",
        source="SF #7: own-price elasticity about -1.1",
    )
    quality_weight: float = par(1.5, lo=0.0, hi=100.0, unit="utility per frontier-year")
    openness_preference: float = par(
        0.5,
        lo=-10.0,
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


def _default_segments() -> FrozenMap:
    return FrozenMap(
        {
            "enterprise": SegmentParams(
                share=0.2,
                tokens=120.0,
                price_sensitivity=0.5488,  # fitted (docs/calibration.md)
                quality_weight=4.0,
                openness_preference=0.2876,  # fitted (docs/calibration.md)
                network_weight=1.0,
                switching_cost=1.5,
                reconsider_rate=0.1,
                bass_p=0.02,
                bass_q=0.3,
                initial_adoption=0.3,
            ),
            "startup": SegmentParams(
                share=0.3,
                tokens=50.0,
                price_sensitivity=0.5,
                quality_weight=3.0,
                openness_preference=1.5,
                network_weight=1.0,
                switching_cost=0.5,
                reconsider_rate=0.25,
                bass_p=0.03,
                bass_q=0.4,
                initial_adoption=0.3,
            ),
            "hobbyist": SegmentParams(
                share=0.5,
                tokens=10.0,
                price_sensitivity=1.0,
                quality_weight=2.0,
                openness_preference=2.5,
                network_weight=0.5,
                switching_cost=0.2,
                reconsider_rate=0.3,
                bass_p=0.03,
                bass_q=0.3,
                initial_adoption=0.1,
            ),
        }
    )


@dataclass(frozen=True)
class DeveloperParams:
    """The developer population: its size and its segments."""

    count: int = par(10_000, lo=1, hi=50_000_000, doc="number of simulated developers")
    segments: FrozenMap[str, SegmentParams] = dataclasses.field(default_factory=_default_segments)

    def validate(self, path: str) -> None:
        prefix = f"{path}." if path else ""
        if not self.segments:
            raise ScenarioError(f"{prefix}segments must name at least one segment")
        total = sum(s.share for s in self.segments.values())
        if abs(total - 1.0) > 1e-6:
            raise ScenarioError(f"{prefix}segments.*.share must sum to 1 (they sum to {total:.6g})")


@dataclass(frozen=True)
class VCParams:
    """A venture capitalist: capital, hurdle rate and cheque size."""

    capital: float = par(5000.0, lo=0.0, hi=1e7, unit="$M", doc="dry powder at step 0")
    inflow: float = par(
        200.0,
        lo=0.0,
        hi=1e6,
        unit="$M/month",
        doc="new money from limited partners",
        source="SF #8: US AI VC ~$97B in 2024, foundation models ~27% of it",
    )
    hurdle_rate: float = par(0.3, lo=0.0, hi=10.0, unit="1/year", doc="required annual return")
    round_size: float = par(500.0, lo=1.0, hi=1e6, unit="$M", doc="size of one round")


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
        72.78,
        lo=0.0,
        hi=120.0,
        unit="months",
        doc="vendors raise when cash < runway x burn",
        source="fitted to SF #9 VC concentration (docs/calibration.md)",
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
        0.03799,
        lo=0.0,
        hi=10.0,
        unit="frontier-years/month per developer share",
        doc="community improvements (fine-tunes, tooling) to open weights",
        source="fitted to SF #1, #3, #4, #5, #9 (docs/calibration.md)",
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


def _default_vendors() -> FrozenMap:
    # Step-0 positions for January 2023 (capability in frontier-years, money in $M).
    return FrozenMap(
        {
            "openai": VendorParams(
                capability=1.0, cash=10_000.0, rd_budget=300.0, opex=60.0, cloud="azure"
            ),  # SF #10; Microsoft's $10B investment (Jan 2023)
            "anthropic": VendorParams(
                capability=0.8, cash=1_500.0, rd_budget=150.0, opex=25.0, cloud="aws"
            ),
            "google": VendorParams(
                capability=0.8,
                cash=100_000.0,
                rd_budget=300.0,
                opex=60.0,
                cloud="gcp",
                private=False,
            ),
            "meta": VendorParams(
                business_model="platform",
                policy="open",
                capability=0.0,
                cash=50_000.0,
                rd_budget=389.0,  # fitted (docs/calibration.md)
                opex=30.0,
                cloud="aws",
                private=False,
                complement_revenue=11_000.0,  # SF #12
                complement_strength=0.02,
                internal_tokens=200.0,
            ),
            "mistral": VendorParams(
                policy="open_lagged",
                capability=0.2,
                cash=100.0,
                rd_budget=10.0,
                opex=3.0,
                open_lag=6,
                cloud="azure",
            ),
        }
    )


def _default_clouds() -> FrozenMap:
    return FrozenMap(
        {
            "azure": CloudParams(),
            "aws": CloudParams(),
            "gcp": CloudParams(),
            "groq": CloudParams(
                open_cost_multiplier=0.5,
                serves_closed=False,
                entry_step=12,  # December 2023: such hosts scaled during 2024 (docs/facts.md)
            ),
        }
    )


def _default_vcs() -> FrozenMap:
    return FrozenMap(
        {
            "megafund": VCParams(capital=20_000.0, inflow=800.0, round_size=2_000.0),
            "seedfund": VCParams(capital=2_000.0, inflow=100.0, round_size=200.0, hurdle_rate=0.4),
        }
    )


@dataclass(frozen=True)
class Scenario:
    """One market: parameters of every agent and mechanism. Frozen and validated.

    Build it with :func:`aimarket.simulation.scenarios.load_scenario` (a built-in or a TOML file
    merged into its base), :meth:`with_overrides` (a partial change, merged) or
    :meth:`from_dict` (complete data); all of them reject unknown fields and out-of-range
    values.
    """

    name: str = par("custom", doc="label of the scenario")
    description: str = par("", doc="one line saying what the scenario is")
    steps: int = par(120, lo=1, hi=MAX_STEPS, unit="months", doc="default run length")
    market: MarketParams = dataclasses.field(default_factory=MarketParams)
    developers: DeveloperParams = dataclasses.field(default_factory=DeveloperParams)
    vendors: FrozenMap[str, VendorParams] = dataclasses.field(default_factory=_default_vendors)
    clouds: FrozenMap[str, CloudParams] = dataclasses.field(default_factory=_default_clouds)
    vcs: FrozenMap[str, VCParams] = dataclasses.field(default_factory=_default_vcs)
    entry: EntryParams = dataclasses.field(default_factory=EntryParams)
    innovation: InnovationParams = dataclasses.field(default_factory=InnovationParams)
    mechanisms: Mechanisms = dataclasses.field(default_factory=Mechanisms)
    shocks: FrozenMap[str, ShockParams] = dataclasses.field(default_factory=FrozenMap)

    def validate(self, path: str) -> None:
        """Cross-field checks that single-field ranges cannot express."""
        if not self.clouds:
            raise ScenarioError("clouds must name at least one cloud")
        serving = [n for n, c in self.clouds.items() if c.serves_closed]
        if not serving:
            raise ScenarioError("at least one cloud must have serves_closed = true")
        for name, v in self.vendors.items():
            if v.cloud and v.cloud not in self.clouds:
                raise ScenarioError(
                    f"vendors.{name}.cloud = {v.cloud!r} is not a cloud; "
                    f"choose one of: {', '.join(self.clouds)}"
                )
            if v.cloud and not self.clouds[v.cloud].serves_closed:
                raise ScenarioError(
                    f"vendors.{name}.cloud = {v.cloud!r} does not serve closed models"
                )
        for name in self.vendors:
            if GENERATED_NAME.fullmatch(name):
                raise ScenarioError(
                    f"vendors.{name}: names like 'entrant1' are given to funded startups as "
                    "they enter; choose another name"
                )
        for name, shock in self.shocks.items():
            if shock.kind == "efficient_entrant" and GENERATED_NAME.fullmatch(name):
                raise ScenarioError(
                    f"shocks.{name}: an entrant's vendor takes the shock's name, and names "
                    "like 'entrant1' are given to funded startups; choose another name"
                )
            if shock.kind == "inference_hardware" and name in self.clouds:
                raise ScenarioError(
                    f"shocks.{name}: an inference-hardware shock brings a new cloud named "
                    f"after the shock, and '{name}' is already a cloud; choose another name"
                )
            if shock.kind in ("weight_leak", "policy_pivot") and shock.vendor not in self.vendors:
                raise ScenarioError(
                    f"shocks.{name}.vendor = {shock.vendor!r} is not a vendor; "
                    f"choose one of: {', '.join(self.vendors)}"
                )
            if shock.kind == "efficient_entrant" and name in self.vendors:
                raise ScenarioError(f"shocks.{name}: an entrant cannot reuse a vendor's name")
        check_start(self.market.start)

    # -- construction -----------------------------------------------------------
    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Scenario:
        """Build from complete plain data (as :meth:`to_dict` gives): every collection holds
        exactly the entries given. For a partial change of a scenario use
        :meth:`with_overrides` or :func:`aimarket.simulation.scenarios.load_scenario`, which merge.
        Unknown fields and bad values raise ScenarioError."""
        return from_dict(cls, data)

    def to_dict(self) -> dict[str, Any]:
        """Complete plain data; ``Scenario.from_dict(s.to_dict()) == s``."""
        return to_dict(self)

    def to_toml(self) -> str:
        """The whole scenario as TOML; ``base = "none"`` says the file is complete (read it
        back with ``load_scenario(path)``)."""
        return tomli_w.dumps({"base": "none", **self.to_dict()})

    def with_overrides(self, overrides: Mapping[str, Any] | None = None, **fields: Any) -> Scenario:
        """A copy with ``overrides`` merged in: dotted paths or nested tables, e.g.
        ``{"vendors.meta.policy": "open"}`` or ``{"vendors": {"meta": {"policy": "open"}}}``.

        Merging follows :func:`aimarket.simulation.params.merge`: tables merge key by key at every
        depth, and a collection changes shape only when told (``new = true``,
        ``remove = true``, ``replace = true``). String values are parsed as TOML when they
        look like numbers, booleans, lists or inline tables, so command-line
        ``--set key=value`` pairs can be passed through unchanged.
        """
        items = {**(overrides or {}), **fields}
        patch = expand({k: parse_value(v) if isinstance(v, str) else v for k, v in items.items()})
        return self.merged(patch)

    def merged(self, patch: Mapping[str, Any]) -> Scenario:
        """A copy with a nested ``patch`` (a parsed scenario file, say) merged in."""
        return Scenario.from_dict(merge(Scenario, self.to_dict(), patch))

    def vendor_names(self) -> list[str]:
        return list(self.vendors)
