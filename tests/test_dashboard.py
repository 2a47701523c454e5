"""The dashboard's parts without a browser: controls generated from the records, the
runs it steps (compare mode on common random numbers), the charts and the readout, and
the ``aimarket dashboard`` command's refusals and clean stop."""

from __future__ import annotations

import gc
import signal
import socket
import weakref

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
import pytest
from conftest import frame_digest, free_port, run_cli, small_scenario, start_dashboard

pytest.importorskip("solara", reason="the dashboard extra is not installed")

from aimarket import MarketModel
from aimarket.dashboard import app, charts, controls, server, svg
from aimarket.dashboard.runs import DashboardModel
from aimarket.simulation import plots
from aimarket.simulation.policies import POLICIES
from aimarket.simulation.uncertainties import UNCERTAINTIES

SMALL = 300


def small_model(scenario: str = "baseline", **values) -> DashboardModel:
    """A dashboard model of ``SMALL`` developers; ``values`` are controls."""
    params = controls.model_params(scenario)
    start = app.start_values(params)
    start.update({"developers": SMALL, **values})
    return DashboardModel(**start)


def test_controls_are_generated_from_the_records():
    params = controls.model_params("baseline")
    scenario = small_scenario()
    policies = [k for k in params if k.startswith(controls.POLICY_PREFIX)]
    assert policies == [controls.POLICY_PREFIX + v for v in controls.platforms_first(scenario)]
    assert policies[0] == "policy_meta" and len(policies) == len(scenario.vendors)
    for key in policies:
        assert params[key]["values"] == [controls.SCENARIO_OWN, *POLICIES.names()]
    calibrated = [u for u in UNCERTAINTIES if u.calibrated]
    assert calibrated, "no uncertainty is marked calibrated"
    for u in calibrated:
        slider = params[u.name]
        assert (slider["min"], slider["max"]) == (u.lo, u.hi)
        assert u.lo <= slider["value"] <= u.hi
        steps = (slider["value"] - u.lo) / slider["step"]  # starts on a step: shown as it is
        assert steps == pytest.approx(round(steps), abs=1e-6), u.name
        assert (u.hi - u.lo) / slider["step"] >= controls.SLIDER_STEPS
    assert set(params["scenario"]["values"]) >= {"baseline", "meta_closed"}
    assert params["defaults"]["seed"] == 0 and "defaults" not in params["defaults"]


def test_untouched_controls_keep_the_scenario_and_moved_ones_override_it():
    params = controls.model_params("baseline")
    start = app.start_values(params)
    scenario = small_scenario()
    defaults = start.pop("defaults")
    assert controls.overrides(scenario, start, defaults) == {}
    u = controls.main_uncertainties()[0]  # whichever record the calibration infers first
    value = float(f"{u.lo + 0.37 * (u.hi - u.lo):.3g}")
    assert value != start[u.name]
    moved = {**start, "policy_meta": "closed", u.name: value, "developers": 500}
    assert controls.overrides(scenario, moved, defaults) == {
        "vendors.meta.policy": "closed",
        **{path: value for path in u.paths},
        "developers.count": 500,
    }
    model = small_model(policy_meta="closed", **{u.name: value})
    assert model.scenario.vendors["meta"].policy == "closed"
    assert controls.value_at(model.scenario, u.paths[0]) == pytest.approx(value)


def test_compare_mode_runs_the_platform_open_and_closed_on_the_same_seed():
    model = small_model(compare=True, seed=5)
    assert [run.key for run in model.runs] == ["open", "closed"]
    for _ in range(4):
        model.step()
    for run in model.runs:
        alone = small_scenario(vendors__meta__policy=run.key)
        expected = MarketModel(alone, rng=5).run(4).market_frame()
        assert frame_digest(model.frames(run).market) == frame_digest(expected)
    values = model.readout()
    assert values["month"] == 4 and values["open"]["policy"] == "open"
    assert values["closed"]["policy"] == "closed"
    difference = values["open"]["payoff"] - values["closed"]["payoff"]
    assert values["payoff_difference"] == pytest.approx(difference)


def test_the_dashboard_stops_at_the_scenario_horizon():
    model = small_model()
    model.horizon = 2
    model.step()
    assert model.running
    model.step()
    assert not model.running and model.steps == 2


def test_month_zero_shows_the_scenario_start_month():
    model = small_model()
    start = pd.Period(model.scenario.market.start, "M")
    assert model.date() == str(start)
    model.step()
    assert model.date() == str(start)  # the first step runs the start month
    model.step()
    assert model.date() == str(start + 1)


@pytest.mark.parametrize("compare", [False, True])
def test_every_chart_draws_before_and_after_the_first_month(compare):
    model = small_model(compare=compare)
    for name, chart in charts.CHARTS.items():
        assert not chart(model).panels and charts.EMPTY in svg.chart_html(chart(model)), name
        assert charts.figure(chart(model)).axes, name
    for _ in range(3):
        model.step()
    for name, draw in charts.CHARTS.items():
        chart = draw(model)
        assert len(chart.panels) >= len(model.runs), name
        page = svg.chart_html(chart)
        assert page.count("<svg") == len(chart.panels) and 'data-month="3"' in page, name
        assert len(charts.figure(chart).axes) >= len(chart.panels), name
    shown = "".join(app.tab_html(model, tab) for tab in charts.TABS)
    assert all(f'id="aimarket-chart-{name}"' in shown for name in charts.CHARTS)


def test_the_compare_payoff_difference_has_its_own_axis_and_every_panel_a_legend():
    """Month 24, seed 1, 10,000 developers: the difference panel is scaled to its own
    data (on an axis shared with the payoffs it was a flat line whenever it was small)."""
    params = app.start_values(controls.model_params("baseline"))
    model = DashboardModel(**{**params, "compare": True, "seed": 1})
    for _ in range(24):
        model.step()
    chart = charts.payoff(model)
    difference = chart.panels[0]
    assert difference.title.startswith("Paired difference") and len(chart.panels) == 3
    lo, hi = difference.data_range()
    own = hi - lo
    assert own > 0
    figure = charts.figure(chart)
    figure.draw_without_rendering()
    bottom, top = figure.axes[0].get_ylim()
    assert top - bottom <= 10 * own, (bottom, top, own)
    page_bottom, page_top, _ = svg.y_scale(difference)
    assert page_top - page_bottom <= 10 * own
    for ax, panel in zip(figure.axes[: len(chart.panels)], chart.panels, strict=True):
        legend = ax.get_legend()
        assert legend is not None, panel.title
        assert [t.get_text() for t in legend.get_texts()] == [s.label for s in panel.series]
        assert legend.get_window_extent().y1 <= ax.get_window_extent().y0, panel.title


def test_svg_panels_scale_their_own_data_and_leave_gaps_where_values_are_missing():
    dates = pd.date_range("2023-01-01", periods=6, freq="MS")
    line = charts.Series("price", "#000000", np.array([3.0, 40.0, np.nan, 8.0, 9.0, 0.5]))
    prices = charts.Panel("prices", "$", dates, (line,), log=True)
    assert svg.y_scale(prices) == (0.1, 100.0, [0.1, 1.0, 10.0, 100.0])
    assert svg.panel_html(prices).count("<polyline") == 2  # no line through the gap
    stack = tuple(charts.Series(n, "#123456", np.full(6, 0.25), "area") for n in "abc")
    assert charts.Panel("shares", "", dates, stack).data_range() == (0.0, 0.75)
    bottom, top, ticks = svg.y_scale(charts.Panel("small", "", dates, (line,)))
    assert bottom <= 0.5 and 40 <= top <= 50 and ticks[0] == bottom and ticks[-1] == top


def test_shocks_are_marked_in_the_month_they_fire():
    model = small_model("timeline")
    for _ in range(3):
        model.step()
    fired = [e for e in model.runs[0].model.events if e[1:] == ("meta", "weights leaked")]
    assert fired, model.runs[0].model.events
    start = model.scenario.market.start
    when = plots.events_frame(fired, start)["date"].iloc[0]
    chart = charts.prices(model)
    assert (when, "meta: weights leaked") in chart.panels[0].events
    figure = charts.figure(chart)
    marks = [line for line in figure.axes[0].lines if len(set(line.get_xdata())) == 1]
    assert any(mdates.date2num(line.get_xdata()[0]) == mdates.date2num(when) for line in marks)
    assert any("weights leaked" in t.get_text() for t in figure.axes[0].texts)
    assert "meta: weights leaked</text>" in svg.chart_html(chart)


def test_payoff_parts_add_up_to_the_payoff():
    model = small_model()
    for _ in range(5):
        model.step()
    parts = charts.payoff_parts(model, model.runs[0])
    total = parts[list(charts.PARTS)].sum(axis=1)
    assert total.to_numpy() == pytest.approx(parts["payoff"].to_numpy())
    assert (parts["R&D cost"] < 0).all() and (parts["complement revenue"] >= 0).all()


def test_the_readout_is_plain_text_with_stable_ids():
    model = small_model(compare=True)
    model.step()
    text = app.readout_html(model)
    for key in ("aimarket-month", "aimarket-policy", "aimarket-open-share", "aimarket-payoff",
                "aimarket-policy-closed", "aimarket-payoff-difference"):  # fmt: skip
        assert f'id="{key}"' in text, key
    assert '<dd id="aimarket-month">1</dd>' in text


def test_a_replaced_model_is_freed():
    """Reset replaces the model: the old markets must not stay in memory."""
    model = small_model(compare=True)
    model.step()
    market = weakref.ref(model.runs[1].model)
    model = small_model(compare=True)
    gc.collect()
    assert market() is None


def test_only_loopback_addresses_are_local():
    assert server.is_loopback("127.0.0.1") and server.is_loopback("::1")
    assert server.is_loopback("localhost") and server.is_loopback("127.0.0.2")
    assert not server.is_loopback("0.0.0.0") and not server.is_loopback("10.0.0.1")


def test_a_port_in_use_is_refused_in_one_line():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        done = run_cli(["dashboard", "--port", str(port)], timeout=120)
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and f"port {port}" in lines[0] and "in use" in lines[0], done.stderr
    assert "Traceback" not in done.stderr


def test_a_bad_scenario_is_refused_in_one_line():
    done = run_cli(["dashboard", "--scenario", "baselin"], timeout=120)
    assert done.returncode == 2
    assert "did you mean 'baseline'" in done.stderr and len(done.stderr.splitlines()) == 1


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_the_server_stops_cleanly(stop):
    port = free_port()
    process = start_dashboard(port)
    process.send_signal(stop)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    assert f"http://127.0.0.1:{port}/" in out and "Traceback" not in err
    with pytest.raises(OSError):  # nothing listens any more
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
