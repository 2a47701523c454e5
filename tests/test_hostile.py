"""Issue 26: no silent wrong results from coercion, resume or damaged files, and no hangs
or tracebacks on hostile input. Each test reproduces one finding of the issue."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from aimarket.experiments.engine.spec import Sweep
from aimarket.simulation.errors import ScenarioError


def _plan(**kw):
    return Sweep(name="t", steps=3, **kw).plan()


@pytest.mark.parametrize(
    ("uncertainties", "design", "said"),
    [
        ({"mechanisms.venture": ["false", "true"]}, "grid", "not a true/false"),
        ({"mechanisms.venture": (0.0, 1.0)}, "lhs", "two-level factor"),
        ({"vendors.mistral.open_lag": [1.5, 2.5]}, "grid", "not an integer"),
        ({"vendors.mistral.open_lag": (1, 5)}, "lhs", "would be rounded"),
        ({"vendors.meta.policy": {"values": ["open"], "mode": "scale"}}, "grid", "scaled"),
    ],
)
def test_design_values_are_refused_rather_than_coerced(uncertainties, design, said):
    with pytest.raises(ScenarioError, match=said):
        _plan(uncertainties=uncertainties, design=design, n=4)


@pytest.mark.parametrize(
    "spec", [{"lo": 0, "hi": 10**400}, (0, 10**400), [-(10**400), 1], {"range": [0, 10**400]}]
)
def test_a_range_bound_beyond_a_float_is_refused_in_one_line(spec):
    with pytest.raises(ScenarioError, match="is not a finite number"):
        _plan(uncertainties={"innovation.imitation_speed": spec}, design="lhs", n=4)


def test_a_points_table_of_0_and_1_for_a_boolean_is_refused_not_cast():
    with pytest.raises(ScenarioError, match="not a true/false"):
        _plan(design=pd.DataFrame({"mechanisms.venture": [0, 1]}))


def test_a_boolean_is_a_two_level_factor_and_the_runs_table_says_what_the_model_got():
    plan = _plan(uncertainties={"mechanisms.venture": [False, True], "vendors.meta.open_lag": [3]})
    assert [o["mechanisms.venture"] for o in plan.point_overrides] == [False, True]
    assert plan.table()["mechanisms.venture"].tolist() == [False, True]
    lhs = _plan(uncertainties={"mechanisms.venture": [False, True]}, design="lhs", n=8)
    got = [o["mechanisms.venture"] for o in lhs.point_overrides]
    assert set(got) == {False, True}
    assert lhs.table()["mechanisms.venture"].tolist() == got


def test_an_option_the_base_leaves_unset_can_be_swept_and_numpy_scalars_are_accepted():
    plan = _plan(uncertainties={"vendors.meta.open_lag": [1, 2]})
    assert [o["vendors.meta.open_lag"] for o in plan.point_overrides] == [1, 2]
    plan = _plan(overrides={"vendors.mistral.open_lag": np.int64(3)})
    assert plan.base["vendors"]["mistral"]["open_lag"] == 3


# -- finding 8 and 9: hangs and tracebacks on hostile input --------------------------------
def test_run_outside_0_to_1200_months_is_refused_in_one_line(make_scenario):
    from aimarket.simulation.model import MarketModel

    model = MarketModel(make_scenario(developers=40, steps=2))

    def no_step():
        raise AssertionError("run() stepped instead of refusing")

    model.step = no_step  # so a run of 10**9 months fails at once instead of hanging
    for steps in (-1, 10**9, 2.5):
        with pytest.raises(ScenarioError, match=r"allowed \[0, 1200\]|\[0, 1200\]"):
            model.run(steps)
    assert model.run(0) is model


def _unblock(fifo, seconds=5.0):
    """Open ``fifo`` for writing once someone reads it and close it at once (so a reader
    that should never have opened it gets an empty file instead of hanging)."""
    import os
    import threading
    import time

    def writer():
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            try:
                os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
                return
            except OSError:
                time.sleep(0.05)

    threading.Thread(target=writer, daemon=True).start()


def _hostile_files(tmp_path):
    (tmp_path / "loop.toml").symlink_to("loop.toml")
    (tmp_path / "base.toml").write_text('base = "loop.toml"\n')
    (tmp_path / "deep.toml").write_text("a = " + "[" * 3000 + "]" * 3000 + "\n")
    (tmp_path / "digits.toml").write_text("[developers]\ncount = " + "1" * 5000 + "\n")
    (tmp_path / "huge.toml").write_text("[innovation]\nimitation_speed = 1" + "0" * 400 + "\n")
    return ["loop.toml", "base.toml", "deep.toml", "digits.toml", "huge.toml", "fifo.toml"]


@pytest.mark.parametrize("command", ["run", "sweep"])
def test_hostile_files_are_one_line_errors(cli_main, tmp_path, command):
    import os

    names = _hostile_files(tmp_path)
    os.mkfifo(tmp_path / "fifo.toml")
    said = {
        "loop.toml": "symlink loop",
        "base.toml": "symlink loop",
        "deep.toml": "nest deeper than 32",
        "digits.toml": "more digits than allowed",
        "huge.toml": "beyond a float's range",
        "fifo.toml": "not a regular file",
    }
    for name in names:
        if name == "fifo.toml":
            _unblock(tmp_path / name)
        path = str(tmp_path / name)
        argv = ["run", "--scenario", path] if command == "run" else ["sweep", path]
        if command == "sweep" and name in ("base.toml", "huge.toml"):
            continue  # scenario files, not sweeps
        code, _, err = cli_main([*argv, "--steps", "1", "--out", str(tmp_path / "o")])
        assert code == 2, (name, err)
        assert said[name] in err and len(err.strip().splitlines()) == 1, (name, err)


def test_a_byte_order_mark_is_ignored(cli_main, tmp_path):
    (tmp_path / "bom.toml").write_bytes(b"\xef\xbb\xbf[developers]\ncount = 40\n")
    code, _, err = cli_main(
        ["run", "--scenario", str(tmp_path / "bom.toml"), "--steps", "1", "--no-plots"]
    )
    assert code == 0, err


@pytest.mark.parametrize(
    "argv",
    [
        ["run", "--out", "{long}"],
        ["status", "{long}"],
        ["report", "{long}"],
        ["sweep", "{long}.toml"],
        ["run", "--set", "developers.count=" + "[" * 3000],
        ["run", "--set", "developers.count=" + "1" * 5000],
    ],
)
def test_over_long_paths_and_values_are_one_line_errors(cli_main, tmp_path, argv):
    long = str(tmp_path / ("x" * 300))
    code, _, err = cli_main([a.replace("{long}", long) for a in argv])
    assert code == 2 and len(err.strip().splitlines()) == 1, err
    assert "at most 255" in err or "too deeply or has too many digits" in err


@pytest.mark.parametrize(
    ("option", "said"),
    [
        (["--executor", "dask://::::"], "dask://HOST:PORT"),
        (["--executor", "foo"], "is unknown"),
        (["--workers", "0"], "at least 1"),
        (["--workers", "-3"], "at least 1"),
    ],
)
def test_bad_executors_are_refused_before_the_folder_is_written(cli_main, tmp_path, option, said):
    spec = "experiments/examples/meta_policy.toml"
    out = tmp_path / "out"
    code, _, err = cli_main(["sweep", spec, "--out", str(out), "--quick", *option])
    assert code == 2 and said in err and len(err.strip().splitlines()) == 1, err
    assert not out.exists()


# -- finding 10: the calibration command ---------------------------------------------------


def _no_fit(monkeypatch):
    """The calibration's command line, with its fit replaced by a failure."""
    from aimarket.experiments.analysis.calibrate import abc, cli

    def no_fit(*a, **k):
        raise AssertionError("the calibration started")

    monkeypatch.setattr(abc, "infer", no_fit)
    return cli


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        (["--developers", "0"], "--developers = 0 must be between 1 and 50,000,000"),
        (["--developers", "100000000"], "--developers = 100000000 must be between 1 and"),
        (["--draws", "0"], "--draws = 0"),
        (["--draws", "201"], "--draws = 201 must be between 1 and 200"),
        (["--seeds", "0"], "--seeds = 0"),
        (["--workers", "-3"], "--workers = -3"),
        (["--population", "0"], "--population = 0"),
        (["--generations", "100000"], "--generations = 100000"),
        (["--minutes", "nan"], "--minutes = nan must be above 0"),
        (["--minutes", "-1"], "--minutes = -1.0"),
        (["--minutes", "1e308"], "at most 10,080 (a week)"),
        (["--store", "{file}"], "is not a folder"),
        (["--data", "{data}"], "pass --ship"),
    ],
)
def test_calibration_arguments_are_checked_before_anything_runs(
    tmp_path, monkeypatch, capsys, argv, said
):
    cli = _no_fit(monkeypatch)
    from aimarket.simulation.scenarios import DATA

    (tmp_path / "file").write_text("")
    fill = {"{file}": str(tmp_path / "file"), "{data}": str(DATA)}
    argv = [fill.get(a, a) for a in argv]
    assert cli.main(["--store", str(tmp_path / "store"), *argv]) == 2
    err = capsys.readouterr().err
    assert said in err and len(err.strip().splitlines()) == 1, err


def test_calibration_writes_into_its_store_unless_told_to_ship(tmp_path, monkeypatch):
    cli = _no_fit(monkeypatch)
    from aimarket.simulation.scenarios import DATA

    seen = {}

    def stop(args, argv):
        seen.update(data=args.data, docs=args.docs)
        return 0

    monkeypatch.setattr(cli, "_calibrate", stop, raising=False)
    cli.main(["--quick", "--store", str(tmp_path / "s")])
    assert seen == {"data": tmp_path / "s" / "data", "docs": tmp_path / "s" / "docs"}
    args = cli.parser().parse_args(["--ship", "--store", str(tmp_path / "s")])
    cli.check_arguments(args)
    assert args.data == DATA


@pytest.mark.parametrize("signame", ["SIGINT", "SIGTERM"])
def test_calibration_stops_on_ctrl_c_and_sigterm_in_one_line_keeping_its_store(tmp_path, signame):
    import subprocess
    import sys

    store = tmp_path / "store"
    code = (
        "import os, signal, time\n"
        "from aimarket.experiments.analysis.calibrate import abc, cli\n"
        "def infer(path, *a, **k):\n"
        "    path.write_text('partial')\n"
        f"    os.kill(os.getpid(), signal.{signame})\n"
        "    time.sleep(30)\n"
        "abc.infer = infer\n"
        f"raise SystemExit(cli.main(['--quick', '--store', {str(store)!r}]))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 130, done.stderr
    assert done.stderr.strip().splitlines() == [
        f"calibrate: interrupted by {signame}; the stores in {store} are kept: run the same "
        "command to resume"
    ]
    assert (store / "fit").read_text() == "partial"


# -- findings 7 and 11: sizes from the spec's arithmetic, unclear refusals -------------------
def _fn(**kw):
    return sum(kw.values())


def test_size_limits_are_checked_before_the_design_is_built(monkeypatch):
    from aimarket.experiments.engine import designs

    def built(*a, **k):
        raise AssertionError("the design was built")

    monkeypatch.setattr(designs, "build", built)
    values = list(range(60))
    grid = {f"x{i}": values for i in range(5)}
    with pytest.raises(ScenarioError, match="777,600,000 points; allowed at most"):
        Sweep(name="g", model=_fn, uncertainties=grid).plan()
    with pytest.raises(ScenarioError, match="100,000,000 runs; allowed at most 1,000,000"):
        Sweep(name="r", model=_fn, uncertainties={"x": (0, 1)}, design="lhs", n=1000,
              replicates=100_000).plan()  # fmt: skip
    with pytest.raises(ScenarioError, match="27,000 policies; allowed at most"):
        _plan(policies={p: [f"v{i}" for i in range(30)] for p in ("a.b", "c.d", "e.f")})


def test_discover_refuses_a_threshold_that_is_not_a_number(cli_main, tmp_path):
    code, _, err = cli_main(["discover", str(tmp_path), "--outcome", "y", "--below", "nan"])
    assert code == 2 and "--below nan must be a finite number" in err, err


# -- finding 6: damaged plan, manifest and journal ----------------------------------------
@pytest.fixture(scope="module")
def finished(tmp_path_factory):
    """A finished function-model sweep of 6 runs (in-process, serial)."""
    from aimarket.experiments import run_sweep

    out = tmp_path_factory.mktemp("swept") / "s"
    run_sweep(_small_sweep(), out, executor="serial", progress=False)
    return out


def _small_sweep():
    return Sweep(name="small", model=_fn, uncertainties={"x": [1.0, 2.0, 3.0]}, replicates=2)


def _copy(folder, tmp_path):
    import shutil

    return shutil.copytree(folder, tmp_path / "copy", ignore=shutil.ignore_patterns(".lock"))


@pytest.mark.parametrize("damage", ["truncate", "delete"])
def test_a_damaged_or_missing_plan_is_one_line_naming_the_command_then_rebuilt(
    finished, tmp_path, cli_main, damage
):
    from aimarket.experiments import load, run_sweep

    folder = _copy(finished, tmp_path)
    plan = folder / "plan.parquet"
    if damage == "truncate":
        plan.write_bytes(plan.read_bytes()[:100])
    else:
        plan.unlink()
    code, out, err = cli_main(["status", str(folder)])
    assert code == 2 and "plan.parquet is" in err and "sweep command" in err, out + err
    assert len(err.strip().splitlines()) == 1
    summary = run_sweep(_small_sweep(), folder, executor="serial", progress=False)
    assert summary.store_counts["pending"] == 0
    assert load(folder).counts() == {"planned": 6, "done": 6, "failed": 0, "pending": 0}


@pytest.mark.parametrize(
    "edit",
    [
        lambda m: {**m, "sessions": 3},
        lambda m: {**m, "spec": "x"},
        lambda m: {**m, "policies": [None]},
        lambda m: {**m, "sessions": [[]]},
        lambda m: {**m, "deep": [[[[[[]]]]]]},  # replaced by a 5000-deep list below
    ],
)
def test_a_damaged_manifest_is_one_line(finished, tmp_path, cli_main, edit):
    import json

    folder = _copy(finished, tmp_path)
    file = folder / "manifest.json"
    manifest = edit(json.loads(file.read_text()))
    text = json.dumps(manifest)
    if "deep" in manifest:
        text = text[:-1] + ', "deeper": ' + "[" * 5000 + "]" * 5000 + "}"
    file.write_text(text)
    for command in (["status", str(folder)], ["report", str(folder)]):
        code, _, err = cli_main(command)
        assert code == 2 and "manifest.json is unreadable or damaged" in err, err
        assert len(err.strip().splitlines()) == 1


def test_a_deleted_manifest_beside_results_is_named_with_how_to_recover(
    finished, tmp_path, cli_main
):
    folder = _copy(finished, tmp_path)
    (folder / "manifest.json").unlink()
    for command in (["status", str(folder)], ["report", str(folder)],
                    ["export", str(folder), "--out", str(tmp_path / "x")]):  # fmt: skip
        code, _, err = cli_main(command)
        assert code == 2 and len(err.strip().splitlines()) == 1, err
        assert "holds results but its manifest.json is missing" in err and "--force" in err, err
    code, _, err = cli_main(["status", str(tmp_path)])  # a folder without results
    assert code == 2 and "is not a sweep results folder (no manifest.json)" in err, err


def test_a_journal_line_whose_files_is_a_list_is_skipped_not_a_traceback(finished, tmp_path):
    import json

    from aimarket.experiments import load

    folder = _copy(finished, tmp_path)
    journal = folder / "batches.jsonl"
    lines = journal.read_text().splitlines()
    first = json.loads(lines[0])
    lines[0] = json.dumps({**first, "files": ["runs"]})
    journal.write_text("\n".join(lines) + "\n")
    results = load(folder)
    assert any("line 1 is unreadable" in n for n in results.notes)
    assert results.counts()["done"] == 6


# -- finding 5: aimarket run --out ---------------------------------------------------------
def test_run_out_is_replaced_whole_and_locked(cli_main, tmp_path):
    import json

    from filelock import FileLock

    out = tmp_path / "run"
    small = ["run", "--steps", "2", "--developers", "40", "--quiet", "--out", str(out)]
    assert cli_main([*small, "--seed", "1"])[0] == 0
    assert (out / "report.md").exists() and list(out.glob("*.png"))
    assert cli_main([*small, "--seed", "2", "--no-plots"])[0] == 0
    assert sorted(p.name for p in out.iterdir()) == [
        "market.parquet", "run.json", "scenario.toml", "vendors.parquet"
    ]  # fmt: skip
    assert json.loads((out / "run.json").read_text())["seed"] == 2
    assert not list(tmp_path.glob(".run.*"))  # no temporary folder left
    with FileLock(out / ".lock"):  # another run or a sweep holds the folder
        code, _, err = cli_main([*small, "--seed", "3"])
    assert code == 2 and "in use" in err, err
    assert json.loads((out / "run.json").read_text())["seed"] == 2
    (out / "notes.txt").write_text("mine")
    code, _, err = cli_main([*small, "--seed", "3"])
    assert code == 2 and "holds other files (notes.txt)" in err, err


# -- findings 3 and 4: every byte checked, parts of another sweep refused ------------------
def _flip_in_footer(path, word: bytes):
    """Change the last occurrence of ``word`` in the file (in its footer: a column name)."""
    data = bytearray(path.read_bytes())
    at = data.rfind(word)
    assert at > len(data) // 2, "the word should be in the footer"
    data[at + len(word) - 1] ^= 0x01
    path.write_bytes(bytes(data))


def test_a_bit_flip_in_a_runs_footer_is_refused_by_plain_load_status_and_report(
    finished, tmp_path, cli_main
):
    from aimarket.experiments import load

    folder = _copy(finished, tmp_path)
    part = sorted((folder / "runs").glob("part-*.parquet"))[0]
    _flip_in_footer(part, b"status")
    with pytest.raises(ScenarioError, match=r"checksum differs|unreadable"):
        load(folder)
    code, out, _ = cli_main(["status", str(folder)])
    assert "damaged" in out and "0 failed" in out and "6 planned" in out, out
    code, _, err = cli_main(["report", str(folder)])
    assert code == 2 and "damaged batch" in err, err


@pytest.fixture(scope="module")
def with_series(tmp_path_factory):
    from conftest import tiny_sweep

    from aimarket.experiments import run_sweep

    out = tmp_path_factory.mktemp("series") / "s"
    run_sweep(tiny_sweep(n=1, replicates=1, steps=3), out, executor="serial", progress=False)
    return out


def test_a_bit_flip_in_a_market_footer_is_refused_when_read_and_by_export(
    with_series, tmp_path, cli_main
):
    from aimarket.experiments import load

    folder = _copy(with_series, tmp_path)
    part = sorted((folder / "market").glob("part-*.parquet"))[0]
    _flip_in_footer(part, b"step")
    results = load(folder)  # the runs are intact
    with pytest.raises(ScenarioError, match="checksum differs"):
        results.series("market")
    with pytest.raises(ScenarioError, match="checksum differs"):
        load(folder).series_columns("market")
    code, _, err = cli_main(["export", str(folder), "--out", str(tmp_path / "x")])
    assert code == 2 and "checksum differs" in err, err


def test_plain_status_checks_a_series_part_byte_for_byte(with_series, tmp_path, cli_main):
    folder = _copy(with_series, tmp_path)
    _flip_in_footer(sorted((folder / "market").glob("part-*.parquet"))[0], b"step")
    code, out, _ = cli_main(["status", str(folder)])  # not --verify
    assert code == 1 and "checksum differs" in out and "0 done" in out, out


def test_a_runs_part_of_another_sweep_is_refused_and_moved_aside(finished, with_series, tmp_path):
    import shutil

    from conftest import tiny_sweep

    from aimarket.experiments import load, run_sweep

    folder = _copy(with_series, tmp_path)
    stranger = sorted((finished / "runs").glob("part-*.parquet"))[0]
    shutil.copy(stranger, folder / "runs" / "part-000099-deadbeef.parquet")
    with pytest.raises(ScenarioError, match="from another sweep"):
        load(folder)
    assert load(folder, allow_damaged=True).counts()["done"] == 2
    run_sweep(tiny_sweep(n=1, replicates=1, steps=3), folder, executor="serial", progress=False)
    assert (folder / "damaged" / "000099-deadbeef").is_dir()
    assert load(folder, verify=True).counts() == {
        "planned": 2,
        "done": 2,
        "failed": 0,
        "pending": 0,
    }


# -- finding 1: resume under changed code --------------------------------------------------
MODEL = """
OFFSET = {offset}


def helper(x):
    return x + OFFSET


def model(x):
    return helper(x)
"""


def _user_module(tmp_path, monkeypatch, offset, text=None):
    import importlib
    import sys

    name = f"user_model_{tmp_path.name[-12:].replace('-', '_')}"
    (tmp_path / f"{name}.py").write_text(text or MODEL.format(offset=offset))
    monkeypatch.syspath_prepend(str(tmp_path))
    sys.modules.pop(name, None)
    importlib.invalidate_caches()
    return importlib.import_module(name)


def test_resume_refuses_a_changed_model_module_or_dependency(tmp_path, monkeypatch):
    from aimarket.experiments import run_sweep
    from aimarket.experiments.engine import provenance

    def sweep(module):
        return Sweep(name="m", model=module.model, uncertainties={"x": [1.0, 2.0]})

    out = tmp_path / "out"
    run_sweep(sweep(_user_module(tmp_path, monkeypatch, 0.0)), out, executor="serial",
              progress=False)  # fmt: skip
    changed = _user_module(tmp_path, monkeypatch, 1000.0)  # a constant the helper reads
    with pytest.raises(ScenarioError, match="model function's module hash"):
        run_sweep(sweep(changed), out, executor="serial", progress=False)
    _user_module(tmp_path, monkeypatch, 0.0)
    versions = {**provenance.dependency_versions(), "numpy": "0.0.1"}
    monkeypatch.setattr(provenance, "dependency_versions", lambda: versions)
    with pytest.raises(ScenarioError, match=r"numpy .* -> 0\.0\.1"):
        run_sweep(sweep(changed), out, executor="serial", progress=False)


OUTCOME = """
SCALE = {scale}


def helper(run):
    return float(run.market["adoption_rate"].iloc[-1]) * SCALE


def late(run):
    return helper(run)
"""


def test_resume_refuses_a_changed_constant_an_outcome_helper_reads(tmp_path, monkeypatch):
    from aimarket.experiments import run_sweep

    def sweep(module):
        return Sweep(name="o", overrides={"developers.count": 30}, steps=2,
                     outcomes=["platform_payoff", module.late])  # fmt: skip

    out = tmp_path / "out"
    first = _user_module(tmp_path, monkeypatch, 0.0, OUTCOME.format(scale=1.0))
    run_sweep(sweep(first), out, executor="serial", progress=False)
    changed = _user_module(tmp_path, monkeypatch, 0.0, OUTCOME.format(scale=1000.0))
    with pytest.raises(ScenarioError, match="outcome definitions hash"):
        run_sweep(sweep(changed), out, executor="serial", progress=False)
