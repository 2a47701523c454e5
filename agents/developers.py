"""The developer population: many builders whose state lives in numpy arrays.

One Mesa agent stands for the whole crowd, so that Mesa schedules it like any other
agent while every per-developer decision is a vectorized array operation.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from aimarket.agents.base import MarketAgent
from aimarket.simulation.mechanics import adoption, choice, diffusion

if TYPE_CHECKING:
    from aimarket.simulation.model import MarketModel
    from aimarket.simulation.parameters import DeveloperParams, Mechanisms

#: The taste multipliers of a segment without declared types: one type, its own tastes.
_ONE_TYPE = {"share": 1.0, "tokens": 1.0, "quality": 1.0, "price": 1.0, "openness": 1.0,
             "frontier_need": np.inf}  # fmt: skip


def _split(size: int, shares: np.ndarray) -> np.ndarray:
    """``size`` split in proportion to ``shares`` (largest remainder, exact total)."""
    raw = shares / shares.sum() * size if shares.sum() > 0 else np.zeros_like(shares)
    sizes = np.floor(raw).astype(np.int64)
    sizes[np.argsort(-(raw - sizes), kind="stable")[: size - sizes.sum()]] += 1
    return sizes


class DeveloperPopulation(MarketAgent):
    """Developers in segments (enterprise, startup, hobbyist, ...), each of a latent taste
    type of its segment and with a home cloud (or none).

    A *group* is a (segment, type, home cloud) triple: developers of one group share every
    taste, so choice probabilities are computed once per group and current product.
    Per developer: ``segment``, ``group``, ``aware`` (in the market: has heard of AI models
    and considers them) and ``choice`` (product index, or -1 for none). Per group: the
    logit weights, the token volume of one developer, the capability its work needs and
    the value it puts on models offered on its home cloud; per segment: Bass diffusion.

    Each month: (i) developers not yet in the market enter with the Bass hazard
    p_s + q_s F, F the share of developers using a model (integrated over the month, see
    :mod:`aimarket.simulation.mechanics.diffusion`); (ii) developers in the market
    reconsider with probability ``reconsider_rate`` (entrants, and users of a model that
    was withdrawn, always choose); (iii) those choosing draw from the logit probabilities
    of their (group, current model).
    """

    def __init__(self, model: MarketModel, params: DeveloperParams, mechanisms: Mechanisms):
        super().__init__(model)
        self.mechanisms = mechanisms
        segs = list(params.segments.values())
        self.segment_names = list(params.segments)
        self.n = n = params.count
        self.segment_sizes = _split(n, np.array([s.share for s in segs]))
        self.sizes = self.segment_sizes  # developers per segment (kept for readers)
        clouds = list(model.scenario.clouds)
        homes = [(clouds.index(c), share) for c, share in params.home_clouds.items()]
        home_shares = np.array([1.0 - sum(s for _, s in homes), *(s for _, s in homes)])
        home_index = np.array([-1, *(c for c, _ in homes)], dtype=np.int64)
        if not mechanisms.distribution:
            home_shares, home_index = np.array([1.0]), np.array([-1], dtype=np.int64)
        self._build_groups(segs, home_shares, home_index)
        if mechanisms.diffusion:
            # the first initial_adoption share of each group starts in the market
            starts = np.repeat(np.cumsum(self.group_sizes) - self.group_sizes, self.group_sizes)
            rank = np.arange(n) - starts
            initial = np.array([segs[s].initial_adoption for s in self.group_segment])
            self.aware = rank < np.round(initial[self.group] * self.group_sizes[self.group])
        else:
            self.aware = np.ones(n, dtype=bool)
        self.choice = np.full(n, choice.NONE, dtype=np.int64)
        self.adopters = 0
        self.in_market = np.bincount(self.group[self.aware], minlength=self.n_groups)
        self.usage = np.zeros((self.n_groups, 0))  # developers by (group, product)
        self.group_tokens = np.zeros((self.n_groups, 0))  # Ttok/month by (group, product)
        self.segment_usage = np.zeros((len(segs), 0))
        self.segment_tokens = np.zeros((len(segs), 0))
        self._uniforms = np.empty((3, n))  # this month's draws (entry, reconsider, choice)
        self._workspace = choice.Workspace()  # the choice table's memory

    def _build_groups(self, segs, home_shares: np.ndarray, home_index: np.ndarray) -> None:
        """Groups in contiguous blocks: segment, then type, then home cloud."""
        rows = []  # (segment, type multipliers, home cloud, size)
        for s, seg in enumerate(segs):
            types = [t.__dict__ for t in seg.types.values()] or [_ONE_TYPE]
            type_sizes = _split(int(self.segment_sizes[s]), np.array([t["share"] for t in types]))
            for t, t_size in zip(types, type_sizes, strict=True):
                for h, h_size in zip(home_index, _split(int(t_size), home_shares), strict=True):
                    rows.append((s, t, int(h), int(h_size)))
        self.n_groups = len(rows)
        self.group_segment = np.array([r[0] for r in rows], dtype=np.int64)
        self.group_sizes = np.array([r[3] for r in rows], dtype=np.int64)
        self.group_home = np.array([r[2] for r in rows], dtype=np.int64)
        self.group = np.repeat(np.arange(self.n_groups), self.group_sizes)
        self.segment = self.group_segment[self.group]

        def col(attr: str, mult: str | None = None) -> np.ndarray:
            base = np.array([getattr(segs[r[0]], attr) for r in rows], dtype=float)
            if mult is None:
                return base
            return base * np.array([r[1][mult] for r in rows], dtype=float)

        self.alpha = col("price_weight", "price")
        self.beta = col("quality_weight", "quality")
        self.gamma = col("openness_preference", "openness")
        self.eta = col("network_weight")
        self.switch = col("switching_cost")
        self.outside = col("outside_utility")
        self.reconsider = col("reconsider_rate")
        self.bonus = col("native_bonus")
        self.need = np.array([float(r[1]["frontier_need"]) for r in rows])
        self.bass_p = np.array([s.bass_p for s in segs], dtype=float)
        self.bass_q = np.array([s.bass_q for s in segs], dtype=float)
        # One developer's token demand at full adoption: its segment's, divided among the
        # segment's developers in proportion to their type's relative volume.
        self._segment_tokens = np.array([s.tokens for s in segs], dtype=float)
        self._weight = np.array([r[1]["tokens"] for r in rows], dtype=float)
        mass = np.bincount(self.group_segment, weights=self.group_sizes * self._weight)
        self._mass = np.maximum(mass, 1)[self.group_segment]
        if self.n_groups == len(segs):  # one group a segment: the segment's own demand
            self.base_tokens = self._segment_tokens
        else:
            shares = self._weight * self.group_sizes / self._mass
            self.base_tokens = self._segment_tokens[self.group_segment] * shares

    # -- derived quantities --------------------------------------------------------------
    def tokens_per_developer(self) -> np.ndarray:
        """Ttok/month of one adopting developer at the reference price, per group."""
        tokens = self._segment_tokens[self.group_segment] * self.model.state.demand_index
        return tokens * self._weight / self._mass

    def segment_weights(self) -> np.ndarray:
        """Token demand of developers in the market at the reference price, per group
        (Ttok/month)."""
        return self.in_market * self.tokens_per_developer()

    def outside_utilities(self) -> np.ndarray:
        if self.mechanisms.outside_option:
            return self.outside
        return np.full_like(self.outside, -np.inf)

    def by_segment(self, values: np.ndarray) -> np.ndarray:
        """Group rows (groups, ...) summed into segment rows (segments, ...)."""
        values = np.ascontiguousarray(values)
        out = np.zeros((len(self.segment_names), *values.shape[1:]))
        rows = values.reshape(len(values), -1)
        adoption.group_sum(rows, self.group_segment, out.reshape(len(out), -1))
        return out

    # -- phase 5: adoption -----------------------------------------------------------------
    def choose(self, v: np.ndarray) -> None:
        """Enter, reconsider and choose, given mean utilities v (groups, products)."""
        m = self.model
        streams = m.streams
        products = m.products
        n = self.n
        # Fixed-size draws every month keep each stream aligned across policies (into
        # the same memory each month: fresh arrays of a million cost page faults).
        uniforms = self._uniforms
        streams.awareness.random(n, out=uniforms[0])
        streams.reconsider.random(n, out=uniforms[1])
        streams.choice.random(n, out=uniforms[2])
        enter = diffusion.entry_probability(self.bass_p, self.bass_q, self.adopters / n)
        switching = self.switch if self.mechanisms.switching_costs else 0 * self.switch
        available = products.available[: products.n]
        rates = np.stack([enter[self.group_segment], self.reconsider])
        crowd = (self.aware, self.choice, self.group, uniforms, rates, available)
        # Few developers choose from few of the table's rows: compute only those.
        options, states = choice.offer(available)
        rows = None
        if n < self.n_groups * len(options) ** 2:
            rows = adoption.rows_needed(*crowd, states, len(options))
        table = choice.choice_table(
            v, self.outside_utilities(), switching, available, self._workspace, rows
        )
        usage = np.zeros((self.n_groups, products.n), dtype=np.int64)
        self.adopters = adoption.adopt(
            *crowd, table.cdf, table.state, table.options, self.in_market, usage
        )
        self._tally(usage)

    def _tally(self, usage: np.ndarray) -> None:
        """Usage by group and product: developers and token volume; by segment too."""
        products = self.model.products
        n_prod = products.n
        self.usage = usage
        market = self.model.scenario.market
        per_price = choice.volume(
            products.price[:n_prod], market.token_elasticity, market.reference_price
        )
        self.group_tokens = self.usage * self.tokens_per_developer()[:, None] * per_price
        if self.n_groups == len(self.segment_names):  # one group per segment
            self.segment_usage, self.segment_tokens = self.usage, self.group_tokens
        else:
            self.segment_usage = self.by_segment(self.usage)
            self.segment_tokens = self.by_segment(self.group_tokens)
        products.developers[:n_prod] = self.usage.sum(axis=0)
        products.tokens[:n_prod] = self.group_tokens.sum(axis=0)
