"""``efficient_entrant``: at ``step``, a vendor named by the shock arrives
``capability_gap`` behind the closed frontier, serving at ``efficiency`` times the usual
cost, with release ``policy`` and ``cash`` from its owners (DeepSeek-V3/R1, Dec 2024 to
Jan 2025; SF #11)."""

from dataclasses import dataclass

from aimarket.simulation.errors import ScenarioError
from aimarket.simulation.parameters import GENERATED_NAME, VendorParams
from aimarket.simulation.params import FrozenMap, par
from aimarket.simulation.policies import POLICIES
from aimarket.simulation.shocks import SHOCKS, ShockKind, ShockParams


@dataclass(frozen=True)
class EfficientEntrantParams(ShockParams):
    policy: str = par("open", choices=POLICIES, doc="entrant: its release policy")
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


class EfficientEntrant(ShockKind):
    name = "efficient_entrant"
    label = "efficient entrant"
    doc = "an owner-funded vendor arrives near the frontier, serving far below the usual cost"
    Params = EfficientEntrantParams

    def check(self, scenario, name, params) -> None:
        if name in scenario.vendors:
            raise ScenarioError(f"shocks.{name}: an entrant cannot reuse a vendor's name")
        if GENERATED_NAME.fullmatch(name):
            raise ScenarioError(
                f"shocks.{name}: an entrant's vendor takes the shock's name, and names "
                "like 'entrant1' are given to funded startups; choose another name"
            )

    def fire(self, model, name, params, rng) -> None:
        capability = max(0.0, model.frontier(is_open=False) - params.capability_gap)
        vendor_params = VendorParams(
            policy=params.policy,
            capability=capability,
            cash=params.cash,
            opex=0.01 * params.cash,
            efficiency=params.efficiency,
            private=False,  # backed by its owners, not by VCs
            options=FrozenMap({"open_lag": 0}),  # if it releases lagged weights: no lag
        )
        vendor = model.add_vendor(name, vendor_params, cash=0.0)
        model.ledger.pay("owners", vendor.account, params.cash, "owner_capital")
        model.events.append((model.steps, name, "efficient entrant arrived"))


SHOCKS.add(EfficientEntrant())
