"""The developers' multinomial-logit choice, as pure functions of arrays.

Developer i in segment s, currently on product c (or on none), values product j at

    U_ij = V_sj - k_s [c != none and j != c] + e_ij,     V_sj = b_s q_j + g_s o_j
           + n_s E_j - a_s B(p_j) - T_j

and the outside option (no model) at V_s0 + e_i0, where q is capability, o open weights
(0/1), E the product's ecosystem (developer share among adopters last month), p the
effective price in dollars, T a trust penalty, k the switching cost, and e i.i.d. Gumbel.
The price enters through the developer's monthly bill, price x tokens (Berry 1994; Berry,
Levinsohn & Pakes 1995): a_s is the utility of a dollar per reference token times the
tokens a developer of the segment now uses, so the weight of $1/Mtok grows as volumes
grow (with the market, and as prices fall: tokens scale as (p / p_r)^eps, eps the token
elasticity). Each product's own price enters linearly, at that volume. Choice
probabilities are then the logit formula. Developers differ only through (segment,
current product), so probabilities are computed once per such group, over the products
on offer, and each developer draws by inverse CDF with one uniform number: the work per
developer is a binary search in its group's row, with no Python loop over developers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from aimarket.simulation.mechanics import kernels, logit_table

NONE = -1  # "no model" in developer choice arrays


def volume(price: np.ndarray, elasticity: float, reference: float) -> np.ndarray:
    """Tokens a developer uses at ``price``, relative to the reference price's."""
    with np.errstate(divide="ignore"):
        return (np.maximum(price, 1e-300) / reference) ** elasticity


def mean_utilities(
    quality_weight: np.ndarray,
    openness_preference: np.ndarray,
    network_weight: np.ndarray,
    price_weight: np.ndarray,
    capability: np.ndarray,
    is_open: np.ndarray,
    ecosystem: np.ndarray,
    price: np.ndarray,
    penalty: np.ndarray,
    available: np.ndarray,
) -> np.ndarray:
    """V, shape (segments, products); unavailable products get -inf. ``price_weight``
    is a_s, utility per $/Mtok at the segment's current volume."""
    # column times row: numpy.outer's products without its per-call cost
    v = (
        quality_weight[:, None] * capability
        + openness_preference[:, None] * is_open.astype(float)
        + network_weight[:, None] * ecosystem
        - price_weight[:, None] * price
        - penalty[None, :]
    )
    v[:, ~available] = -np.inf
    return v


def restrict_and_reward(
    v: np.ndarray,
    capability: np.ndarray,
    available: np.ndarray,
    need: np.ndarray,
    bonus: np.ndarray | None,
) -> np.ndarray:
    """``v`` (groups, products) for groups whose work needs capability within ``need``
    (frontier-years) of the best available model (the others get -inf: they cannot do
    its work), plus ``bonus`` (groups, products), the utility of products offered on a
    group's home cloud. Returns ``v`` itself, changed in place, when there is anything
    to do."""
    if np.isfinite(need).any() and available.any():
        best = capability[available].max()
        v[capability[None, :] < best - need[:, None]] = -np.inf
    if bonus is not None:
        v += bonus
    return v


def _utilities_numpy(
    quality_weight, openness_preference, network_weight, price_weight, capability, is_open,
    ecosystem, price, penalty, available, need, bonus, has_bonus,
):  # fmt: skip
    """:func:`mean_utilities`, then :func:`restrict_and_reward` (``bonus`` when
    ``has_bonus``), in numpy."""
    v = mean_utilities(
        quality_weight, openness_preference, network_weight, price_weight, capability,
        is_open, ecosystem, price, penalty, available,
    )  # fmt: skip
    return restrict_and_reward(v, capability, available, need, bonus if has_bonus else None)


def _utilities_loop(
    quality_weight, openness_preference, network_weight, price_weight, capability, is_open,
    ecosystem, price, penalty, available, need, bonus, has_bonus,
):  # fmt: skip
    """:func:`_utilities_numpy` as one loop (numba): each entry by the same operations
    in the same order, so the same bits."""
    n_groups, n_prod = len(quality_weight), len(capability)
    v = np.empty((n_groups, n_prod))
    restrict, best = False, -np.inf  # the best available capability (NaN if one is NaN)
    for j in range(n_prod):
        if available[j]:
            restrict = True
            if np.isnan(capability[j]) or np.isnan(best):
                best = np.nan
            elif capability[j] > best:
                best = capability[j]
    any_need = False
    for g in range(n_groups):
        any_need = any_need or np.isfinite(need[g])
    restrict = restrict and any_need
    for g in range(n_groups):
        floor = best - need[g]
        for j in range(n_prod):
            if available[j]:
                x = (
                    quality_weight[g] * capability[j]
                    + openness_preference[g] * (1.0 if is_open[j] else 0.0)
                    + network_weight[g] * ecosystem[j]
                    - price_weight[g] * price[j]
                    - penalty[j]
                )
            else:
                x = -np.inf
            if restrict and capability[j] < floor:
                x = -np.inf
            if has_bonus:
                x += bonus[g, j]
            v[g, j] = x
    return v


_UTILITIES = kernels.Kernel(_utilities_loop, _utilities_numpy)


def market_utilities(need: np.ndarray, bonus: np.ndarray | None, *inputs: np.ndarray) -> np.ndarray:
    """:func:`mean_utilities` of ``inputs`` (its arguments, in its order) restricted to
    the groups whose work each product can do (``need``) and with each group's native
    ``bonus``, as :func:`restrict_and_reward` does, in one pass: (groups, products)."""
    has_bonus = bonus is not None
    return _UTILITIES(*inputs, need, bonus if has_bonus else _NO_BONUS, has_bonus)


_NO_BONUS = np.zeros((0, 0))


def _softmax_rows(u: np.ndarray) -> np.ndarray:
    """Logit probabilities along the last axis."""
    top = np.max(u, axis=-1, keepdims=True)
    top = np.where(np.isfinite(top), top, 0.0)
    e = np.exp(u - top)
    total = e.sum(axis=-1, keepdims=True)
    # a row with nothing to choose (all -inf) gets probability 0 everywhere
    return e / np.where(total > 0, total, 1.0)


def expected_shares(v: np.ndarray, v0: np.ndarray) -> np.ndarray:
    """Logit shares (segments, products) of a fresh chooser; outside option excluded."""
    full = np.concatenate([v0[:, None], v], axis=1)
    return _softmax_rows(full)[:, 1:]


def log_sum(v: np.ndarray, v0: np.ndarray) -> np.ndarray:
    """Per segment, ln(exp V0 + sum_j exp V_j): expected maximum utility (logit log-sum)."""
    full = np.concatenate([v0[:, None], v], axis=1)
    top = np.max(full, axis=1)
    safe = np.where(np.isfinite(top), top, 0.0)  # nothing to choose: -inf, not NaN
    with np.errstate(divide="ignore"):
        return safe + np.log(np.exp(full - safe[:, None]).sum(axis=1))


@dataclass(frozen=True)
class ChoiceTable:
    """Cumulative choice probabilities per (segment, current state), over the products on
    offer only.

    ``options`` lists the columns: NONE (the outside option) first, then the available
    products in index order. A developer's current state is one of the same options, so
    ``cdf`` has shape (S * (A + 1), A + 1) for A available products: row ``s * (A + 1) + r``
    is for a developer of segment s whose current option is column r of ``options``, and
    ``state[c + 1]`` gives r for product c (-1 for a product not on offer). The last
    column is exactly 1.
    """

    cdf: np.ndarray
    options: np.ndarray
    state: np.ndarray

    def draw(self, segment: np.ndarray, current: np.ndarray, uniform: np.ndarray) -> np.ndarray:
        """Product index (NONE for the outside option) drawn for each developer of
        ``segment`` currently on ``current`` (a product on offer, or NONE)."""
        width = len(self.options)
        rows = segment * width + self.state[current + 1]
        return self.options[inverse_cdf(self.cdf, rows, uniform)]


class Workspace:
    """Memory that :func:`choice_table` reuses from one month to the next (fresh arrays
    of this size cost page faults every month). A table built in a workspace is valid
    until the workspace's next table."""

    def __init__(self) -> None:
        self._memory = np.empty(0)

    def take(self, size: int) -> np.ndarray:
        """``size`` float64 entries (their values undefined)."""
        if self._memory.size < size:
            self._memory = np.empty(max(size, 2 * self._memory.size))
        return self._memory[:size]


def offer(available: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A choice table's ``options`` and ``state`` (see :class:`ChoiceTable`) when the
    products ``available`` are on offer."""
    options = np.concatenate([[NONE], np.flatnonzero(available)])
    state = np.full(len(available) + 1, -1, dtype=np.int64)
    state[options + 1] = np.arange(len(options))
    return options, state


def choice_table(
    v: np.ndarray,
    v0: np.ndarray,
    switching_cost: np.ndarray,
    available: np.ndarray,
    workspace: Workspace | None = None,
    rows: np.ndarray | None = None,
) -> ChoiceTable:
    """The logit choice table of developers facing mean utilities ``v`` (segments,
    products), outside utilities ``v0`` and switching costs, among ``available`` products.

    Unavailable products are neither options nor current states (their users re-choose
    from NONE), so the table grows with the products on offer, not with every product
    ever released. The probabilities are bit for bit those of the logit over all
    products with V = -inf for the unavailable ones (as :func:`mean_utilities` makes
    them): such a product has probability exactly 0 in every row, the row maximum and
    each exponential are the same, the normaliser is summed at full width with zeros in
    place (numpy sums pairwise, so the rounding of a sum depends on where its zeros sit;
    see :mod:`.logit_table`, which does this arithmetic in compiled loops or numpy) and
    the cumulative sum only skips additions of 0. The last
    column, set to exactly 1, is a product on offer (or the outside option), so no
    uniform number, however close to 1, draws a withdrawn product.

    With a ``workspace``, the table lives in its memory (and is overwritten by its next
    table); with ``rows`` (sorted row numbers of ``cdf``), only those rows are computed,
    the others are undefined (each row's floats are the same either way).
    """
    n_seg, n_prod = v.shape
    options, state = offer(available)
    cols = options + 1  # columns of the full (outside option, products) layout
    width = len(options)
    full = np.ascontiguousarray(np.concatenate([v0[:, None], v], axis=1)[:, cols])  # (S, A+1)
    rows = np.arange(n_seg * width) if rows is None else rows
    memory = (workspace or Workspace()).take((len(rows) + n_seg * width) * width)
    gaps = memory[: len(rows) * width].reshape(len(rows), width)  # [row, option]
    cdf = memory[len(rows) * width :].reshape(n_seg * width, width)
    logit_table.utility_gaps(full, np.asarray(switching_cost, dtype=float), rows, gaps)
    np.exp(gaps, out=gaps)
    logit_table.cumulative(gaps, rows, cols, n_prod + 1, logit_table.sum_plan(n_prod + 1), cdf)
    return ChoiceTable(cdf, options, state)


def inverse_cdf(cdf: np.ndarray, row: np.ndarray, uniform: np.ndarray) -> np.ndarray:
    """Column drawn by each uniform number: how many entries of ``cdf[row]`` lie below it,
    i.e. ``(cdf[row] < uniform[:, None]).sum(axis=1)``.

    Found by binary search (log2 of the width comparisons per draw, instead of one per
    column), which needs the entries below any uniform number in [0, 1) to form a prefix
    of the row: each row nondecreasing up to its first entry >= 1, and no later entry
    below 1, as a cumulative sum whose last entry is set to 1 is.
    """
    n_rows, width = cdf.shape
    size = 1 << (width - 1).bit_length()  # a power of two >= width
    if size != width:  # pad with entries no uniform number lies above
        padded = np.full((n_rows, size), np.inf)
        padded[:, :width] = cdf
        cdf = padded
    flat = cdf.ravel()
    start = row * size
    pos = start.copy()
    step = size
    while step > 1:  # invariant: the entries in [start, pos) are below the uniform
        step >>= 1
        pos += step * (flat[pos + (step - 1)] < uniform)
    pos += flat[pos] < uniform  # a row whose every entry is below the uniform
    return pos - start
