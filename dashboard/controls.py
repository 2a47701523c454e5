"""The dashboard's controls, generated from the records (no hand-written list).

* the scenario: the built-in names (and a file given on the command line);
* compare mode and the seed;
* the number of developers: the scenario's ``developers.count`` record, within a range a
  browser can step at a glance;
* each vendor's release policy, the platform first: the registered release policies, or
  the scenario's own (:data:`SCENARIO_OWN`);
* the main uncertainties: the uncertainty records the calibration infers, each a slider
  over its range (:mod:`aimarket.simulation.uncertainties`).

:func:`model_params` gives them in the form SolaraViz takes; :func:`overrides` turns
their values back into scenario overrides. A control left at its starting value leaves
the scenario's own value, so switching scenario keeps each scenario's settings.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from aimarket.simulation.params import iter_fields
from aimarket.simulation.policies import POLICIES
from aimarket.simulation.scenario import Scenario
from aimarket.simulation.scenarios import builtin_names, load_scenario
from aimarket.simulation.uncertainties import UNCERTAINTIES, UncertainParameter

#: The policy choice that keeps the vendor's policy in the scenario.
SCENARIO_OWN = "as in scenario"
#: Largest developer count offered: a month of 50k developers still steps in well under
#: a second (the model's own limit is far higher; use ``aimarket run`` for those).
MAX_DEVELOPERS = 50_000
DEVELOPERS_STEP = 100
MAX_SEED = 999
#: At least this many steps of a slider over an uncertainty's range. A step is a power of
#: ten, fine enough that the starting value lies on a step (the slider shows its value
#: rounded to the step's decimals), and no finer than 10^FINEST.
SLIDER_STEPS = 100
FINEST = -6
POLICY_PREFIX = "policy_"
#: Significant digits of a slider's starting value (the value it shows; untouched, the
#: scenario keeps its own).
SHOWN_DIGITS = 6


def value_at(scenario: Scenario, path: str) -> Any:
    """The value of a dotted scenario path (``vendors.meta.rd_horizon``)."""
    node: Any = scenario
    for part in path.split("."):
        node = node[part] if isinstance(node, Mapping) else getattr(node, part)
    return node


def platforms_first(scenario: Scenario) -> list[str]:
    """The scenario's vendors, platforms (the ads business: meta) first."""
    vendors = scenario.vendors
    return sorted(vendors, key=lambda name: vendors[name].business_model != "platform")


def platform(scenario: Scenario) -> str | None:
    """The first platform vendor of the scenario, if any."""
    names = [n for n, v in scenario.vendors.items() if v.business_model == "platform"]
    return names[0] if names else None


def main_uncertainties() -> list[UncertainParameter]:
    """The uncertainties the dashboard offers: those the calibration infers."""
    return [u for u in UNCERTAINTIES if u.calibrated]


def scenario_choices(scenario: str) -> list[str]:
    """The built-in scenarios, and ``scenario`` if it is a file."""
    names = builtin_names()
    return names if scenario in names else [*names, scenario]


def _developers_range() -> tuple[int, int]:
    meta = next(f.metadata for p, f, _ in iter_fields(Scenario) if p == "developers.count")
    lo = max(int(meta["lo"]), DEVELOPERS_STEP)
    return lo, min(int(meta["hi"]), MAX_DEVELOPERS)


def slider_step(lo: float, hi: float, value: float) -> float:
    """The step of a slider from ``lo`` to ``hi`` starting at ``value``: see
    :data:`SLIDER_STEPS`."""
    exponent = math.floor(math.log10((hi - lo) / SLIDER_STEPS))
    for x in (lo, value):
        if x != 0:
            exponent = min(exponent, int(Decimal(repr(x)).normalize().as_tuple().exponent))
    return float(f"1e{max(exponent, FINEST)}")


def _slider(u: UncertainParameter, scenario: Scenario) -> dict[str, Any]:
    value = min(max(float(value_at(scenario, u.paths[0])), u.lo), u.hi)
    value = float(f"{value:.{SHOWN_DIGITS}g}")  # 0.829, not 0.8290000000000001
    label = f"{u.doc} ({u.unit})" if u.unit else u.doc
    step = slider_step(u.lo, u.hi, value)
    return {"type": "SliderFloat", "value": value, "min": u.lo, "max": u.hi, "step": step,
            "label": label}  # fmt: skip


def model_params(scenario: str = "baseline") -> dict[str, Any]:
    """The controls for SolaraViz, starting from ``scenario`` (a built-in name or a TOML
    file): each a dict with ``type``; ``defaults`` (fixed) holds the starting values."""
    loaded = load_scenario(scenario)
    lo, hi = _developers_range()
    developers = min(max(loaded.developers.count, lo), hi)
    params: dict[str, Any] = {
        "scenario": {"type": "Select", "value": scenario, "label": "scenario",
                     "values": scenario_choices(scenario)},
        "compare": {"type": "Checkbox", "value": False,
                    "label": f"compare: {platform(loaded) or 'platform'} open vs closed"},
        "seed": {"type": "SliderInt", "value": 0, "min": 0, "max": MAX_SEED, "step": 1,
                 "label": "seed"},
        "developers": {"type": "SliderInt", "value": developers, "min": lo, "max": hi,
                       "step": DEVELOPERS_STEP, "label": "developers"},
    }  # fmt: skip
    choices = [SCENARIO_OWN, *POLICIES.names()]
    for vendor in platforms_first(loaded):
        params[POLICY_PREFIX + vendor] = {
            "type": "Select",
            "value": SCENARIO_OWN,
            "values": choices,
            "label": f"{vendor}: release policy",
        }
    for u in main_uncertainties():
        params[u.name] = _slider(u, loaded)
    params["defaults"] = {k: v["value"] for k, v in params.items()}
    return params


def overrides(
    scenario: Scenario, values: Mapping[str, Any], defaults: Mapping[str, Any]
) -> dict[str, Any]:
    """Scenario overrides from the controls' ``values``: those moved off their starting
    value in ``defaults``, and policies of vendors the scenario has."""
    out: dict[str, Any] = {}
    moved = {k: v for k, v in values.items() if k not in defaults or v != defaults[k]}
    if "developers" in moved:
        out["developers.count"] = int(moved["developers"])
    for vendor in scenario.vendors:
        policy = values.get(POLICY_PREFIX + vendor, SCENARIO_OWN)
        if policy != SCENARIO_OWN:
            out[f"vendors.{vendor}.policy"] = policy
    for u in main_uncertainties():
        if u.name in moved:
            paths = [p for p in u.paths if _exists(scenario, p)]
            out.update(dict.fromkeys(paths, float(moved[u.name])))
    return out


def _exists(scenario: Scenario, path: str) -> bool:
    """``path`` names a value of ``scenario`` (a vendor it lacks: no)."""
    try:
        value_at(scenario, path)
    except (KeyError, AttributeError):
        return False
    return True
