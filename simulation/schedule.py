"""The month's schedule: the phases ``MarketModel.step`` runs, in order.

``MarketModel.step`` iterates :data:`PHASES`, calling each phase's method on the model;
``docs/ODD.md`` section 2.4 lists them from this tuple (``python -m
aimarket.simulation.paramdoc``), so the order in the docs is the order in the code.
Phases are numbered from 0: ``open_books`` comes before the seven phases of the month.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Phase:
    """One phase of the month: its name, the model method that runs it, what it does
    and the ODD sections that describe it."""

    name: str
    method: str
    doc: str
    sections: tuple[str, ...] = ()


PHASES: tuple[Phase, ...] = (
    Phase("open_books", "open_books",
          "this month's flows are zeroed (ledger flow records, vendors' and clouds' monthly "
          "revenue and profit; balances carry over); vendors that exited last month leave "
          "the schedule.", ("6.8",)),
    Phase("progress", "progress",
          "the compute cost index falls, token demand grows, and this month's shocks fire, "
          "in the order the scenario lists them.", ("6.1", "6.11")),
    Phase("funding", "funding",
          "clouds' parents receive this month's strategic credits and back their "
          "frontier-class partners short of cash; VCs receive money from limited partners "
          "and return idle capital, fill the rest of those vendors' rounds (syndicated), "
          "then fund startup pitches; funded startups become vendors.", ("6.2",)),
    Phase("innovation", "innovation",
          "the community improves open weights in use (saturating gains); every vendor "
          "plans its R&D spend (in list order); vendors update talent and capability in "
          "random order (training adds to its stock of effective compute, imitation of the "
          "best open weights to what it absorbed; capability in the log of their sum); "
          "every vendor takes its release decision and refreshes its "
          "products' capabilities, its open weights including the community's gains.",
          ("6.3", "6.4")),
    Phase("pricing", "pricing",
          "closed vendors move their API price toward the logit best response to last "
          "month's prices; clouds set hosting prices for open weights (differentiated hosts "
          "with logit markups, or Bertrand undercutting if `mechanisms.host_markups` is "
          "off; a lone host best-responds like a logit monopolist); each open model's "
          "effective price is the traffic-weighted price of its hosts (the cheapest host's "
          "under undercutting).", ("6.5",)),
    Phase("adoption", "adoption",
          "developers enter the market (exact-month Bass hazard), some reconsider, and "
          "those choosing draw from the logit probabilities of their group (taste type, "
          "capability need, home cloud); developer counts, token volumes and ecosystem "
          "shares of every product follow.", ("6.6",)),
    Phase("settlement", "settlement",
          "the agents book every payment from payer to payee: vendors sell API tokens "
          "(paying their cloud, which pays its suppliers), clouds host open weights; "
          "platforms deploy AI in their complement business and book complement revenue; "
          "vendors buy training compute and pay fixed costs; vendors close their monthly "
          "accounts; private vendors with negative cash exit and are bought out.",
          ("6.7", "6.8")),
    Phase("collection", "collect",
          "market and vendor metrics are measured and recorded by Mesa's `DataCollector` "
          "(the vendor metrics are also its agent reporters).",
          ("6.9",)),
)  # fmt: skip
