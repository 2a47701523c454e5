"""Reduced configurations: markets with the dynamics switched off, for checking the
model against closed-form economics (docking) and for isolating one mechanism.

>>> from aimarket.simulation.reduced import reduced, api_vendor
>>> scenario = reduced({"a": api_vendor(1.0), "b": api_vendor(0.5)})
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aimarket.simulation.merging import REPLACE
from aimarket.simulation.scenario import Scenario
from aimarket.simulation.scenarios import load_scenario

if TYPE_CHECKING:
    from aimarket.simulation.model import MarketModel

#: Every dynamic mechanism off: fixed costs, demand, capabilities; no entry, exit or
#: complement business; all developers in the market; no network effects or switching
#: costs. The outside option stays on.
ALL_OFF: dict[str, bool] = {
    f"mechanisms.{name}": False
    for name in (
        "cost_decline",
        "demand_growth",
        "diffusion",
        "network_effects",
        "switching_costs",
        "distribution",
        "host_markups",
        "rd",
        "imitation",
        "community",
        "talent",
        "complement",
        "venture",
        "exit",
    )
}

#: Token volumes that do not respond to price (the textbook logit's fixed demand).
FIXED_VOLUME: dict[str, float] = {"market.token_elasticity": 0.0}

#: One developer segment who all re-choose every month.
ONE_SEGMENT: dict[str, float] = {
    "share": 1.0,
    "tokens": 10.0,
    "price_weight": 0.25,
    "quality_weight": 1.0,
    "openness_preference": 0.0,
    "switching_cost": 0.0,
    "reconsider_rate": 1.0,
    "initial_adoption": 1.0,
}


def api_vendor(capability: float, efficiency: float = 1.0, **fields: Any) -> dict:
    """A closed API vendor with deep pockets and no R&D or fixed costs."""
    return {
        "capability": capability,
        "efficiency": efficiency,
        "cash": 1e6,
        "opex": 0.0,
        "cloud": "c1",
        **fields,
    }


def open_vendor(capability: float = 1.0, **fields: Any) -> dict:
    """A vendor that only releases open weights (no API)."""
    return api_vendor(capability, policy="open", offers_api=False, **fields)


def reduced(
    vendors: dict,
    clouds: dict | None = None,
    segment: dict | None = None,
    shocks: dict | None = None,
    developers: int = 2000,
    **overrides: Any,
) -> Scenario:
    """A one-segment market with exactly the given vendors, clouds (default: two identical
    clouds ``c1`` and ``c2``) and shocks (each collection replaces the baseline's, in the
    explicit form ``replace = true``), every dynamic mechanism off and token volumes fixed
    (elasticity 0); ``overrides`` are
    dotted paths (pass them as ``**{"mechanisms.rd": True}``); VCs stay as in the
    baseline (venture is off)."""
    market = {
        "developers": {
            "count": developers,
            "segments": {REPLACE: True, "all": {**ONE_SEGMENT, **(segment or {})}},
            "home_clouds": {REPLACE: True},
        },
        "vendors": {REPLACE: True, **vendors},
        "clouds": {REPLACE: True, **(clouds or {"c1": {}, "c2": {}})},
        "shocks": {REPLACE: True, **(shocks or {})},
    }
    fixed = {**ALL_OFF, **FIXED_VOLUME}
    return load_scenario("baseline").merged(market).with_overrides({**fixed, **overrides})


def fix_rd(model: MarketModel, plans: dict[str, tuple[float, float]]) -> MarketModel:
    """Make the named vendors spend a fixed R&D plan instead of their rule: ``plans``
    maps a vendor's name to (spend $M/month, growth a year); cash is not checked (for
    docking tests whose vendors have deep pockets). Returns the model."""
    for vendor in model.vendors:
        if vendor.name not in plans:
            continue
        spend, growth = plans[vendor.name]

        def plan(_prospect: float, _quality: float, _lead=None, v=vendor, spend=spend,
                 growth=growth):  # fmt: skip
            v.rd_spend = spend * growth ** (v.age / 12.0)

        vendor.plan_rd = plan
    return model
