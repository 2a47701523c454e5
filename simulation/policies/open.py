"""``open``: the vendor's frontier model as open weights, hosted by clouds at their prices."""

from aimarket.simulation.policies import POLICIES, ReleasePolicy


class Open(ReleasePolicy):
    name = "open"
    color = "#1f77b4"
    label = "open"
    doc = "its frontier model as open weights, hosted by clouds at their prices"
    sells_api = False
    releases_weights = True

    def frontier_open(self, vendor) -> bool:
        return True


POLICIES.add(Open())
