"""Price setting: closed vendors' logit best response, clouds' Bertrand hosting prices."""

from __future__ import annotations

import numpy as np

from aimarket.simulation.mechanics import choice, kernels

#: Highest price a best response may reach ($/Mtok): only a seller facing no outside
#: option and no rival, whose demand never falls fast enough, gets there.
PRICE_CEILING = 1e6


def _shares(base, x, coef, rest, finite):
    """Each product's share s (segments, products) at own prices ``x``, and 1 - s
    (as the rest's share: exact where s is near 1)."""
    own = np.exp(np.minimum(base - coef[:, None] * x[None, :], 700.0))
    # alone in the segment (no rival, no outside option): the whole segment, if usable
    den = np.where(rest > 0, own + rest, 1.0)
    return np.where(rest > 0, own / den, finite * 1.0), np.where(rest > 0, rest / den, 1.0 - finite)


def _foc(x, cost, weights, s, q, a, elasticity):
    """The first-order condition of product j's profit (x - c) sum_s W_s v(x) s_s(x),
    divided by the volume factor v(x) = (x / p_r)^eps (the same for every segment):
    F(x) = sum_s W_s s_s [1 + m eps / x - m a_s (1 - s_s)], m = x - c, and F'(x);
    ``q`` is 1 - s."""
    w = weights[:, None]
    m = x - cost
    inv = 1.0 / np.maximum(x, 1e-300)
    g = 1.0 + m * elasticity * inv - m * a * q
    ds = -a * s * q
    dg = elasticity * cost * inv * inv - a * q - m * a * a * s * q
    f = (w * s * g).sum(axis=0)
    df = (w * (ds * g + s * dg)).sum(axis=0)
    demand = (w * s).sum(axis=0)
    return f, df, demand


def best_response(
    v: np.ndarray,
    price: np.ndarray,
    v0: np.ndarray,
    coef: np.ndarray,
    weights: np.ndarray,
    cost: np.ndarray,
    elasticity: float = 0.0,
    iterations: int = 100,
    tol: float = 1e-12,
) -> tuple[np.ndarray, int]:
    """Each product's profit-maximizing price against its rivals' current prices, and
    how many products did not converge.

    ``v`` (segments, products) are mean utilities at the current ``price``; ``coef`` is
    each segment's utility per $/Mtok, ``weights`` its token demand at the reference
    price, ``elasticity`` the price elasticity of a developer's tokens. Holding rivals
    fixed, product j's share in segment s at price x is
    e^{b_sj - a_s x} / (e^{b_sj - a_s x} + R_sj), R_sj the rest of the logit denominator,
    and the tokens its users buy scale as x^eps.
    The first-order condition (:func:`_foc`) is solved by Newton's method safeguarded by
    a bracket [lo, hi] with F(lo) > 0 > F(hi) (bisection when a step leaves it; the
    markup doubles while there is no hi), to a relative residual |F| <= ``tol`` x demand.
    A price at which nobody buys (demand below 1e-280 of what the product would sell
    with every user) is too high: F = 0 there says nothing. With eps = 0 and one segment
    it is the textbook p - c = 1 / (a (1 - s)). Groups that cannot use a product (-inf
    utility) are left out of its demand; a product no group can use, or only groups
    without demand, keeps its price (at least its cost, if some group can use it). The
    solve runs as a numba kernel, or in numpy (:mod:`~aimarket.simulation.mechanics.kernels`).
    """
    v, price, v0, coef = (_floats(a) for a in (v, price, v0, coef))
    base, rest = _PREPARE(v, price, v0, coef)
    return solve_prices(base, rest, price, coef, weights, cost, elasticity, iterations, tol)


def _prepare_numpy(v, price, v0, coef):
    """The price-free utility ``base`` of each (segment, product), scaled by the
    segment's largest term (-inf where the group cannot use the product), and the rest
    ``rest`` of the logit denominator each product faces, in the same scale."""
    finite = np.isfinite(v)
    full = np.concatenate([v0[:, None], np.where(finite, v, -np.inf)], axis=1)
    top = np.max(full, axis=1, keepdims=True)
    top = np.where(np.isfinite(top), top, 0.0)
    expo = np.exp(full - top)
    # the denominator without j: what comes before it plus what comes after it (no
    # cancellation where j has nearly all the segment)
    before = np.cumsum(expo, axis=1)[:, :-1]
    after = np.cumsum(expo[:, :0:-1], axis=1)[:, ::-1]  # from j on
    rest = before + np.concatenate([after[:, 1:], np.zeros((len(v0), 1))], axis=1)
    base = np.where(finite, v + coef[:, None] * price[None, :] - top, -np.inf)  # price-free
    return base, rest


def _prepare_loop(v, price, v0, coef):
    """:func:`_prepare_numpy` as loops (numba)."""
    n_seg, n_prod = v.shape
    base = np.empty((n_seg, n_prod))
    rest = np.empty((n_seg, n_prod))
    e = np.empty(n_prod)
    for s in range(n_seg):
        top = v0[s]
        for j in range(n_prod):
            if np.isfinite(v[s, j]) and not v[s, j] <= top:
                top = v[s, j]
        if not np.isfinite(top):
            top = 0.0
        for j in range(n_prod):
            if np.isfinite(v[s, j]):
                e[j] = np.exp(v[s, j] - top)
                base[s, j] = v[s, j] + coef[s] * price[j] - top
            else:
                e[j] = 0.0
                base[s, j] = -np.inf
        after = 0.0  # the denominator after j, then before j (as numpy's cumsum adds)
        for j in range(n_prod - 1, -1, -1):
            rest[s, j] = after
            after += e[j]
        before = np.exp(v0[s] - top)
        for j in range(n_prod):
            rest[s, j] = before + rest[s, j]
            before += e[j]
    return base, rest


_PREPARE = kernels.Kernel(_prepare_loop, _prepare_numpy)


def _floats(a) -> np.ndarray:
    """``a`` as a C-contiguous float64 array (one compiled signature per kernel)."""
    return np.ascontiguousarray(a, dtype=np.float64)


def solve_prices(
    base: np.ndarray,
    rest: np.ndarray,
    price: np.ndarray,
    coef: np.ndarray,
    weights: np.ndarray,
    cost: np.ndarray,
    elasticity: float = 0.0,
    iterations: int = 100,
    tol: float = 1e-12,
) -> tuple[np.ndarray, int]:
    """The best responses of :func:`best_response` given, per segment and product, the
    price-free utility ``base`` (-inf where a group cannot use the product) and the rest
    ``rest`` of the logit denominator it faces (in the same scale), starting from
    ``price``; returns the prices and how many did not converge."""
    base, rest, price, coef, weights, cost = (
        _floats(a) for a in (base, rest, price, coef, weights, cost)
    )
    return _SOLVE(
        base, rest, price, coef, weights, cost, float(elasticity), int(iterations), float(tol)
    )


def _solve_numpy(base, rest, price, coef, weights, cost, elasticity, iterations, tol):
    """:func:`solve_prices` on arrays, every product at once (numpy)."""
    finite = np.isfinite(base)
    avail = finite.any(axis=0)
    lo = cost.astype(float).copy()
    hi = np.full_like(lo, np.inf)
    x = np.where(avail, np.maximum(price, cost), price)
    x = np.where(avail & (x <= cost), cost + np.maximum(1e-9 * np.abs(cost), 1e-12), x)
    potential = (weights[:, None] * finite).sum(axis=0)  # its demand if it had every user
    todo = avail & (potential > 0)
    for _ in range(iterations):
        s, q = _shares(base, x, coef, rest, finite)
        f, df, demand = _foc(x, cost, weights, s, q, coef[:, None], elasticity)
        empty = demand <= 1e-280 * potential  # nobody buys: the price is too high
        done = (np.abs(f) <= tol * np.maximum(demand, 1e-300)) & ~empty
        todo &= ~done
        if not todo.any():
            break
        lo = np.where(todo & (f > 0) & ~empty, x, lo)
        hi = np.where(todo & ((f < 0) | empty), x, hi)
        with np.errstate(divide="ignore", invalid="ignore"):
            step = x - f / df
        inside = np.isfinite(step) & (step > lo) & (step < hi)
        grow = np.minimum(cost + 2.0 * (x - cost) + 1e-9, PRICE_CEILING)  # markup x 2
        fallback = np.where(np.isfinite(hi), 0.5 * (lo + hi), grow)
        new = np.where(inside, step, fallback)
        stuck = (np.isfinite(hi) & (hi - lo <= 1e-15 * hi)) | (new >= PRICE_CEILING)
        todo &= ~stuck
        x = np.where(todo, new, np.where(stuck, np.minimum(new, PRICE_CEILING), x))
    return x, int(todo.sum())


def _solve_loop(base, rest, price, coef, weights, cost, elasticity, iterations, tol):
    """:func:`_solve_numpy` as loops (numba): each product's safeguarded Newton on its
    own, its first-order condition (:func:`_foc`) summed over segments in order."""
    n_seg, n_prod = base.shape
    x = price.copy()
    unsolved = 0
    for j in range(n_prod):
        usable, potential = False, 0.0
        for s in range(n_seg):
            usable = usable or np.isfinite(base[s, j])
            potential += weights[s] if np.isfinite(base[s, j]) else 0.0
        c = cost[j]
        xj = max(price[j], c) if usable else price[j]
        if usable and xj <= c:
            xj = c + max(1e-9 * abs(c), 1e-12)
        lo, hi, todo = c, np.inf, potential > 0
        for _ in range(iterations if todo else 0):
            f = df = demand = 0.0
            m = xj - c
            inv = 1.0 / max(xj, 1e-300)
            for s in range(n_seg):
                if not np.isfinite(base[s, j]):
                    continue  # the group cannot use it: no share, nothing to add
                a, w, z = coef[s], weights[s], base[s, j] - coef[s] * xj
                own = np.exp(z if not z > 700.0 else 700.0)
                sh, q = 1.0, 0.0  # alone in the segment
                if rest[s, j] > 0:
                    sh, q = own / (own + rest[s, j]), rest[s, j] / (own + rest[s, j])
                g = 1.0 + m * elasticity * inv - m * a * q
                ds = -a * sh * q
                dg = elasticity * c * inv * inv - a * q - m * a * a * sh * q
                f += w * sh * g
                df += w * (ds * g + sh * dg)
                demand += w * sh
            empty = demand <= 1e-280 * potential
            if abs(f) <= tol * max(demand, 1e-300) and not empty:
                todo = False
                break
            if f > 0 and not empty:
                lo = xj
            elif f < 0 or empty:
                hi = xj
            step = xj - f / df if df != 0.0 else np.nan
            if np.isfinite(step) and lo < step < hi:
                new = step
            elif np.isfinite(hi):
                new = 0.5 * (lo + hi)
            else:
                new = min(c + 2.0 * (xj - c) + 1e-9, PRICE_CEILING)
            if (np.isfinite(hi) and hi - lo <= 1e-15 * hi) or new >= PRICE_CEILING:
                xj = min(new, PRICE_CEILING)
                todo = False
                break
            xj = new
        x[j] = xj
        unsolved += 1 if todo else 0
    return x, unsolved


_SOLVE = kernels.Kernel(_solve_loop, _solve_numpy)


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
    coef: np.ndarray,
    weights: np.ndarray,
    others: np.ndarray,
    capability: np.ndarray,
    cost: float,
    elasticity: float = 0.0,
    reference: float = 1.0,
    reachable: np.ndarray | None = None,
) -> np.ndarray:
    """Monthly gross profit ($M) of a closed model of each ``capability`` if it were the
    only addition to today's market: its logit share of each segment's demand
    (``weights``, at the reference price) at its own best-response price, against the
    rest of the market, whose logit log-sum per segment is ``others`` (shape
    (segments, 1), or (segments, newcomers) when the rest differs by newcomer);
    ``coef`` is each segment's utility per $/Mtok, ``cost`` the newcomer's unit cost,
    ``elasticity`` and ``reference`` the token demand curve; ``reachable`` (segments,
    newcomers; all when None) says which segments could use it at all (a segment whose
    work needs a model near the frontier cannot use one far behind: it buys none of
    it). The price is the newcomer's best response (:func:`solve_prices`, the rest of
    the market its only rival; newcomers are valued one at a time, each alone with the
    market)."""
    n = len(capability)
    # each newcomer alone against the market: the rest of its denominator is e^others
    top = np.maximum(others, 0.0)
    base = np.outer(quality_weight, capability) - top
    rest = np.broadcast_to(np.exp(others - top), base.shape)
    if reachable is not None:
        base = np.where(reachable, base, -np.inf)
    x, _ = solve_prices(base, rest, np.full(n, cost), coef, weights, np.full(n, cost), elasticity)
    own = np.outer(quality_weight, capability) - coef[:, None] * x[None, :]
    shares = 1.0 / (1.0 + np.exp(np.minimum(others - own, 700.0)))
    if reachable is not None:
        shares = np.where(reachable, shares, 0.0)
    volume = choice.volume(x, elasticity, reference)
    return (weights[:, None] * shares).sum(axis=0) * volume * (x - cost)
