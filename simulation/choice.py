"""The developers' multinomial-logit choice, as pure functions of arrays.

Developer i in segment s, currently on product c (or on none), values product j at

    U_ij = V_sj - k_s [c != none and j != c] + e_ij,     V_sj = b_s q_j + g_s o_j
           + n_s E_j - a_s p_j / P - T_j

and the outside option (no model) at V_s0 + e_i0, where q is capability, o open weights
(0/1), E the product's ecosystem (developer share among adopters last month), p the
effective price, P the serving-cost index (so price is judged relative to what tokens
cost to make), T a trust penalty, k the switching cost, and e i.i.d. Gumbel. Choice
probabilities are then the logit formula. Developers differ only through (segment,
current product), so probabilities are computed once per such group and each developer
draws by inverse CDF with one uniform number: the work per developer is a row lookup
and a comparison, with no Python loop over developers.
"""

from __future__ import annotations

import numpy as np

NONE = -1  # "no model" in developer choice arrays


def mean_utilities(
    quality_weight: np.ndarray,
    openness_preference: np.ndarray,
    network_weight: np.ndarray,
    price_sensitivity: np.ndarray,
    capability: np.ndarray,
    is_open: np.ndarray,
    ecosystem: np.ndarray,
    price: np.ndarray,
    penalty: np.ndarray,
    available: np.ndarray,
    price_index: float,
) -> np.ndarray:
    """V, shape (segments, products); unavailable products get -inf."""
    v = (
        np.outer(quality_weight, capability)
        + np.outer(openness_preference, is_open.astype(float))
        + np.outer(network_weight, ecosystem)
        - np.outer(price_sensitivity / price_index, price)
        - penalty[None, :]
    )
    v[:, ~available] = -np.inf
    return v


def _softmax_rows(u: np.ndarray) -> np.ndarray:
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


def choice_cdf(v: np.ndarray, v0: np.ndarray, switching_cost: np.ndarray) -> np.ndarray:
    """Cumulative choice probabilities per (segment, current state).

    Returns an array of shape (S * (J + 1), J + 1): row ``s * (J + 1) + (c + 1)`` is for a
    developer of segment s currently on product c (c = -1 for none); column 0 is the
    outside option and column j + 1 product j. The last column is exactly 1.
    """
    n_seg, n_prod = v.shape
    full = np.concatenate([v0[:, None], v], axis=1)  # (S, J+1)
    u = np.repeat(full[:, None, :], n_prod + 1, axis=1)  # (S, current, option)
    # Moving from product c to another product costs k; staying, leaving or first
    # adoption (current = none) is free.
    move = np.ones((n_prod + 1, n_prod + 1), dtype=bool)
    move[0, :] = False
    move[:, 0] = False
    np.fill_diagonal(move, False)
    u = u - switching_cost[:, None, None] * move[None, :, :]
    cdf = np.cumsum(_softmax_rows(u), axis=-1)
    # Nothing to choose (every option -inf, outside option switched off): no model.
    cdf[cdf[..., -1] == 0.0] = 1.0
    cdf[..., -1] = 1.0
    return cdf.reshape(n_seg * (n_prod + 1), n_prod + 1)


def draw_choices(cdf: np.ndarray, row: np.ndarray, uniform: np.ndarray) -> np.ndarray:
    """Inverse-CDF draw: product index per developer (NONE for the outside option)."""
    return (cdf[row] < uniform[:, None]).sum(axis=1) - 1
