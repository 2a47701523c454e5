"""A self-contained report of a sweep results folder: Markdown with PNG figures beside it.

    aimarket report DIR            # writes DIR/report/report.md and its figures

>>> from aimarket.experiments.analysis.report import write_report
>>> write_report("results/open_vs_closed")
PosixPath('results/open_vs_closed/report/report.md')

The report holds the sweep spec (policies, uncertainties, design), the policy comparison
table (means with 95% confidence intervals and the spread of runs), the paired contrasts
against the reference policy, and the main figures (see
:mod:`aimarket.experiments.analysis.figures`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from aimarket.experiments.analysis import aggregate as agg
from aimarket.experiments.analysis import figures
from aimarket.experiments.analysis.console import identical_notes, table_outcomes
from aimarket.experiments.analysis.sensitivity.report import challenger
from aimarket.experiments.analysis.sensitivity.report import section as sensitivity_section
from aimarket.experiments.analysis.tables import markdown_table
from aimarket.experiments.engine.store import Results, load
from aimarket.simulation.errors import ScenarioError
from aimarket.simulation.report import format_number, format_value

#: Market metrics in the report's over-time panel.
SERIES = ("platform_value", "closed_price", "open_token_share", "vc_funding")


def comparison_table(results: Results, outcomes: Sequence[str]) -> pd.DataFrame:
    """Policies as rows: runs, then per outcome 'mean [CI]' and the percentile spread."""
    summary = agg.summarize_runs(results, outcomes)
    rows = []
    for policy, group in summary.groupby("policy", sort=False):
        row = {"policy": policy, "runs": int(group["n"].max())}
        for g in group.itertuples():
            u = g.unit
            row[f"{g.outcome} ({u})"] = (
                f"{format_value(g.mean, u)} (CI {format_value(g.lo, u)} to "
                f"{format_value(g.hi, u)}); runs {format_value(g.q_lo, u)} to "
                f"{format_value(g.q_hi, u)}"
            )
        rows.append(row)
    return pd.DataFrame(rows)


def contrast_table(results: Results, outcomes: Sequence[str]) -> tuple[pd.DataFrame, str]:
    """Policies as rows: per outcome 'mean difference [CI], share of pairs above 0'."""
    policies = results.ok["policy"].unique()
    if len(policies) < 2:
        return pd.DataFrame(), ""
    table = agg.paired_contrasts(results, outcomes=outcomes)
    rows = []
    for policy, group in table.groupby("policy", sort=False):
        row = {"policy": policy, "pairs": int(group["n_pairs"].max())}
        for g in group.itertuples():
            u = g.unit
            share = f"{g.p_positive:.0%}" if np.isfinite(g.p_positive) else "n/a"
            row[f"{g.outcome} ({u})"] = (
                f"{format_value(g.mean_diff, u, signed=True)} (CI "
                f"{format_value(g.lo, u, signed=True)} to {format_value(g.hi, u, signed=True)}); "
                f"{share} > 0"
            )
        rows.append(row)
    return pd.DataFrame(rows), table.attrs["reference"]


def _spec_lines(results: Results) -> list[str]:
    m = results.manifest
    spec = m.get("spec", {})
    counts = results.counts()
    git = m.get("git") or {}
    code = m.get("code") or {}
    commit = (git.get("commit") or "unknown")[:12] + (" (dirty tree)" if git.get("dirty") else "")
    base = spec.get("base", {})
    developers = base.get("developers", {}).get("count")
    developers = f"{developers:,}" if isinstance(developers, int) else "?"
    lines = [
        f"- **Base scenario**: `{base.get('name', '?')}`, {spec.get('steps', '?')} months from "
        f"{base.get('market', {}).get('start', '?')}, {developers} developers",
        f"- **Design**: `{spec.get('design', '?')}` with {len(spec.get('points', []) or [])} "
        f"point(s) x {spec.get('replicates', '?')} replicate(s) x "
        f"{len(m.get('policies', []))} policies; root seed {spec.get('seed', '?')}; policies "
        "of one point and replicate share a seed (paired)",
        f"- **Runs**: {counts['done']} done, {counts['failed']} failed, {counts['pending']} "
        f"pending of {counts['planned']} planned",
        f"- **Code**: aimarket {code.get('version', '?')}, source hash "
        f"`{code.get('source', '?')}`, outcomes hash `{code.get('outcomes', '?')}`; git {commit} "
        f"when the folder was made; spec hash `{m.get('spec_hash', '?')}`",
        "",
        "### Policies (levers)",
        "",
    ]
    rows = [
        {
            "policy": name,
            "overrides": ", ".join(f"`{k} = {v}`" for k, v in (over or {}).items()) or "-",
        }
        for name, over in (spec.get("policies") or {}).items()
    ]
    lines += [markdown_table(pd.DataFrame(rows)) if rows else "(one policy)", ""]
    unc = spec.get("uncertainties") or []
    if unc:
        rows = []
        for u in unc:
            if u.get("lo") is not None:
                values = f"{format_number(u['lo'])} to {format_number(u['hi'])}"
            else:
                values = ", ".join(map(str, u.get("values", [])))
            rows.append(
                {
                    "uncertainty": u["name"],
                    "mode": u.get("mode", "set"),
                    "values": values,
                    "parameters": ", ".join(f"`{p}`" for p in u.get("paths", [])),
                }
            )
        lines += ["### Uncertainties (market conditions)", "", markdown_table(pd.DataFrame(rows))]
        lines.append("")
    return lines


def _phase_axes(results: Results) -> tuple[str, str] | None:
    """The first two swept numeric parameters with more than one value."""
    runs = results.ok
    numeric = [
        p
        for p in results.parameters
        if p in runs.columns and pd.api.types.is_numeric_dtype(runs[p]) and runs[p].nunique() > 1
    ]
    return (numeric[0], numeric[1]) if len(numeric) >= 2 else None


def _phase_figure(results: Results, outcome: str, policies: list[str]):
    """The phase diagram over the first two swept parameters, and its caption (None if
    fewer than two numeric parameters vary)."""
    axes = _phase_axes(results)
    if axes is None:
        return None
    x, y = axes
    reference = results.manifest.get("reference") or policies[0]
    other = challenger(policies, reference)
    paired = other is not None and reference in policies
    fig = figures.plot_phase(
        results,
        outcome,
        x,
        y,
        policy=other if paired else None,
        reference=reference if paired else None,
    )
    what = (
        f"mean paired difference of {outcome}, {other} minus {reference} "
        "(blue: the policy does better)."
        if paired
        else f"mean {outcome}."
    )
    return fig, f"Phase diagram over {x} and {y}: {what}"


#: The captions of the report's figures, by file name.
CAPTIONS = {
    "outcomes.png": "Outcomes by policy: each run is a dot, the box spans the middle half of "
    "the runs, black marks the mean and its 95% confidence interval.",
    "contrasts.png": "Paired contrasts: each policy minus the reference on the same design "
    "point and seed, mean difference and 95% t confidence interval.",
    "market.png": "The market over time: mean across runs per policy with the 95% "
    "confidence interval of the mean.",
    "frontier.png": "Capability frontier of closed and open-weights models over time.",
    "shares.png": "Token shares by vendor over time (mean across runs; funded entrants pooled).",
}


def _figure_plan(results: Results, outcomes: list[str], policies: list[str]):
    """(file name, function drawing it) of each figure that applies, in report order."""
    market_columns = set(results.series_columns("market"))
    series = [m for m in SERIES if m in market_columns]
    plan = {
        "outcomes.png": lambda: figures.plot_outcomes(results, outcomes),
        "contrasts.png": lambda: figures.plot_contrasts(results, outcomes),
        "market.png": lambda: figures.plot_series_panel(results, series),
        "frontier.png": lambda: figures.plot_frontier(results),
        "shares.png": lambda: figures.plot_shares(results),
    }
    applies = {
        "outcomes.png": True,
        "contrasts.png": len(policies) > 1,
        "market.png": bool(series),
        "frontier.png": {"closed_frontier", "open_frontier"} <= market_columns,
        "shares.png": bool(results.series_columns("vendors")),
    }
    return [(name, draw) for name, draw in plan.items() if applies[name]]


def _silent(_message: str) -> None:
    """The default ``progress`` of :func:`write_report`: say nothing."""


def make_figures(
    results: Results, out: Path, progress: Callable[[str], None] = _silent
) -> list[tuple[Path, str]]:
    """Write the report's figures into ``out``; returns (path, caption) pairs.
    ``progress`` is told of each figure before it is drawn."""
    outcomes = table_outcomes(results)
    policies = list(results.ok["policy"].unique())
    plan = _figure_plan(results, outcomes, policies)
    made = []
    for i, (name, draw) in enumerate(plan, 1):
        progress(f"figure {i} of {len(plan)}: {name}")
        made.append((figures.save(draw(), out / name), CAPTIONS[name]))
    phase = _phase_figure(results, outcomes[0], policies) if outcomes else None
    if phase is not None:
        made.append((figures.save(phase[0], out / "phase.png"), phase[1]))
    return made


def write_report(
    results_dir: str | Path,
    out: str | Path | None = None,
    progress: Callable[[str], None] = _silent,
) -> Path:
    """Write ``report.md`` and its PNG figures for a results folder; return its path.

    ``out`` defaults to ``results_dir/report``. Raises ScenarioError for a folder that
    is not a sweep results folder or has no successful runs. ``progress`` is told what is
    being done, one short line at a time (``aimarket report`` prints them).
    """
    results_dir = Path(results_dir)
    progress(f"reading {results_dir}")
    results = load(results_dir)
    if results.runs.empty or results.ok.empty:
        raise ScenarioError(f"{results_dir} has no successful runs to report on yet")
    out = Path(out) if out is not None else results_dir / "report"
    out.mkdir(parents=True, exist_ok=True)
    outcomes = table_outcomes(results)
    made = make_figures(results, out, progress)
    progress("tables and sensitivity indices")
    lines = _report_lines(results, results_dir, outcomes)
    lines += ["", "## Figures", ""]
    lines += [x for p, cap in made for x in (f"![{p.stem}]({p.name})", "", f"*{cap}*", "")]
    lines += sensitivity_section(results, outcomes[:3], out)
    report = out / "report.md"
    tmp = report.with_name(".report.md.tmp")
    tmp.write_text("\n".join(lines))
    tmp.replace(report)
    return report


def _report_lines(results: Results, results_dir: Path, outcomes: list[str]) -> list[str]:
    """The report's heading, the sweep, and the comparison and contrast tables."""
    m = results.manifest
    lines = [
        f"# Sweep report: {m.get('name', results_dir.name)}",
        "",
        m.get("spec", {}).get("description") or "",
        "",
        f"Results folder `{results_dir}` (load it with `aimarket.experiments.load(...)`); written "
        f"by `aimarket report`. Updated {m.get('updated', '?')}.",
        "",
        "## The sweep",
        "",
        *_spec_lines(results),
        "## Policy comparison",
        "",
        "Each cell: the mean across design points and replicates, its 95% confidence "
        "interval (CI, Student t: how well the mean is known), then `runs`: the 2.5th to "
        "97.5th percentiles of the runs (the spread of outcomes under the swept "
        "uncertainty, which more runs do not shrink). n/a: undefined in every run (a "
        "closed margin with no closed sales).",
        "",
        markdown_table(comparison_table(results, outcomes)),
        "",
        *(x for note in identical_notes(results) for x in (note, "")),
    ]
    table, reference = contrast_table(results, outcomes)
    if not table.empty:
        lines += [
            f"### Paired differences from `{reference}`",
            "",
            f"Each policy minus `{reference}` on the same design point and replicate (the "
            "same seed: common random numbers): mean difference, its 95% t confidence "
            "interval, and the share of pairs where the policy is higher.",
            "",
            markdown_table(table),
            "",
        ]
    units = "; ".join(f"`{o}`: {agg.unit(o) or '-'}" for o in outcomes)
    where = "Every outcome is defined in `experiments/engine/outcomes.py`."
    return [*lines, f"Units: {units}. {where}"]
