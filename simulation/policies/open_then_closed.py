"""``open_then_closed``: open until a step or until it leads, then closed: the weights
already out stay out (frozen, still improved by the community) and developers hold a
trust penalty against its models."""

from dataclasses import dataclass

from aimarket.simulation.mechanics.calendar import MAX_STEPS
from aimarket.simulation.params import par
from aimarket.simulation.policies import POLICIES, ReleasePolicy


@dataclass(frozen=True)
class OpenThenClosedOptions:
    switch_step: int = par(
        -1, lo=-1, hi=MAX_STEPS, unit="step", doc="open_then_closed: step of the switch (-1 none)"
    )
    switch_share: float = par(
        0.3,
        lo=0.0,
        hi=1.01,
        doc="open_then_closed: switch once its developer share reaches this and its model "
        "leads every rival's (>1: never)",
    )
    trust_penalty: float = par(
        0.5,
        lo=0.0,
        hi=20.0,
        unit="utility",
        doc="developers' utility loss on the vendor's models after it closes again",
    )


class OpenThenClosed(ReleasePolicy):
    name = "open_then_closed"
    color = "#9467bd"
    label = "open, then closed"
    doc = "open until switch_step or until it leads with switch_share of developers; then closed"
    Options = OpenThenClosedOptions
    sells_api = False
    releases_weights = True

    def frontier_open(self, vendor) -> bool:
        return not vendor.switched

    def before_release(self, vendor) -> None:
        if vendor.switched:
            return
        options = vendor.options
        due = 0 <= options.switch_step <= vendor.model.steps
        dominant = vendor.developer_share >= options.switch_share and vendor.leads()
        if due or dominant:
            vendor.close_weights(options.trust_penalty)


POLICIES.add(OpenThenClosed())
