"""The developer population: many builders whose state lives in numpy arrays.

One Mesa agent stands for the whole crowd, so that Mesa schedules it like any other
agent while every per-developer decision is a vectorized array operation.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from aimarket.agents.base import MarketAgent
from aimarket.simulation.mechanics import choice, diffusion

if TYPE_CHECKING:
    from aimarket.simulation.model import MarketModel
    from aimarket.simulation.parameters import DeveloperParams, Mechanisms


class DeveloperPopulation(MarketAgent):
    """Developers in segments (enterprise, startup, hobbyist, ...).

    Per developer: ``segment`` (index), ``aware`` (in the market: has heard of AI models
    and considers them) and ``choice`` (product index, or -1 for none). Per segment: the
    logit weights, token volume and Bass diffusion hazards of the scenario.

    Each month: (i) developers not yet in the market enter with the Bass hazard
    p_s + q_s F, F the share of developers using a model (integrated over the month, see
    :mod:`aimarket.simulation.mechanics.diffusion`); (ii) developers in the market reconsider with
    probability ``reconsider_rate`` (entrants, and users of a model that was withdrawn,
    always choose); (iii) those choosing draw from the logit probabilities of their
    (segment, current model) group.
    """

    def __init__(self, model: MarketModel, params: DeveloperParams, mechanisms: Mechanisms):
        super().__init__(model)
        self.mechanisms = mechanisms
        dev = params
        segs = list(dev.segments.values())
        self.segment_names = list(dev.segments)
        n = dev.count
        shares = np.array([s.share for s in segs])
        # Deterministic segment sizes (largest remainder), contiguous blocks.
        raw = shares * n
        sizes = np.floor(raw).astype(np.int64)
        sizes[np.argsort(-(raw - sizes), kind="stable")[: n - sizes.sum()]] += 1
        self.sizes = sizes
        self.segment = np.repeat(np.arange(len(segs)), sizes)
        self.n = n

        def col(attr: str) -> np.ndarray:
            return np.array([getattr(s, attr) for s in segs], dtype=float)

        self.alpha = col("price_sensitivity")
        self.beta = col("quality_weight")
        self.gamma = col("openness_preference")
        self.eta = col("network_weight")
        self.switch = col("switching_cost")
        self.outside = col("outside_utility")
        self.reconsider = col("reconsider_rate")
        self.bass_p = col("bass_p")
        self.bass_q = col("bass_q")
        self.base_tokens = col("tokens")  # Ttok/month per segment at full adoption

        if mechanisms.diffusion:
            # the first initial_adoption share of each segment block starts in the market
            rank = np.arange(n) - np.repeat(np.cumsum(sizes) - sizes, sizes)
            self.aware = rank < np.round(
                col("initial_adoption")[self.segment] * sizes[self.segment]
            )
        else:
            self.aware = np.ones(n, dtype=bool)
        self.choice = np.full(n, choice.NONE, dtype=np.int64)
        self.adopters = 0
        self.in_market = np.bincount(self.segment[self.aware], minlength=len(sizes))
        self.usage = np.zeros((len(sizes), 0))  # developers by (segment, product)
        self.segment_tokens = np.zeros((len(sizes), 0))  # Ttok/month by (segment, product)

    # -- derived quantities --------------------------------------------------------------
    def tokens_per_developer(self) -> np.ndarray:
        """Ttok/month of one adopting developer, per segment."""
        return self.base_tokens * self.model.demand_index / np.maximum(self.sizes, 1)

    def segment_weights(self) -> np.ndarray:
        """Token demand of developers in the market, per segment (Ttok/month)."""
        return self.in_market * self.tokens_per_developer()

    def outside_utilities(self) -> np.ndarray:
        if self.mechanisms.outside_option:
            return self.outside
        return np.full_like(self.outside, -np.inf)

    # -- phase 5: adoption -----------------------------------------------------------------
    def choose(self, v: np.ndarray) -> None:
        """Enter, reconsider and choose, given mean utilities v (segments, products)."""
        m = self.model
        streams = m.streams
        products = m.products
        n = self.n
        seg = self.segment
        # Fixed-size draws every month keep each stream aligned across policies.
        u_enter = streams.awareness.random(n)
        u_reconsider = streams.reconsider.random(n)
        u_choice = streams.choice.random(n)

        enter = diffusion.entry_probability(self.bass_p, self.bass_q, self.adopters / n)
        entering = ~self.aware & (u_enter < enter[seg])
        self.aware |= entering
        self.in_market += np.bincount(seg[entering], minlength=len(self.sizes))

        current = self.choice
        withdrawn = current >= 0
        withdrawn[withdrawn] = ~products.available[current[withdrawn]]
        current[withdrawn] = choice.NONE
        choosing = entering | withdrawn | (self.aware & (u_reconsider < self.reconsider[seg]))

        switching = self.switch if self.mechanisms.switching_costs else 0 * self.switch
        table = choice.choice_table(
            v, self.outside_utilities(), switching, products.available[: products.n]
        )
        idx = np.flatnonzero(choosing)
        current[idx] = table.draw(seg[idx], current[idx], u_choice[idx])

        # Usage by segment and product: developers, and token volume.
        used = current >= 0
        n_prod = products.n
        n_seg = len(self.sizes)
        usage = np.bincount(seg[used] * n_prod + current[used], minlength=n_seg * n_prod)
        self.usage = usage.reshape(n_seg, n_prod)
        self.segment_tokens = self.usage * self.tokens_per_developer()[:, None]
        products.developers[:n_prod] = self.usage.sum(axis=0)
        products.tokens[:n_prod] = self.segment_tokens.sum(axis=0)
        self.adopters = int(used.sum())
