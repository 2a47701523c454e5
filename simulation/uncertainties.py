"""Uncertainty records: the parameters nobody knows exactly, with the range each may take.

One record per uncertain quantity: the scenario path(s) it sets, its range and unit, and
its source (a row of ``docs/facts.md``) or ``assumption``. Together they are the
sensitivity set: the calibration's priors (the records marked ``calibrated``), the problem
definition of sensitivity designs, and the dashboard's controls are read from
:data:`UNCERTAINTIES`. A sweep names them directly
(``Sweep(uncertainties=["community_quality", ...])``) to vary each over its range. Ranges
lie inside the declared range of every path they set (a test checks), and no range lets
a segment value open weights negatively.
"""

from __future__ import annotations

from dataclasses import dataclass

from aimarket.simulation.registry import Registry

#: The named labs of the baseline (firms.toml) whose R&D rule shares a record.
_LABS = ("openai", "anthropic", "google", "mistral")


@dataclass(frozen=True)
class UncertainParameter:
    """An uncertain quantity: ``paths`` (dotted scenario paths; several are set to the
    same value), its range ``lo``..``hi`` in ``unit``, and where the range comes from.
    ``calibrated``: the calibration infers it (a uniform prior over the range, or
    log-uniform with ``log_scale``). ``demoted``: why a parameter the one-at-a-time scan
    says moves the fit is an assumption all the same (the inference does not find its
    truth on synthetic data; ``docs/calibration.md``)."""

    name: str
    paths: tuple[str, ...]
    lo: float
    hi: float
    unit: str
    source: str  # "SF #n: ..." or "assumption: ..."
    doc: str
    log_scale: bool = False
    calibrated: bool = False
    demoted: str = ""

    @property
    def assumption(self) -> bool:
        return self.source.startswith("assumption")


UNCERTAINTIES: Registry[UncertainParameter] = Registry("uncertain parameter")

_SEG = "developers.segments"
_TYPES = ("startup", "hobbyist")  # the segments with frontier-heavy and price-sensitive types
_U = UncertainParameter
#: Why a parameter the scan calls calibrated is an assumption (the SBC run of eab4778).
_UNDER_COVERS = (
    "its 90% posterior interval covered the truth in fewer than 75% of 50 "
    "synthetic fits (simulation-based calibration): the fit is overconfident "
    "about it"
)

for _record in (
    # -- demand ---------------------------------------------------------------------------
    _U("enterprise_price_weight", (f"{_SEG}.enterprise.price_weight",), 0.005, 0.15,
       "utility per $/Mtok at the 2023 volume", "SF #5, #16: enterprise buys closed models "
       "at several times the open price", "enterprise weight of price", log_scale=True,
       calibrated=True),
    _U("enterprise_openness", (f"{_SEG}.enterprise.openness_preference",), 0.0, 2.0,
       "utility", "SF #5: open models about 19% of enterprise workloads (2024)",
       "enterprise taste for open weights", calibrated=True),
    _U("startup_openness", (f"{_SEG}.startup.openness_preference",), 0.0, 3.0, "utility",
       "assumption: startups value customization and self-hosting; no direct measure",
       "startup taste for open weights", calibrated=True),
    _U("hobbyist_openness", (f"{_SEG}.hobbyist.openness_preference",), 0.0, 4.0, "utility",
       "assumption: hobbyists value local use and tinkering; no direct measure",
       "hobbyist taste for open weights", calibrated=True),
    _U("frontier_type_share", tuple(f"{_SEG}.{s}.types.frontier.share" for s in _TYPES),
       0.05, 0.6, "weight (value types weigh 1 - ... see docs)",
       "assumption: the share of developers whose work needs the frontier",
       "weight of the frontier-heavy type among startups and hobbyists", calibrated=True),
    _U("frontier_type_tokens", tuple(f"{_SEG}.{s}.types.frontier.tokens" for s in _TYPES),
       1.0, 20.0, "x tokens of the other type", "assumption: heavy users buy most tokens",
       "relative token volume of the frontier-heavy type", log_scale=True, calibrated=True),
    _U("frontier_need", tuple(f"{_SEG}.{s}.types.frontier.frontier_need" for s in _TYPES),
       0.1, 1.0, "frontier-years", "assumption: capability thresholds of frontier work",
       "how far behind the best model a frontier-heavy developer's model may be", calibrated=True),
    _U("enterprise_native_bonus", (f"{_SEG}.enterprise.native_bonus",), 0.0, 2.0, "utility",
       "SF #18: closed models reach enterprises through partner clouds",
       "enterprise value of a model offered on its own cloud", calibrated=True),
    _U("enterprise_switching_cost", (f"{_SEG}.enterprise.switching_cost",), 0.5, 4.0,
       "utility", "assumption: switching costs, trust and security reviews (named in "
       "surveys, not measured)", "enterprise cost of moving to another model",
       demoted=_UNDER_COVERS),
    _U("host_sensitivity", ("market.host_sensitivity",), 3.0, 100.0,
       "x the price weight between models", "assumption: hosts of open weights differ a "
       "little", "how readily developers move between hosts", log_scale=True, calibrated=True),
    _U("volume_growth", ("market.volume_growth",), 3.0, 8.0, "x per year",
       "SF #6: enterprise GenAI spend grew about 6x from 2023 to 2024 as prices fell",
       "growth of a developer's tokens at a given price, 2023", calibrated=True),
    _U("volume_growth_long", ("market.volume_growth_long",), 1.0, 3.0, "x per year",
       "assumption: no data before 2025 says how fast the boom fades",
       "long-run growth of a developer's tokens at a given price", calibrated=True),
    _U("volume_growth_halflife", ("market.volume_growth_halflife",), 0.5, 5.0, "years",
       "assumption: no data before 2025 says how fast the boom fades",
       "half-life of the excess growth of token volumes", log_scale=True, calibrated=True),
    _U("token_elasticity", ("market.token_elasticity",), -1.5, -0.3, "",
       "assumption: no measurement dated before 2025",
       "price elasticity of the tokens a developer uses", calibrated=True),
    _U("reclose_anticipation", ("vendors.meta.anticipation",), 0.0, 1.0,
       "share of trust_penalty", "assumption: buyers anticipate a supplier's later "
       "exploitation (Farrell & Gallini 1988; Klemperer 1995); how much is not measured",
       "developers' expectation that an open_then_closed platform closes again"),
    # -- supply ---------------------------------------------------------------------------
    _U("compute_cost_decline", ("market.compute_cost_decline",), 0.3, 0.8, "1/year",
       "SF #1: the price of a fixed capability fell about 10x a year (2021-2024)",
       "annual fall of the compute cost index", calibrated=True),
    _U("efficiency_growth", ("innovation.efficiency_growth",), 2.0, 4.5, "x per year",
       "SF #19: algorithmic progress and hardware price-performance (to 2023)",
       "growth of the effective training compute a dollar buys"),
    _U("compute_scale", ("innovation.compute_scale",), 0.4, 0.65,
       "frontier-years per e-fold", "SF #10, #19: 2.4x/yr spend times 2.5-4x/yr compute per "
       "dollar is 1.8-2.3 e-folds a year, one frontier-year a year",
       "capability per e-fold of cumulative effective training compute"),
    _U("frontier_stock", ("innovation.frontier_stock",), 900.0, 3600.0,
       "$M of Jan-2023 compute", "SF #10: about 6 months of the frontier lab's spend, "
       "doubled or halved", "effective compute behind the January 2023 frontier",
       log_scale=True),
    _U("imitation_speed", ("innovation.imitation_speed",), 0.0, 0.3, "1/month",
       "assumption: how fast followers absorb the best open weights",
       "most of the stock gap to the best open model closed a month"),
    _U("imitation_capacity", ("innovation.imitation_capacity",), 5.0, 500.0,
       "$M/month of effective compute", "assumption: absorptive capacity (Cohen & Levinthal "
       "1989) is not measured for model labs", "own training at which imitation runs at "
       "half speed", log_scale=True),
    _U("community_efficiency", ("innovation.community_efficiency",), 0.02, 0.3,
       "1/month per developer share", "assumption: quantization and kernels cut the "
       "serving cost of open weights (not measured)", "community cuts to serving cost",
       calibrated=True),
    _U("community_cost", ("innovation.community_cost",), 0.0, 2000.0, "$M per frontier-year",
       "assumption: what ecosystem support costs the owner of open weights",
       "cost of the community's gains"),
    _U("platform_frontier_share", ("vendors.meta.frontier_share",), 0.02, 0.2, "",
       "assumption: Meta's AI capex mostly serves ranking and ads (SF #12)",
       "share of the platform's R&D that trains frontier models", log_scale=True, calibrated=True),
    _U("google_frontier_share", ("vendors.google.frontier_share",), 0.05, 1.0, "",
       "assumption: most of Alphabet's AI capex serves search, ads and Google Cloud; the "
       "share that trains frontier models is not published", "share of Google's R&D that "
       "trains frontier models", log_scale=True),
    _U("anthropic_capability", ("vendors.anthropic.capability",), 0.5, 0.8, "frontier-years",
       "SF #26: Claude 2 (Jul 2023) scored between GPT-3.5 and GPT-4; Claude 3 Opus (Mar "
       "2024) was Anthropic's first model to match GPT-4", "the Anthropic-like lab's "
       "capability in January 2023", calibrated=True),
    _U("community_quality", ("innovation.community_quality",), 0.0, 1.0,
       "1/month per developer share", "assumption: community contributions grow with users "
       "(SF #13: 650M Llama downloads by 2024-12)", "pace of community improvements"),
    _U("community_cap", ("innovation.community_cap",), 0.0, 0.4, "frontier-years",
       "assumption: derivatives improve task fit, not the frontier",
       "most the community can add to open weights", calibrated=True),
    _U("talent_bonus", ("innovation.talent_bonus",), 0.0, 0.3, "",
       "assumption: the premium of releasing weights is not measured",
       "effective-compute premium of a vendor that releases weights"),
    _U("platform_rd_horizon", ("vendors.meta.rd_horizon",), 2.0, 24.0, "months",
       "assumption: how long the platform counts a frontier-year's gain to its ads "
       "(its R&D rule; only its capex totals are public)",
       "months over which the platform's R&D rule values a frontier-year", calibrated=True),
    _U("lab_rd_horizon", tuple(f"vendors.{v}.rd_horizon" for v in _LABS), 2.0, 24.0,
       "months", "assumption: how long a lab counts a frontier-year's gain to its sales",
       "months over which the named labs' R&D rule values a frontier-year", calibrated=True),
    _U("discount_rate", tuple(f"vendors.{v}.discount_rate" for v in (*_LABS, "meta")),
       0.05, 0.25, "1/year", "assumption: a large firm's cost of capital, 5-25% a year",
       "named vendors' discount rate (R&D rule and firm_value)"),
    # -- funding ---------------------------------------------------------------------------
    _U("vc_inflow", ("vcs.megafund.commitment",), 300.0, 2500.0, "$M/month",
       "SF #8: US AI VC about $97B in 2024, foundation models about 27% of AI funding",
       "base commitment of the largest VC's limited partners a month"),
    _U("lp_elasticity", ("entry.lp_elasticity",), 0.25, 2.0, "",
       "assumption: commitments rise with past returns (Gompers & Lerner 1998; Kaplan & "
       "Schoar 2005); the size of the response is not measured for AI funds",
       "elasticity of limited partners' commitments to a fund's public market equivalent"),
    _U("powder_months", ("entry.powder_months",), 6.0, 60.0, "months",
       "assumption: funds raise a successor once most of the last one is invested",
       "dry powder, in months of base commitment, at which commitments stop",
       log_scale=True, calibrated=True),
    _U("deal_share", ("entry.deal_share",), 0.05, 0.3, "",
       "assumption: funds' agreements commonly cap one company at 10-20% of the fund",
       "most of its dry powder a VC puts into one follow-on round", calibrated=True),
    _U("strategic_hurdle", tuple(f"clouds.{c}.strategic_hurdle" for c in ("aws", "azure", "gcp")),
       0.08, 0.3, "1/year", "assumption: a large public firm's cost of capital plus a premium",
       "rate at which clouds' parents value the partners they back"),
    _U("erosion", ("entry.erosion",), 0.05, 1.0, "1/year",
       "assumption: how fast competition wears gross profit down is not measured",
       "how fast investors expect competition to wear a vendor's gross profit down",
       calibrated=True),
    _U("runway", ("entry.runway",), 12.0, 96.0, "months",
       "assumption: how many months of burn a vendor keeps in the bank before raising",
       "vendors raise when cash < runway x burn", calibrated=True),
    _U("aws_strategic_budget", ("clouds.aws.strategic_budget",), 100.0, 500.0, "$M/month",
       "SF #17: Amazon put $4B into Anthropic in 2023-24", "Amazon's credits a month"),
    _U("open_pitch_share", ("entry.open_share",), 0.1, 0.8, "",
       "SF #9: open-model developers raised about 28% of generative-AI VC (2020-24)",
       "chance a funded startup releases lagged open weights", calibrated=True),
    _U("entry_rate", ("entry.rate",), 0.1, 2.0, "1/month",
       "assumption: the rate of startup pitches to VCs", "mean startup pitches a month"),
    _U("acquisition_share", ("entry.acquisition_share",), 0.0, 1.0, "",
       "SF #21: 2024 buy-outs of model startups returned part of their capital",
       "price of a bought-out vendor, as a share of its last valuation"),
    _U("exit_multiple", ("entry.exit_multiple",), 5.0, 40.0, "x annual profit",
       "assumption: VCs' exit multiple for a model vendor",
       "terminal value of a valuation, times the horizon's annual net profit",
       log_scale=True, calibrated=True),
    # -- the platform's complement business -----------------------------------------------
    _U("complement_strength", ("vendors.meta.complement_strength",), 0.02, 0.2, "",
       "SF #23: AI recommendations raised time spent on Meta's apps 6-8% (2024)",
       "most that AI adds to the platform's ad revenue", calibrated=True),
    _U("complement_half", ("vendors.meta.complement_half",), 0.3, 3.0, "frontier-years",
       "assumption: the uplift saturates", "capability at half of the uplift"),
):  # fmt: skip
    UNCERTAINTIES.add(_record)

for _name, _replacement in {
    "enterprise_price_sensitivity": "enterprise_price_weight (utility per $/Mtok)",
    "host_substitution": "host_sensitivity (a multiple of the price weight)",
    "demand_growth": "volume_growth, volume_growth_long and volume_growth_halflife",
    "frontier_cost_growth": "compute_scale (capability per e-fold of compute)",
    "training_months": "frontier_stock (capability follows the cumulative stock)",
    "spillover": "imitation_speed and imitation_capacity",
    "platform_rd_budget": "platform_rd_horizon (R&D follows a value rule)",
    "revenue_multiple": "erosion (valuations are discounted cash flows) and exit_multiple",
}.items():
    UNCERTAINTIES.retire(_name, _replacement)


def calibrated() -> list[UncertainParameter]:
    """The records the calibration infers."""
    return [u for u in UNCERTAINTIES if u.calibrated]


def demoted() -> list[UncertainParameter]:
    """The records the scan says move the fit but that stay assumptions (``demoted``)."""
    return [u for u in UNCERTAINTIES if u.demoted]
