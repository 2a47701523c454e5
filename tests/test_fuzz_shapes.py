"""Hostile shapes never give a traceback or a hang (issue 26): Hypothesis generates depth
(tables and lists nested up to 4,000 levels, dotted keys as deep), size (integers of up to
6,000 digits, numbers beyond a float's range), type (a value of every TOML type for
fields of each type) and file kind (a regular file, a FIFO, a symlink loop, a dangling
symlink, a folder, a name over 255 bytes). Each goes through the command line in-process:
it runs (exit 0) or is refused in one line (exit 2). With ``tests/test_fuzz_cli.py`` this
makes over 500 generated inputs; most fail validation at once, so this file takes seconds.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from test_fuzz_cli import FUZZ, check, run_in_process

FIELDS = ("developers.count", "innovation.imitation_speed", "mechanisms.venture", "market.start")
KINDS = ("regular", "fifo", "loop", "dangling", "folder", "long")

depth = st.integers(0, 4000)
values = st.one_of(
    st.integers(1, 6000).map(lambda n: "9" * n),  # size: digits
    st.integers(300, 420).map(lambda n: "1" + "0" * n),  # beyond a float's range
    depth.map(lambda d: "[" * d + "1" + "]" * d),  # depth: lists
    depth.map(lambda d: "{a = " * d + "1" + "}" * d),  # depth: inline tables
    st.sampled_from(
        [
            "true",
            "1",
            "1.5",
            "-1",
            "1e400",
            "nan",
            "inf",
            '"x"',
            "[]",
            "{}",
            '"2023-01"',
            "0",
            "2.0",
        ]
    ),  # type
)


@st.composite
def documents(draw) -> str:
    """A scenario file: one field set to a hostile value, or dotted keys nested deep."""
    if draw(st.booleans()):
        table, _, key = draw(st.sampled_from(FIELDS)).rpartition(".")
        return f"\ufeff[{table}]\n{key} = {draw(values)}\n" if draw(st.booleans()) else (
            f"[{table}]\n{key} = {draw(values)}\n"
        )  # fmt: skip
    return "developers" + ".a" * draw(depth) + " = 1\n"


def _place(folder: Path, kind: str, text: str) -> Path:
    path = folder / ("x" * 300 + ".toml" if kind == "long" else "s.toml")
    if kind == "regular":
        path.write_text(text, encoding="utf-8")
    elif kind == "fifo":
        os.mkfifo(path)
    elif kind == "loop":
        path.symlink_to(path.name)
    elif kind == "dangling":
        path.symlink_to("nowhere.toml")
    elif kind == "folder":
        path.mkdir()
    return path


@settings(FUZZ, max_examples=120)
@given(text=documents(), kind=st.sampled_from(KINDS), where=st.sampled_from(["scenario", "set"]))
def test_hostile_shapes_never_give_a_traceback_or_hang(text, kind, where, capsys):
    with tempfile.TemporaryDirectory() as tmp:
        if where == "set":  # the same value through --set instead of a file
            line = text.removeprefix("\ufeff").splitlines()[-1].replace(" = ", "=", 1)
            table = text.removeprefix("\ufeff").splitlines()[0].strip("[]")
            argv = ["run", "--set", f"{table}.{line}" if "=" in line else line]
        else:
            argv = ["run", "--scenario", str(_place(Path(tmp), kind, text))]
        check(*run_in_process(capsys, [*argv, "--steps", "1", "--developers", "30",
                                       "--quiet", "--no-plots"]))  # fmt: skip
