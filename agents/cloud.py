"""Cloud providers: they sell training compute, serve partners' closed models and host
open weights at their own price."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from aimarket.agents.base import MarketAgent
from aimarket.agents.venture import OWNERS
from aimarket.simulation.mechanics import pricing

if TYPE_CHECKING:
    from aimarket.agents.vendor import Vendor
    from aimarket.simulation.model import MarketModel
    from aimarket.simulation.parameters import CloudParams


class Cloud(MarketAgent):
    """A cloud provider.

    Its serving cost for a model is the market's serving-cost index times the model's
    efficiency times ``cost_multiplier`` (times ``open_cost_multiplier`` for open weights:
    below 1 for specialized inference hardware). Closed-model partners pay it cost plus
    ``partner_markup`` for serving and cost plus ``training_markup`` for training compute.
    For open weights it competes on price with the other hosts (see
    :func:`aimarket.simulation.mechanics.pricing.hosting_prices`).

    It books its own sales (:meth:`serve`, :meth:`sell_training`, :meth:`host`) and pays
    its suppliers (:meth:`pay_suppliers`) in the model's ledger; its parent backs
    partners with compute credits (:meth:`receive_credits`, :meth:`back`).
    """

    def __init__(self, model: MarketModel, name: str, params: CloudParams, index: int):
        super().__init__(model)
        self.name = name
        self.params = params
        self.index = index
        self.account = f"cloud:{name}"
        self.revenue = 0.0  # this month, $M
        self.costs = 0.0  # this month, $M: serving and training compute bought
        self.strategic_credits = 0.0  # compute credits its parent may still invest, $M

    @property
    def profit(self) -> float:
        """This month's profit, $M."""
        return self.revenue - self.costs

    @property
    def active(self) -> bool:
        return self.model.steps >= self.params.entry_step

    @property
    def hosts_open(self) -> bool:
        return self.active and self.params.hosts_open_weights

    @property
    def cash(self) -> float:
        return self.model.ledger.balance(self.account)

    def unit_cost(self, efficiency, is_open):
        """Serving cost, $/Mtok, of models with the given efficiency (scalar or array)."""
        p = self.params
        mult = p.cost_multiplier * (p.open_cost_multiplier if is_open else 1.0)
        return self.model.state.serving_cost * efficiency * mult

    def partner_price(self, efficiency: float) -> float:
        """What a closed partner pays it per Mtok served, $/Mtok: cost plus
        ``partner_markup``."""
        return self.unit_cost(efficiency, False) * (1 + self.params.partner_markup)

    # -- money flows (settlement, phase 6) -----------------------------------------------
    def reset_flows(self) -> None:
        """Zero this month's revenue and costs."""
        self.revenue = 0.0
        self.costs = 0.0

    def pay_suppliers(self, amount: float) -> None:
        """Pay its suppliers (hardware, energy) ``amount`` ($M) for compute it sold."""
        self.model.ledger.pay(self.account, "suppliers", amount, "cloud_costs")
        self.costs += amount

    def serve(self, vendor: Vendor, tokens: float) -> float:
        """Serve ``tokens`` (Ttok) of a partner's closed model: the vendor pays the partner
        price (serving fees), the cloud pays its suppliers the raw cost. Returns the fees
        ($M)."""
        efficiency = vendor.params.efficiency
        fees = self.partner_price(efficiency) * tokens
        self.model.ledger.pay(vendor.account, self.account, fees, "serving_fees")
        self.revenue += fees
        self.pay_suppliers(self.unit_cost(efficiency, False) * tokens)
        return fees

    def sell_training(self, vendor: Vendor, amount: float) -> None:
        """Sell ``amount`` ($M) of training compute to a partner, bought from suppliers at
        cost (the price less ``training_markup``)."""
        self.model.ledger.pay(vendor.account, self.account, amount, "training_compute")
        self.revenue += amount
        self.pay_suppliers(amount / (1 + self.params.training_markup))

    def host(self, j: int, tokens: float) -> None:
        """Developers buy ``tokens`` (Ttok) of open model ``j`` from it at its hosting price
        (plus the tax on open-weight tokens, paid to the government); it pays its
        suppliers its hosting cost."""
        model = self.model
        price = model.hosting[self.index, j]
        model.ledger.pay("developers", self.account, price * tokens, "hosting_sales")
        tax = model.state.open_tax * price * tokens
        model.ledger.pay("developers", "government", tax, "open_tax")
        self.revenue += price * tokens
        self.pay_suppliers(model.host_cost[self.index, j] * tokens)

    # -- strategic investment (funding, phase 2) -------------------------------------------
    def receive_credits(self) -> None:
        """Credits not invested lapse back to its parent at ``1 / credit_life`` a month;
        its parent adds this month's compute credits for strategic investments (from its
        entry month on). The balance stays below ``strategic_budget x credit_life``."""
        self.strategic_credits -= self.strategic_credits / self.params.credit_life
        if self.active:
            self.strategic_credits += self.params.strategic_budget

    def back(self, vendor: Vendor, amount: float, value: float) -> None:
        """Its parent (the external account ``owners``) invests ``amount`` ($M) of its
        credits in ``vendor`` at pre-money ``value``."""
        self.strategic_credits -= amount
        self.model.ledger.pay(OWNERS, vendor.account, amount, "strategic_funding")
        vendor.take_investment(OWNERS, amount, value)


def set_hosting_prices(
    clouds: Sequence[Cloud],
    previous: np.ndarray,
    host_cost: np.ndarray,
    hosts: np.ndarray,
    lone_host_markup: np.ndarray,
) -> np.ndarray:
    """The clouds' hosting prices of open weights this month, (clouds, products): where two
    or more host the same weights each undercuts the cheapest rival by a share of its own
    margin (``undercut``); a lone host prices like a logit monopolist (cost plus
    ``lone_host_markup``). See :func:`aimarket.simulation.mechanics.pricing.hosting_prices`."""
    undercut = np.array([c.params.undercut for c in clouds])
    return pricing.hosting_prices(previous, host_cost, hosts, undercut, lone_host_markup)


def _logsumexp(u: np.ndarray, axis: int) -> np.ndarray:
    """log sum exp of ``u`` along ``axis`` (-inf where every entry is -inf)."""
    top = u.max(axis=axis, keepdims=True)
    shift = np.where(np.isfinite(top), top, 0.0)
    with np.errstate(divide="ignore"):
        return np.log(np.exp(u - shift).sum(axis=axis)) + np.squeeze(shift, axis=axis)


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
    markup = np.where(hosts, scale, 0.0)
    if start is not None:
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
    return _host_newton(cost, hosts, scale, tol, iterations)


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
        everyone = _logsumexp(u, axis=1)[:, None]
        everyone = np.where(np.isfinite(everyone), everyone, 0.0)  # products it leaves out
        rivals = _logsumexp(np.where(off, u[:, None, :], -np.inf), axis=2)
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
