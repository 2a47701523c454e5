"""``inference_hardware``: at ``step``, a cloud with specialized hardware arrives that hosts
open weights at ``open_cost_multiplier`` times the usual cost (Groq-like); it takes the
shock's name."""

from dataclasses import dataclass

from aimarket.simulation.errors import ScenarioError
from aimarket.simulation.parameters import CloudParams
from aimarket.simulation.params import par
from aimarket.simulation.shocks import SHOCKS, ShockKind, ShockParams


@dataclass(frozen=True)
class InferenceHardwareParams(ShockParams):
    open_cost_multiplier: float = par(
        0.3, lo=0.01, hi=10.0, doc="hardware: open-weight serving cost multiplier"
    )


class InferenceHardware(ShockKind):
    name = "inference_hardware"
    label = "inference hardware"
    doc = "a cloud with specialized hardware arrives and hosts open weights cheaply"
    Params = InferenceHardwareParams

    def check(self, scenario, name, params) -> None:
        if name in scenario.clouds:
            raise ScenarioError(
                f"shocks.{name}: an inference-hardware shock brings a new cloud named "
                f"after the shock, and '{name}' is already a cloud; choose another name"
            )

    def fire(self, model, name, params, rng) -> None:
        cloud = CloudParams(
            open_cost_multiplier=params.open_cost_multiplier,
            serves_closed=False,
            entry_step=model.steps,
        )
        model.add_cloud(name, cloud)
        model.events.append((model.steps, name, "inference hardware cloud arrived"))


SHOCKS.add(InferenceHardware())
