"""Release policies: what a vendor does with its models' weights (a lever).

Each policy is one record, a :class:`ReleasePolicy` registered in :data:`POLICIES` by its
own module in this package: its name, label and meaning, the options it takes (a record
of :func:`~aimarket.simulation.params.par` fields, set on the vendor's table, e.g.
``vendors.mistral.open_lag``), which products it starts with, and its behaviour, as hooks
the vendor calls each month. Adding a policy is one module here (or one
``POLICIES.add(...)`` call from outside the package) and a test; see docs/extending.md.
"""

from __future__ import annotations

import dataclasses
import functools
import typing
from typing import TYPE_CHECKING, Any, ClassVar

from aimarket.simulation.registry import Registry

if TYPE_CHECKING:
    from aimarket.agents.vendor import Vendor
    from aimarket.simulation.scenario import Scenario


class ReleasePolicy:
    """A release policy. Subclasses set the class attributes and override the hooks."""

    name: ClassVar[str] = ""
    label: ClassVar[str] = ""
    doc: ClassVar[str] = ""
    #: Its colour in every figure.
    color: ClassVar[str] = "#7f7f7f"
    #: Its options: a frozen dataclass of ``par`` fields (None: it takes none).
    Options: ClassVar[type | None] = None
    #: It sells its newest model through its own API (if the vendor offers an API).
    sells_api: ClassVar[bool] = True
    #: It has open weights on the market from the start.
    releases_weights: ClassVar[bool] = False

    def options(self, given: Any) -> Any:
        """Its options record from a vendor's ``options`` map (defaults where not given)."""
        if self.Options is None:
            return None
        names = {f.name for f in dataclasses.fields(self.Options)}
        return self.Options(**{k: v for k, v in dict(given or {}).items() if k in names})

    def check(self, where: str, options: Any, scenario: Scenario) -> None:
        """Check its options (a record, defaults filled in) against the rest of the
        scenario, e.g. that a segment it names exists; raise ScenarioError naming the
        field (``where``: the vendor's table) if not."""

    def prepare(self, vendor: Vendor) -> None:
        """Called once when a vendor starts with this policy."""

    def frontier_open(self, vendor: Vendor) -> bool:
        """Its newest model is released as open weights now."""
        return False

    def attracts_talent(self, vendor: Vendor) -> bool:
        """It releases weights, which draws researchers (the talent bonus)."""
        return self.frontier_open(vendor)

    def before_release(self, vendor: Vendor) -> None:
        """Each month, before its products are refreshed (a policy may switch here)."""

    def released_capability(self, vendor: Vendor) -> float:
        """Capability of its open weights (before the community's gains) when its frontier
        is not open: by default the weights already out, frozen."""
        return vendor.frozen_capability


#: Every release policy, by name (built-ins: the modules of this package).
POLICIES: Registry[ReleasePolicy] = Registry("release policy", __name__)


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    # resolved once per options class: resolving annotations dominated planning a sweep
    return typing.get_type_hints(cls)


def option_fields() -> dict[str, tuple[Any, Any]]:
    """Every option any registered policy declares: name -> (type, field metadata). A
    vendor's table takes them all, so it can carry options for a policy it may switch to."""
    out: dict[str, tuple[Any, Any]] = {}
    for policy in POLICIES:
        if policy.Options is None:
            continue
        hints = _hints(policy.Options)
        for f in dataclasses.fields(policy.Options):
            out.setdefault(f.name, (hints[f.name], f.metadata))
    return out
