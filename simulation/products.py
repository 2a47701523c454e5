"""The models developers can choose from, held as parallel arrays.

A vendor offers at most one closed model (sold through its API) and at most one open
model (weights anyone can host). Rows are never deleted, so developers' choices stay
valid indices; a withdrawn model is marked unavailable instead. Arrays grow by doubling
when entrants bring new models, so the step loop does not reallocate them.
"""

from __future__ import annotations

import numpy as np

_FIELDS = {
    "vendor": (np.int64, -1),  # index into model.vendor_list (kept after the vendor exits)
    "is_open": (bool, False),
    "available": (bool, False),
    "capability": (float, 0.0),  # frontier-years
    "efficiency": (float, 1.0),  # serving-cost multiplier (community cuts open weights')
    "community": (float, 0.0),  # capability added by the community, frontier-years
    "community_gain": (float, 0.0),  # of which this month, frontier-years
    "price": (float, 0.0),  # effective price to developers, $/Mtok
    "cost": (float, 0.0),  # marginal cost behind that price, $/Mtok
    "penalty": (float, 0.0),  # trust penalty in utility
    "anticipated": (float, 0.0),  # trust cost developers expect (its vendor may close)
    "developers": (float, 0.0),  # developers using it
    "tokens": (float, 0.0),  # volume this month, Ttok
    "ecosystem": (float, 0.0),  # developer share among adopters last month
}


class ProductTable:
    """Columns of per-model state; ``n`` rows are in use."""

    def __init__(self, capacity: int = 16):
        self.n = 0
        self.names: list[str] = []
        for name, (dtype, fill) in _FIELDS.items():
            setattr(self, name, np.full(capacity, fill, dtype=dtype))

    def add(
        self,
        name: str,
        vendor: int,
        is_open: bool,
        capability: float,
        efficiency: float,
        price: float,
    ) -> int:
        if self.n == len(self.vendor):
            for field, (dtype, fill) in _FIELDS.items():
                old = getattr(self, field)
                new = np.full(2 * len(old), fill, dtype=dtype)
                new[: self.n] = old[: self.n]
                setattr(self, field, new)
        j = self.n
        self.n += 1
        self.names.append(name)
        self.vendor[j] = vendor
        self.is_open[j] = is_open
        self.available[j] = True
        self.capability[j] = capability
        self.efficiency[j] = efficiency
        self.price[j] = price
        return j

    def view(self, field: str) -> np.ndarray:
        """The used part of a column (a view, not a copy)."""
        return getattr(self, field)[: self.n]

    def community_month(self, innovation, mechanisms) -> np.ndarray:
        """The community improves the open weights in use this month. Capability: each
        model's stock of community gains closes ``community_quality`` x its developer share
        of the gap to ``community_cap`` (fine-tunes and tools help less and less: the gains
        saturate). Serving cost: cut by ``community_efficiency`` x share, never below
        ``min_efficiency``. Returns this month's capability gains (zero if off)."""
        n = self.n
        share = self.ecosystem[:n]
        open_now = self.is_open[:n] & self.available[:n]
        gain = self.community_gain[:n]
        gain[:] = 0.0
        if mechanisms.community:
            headroom = np.maximum(innovation.community_cap - self.community[:n], 0.0)
            pace = np.minimum(innovation.community_quality * share, 1.0)
            gain[:] = np.where(open_now, pace * headroom, 0.0)
            eff = self.efficiency[:n]
            cut = np.where(open_now, 1.0 - innovation.community_efficiency * share, 1.0)
            # never below the floor, nor raised to it if a model starts below it
            floor = np.minimum(eff, innovation.min_efficiency)
            eff[:] = np.where(open_now, np.maximum(floor, eff * cut), eff)
            self.community[:n] += gain
        return gain
