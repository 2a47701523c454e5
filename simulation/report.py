"""Printing and saving one run: a short summary table and its files on disk."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from aimarket.simulation import metrics
from aimarket.simulation.files import atomic_write_bytes, atomic_write_json, atomic_write_parquet
from aimarket.simulation.mechanics import kernels
from aimarket.simulation.plots import events_frame, run_figures

if TYPE_CHECKING:
    from aimarket.simulation.model import MarketModel


#: Vendors listed at the end of a run's summary (the largest by token share; the
#: platform vendor always).
SHOWN_VENDORS = 12


def summary_metrics() -> dict[str, str]:
    """Market metrics shown in a run's summary (their records say so), with labels."""
    return {
        m.name: f"{m.label} ({m.unit})" if m.unit and m.unit != "share" else m.label
        for m in metrics.MARKET
        if m.summary
    }


def summary_table(model: MarketModel) -> str:
    """Key market metrics at yearly marks, then the vendors at the last month: the twelve
    largest by token share, and the platform vendor(s) always."""
    market = model.market_frame()
    last = len(market)
    marks = sorted({1, *range(12, last + 1, 12), last})
    if len(marks) > 7:  # keep the table narrow: first, a few evenly spaced, last
        step = (len(marks) - 1) / 6
        marks = sorted({marks[round(i * step)] for i in range(7)})
    shown = summary_metrics()
    rows = market.set_index("step").loc[marks, list(shown)]
    table = rows.T.rename(index=shown)
    table.columns = [d.strftime("%Y-%m") for d in market.set_index("step").loc[marks, "date"]]
    text = ["", "Market", table.to_string(float_format=format_number)]
    vendors = model.vendor_frame()
    final = vendors[vendors["step"] == vendors["step"].max()]
    cols = ["vendor", "policy", "capability", "price", "token_share", "profit", "cash"]
    ranked = final.sort_values("token_share", ascending=False, kind="stable")
    platform = ranked["business_model"] == "platform"  # the firm the study is about
    largest = np.arange(len(ranked)) < SHOWN_VENDORS
    final = ranked[largest | platform.to_numpy()][cols]
    totals = market.iloc[-1]
    text += [
        "",
        f"Vendors at the last month ({int(totals['n_vendors'])} in market"
        f"{_shown_note(len(ranked), bool((platform & ~largest).any()))}; "
        f"{int(market['entries'].sum())} entries, {int(market['exits'].sum())} exits in all)",
        final.to_string(index=False, float_format=format_number),
    ]
    return "\n".join(text)


def _shown_note(vendors: int, platform_added: bool) -> str:
    """What the vendor table leaves out, when it leaves out any vendor."""
    if vendors <= SHOWN_VENDORS:
        return ""
    largest = f"the {SHOWN_VENDORS} largest by token share"
    return f", {largest}{' and the platform' if platform_added else ''} shown"


def format_number(x: float | None, missing: str = "-") -> str:
    """A number for tables and labels: thousands separated from 1,000 (so a row or a
    column reads alike), no decimals above 100, two decimals above 1, three significant
    digits below."""
    if x is None or not np.isfinite(x):
        return missing
    if x == 0:
        return "0"
    if abs(x) >= 999.5:  # what rounds to 1,000 or more
        return f"{x:,.0f}"
    if float(x).is_integer():  # counts and round numbers
        return f"{int(x)}"
    if abs(x) >= 100:
        return f"{x:.0f}"
    if abs(x) >= 1:
        return f"{x:.2f}"
    return f"{x:.3g}"


#: One number format per unit, so a column of one unit reads the same on every line.
UNIT_FORMATS = {
    "$M": ",.0f",
    "$M/month": ",.0f",
    "$/Mtok": ",.3f",
    "share": ".3f",
    "Lerner": ".3f",
    "Lerner index": ".3f",
    "index": ".3f",
    "index 0-1": ".3f",
    "0/1": ".2f",
    "count": ",.1f",
    "count/month": ",.2f",
    "frontier-years": ".2f",
    "Ttok/month": ",.1f",
}


def format_value(x: float | None, unit: str, signed: bool = False) -> str:
    """``x`` in its unit's format (:data:`UNIT_FORMATS`); "n/a" if undefined (NaN)."""
    if x is None or not np.isfinite(x):
        return "n/a"
    spec = UNIT_FORMATS.get(unit)
    if spec is None:
        text = format_number(x)
        return f"+{text}" if signed and x > 0 else text
    text = format(x, ("+" if signed else "") + spec)
    return text.replace("-0.000", "0.000").replace("+0.000", "0.000") if x == 0 else text


def write_run(model: MarketModel, out: Path, seed: int | None = None, figures: bool = True) -> Path:
    """Write ``market.parquet``, ``vendors.parquet``, ``scenario.toml`` (the resolved
    scenario, loadable with ``--scenario``), ``run.json`` (seed, steps, the kernel backend,
    the count of price solves that stopped short of their tolerance, events) and,
    with ``figures``, ``report.md`` with four PNG figures (events marked on the time
    axis)."""
    out.mkdir(parents=True, exist_ok=True)
    market, vendors = model.market_frame(), model.vendor_frame()
    atomic_write_parquet(out / "market.parquet", market)
    atomic_write_parquet(out / "vendors.parquet", vendors)
    atomic_write_bytes(out / "scenario.toml", model.scenario.to_toml().encode())
    meta = {
        "scenario": model.scenario.name,
        "seed": seed,
        "seed_entropy": str(model.seed_entropy),
        "steps": int(model.steps),
        "kernels": kernels.backend(),
        "unconverged_solves": int(model.state.unconverged),
        "events": [{"step": s, "agent": a, "event": e} for s, a, e in model.events],
    }
    atomic_write_json(out / "run.json", meta, indent=2)
    if figures:
        paths = run_figures(market, vendors, model.events, model.scenario.market.start, out)
        atomic_write_bytes(out / "report.md", run_report(model, seed, paths).encode())
    return out


def run_report(model: MarketModel, seed: int | None, figures: list[Path]) -> str:
    """Markdown report of one run: scenario, summary table, events, figures."""

    sc = model.scenario
    lines = [
        f"# aimarket run: {sc.name}",
        "",
        sc.description or "",
        "",
        f"{int(model.steps)} months from {sc.market.start}, {sc.developers.count:,} "
        f"developers, seed {seed}. The resolved parameters are in `scenario.toml`; the "
        "metrics in `market.parquet` and `vendors.parquet` (units in `docs/ODD.md`).",
        "",
        "## Summary",
        "",
        "```",
        summary_table(model).strip(),
        "```",
        "",
    ]
    events = events_frame(model.events, sc.market.start)
    if len(events):
        lines += ["## Events", "", "| month | who | what |", "|---|---|---|"]
        for row in events.itertuples():
            lines.append(f"| {row.date:%Y-%m} | {row.who} | {row.what} |")
        lines.append("")
    lines += ["## Figures", ""]
    for path in figures:
        title = path.stem.replace("_", " ")
        lines += [f"![{title}]({path.name})", ""]
    return "\n".join(lines)
