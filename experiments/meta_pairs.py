"""Paired comparison of ``meta_open`` and ``meta_closed``: the table of docs/ODD.md §9.

    .venv/bin/python experiments/meta_pairs.py [--seeds 20] [--developers 10000]

Both scenarios run on the same seeds (common random numbers: same developers' draws,
same pitches and valuation noise); for each outcome the table gives each scenario's mean,
the mean paired difference (open - closed) with its 95% confidence interval (Student t,
from :mod:`aimarket.experiments.analysis.stats`) and in how many seeds each sign occurs.
"""

from __future__ import annotations

import argparse
import sys

import pandas as pd

from aimarket.experiments.analysis import stats
from aimarket.experiments.analysis.tables import markdown_table
from aimarket.simulation.model import MarketModel
from aimarket.simulation.report import format_number
from aimarket.simulation.scenarios import load_scenario


def _closed_price(vendors: pd.DataFrame, step: int, keep=None, drop=()) -> float:
    """Token-weighted mean API price of closed models of the chosen vendors at ``step``."""
    x = vendors[(vendors["step"] == step) & (vendors["api_revenue"] > 0)]
    x = x[~x["vendor"].isin(drop)]
    if keep is not None:
        x = x[x["vendor"].isin(keep)]
    tokens = x["api_revenue"] / x["price"]
    return float((x["price"] * tokens).sum() / tokens.sum())


def outcomes(scenario: str, seed: int, developers: int) -> dict[str, float]:
    model = MarketModel(load_scenario(scenario, {"developers.count": developers}), rng=seed)
    d = model.run(120).market_frame().set_index("step")
    v = model.vendor_frame()
    return {
        "`closed_price` at month 12 ($/Mtok)": d.closed_price[12],
        "same, closed models other than Meta's": _closed_price(v, 12, drop=("meta",)),
        "same, OpenAI + Anthropic + Google only": _closed_price(
            v, 12, keep=("openai", "anthropic", "google")
        ),
        "`closed_price` at month 24": d.closed_price[24],
        "`closed_price` at month 60": d.closed_price[60],
        "`closed_price` at month 120": d.closed_price[120],
        "`closed_margin` at month 24 (Lerner)": d.closed_margin[24],
        "`open_token_share` at month 24": d.open_token_share[24],
        "`capability_gap` at month 24 (fy)": d.capability_gap[24],
        "`closed_frontier` at month 60 (fy)": d.closed_frontier[60],
        "VC funding, months 1–24 ($M)": d.vc_funding[:24].sum(),
        "VC funding to OpenAI, months 1–120 ($M)": v.loc[v.vendor == "openai", "funding"].sum(),
        "VC funding, months 1–120 ($M)": d.vc_funding.sum(),
        "entries, months 1–120": d.entries.sum(),
        "exits, months 1–120": d.exits.sum(),
        "`platform_payoff` at month 12 ($M)": d.platform_payoff[12],
        "`platform_payoff` at month 24 ($M)": d.platform_payoff[24],
        "`platform_payoff` at month 60 ($M)": d.platform_payoff[60],
        "`platform_payoff` at month 120 ($M)": d.platform_payoff[120],
        "`platform_complement_revenue` at month 24 ($M/month)": d.platform_complement_revenue[24],
        "`platform_complement_revenue` at month 60 ($M/month)": d.platform_complement_revenue[60],
        "`developer_surplus` at month 12 ($M/month)": d.developer_surplus[12],
        "`developer_surplus` at month 60 ($M/month)": d.developer_surplus[60],
    }


def runs(seeds: int = 20, developers: int = 10_000) -> dict[str, pd.DataFrame]:
    """Each scenario's outcomes, one row per seed (the same seeds for both)."""
    return {
        sc: pd.DataFrame([outcomes(sc, s, developers) for s in range(seeds)])
        for sc in ("meta_open", "meta_closed")
    }


def _signed(x: float) -> str:
    return ("+" if x > 0 else "") + format_number(x)


def paired_table(open_runs: pd.DataFrame, closed_runs: pd.DataFrame) -> str:
    """The paired comparison as a Markdown table: each scenario's mean, the mean paired
    difference (open - closed) with its 95% t interval
    (:func:`aimarket.experiments.analysis.stats.contrast`), and the seeds of each sign."""
    rows = []
    for k in open_runs.columns:
        c = stats.contrast(open_runs[k] - closed_runs[k])
        gt, lt = round(c.p_positive * c.n), round(c.p_negative * c.n)
        equal = f" ({c.n - gt - lt} equal)" if c.n - gt - lt else ""
        rows.append(
            {
                "outcome": k,
                "meta_open": format_number(open_runs[k].mean()),
                "meta_closed": format_number(closed_runs[k].mean()),
                "open − closed": _signed(c.mean),
                "95% CI of the difference": f"{_signed(c.lo)} to {_signed(c.hi)}",
                "seeds open > / < closed": f"{gt} / {lt}{equal}",
            }
        )
    return markdown_table(pd.DataFrame(rows))


def table(seeds: int = 20, developers: int = 10_000) -> str:
    """The paired comparison of ``seeds`` seeds as a Markdown table (:func:`paired_table`)."""
    both = runs(seeds, developers)
    return paired_table(both["meta_open"], both["meta_closed"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--developers", type=int, default=10_000)
    args = parser.parse_args(argv)
    print(table(args.seeds, args.developers))
    return 0


if __name__ == "__main__":
    sys.exit(main())
