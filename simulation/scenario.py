"""The scenario: every parameter of one simulated market, in one validated, frozen record.

Units used throughout:

* money in millions of US dollars ($M); flows are per month;
* token volumes in trillions of tokens (Ttok) per month;
* prices in US dollars per million tokens ($/Mtok), so price x volume is in $M;
* capability in *frontier-years*: 1.0 is the closed frontier of January 2023 (GPT-4
  class) and the baseline closed frontier advances about one unit a year, so a gap of 1.0
  is "one year behind" (SF #3, Epoch AI 2024-11);
* utilities are in logit units (the scale of the Gumbel taste shock is one).

``Scenario()`` holds every record's defaults and no named firm: an empty market. The
named firms, clouds, VCs and segments are data (``simulation/data/firms.toml``), the
calibrated values too (``calibrated.toml``), and the built-in scenarios are TOML files
built on them (``simulation/data/scenarios/``): see :mod:`aimarket.simulation.scenarios`.

"SF #n" in a source refers to row n of the table in ``docs/facts.md`` (public figures, their
sources and the period their data covers); the questions behind the model are in
``docs/brief.md``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import tomli_w

from aimarket.simulation import shocks
from aimarket.simulation.errors import ScenarioError
from aimarket.simulation.mechanics.calendar import MAX_STEPS, check_start
from aimarket.simulation.merging import expand, merge, parse_value
from aimarket.simulation.parameters import (
    GENERATED_NAME,
    CloudParams,
    DeveloperParams,
    EntryParams,
    InnovationParams,
    MarketParams,
    Mechanisms,
    SegmentParams,
    VCParams,
    VendorParams,
)
from aimarket.simulation.params import FrozenMap, from_dict, par, to_dict
from aimarket.simulation.policies import POLICIES
from aimarket.simulation.shocks import ShockParams

__all__ = [
    "POLICIES",
    "CloudParams",
    "DeveloperParams",
    "EntryParams",
    "InnovationParams",
    "MarketParams",
    "Mechanisms",
    "Scenario",
    "SegmentParams",
    "ShockParams",
    "VCParams",
    "VendorParams",
]


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
    vendors: FrozenMap[str, VendorParams] = dataclasses.field(default_factory=FrozenMap)
    clouds: FrozenMap[str, CloudParams] = dataclasses.field(default_factory=FrozenMap)
    vcs: FrozenMap[str, VCParams] = dataclasses.field(default_factory=FrozenMap)
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
            for policy in POLICIES:  # a vendor may switch to any of them (a pivot shock)
                policy.check(f"vendors.{name}", policy.options(v.options), self)
        for cloud in self.developers.home_clouds:
            if cloud not in self.clouds:
                raise ScenarioError(
                    f"developers.home_clouds.{cloud} is not a cloud; choose from: "
                    f"{', '.join(self.clouds)}"
                )
        for name in self.vendors:
            if GENERATED_NAME.fullmatch(name):
                raise ScenarioError(
                    f"vendors.{name}: names like 'entrant1' are given to funded startups as "
                    "they enter; choose another name"
                )
        shocks.check(self)
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
