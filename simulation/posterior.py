"""The calibration's posterior ensemble, shipped as data: ``simulation/data/posterior.csv``.

One row per draw, equally weighted, one column per calibrated uncertainty record (by name;
a record may set several scenario paths). The calibration
(``python -m aimarket.experiments.analysis.calibrate``) writes it together with
``calibrated.toml``, which holds the posterior's median and is what ``baseline`` and
``timeline`` use. The sweep design ``posterior`` runs an experiment across the draws
(:func:`draws`).
"""

from __future__ import annotations

import warnings
from pathlib import Path

import pandas as pd

from aimarket.simulation.errors import ScenarioError
from aimarket.simulation.uncertainties import UNCERTAINTIES

POSTERIOR = Path(__file__).resolve().parent / "data" / "posterior.csv"
#: The shipped draws' health record, written with them: the final population's Kish
#: effective sample size, the number of distinct draws, each generation's threshold and ESS.
SIDECAR = POSTERIOR.with_name("posterior.json")


class StalePosteriorWarning(UserWarning):
    """The shipped posterior was fitted to mechanisms that have changed since."""


def table(path: Path = POSTERIOR) -> pd.DataFrame:
    """The posterior draws by record name (one row per draw)."""
    path = Path(path)
    if not path.is_file():
        raise ScenarioError(
            f"no posterior ensemble at {path}: run the calibration "
            "(python -m aimarket.experiments.analysis.calibrate)"
        )
    frame = pd.read_csv(path)
    retired = [c for c in frame.columns if UNCERTAINTIES.retired(c)]
    if retired:
        warnings.warn(
            f"{path.name} is stale: it was fitted before the economics rework (its "
            f"parameters {retired} were retired); the draws run without them until "
            "python -m aimarket.experiments.analysis.calibrate is re-run",
            StalePosteriorWarning,
            stacklevel=2,
        )
        frame = frame.drop(columns=retired)
    unknown = [c for c in frame.columns if c not in UNCERTAINTIES]
    if unknown:
        raise ScenarioError(f"{path.name}: columns {unknown} are not uncertainty records")
    return frame


def draws(n: int | None = None, path: Path = POSTERIOR) -> pd.DataFrame:
    """The first ``n`` draws (all when ``n`` is None), one column per record name."""
    frame = table(path)
    if n is None:
        return frame
    if not 1 <= n <= len(frame):
        raise ScenarioError(
            f"design 'posterior': n = {n} must be between 1 and {len(frame)} "
            "(the draws in the posterior ensemble)"
        )
    return frame.iloc[:n].reset_index(drop=True)
