"""Hosts of the same open weights as differentiated Bertrand competitors: the logit Nash
equilibrium of their hosting prices, solved to a stated tolerance (ODD section 6.5).

Pure functions of arrays shaped (clouds, products); the clouds' side of pricing
(:mod:`aimarket.simulation.prices`) calls :func:`host_markup_prices`.
"""

from __future__ import annotations

import numpy as np

from aimarket.simulation.mechanics import kernels


def logsumexp(a: np.ndarray, axis: int) -> np.ndarray:
    """ln sum exp(a) along ``axis``, with the arithmetic of ``scipy.special.logsumexp``
    (scipy 1.17: the largest term taken out of the sum, ln(count of largest) +
    ln1p(rest / count) + largest, and the direct ln sum exp where that is not finite), so
    the same bits, without its array-API dispatch, which costs more than the sum on the
    small arrays of hosting (a test compares the two)."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        top = np.max(a, axis=axis, keepdims=True)
        largest = a == top
        count = np.sum(largest, axis=axis, keepdims=True, dtype=a.dtype)
        rest = np.sum(np.exp(np.where(largest, -np.inf, a) - top), axis=axis, keepdims=True)
        rest = np.where(rest == 0, rest, rest / count)
        out = np.log1p(rest) + np.log(count) + top
        finite = np.isfinite(out)
        if not finite.all():  # rows of -inf or +inf terms: the direct form, as scipy
            direct = np.log(np.sum(np.exp(a), axis=axis, keepdims=True))
            out = np.where(finite, out, direct)
    return np.squeeze(out, axis=axis)


def _lambertw_exp(a: np.ndarray) -> np.ndarray:
    """W(e^a): the w > 0 with w + ln w = a (Lambert's W of e^a, without forming e^a),
    by Newton's method (machine precision); e^a itself where a < -30 (W(x) = x to
    double precision there)."""
    a = np.asarray(a, dtype=float)
    small = a < -30.0
    b = np.where(small, 0.0, a)
    w = np.where(b > 1.0, b - np.log(np.maximum(b, 1.0)), np.exp(np.minimum(b, 1.0)))
    for _ in range(50):
        step = (w + np.log(w) - b) / (1.0 + 1.0 / w)
        w = np.maximum(w - step, w * 1e-3)
        if np.all(np.abs(step) <= 1e-15 * np.maximum(w, 1.0)):
            break
    return np.where(small, np.exp(np.clip(a, -745.0, -30.0)), w)


def host_markup_prices(
    cost: np.ndarray,
    hosts: np.ndarray,
    scale: float,
    tol: float = 1e-12,
    iterations: int = 100,
    start: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, bool]:
    """Hosting prices and shares, (clouds, products), where two or more clouds host the
    same open weights and developers split among them by a logit in price (``scale``:
    the price change, $/Mtok, that moves utility by one), and whether the solve converged.

    Each host's price is its best response, cost + m with markup m = scale / (1 - its
    share): a Nash equilibrium of differentiated hosts. The usual case is solved by
    iterating the markups, m <- scale + share(m) m (the same fixed point; its own-markup
    derivative is zero there, so it settles fast; Morrow & Skerlos 2011), until every
    |m (1 - share) / scale - 1| <= ``tol``, at most 40 rounds; what that leaves unsolved
    (a host with nearly all the traffic, whose 1 - share a double cannot resolve) goes to
    :func:`_host_newton`. ``start``: markups to start from (last month's, say; scale where
    not positive and finite). Where a cloud does not host, price and share are NaN and 0."""
    cost = np.ascontiguousarray(cost, dtype=np.float64)
    hosts = np.ascontiguousarray(hosts, dtype=np.bool_)
    start = np.full(cost.shape, np.nan) if start is None else start
    start = np.ascontiguousarray(start, dtype=np.float64)
    price, share, converged = _ROUNDS(cost, hosts, float(scale), float(tol), start)
    if converged:
        return price, share, True
    return _host_newton(cost, hosts, scale, tol, iterations)


def _rounds_numpy(cost, hosts, scale, tol, start):
    """Up to 40 rounds of m <- scale + share(m) m over every product at once (numpy):
    prices, shares and whether every host's condition holds to ``tol``."""
    markup = np.where(hosts, scale, 0.0)
    good = hosts & np.isfinite(start) & (start > 0)
    markup = np.where(good, start, markup)
    share = np.zeros_like(cost)
    for _ in range(40):
        u = np.where(hosts, -(cost + markup) / scale, -np.inf)
        top = u.max(axis=0, keepdims=True)
        e = np.exp(u - np.where(np.isfinite(top), top, 0.0))  # 0 where it does not host
        share = e / np.maximum(e.sum(axis=0, keepdims=True), 1e-300)
        gap = np.where(hosts, markup * (1.0 - share) / scale - 1.0, 0.0)
        if float(np.max(np.abs(gap), initial=0.0)) <= tol:
            return np.where(hosts, cost + markup, np.nan), share, True
        markup = np.where(hosts, scale + share * markup, 0.0)
    return np.where(hosts, cost + markup, np.nan), share, False


def _rounds_loop(cost, hosts, scale, tol, start):
    """:func:`_rounds_numpy` as loops (numba), the same rounds for every product."""
    n_cloud, n_prod = cost.shape
    markup = np.zeros((n_cloud, n_prod))
    share = np.zeros((n_cloud, n_prod))
    e = np.zeros(n_cloud)
    for i in range(n_cloud):
        for j in range(n_prod):
            good = hosts[i, j] and np.isfinite(start[i, j]) and start[i, j] > 0
            markup[i, j] = start[i, j] if good else (scale if hosts[i, j] else 0.0)
    converged = False
    for _ in range(40):
        worst = 0.0
        for j in range(n_prod):
            top = -np.inf
            for i in range(n_cloud):
                u = -(cost[i, j] + markup[i, j]) / scale if hosts[i, j] else -np.inf
                e[i] = u
                top = u if u > top else top
            top = top if np.isfinite(top) else 0.0
            total = 0.0
            for i in range(n_cloud):
                e[i] = np.exp(e[i] - top)
                total += e[i]
            for i in range(n_cloud):
                share[i, j] = e[i] / max(total, 1e-300)
                if hosts[i, j]:
                    gap = abs(markup[i, j] * (1.0 - share[i, j]) / scale - 1.0)
                    worst = max(worst, gap if gap == gap else np.inf)
        converged = worst <= tol
        if converged:
            break
        for i in range(n_cloud):
            for j in range(n_prod):
                markup[i, j] = scale + share[i, j] * markup[i, j] if hosts[i, j] else 0.0
    price = np.full((n_cloud, n_prod), np.nan)
    for i in range(n_cloud):
        for j in range(n_prod):
            if hosts[i, j]:
                price[i, j] = cost[i, j] + markup[i, j]
    return price, share, converged


_ROUNDS = kernels.Kernel(_rounds_loop, _rounds_numpy)


def host_payments(
    cost: np.ndarray,
    hosts: np.ndarray,
    lone_markup: np.ndarray,
    price: np.ndarray,
    share: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The month's hosting of open weights by differentiated hosts, (clouds, products):
    where two or more clouds host, ``price`` and ``share`` from
    :func:`host_markup_prices`; a lone host prices at cost + ``lone_markup`` and takes
    all the traffic. Returns the prices (NaN where a cloud does not host), the traffic
    shares, and per product what developers pay per Mtok and what serving it costs
    (traffic-weighted; where nobody hosts, inf and the first cloud's cost)."""
    return _PAYMENTS(
        np.ascontiguousarray(cost, dtype=np.float64),
        np.ascontiguousarray(hosts, dtype=np.bool_),
        np.ascontiguousarray(lone_markup, dtype=np.float64),
        np.ascontiguousarray(price, dtype=np.float64),
        np.ascontiguousarray(share, dtype=np.float64),
    )


def cheapest_host(
    cost: np.ndarray, hosts: np.ndarray, table: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per product, the cheapest host's price in ``table`` (inf where nobody hosts) and
    its cost, and traffic shares (clouds, products) all on it (the first cloud where
    nobody hosts)."""
    offered = np.where(hosts, table, np.inf)
    k = np.argmin(offered, axis=0)
    cols = np.arange(cost.shape[1])
    shares = np.zeros_like(cost)
    shares[k, cols] = 1.0
    return offered[k, cols], cost[k, cols], shares


def _payments_numpy(cost, hosts, lone_markup, price, share):
    """:func:`host_payments` on arrays (numpy)."""
    several = hosts.sum(axis=0) >= 2
    on = hosts & several[None, :]
    paid, paid_cost, shares = cheapest_host(
        cost, hosts, np.where(hosts, cost + lone_markup, np.nan)
    )
    table = np.where(several[None, :], price, np.where(hosts, cost + lone_markup, np.nan))
    shares = np.where(several[None, :], share, shares)
    paid = np.where(several, (share * np.where(on, price, 0.0)).sum(axis=0), paid)
    paid_cost = np.where(several, (share * cost).sum(axis=0), paid_cost)
    return table, shares, paid, paid_cost


def _payments_loop(cost, hosts, lone_markup, price, share):
    """:func:`_payments_numpy` as loops (numba), one product at a time."""
    n_cloud, n_prod = cost.shape
    table = np.full((n_cloud, n_prod), np.nan)
    shares = np.zeros((n_cloud, n_prod))
    paid = np.empty(n_prod)
    paid_cost = np.empty(n_prod)
    for j in range(n_prod):
        count = 0
        for i in range(n_cloud):
            count += 1 if hosts[i, j] else 0
        if count >= 2:
            total = total_cost = 0.0
            for i in range(n_cloud):
                table[i, j] = price[i, j]
                shares[i, j] = share[i, j]
                total += share[i, j] * (price[i, j] if hosts[i, j] else 0.0)
                total_cost += share[i, j] * cost[i, j]
            paid[j], paid_cost[j] = total, total_cost
            continue
        k, lowest = 0, np.inf
        for i in range(n_cloud):
            if hosts[i, j]:
                table[i, j] = cost[i, j] + lone_markup[j]
                if table[i, j] < lowest:
                    k, lowest = i, table[i, j]
        shares[k, j] = 1.0
        paid[j], paid_cost[j] = lowest, cost[k, j]
    return table, shares, paid, paid_cost


_PAYMENTS = kernels.Kernel(_payments_loop, _payments_numpy)


def _host_newton(
    cost: np.ndarray, hosts: np.ndarray, scale: float, tol: float, iterations: int
) -> tuple[np.ndarray, np.ndarray, bool]:
    """:func:`host_markup_prices` by Newton's method, robust where a host takes nearly all
    the traffic. The first-order conditions are solved in logs,
    G = ln m + ln(1 - share) - ln scale = 0 (ln(1 - share) from the log-sum of the
    rivals' utilities, so it keeps its precision), on ln m, one small system per product,
    each step at most a factor e^2 on any markup and halved until it lowers the largest
    |G|, from two rounds of exact best responses (m = scale (1 + W(e^{-c/scale - 1} / R)),
    R the rivals' logit sum, from m = scale), until every |G| <= ``tol`` or the precision
    a double allows when utilities are large (1e-14 x the largest |utility|); at most
    ``iterations`` steps."""
    c, on = cost.T, hosts.T  # (products, clouds)
    n = c.shape[1]
    eye = np.eye(n, dtype=bool)
    off = on[:, None, :] & ~eye  # (products, host i, rival k)
    z = np.full(c.shape, np.log(scale))  # ln markup

    def solve(z):
        u = np.where(on, -(c + np.exp(z)) / scale, -np.inf)
        everyone = logsumexp(u, axis=1)[:, None]
        everyone = np.where(np.isfinite(everyone), everyone, 0.0)  # products it leaves out
        rivals = logsumexp(np.where(off, u[:, None, :], -np.inf), axis=2)
        share = np.where(on, np.exp(u - everyone), 0.0)
        g = np.where(on, z + rivals - everyone - np.log(scale), 0.0)
        return u, rivals, share, g

    for _ in range(2):  # two rounds of exact best responses: a start near the solution
        u, rivals, share, g = solve(z)
        arg = np.where(on, -c / scale - 1.0 - rivals, 0.0)
        z = np.where(on, np.log(scale * (1.0 + _lambertw_exp(arg))), z)
    u, rivals, share, g = solve(z)
    worst = float(np.max(np.abs(g), initial=0.0))
    # G sums log-sums of utilities of size |u|: a double resolves it to about |u| x 1e-14
    limit = max(tol, 1e-14 * float(np.max(np.abs(np.where(on, u, 0.0)), initial=0.0)))
    for _ in range(iterations):
        if worst <= limit:
            break
        m = np.exp(z)
        with np.errstate(invalid="ignore"):  # -inf - -inf where a cloud does not host
            gap = np.where(off, u[:, None, :] - rivals[:, :, None], -np.inf)
        w = np.exp(gap)  # the share of k among i's rivals
        jac = m[:, None, :] * (share[:, None, :] - w) / scale
        diag = np.where(on, 1.0 + m * share / scale, 1.0)
        jac = np.where(eye, diag[:, :, None], np.where(off & on[:, :, None], jac, 0.0))
        step = np.linalg.solve(jac, g[:, :, None])[:, :, 0]
        # at most a factor e^2 on any markup per step, then halved until |G| falls
        t = min(1.0, 2.0 / max(float(np.max(np.abs(step), initial=0.0)), 1e-300))
        while True:
            trial = solve(np.where(on, z - t * step, z))
            trial_worst = float(np.max(np.abs(trial[3]), initial=0.0))
            if trial_worst < worst or t < 1e-8:
                break
            t /= 2.0
        z = np.where(on, z - t * step, z)
        u, rivals, share, g = trial
        worst = trial_worst
    converged = worst <= limit
    price = np.where(on, c + np.exp(z), np.nan)
    return price.T, share.T, converged
