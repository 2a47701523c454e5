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
    with np.errstate(divide="ignore", invalid="ignore"):
        m = np.where(slope_d > 0, demand / slope_d, fallback)
    return m


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
