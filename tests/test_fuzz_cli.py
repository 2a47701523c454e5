"""Mutated scenario and sweep files never give a traceback: the CLI exits 0 or 2.

Hypothesis starts from a valid scenario file and a valid sweep file and mutates them:
values of the wrong type or out of range, names that clash or mean nothing, keys dropped,
unknown keys added, tables replaced by values and values by tables, merge directives in
odd places, and the text itself truncated or spliced. Each mutant goes through the
command line in-process (``main(argv)``): it either runs (exit 0) or is refused with one
line on stderr (exit 2), never a Python traceback. A small fixed sample goes through real
subprocesses too.
"""

from __future__ import annotations

import copy
import os
import tempfile
from pathlib import Path
from typing import Any

import tomli_w
from conftest import run_cli
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from aimarket.cli import main

EXAMPLES = int(os.environ.get("AIMARKET_FUZZ_EXAMPLES", "300"))

SCENARIO: dict[str, Any] = {
    "base": "timeline",
    "name": "fuzzed",
    "steps": 24,
    "market": {"start": "2023-01", "serving_cost": 2.0, "pricing": "nash"},
    "developers": {"count": 500, "segments": {"hobbyist": {"bass_q": 0.3, "share": 0.5}}},
    "vendors": {
        "meta": {"policy": "open", "cash": 1000.0},
        "mistral": {"remove": True},
        "newlab": {"new": True, "capability": 0.5, "cloud": "aws"},
    },
    "clouds": {"groq": {"entry_step": 6}},
    "vcs": {"megafund": {"hurdle_rate": 0.25}},
    "shocks": {
        "deepseek": {"step": 12},
        "chips": {"new": True, "kind": "inference_hardware", "step": 3},
    },
    "mechanisms": {"venture": True},
}

SWEEP: dict[str, Any] = {
    "name": "fuzzed",
    "base": "baseline",
    "replicates": 1,
    "seed": 3,
    "steps": 3,
    "design": {"kind": "grid"},
    "overrides": {"market.pricing": "nash"},
    "policies": {
        "open": {"vendors.meta.policy": "open"},
        "closed": {"vendors.meta.policy": "closed"},
    },
    "uncertainties": {"innovation.imitation_speed": [0.01, 0.05]},
    "outcomes": ["platform_payoff", "closed_margin"],
    "table": ["platform_payoff"],
    "reference": "closed",
}

NAMES = ["", "x", "meta", "mata", "aws", "entrant1", "../../..", "new", "remove", "replace",
         "seed", "run_id", "a b", "é", "kind", "base", "policy", "steps"]  # fmt: skip
SCALARS = st.one_of(
    st.sampled_from([0, 1, -1, 2, 3, 10**12, -(10**12), 0.5, -0.5, 1e300, True, False]),
    st.sampled_from(["", "abc", "open", "closed", "lhs", "sobol", "grid", "0-01", "2023-13",
                     "9999-01", "../x", "weight_leak", "cap", "nan", "inf", "none"]),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
)  # fmt: skip
VALUES = st.one_of(
    SCALARS,
    st.lists(SCALARS, max_size=3),
    st.dictionaries(st.sampled_from(NAMES), SCALARS, max_size=2),
)


def paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    """Every key path in a nested dict, tables included."""
    out = []
    if isinstance(node, dict):
        for key, value in node.items():
            out.append((*prefix, key))
            out.extend(paths(value, (*prefix, key)))
    return out


@st.composite
def mutants(draw, valid: dict[str, Any]) -> str:
    data = copy.deepcopy(valid)
    for _ in range(draw(st.integers(1, 3))):
        where = draw(st.sampled_from(paths(data) or [("name",)]))
        parent = data
        for key in where[:-1]:
            parent = parent[key]
        key = where[-1]
        if not isinstance(parent, dict) or key not in parent:
            continue
        op = draw(st.sampled_from(["value", "drop", "rename", "unknown", "empty", "directive"]))
        if op == "value":
            parent[key] = draw(VALUES)
        elif op == "drop":
            del parent[key]
        elif op == "rename":
            parent[draw(st.sampled_from(NAMES)) or "blank"] = parent.pop(key)
        elif op == "unknown":
            parent[draw(st.sampled_from(NAMES)) or "blank"] = draw(VALUES)
        elif op == "empty":
            parent[key] = {}
        elif isinstance(parent[key], dict):
            parent[key][draw(st.sampled_from(["new", "remove", "replace"]))] = draw(VALUES)
    text = tomli_w.dumps(data)
    damage = draw(st.sampled_from(["none", "none", "truncate", "splice"]))
    if damage == "truncate":
        text = text[: draw(st.integers(0, len(text)))]
    elif damage == "splice":
        at = draw(st.integers(0, len(text)))
        text = (
            text[:at]
            + draw(st.sampled_from(["[", "]", "=", '"', "\x00", "\n[x]\n", "é"]))
            + text[at:]
        )
    return text


def run_in_process(capsys, argv: list[str]) -> tuple[int, str]:
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse's own refusals
        code = exc.code if isinstance(exc.code, int) else 1
    _, err = capsys.readouterr()
    return code, err


def check(code: int, err: str) -> None:
    event(f"exit {code}")  # shown by --hypothesis-show-statistics: both outcomes occur
    assert "Traceback" not in err, err
    assert code in (0, 2), (code, err)
    if code == 2:
        lines = [line for line in err.splitlines() if line.strip()]
        assert len(lines) == 1 and lines[0].startswith("aimarket: error: "), err


FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize="AIMARKET_FUZZ_RANDOM" not in os.environ,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@FUZZ
@given(text=mutants(SCENARIO))
def test_mutated_scenario_files_never_give_a_traceback(text, capsys):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "s.toml"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        argv = ["run", "--scenario", str(path), "--steps", "2", "--developers", "30"]
        check(*run_in_process(capsys, [*argv, "--quiet", "--no-plots"]))


@settings(FUZZ, max_examples=max(EXAMPLES * 2 // 3, 1))
@given(text=mutants(SWEEP))
def test_mutated_sweep_files_never_give_a_traceback(text, capsys):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "sweep.toml"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        argv = ["sweep", str(path), "--out", str(Path(tmp) / "out"), "--executor", "serial"]
        check(*run_in_process(capsys, [*argv, "--no-progress", "--no-table", "--steps", "1"]))


@settings(FUZZ, max_examples=4)
@given(text=mutants(SCENARIO))
def test_a_sample_of_mutants_through_real_processes(text):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "s.toml"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        done = run_cli(["run", "--scenario", str(path), "--steps", "2", "--developers", "30",
                        "--quiet", "--no-plots"])  # fmt: skip
        check(done.returncode, done.stderr)
