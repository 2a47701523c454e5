"""Calibrate baseline parameters to the stylized facts dated up to the end of 2024.

    python experiments/calibrate.py                # fit (~5 min on 2 cores), write report
    python experiments/calibrate.py --report-only  # evaluate the current baseline only
    python experiments/calibrate.py --quick --report /tmp/c.md --toml /tmp/c.toml

The fit varies the parameters in :data:`PARAMETERS` within bounds inside their declared
ranges, runs the ``timeline`` scenario (baseline defaults plus the 2023-2026 history) for
its first 24 months (Jan 2023 to Dec 2024) on a few fixed seeds (common random numbers:
the objective is a deterministic function of the parameters), averages each target's
measure over the seeds (geometric mean for ratio targets), and minimizes the sum of
squared normalized misses (:meth:`aimarket.experiments.analysis.targets.Target.miss`) with
``scipy.optimize.differential_evolution`` (fixed seed, ``polish=False``, deferred
updating, so it parallelizes over ``--workers``).

It writes the fitted values to ``experiments/calibrated.toml`` (dotted keys) and the
report ``docs/calibration.md``: each target measured on independent replicates of the
full 48-month timeline at the baseline's developer count, and the timeline's 2025-2026
path, an untuned forecast. The engine's defaults are not edited here: ``--report-only``
evaluates whatever the baseline is, so the report can be regenerated once the fitted
values are written into ``simulation/scenario.py``.
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import shlex
import sys
import time
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

if __package__ in (None, ""):  # run as a script: make the repository importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from aimarket.experiments.analysis import targets as tg
from aimarket.simulation.model import MarketModel
from aimarket.simulation.params import FrozenMap
from aimarket.simulation.scenarios import load_scenario

ROOT = Path(__file__).resolve().parents[1]
REPORT = ROOT / "docs" / "calibration.md"
CALIBRATED = ROOT / "experiments" / "calibrated.toml"
SCENARIO = "timeline"
FIT_MONTHS = 24  # Jan 2023 to Dec 2024
FIT_SEED = 20230101  # root of the fit's common random numbers
REPORT_SEED = 20250101  # root of the report's replicates (independent of the fit's)
DE_SEED = 1


@dataclass(frozen=True)
class Parameter:
    """A calibrated parameter: dotted path, search bounds and its economic role."""

    path: str
    lo: float
    hi: float
    role: str


PARAMETERS: tuple[Parameter, ...] = (
    Parameter(
        "market.compute_cost_decline",
        0.3,
        0.8,
        "annual fall of the compute cost index: the cost side of LLMflation (SF #1)",
    ),
    Parameter(
        "developers.segments.enterprise.price_sensitivity",
        0.1,
        1.5,
        "enterprise price weight: sets closed vendors' logit markups, hence the "
        "closed/open price ratio (SF #4)",
    ),
    Parameter(
        "developers.segments.enterprise.openness_preference",
        -1.0,
        4.0,
        "enterprise taste for open weights (privacy, customization): open share of "
        "enterprise workloads (SF #5)",
    ),
    Parameter(
        "vendors.meta.rd_budget",
        50.0,
        1000.0,
        "the platform's R&D spend on its open model: the open frontier's pace, hence the "
        "open-vs-closed lag (SF #3)",
    ),
    Parameter(
        "innovation.community_quality",
        0.0,
        0.15,
        "community improvements to open weights per developer share: open frontier and "
        "open adoption feed each other (SF #3, #5)",
    ),
    Parameter(
        "entry.runway",
        3.0,
        96.0,
        "months of burn below which a private vendor raises a round: how early large labs "
        "go back to VCs, hence VC concentration (SF #9)",
    ),
)


# -- scenario fields --------------------------------------------------------------------------
def field_info(scenario, dotted: str) -> tuple[float, float | None, float | None, str]:
    """Current value, declared range (lo, hi) and unit of a scenario field by dotted path."""
    node, meta = scenario, None
    for part in dotted.split("."):
        if isinstance(node, FrozenMap):
            node = node[part]
            continue
        fields = {f.name: f for f in dataclasses.fields(node)}
        meta = fields[part].metadata
        node = getattr(node, part)
    meta = meta or {}
    return node, meta.get("lo"), meta.get("hi"), meta.get("unit", "")


def check_bounds(scenario, parameters: Sequence[Parameter] = PARAMETERS) -> None:
    """Every search interval lies inside its field's declared range."""
    for p in parameters:
        _, lo, hi, _ = field_info(scenario, p.path)
        if (lo is not None and p.lo < lo) or (hi is not None and p.hi > hi) or p.lo >= p.hi:
            raise ValueError(f"{p.path}: bounds [{p.lo}, {p.hi}] not inside [{lo}, {hi}]")


def rounded(x: float) -> float:
    """Four significant figures: the value written to the TOML is the one evaluated."""
    return float(f"{x:.4g}")


# -- running ----------------------------------------------------------------------------------
def seeds(root: int, n: int) -> list[np.random.SeedSequence]:
    return [np.random.SeedSequence(root, spawn_key=(i,)) for i in range(n)]


def run_frames(scenario, seed, months: int) -> tg.Frames:
    return tg.Frames.of(MarketModel(scenario, rng=seed).run(months))


def aggregate(values: Sequence[float], log: bool) -> float:
    """Mean over seeds (geometric for ratios), ignoring runs where it is undefined."""
    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x) & ((x > 0) if log else True)]
    if not x.size:
        return float("nan")
    return float(np.exp(np.log(x).mean())) if log else float(x.mean())


#: Squared miss charged when a target is undefined on every seed (e.g. no VC money).
UNDEFINED_MISS = 9.0


def loss(values: Mapping[str, float], targets: Sequence[tg.Target] = tg.TARGETS) -> float:
    total = 0.0
    for t in targets:
        if not t.fit:
            continue
        z = t.miss(values[t.key])
        total += z * z if math.isfinite(z) else UNDEFINED_MISS
    return total


class Objective:
    """Picklable objective: parameters -> sum of squared normalized misses (CRN seeds)."""

    def __init__(self, base, parameters, seed_list, months: int = FIT_MONTHS):
        self.base = base
        self.paths = [p.path for p in parameters]
        self.seeds = seed_list
        self.months = months

    def values(self, x: Sequence[float]) -> dict[str, float]:
        scenario = self.base.with_overrides(dict(zip(self.paths, map(float, x), strict=True)))
        runs = [tg.measure_all(run_frames(scenario, s, self.months)) for s in self.seeds]
        return {t.key: aggregate([r[t.key] for r in runs], t.log) for t in tg.TARGETS}

    def __call__(self, x: Sequence[float]) -> float:
        return loss(self.values(x))


@dataclass
class Fit:
    values: dict[str, float]  # fitted parameters (rounded)
    loss_start: float  # at the current baseline
    loss_fit: float
    nfev: int
    nit: int
    seconds: float
    message: str
    settings: dict
    in_sample: dict[str, float]  # targets on the fit's own seeds at the fitted values


def fit(
    *,
    developers: int,
    n_seeds: int,
    maxiter: int,
    popsize: int,
    workers: int,
    parameters: Sequence[Parameter] = PARAMETERS,
    log=print,
) -> Fit:
    from scipy.optimize import differential_evolution

    base = load_scenario(SCENARIO, {"developers.count": developers})
    check_bounds(base, parameters)
    objective = Objective(base, parameters, seeds(FIT_SEED, n_seeds))
    x0 = [field_info(base, p.path)[0] for p in parameters]
    start = objective(x0)
    log(f"baseline loss {start:.4f}; fitting {len(parameters)} parameters ...")
    t0 = time.perf_counter()
    settings = dict(
        strategy="best1bin",
        maxiter=maxiter,
        popsize=popsize,
        tol=0.01,
        mutation=(0.5, 1.0),
        recombination=0.7,
        seed=DE_SEED,
        polish=False,
        init="latinhypercube",
        updating="deferred",
        workers=workers,
    )
    result = differential_evolution(
        objective,
        bounds=[(p.lo, p.hi) for p in parameters],
        callback=lambda intermediate_result: log(
            f"  f = {intermediate_result.fun:.4f}  ({time.perf_counter() - t0:.0f} s)"
        ),
        **settings,
    )
    seconds = time.perf_counter() - t0
    values = {p.path: rounded(v) for p, v in zip(parameters, result.x, strict=True)}
    in_sample = objective.values(list(values.values()))
    settings.update(developers=developers, seeds=n_seeds, months=FIT_MONTHS, fit_seed=FIT_SEED)
    return Fit(values, start, loss(in_sample), int(result.nfev), int(result.nit), seconds,
               result.message, settings, in_sample)  # fmt: skip


# -- evaluation ---------------------------------------------------------------------------------
HALVES = ("2024-H2", "2025-H1", "2025-H2", "2026-H1", "2026-H2")
SEGMENTS = ("enterprise", "startup", "hobbyist")


def _half(dates: pd.Series) -> pd.Series:
    d = pd.to_datetime(dates)
    return d.dt.year.astype(str) + "-H" + np.where(d.dt.month <= 6, "1", "2")


def _minus_11(month: str) -> str:
    return str(pd.Period(month, freq="M") - 11)


def forecast_rows(frames: tg.Frames) -> pd.DataFrame:
    """One run's half-yearly path of the target quantities, by developer segment."""
    m = frames.market.assign(half=_half(frames.market["date"]))
    rows = []
    for half, df in m.groupby("half"):
        if half not in HALVES:
            continue
        year, h = int(half[:4]), half[-1]
        months = (f"{year}-01", f"{year}-06") if h == "1" else (f"{year}-07", f"{year}-12")
        row = {
            "half": half,
            "fixed_capability_price": df["fixed_capability_price"].mean(),
            "price_fall": tg.annual_price_fall(frames.market, _minus_11(months[1]), months[1]),
            "capability_gap": df["capability_gap"].mean(),
            "capability_lag": tg.capability_lag_years(
                frames.market, period=months, start=tg.WINDOW[0], end=months[1]
            ),
            "price_ratio": df["closed_price"].mean() / df["open_price"].mean(),
            "open_token_share": df["open_token_share"].mean(),
        }
        seg = frames.segments.assign(half=_half(frames.segments["date"]))
        seg = seg[seg["half"] == half]
        for name in SEGMENTS:
            s = seg[seg["segment"] == name]
            row[f"{name}_open_share"] = s["open_token_share"].mean()
            row[f"{name}_price"] = s["mean_price"].mean()
        rows.append(row)
    return pd.DataFrame(rows)


@dataclass
class Evaluation:
    values: pd.DataFrame  # replicate x target
    forecast: pd.DataFrame  # replicate-averaged half-yearly path
    developers: int
    replicates: int
    seconds: float


def evaluate(
    overrides: Mapping[str, float] | None,
    replicates: int,
    developers: int | None,
    scenario_name: str = SCENARIO,
):
    """Targets and the 2025-2026 path on independent replicates of the full timeline (or
    of ``scenario_name`` run for 48 months)."""
    t0 = time.perf_counter()
    scenario = load_scenario(scenario_name, dict(overrides or {}))
    scenario = scenario.with_overrides({"steps": 48})
    if developers:
        scenario = scenario.with_overrides({"developers.count": developers})
    values, paths = [], []
    for seed in seeds(REPORT_SEED, replicates):
        frames = run_frames(scenario, seed, scenario.steps)
        row = tg.measure_all(frames)
        row["gap_over_growth"] = tg.gap_over_growth_years(frames.market)
        values.append(row)
        paths.append(forecast_rows(frames))
    forecast = pd.concat(paths).groupby("half", sort=True).mean().reindex(list(HALVES))
    return Evaluation(
        pd.DataFrame(values),
        forecast,
        scenario.developers.count,
        replicates,
        time.perf_counter() - t0,
    )


def summary(ev: Evaluation) -> pd.DataFrame:
    """Per target: replicate mean, 95% interval of the mean (t) and of single runs."""
    from scipy import stats

    rows = []
    for t in tg.TARGETS:
        x = ev.values[t.key].to_numpy(dtype=float)
        x = x[np.isfinite(x)]
        n = x.size
        mean = float(x.mean()) if n else float("nan")
        half = float(stats.t.ppf(0.975, n - 1) * x.std(ddof=1) / math.sqrt(n)) if n > 1 else 0.0
        lo, hi = np.percentile(x, [2.5, 97.5]) if n else (float("nan"), float("nan"))
        rows.append(
            dict(
                key=t.key,
                mean=mean,
                ci_lo=mean - half,
                ci_hi=mean + half,
                run_lo=float(lo),
                run_hi=float(hi),
                n=n,
                in_band=int(sum(t.hit(v) for v in x)),
                hit=t.hit(mean),
                miss=t.miss(mean),
            )
        )
    return pd.DataFrame(rows).set_index("key")


# -- report -------------------------------------------------------------------------------------
def _plain_section(plain: Evaluation | None) -> list[str]:
    """The same targets on the `baseline` scenario, which has the fitted defaults but not
    the 2023-2024 history (the platform is open from January 2023; no leak, no pivot)."""
    if plain is None:
        return []
    s = summary(plain)
    fitted_targets = [t for t in tg.TARGETS if t.fit]
    hits = int(sum(s.loc[t.key, "hit"] for t in fitted_targets))
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
        f"{len(fitted_targets)}** fitted targets:",
        "",
        *_table(["target", "target (accept)", "baseline mean", "runs in band", "result"], rows),
        "",
    ]


def _g(x: float, digits: int = 3) -> str:
    if x is None or not math.isfinite(x):
        return "n/a"
    return f"{x:.{digits}g}"


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    return out


def _result(r: pd.Series) -> str:
    if r["n"] == 0:
        return "**MISS** (undefined in every run)"
    return "hit" if r["hit"] else f"**MISS** (z = {_g(r['miss'], 2)})"


def read_calibrated(path: Path) -> dict[str, float]:
    if not path.is_file():
        return {}
    return {str(k): float(v) for k, v in tomllib.loads(path.read_text()).items()}


def write_calibrated(path: Path, fitted: Fit) -> None:
    lines = [
        "# Calibrated baseline values, written by experiments/calibrate.py: dotted keys of",
        "# aimarket.simulation.scenario.Scenario. See docs/calibration.md for targets and fit.",
        f"# loss {fitted.loss_fit:.4f} (baseline before the fit: {fitted.loss_start:.4f})",
    ]
    lines += [f'"{k}" = {v!r}' for k, v in fitted.values.items()]
    path.write_text("\n".join(lines) + "\n")


def render(
    ev: Evaluation,
    *,
    command: str,
    evaluated: str,
    overrides: Mapping[str, float],
    fitted: Fit | None,
    calibrated: Mapping[str, float],
    plain: Evaluation | None = None,
) -> str:
    baseline = load_scenario("baseline")
    s = summary(ev)
    fitted_targets = [t for t in tg.TARGETS if t.fit]
    hits = int(sum(s.loc[t.key, "hit"] for t in fitted_targets))
    out = [
        "# Calibration report",
        "",
        f"Generated by `{command}` (`experiments/calibrate.py`; targets in "
        "`experiments/targets.py`). Do not edit by hand.",
        "",
        f"Evaluated: {evaluated}. Scenario `{SCENARIO}` (baseline defaults plus the 2023-2026 "
        f"history), {ev.replicates} independent replicates (seeds `SeedSequence({REPORT_SEED}, "
        f"spawn_key=(i,))`), {ev.developers:,} developers, 48 months. Targets are measured on "
        f"January 2023 to December 2024; **{hits} of {len(fitted_targets)} fitted targets "
        "hit** (replicate mean inside the acceptance band; diagnostics are reported, not "
        "fitted).",
        "",
        "## Targets (dated up to end-2024)",
        "",
    ]
    rows = []
    for t in tg.TARGETS:
        r = s.loc[t.key]
        sample = [_g(fitted.in_sample[t.key])] if fitted is not None else []
        rows.append(
            [
                f"SF #{t.sf}: {t.name}" + ("" if t.fit else " (not fitted)"),
                f"{t.figure} ({t.source}, {t.date})",
                f"{t.value:g} ({t.band()})",
                f"**{_g(r['mean'])}**",
                f"{_g(r['ci_lo'])} to {_g(r['ci_hi'])}",
                f"{_g(r['run_lo'])} to {_g(r['run_hi'])}",
                f"{r['in_band']}/{r['n']}",
                *sample,
                _result(r),
            ]
        )
    out += _table(
        [
            "target",
            "figure (source, date)",
            "target (accept)",
            "model mean",
            "95% CI of mean",
            "95% of runs",
            "runs in band",
            *(["fit seeds (in-sample)"] if fitted is not None else []),
            "result",
        ],
        rows,
    )
    out += [
        "",
        "Model mean, intervals and hit/miss are over the report's replicates, which are "
        "independent of the seeds the fit used; a 95% CI of the mean uses Student's t, and "
        "'95% of runs' is the 2.5-97.5 percentile range of single runs. Where a target is "
        "undefined in a run (see below), the run is left out and the count shows it.",
        "",
        "How each is measured:",
        "",
    ]
    out += [f"- **{t.key}** (SF #{t.sf}): {t.how}." for t in tg.TARGETS]
    gog = ev.values["gap_over_growth"].to_numpy(dtype=float)
    out += [
        "",
        "The lag's alternative reading, the 2024 mean capability gap divided by the closed "
        f"frontier's 2024 growth rate, is {_g(np.nanmean(gog))} years (replicate mean; a "
        "diagnostic, not fitted). A miss `z` is normalized so the acceptance band is "
        "[-1, 1] (log scale for ratios); negative means below the target.",
        "",
        *_plain_section(plain),
        "## Calibrated parameters",
        "",
    ]
    prow = []
    for p in PARAMETERS:
        cur, lo, hi, unit = field_info(baseline, p.path)
        used = overrides.get(p.path, cur)
        prow.append(
            [
                f"`{p.path}`",
                p.role,
                f"[{_g(p.lo)}, {_g(p.hi)}] in [{_g(lo)}, {_g(hi)}]",
                unit or "-",
                _g(cur, 4),
                _g(calibrated[p.path], 4) if p.path in calibrated else "-",
                _g(used, 4),
            ]
        )
    out += _table(
        [
            "parameter",
            "role",
            "search bounds in declared range",
            "unit",
            "baseline default now",
            "calibrated.toml",
            "evaluated here",
        ],
        prow,
    )
    if fitted is not None:
        st = fitted.settings
        out += [
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
            f"{fitted.nfev} evaluations, {fitted.seconds:.0f} s wall time ({fitted.message}).",
        ]
    else:
        out += [
            "",
            "This report was generated without fitting (`--report-only`): it evaluates the "
            "baseline as it is now. `calibrated.toml` holds the last fit's values; where they "
            "differ from the baseline default, they have not been applied to "
            "`simulation/scenario.py` yet.",
        ]
    f = ev.forecast
    fc = [
        [
            h + (" (fitted period)" if h == "2024-H2" else ""),
            _g(f.loc[h, "fixed_capability_price"]),
            _g(f.loc[h, "price_fall"]),
            _g(f.loc[h, "capability_gap"]),
            _g(f.loc[h, "capability_lag"]),
            _g(f.loc[h, "price_ratio"]),
            _g(f.loc[h, "open_token_share"]),
        ]
        for h in HALVES
    ]
    seg = [
        [h + (" (fitted period)" if h == "2024-H2" else "")]
        + [_g(f.loc[h, f"{n}_open_share"], 2) for n in SEGMENTS]
        + [_g(f.loc[h, f"{n}_price"]) for n in SEGMENTS]
        for h in HALVES
    ]
    out += [
        "",
        "## Forecast: the timeline's 2025-2026 path (untuned)",
        "",
        "**Untuned forecast, to be compared with later data.** Nothing after December 2024 "
        "was used to choose any parameter; the January 2025 efficient open entrant "
        "(DeepSeek, SF #11) is an input event of the timeline. Half-yearly means over the "
        f"{ev.replicates} replicates; 2024-H2 is shown as the fitted anchor.",
        "",
    ]
    out += _table(
        [
            "half-year",
            "fixed-capability price ($/Mtok)",
            "its annualized fall (x/yr)",
            "capability gap (frontier-years)",
            "lag (years)",
            "closed/open price ratio",
            "open token share (all)",
        ],
        fc,
    )
    out += ["", "By developer segment: open token share and mean price paid.", ""]
    out += _table(
        ["half-year"]
        + [f"{n} open share" for n in SEGMENTS]
        + [f"{n} price ($/Mtok)" for n in SEGMENTS],
        seg,
    )
    out += [
        "",
        "The annualized fall is fitted on the 12 months ending with the half-year; the lag "
        "uses the target's definition, averaged over the half-year's months.",
        "",
    ]
    return "\n".join(out)


# -- command line -------------------------------------------------------------------------------
def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="calibrate.py",
        description="Fit baseline parameters to end-2024 stylized facts; write the report.",
    )
    parser.add_argument("--report-only", action="store_true", help="evaluate the current "
                        "baseline against the targets and write the report; no fit")  # fmt: skip
    parser.add_argument("--quick", action="store_true", help="a tiny fit (tests: seconds)")
    parser.add_argument("--report", type=Path, default=REPORT, help="report path (markdown)")
    parser.add_argument("--toml", type=Path, default=CALIBRATED, help="fitted values path")
    parser.add_argument("--developers", type=int, default=2000, help="developers in the fit")
    parser.add_argument("--seeds", type=int, default=3, help="common random seeds in the fit")
    parser.add_argument("--maxiter", type=int, default=25, help="DE generations")
    parser.add_argument("--popsize", type=int, default=5, help="DE population per parameter")
    parser.add_argument("--workers", type=int, default=2, help="processes for the fit")
    parser.add_argument("--replicates", type=int, default=10, help="report replicates")
    parser.add_argument("--report-developers", type=int, default=0,
                        help="developers in report runs (0: the baseline's count)")  # fmt: skip
    args = parser.parse_args(argv)
    if args.quick:
        args.developers, args.seeds, args.maxiter, args.popsize = 200, 1, 1, 2
        args.workers, args.replicates = 1, 2
        args.report_developers = args.report_developers or 200
    command = "python experiments/calibrate.py " + shlex.join(
        list(sys.argv[1:] if argv is None else argv)
    )
    command = command.strip()
    calibrated = read_calibrated(args.toml)
    fitted = None
    if args.report_only:
        overrides: dict[str, float] = {}
        evaluated = "the current baseline defaults (no overrides)"
    else:
        fitted = fit(
            developers=args.developers,
            n_seeds=args.seeds,
            maxiter=args.maxiter,
            popsize=args.popsize,
            workers=args.workers,
        )
        write_calibrated(args.toml, fitted)
        calibrated = dict(fitted.values)
        overrides = dict(fitted.values)
        evaluated = f"baseline defaults with the fitted values of `{args.toml.name}` applied"
        print(f"fit: loss {fitted.loss_start:.4f} -> {fitted.loss_fit:.4f} in "
              f"{fitted.seconds:.0f} s; wrote {args.toml}")  # fmt: skip
    ev = evaluate(overrides, args.replicates, args.report_developers or None)
    plain = evaluate(overrides, args.replicates, args.report_developers or None, "baseline")
    text = render(
        ev,
        command=command,
        evaluated=evaluated,
        overrides=overrides,
        fitted=fitted,
        calibrated=calibrated,
        plain=plain,
    )
    args.report.parent.mkdir(parents=True, exist_ok=True)
    args.report.write_text(text)
    s = summary(ev)
    for t in tg.TARGETS:
        r = s.loc[t.key]
        print(f"{t.key:24s} {r['mean']:10.4g}  [{t.band()}]  {'hit' if r['hit'] else 'MISS'}")
    print(f"wrote {args.report} ({ev.seconds:.0f} s of evaluation)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
