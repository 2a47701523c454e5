"""Shocks: scheduled or triggered events that change the market mid-run.

A scenario lists its shocks by name under ``shocks``; each has a ``kind``, one record of
:data:`SHOCKS` registered by its own module in this package: the parameters it takes
(a :class:`ShockParams` subclass, so ``kind`` picks the record its table is read into),
when it is due, what it does, and the checks it needs against the rest of the scenario.
Shocks fire in phase 1 of the month, in the order the scenario lists them; each draws
its random numbers from a stream of its own, keyed by its name, so adding a shock never
shifts another's draws. Adding a kind is one module here (or one ``SHOCKS.add(...)``
from outside the package) and a test; see docs/extending.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from aimarket.simulation.errors import ScenarioError
from aimarket.simulation.mechanics.calendar import MAX_STEPS
from aimarket.simulation.params import par
from aimarket.simulation.registry import Registry

if TYPE_CHECKING:
    import numpy as np

    from aimarket.simulation.model import MarketModel


@dataclass(frozen=True)
class ShockParams:
    """What every shock has: its kind and the month it fires. Each kind's record adds its
    own fields."""

    kind: str = par("weight_leak", doc="what happens (a shock kind)")
    step: int = par(-1, lo=-1, hi=MAX_STEPS, unit="step", doc="month it fires (-1: not scheduled)")

    @classmethod
    def resolve(cls, data: Any, path: str) -> type:
        """The record of the shock's kind: ``kind`` picks it."""
        kind = data.get("kind") if hasattr(data, "get") else None
        if kind is None:
            raise ScenarioError(f"{path}: a shock needs its kind; choose one of: "
                                f"{', '.join(SHOCKS.names())}")  # fmt: skip
        if not isinstance(kind, str) or kind not in SHOCKS:
            raise ScenarioError(f"{path}.kind: {SHOCKS.unknown(kind)}")
        return SHOCKS[kind].Params


class ShockKind:
    """One kind of shock. Subclasses set the class attributes and override the hooks."""

    name: ClassVar[str] = ""
    label: ClassVar[str] = ""
    doc: ClassVar[str] = ""
    Params: ClassVar[type] = ShockParams
    #: Acts every month (deciding itself whether anything happens), not once.
    recurring: ClassVar[bool] = False

    def check(self, scenario: Any, name: str, params: Any) -> None:
        """Refuse (ScenarioError) a shock that does not fit the rest of the scenario."""

    def due(self, model: MarketModel, name: str, params: Any) -> bool:
        """Fires this month (a one-off shock fires once)."""
        return params.step == model.steps

    def fire(self, model: MarketModel, name: str, params: Any, rng: np.random.Generator) -> None:
        """What happens; ``rng`` is the shock's own random stream."""
        raise NotImplementedError


#: Every shock kind, by name (built-ins: the modules of this package).
SHOCKS: Registry[ShockKind] = Registry("shock kind", __name__)


def fire(model: MarketModel) -> None:
    """Fire this month's shocks (phase 1), in the order the scenario lists them."""
    for name, params in model.scenario.shocks.items():
        kind = SHOCKS[params.kind]
        if kind.recurring:
            kind.fire(model, name, params, model.streams.shock(name))
        elif name not in model.state.fired_shocks and kind.due(model, name, params):
            model.state.fired_shocks.add(name)
            kind.fire(model, name, params, model.streams.shock(name))


def check(scenario: Any) -> None:
    """Every shock's own checks against the scenario."""
    for name, params in scenario.shocks.items():
        SHOCKS[params.kind].check(scenario, name, params)


def vendor_must_exist(scenario: Any, name: str, vendor: str) -> None:
    if vendor not in scenario.vendors:
        raise ScenarioError(
            f"shocks.{name}.vendor = {vendor!r} is not a vendor; "
            f"choose one of: {', '.join(scenario.vendors)}"
        )
