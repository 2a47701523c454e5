"""``policy_pivot``: ``vendor`` switches to ``policy`` at ``step``, or when its developer
share reaches ``share_threshold``; developers hold ``trust_penalty`` against it."""

from dataclasses import dataclass

from aimarket.simulation.params import par
from aimarket.simulation.policies import POLICIES
from aimarket.simulation.shocks import SHOCKS, ShockKind, ShockParams, vendor_must_exist


@dataclass(frozen=True)
class PolicyPivotParams(ShockParams):
    vendor: str = par("", doc="pivot: the vendor that switches")
    policy: str = par("open", choices=POLICIES, doc="pivot: the new release policy")
    share_threshold: float = par(
        1.01, lo=0.0, hi=1.01, doc="pivot: fire when the vendor's developer share reaches it"
    )
    trust_penalty: float = par(0.5, lo=0.0, hi=20.0, unit="utility", doc="pivot: trust lost")


class PolicyPivot(ShockKind):
    name = "policy_pivot"
    label = "policy pivot"
    doc = "a vendor switches release policy at a date or once it holds enough developers"
    Params = PolicyPivotParams

    def check(self, scenario, name, params) -> None:
        vendor_must_exist(scenario, name, params.vendor)

    def due(self, model, name, params) -> bool:
        if params.step == model.steps:
            return True
        vendor = model.vendor_named(params.vendor)
        return vendor is not None and vendor.developer_share >= params.share_threshold

    def fire(self, model, name, params, rng) -> None:
        vendor = model.vendor_named(params.vendor)
        if vendor is not None:
            vendor.pivot(params.policy, params.trust_penalty)


SHOCKS.add(PolicyPivot())
