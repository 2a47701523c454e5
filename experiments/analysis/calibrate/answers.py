"""The headline answers across the posterior: each a distribution over draws x seeds and the
share of them in which its sign holds.

For every posterior draw and seed the ``baseline`` market (the platform open from the
start, ten years) is run three times on the same seed, with the platform's release policy
``open``, ``closed`` and ``open_then_closed`` (common random numbers: the differences are
paired). Each answer is one number per (draw, seed), and its claim is a sign:

* **open pays for the platform**: its firm value (``platform_value``: discounted profit
  plus a terminal value) at month 120, open less closed > 0;
* **scorched earth**: money raised by the other vendors over ten years, open less closed < 0
  (and closed vendors' Lerner margin at month 24, open less closed < 0);
* **lock-in to the open standard**: open weights' token share at month 120 with the
  platform open, less one half > 0 (open models carry most tokens);
* **open-then-closed pays**: the platform's firm value at month 120, open-then-closed less
  open > 0.

Cumulative payoffs (``platform_payoff``) are kept in the runs as ``payoff_<policy>``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from aimarket.experiments.analysis import stats
from aimarket.experiments.analysis.calibrate import ensemble, problem
from aimarket.simulation.model import MarketModel
from aimarket.simulation.scenarios import load_scenario

PLATFORM = "meta"
POLICIES = ("open", "closed", "open_then_closed")
MONTHS = 120
#: The interval the reports give: the middle 90% of draws x seeds.
LEVEL = 0.90


def policy_outcomes(values: dict[str, float], policy: str, seed: int, developers: int) -> dict:
    patch = {**problem.overrides(values), "developers.count": int(developers),
             f"vendors.{PLATFORM}.policy": policy}  # fmt: skip
    model = MarketModel(load_scenario("baseline", patch), rng=np.random.SeedSequence(seed))
    market = model.run(MONTHS).market_frame().set_index("step")
    vendors = model.vendor_frame()
    return {
        f"payoff_{policy}": float(market["platform_payoff"].iloc[-1]),
        f"value_{policy}": float(market["platform_value"].iloc[-1]),
        f"raised_{policy}": float(vendors.loc[vendors["vendor"] != PLATFORM, "funding"].sum()),
        f"margin24_{policy}": float(market["closed_margin"].get(24, np.nan)),
        f"entries_{policy}": float(market["entries"].sum()),
        f"open_share_{policy}": float(market["open_token_share"].iloc[-1]),
    }


class AnswerJob:
    def __init__(self, developers: int):
        self.developers = developers

    def __call__(self, job: tuple[int, int, dict[str, float]]) -> dict:
        i, r, values = job
        seed = ensemble.seed_of(values, r)
        row: dict = {"draw": i, "replicate": r}
        for policy in POLICIES:
            row.update(policy_outcomes(values, policy, seed, self.developers))
        return row


@dataclass(frozen=True)
class Answer:
    key: str
    question: str
    claim: str  # what holds when the value is positive
    unit: str
    value: Callable[[pd.DataFrame], pd.Series]


def _diff(a: str, b: str) -> Callable[[pd.DataFrame], pd.Series]:
    return lambda runs: runs[a] - runs[b]


ANSWERS: tuple[Answer, ...] = (
    Answer("open_pays", "Commoditize the complement",
           "the platform's firm value at month 120 is higher open than closed", "$M",
           _diff("value_open", "value_closed")),
    Answer("scorched_earth_vc", "Scorched earth",
           "the other vendors raise less money over ten years with the platform open", "$M",
           _diff("raised_closed", "raised_open")),
    Answer("scorched_earth_margin", "Scorched earth",
           "closed vendors' Lerner margin at month 24 is lower with the platform open", "",
           _diff("margin24_closed", "margin24_open")),
    Answer("open_standard", "The Linux of AI",
           "open weights carry most tokens at month 120 with the platform open", "share",
           lambda runs: runs["open_share_open"] - 0.5),
    Answer("open_then_closed_pays", "Open now, closed later",
           "the platform's firm value at month 120 is higher open-then-closed than open", "$M",
           _diff("value_open_then_closed", "value_open")),
)  # fmt: skip


def run(draws: pd.DataFrame, seeds: int, developers: int, workers: int) -> pd.DataFrame:
    """The three policies on every draw x seed (one row per draw and seed)."""
    jobs = ensemble.jobs(draws, seeds)
    return ensemble.frame(ensemble.run_all(AnswerJob(developers), jobs, workers, "answers"))


def summarize(runs: pd.DataFrame) -> pd.DataFrame:
    """Per answer: median and 90% interval of the value over draws x seeds, the share of
    runs and of draws (seed means) in which the claim holds."""
    rows = []
    for a in ANSWERS:
        x = a.value(runs)
        by_draw = x.groupby(runs["draw"]).mean()
        lo, hi = stats.spread(x, LEVEL)
        rows.append(dict(key=a.key, question=a.question, claim=a.claim, unit=a.unit,
                         median=stats.median(x), lo=lo, hi=hi,
                         runs=float((x > 0).mean()), draws=float((by_draw > 0).mean()),
                         n_runs=len(x), n_draws=len(by_draw)))  # fmt: skip
    return pd.DataFrame(rows).set_index("key")
