"""Price setting: closed vendors' logit best response, clouds' Bertrand hosting prices."""

from __future__ import annotations

import numpy as np


def logit_markup(shares: np.ndarray, weights: np.ndarray, slope: np.ndarray) -> np.ndarray:
    """Profit-maximizing markup p_j - c_j of a single-product firm facing mixed logit demand.

    Demand for j is D_j = sum_s W_s s_sj with dD_j/dp_j = -sum_s W_s a_s s_sj (1 - s_sj),
    where W_s is segment s's token demand and a_s its price coefficient in utility per
    dollar (``slope``). The first-order condition gives markup = D_j / (-dD_j/dp_j).
    With one segment this is the textbook mu / (1 - s_j), mu = 1 / a.
    Products without demand get the limit of that formula as s -> 0 (mu of the
    demand-weighted segments).
    """
    w = weights[:, None]
    demand = (w * shares).sum(axis=0)
    slope_d = (w * slope[:, None] * shares * (1.0 - shares)).sum(axis=0)
    fallback = weights.sum() / max(float((weights * slope).sum()), 1e-300)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        m = np.where(slope_d > 0, demand / slope_d, fallback)
    return m


def best_response(
    v: np.ndarray,
    price: np.ndarray,
    v0: np.ndarray,
    slope: np.ndarray,
    weights: np.ndarray,
    cost: np.ndarray,
    iterations: int = 60,
    tol: float = 1e-13,
) -> np.ndarray:
    """Each product's profit-maximizing price against its rivals' current prices.

    ``v`` (segments, products) are mean utilities at the current ``price``; ``slope`` is
    each segment's price coefficient (utility per $/Mtok), ``weights`` its token demand.
    Holding rivals fixed, product j's share in segment s at price x is
    e^{b_sj - a_s x} / (e^{b_sj - a_s x} + R_sj), with R_sj the rest of the logit
    denominator. The first-order condition D + (x - c) dD/dx = 0 is solved by the
    Morrow-Skerlos zeta iteration x <- c + D / L + (G / L)(x - c), with
    L = sum_s W_s a_s s_sj and G = sum_s W_s a_s s_sj^2, which converges quickly even
    where the plain markup iteration x <- c + D / (-dD/dx) oscillates (large shares).
    Groups that cannot use a product (-inf utility: a capability threshold) are left out
    of its demand; a product no group can use keeps its price.
    """
    finite = np.isfinite(v)  # a group may not be able to use a product (capability needs)
    avail = finite.any(axis=0)
    full = np.concatenate([v0[:, None], np.where(finite, v, -np.inf)], axis=1)
    top = np.max(full, axis=1, keepdims=True)
    top = np.where(np.isfinite(top), top, 0.0)
    expo = np.exp(full - top)
    rest = expo.sum(axis=1, keepdims=True) - expo[:, 1:]  # (S, J) denominator without j
    base = np.where(finite, v + slope[:, None] * price[None, :] - top, -np.inf)  # price-free
    w, a = weights[:, None], slope[:, None]
    x = np.where(avail, np.maximum(price, cost), price)
    for _ in range(iterations):
        own = np.exp(np.minimum(base - a * x, 700.0))
        # alone in the segment (no rival, no outside option): the whole segment, if usable
        s = np.where(rest > 0, own / np.where(rest > 0, own + rest, 1.0), finite * 1.0)
        demand = (w * s).sum(axis=0)
        lam = (w * a * s).sum(axis=0)
        gam = (w * a * s * s).sum(axis=0)
        ok = avail & (lam > 0)
        new = np.where(
            ok,
            cost + demand / np.where(ok, lam, 1.0) + gam / np.where(ok, lam, 1.0) * (x - cost),
            x,
        )
        done = np.max(np.abs(new - x), initial=0.0) <= tol * max(
            1.0, float(np.max(np.abs(x), initial=1.0))
        )
        x = new
        if done:
            break
    return x


def hosting_prices(
    previous: np.ndarray,
    cost: np.ndarray,
    hosts: np.ndarray,
    undercut: np.ndarray,
    monopoly_markup: np.ndarray,
) -> np.ndarray:
    """Clouds' prices for hosting open weights, shape (clouds, products).

    A lone host prices like a logit monopolist (cost plus ``monopoly_markup``). Where two
    or more clouds host the same weights, each moves below the cheapest rival's last
    price by a share ``undercut`` of its own margin, but never below its own cost, so
    with equal costs prices fall geometrically to serving cost (Bertrand). Entries where
    a cloud does not host are NaN.
    """
    n_hosts = hosts.sum(axis=0)
    prev = np.where(hosts & np.isfinite(previous), previous, cost + monopoly_markup[None, :])
    masked = np.where(hosts, prev, np.inf)
    # Cheapest rival price for each (cloud, product): the minimum over the others.
    order = np.sort(masked, axis=0)
    lowest, second = order[0], order[1] if masked.shape[0] > 1 else np.full_like(order[0], np.inf)
    rival = np.where(masked == lowest[None, :], second[None, :], lowest[None, :])
    beatable = np.isfinite(rival) & (rival > cost)
    margin = np.where(beatable, rival - cost, 0.0)
    competitive = np.where(beatable, np.minimum(prev, rival - undercut[:, None] * margin), cost)
    monopoly = cost + monopoly_markup[None, :]
    out = np.where(n_hosts[None, :] >= 2, competitive, monopoly)
    return np.where(hosts, out, np.nan)


def newcomer_gross_profit(
    quality_weight: np.ndarray,
    slope: np.ndarray,
    weights: np.ndarray,
    others: np.ndarray,
    capability: np.ndarray,
    cost: float,
    iterations: int = 8,
) -> np.ndarray:
    """Monthly gross profit ($M) of a closed model of each ``capability`` if it were the
    only addition to today's market: its logit share of each segment's demand
    (``weights``) at its own best-response price, against the rest of the market, whose
    logit log-sum per segment is ``others`` (shape (segments, 1)); ``slope`` is each
    segment's price coefficient, ``cost`` the newcomer's unit cost. The markup is the
    newcomer's own best-response fixed point (a few iterations: its share is small)."""
    markup = np.full(len(capability), weights.sum() / max((weights * slope).sum(), 1e-300))
    shares = np.zeros((len(weights), len(capability)))
    for _ in range(iterations):
        own = np.outer(quality_weight, capability) - slope[:, None] * (cost + markup)
        shares = 1.0 / (1.0 + np.exp(np.minimum(others - own, 700.0)))
        markup = logit_markup(shares, weights, slope)
    return (weights[:, None] * shares).sum(axis=0) * markup
