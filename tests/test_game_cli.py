"""``aimarket game``: bad game specs refused in one line with exit 2 before any run
(issue 24, acceptance 4), and a small market game end to end."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest

from aimarket.cli import main

SPEC = """
name = "g"
seeds = 2
steps = 3
developers = 50
{top}
[players.meta]
strategies = {meta}
[players.openai]
strategies = ["closed", "open"]
{extra}
"""


def _write(tmp_path, top="", meta='["open", "closed"]', extra=""):
    path = tmp_path / "game.toml"
    path.write_text(SPEC.format(top=top, meta=meta, extra=extra))
    return path


REFUSALS = [
    ({"extra": '[players.nobody]\nstrategies = ["open"]'},
     "player 'nobody' is not a vendor of the base scenario; vendors: openai"),
    ({"meta": '["opne", "closed"]'}, "names policy 'opne', which is unknown; policies: closed"),
    ({"meta": '{ open = { policy = "open", switch_stpe = 3 } }'},
     "player 'meta': strategy 'open'"),
    ({"top": 'design = { kind = "deviations", profile = { meta = "shut", openai = "open" } }'},
     "player 'meta' has no strategy 'shut'; its strategies: open, closed"),
    ({"top": 'payoff = "profitt"'}, "payoff 'profitt' is not a metric, not a per-vendor one"),
    ({"top": 'payoff = "platform_value"'}, "is a market-wide metric, not a per-vendor one"),
    ({"meta": "[]"}, "player 'meta' has an empty strategy set"),
    ({"top": "max_runs = 7"},
     "has 2 x 2 = 4 profiles x 2 seeds = 8 runs, more than the limit of 7 (raise it with "
     '--max-runs; or run only the unilateral deviations from a candidate profile, design = '
     '{ kind = "deviations", profile = { ... } }: 3 profiles, 6 runs)'),
]  # fmt: skip


@pytest.mark.parametrize(("edit", "message"), REFUSALS)
def test_a_bad_game_is_refused_in_one_line_before_any_run(tmp_path, capsys, edit, message):
    out = tmp_path / "out"
    code = main(["game", str(_write(tmp_path, **edit)), "--out", str(out), "--no-progress"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("aimarket: error: game 'g'")
    assert message in err
    assert not out.exists()  # nothing ran, no folder made


def test_the_run_limit_is_raised_by_the_max_runs_option(tmp_path, capsys):
    path = _write(tmp_path, top="max_runs = 7")
    out = tmp_path / "out"
    code = main(["game", str(path), "--out", str(out), "--max-runs", "3", "--no-progress"])
    assert code == 2 and "more than the limit of 3" in capsys.readouterr().err
    assert not out.exists()


def test_a_small_market_game_end_to_end(tmp_path, capsys):
    out = tmp_path / "out"
    argv = ["game", str(_write(tmp_path)), "--out", str(out), "--executor", "serial"]
    assert main([*argv, "--no-progress", "--format", "parquet"]) == 0
    printed = capsys.readouterr().out
    assert "game 'g': 2 players, 4 profiles x 2 paired seeds" in printed
    payoffs = pd.read_parquet(out / "tables" / "payoffs.parquet")
    assert len(payoffs) == 8 and payoffs["mean"].notna().all()
    assert set(payoffs["player"]) == {"meta", "openai"}
    assert (out / "report" / "report.md").read_text().startswith("# Game: g")
    assert (out / "report" / "payoffs.png").stat().st_size > 0
    assert main(["report", str(out)]) == 0  # the report of a game folder is the game's


def test_game_is_a_lazy_export_of_the_package():
    code = (
        "import sys, aimarket; assert 'aimarket.experiments.strategy.spec' not in sys.modules; "
        "from aimarket import Game; print(Game.__module__)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "aimarket.experiments.strategy.spec"
