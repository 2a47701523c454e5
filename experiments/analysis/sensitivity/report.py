"""Sensitivity analysis and scenario discovery in words: console lines for the command
line, and the section ``aimarket report`` adds for folders of a ``saltelli`` or
``morris`` design (indices of each table outcome, on the paired contrast when there are
two policies, and PRIM's box of the points where that contrast is below zero)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from aimarket.experiments.analysis import stats
from aimarket.experiments.analysis.figures.common import save
from aimarket.experiments.analysis.sensitivity import api, data, indices
from aimarket.experiments.analysis.sensitivity import figures as sfig
from aimarket.experiments.analysis.tables import markdown_table
from aimarket.experiments.engine import designs
from aimarket.experiments.engine.store import Results
from aimarket.simulation.errors import ScenarioError


def _share(x: float) -> str:
    return f"{x:.0%}" if np.isfinite(x) else "n/a (one replicate a point)"


def _interval(row) -> str:
    if not np.isfinite(row.lo):
        return f"{row.value:.3f}"
    return f"{row.value:.3f} [{row.lo:.3f}, {row.hi:.3f}]"


def indices_frame(table: pd.DataFrame) -> pd.DataFrame:
    """One row per input: each index with its interval, and (Sobol) convergence."""
    rows = []
    method = table["method"].iloc[0]
    shown = ("S1", "ST") if method == "sobol" else ("mu_star", "sigma")
    for name, group in table.groupby("input", sort=False):
        by = {r.index: r for r in group.itertuples()}
        if not set(shown) <= set(by):
            continue  # a second-order pair
        row = {"input": name, **{k: _interval(by[k]) for k in shown}}
        if method == "sobol":
            row["converged"] = "yes" if group["converged"].astype(bool).all() else "no"
        rows.append(row)
    frame = pd.DataFrame(rows)
    key = "ST" if method == "sobol" else "mu_star"
    order = table[table["index"] == key].set_index("input")["value"]
    return frame.sort_values("input", key=lambda s: -s.map(order)).reset_index(drop=True)


def convergence_line(table: pd.DataFrame) -> str:
    """The verdict: converged (every S1 and ST in range, narrow, and stable from N/2 to
    N), or "not converged: too few samples, increase n" and why."""
    said = indices.verdict(table)
    if said != "converged":
        return f"Convergence: {said}."
    lo, hi = indices.RANGE
    n = table.attrs.get("n", 0)
    return (f"Convergence: converged: every S1 and ST at N = {n} lies in [{lo}, {hi}], "
            f"with a half-width of at most {indices.MAX_HALF_WIDTH} and within "
            f"{indices.MAX_SHIFT} of its value at N = {n // 2}.")  # fmt: skip


def headline(table: pd.DataFrame) -> str:
    a = table.attrs
    what = "Sobol indices" if table["method"].iloc[0] == "sobol" else "Morris screening"
    noise = a.get("noise_share", np.nan)
    left = (
        f", and {noise:.0%} of the point means' variance is seed noise"
        if np.isfinite(noise)
        else ""
    )
    return (
        f"{what} of {a.get('label')}: {a.get('design')} design, N = {a.get('n')} "
        f"({a.get('points')} points x {a.get('replicates')} replicate(s) on common seeds); "
        f"seeds explain {_share(a.get('seed_share', np.nan))} of run-to-run variance{left}."
    )


def summary_lines(table: pd.DataFrame) -> list[str]:
    lines = [headline(table), "", indices_frame(table).to_string(index=False)]
    pairs = table[table["index"] == "S2"]
    if not pairs.empty:
        lines += ["", "Second order (S2, pairs):"]
        lines += [f"  {r.input}: {_interval(r)}" for r in pairs.itertuples()]
    if table["method"].iloc[0] == "sobol":
        lines += ["", convergence_line(table)]
    return lines


def box_lines(box: pd.DataFrame) -> list[str]:
    a = box.attrs
    why = (
        f"highest coverage at density >= {a['min_density']:.0%}"
        if a["density"] >= a["min_density"]
        else f"no box reaches density {a['min_density']:.0%}: the densest"
    )
    lines = [
        f"PRIM on {a['label']} {a['rule']}: {a['cases']} of {a['points']} design points are "
        f"cases. Box {a['chosen']} ({why}): coverage {a['coverage']:.0%}, density "
        f"{a['density']:.0%}.",
    ]
    restricted = box[box["restricted"]]
    if restricted.empty:
        lines.append("The box restricts no input: the cases are spread over the whole space.")
    for r in restricted.itertuples():
        qp = " / ".join(f"{q:.2g}" if np.isfinite(q) else "-" for q in (r.qp_lo, r.qp_hi))
        lines.append(f"  {r.input}: {r.lo:.4g} to {r.hi:.4g} (of {r.range_lo:.4g} to "
                     f"{r.range_hi:.4g}; quasi-p of the lower / upper limit {qp})")  # fmt: skip
    return lines


def challenger(policies: list[str], reference: str) -> str | None:
    """The policy set against the reference: open if it can, else the first other one."""
    if "open" in policies and reference != "open":
        return "open"
    return next((p for p in policies if p != reference), None)


def section(results: Results, outcomes: list[str], out: Path) -> list[str]:
    """The report's sensitivity section (empty for designs SALib does not analyse)."""
    kind = results.manifest.get("spec", {}).get("design", "")
    if kind not in designs.SALIB or results.ok.empty:
        return []
    policies = list(results.manifest.get("policies", []))
    reference = results.manifest.get("reference") or policies[0]
    other = challenger(policies, reference)
    contrast = f"policy:{other}-{reference}" if other else None
    lines = [
        "## Sensitivity analysis",
        "",
        f"Design `{kind}`: replicate r of every point runs on the same seed (common seeds "
        "across points), so the runs of the tables above are not independent across "
        "points; read their intervals as approximate. Methods: `docs/sensitivity.md`.",
        "",
    ]
    for outcome in outcomes:
        try:
            table = api.sensitivity(results, outcome, contrast=contrast)
        except ScenarioError as exc:
            lines += [f"- `{outcome}`: no indices ({exc}).", ""]
            continue
        name = f"sensitivity-{outcome}.png"
        draw = sfig.plot_sobol if table["method"].iloc[0] == "sobol" else sfig.plot_morris
        frame = table[table["index"].isin(["S1", "ST"])] if kind == "saltelli" else table
        save(draw(frame, table.attrs["label"]), out / name)
        lines += [headline(table), "", markdown_table(indices_frame(table)), ""]
        if kind == "saltelli":
            lines += [convergence_line(table), ""]
        lines += [f"![{name}]({name})", ""]
    if contrast and outcomes:
        lines += _discovery(results, outcomes[0], contrast, out)
    return lines


def _discovery(results: Results, outcome: str, contrast: str, out: Path) -> list[str]:
    try:
        box = api.discover(results, outcome, below=0.0, contrast=contrast)
    except ScenarioError as exc:
        return [f"Scenario discovery on `{outcome}` ({contrast}) < 0: not done ({exc}).", ""]
    paths = api.write_discovery(box, out)
    figures = [p for p in paths if p.suffix == ".png"]
    lines = ["### Where the contrast is below zero (PRIM)", "", *box_lines(box), ""]
    return lines + [f"![{p.stem}]({p.name})" for p in figures] + [""]


# -- the committed study in docs/sensitivity.md ------------------------------------------
BEGIN, END = "<!-- sensitivity-study:begin -->", "<!-- sensitivity-study:end -->"


def _indices_block(table: pd.DataFrame, figures: Path | None, link: str) -> list[str]:
    lines = [f"#### {table.attrs['label']}", "", headline(table), ""]
    lines += [markdown_table(indices_frame(table)), "", convergence_line(table), ""]
    if figures is not None:
        name = _stem_png(table)
        save(sfig.plot_sobol(table[table["index"].isin(["S1", "ST"])],
                             table.attrs["label"]), figures / name)  # fmt: skip
        lines += [f"![Sobol indices of {table.attrs['label']}]({link}/{name})", ""]
    return lines


def _stem_png(table: pd.DataFrame) -> str:
    how = str(table["transform"].iloc[0])
    return f"sensitivity_{table['outcome'].iloc[0]}{'_' + how if how else ''}.png"


def _box_block(box: pd.DataFrame, figures: Path, link: str, tag: str) -> list[str]:
    text = box_lines(box)
    lines = [text[0], "", *(f"- {t.strip()}" for t in text[1:]), ""]
    a = box.attrs
    title = f"{a['label']} {a['rule']}"
    for draw, name in ((lambda: sfig.plot_trajectory(a["trajectory"], a["chosen"], title),
                        f"prim_{tag}_trajectory.png"),
                       (lambda: sfig.plot_box(box, title), f"prim_{tag}_box.png")):  # fmt: skip
        save(draw(), figures / name)
        lines += [f"![{name}]({link}/{name})", ""]
    return lines


def study_lines(results: Results, contrast: str, figures: Path, link: str) -> list[str]:
    """The study's results as Markdown: the first outcome's contrast across the design,
    its Sobol indices as it is, as ranks and as 'is it positive', the other outcomes'
    indices, and PRIM's boxes where the first contrast is below and above zero. Figures
    go to ``figures``, linked as ``link/NAME``."""
    spec, m = results.manifest.get("spec", {}), results.manifest
    outcomes = list(m.get("table") or m.get("outcomes", []))
    first = api.sensitivity(results, outcomes[0], contrast=contrast)
    y = data.study(results, outcomes[0], contrast).y
    lo, hi = stats.spread(y, 0.9)
    lines = [
        f"Generated by `python -m aimarket.experiments.analysis.sensitivity {results.path}` "
        f"from the study `{m.get('name')}` ({results.counts()['done']:,} runs of "
        f"{spec.get('steps')} months, "
        f"{spec.get('base', {}).get('developers', {}).get('count', 0):,} developers, git "
        f"{(m.get('git') or {}).get('commit', '?')[:12]}"
        f"{' with uncommitted changes' if (m.get('git') or {}).get('dirty') else ''}).",
        "",
        f"Across the design, {first.attrs['label']} per point (mean of the replicates) has "
        f"median {stats.median(y):,.1f} and a 90% spread of {lo:,.0f} to {hi:,.0f}; it is "
        f"above zero at {(y > 0).mean():.0%} of the points.",
        "",
        *_indices_block(first, None, link),
    ]
    for how in ("positive", "rank"):
        table = api.sensitivity(results, outcomes[0], contrast=contrast, transform=how)
        lines += _indices_block(table, figures if how == "positive" else None, link)
    for outcome in outcomes[1:]:
        try:
            table = api.sensitivity(results, outcome, contrast=contrast)
        except data.UndefinedPoints as undefined:  # e.g. a margin where nothing is sold
            label = contrast.split(":")[-1].replace("-", " - ")
            lines += [f"#### {outcome} ({label})", "",
                      f"Not computed: {undefined.reason}.", ""]  # fmt: skip
            continue
        lines += _indices_block(table, None, link)
    for rule, density, tag in (("below", 0.8, "loses"), ("above", 0.5, "pays")):
        box = api.discover(results, outcomes[0], contrast=contrast, min_density=density,
                           **{rule: 0.0})  # fmt: skip
        lines += [f"#### PRIM: where {box.attrs['label']} {box.attrs['rule']}", ""]
        lines += _box_block(box, figures, link, tag)
    return lines


def write_study(results: Results, doc: Path, contrast: str, figures: Path, link: str) -> Path:
    """Replace the study block of ``doc`` (between its markers) with :func:`study_lines`."""
    text = doc.read_text(encoding="utf-8")
    if BEGIN not in text or END not in text:
        raise ScenarioError(f"{doc} has no {BEGIN} ... {END} block to fill")
    head, rest = text.split(BEGIN, 1)
    tail = rest.split(END, 1)[1]
    body = "\n".join(study_lines(results, contrast, figures, link))
    doc.write_text(f"{head}{BEGIN}\n{body}\n{END}{tail}", encoding="utf-8")
    return doc
