"""Calibration: target measurements on synthetic frames with known answers, the ABC
problem (priors, seeds, distance), the posterior shipped as data and its sweep design, a
tiny end-to-end calibration, resuming after a kill, and the committed documents."""

from __future__ import annotations

import json
import math
import os
import signal
import subprocess
import sys
import time
import tomllib
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from aimarket.experiments import Sweep
from aimarket.experiments.analysis import calibrate, stats
from aimarket.experiments.analysis import targets as tg
from aimarket.experiments.analysis.calibrate import abc, cli, problem, report, smc
from aimarket.experiments.engine.plan import Plan
from aimarket.simulation import posterior
from aimarket.simulation.errors import ScenarioError
from aimarket.simulation.scenarios import load_scenario
from aimarket.simulation.uncertainties import UNCERTAINTIES

ROOT = Path(__file__).resolve().parents[1]


def dates(n: int, start: str = "2023-01") -> list[pd.Timestamp]:
    first = pd.Period(start, freq="M")
    return [(first + k).to_timestamp() for k in range(n)]


def market(n: int = 24, **columns) -> pd.DataFrame:
    df = pd.DataFrame({"step": np.arange(1, n + 1), "date": dates(n)})
    for name, values in columns.items():
        df[name] = values
    return df


# -- measurement functions on synthetic frames ----------------------------------------------
def test_price_falling_tenfold_a_year_gives_ten():
    t = np.arange(24)
    df = market(fixed_capability_price=60.0 * 10.0 ** (-t / 12))
    assert math.isclose(tg.annual_price_fall(df), 10.0, rel_tol=1e-9)


def test_price_fall_uses_only_the_window_and_skips_zero_prices():
    t = np.arange(36)
    price = 5.0 * 4.0 ** (-t / 12)
    price[3] = 0.0  # no priced model that month
    price[30:] = 1e-9  # after the window: ignored
    df = market(36, fixed_capability_price=price)
    assert math.isclose(tg.annual_price_fall(df, "2023-01", "2024-12"), 4.0, rel_tol=1e-9)
    assert math.isnan(tg.annual_price_fall(market(24, fixed_capability_price=np.zeros(24))))


def test_capability_lag_of_a_follower_one_year_behind_is_twelve_months():
    # Closed frontier grows 1 frontier-year a year from 1.0; open trails it by exactly 1.0.
    closed = 1.0 + np.arange(24) / 12
    df = market(closed_frontier=closed, open_frontier=closed - 1.0)
    assert math.isclose(tg.capability_lag_months(df), 12.0, rel_tol=1e-9)
    assert math.isclose(tg.frontier_gain(df), 1.0, rel_tol=1e-9)
    assert math.isclose(tg.frontier_gain(df, 2023), 1.0, rel_tol=1e-9)  # 11 months, scaled


def test_capability_lag_interpolates_and_skips_months_without_open_models():
    # Closed frontier 0.5/yr from 1.0; open at 1.25 in Dec 2024: reached in month 6 of
    # 2023 (July), so the lag in Dec 2024 (month 23) is 17 months.
    t = np.arange(24)
    closed = 1.0 + 0.5 * t / 12
    df = market(closed_frontier=closed, open_frontier=np.where(t >= 12, 1.25, 0.0))
    assert math.isclose(tg.capability_lag_months(df), 17.0, rel_tol=1e-9)
    none = market(closed_frontier=closed, open_frontier=np.zeros(24))
    assert math.isnan(tg.capability_lag_months(none))


def test_segment_open_share_is_token_weighted_in_the_month():
    rows = []
    for k, d in enumerate(dates(24)):
        rows.append({"date": d, "segment": "startup", "tokens": 3.0,
                     "open_token_share": 0.5 if k == 23 else 0.0})  # fmt: skip
        rows.append({"date": d, "segment": "hobbyist", "tokens": 1.0, "open_token_share": 0.9})
        rows.append({"date": d, "segment": "enterprise", "tokens": 9.0, "open_token_share": 0.1})
    seg = pd.DataFrame(rows)
    assert math.isclose(tg.segment_open_share(seg, tg.ROUTER_SEGMENTS), (1.5 + 0.9) / 4)
    assert math.isclose(tg.segment_open_share(seg, ("enterprise",)), 0.1)


def test_price_ratio_is_the_ratio_in_december():
    t = np.arange(24)
    df = market(closed_price=np.where(t == 23, 8.0, 100.0), open_price=np.ones(24))
    assert math.isclose(tg.price_ratio(df), 8.0)
    assert math.isnan(tg.price_ratio(market(closed_price=np.ones(24), open_price=np.zeros(24))))


def vendors_frame(rounds: list[tuple[str, str, str, float]], revenue: float = 0.0) -> pd.DataFrame:
    rows = [
        {"date": pd.Period(month, freq="M").to_timestamp(), "vendor": v, "policy": p,
         "funding": f, "api_revenue": revenue}
        for month, v, p, f in rounds
    ]  # fmt: skip
    return pd.DataFrame(rows)


def test_vc_shares_on_known_rounds():
    vf = vendors_frame(
        [
            ("2023-02", "a", "closed", 500.0),
            ("2023-08", "a", "closed", 300.0),
            ("2023-09", "b", "open_lagged", 100.0),
            ("2023-10", "c", "open", 60.0),
            ("2024-05", "c", "open", 60.0),
            ("2024-05", "d", "closed", 40.0),
            ("2025-03", "c", "open", 10_000.0),  # after the window
        ]
    )
    assert math.isclose(tg.vc_top2_share(vf), 900.0 / 960.0)
    assert math.isclose(tg.vc_open_share(vf), 220.0 / 1060.0)
    assert math.isclose(tg.vc_volume(vf), 0.1)  # 2024 only, $B
    assert math.isnan(tg.vc_open_share(vendors_frame([("2023-02", "a", "closed", 0.0)])))


def test_two_or_fewer_funded_vendors_count_as_full_concentration():
    two = vendors_frame([("2023-02", "a", "closed", 200.0), ("2023-05", "b", "open", 100.0)])
    assert tg.vc_top2_share(two) == 1.0
    assert tg.vc_top2_share(vendors_frame([("2023-02", "a", "closed", 0.0)])) == 1.0


def test_api_shares_shift_and_survival_on_known_revenue():
    rows = []
    revenues = {2023: {"openai": 50, "anthropic": 10, "google": 40},
                2024: {"openai": 30, "anthropic": 30, "google": 40, "x": 900}}  # fmt: skip
    for year, revenue in revenues.items():
        for vendor, r in revenue.items():
            rows.append({"date": pd.Timestamp(f"{year}-12-01"), "vendor": vendor,
                         "api_revenue": float(r), "funding": 0.0, "policy": "closed"})  # fmt: skip
    vf = pd.DataFrame(rows)
    assert math.isclose(tg.api_share(vf, "openai"), 0.3)  # "x" is not a named vendor
    assert math.isclose(tg.api_shift(vf, "anthropic"), 0.2)
    assert tg.named_alive(vf) == 0.0  # meta and mistral are missing
    present = pd.concat([vf, vf.iloc[:2].assign(vendor=["meta", "mistral"])])
    assert tg.named_alive(present, "2023-12") == 1.0


def test_normalized_miss_maps_the_band_to_unit_interval():
    for t in (*tg.TARGETS, *tg.BACKTEST):
        assert t.miss(t.value) == 0.0
        assert t.hit(t.lo) and t.hit(t.value) and t.hit(t.hi)
        if t.lo < t.value:
            assert math.isclose(t.miss(t.lo), -1.0)
        if t.hi > t.value:
            assert math.isclose(t.miss(t.hi), 1.0)
        assert math.isnan(t.miss(float("nan")))
    ratio = tg.by_key("price_fall")  # log scale: 10 -> 30 is one band, 30 -> 90 two
    assert math.isclose(ratio.miss(90.0), 2.0)
    alive = tg.by_key("named_alive")  # the figure is the band's top: no division by zero
    assert alive.miss(1.0) == 0.0 and math.isclose(alive.miss(0.0), -10.0)


def test_band_hits_need_every_quantity_of_the_band():
    means = {t.key: t.value for t in tg.TARGETS}
    assert all(tg.band_hits(means).values()) and len(tg.band_hits(means)) == 12
    hits = tg.band_hits({**means, "openai_api_shift": 0.1})
    assert not hits["api_shares"] and sum(hits.values()) == 11
    hits = tg.band_hits({**means, "anthropic_revenue": 1.2})
    assert not hits["revenue_scale"] and sum(hits.values()) == 11


# -- the ABC problem ------------------------------------------------------------------------
def test_priors_are_the_calibrated_records_ranges_and_never_value_open_negatively():
    draws = abc.to_values(np.random.default_rng(1).random((300, len(problem.records()))))
    corners = abc.to_values(
        np.array([[0.0] * len(problem.records()), [1.0] * len(problem.records())])
    )
    for u in problem.records():
        x = draws[u.name].to_numpy()
        assert u.lo <= x.min() and x.max() <= u.hi, u.name
        assert corners[u.name].tolist() == pytest.approx([u.lo, u.hi]), u.name
        if u.log_scale:  # log-uniform: the geometric midpoint is the median
            assert np.median(x) == pytest.approx(math.sqrt(u.lo * u.hi), rel=0.25)
        if "openness" in u.name:
            assert u.lo >= 0.0
    over = problem.overrides({u.name: u.lo for u in problem.records()})
    shared = [u for u in problem.records() if len(u.paths) > 1]  # one value, several paths
    assert shared and all(over[path] == u.lo for u in shared for path in u.paths)


def test_each_draw_has_its_own_seed_and_the_same_draw_the_same_run():
    values = {u.name: (u.lo + u.hi) / 2 for u in problem.records()}
    other = {**values, "runway": values["runway"] + 1e-9}
    assert problem.draw_seed(values, 1) == problem.draw_seed(dict(reversed(values.items())), 1)
    assert len({problem.draw_seed(values, 1), problem.draw_seed(values, 2),
                problem.draw_seed(other, 1)}) == 3  # fmt: skip
    sim = problem.Simulator(developers=200)
    a, b = sim(values), sim(values)
    assert a == b or all(x == y or (math.isnan(x) and math.isnan(y)) for x, y in
                         zip(a.values(), b.values(), strict=True))  # fmt: skip
    assert set(a) == {t.key for t in (*tg.TARGETS, *tg.BACKTEST)}
    assert np.allclose(abc.to_cube(abc.to_values(np.full((1, len(values)), 0.3))), 0.3)


def test_replicates_average_runs_seeded_from_the_draw():
    values = {u.name: (u.lo + u.hi) / 2 for u in problem.records()}
    one, two = problem.Simulator(developers=200), problem.Simulator(developers=200, root=20230102)
    mean = problem.Simulator(developers=200, replicates=2)(values)
    a, b = one(values), two(values)
    for k, v in mean.items():
        if math.isfinite(a[k]) and math.isfinite(b[k]):
            assert v == pytest.approx((a[k] + b[k]) / 2), k


def test_distance_is_at_most_one_inside_every_band_and_clips_misses():
    d = problem.Distance()
    assert d(problem.observed(tg.TARGETS)) == 0.0
    edges = {t.key: t.lo for t in tg.TARGETS}
    assert math.isclose(d(edges), 1.0) or d(edges) < 1.0
    undefined = {**problem.observed(tg.TARGETS), "price_ratio": float("nan")}
    far = {**problem.observed(tg.TARGETS), "price_ratio": 1e9}
    assert math.isclose(d(undefined), d(far)) and math.isclose(
        d(far), 3 / math.sqrt(len(tg.TARGETS))
    )


def test_weighted_median_and_resampling():
    assert stats.weighted_median([1.0, 2.0, 3.0], [0.1, 0.1, 0.8]) == 3.0
    assert list(stats.weighted_quantiles([3.0, 1.0, 2.0], [1, 1, 2], [0.2, 0.5, 1.0])) == [1, 2, 3]
    inf = abc.Inference(Path("x"), pd.DataFrame({"a": [1.0, 2.0]}), np.array([0.25, 0.75]),
                        pd.DataFrame(), 0, 0.0, abc.QUICK)  # fmt: skip
    draws = abc.resample(inf, 100)
    assert (draws["a"] == 2.0).sum() == 75 and abc.resample(inf, 100).equals(draws)


# -- the posterior as data, and the sweep design over it -------------------------------------
def test_shipped_posterior_keeps_every_parameter_s_meaning(recwarn):
    """The shipped posterior is of the current calibrated records (no stale warning);
    its draws and the calibrated values lie inside their records' ranges; the baseline is
    built from calibrated.toml."""
    draws = posterior.table()
    assert not [w for w in recwarn if issubclass(w.category, posterior.StalePosteriorWarning)]
    assert set(draws.columns) == {u.name for u in problem.records()} and len(draws) >= 100
    values = calibrate.read_calibrated()
    for u in problem.records():
        if u.name in draws:
            assert u.lo <= draws[u.name].min() and draws[u.name].max() <= u.hi, u.name
        for path in u.paths:
            if path in values:
                assert u.lo <= values[path] <= u.hi, path
    baseline = load_scenario("baseline").to_dict()
    assert baseline["entry"]["erosion"] == values["entry.erosion"]
    assert calibrate.CALIBRATED == ROOT / "simulation" / "data" / "calibrated.toml"


def test_posterior_design_runs_the_draws():
    plan = Plan.build(Sweep(name="p", design="posterior", n=3, steps=2))
    assert len(plan.points) == 3 and list(plan.points.columns) == list(posterior.table().columns)
    first = posterior.table().iloc[0]
    over = plan.point_overrides[0]
    for name in first.index:
        for path in UNCERTAINTIES[name].paths:
            assert over[path] == pytest.approx(first[name])
    with pytest.raises(ScenarioError, match="takes no uncertainties"):
        Plan.build(Sweep(name="p", design="posterior", uncertainties=["runway"]))
    with pytest.raises(ScenarioError, match="between 1 and"):
        Plan.build(Sweep(name="p", design="posterior", n=10**6))


# -- end to end -----------------------------------------------------------------------------
def test_quick_calibration_writes_every_file(tmp_path):
    """The one command at a tiny budget writes the values, the draws, both documents, the
    figure and the ODD block (resuming is checked after a kill, below)."""
    docs = tmp_path / "docs"
    docs.mkdir()
    stale = f"intro\n{report.ODD_BEGIN}\nSTALE-BLOCK\n{report.ODD_END}\nrest\n"
    (docs / "ODD.md").write_text(stale)
    committed = calibrate.CALIBRATED.read_bytes()
    argv = ["--quick", "--store", str(tmp_path / "store"), "--data", str(tmp_path / "data"),
            "--docs", str(docs)]  # fmt: skip
    assert cli.main(argv) == 0
    assert calibrate.CALIBRATED.read_bytes() == committed  # the model's own data untouched
    for f in ("data/calibrated.toml", "data/posterior.csv", "data/posterior.json",
              "docs/calibration.md",
              "docs/forecast.md", "docs/figures/forecast.png", "store/fit/meta.json",
              "store/backtest/gen-0000.npz"):  # fmt: skip
        assert (tmp_path / f).stat().st_size > 0, f
    text = (docs / "calibration.md").read_text()
    for t in tg.TARGETS:
        assert f"SF #{t.sf}" in text and t.name in text
    assert "Identifiability" in text and "Backtest" in text
    assert "conditional on the January 2025" in (docs / "forecast.md").read_text()
    odd = (docs / "ODD.md").read_text()
    assert "STALE-BLOCK" not in odd and "Commoditize the complement" in odd
    assert odd.startswith("intro\n") and odd.endswith("rest\n")
    assert tomllib.loads((tmp_path / "data/calibrated.toml").read_text())["base"] == "firms.toml"
    record = json.loads((tmp_path / "data/posterior.json").read_text())
    shipped = pd.read_csv(tmp_path / "data/posterior.csv")
    assert record["ess"] >= abc.QUICK.population / 4 == record["needed"]
    assert record["distinct"] == len(shipped.drop_duplicates()) >= 4
    assert [g["t"] for g in record["generations"]] == [0, 1, 2]
    assert "Kish ESS" in text


KILL_SCRIPT = """
import sys
from pathlib import Path
from aimarket.experiments.analysis.calibrate import abc
abc.infer(Path(sys.argv[1]), budget=abc.Budget(population=12, generations=5, minutes=600,
          simulations=10**6, min_acceptance=0.0, developers=100, workers=1,
          replicates=1), log=lambda *_: None)
"""


def _generations(store: Path) -> list[tuple[int, float]]:
    state = smc.load(store)
    return [] if state is None else [(r["t"], r["epsilon"]) for r in state.rows]


def test_calibration_resumes_after_a_kill(tmp_path):
    """Killed (SIGKILL) once its second generation is stored, the inference resumes from
    its store: the stored generations are kept and the rest are added."""
    store = tmp_path / "fit"
    proc = subprocess.Popen([sys.executable, "-c", KILL_SCRIPT, str(store)])
    try:
        while len(_generations(store)) < 2 and proc.poll() is None:
            time.sleep(0.05)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait()
    before = _generations(store)
    assert 2 <= len(before) < 5, "the inference finished before the kill"
    # the budget under test is the generations: a wall-time budget of minutes could end the
    # resumed run early on a host whose clock jumps (a paused CI machine did, at 5 minutes)
    budget = abc.Budget(population=12, generations=5, minutes=600, simulations=10**6,
                        min_acceptance=0.0, developers=100, workers=1, replicates=1)  # fmt: skip
    inf = abc.infer(store, budget=budget, log=lambda *_: None)
    after = _generations(store)
    assert after[: len(before)] == before and [t for t, _ in after] == list(range(5))
    assert len(inf.population) == 12


class FakeClock:
    """The budget's clock: one second later at each read."""

    def __init__(self, step: float = 1.0):
        self.t, self.step = -step, step

    def __call__(self) -> float:
        self.t += self.step
        return self.t


def test_the_time_budget_ends_a_generation_midway(tmp_path, monkeypatch):
    """The wall-time budget stops sampling inside a generation. A clock that reaches the
    deadline (one minute) after 60 reads, one per evaluation, ends an inference of 40
    generations there: no simulation starts after it, and the generations finished
    before it are kept."""
    clock = FakeClock()
    monkeypatch.setattr(abc, "_now", clock)
    started = []
    simulate = problem.Simulator.__call__

    def counted(self, values):
        started.append(clock.t)
        return simulate(self, values)

    monkeypatch.setattr(problem.Simulator, "__call__", counted)
    budget = abc.Budget(population=6, generations=40, minutes=1.0, simulations=10**6,
                        min_acceptance=0.0, developers=100, workers=1, replicates=1)  # fmt: skip
    inf = abc.infer(tmp_path / "fit", budget=budget, log=lambda *_: None)
    assert 1 <= len(inf.generations) < 40 and len(inf.population) == 6
    assert started and max(started) < 60  # nothing began once the deadline passed
    assert len(started) <= 60  # one per clock read


def test_minutes_count_across_resumes(tmp_path, monkeypatch):
    """A store whose generations already took the whole budget is not fitted further
    by a rerun with the same --minutes; a larger budget resumes it."""
    budget = abc.Budget(population=6, generations=8, minutes=600, simulations=10**6,
                        min_acceptance=0.0, developers=100, workers=1, replicates=1)  # fmt: skip
    store = tmp_path / "fit"
    first = abc.infer(store, budget=replace(budget, generations=2), log=lambda *_: None)
    state = smc.load(store)
    state.rows[-1]["seconds"] = 3600.0  # as if the two generations took an hour
    smc._save(store, state)
    same = abc.infer(store, budget=replace(budget, minutes=60), log=lambda *_: None)
    assert len(same.generations) == len(first.generations) == 2
    more = abc.infer(store, budget=replace(budget, generations=3), log=lambda *_: None)
    assert len(more.generations) == 3


def test_an_evaluator_past_its_deadline_simulates_nothing(monkeypatch):
    calls = []
    monkeypatch.setattr(problem.Simulator, "__call__", lambda self, v: calls.append(1))
    for workers in (1, 2):
        ev = abc.Evaluator(replace(abc.QUICK, workers=workers), tg.TARGETS, deadline=-1.0)
        try:
            assert ev(np.full((4, len(problem.records())), 0.5)) is None
        finally:
            ev.close()
    assert not calls


def test_pooled_and_in_process_evaluations_agree():
    u = np.random.default_rng(2).random((6, len(problem.records())))
    out = []
    for workers in (1, 2):
        ev = abc.Evaluator(replace(abc.QUICK, workers=workers), tg.TARGETS, deadline=np.inf)
        try:
            out.append(ev(u))
        finally:
            ev.close()
    assert np.array_equal(out[0], out[1]) and len(out[0]) == 6


def test_a_budget_too_short_for_one_generation_is_one_line(tmp_path, monkeypatch):
    monkeypatch.setattr(abc, "_now", FakeClock(step=1e6))  # past the deadline at once
    with pytest.raises(ScenarioError, match="ended before the first generation") as info:
        abc.infer(tmp_path / "fit", budget=abc.QUICK, log=lambda *_: None)
    assert "\n" not in str(info.value)


# -- the committed documents ----------------------------------------------------------------
def test_committed_documents_cover_every_target_parameter_and_answer():
    text = (ROOT / "docs" / "calibration.md").read_text()
    assert "python -m aimarket.experiments.analysis.calibrate" in text
    assert "Made before the economics rework" not in text
    missing = {t.key for t in (*tg.TARGETS, *tg.BACKTEST) if t.name not in text}
    missing |= {u.name for u in problem.records() if f"`{u.name}`" not in text}
    assert missing == set()
    odd = (ROOT / "docs" / "ODD.md").read_text()
    block = odd.split(report.ODD_BEGIN)[1].split(report.ODD_END)[0]
    for question in ("Commoditize the complement", "Scorched earth", "The Linux of AI",
                     "Open now, closed later"):  # fmt: skip
        assert question in text and question in block
    forecast = (ROOT / "docs" / "forecast.md").read_text()
    assert "conditional on the January 2025" in forecast and "2026Q4" in forecast
    assert (ROOT / "docs" / "figures" / "forecast.png").stat().st_size > 0


def test_the_shipped_posterior_is_healthy_by_its_stored_record():
    """The shipped draws' sidecar says the final population had an effective sample size
    of at least 100, and the shipped file itself has at least 100 distinct rows."""
    record = json.loads(posterior.SIDECAR.read_text())
    shipped = pd.read_csv(posterior.POSTERIOR)
    assert record["ess"] >= 100 and record["needed"] == 100
    assert len(shipped.drop_duplicates()) >= 100 and record["distinct"] >= 100
    assert set(shipped.columns) == {u.name for u in problem.records()}
    assert [g["t"] for g in record["generations"]] == list(range(len(record["generations"])))


# -- degeneracy -----------------------------------------------------------------------------
def _inference(weights, rows, population=400):
    names = [u.name for u in problem.records()]
    frame = pd.DataFrame([[float(r + k) for k in range(len(names))] for r in rows], columns=names)
    generations = pd.DataFrame({"t": [0], "epsilon": [1.0], "simulations": [10],
                                "acceptance": [None], "moves": [0], "ess": [abc.kish(weights)],
                                "distinct": [len(set(rows))]})  # fmt: skip
    return abc.Inference(store=Path("abc.db"), population=frame, weights=np.asarray(weights),
                         generations=generations, simulations=10, seconds=1.0,
                         budget=abc.Budget(population=population))  # fmt: skip


def test_kish_effective_sample_size_on_known_weights():
    assert abc.kish(np.ones(50)) == pytest.approx(50.0)
    assert abc.kish([1.0, 0.0, 0.0, 0.0]) == pytest.approx(1.0)
    assert abc.kish([3.0, 1.0]) == pytest.approx(16.0 / 10.0)
    assert abc.kish([]) == 0.0


def test_a_degenerate_posterior_is_refused_with_exit_3_and_nothing_written(tmp_path, monkeypatch):
    """One particle holding (almost) all the weight, as the posterior of ec6fa75 did: the
    command exits 3 in one line naming the ESS and the distinct count, and leaves the data
    folder as it was."""
    data = tmp_path / "data"
    data.mkdir()
    (data / "posterior.csv").write_text("old draws\n")
    weights = np.r_[1.0, np.full(399, 1e-9)]
    fit = _inference(weights, rows=range(400))
    monkeypatch.setattr(cli.abc, "infer", lambda *a, **k: fit)
    argv = ["--store", str(tmp_path / "store"), "--data", str(data), "--docs", str(tmp_path)]
    assert cli.main(argv) == cli.EXIT_DEGENERATE
    assert sorted(p.name for p in data.iterdir()) == ["posterior.csv"]
    assert (data / "posterior.csv").read_text() == "old draws\n"


def test_a_collapsed_last_generation_falls_back_to_the_last_healthy_one(tmp_path):
    """Generation 1 holds 400 distinct particles, generation 2 collapses onto 5 copies:
    the population to ship is generation 1's (its particles and distances), the record
    keeps both generations; with no healthy generation the collapsed one is returned
    (and refused by the caller)."""
    dim = len(problem.records())
    rng = np.random.default_rng(0)
    spread = rng.random((400, dim))
    collapsed = np.repeat(spread[:5], 80, axis=0)
    rows = [smc._row(0, 2.0, 400, 0, 0, 0, spread), smc._row(1, 1.5, 400, 60, 400, 3, spread),
            smc._row(2, 1.2, 400, 4, 400, 3, collapsed)]  # fmt: skip
    for t, u in ((1, spread), (2, collapsed)):
        smc._save(tmp_path, smc.State(t, u, np.full(400, 1.0 + t), rows[: t + 1]))
    record = pd.DataFrame(rows).rename(columns={"evaluations": "simulations"})
    final = abc.Inference(store=tmp_path, population=abc.to_values(collapsed),
                          weights=np.ones(400), generations=record[list(abc.GENERATION_COLUMNS)],
                          simulations=1200, seconds=1.0, budget=abc.Budget(population=400),
                          distances=np.full(400, 3.0))  # fmt: skip
    assert abc.health(final, final.population).ess == pytest.approx(5.0)
    shipped = abc.last_healthy(final, log=lambda _: None)
    assert shipped.generation == 1
    assert np.allclose(abc.to_cube(shipped.population), spread)
    assert (shipped.distances == 2.0).all()
    assert len(shipped.generations) == 3  # the record keeps the collapsed generation
    assert abc.health(shipped, shipped.population).healthy
    none_healthy = replace(final, generations=final.generations.assign(ess=5.0))
    assert abc.last_healthy(none_healthy, log=lambda _: None) is none_healthy


def test_the_refusal_names_ess_and_distinct_draws_in_one_line(tmp_path, monkeypatch, capsys):
    fit = _inference(np.ones(400), rows=[0] * 400)  # every particle the same vector: ESS 1
    monkeypatch.setattr(cli.abc, "infer", lambda *a, **k: fit)
    argv = ["--store", str(tmp_path / "s"), "--data", str(tmp_path / "d"), "--docs", str(tmp_path)]
    assert cli.main(argv) == 3
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert "Kish effective sample size 1.0 and 1 distinct draws" in err[0]
    assert "nothing written" in err[0] and not any((tmp_path / "d").glob("*"))


def test_health_thresholds_full_and_quick():
    fit = _inference(np.ones(16), rows=range(16), population=16)
    draws = abc.resample(fit, 200)
    assert not abc.health(fit, draws).healthy  # 16 effective draws < 100
    quick = abc.health(fit, draws, quick=True)
    assert quick.healthy and quick.needed == 4 and quick.distinct == 16
