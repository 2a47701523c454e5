"""`aimarket report DIR` on a (shrunk) flagship sweep: report.md and its figures."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import POLICIES, tiny_sweep
from PIL import Image

from aimarket.cli import main
from aimarket.experiments import cli as experiments_cli
from aimarket.experiments import format_comparison, load, run_sweep
from aimarket.experiments.analysis import aggregate as agg
from aimarket.experiments.analysis import figures as fig
from aimarket.experiments.analysis.report import write_report
from aimarket.experiments.engine.spec import load_spec
from aimarket.simulation.report import format_number

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def flagship(tmp_path_factory):
    """The flagship open_vs_closed sweep in quick mode, shrunk further for the suite:
    all four policies and uncertainties, fewer points, months and developers."""
    sweep = load_spec(REPO / "experiments" / "open_vs_closed.py").variant(quick=True)
    sweep = dataclasses.replace(
        sweep,
        n=4,
        replicates=2,
        steps=24,
        overrides={**sweep.overrides, "developers.count": 150},
    )
    out = tmp_path_factory.mktemp("flagship") / "open_vs_closed"
    summary = run_sweep(sweep, out, executor="serial", progress=False)
    assert summary.exit_code == 0
    return out


def nontrivial_png(path) -> None:
    assert path.stat().st_size > 10_000, path
    with Image.open(path) as im:
        assert im.format == "PNG"
        assert im.width >= 400 and im.height >= 250, (path, im.size)
        pixels = np.asarray(im.convert("L"))
    assert pixels.std() > 5, path  # not a blank canvas
    assert len(np.unique(pixels)) > 20, path


def test_report_command_writes_markdown_and_figures(flagship, capsys, monkeypatch):
    monkeypatch.setattr(experiments_cli, "_interactive", lambda: True)  # as at a terminal
    assert main(["report", str(flagship)]) == 0
    captured = capsys.readouterr()
    printed = captured.out.strip()
    report = flagship / "report" / "report.md"
    assert printed.endswith(str(report))
    progress = captured.err.splitlines()  # what it is doing, while it does it
    assert progress[0] == f"aimarket report: reading {flagship} ..."
    assert any(line.startswith("aimarket report: figure 1 of ") for line in progress)
    text = report.read_text()
    for section in ("## The sweep", "## Policy comparison", "Paired differences", "## Figures"):
        assert section in text
    for policy in ("closed", "open", "open_lagged", "open_then_closed"):  # a table row each
        assert re.search(rf"^\| {policy} +\|", text, re.MULTILINE), policy
    assert "complement_strength" in text
    pngs = sorted((flagship / "report").glob("*.png"))
    assert len(pngs) >= 4
    for png in pngs:
        nontrivial_png(png)
        assert f"]({png.name})" in text  # every figure is shown in the report


def test_report_to_another_folder(flagship, tmp_path):
    assert main(["report", str(flagship), "--out", str(tmp_path / "rep")]) == 0
    assert (tmp_path / "rep" / "report.md").is_file()


def test_report_refuses_a_folder_that_is_not_a_sweep(tmp_path, capsys):
    assert main(["report", str(tmp_path / "missing")]) == 2
    err = capsys.readouterr().err
    assert "not a sweep results folder" in err
    assert len(err.strip().splitlines()) == 1


def test_every_figure_function_draws(flagship, tmp_path):
    results = load(flagship)
    drawn = {
        "series": fig.plot_series(results, "closed_price", log=True, band="spread"),
        "contrast_series": fig.plot_contrast_series(results, "platform_payoff"),
        "phase_mean": fig.plot_phase(
            results, "open_token_share", "imitation", "openness_preference", policy="open",
            reference=None,
        ),
        "developer_shares": fig.plot_shares(results, value="developer_share"),
    }  # fmt: skip
    for name, figure in drawn.items():
        nontrivial_png(fig.save(figure, tmp_path / f"{name}.png"))


def test_policy_colours_are_the_run_figures_colours():
    from aimarket.simulation.plots import POLICY_COLORS

    colors = fig.policy_colors(["open_then_closed", "custom", "closed"])
    assert colors["closed"] == POLICY_COLORS["closed"]
    assert colors["open_then_closed"] == POLICY_COLORS["open_then_closed"]
    assert colors["custom"] not in POLICY_COLORS.values()
    assert not set(fig.VENDOR_COLORS.values()) & set(POLICY_COLORS.values())


def test_export_writes_integer_seeds_plain_floats_and_no_empty_failures(flagship, tmp_path):
    out = tmp_path / "export"
    (out).mkdir()
    (out / "failures.csv").write_text("run_id,error\nold,stale\n")  # an earlier export's
    assert main(["export", str(flagship), "--out", str(out)]) == 0
    assert not (out / "failures.csv").exists()  # nothing failed: no file
    runs = pd.read_csv(out / "runs.csv")
    assert runs["seed"].dtype.kind == "i" and runs["seed_point"].dtype.kind == "i"
    assert (runs["seed"] == load(flagship).manifest["spec"]["seed"]).all()
    stored = load(flagship).ok.set_index("run_id")["seed"]
    rebuilt = runs["seed"].astype(str) + "/" + runs["seed_point"].astype(str)
    assert (rebuilt + "." + runs["replicate"].astype(str)).tolist() == stored[
        runs["run_id"]
    ].tolist()
    market = (out / "market.csv").read_text().splitlines()
    header = market[0].split(",")
    floats = [v for line in market[1:] for k, v in zip(header, line.split(","), strict=True)
              if k in ("closed_price", "hhi", "platform_payoff") and "." in v]  # fmt: skip
    assert floats
    digits = [len(v.lstrip("-").replace(".", "").lstrip("0").split("e")[0]) for v in floats]
    assert max(digits) <= 9  # float32 round-trips in 9 digits; a double would show 17


def test_policies_identical_in_every_pair_are_named_and_both_drawn(tmp_path):
    never = {"vendors.meta.policy": "open_then_closed", "vendors.meta.switch_share": 1.01,
             "vendors.meta.switch_step": -1, "vendors.meta.anticipation": 0.0}  # fmt: skip
    policies = {**POLICIES, "open_then_closed": never}
    sweep = tiny_sweep(policies=policies, n=2, replicates=1, steps=4, series=("market",))
    out = tmp_path / "same"
    assert run_sweep(sweep, out, executor="serial", progress=False).exit_code == 0
    results = load(out)
    assert agg.identical_policies(results) == [("open", "open_then_closed")]
    printed = format_comparison(results)
    assert "Note: 'open_then_closed' gave exactly the same value as 'open'" in printed
    report = write_report(out).read_text()
    assert "'open_then_closed' gave exactly the same value as 'open' for every outcome" in report
    figure = fig.plot_series(results, "closed_price")
    drawn = {line.get_label(): line for line in figure.axes[0].get_lines()}
    twin, first = drawn["open_then_closed (= open in every pair)"], drawn["open"]
    assert twin.get_color() != first.get_color()
    assert twin.get_linestyle() != first.get_linestyle() and twin.get_marker() != first.get_marker()


def test_different_policies_are_not_called_identical(flagship):
    pairs = agg.identical_policies(load(flagship))
    assert ("closed", "open") not in pairs and ("open", "closed") not in pairs


def test_series_summaries_read_compactly_by_steps_are_unchanged(flagship, monkeypatch):
    """The report's time-series summaries keep values in single precision only where that
    is exact and describe a few steps at a time: the same table as from the full frame."""
    from aimarket.experiments.analysis.aggregate import summaries

    results = load(flagship)
    metrics = ["closed_price", "open_token_share", "capability_gap"]  # the gap is derived
    at_once = agg.summarize_series(results, metrics)  # a small sweep: all steps at once
    by_frame = agg.summarize_series(results.market, metrics)
    monkeypatch.setattr(summaries, "CHUNK_ROWS", 50)  # a few steps per chunk
    chunked = agg.summarize_series(results, metrics)
    pd.testing.assert_frame_equal(chunked, at_once, check_exact=True)
    # the full frame gives the same numbers (its policy column keeps pandas' str dtype)
    pd.testing.assert_frame_equal(chunked, by_frame, check_exact=True, check_dtype=False)
    assert chunked["step"].nunique() == 24 and set(chunked["metric"]) == set(metrics)
    keys = ("policy", "vendor")
    vendors = agg.summarize_series(results, ["token_share"], keys, table="vendors")
    by_frame = agg.summarize_series(results.vendors, ["token_share"], keys)
    pd.testing.assert_frame_equal(vendors, by_frame, check_exact=True, check_dtype=False)


def test_numbers_of_one_row_are_separated_alike():
    """A run's summary row reads -2,554 ... -13,207 ... 9,040, not -2554 ... -13,207."""
    row = [-2554.3, -13207.2, -3133.0, 9040.4, 16346.0, 1275.0, 999.6, 14.0, 0.0123, 2.5]
    texts = [format_number(x) for x in row]
    assert texts == ["-2,554", "-13,207", "-3,133", "9,040", "16,346", "1,275", "1,000", "14",
                     "0.0123", "2.50"]  # fmt: skip
