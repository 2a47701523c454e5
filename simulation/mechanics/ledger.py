"""Double-entry money accounts: every payment has a payer and a payee.

Agents' cash lives here. External accounts stand for the world outside the market:
``developers`` (who pay for tokens), ``advertisers`` (who pay the platform's complement
business), ``suppliers`` (hardware, energy and staff), ``limited_partners`` (who fund
the VCs), ``government`` (taxes under regulation) and ``owners`` (who capitalize
vendors arriving by a shock, such as an efficient entrant backed by its parent).
Because every transfer debits one account and credits another, the sum of all balances
never changes: that is the money-conservation invariant the tests check.
"""

from __future__ import annotations

from collections import defaultdict

EXTERNAL = (
    "developers",
    "advertisers",
    "suppliers",
    "limited_partners",
    "government",
    "owners",
)


class Ledger:
    """Balances by account name ($M) and this month's flows by (payer, payee, kind)."""

    def __init__(self) -> None:
        self.balances: dict[str, float] = dict.fromkeys(EXTERNAL, 0.0)
        self.flows: defaultdict[str, float] = defaultdict(float)
        self.initial_total = 0.0

    def open(self, account: str, balance: float) -> None:
        """Open an account with money brought in from outside the market at step 0
        (or at entry, paid by whoever funds it through :meth:`pay`)."""
        if account in self.balances:
            raise ValueError(f"account {account!r} already exists")
        self.balances[account] = 0.0
        if balance:
            self.balances[account] = balance
            self.initial_total += balance

    def pay(self, payer: str, payee: str, amount: float, kind: str) -> None:
        """Move ``amount`` ($M, >= 0) from ``payer`` to ``payee``; record it under ``kind``."""
        if amount <= 0:  # one test on the common path (a NaN is booked, as before)
            if amount < 0:
                raise ValueError(f"negative payment {amount} ({kind}, {payer} -> {payee})")
            return
        balances = self.balances
        balances[payer] -= amount
        balances[payee] += amount
        self.flows[kind] += amount

    def balance(self, account: str) -> float:
        return self.balances[account]

    def total(self) -> float:
        """Sum of every balance; equals ``initial_total`` up to rounding."""
        return sum(self.balances.values())

    def new_month(self) -> None:
        self.flows.clear()
