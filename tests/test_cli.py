"""Acceptance item 6 (command line): bad input exits with status 2 and one line on stderr,
without a traceback; ``aimarket run --out`` writes readable, complete results;
``aimarket scenarios`` lists the built-in scenarios."""

from __future__ import annotations

import pandas as pd
import pytest
from conftest import run_cli

from aimarket import builtin_names, load_scenario

#: (argv, substrings the error message must contain)
BAD_INPUTS = [
    (["run", "--set", "vendors.meta.polcy=open"], ["vendors.meta.polcy", "did you mean 'policy'"]),
    (
        ["run", "--set", "market.serving_cost=-5"],
        ["market.serving_cost", "-5", "out of range", "[0.001, 1000]"],
    ),
    (["run", "--set", "vendors.meta.policy=opn"], ["opn", "closed", "open_lagged"]),
    (["run", "--scenario", "baselin"], ["unknown scenario", "did you mean 'baseline'"]),
    (["run", "--set", "vendors.meta.policy"], ["--set", "PATH=VALUE"]),
    (["run", "--set", "=3"], ["--set", "PATH=VALUE"]),
    (["run", "--developers", "0"], ["developers.count", "out of range"]),
    (["run", "--steps", "0"], ["--steps", "out of range"]),
    (["run", "--steps", "many"], ["--steps", "invalid int"]),
    (["run", "--bogus"], ["unrecognized arguments"]),
    (["frobnicate"], ["invalid choice"]),
]


def _check_one_line(err: str, expected: list[str]) -> None:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    for text in expected:
        assert text in lines[0], (text, lines[0])


@pytest.mark.parametrize(("argv", "expected"), BAD_INPUTS)
def test_bad_input_in_process(cli_main, argv, expected):
    code, out, err = cli_main([*argv, "--quiet"] if argv[0] == "run" else argv)
    assert code == 2
    _check_one_line(err, expected)
    assert "ran " not in out  # nothing was simulated


def test_bad_toml_scenario_in_process(cli_main, tmp_path):
    bad = tmp_path / "broken.toml"
    bad.write_text("steps = [1,\n")
    code, _, err = cli_main(["run", "--scenario", str(bad), "--quiet"])
    assert code == 2
    _check_one_line(err, ["broken.toml", "TOML"])
    code, _, err = cli_main(["run", "--scenario", str(tmp_path / "missing.toml"), "--quiet"])
    assert code == 2
    _check_one_line(err, ["missing.toml"])


@pytest.mark.parametrize(
    ("argv", "expected"),
    [BAD_INPUTS[0], BAD_INPUTS[1], BAD_INPUTS[4]],
)
def test_bad_input_subprocess(argv, expected):
    proc = run_cli(argv)
    assert proc.returncode == 2, proc.stderr
    _check_one_line(proc.stderr, expected)


def test_bad_toml_subprocess(tmp_path):
    bad = tmp_path / "broken.toml"
    bad.write_text("[market\nserving_cost = 1\n")
    proc = run_cli(["run", "--scenario", str(bad), "--quiet"])
    assert proc.returncode == 2
    _check_one_line(proc.stderr, ["broken.toml", "TOML"])


def test_scenarios_lists_builtins(cli_main):
    code, out, _ = cli_main(["scenarios"])
    assert code == 0
    listed = {line.split()[0] for line in out.strip().splitlines()}
    assert {"baseline", "meta_open", "meta_closed"} <= listed
    assert set(builtin_names()) <= listed


def test_scenarios_subprocess():
    proc = run_cli(["scenarios"])
    assert proc.returncode == 0, proc.stderr
    listed = {line.split()[0] for line in proc.stdout.strip().splitlines()}
    assert {"baseline", "meta_open", "meta_closed"} <= listed


def _check_outputs(out, steps: int, developers: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    for name in ("market.parquet", "vendors.parquet", "scenario.toml"):
        assert (out / name).is_file(), name
    market = pd.read_parquet(out / "market.parquet")
    vendors = pd.read_parquet(out / "vendors.parquet")
    assert len(market) == steps
    assert list(market["step"]) == list(range(1, steps + 1))
    # one row per step per vendor present that step
    assert not vendors.duplicated(["step", "vendor"]).any()
    # vendors in the market that month: still in at its end, plus any that exited in it
    rows = vendors.groupby("step").size().reindex(market["step"], fill_value=0).to_numpy()
    assert (rows >= market["n_vendors"].to_numpy()).all()
    assert (rows <= (market["n_vendors"] + market["exits"]).to_numpy()).all()
    assert set(vendors["step"]) == set(market["step"])
    scenario = load_scenario(out / "scenario.toml")
    assert scenario.developers.count == developers
    return market, vendors


def test_run_end_to_end(tmp_path):
    out = tmp_path / "run1"
    proc = run_cli(["run", "--steps", "6", "--developers", "500", "--out", str(out)])
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    market, vendors = _check_outputs(out, steps=6, developers=500)
    assert {"openai", "meta"} <= set(vendors["vendor"])
    # the saved scenario is loadable by the CLI and reproduces the run (same seed)
    again = tmp_path / "run2"
    saved = str(out / "scenario.toml")
    proc = run_cli(["run", "--scenario", saved, "--steps", "6", "--quiet", "--out", str(again)])
    assert proc.returncode == 0, proc.stderr
    market2, vendors2 = _check_outputs(again, steps=6, developers=500)
    pd.testing.assert_frame_equal(market, market2, check_exact=True)
    pd.testing.assert_frame_equal(vendors, vendors2, check_exact=True)


def test_run_in_process_with_overrides(cli_main, tmp_path):
    out = tmp_path / "closed"
    argv = ["run", "--scenario", "meta_open", "--set", "vendors.meta.policy=closed"]
    argv += ["--steps", "4", "--developers", "200", "--seed", "3", "--quiet", "--out", str(out)]
    code, stdout, err = cli_main(argv)
    assert code == 0, err
    assert "HHI" in stdout
    _check_outputs(out, steps=4, developers=200)
    saved = load_scenario(out / "scenario.toml")
    assert saved.vendors["meta"].policy == "closed"
