"""``closed``: one closed model, sold through the vendor's API at a price it sets."""

from aimarket.simulation.policies import POLICIES, ReleasePolicy


class Closed(ReleasePolicy):
    name = "closed"
    color = "#c0392b"
    label = "closed"
    doc = "one closed model, sold through its API at a price it sets"
    sells_api = True
    releases_weights = False


POLICIES.add(Closed())
