"""Built-in scenarios by name, and loading a scenario from a name or a TOML file."""

from __future__ import annotations

import difflib
from pathlib import Path

from simulation.errors import ScenarioError
from simulation.scenario import Scenario

TIMELINE = {
    "steps": 48,  # January 2023 to December 2026
    "market.start": "2023-01",
    # Meta starts with a restricted research release (LLaMA, Feb 2023): no API, no weights.
    "vendors.meta.policy": "closed",
    "vendors.meta.offers_api": False,
    "shocks": {
        # SF #14: LLaMA weights leaked within a week of the restricted release (Feb 2023)
        "llama_leak": {"kind": "weight_leak", "step": 2, "vendor": "meta"},
        # SF #14: Llama 2 open for commercial use (Jul 2023)
        "llama2_open": {
            "kind": "policy_pivot",
            "step": 7,
            "vendor": "meta",
            "policy": "open",
            "trust_penalty": 0.0,
        },
        # SF #11: DeepSeek-V3 (Dec 2024) and R1 (Jan 2025), open, frontier-class, cheap
        "deepseek": {
            "kind": "efficient_entrant",
            "step": 25,
            "policy": "open",
            "capability_gap": 0.1,
            "efficiency": 0.1,
            "cash": 500.0,
            "rd_budget": 20.0,
        },
        # Later options, off unless set: the platform closes again once it leads ...
        "meta_recloses": {
            "kind": "policy_pivot",
            "vendor": "meta",
            "policy": "closed",
            "share_threshold": 1.01,
            "trust_penalty": 0.5,
        },
        # ... and misuse incidents that may bring regulation of open release.
        "misuse": {"kind": "misuse", "incident_rate": 0.0, "capability_threshold": 3.0},
    },
}

#: name -> (one-line description, base scenario name or None, overrides)
BUILTIN: dict[str, tuple[str, str | None, dict]] = {
    "baseline": (
        "Default market from January 2023 (calibrated defaults): three closed labs, an ads "
        "platform "
        "releasing open weights (Meta-like), an open-lagged startup, four clouds, two VCs.",
        None,
        {},
    ),
    "meta_open": (
        "Baseline with the platform vendor releasing its frontier weights openly.",
        None,
        {"vendors.meta.policy": "open"},
    ),
    "meta_closed": (
        "Baseline with the platform vendor keeping its model closed (sold by API).",
        None,
        {"vendors.meta.policy": "closed"},
    ),
    "timeline": (
        "2023-2026 as it happened: LLaMA leak (Feb 2023), Llama 2 open (Jul 2023), "
        "DeepSeek efficient open entrant (Jan 2025); re-closing and misuse as options.",
        None,
        TIMELINE,
    ),
    "timeline_no_leak": (
        "Timeline counterfactual: the LLaMA weights never leak.",
        "timeline",
        {"shocks.llama_leak.step": -1},
    ),
    "timeline_meta_closed": (
        "Timeline counterfactual: the platform never opens its weights (the leak happens).",
        "timeline",
        {"shocks.llama2_open.step": -1},
    ),
    "timeline_no_entrant": (
        "Timeline counterfactual: no efficient open entrant in January 2025.",
        "timeline",
        {"shocks.deepseek.step": -1},
    ),
}


def _builtin(name: str) -> Scenario:
    description, base, overrides = BUILTIN[name]
    scenario = _builtin(base) if base else Scenario()
    return scenario.with_overrides({**overrides, "name": name, "description": description})


def builtin_names() -> list[str]:
    return list(BUILTIN)


def load_scenario(name_or_path: str | Path = "baseline", overrides: dict | None = None) -> Scenario:
    """A built-in scenario by name, or a TOML file by path, with optional dotted overrides.

    A TOML file holds any subset of the scenario's fields (see ``aimarket run --out``,
    which writes the full resolved scenario); missing fields keep the baseline defaults.
    """
    text = str(name_or_path)
    if text in BUILTIN:
        scenario = _builtin(text)
    elif text.endswith(".toml") or Path(text).is_file():
        scenario = Scenario.from_toml(text)
    else:
        close = difflib.get_close_matches(text, list(BUILTIN), n=1)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        raise ScenarioError(
            f"unknown scenario '{text}'{hint} (built-in: {', '.join(BUILTIN)}; "
            "or give a path to a .toml file)"
        )
    return scenario.with_overrides(overrides) if overrides else scenario
