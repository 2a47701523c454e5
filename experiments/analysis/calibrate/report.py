"""The calibration report, ``docs/calibration.md``: the targets hit and missed on the
timeline and on the baseline, the calibrated parameters, the fit's settings and the
untuned 2025-2026 forecast. Tables are rendered by
:func:`aimarket.experiments.analysis.tables.markdown_table`."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from aimarket.experiments.analysis import targets as tg
from aimarket.experiments.analysis.calibrate.measures import (
    HALVES,
    REPORT_SEED,
    SEGMENTS,
    Evaluation,
    summary,
)
from aimarket.experiments.analysis.calibrate.search import PARAMETERS, SCENARIO, Fit, field_info
from aimarket.experiments.analysis.tables import markdown_table
from aimarket.simulation.scenarios import load_scenario

#: Where the calibration's code and targets live, as the report names them.
SOURCE = "`aimarket.experiments.analysis.calibrate`; targets in `experiments/analysis/targets.py`"


def _g(x: float, digits: int = 3) -> str:
    if x is None or not math.isfinite(x):
        return "n/a"
    return f"{x:.{digits}g}"


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    return [markdown_table(pd.DataFrame(list(rows), columns=list(header)))]


def _result(r: pd.Series) -> str:
    if r["n"] == 0:
        return "**MISS** (undefined in every run)"
    return "hit" if r["hit"] else f"**MISS** (z = {_g(r['miss'], 2)})"


def _hits(s: pd.DataFrame) -> tuple[int, int]:
    """(fitted targets hit, fitted targets)."""
    fitted_targets = [t for t in tg.TARGETS if t.fit]
    return int(sum(s.loc[t.key, "hit"] for t in fitted_targets)), len(fitted_targets)


def _targets_section(ev: Evaluation, fitted: Fit | None) -> list[str]:
    s = summary(ev)
    rows = []
    for t in tg.TARGETS:
        r = s.loc[t.key]
        sample = [_g(fitted.in_sample[t.key])] if fitted is not None else []
        rows.append(
            [f"SF #{t.sf}: {t.name}" + ("" if t.fit else " (not fitted)"),
             f"{t.figure} ({t.source}, {t.date})", f"{t.value:g} ({t.band()})",
             f"**{_g(r['mean'])}**", f"{_g(r['ci_lo'])} to {_g(r['ci_hi'])}",
             f"{_g(r['run_lo'])} to {_g(r['run_hi'])}", f"{r['in_band']}/{r['n']}", *sample,
             _result(r)]
        )  # fmt: skip
    header = ["target", "figure (source, date)", "target (accept)", "model mean",
              "95% CI of mean", "95% of runs", "runs in band",
              *(["fit seeds (in-sample)"] if fitted is not None else []), "result"]  # fmt: skip
    gog = ev.values["gap_over_growth"].to_numpy(dtype=float)
    return [
        "## Targets (dated up to end-2024)",
        "",
        *_table(header, rows),
        "",
        "Model mean, intervals and hit/miss are over the report's replicates, which are "
        "independent of the seeds the fit used; a 95% CI of the mean uses Student's t, and "
        "'95% of runs' is the 2.5-97.5 percentile range of single runs. Where a target is "
        "undefined in a run (see below), the run is left out and the count shows it.",
        "",
        "How each is measured:",
        "",
        *[f"- **{t.key}** (SF #{t.sf}): {t.how}." for t in tg.TARGETS],
        "",
        "The lag's alternative reading, the 2024 mean capability gap divided by the closed "
        f"frontier's 2024 growth rate, is {_g(np.nanmean(gog))} years (replicate mean; a "
        "diagnostic, not fitted). A miss `z` is normalized so the acceptance band is "
        "[-1, 1] (log scale for ratios); negative means below the target.",
        "",
    ]


def _plain_section(plain: Evaluation | None) -> list[str]:
    """The same targets on the `baseline` scenario, which has the fitted defaults but not
    the 2023-2024 history (the platform is open from January 2023; no leak, no pivot)."""
    if plain is None:
        return []
    s = summary(plain)
    hits, fitted = _hits(s)
    rows = [
        [f"SF #{t.sf}: {t.name}", f"{t.value:g} ({t.band()})", f"**{_g(s.loc[t.key, 'mean'])}**",
         f"{s.loc[t.key, 'in_band']}/{s.loc[t.key, 'n']}", _result(s.loc[t.key])]
        for t in tg.TARGETS
    ]  # fmt: skip
    return [
        "## The `baseline` scenario against the same targets",
        "",
        "The fit runs on the timeline, which replays the 2023-2024 events on top of the "
        "baseline's defaults. The `baseline` scenario has the same (fitted) defaults but "
        "not the history: the platform releases open weights from January 2023, with no "
        f"leak and no pivot. On {plain.replicates} replicates it hits **{hits} of "
        f"{fitted}** fitted targets:",
        "",
        *_table(["target", "target (accept)", "baseline mean", "runs in band", "result"], rows),
        "",
    ]


def _parameters_section(overrides: Mapping[str, float], before: Mapping[str, float]):
    baseline = load_scenario("baseline")
    rows = []
    for p in PARAMETERS:
        cur, lo, hi, unit = field_info(baseline, p.path)
        rows.append(
            [f"`{p.path}`", p.role, f"[{_g(p.lo)}, {_g(p.hi)}] in [{_g(lo)}, {_g(hi)}]",
             unit or "-", _g(before.get(p.path, cur), 4), _g(overrides.get(p.path, cur), 4)]
        )  # fmt: skip
    header = ["parameter", "role", "search bounds in declared range", "unit",
              "calibrated.toml before this run", "evaluated here"]  # fmt: skip
    return ["## Calibrated parameters", "", *_table(header, rows)]


def _fit_section(fitted: Fit | None, toml: str) -> list[str]:
    if fitted is None:
        return [
            "",
            "This report was generated without fitting (`--report-only`): it evaluates the "
            f"baseline as it is now, whose calibrated values are those of `{toml}`.",
        ]
    st = fitted.settings
    return [
        "",
        f"Fit: `scipy.optimize.differential_evolution` ({st['strategy']}, popsize "
        f"{st['popsize']}, maxiter {st['maxiter']}, tol {st['tol']}, mutation "
        f"{st['mutation']}, recombination {st['recombination']}, seed {st['seed']}, "
        f"init {st['init']}, polish False, updating deferred, workers {st['workers']}). "
        f"Objective: sum of squared normalized misses of the targets, each averaged over "
        f"{st['seeds']} fixed seeds (common random numbers, `SeedSequence({st['fit_seed']}, "
        f"spawn_key=(i,))`; geometric mean for ratios) on the timeline's first "
        f"{st['months']} months with {st['developers']:,} developers. Loss "
        f"{fitted.loss_start:.3f} at the baseline, {fitted.loss_fit:.3f} at the fit "
        f"(rounded to 4 significant figures); {fitted.nit} generations, "
        f"{fitted.nfev} evaluations, {fitted.seconds:.0f} s wall time ({fitted.message}). "
        f"The fitted values are written to `{toml}`, so they are the baseline's from now on.",
    ]


def _forecast_section(ev: Evaluation) -> list[str]:
    f = ev.forecast
    halves = [h + (" (fitted period)" if h == "2024-H2" else "") for h in HALVES]
    columns = {
        "fixed_capability_price": "fixed-capability price ($/Mtok)",
        "price_fall": "its annualized fall (x/yr)",
        "capability_gap": "capability gap (frontier-years)",
        "capability_lag": "lag (years)",
        "price_ratio": "closed/open price ratio",
        "open_token_share": "open token share (all)",
    }
    path = pd.DataFrame({"half-year": halves})
    for key, title in columns.items():
        path[title] = [_g(f.loc[h, key]) for h in HALVES]
    segments = pd.DataFrame({"half-year": halves})
    for n in SEGMENTS:
        segments[f"{n} open share"] = [_g(f.loc[h, f"{n}_open_share"], 2) for h in HALVES]
    for n in SEGMENTS:
        segments[f"{n} price ($/Mtok)"] = [_g(f.loc[h, f"{n}_price"]) for h in HALVES]
    return [
        "",
        "## Forecast: the timeline's 2025-2026 path (untuned)",
        "",
        "**Untuned forecast, to be compared with later data.** Nothing after December 2024 "
        "was used to choose any parameter; the January 2025 efficient open entrant "
        "(DeepSeek, SF #11) is an input event of the timeline. Half-yearly means over the "
        f"{ev.replicates} replicates; 2024-H2 is shown as the fitted anchor.",
        "",
        markdown_table(path),
        "",
        "By developer segment: open token share and mean price paid.",
        "",
        markdown_table(segments),
        "",
        "The annualized fall is fitted on the 12 months ending with the half-year; the lag "
        "uses the target's definition, averaged over the half-year's months.",
        "",
    ]


def render(
    ev: Evaluation,
    *,
    command: str,
    evaluated: str,
    overrides: Mapping[str, float],
    fitted: Fit | None,
    before: Mapping[str, float],
    plain: Evaluation | None = None,
    toml: str = "simulation/data/calibrated.toml",
) -> str:
    """The report as Markdown. ``before``: the calibrated values (dotted paths) read from
    ``toml`` before this run; ``overrides``: the values evaluated (the fit's, or none)."""
    hits, fitted_targets = _hits(summary(ev))
    out = [
        "# Calibration report",
        "",
        f"Generated by `{command}` ({SOURCE}). Do not edit by hand.",
        "",
        f"Evaluated: {evaluated}. Scenario `{SCENARIO}` (baseline defaults plus the 2023-2026 "
        f"history), {ev.replicates} independent replicates (seeds `SeedSequence({REPORT_SEED}, "
        f"spawn_key=(i,))`), {ev.developers:,} developers, 48 months. Targets are measured on "
        f"January 2023 to December 2024; **{hits} of {fitted_targets} fitted targets "
        "hit** (replicate mean inside the acceptance band; diagnostics are reported, not "
        "fitted).",
        "",
        *_targets_section(ev, fitted),
        *_plain_section(plain),
        *_parameters_section(overrides, before),
        *_fit_section(fitted, toml),
        *_forecast_section(ev),
    ]
    return "\n".join(out)
