"""``open_lagged``: a closed frontier model through the API, plus open weights of the model
it had ``open_lag`` months ago (Mistral-like)."""

from dataclasses import dataclass

from aimarket.simulation.params import par
from aimarket.simulation.policies import POLICIES, ReleasePolicy


@dataclass(frozen=True)
class OpenLaggedOptions:
    open_lag: int = par(
        12, lo=0, hi=240, unit="months", doc="open_lagged: how far open weights trail"
    )


class OpenLagged(ReleasePolicy):
    name = "open_lagged"
    color = "#2ca02c"
    label = "open, lagged"
    doc = "a closed frontier model plus open weights open_lag months old"
    Options = OpenLaggedOptions
    sells_api = True
    releases_weights = True

    def prepare(self, vendor) -> None:
        # Capability by month before step 0, to serve the first lagged releases: we
        # assume the vendor advanced at the frontier's pace, one frontier-year a year
        # (the unit's definition).
        lag, pace = vendor.options.open_lag, 1.0 / 12.0
        start = vendor.history[-1]
        vendor.history[:0] = [max(0.0, start - pace * k) for k in range(lag, 0, -1)]

    def attracts_talent(self, vendor) -> bool:
        return True

    def released_capability(self, vendor) -> float:
        history = vendor.history
        lagged = history[max(0, len(history) - 1 - vendor.options.open_lag)]
        return max(vendor.frozen_capability, lagged)


POLICIES.add(OpenLagged())
