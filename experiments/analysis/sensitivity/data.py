"""What a sensitivity analysis reads from a sweep folder: its design (kind, problem,
points in design order) and one value per design point of an outcome or of a paired
policy contrast, averaged over the point's replicates.

A *contrast* ``policy:A-B`` is, per (point, replicate), the outcome under policy A minus
the outcome under policy B on the same seed (common random numbers), then averaged over
replicates. Only the runs table's key columns and the one outcome are read, so memory
does not grow with the time series a sweep kept.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from aimarket.experiments.analysis import stats
from aimarket.experiments.engine import designs
from aimarket.experiments.engine.layout import no_manifest
from aimarket.experiments.engine.outcomes import RESERVED
from aimarket.experiments.engine.store import Results, load
from aimarket.experiments.engine.uncertainty import Uncertainty
from aimarket.simulation.errors import ScenarioError

CONTRAST = re.compile(r"^policy:(?P<pair>.+-.+)$")


class UndefinedPoints(ScenarioError):
    """Design points without a finite value of an outcome: ``missing`` of ``points``
    (runs not finished or failed, or an outcome with no value there, such as a margin
    where nothing is sold)."""

    def __init__(self, path, outcome: str, missing: list[int], points: int):
        self.outcome, self.missing, self.points = outcome, missing, points
        super().__init__(
            f"{path}: {self.reason}; finish the sweep (running the same command resumes "
            "it) or choose another outcome"
        )

    @property
    def reason(self) -> str:
        return (
            f"{len(self.missing)} of {self.points} design points have no successful run "
            f"with a finite {self.outcome!r} (first: point {self.missing[0]})"
        )


@dataclass(frozen=True)
class Contrast:
    """Policy ``a`` minus policy ``b`` on the same point and seed."""

    a: str
    b: str

    @classmethod
    def parse(cls, text: str | None, policies: list[str]) -> Contrast | None:
        """``policy:A-B`` with A and B policies of the sweep (names may hold ``-``)."""
        if text is None:
            return None
        match = CONTRAST.match(str(text).strip())
        if not match:
            raise ScenarioError(
                f"--contrast {text!r} is not understood: write policy:A-B, e.g. "
                "policy:open-closed (policy A minus policy B on the same seeds)"
            )
        pair = match["pair"]
        splits = [(pair[:k], pair[k + 1 :]) for k, c in enumerate(pair) if c == "-"]
        found = [(a, b) for a, b in splits if a in policies and b in policies]
        if len(found) != 1:
            why = "is ambiguous" if found else "does not name two of the sweep's policies"
            raise ScenarioError(f"--contrast {text!r} {why} (policies: {', '.join(policies)})")
        return cls(*found[0])

    @property
    def label(self) -> str:
        return f"{self.a} - {self.b}"


@dataclass
class Study:
    """A sweep folder's design and the per-point values of one outcome (or contrast)."""

    folder: Path
    kind: str
    uncertainties: list[Uncertainty]
    points: pd.DataFrame  # design order, one column per uncertainty
    outcome: str
    contrast: Contrast | None
    y: np.ndarray  # one value per point: the replicate mean
    replicates: int
    seed_share: float  # share of run-to-run variance within points (NaN with 1 replicate)
    noise_share: float  # share of the point means' variance that is seed noise left in them
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def label(self) -> str:
        label = self.outcome + (f" ({self.contrast.label})" if self.contrast else "")
        return self.extra.get("what", "") + label

    @property
    def problem(self) -> dict[str, Any]:
        return designs.problem(self.uncertainties, self.kind)


def open_folder(folder: str | Path | Results) -> Results:
    """The results of a sweep folder; a ScenarioError if it is not one."""
    if isinstance(folder, Results):
        return folder
    path = Path(folder)
    if not (path / "manifest.json").is_file():
        raise no_manifest(path)
    return load(path)


def study(
    folder: str | Path | Results, outcome: str, contrast: str | Contrast | None = None
) -> Study:
    """The per-point values of ``outcome`` (or of its ``contrast``) in ``folder``."""
    results = open_folder(folder)
    spec = results.manifest.get("spec", {})
    kind = spec.get("design", "")
    uncertainties = [Uncertainty(**u) for u in spec.get("uncertainties", [])]
    names = [u.name for u in uncertainties]
    points = pd.DataFrame(spec.get("points", []), columns=names)
    policies = list(results.manifest.get("policies", []))
    if isinstance(contrast, str):
        contrast = Contrast.parse(contrast, policies)
    runs = _runs(results, outcome, names)
    per_run = _per_run(runs, outcome, contrast, policies)
    per_run = per_run[np.isfinite(per_run.to_numpy(dtype=float))]
    missing = sorted(set(range(len(points))) - set(per_run.index.get_level_values("point")))
    if missing:
        raise UndefinedPoints(results.path, outcome, missing, len(points))
    grouped = per_run.groupby(level="point")
    y = grouped.mean().reindex(range(len(points))).to_numpy(dtype=float)
    return Study(
        folder=Path(results.path),
        kind=kind,
        uncertainties=uncertainties,
        points=points,
        outcome=outcome,
        contrast=contrast,
        y=y,
        replicates=int(grouped.size().min()) if len(per_run) else 0,
        seed_share=seed_share(per_run),
        noise_share=noise_share(per_run),
    )


def _runs(results: Results, outcome: str, names: list[str]) -> pd.DataFrame:
    runs = results.ok
    skip = {*RESERVED, *names}
    known = [c for c in runs.columns if c not in skip and pd.api.types.is_numeric_dtype(runs[c])]
    if outcome not in known:
        raise ScenarioError(
            f"outcome {outcome!r} is not in {results.path}; its outcomes: "
            f"{', '.join(known) or 'none (no successful runs)'}"
        )
    return runs[["policy", "point", "replicate", outcome]]


def _per_run(
    runs: pd.DataFrame, outcome: str, contrast: Contrast | None, policies: list[str]
) -> pd.Series:
    """The outcome per (point, replicate): of the one policy, or the contrast's difference."""
    present = sorted(runs["policy"].unique())
    if contrast is None:
        if len(present) > 1:
            raise ScenarioError(
                f"the sweep has {len(present)} policies ({', '.join(present)}): name a "
                "contrast (--contrast policy:A-B) to analyse their paired difference"
            )
        return runs.set_index(["point", "replicate"])[outcome]
    sides = [
        runs[runs["policy"] == p].set_index(["point", "replicate"])[outcome]
        for p in (contrast.a, contrast.b)
    ]
    return sides[0].sub(sides[1]).dropna()


def seed_share(per_run: pd.Series) -> float:
    """The share of run-to-run variance that is within design points (due to seeds)."""
    return stats.within_share(per_run, "point")


#: What ``transform`` may do to the per-point values before the analysis.
TRANSFORMS = ("rank", "positive")


def transform(study: Study, how: str | None) -> Study:
    """The study with its per-point values transformed: ``rank`` (their ranks, 1..n:
    indices robust to a heavy tail) or ``positive`` (1 where the value is above zero,
    else 0: which inputs decide *whether* it is positive)."""
    if how is None:
        return study
    if how not in TRANSFORMS:
        raise ScenarioError(
            f"--transform {how!r} is unknown; choose one of: {', '.join(TRANSFORMS)}"
        )
    y = stats.ranks(study.y) if how == "rank" else (study.y > 0).astype(float)
    what = "rank of " if how == "rank" else "whether > 0: "
    return dataclasses.replace(study, y=y, extra={**study.extra, "transform": how, "what": what})


def noise_share(per_run: pd.Series) -> float:
    """The share of the point means' variance that is seed noise the indices see.

    With common seeds, run (point i, replicate r) = point effect + replicate effect (the
    same seed at every point) + residual. The replicate effect moves every point mean
    alike, so it changes no index; the residual's variance over R stays in the point
    means. Estimated on the points that have every replicate
    (:func:`~aimarket.experiments.analysis.stats.residual_share`)."""
    return stats.residual_share(per_run.unstack("replicate").dropna().to_numpy(dtype=float))


def require(study: Study, kind: str, method: str) -> None:
    """Refuse a folder whose design does not support ``method``, naming why."""
    if study.kind != kind:
        why = {
            "sobol": "Sobol indices need Saltelli's sample (design 'saltelli'): a plain "
            "Sobol sequence, LHS or grid has no paired points to separate each input's share",
            "morris": "elementary effects need Morris trajectories (design 'morris'), "
            "which move one input at a time",
        }[method]
        raise ScenarioError(
            f"{study.folder}: its design is '{study.kind or 'unknown'}'; {why}. Run a sweep "
            f"with design = {{ kind = '{kind}', n = ... }}"
        )
