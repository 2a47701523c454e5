"""Built-in scenarios by name, and loading a scenario from a name or a TOML file.

A scenario file names its ``base`` (a built-in name or another TOML file, relative to
this one; default ``baseline``) and is merged into it key by key at every depth (see
:func:`aimarket.simulation.merging.merge`): only what the file says changes. Vendors,
clouds, VCs, segments and shocks change shape only when the file says so::

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

The built-in scenarios are such files, shipped with the package in
``simulation/data/scenarios/`` (one per name), on top of ``simulation/data/firms.toml``
(the named firms, clouds, VCs and segments) and ``calibrated.toml`` (the calibrated
values): the same merge as a user's file, nothing copied into code.
"""

from __future__ import annotations

import difflib
import functools
import os
from pathlib import Path

from aimarket.simulation.errors import ScenarioError
from aimarket.simulation.files import check_path_text, read_toml
from aimarket.simulation.scenario import Scenario

DATA = Path(__file__).resolve().parent / "data"
BUILTIN_DIR = DATA / "scenarios"


@functools.cache
def _names() -> tuple[str, ...]:
    names = sorted(p.stem for p in BUILTIN_DIR.glob("*.toml"))
    return tuple(sorted(names, key=lambda n: n != "baseline"))


def builtin_names() -> list[str]:
    """The built-in scenarios, baseline first, then by name."""
    return list(_names())


def describe(name: str) -> str:
    """A built-in scenario's one-line description."""
    return str(read_toml(BUILTIN_DIR / f"{name}.toml", "scenario").get("description", ""))


@functools.cache
def _builtin(name: str) -> Scenario:
    return _load(str(BUILTIN_DIR / f"{name}.toml"), ())


def load_scenario(name_or_path: str | Path = "baseline", overrides: dict | None = None) -> Scenario:
    """A built-in scenario by name, or a TOML file by path, with optional dotted overrides.

    A file is merged into its ``base`` (see the module docstring); ``overrides`` are then
    merged in the same way (see :meth:`Scenario.with_overrides`).
    """
    text = str(name_or_path)
    scenario = _builtin(text) if text in _names() else _load(text, ())
    return scenario.with_overrides(overrides) if overrides else scenario


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except OSError:
        return False


def _load(text: str, chain: tuple[str, ...]) -> Scenario:
    if text in _names():
        return _builtin(text)
    check_path_text(text, "scenario")
    path = Path(text)
    if not (text.endswith(".toml") or _is_file(path)):
        close = difflib.get_close_matches(text, builtin_names(), n=1)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        raise ScenarioError(
            f"unknown scenario '{text}'{hint} (built-in: {', '.join(builtin_names())}; "
            "or give a path to a .toml file)"
        )
    key = os.path.realpath(path)  # never raises, even on a symlink loop
    if key in chain:
        raise ScenarioError(f"{path}: base scenarios form a cycle ({' -> '.join(chain)})")
    data = read_toml(path, "scenario")
    base = data.pop("base", "baseline")
    if not isinstance(base, str) or not base:
        raise ScenarioError(f"{path}: base = {base!r} must be a built-in name or a .toml path")
    if base == "none":  # a complete file
        return Scenario.from_dict(data)
    if base not in _names() and not Path(base).is_absolute():
        base = str(path.parent / base)
    try:
        return _load(base, (*chain, key)).merged(data)
    except ScenarioError as exc:
        raise ScenarioError(f"{path}: {exc}") from None
