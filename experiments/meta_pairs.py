"""Paired comparison of ``meta_open`` and ``meta_closed``: the table of docs/ODD.md §9.

    .venv/bin/python experiments/meta_pairs.py [--seeds 20] [--developers 10000]

Both scenarios run on the same seeds (common random numbers: same developers' draws,
same pitches and valuation noise); for each outcome the table gives each scenario's mean,
the mean paired difference (open - closed) and in how many seeds each sign occurs.
"""

from __future__ import annotations

import argparse
import sys

import pandas as pd

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


def table(seeds: int = 20, developers: int = 10_000) -> str:
    """The paired comparison as a Markdown table."""
    runs = {
        sc: pd.DataFrame([outcomes(sc, s, developers) for s in range(seeds)])
        for sc in ("meta_open", "meta_closed")
    }
    o, c = runs["meta_open"], runs["meta_closed"]
    diff = o - c
    lines = [
        "| outcome | meta_open | meta_closed | open − closed | seeds open > / < closed |",
        "|---|---|---|---|---|",
    ]
    for k in o.columns:
        gt, lt = int((diff[k] > 0).sum()), int((diff[k] < 0).sum())
        equal = f" ({seeds - gt - lt} equal)" if seeds - gt - lt else ""
        sign = "+" if diff[k].mean() > 0 else ""
        lines.append(
            f"| {k} | {format_number(o[k].mean())} | {format_number(c[k].mean())} | "
            f"{sign}{format_number(diff[k].mean())} | {gt} / {lt}{equal} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--developers", type=int, default=10_000)
    args = parser.parse_args(argv)
    print(table(args.seeds, args.developers))
    return 0


if __name__ == "__main__":
    sys.exit(main())
