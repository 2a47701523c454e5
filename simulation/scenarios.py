"""Built-in scenarios by name, and loading a scenario from a name or a TOML file.

A scenario file names its ``base`` (a built-in name or another TOML file, relative to
this one; default ``baseline``) and is merged into it key by key at every depth (see
:func:`aimarket.simulation.params.merge`): only what the file says changes. Vendors, clouds, VCs,
segments and shocks change shape only when the file says so::

    base = "timeline"
    [vendors.meta]
    policy = "closed"            # meta's policy changes; every other field stays
    [vendors.mistral]
    remove = true                # drops an entry
    [vcs.sovereign]
    new = true                   # adds one (a name the base lacks is refused otherwise)
    capital = 10000.0
    [clouds]
    replace = true               # the collection holds exactly the entries listed here

``base = "none"`` marks a complete file, as ``aimarket run --out`` writes it.
"""

from __future__ import annotations

import difflib
from pathlib import Path

from aimarket.simulation.errors import ScenarioError
from aimarket.simulation.files import read_toml
from aimarket.simulation.scenario import Scenario

TIMELINE = {
    "steps": 48,  # January 2023 to December 2026
    "market.start": "2023-01",
    # Meta starts with a restricted research release (LLaMA, Feb 2023): no API, no weights.
    "vendors.meta.policy": "closed",
    "vendors.meta.offers_api": False,
    "shocks": {
        # SF #14: LLaMA weights leaked within a week of the restricted release (Feb 2023)
        "llama_leak": {"new": True, "kind": "weight_leak", "step": 2, "vendor": "meta"},
        # SF #14: Llama 2 open for commercial use (Jul 2023)
        "llama2_open": {
            "new": True,
            "kind": "policy_pivot",
            "step": 7,
            "vendor": "meta",
            "policy": "open",
            "trust_penalty": 0.0,
        },
        # SF #11: DeepSeek-V3 (Dec 2024) and R1 (Jan 2025), open, frontier-class, cheap
        "deepseek": {
            "new": True,
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
            "new": True,
            "kind": "policy_pivot",
            "vendor": "meta",
            "policy": "closed",
            "share_threshold": 1.01,
            "trust_penalty": 0.5,
        },
        # ... and misuse incidents that may bring regulation of open release.
        "misuse": {
            "new": True,
            "kind": "misuse",
            "incident_rate": 0.0,
            "capability_threshold": 3.0,
        },
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

    A file is merged into its ``base`` (see the module docstring); ``overrides`` are then
    merged in the same way (see :meth:`Scenario.with_overrides`).
    """
    scenario = _load(str(name_or_path), ())
    return scenario.with_overrides(overrides) if overrides else scenario


def _load(text: str, chain: tuple[str, ...]) -> Scenario:
    if text in BUILTIN:
        return _builtin(text)
    path = Path(text)
    if not (text.endswith(".toml") or path.is_file()):
        close = difflib.get_close_matches(text, list(BUILTIN), n=1)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        raise ScenarioError(
            f"unknown scenario '{text}'{hint} (built-in: {', '.join(BUILTIN)}; "
            "or give a path to a .toml file)"
        )
    key = str(path.resolve())
    if key in chain:
        raise ScenarioError(f"{path}: base scenarios form a cycle ({' -> '.join(chain)})")
    data = read_toml(path, "scenario")
    base = data.pop("base", "baseline")
    if not isinstance(base, str) or not base:
        raise ScenarioError(f"{path}: base = {base!r} must be a built-in name or a .toml path")
    if base == "none":  # a complete file
        return Scenario.from_dict(data)
    if base not in BUILTIN and not Path(base).is_absolute():
        base = str(path.parent / base)
    try:
        return _load(base, (*chain, key)).merged(data)
    except ScenarioError as exc:
        raise ScenarioError(f"{path}: {exc}") from None
