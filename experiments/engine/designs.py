"""Experimental designs: which points of the uncertainty space a sweep visits.

A design turns the sweep's uncertainties into a table of points, one row per point and
one column per uncertainty (by name). Eight kinds:

* ``grid``: the full factorial of every uncertainty's ``values``;
* ``zip``: the i-th value of every uncertainty together (all lists the same length);
* ``lhs``: a Latin hypercube of ``n`` points over the uncertainties' ranges;
* ``sobol``: a scrambled Sobol sequence of ``n`` points (``n`` a power of two);
* ``saltelli``: Saltelli's sample for Sobol indices, ``n`` base points (a power of two)
  giving ``n * (2 d + 2)`` points for ``d`` uncertainties (first, second and total
  order), sampled by SALib;
* ``morris``: ``n`` Morris trajectories of ``d + 1`` points each on a 4-level grid
  (elementary effects), sampled by SALib;
* ``points``: a user-supplied :class:`pandas.DataFrame` (or CSV/Parquet file), one
  column per uncertainty name or dotted parameter path;
* ``posterior``: the calibration's posterior ensemble (:mod:`aimarket.simulation.posterior`),
  its first ``n`` draws (all without ``n``), one column per calibrated record.

Sampled designs (``lhs``, ``sobol``, ``saltelli``, ``morris``) are seeded from the sweep's
root seed, so the same sweep always visits the same points. ``saltelli`` and ``morris``
keep their points in the order SALib's analysis expects (``point`` is the row), and
their runs share seeds across points (:data:`COMMON_SEEDS`): replicate ``r`` of every
point runs on the same seed, so the indices measure the inputs, not the draws.
:func:`problem` is the SALib problem of a list of uncertainties, used by the design and
by the analysis of its results alike.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from SALib.sample import morris as morris_sampler
from SALib.sample import sobol as saltelli_sampler
from scipy.stats import qmc

from aimarket.simulation import posterior
from aimarket.simulation.errors import ScenarioError
from aimarket.simulation.files import regular_file

if TYPE_CHECKING:
    from aimarket.experiments.engine.uncertainty import Uncertainty

KINDS: tuple[str, ...] = (
    "grid", "zip", "lhs", "sobol", "saltelli", "morris", "points", "posterior"
)  # fmt: skip
SAMPLED: tuple[str, ...] = ("lhs", "sobol", "saltelli", "morris")
#: Designs analysed by SALib: the method each supports, and they share seeds across points.
SALIB: dict[str, str] = {"saltelli": "sobol", "morris": "morris"}
COMMON_SEEDS: tuple[str, ...] = tuple(SALIB)
#: The most points a SALib design may have (its n times 2d + 2, or d + 1).
MAX_SALIB_POINTS = 2**22
#: Levels of the Morris grid (SALib's default; the analysis must use the same).
MORRIS_LEVELS = 4

#: Mixed into the root seed for the design's own sampler, so it never shares a stream
#: with any run (runs are seeded from ``SeedSequence(root).spawn``).
DESIGN_SALT = 0x5EED_DE51


def build(
    kind: str,
    uncertainties: Sequence[Uncertainty],
    *,
    n: int | None = None,
    points: pd.DataFrame | None = None,
    seed: int = 0,
) -> pd.DataFrame:
    """The design's points: a DataFrame with one column per uncertainty name."""
    if kind not in KINDS:
        raise ScenarioError(f"design kind {kind!r} is unknown; choose one of: {', '.join(KINDS)}")
    if kind == "points":
        return _points(points, uncertainties)
    if kind == "posterior":
        return posterior.draws(None if n is None else int(n))
    if not uncertainties and kind in ("grid", "zip"):
        return pd.DataFrame(index=pd.RangeIndex(1))  # one point: the base scenario
    if not uncertainties:
        raise ScenarioError(
            f"design '{kind}' needs at least one uncertainty (or use design 'points')"
        )
    names = [u.name for u in uncertainties]
    if kind == "grid":
        for u in uncertainties:
            _need_values(u, kind)
        rows = list(itertools.product(*(u.values for u in uncertainties)))
        return _frame(rows, names, kind)
    if kind == "zip":
        lengths = {u.name: len(_need_values(u, kind)) for u in uncertainties}
        if len(set(lengths.values())) > 1:
            listed = ", ".join(f"{k}: {v}" for k, v in lengths.items())
            raise ScenarioError(f"design 'zip' needs value lists of equal length ({listed})")
        rows = list(zip(*(u.values for u in uncertainties), strict=True))
        return _frame(rows, names, kind)
    # Sampled designs.
    if n is None or int(n) < 1:
        raise ScenarioError(f"design '{kind}' is empty: n = {n!r} must be at least 1")
    n = int(n)
    for u in uncertainties:
        if u.lo is None and not u.values:
            raise ScenarioError(
                f"uncertainty '{u.name}' needs a range (lo, hi) or a list of choices "
                f"for design '{kind}'"
            )
    rng = np.random.default_rng([DESIGN_SALT, int(seed)])
    if kind in SALIB:
        return _salib(kind, uncertainties, n, rng)
    d = len(uncertainties)
    if kind == "lhs":
        unit = qmc.LatinHypercube(d=d, seed=rng).random(n)
    else:
        unit = qmc.Sobol(d=d, scramble=True, seed=rng).random_base2(_log2(n, kind))
    columns = {u.name: u.from_unit(unit[:, k]) for k, u in enumerate(uncertainties)}
    return pd.DataFrame(columns)


def size(kind: str, uncertainties: Sequence[Uncertainty], n: int | None, points: Any = None) -> int:
    """How many points the design will have, from its arithmetic alone (nothing is
    built), so that a design too large is refused before any memory is taken."""
    d = len(uncertainties)
    if kind == "points":
        return len(points) if isinstance(points, pd.DataFrame) else 0
    if kind == "posterior":
        return int(n) if n is not None else len(posterior.table())
    if kind == "grid":
        return int(np.prod([max(len(u.values), 1) for u in uncertainties], dtype=object))
    if kind == "zip":
        return max((len(u.values) for u in uncertainties), default=1)
    n = int(n or 0)
    return {"saltelli": n * (2 * d + 2), "morris": n * (d + 1)}.get(kind, n)


def _log2(n: int, kind: str) -> int:
    m = int(np.log2(n))
    if 2**m != n:
        lower, upper = 2**m, 2 ** (m + 1)
        raise ScenarioError(
            f"design '{kind}' needs n a power of two (got {n}; try {lower} or {upper})"
        )
    return m


def problem(uncertainties: Sequence[Uncertainty], kind: str = "saltelli") -> dict[str, Any]:
    """The SALib problem of ``uncertainties``: names and bounds, each a range (lo, hi);
    a ScenarioError names an uncertainty without one."""
    for u in uncertainties:
        if u.lo is None:
            raise ScenarioError(
                f"uncertainty '{u.name}' needs a range (lo, hi) for design '{kind}' "
                "(SALib's designs vary inputs over intervals, not lists of choices)"
            )
    if len(uncertainties) < 2:
        raise ScenarioError(f"design '{kind}' needs at least two uncertainties")
    return {
        "num_vars": len(uncertainties),
        "names": [u.name for u in uncertainties],
        "bounds": [[float(u.lo), float(u.hi)] for u in uncertainties],
    }


def _salib(
    kind: str, uncertainties: Sequence[Uncertainty], n: int, rng: np.random.Generator
) -> pd.DataFrame:
    """Saltelli's sample (``n`` base points, second order included) or ``n`` Morris
    trajectories, in SALib's order."""
    spec = problem(uncertainties, kind)
    d = len(uncertainties)
    size = n * (2 * d + 2) if kind == "saltelli" else n * (d + 1)
    if size > MAX_SALIB_POINTS:
        raise ScenarioError(
            f"design '{kind}' with n = {n} and {d} uncertainties has {size:,} points: "
            f"allowed at most {MAX_SALIB_POINTS:,}"
        )
    if kind == "saltelli":
        values = saltelli_sampler.sample(
            spec, 2 ** _log2(n, kind), calc_second_order=True, scramble=True, seed=rng
        )
    else:
        if n < 2:
            raise ScenarioError(f"design 'morris' needs n >= 2 trajectories (got {n})")
        values = morris_sampler.sample(spec, n, num_levels=MORRIS_LEVELS, seed=rng)
    return pd.DataFrame(values, columns=spec["names"])


def _need_values(u: Uncertainty, kind: str) -> list[Any]:
    if not u.values:
        raise ScenarioError(
            f"uncertainty '{u.name}' needs a list of values for design '{kind}' "
            f"(a range lo..hi is only for sampled designs: {', '.join(SAMPLED)})"
        )
    return list(u.values)


def _frame(rows: list[tuple], names: list[str], kind: str) -> pd.DataFrame:
    if not rows:
        raise ScenarioError(f"design '{kind}' is empty: it has no points")
    return pd.DataFrame.from_records(rows, columns=names)


def _points(points: pd.DataFrame | None, uncertainties: Sequence[Uncertainty]) -> pd.DataFrame:
    if points is None:
        raise ScenarioError("design 'points' needs a DataFrame (or file) of points")
    if not isinstance(points, pd.DataFrame):
        raise ScenarioError(f"design 'points' needs a pandas DataFrame, got {type(points)}")
    if points.empty or len(points.columns) == 0:
        raise ScenarioError("design 'points' is empty: the table has no rows or no columns")
    frame = points.reset_index(drop=True)
    known = {u.name for u in uncertainties}
    if known:
        missing = sorted(known - set(frame.columns))
        if missing:
            raise ScenarioError(
                f"design 'points' has no column for uncertainty {', '.join(map(repr, missing))}"
            )
    if frame.isna().any().any():
        bad = [c for c in frame.columns if frame[c].isna().any()]
        raise ScenarioError(f"design 'points' has missing values in column(s): {', '.join(bad)}")
    return frame


def read_points(path: str) -> pd.DataFrame:
    """A points table from a CSV or Parquet file."""
    regular_file(path, "design points")
    try:
        if str(path).endswith(".parquet"):
            return pd.read_parquet(path)
        return pd.read_csv(path)
    except FileNotFoundError:
        raise ScenarioError(f"design points file not found: {path}") from None
