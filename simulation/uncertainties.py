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


@dataclass(frozen=True)
class UncertainParameter:
    """An uncertain quantity: ``paths`` (dotted scenario paths; several are set to the
    same value), its range ``lo``..``hi`` in ``unit``, and where the range comes from.
    ``calibrated``: the calibration infers it (a uniform prior over the range, or
    log-uniform with ``log_scale``)."""

    name: str
    paths: tuple[str, ...]
    lo: float
    hi: float
    unit: str
    source: str  # "SF #n: ..." or "assumption: ..."
    doc: str
    log_scale: bool = False
    calibrated: bool = False

    @property
    def assumption(self) -> bool:
        return self.source.startswith("assumption")


UNCERTAINTIES: Registry[UncertainParameter] = Registry("uncertain parameter")

_SEG = "developers.segments"
_TYPES = ("startup", "hobbyist")  # the segments with frontier-heavy and price-sensitive types
_U = UncertainParameter

for _record in (
    # -- demand ---------------------------------------------------------------------------
    _U("enterprise_price_sensitivity", (f"{_SEG}.enterprise.price_sensitivity",), 0.2, 2.0,
       "utility per (price / serving cost)", "SF #5, #16: enterprise buys closed models "
       "at several times the open price", "enterprise weight of price", calibrated=True),
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
       "how far behind the best model a frontier-heavy developer's model may be",
       calibrated=True),
    _U("enterprise_native_bonus", (f"{_SEG}.enterprise.native_bonus",), 0.0, 2.0, "utility",
       "SF #18: closed models reach enterprises through partner clouds",
       "enterprise value of a model offered on its own cloud", calibrated=True),
    _U("enterprise_switching_cost", (f"{_SEG}.enterprise.switching_cost",), 0.5, 4.0,
       "utility", "assumption: switching costs, trust and security reviews (named in "
       "surveys, not measured)", "enterprise cost of moving to another model"),
    _U("host_substitution", ("market.host_substitution",), 5.0, 100.0,
       "utility per (price / serving cost)", "assumption: hosts of open weights differ a "
       "little", "how readily developers move between hosts", log_scale=True),
    _U("demand_growth", ("market.demand_growth",), 0.5, 5.0, "1/year",
       "SF #6: enterprise GenAI spend grew about 6x from 2023 to 2024",
       "annual growth of token demand at full adoption"),
    # -- supply ---------------------------------------------------------------------------
    _U("compute_cost_decline", ("market.compute_cost_decline",), 0.3, 0.8, "1/year",
       "SF #1: the price of a fixed capability fell about 10x a year (2021-2024)",
       "annual fall of the compute cost index", calibrated=True),
    _U("efficiency_growth", ("innovation.efficiency_growth",), 2.0, 4.5, "x per year",
       "SF #19: algorithmic progress and hardware price-performance (to 2023)",
       "growth of the effective training compute a dollar buys", calibrated=True),
    _U("frontier_cost_growth", ("innovation.frontier_cost_growth",), 2.0, 3.0, "x per year",
       "SF #10: frontier training cost grows about 2.4x a year (Cottier et al. 2024)",
       "growth of frontier training spend"),
    _U("training_months", ("innovation.training_months",), 3.0, 12.0, "months",
       "assumption: frontier training runs take a few months", "moving-average horizon of "
       "the spend behind a model"),
    _U("spillover", ("innovation.spillover",), 0.0, 0.1, "1/month",
       "assumption: how fast vendors learn from the best open model",
       "share of the gap to the best open model closed each month", calibrated=True),
    _U("community_quality", ("innovation.community_quality",), 0.0, 1.0,
       "1/month per developer share", "assumption: community contributions grow with users "
       "(SF #13: 650M Llama downloads by 2024-12)", "pace of community improvements",
       calibrated=True),
    _U("community_cap", ("innovation.community_cap",), 0.0, 0.4, "frontier-years",
       "assumption: derivatives improve task fit, not the frontier",
       "most the community can add to open weights"),
    _U("talent_bonus", ("innovation.talent_bonus",), 0.0, 0.3, "",
       "assumption: the premium of releasing weights is not measured",
       "effective-compute premium of a vendor that releases weights"),
    _U("platform_rd_budget", ("vendors.meta.rd_budget",), 100.0, 800.0, "$M/month",
       "SF #10, #12: Meta's capex and Llama training compute (totals only)",
       "the platform's planned R&D spend in January 2023", calibrated=True),
    # -- funding ---------------------------------------------------------------------------
    _U("vc_inflow", ("vcs.megafund.inflow",), 300.0, 2500.0, "$M/month",
       "SF #8: US AI VC about $97B in 2024, foundation models about 27% of AI funding",
       "new money the largest VC raises a month", calibrated=True),
    _U("revenue_multiple", ("entry.revenue_multiple",), 10.0, 40.0, "x annual revenue",
       "SF #20: 2024 rounds valued model labs at about 20-40x annual revenue",
       "valuation per dollar of annual API revenue", calibrated=True),
    _U("runway", ("entry.runway",), 12.0, 96.0, "months",
       "assumption: how many months of burn a vendor keeps in the bank before raising",
       "vendors raise when cash < runway x burn", calibrated=True),
    _U("aws_strategic_budget", ("clouds.aws.strategic_budget",), 100.0, 500.0, "$M/month",
       "SF #17: Amazon put $4B into Anthropic in 2023-24", "Amazon's credits a month",
       calibrated=True),
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
       "valuation at exit, times annual profit", log_scale=True),
    # -- the platform's complement business -----------------------------------------------
    _U("complement_strength", ("vendors.meta.complement_strength",), 0.02, 0.2, "",
       "SF #23: AI recommendations raised time spent on Meta's apps 6-8% (2024)",
       "most that AI adds to the platform's ad revenue"),
    _U("complement_half", ("vendors.meta.complement_half",), 0.3, 3.0, "frontier-years",
       "assumption: the uplift saturates", "capability at half of the uplift"),
):  # fmt: skip
    UNCERTAINTIES.add(_record)


def calibrated() -> list[UncertainParameter]:
    """The records the calibration infers."""
    return [u for u in UNCERTAINTIES if u.calibrated]
