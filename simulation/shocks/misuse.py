"""``misuse``: each month an incident happens with probability
``incident_rate x max(0, open frontier - capability_threshold)`` (or for sure at
``step``); an incident leads to regulation with probability ``regulation_probability``:
a ``tax`` on open-weight tokens (a share of the hosting price, paid to the government)
or a ``cap`` that stops open release above ``capability_threshold``. Two draws a month,
whatever happens, keep its stream aligned across paired runs."""

from dataclasses import dataclass
from typing import Literal

from aimarket.simulation.params import par
from aimarket.simulation.shocks import SHOCKS, ShockKind, ShockParams


@dataclass(frozen=True)
class MisuseParams(ShockParams):
    incident_rate: float = par(
        0.0, lo=0.0, hi=1.0, unit="1/month per frontier-year", doc="misuse: incident hazard"
    )
    capability_threshold: float = par(
        2.0, lo=0.0, hi=100.0, unit="frontier-years", doc="misuse: risky open capability"
    )
    regulation_probability: float = par(0.5, lo=0.0, hi=1.0, doc="misuse: incident -> law")
    regulation: Literal["tax", "cap"] = par("cap", doc="misuse: form of the regulation")
    tax: float = par(0.5, lo=0.0, hi=10.0, doc="misuse: tax as a share of the hosting price")


class Misuse(ShockKind):
    name = "misuse"
    label = "misuse and regulation"
    doc = "misuse incidents, more likely as open models grow capable, may bring regulation"
    Params = MisuseParams
    recurring = True

    def fire(self, model, name, params, rng) -> None:
        u_incident, u_law = rng.random(2)
        excess = max(0.0, model.frontier(is_open=True) - params.capability_threshold)
        incident = params.step == model.steps or u_incident < params.incident_rate * excess
        if not incident:
            return
        model.state.incidents += 1
        model.events.append((model.steps, name, "misuse incident"))
        if model.state.regulated or u_law >= params.regulation_probability:
            return
        model.state.regulated = True
        if params.regulation == "tax":
            model.state.open_tax = params.tax
            model.events.append((model.steps, name, f"open weights taxed at {params.tax:.0%}"))
        else:
            model.state.open_cap = params.capability_threshold
            model.events.append(
                (model.steps, name, f"open release capped at {params.capability_threshold:g}")
            )


SHOCKS.add(Misuse())
