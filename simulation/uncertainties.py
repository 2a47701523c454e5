"""Uncertainty records: the parameters nobody knows exactly, with the range each may take.

One record per uncertain quantity: the scenario path(s) it sets, its range and unit, and
its source (a row of ``docs/facts.md``) or ``assumption``. Together they are the
sensitivity set: the calibration's priors, the problem definition of sensitivity
designs, and the dashboard's controls are read from :data:`UNCERTAINTIES`. A sweep names
them directly (``Sweep(uncertainties=["community_quality", ...])``) to vary each over
its range. Ranges lie inside the declared range of every path they set (a test checks).
"""

from __future__ import annotations

from dataclasses import dataclass

from aimarket.simulation.registry import Registry


@dataclass(frozen=True)
class UncertainParameter:
    """An uncertain quantity: ``paths`` (dotted scenario paths; several are set to the
    same value), its range ``lo``..``hi`` in ``unit``, and where the range comes from."""

    name: str
    paths: tuple[str, ...]
    lo: float
    hi: float
    unit: str
    source: str  # "SF #n: ..." or "assumption: ..."
    doc: str
    log_scale: bool = False  # spans orders of magnitude: sample its logarithm

    @property
    def assumption(self) -> bool:
        return self.source.startswith("assumption")


UNCERTAINTIES: Registry[UncertainParameter] = Registry("uncertain parameter")

_SEGMENTS = ("enterprise", "startup", "hobbyist")

for _record in (
    UncertainParameter(
        "compute_cost_decline", ("market.compute_cost_decline",), 0.3, 0.8, "1/year",
        "SF #1: the price of a fixed capability fell about 10x a year (2024-11)",
        "annual fall of the compute cost index"),
    UncertainParameter(
        "demand_growth", ("market.demand_growth",), 0.5, 5.0, "1/year",
        "SF #6: enterprise GenAI spend grew about 6x from 2023 to 2024",
        "annual growth of token demand at full adoption"),
    UncertainParameter(
        "frontier_cost_growth", ("innovation.frontier_cost_growth",), 2.0, 3.0, "x per year",
        "SF #10: frontier training cost grows about 2.4x a year (Cottier et al. 2024)",
        "growth of the spend that buys the reference R&D gain"),
    UncertainParameter(
        "community_quality", ("innovation.community_quality",), 0.0, 0.08,
        "frontier-years/month per developer share",
        "assumption: community improvements to open weights are not measured directly",
        "community improvements (fine-tunes, tooling) to open weights"),
    UncertainParameter(
        "community_efficiency", ("innovation.community_efficiency",), 0.0, 0.15,
        "1/month per developer share",
        "assumption: community cuts to serving cost are not measured directly",
        "community cuts to the serving cost of open weights"),
    UncertainParameter(
        "spillover", ("innovation.spillover",), 0.0, 0.1, "1/month",
        "assumption: how fast vendors learn from the best open model",
        "share of the gap to the best open model any vendor closes each month"),
    UncertainParameter(
        "talent_bonus", ("innovation.talent_bonus",), 0.0, 0.3, "",
        "assumption: the R&D premium of releasing weights is not measured",
        "R&D productivity premium of an open vendor"),
    UncertainParameter(
        "price_sensitivity", tuple(f"developers.segments.{s}.price_sensitivity" for s in _SEGMENTS),
        0.2, 2.0, "utility per (price / serving cost)",
        "SF #7: own-price elasticity about -1.1 (a wide band)",
        "every segment's weight of price (set together)"),
    UncertainParameter(
        "switching_cost", tuple(f"developers.segments.{s}.switching_cost" for s in _SEGMENTS),
        0.0, 3.0, "utility",
        "assumption: switching costs are named in the data but not measured",
        "every segment's cost of moving to another model (set together)"),
    UncertainParameter(
        "complement_strength", ("vendors.meta.complement_strength",), 0.0, 0.05,
        "1/frontier-year",
        "assumption: the AI uplift of the platform's ad revenue is not measured",
        "the platform's revenue uplift per frontier-year of AI at full deployment"),
    UncertainParameter(
        "platform_rd_budget", ("vendors.meta.rd_budget",), 100.0, 800.0, "$M/month",
        "assumption: the platform's AI training spend is reported only in totals",
        "the platform's planned R&D spend"),
    UncertainParameter(
        "entry_rate", ("entry.rate",), 0.1, 2.0, "1/month",
        "assumption: the rate of startup pitches to VCs",
        "mean startup pitches a month"),
    UncertainParameter(
        "exit_multiple", ("entry.exit_multiple",), 5.0, 40.0, "x annual profit",
        "assumption: VCs' exit multiple for a model vendor",
        "valuation at exit, times annual profit", log_scale=True),
):  # fmt: skip
    UNCERTAINTIES.add(_record)
