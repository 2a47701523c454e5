"""Built-in scenarios by name, and loading a scenario from a name or a TOML file."""

from __future__ import annotations

import difflib
from pathlib import Path

from simulation.errors import ScenarioError
from simulation.scenario import Scenario

#: name -> (one-line description, overrides applied to the baseline defaults)
BUILTIN: dict[str, tuple[str, dict]] = {
    "baseline": (
        "Default calibrated market from January 2023: three closed labs, an ads platform "
        "releasing open weights (Meta-like), an open-lagged startup, four clouds, two VCs.",
        {},
    ),
    "meta_open": (
        "Baseline with the platform vendor releasing its frontier weights openly.",
        {"vendors.meta.policy": "open"},
    ),
    "meta_closed": (
        "Baseline with the platform vendor keeping its model closed (sold by API).",
        {"vendors.meta.policy": "closed"},
    ),
}


def builtin_names() -> list[str]:
    return list(BUILTIN)


def load_scenario(name_or_path: str | Path = "baseline", overrides: dict | None = None) -> Scenario:
    """A built-in scenario by name, or a TOML file by path, with optional dotted overrides.

    A TOML file holds any subset of the scenario's fields (see ``aimarket run --out``,
    which writes the full resolved scenario); missing fields keep the baseline defaults.
    """
    text = str(name_or_path)
    if text in BUILTIN:
        description, base = BUILTIN[text]
        scenario = Scenario().with_overrides({**base, "name": text, "description": description})
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
