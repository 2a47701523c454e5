"""Shocks: scheduled or triggered events that change the market mid-run.

A scenario lists its shocks by name under ``shocks``; each has a ``kind``:

* ``weight_leak``: at ``step``, ``vendor``'s newest weights become open weights (frozen
  at that capability), while its own policy and API are unchanged (LLaMA, Feb 2023).
* ``efficient_entrant``: at ``step``, a vendor named by the shock arrives
  ``capability_gap`` behind the closed frontier, serving at ``efficiency`` times the
  usual cost, with release ``policy`` and ``cash`` from its owners (DeepSeek-V3/R1,
  Dec 2024 to Jan 2025; SF #11).
* ``inference_hardware``: at ``step``, a cloud with specialized hardware arrives that
  hosts open weights at ``open_cost_multiplier`` times the usual cost (Groq-like).
* ``policy_pivot``: ``vendor`` switches to ``policy`` at ``step``, or when its developer
  share reaches ``share_threshold``; developers hold ``trust_penalty`` against it.
* ``misuse``: each month an incident happens with probability
  ``incident_rate x max(0, open frontier - capability_threshold)`` (or for sure at
  ``step``); an incident leads to regulation with probability
  ``regulation_probability``: a ``tax`` on open-weight tokens (a share of the hosting
  price, paid to the government) or a ``cap`` that stops open release above
  ``capability_threshold``.

Shocks fire in phase 1 of the month, in the order the scenario lists them. Random draws
come from the ``shocks`` stream, a fixed number per misuse shock per month.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from aimarket.simulation.mechanics.calendar import MAX_STEPS
from aimarket.simulation.params import par

if TYPE_CHECKING:
    from aimarket.simulation.model import MarketModel

ShockKind = Literal[
    "weight_leak", "efficient_entrant", "inference_hardware", "policy_pivot", "misuse"
]
KINDS: tuple[str, ...] = (
    "weight_leak",
    "efficient_entrant",
    "inference_hardware",
    "policy_pivot",
    "misuse",
)


@dataclass(frozen=True)
class ShockParams:
    """One shock. Fields a kind does not use are ignored (see the module docstring)."""

    kind: ShockKind = par("weight_leak", doc="what happens")
    step: int = par(-1, lo=-1, hi=MAX_STEPS, unit="step", doc="month it fires (-1: not scheduled)")
    vendor: str = par("", doc="leak, pivot: the vendor concerned")
    policy: Literal["closed", "open", "open_lagged", "open_then_closed"] = par(
        "open", doc="pivot: the new policy; entrant: its release policy"
    )
    capability_gap: float = par(
        0.2, lo=0.0, hi=100.0, unit="frontier-years", doc="entrant: distance behind frontier"
    )
    efficiency: float = par(
        0.2,
        lo=0.01,
        hi=10.0,
        doc="entrant: serving-cost multiplier",
        source="SF #11: R1 API $0.55/$2.19 vs o1 $15/$60 per Mtok (Jan 2025)",
    )
    cash: float = par(
        500.0,
        lo=0.0,
        hi=1e6,
        unit="$M",
        doc="entrant: capital from its owners",
        source="SF #11: ~$5.6M marginal training compute; owner-funded",
    )
    rd_budget: float = par(20.0, lo=0.0, hi=1e5, unit="$M/month", doc="entrant: R&D plan")
    open_cost_multiplier: float = par(
        0.3, lo=0.01, hi=10.0, doc="hardware: open-weight serving cost multiplier"
    )
    share_threshold: float = par(
        1.01, lo=0.0, hi=1.01, doc="pivot: fire when the vendor's developer share reaches it"
    )
    trust_penalty: float = par(0.5, lo=0.0, hi=20.0, unit="utility", doc="pivot: trust lost")
    incident_rate: float = par(
        0.0, lo=0.0, hi=1.0, unit="1/month per frontier-year", doc="misuse: incident hazard"
    )
    capability_threshold: float = par(
        2.0, lo=0.0, hi=100.0, unit="frontier-years", doc="misuse: risky open capability"
    )
    regulation_probability: float = par(0.5, lo=0.0, hi=1.0, doc="misuse: incident -> law")
    regulation: Literal["tax", "cap"] = par("cap", doc="misuse: form of the regulation")
    tax: float = par(0.5, lo=0.0, hi=10.0, doc="misuse: tax as a share of the hosting price")


def fire(model: MarketModel) -> None:
    """Fire this month's shocks (phase 1)."""
    t = model.steps
    for name, shock in model.scenario.shocks.items():
        if shock.kind == "misuse":
            _misuse(model, name, shock)
            continue
        if name in model.fired_shocks:
            continue
        due = shock.step == t
        if shock.kind == "policy_pivot" and not due:
            vendor = _vendor(model, shock.vendor)
            due = vendor is not None and vendor.developer_share >= shock.share_threshold
        if due:
            model.fired_shocks.add(name)
            HANDLERS[shock.kind](model, name, shock)


def _vendor(model: MarketModel, name: str):
    return next((v for v in model.vendors if v.name == name), None)


def _leak(model: MarketModel, name: str, shock: ShockParams) -> None:
    vendor = _vendor(model, shock.vendor)
    if vendor is not None:
        vendor.leak()


def _entrant(model: MarketModel, name: str, shock: ShockParams) -> None:
    from aimarket.simulation.scenario import VendorParams

    capability = max(0.0, model.frontier(is_open=False) - shock.capability_gap)
    params = VendorParams(
        policy=shock.policy,
        capability=capability,
        cash=shock.cash,
        rd_budget=shock.rd_budget,
        opex=0.01 * shock.cash,
        efficiency=shock.efficiency,
        open_lag=0,
        private=False,  # backed by its owners, not by VCs
    )
    vendor = model.add_vendor(name, params, cash=0.0)
    model.ledger.pay("owners", vendor.account, shock.cash, "owner_capital")
    model.events.append((model.steps, name, "efficient entrant arrived"))


def _hardware(model: MarketModel, name: str, shock: ShockParams) -> None:
    from aimarket.simulation.scenario import CloudParams

    params = CloudParams(
        open_cost_multiplier=shock.open_cost_multiplier,
        serves_closed=False,
        entry_step=model.steps,
    )
    model.add_cloud(name, params)
    model.events.append((model.steps, name, "inference hardware cloud arrived"))


def _pivot(model: MarketModel, name: str, shock: ShockParams) -> None:
    vendor = _vendor(model, shock.vendor)
    if vendor is not None:
        vendor.pivot(shock.policy, shock.trust_penalty)


def _misuse(model: MarketModel, name: str, shock: ShockParams) -> None:
    # two draws every month whatever happens, to keep the stream aligned across runs
    u_incident, u_law = model.streams.shocks.random(2)
    excess = max(0.0, model.frontier(is_open=True) - shock.capability_threshold)
    incident = shock.step == model.steps or u_incident < shock.incident_rate * excess
    if not incident:
        return
    model.incidents += 1
    model.events.append((model.steps, name, "misuse incident"))
    if model.regulated or u_law >= shock.regulation_probability:
        return
    model.regulated = True
    if shock.regulation == "tax":
        model.open_tax = shock.tax
        model.events.append((model.steps, name, f"open weights taxed at {shock.tax:.0%}"))
    else:
        model.open_cap = shock.capability_threshold
        model.events.append(
            (model.steps, name, f"open release capped at {shock.capability_threshold:g}")
        )


HANDLERS = {
    "weight_leak": _leak,
    "efficient_entrant": _entrant,
    "inference_hardware": _hardware,
    "policy_pivot": _pivot,
}
