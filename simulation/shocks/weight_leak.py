"""``weight_leak``: at ``step``, ``vendor``'s newest weights become open weights (frozen at
that capability), while its own policy and API are unchanged (LLaMA, Feb 2023)."""

from dataclasses import dataclass

from aimarket.simulation.params import par
from aimarket.simulation.shocks import SHOCKS, ShockKind, ShockParams, vendor_must_exist


@dataclass(frozen=True)
class WeightLeakParams(ShockParams):
    vendor: str = par("", doc="leak: the vendor whose weights escape")


class WeightLeak(ShockKind):
    name = "weight_leak"
    label = "weight leak"
    doc = "a vendor's newest weights escape and become open weights"
    Params = WeightLeakParams

    def check(self, scenario, name, params) -> None:
        vendor_must_exist(scenario, name, params.vendor)

    def fire(self, model, name, params, rng) -> None:
        vendor = model.vendor_named(params.vendor)
        if vendor is not None:
            vendor.leak()


SHOCKS.add(WeightLeak())
