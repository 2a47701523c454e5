"""The Python API of sensitivity analysis and scenario discovery, for notebooks and the
command line: each function reads a sweep folder and returns a tidy frame, and
:func:`write_sensitivity` / :func:`write_discovery` save it (Parquet and CSV) with its
figures.

>>> from aimarket.experiments.analysis.sensitivity import sensitivity, discover
>>> table = sensitivity("results/sensitivity", "platform_payoff", contrast="policy:open-closed")
>>> table.attrs["seed_share"]        # share of run-to-run variance due to seeds
>>> table.attrs["noise_share"]       # share of the analysed variance that is seed noise
>>> box = discover("results/sensitivity", "platform_payoff", below=0,
...                contrast="policy:open-closed")
>>> box.attrs["trajectory"]          # PRIM's peeling trajectory
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from aimarket.experiments.analysis.figures.common import save
from aimarket.experiments.analysis.sensitivity import data, discovery, indices
from aimarket.experiments.analysis.sensitivity import figures as sfig
from aimarket.experiments.analysis.stats import LEVEL
from aimarket.experiments.engine import designs
from aimarket.simulation.errors import ScenarioError

METHODS = ("sobol", "morris")
#: The convergence check's columns a Sobol table carries (:func:`indices.convergence`).
CHECK = ("value_half", "lo_half", "hi_half", "agree", "half_width", "shift", "converged")


def method_of(kind: str, method: str | None) -> str:
    """The method for a design: as asked (checked), else the one the design supports."""
    if method is not None and method not in METHODS:
        raise ScenarioError(f"--method {method!r} is unknown; choose one of: {', '.join(METHODS)}")
    return method or designs.SALIB.get(kind, "sobol")


def sensitivity(
    folder,
    outcome: str,
    *,
    contrast: str | None = None,
    method: str | None = None,
    second_order: bool = False,
    transform: str | None = None,
    level: float = LEVEL,
    seed: int = 0,
) -> pd.DataFrame:
    """Sensitivity indices of ``outcome`` (or of the paired ``contrast``, e.g.
    ``"policy:open-closed"``) in a sweep folder of design ``saltelli`` (method ``sobol``)
    or ``morris``: one row per input and index with ``value``, ``lo``, ``hi``; for Sobol,
    the convergence check's columns (:data:`CHECK`: ``converged`` per index). The
    frame's ``attrs`` hold the design, N, replicates and the seeds' share of variance.
    ``transform``: analyse the per-point values' ``rank`` or whether they are
    ``positive`` (see :func:`~aimarket.experiments.analysis.sensitivity.data.transform`)."""
    study = data.transform(data.study(folder, outcome, contrast), transform)
    method = method_of(study.kind, method)
    kind = {v: k for k, v in designs.SALIB.items()}[method]
    data.require(study, kind, method)
    if second_order and method != "sobol":
        raise ScenarioError("--second-order is for Sobol indices (design 'saltelli') only")
    problem = study.problem
    if method == "sobol":
        table = indices.sobol_indices(
            problem, study.y, second_order=second_order, level=level, seed=seed
        )
        check = indices.convergence(problem, study.y, level=level, seed=seed)
        halves = check[["input", "index", *CHECK]]
        table = table.merge(halves, on=["input", "index"], how="left")
        n = check.attrs["n"]
    else:
        table = indices.morris_indices(
            problem, study.points.to_numpy(float), study.y, level=level, seed=seed
        )
        n = len(study.y) // (problem["num_vars"] + 1)
    table.insert(0, "transform", transform or "")
    table.insert(0, "method", method)
    table.insert(0, "contrast", study.contrast.label if study.contrast else "")
    table.insert(0, "outcome", outcome)
    table.attrs.update(
        folder=str(study.folder), design=study.kind, n=int(n), points=len(study.y),
        replicates=study.replicates, seed_share=study.seed_share, level=level,
        noise_share=study.noise_share,
        label=study.label, variance=float(np.var(study.y)),
    )  # fmt: skip
    if method == "sobol":
        table.attrs["verdict"] = indices.verdict(table)
    return table


def discover(
    folder,
    outcome: str,
    *,
    below: float | None = None,
    above: float | None = None,
    contrast: str | None = None,
    min_density: float = discovery.MIN_DENSITY,
    peel_alpha: float = discovery.PEEL_ALPHA,
) -> pd.DataFrame:
    """PRIM's box of the design points where ``outcome`` (or its ``contrast``, averaged
    over replicates) is below or above a threshold: one row per input with the box's
    ``lo``/``hi``, the input's range and the quasi-p values of restricted sides. The
    frame's ``attrs`` hold the peeling ``trajectory`` and the chosen box's numbers."""
    if (below is None) == (above is None):
        raise ScenarioError("give exactly one of --below V or --above V")
    threshold = below if below is not None else above
    if not np.isfinite(threshold):
        side = "--below" if below is not None else "--above"
        raise ScenarioError(f"{side} {threshold} must be a finite number")
    if not 0 < min_density <= 1:
        raise ScenarioError(f"--density {min_density} must be in (0, 1]")
    study = data.study(folder, outcome, contrast)
    numeric = [u.name for u in study.uncertainties if u.lo is not None]
    if not numeric:
        raise ScenarioError(
            f"{study.folder}: design '{study.kind}' varies no uncertainty over a range; "
            "scenario discovery needs a design over uncertainties (lhs, sobol, saltelli, morris)"
        )
    x = study.points[numeric].astype(float)
    cases = study.y < below if below is not None else study.y > above
    bounds = {u.name: (float(u.lo), float(u.hi)) for u in study.uncertainties if u.lo is not None}
    found = discovery.prim_boxes(
        x, cases, min_density=min_density, peel_alpha=peel_alpha, bounds=bounds
    )
    row = found.trajectory[found.trajectory["box"] == found.chosen].iloc[0]
    box = found.box.copy()
    box.insert(0, "contrast", study.contrast.label if study.contrast else "")
    box.insert(0, "outcome", outcome)
    box.attrs.update(
        trajectory=found.trajectory, chosen=found.chosen, coverage=float(row["coverage"]),
        density=float(row["density"]), cases=found.cases, points=found.points,
        label=study.label, rule=f"< {below:g}" if below is not None else f"> {above:g}",
        min_density=min_density,
    )  # fmt: skip
    return box


def _stem(table: pd.DataFrame, prefix: str) -> str:
    contrast = str(table["contrast"].iloc[0]) if "contrast" in table.columns else ""
    name = f"{prefix}-{table['outcome'].iloc[0]}"
    name += f"-{contrast.replace(' - ', '-minus-')}" if contrast else ""
    how = str(table["transform"].iloc[0]) if "transform" in table.columns else ""
    return name + (f"-{how}" if how else "")


def write_tables(table: pd.DataFrame, out: Path, stem: str) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    plain = pd.DataFrame(table)
    plain.attrs = {}
    paths = [out / f"{stem}.parquet", out / f"{stem}.csv"]
    plain.to_parquet(paths[0], index=False)
    plain.to_csv(paths[1], index=False)
    return paths


def write_sensitivity(table: pd.DataFrame, out: str | Path) -> list[Path]:
    """Save the indices (Parquet, CSV) and their figure into ``out``; the paths."""
    out, a = Path(out), table.attrs
    stem = _stem(table, table["method"].iloc[0])
    title = f"{a.get('label')}: {a.get('design')} design, N = {a.get('n')}"
    if table["method"].iloc[0] == "sobol":
        fig = sfig.plot_sobol(table[table["index"].isin(["S1", "ST"])], title)
    else:
        fig = sfig.plot_morris(table, title)
    return [*write_tables(table, out, stem), save(fig, out / f"{stem}.png")]


def write_discovery(box: pd.DataFrame, out: str | Path) -> list[Path]:
    """Save the box and the trajectory (Parquet, CSV) and their figures into ``out``."""
    out, a = Path(out), box.attrs
    stem = _stem(box, "discover")
    title = f"{a['label']} {a['rule']}: {a['cases']} of {a['points']} points"
    paths = write_tables(box, out, stem)
    paths += write_tables(a["trajectory"], out, f"{stem}-trajectory")
    paths.append(save(sfig.plot_trajectory(a["trajectory"], a["chosen"], title),
                      out / f"{stem}-trajectory.png"))  # fmt: skip
    paths.append(save(sfig.plot_box(box, title), out / f"{stem}-box.png"))
    return paths
