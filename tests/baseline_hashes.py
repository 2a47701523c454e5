"""The committed baseline: exact hashes of full runs, and the command that re-pins them.

Each case is a scenario run for 120 months with 10,000 developers at two seeds; each of
its three frames (market, vendors, segments) is hashed bit for bit (column names, dtypes
and raw value bytes, see :func:`frame_digest`). Work that preserves behaviour keeps
every hash; only a change of mechanism or calibration re-pins them, in a commit that
says why. Re-pin, and see which frames and columns moved:

    .venv/bin/python tests/baseline_hashes.py --update     (or: make repin)

Hashes hold under the locked dependency set (``requirements/lock.txt``); another numpy
or pandas build may move the last bits of a float and so every hash.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd

HASHES = Path(__file__).resolve().parent / "data" / "baseline_hashes.json"
SEEDS = (20230101, 7)
STEPS = 120
DEVELOPERS = 10_000

#: case name -> (built-in scenario, dotted overrides). The shock cases switch on each
#: shock kind the timeline carries as an option, plus the two kinds it does not carry.
CASES: dict[str, tuple[str, dict]] = {
    "baseline": ("baseline", {}),
    "meta_closed": ("meta_closed", {}),
    "open_then_closed": ("baseline", {"vendors.meta.policy": "open_then_closed"}),
    "timeline": ("timeline", {}),
    "timeline_no_leak": ("timeline_no_leak", {}),
    "timeline_meta_closed": ("timeline_meta_closed", {}),
    "timeline_no_entrant": ("timeline_no_entrant", {}),
    "shock_recloses": ("timeline", {"shocks.meta_recloses.step": 31}),
    "shock_misuse_cap": (
        "timeline",
        {"shocks.misuse.incident_rate": 0.1, "shocks.misuse.capability_threshold": 2.0},
    ),
    "shock_misuse_tax": (
        "timeline",
        {
            "shocks.misuse.incident_rate": 0.1,
            "shocks.misuse.capability_threshold": 2.0,
            "shocks.misuse.regulation": "tax",
        },
    ),
    "shock_hardware": (
        "baseline",
        {
            "shocks.fast_chips": {
                "new": True,
                "kind": "inference_hardware",
                "step": 18,
                "open_cost_multiplier": 0.3,
            }
        },
    ),
    "shock_leak": (
        "meta_closed",
        {"shocks.leak": {"new": True, "kind": "weight_leak", "step": 3, "vendor": "meta"}},
    ),
}


def frame_digest(frame: pd.DataFrame) -> str:
    """SHA-256 of a frame's column names, dtypes and raw value bytes (bit for bit)."""
    h = hashlib.sha256()
    for col in frame.columns:
        h.update(column_digest(frame[col]).encode())
    h.update(f"rows:{len(frame)}".encode())
    return h.hexdigest()


def column_digest(series: pd.Series) -> str:
    h = hashlib.sha256(f"{series.name}:{series.dtype}\n".encode())
    values = series.to_numpy()
    if values.dtype.kind in "biufcmM":
        h.update(np.ascontiguousarray(values).tobytes())
    else:
        h.update("\x1f".join(map(str, values)).encode())
    return h.hexdigest()


def frames(case: str, seed: int) -> dict[str, pd.DataFrame]:
    from aimarket import MarketModel, load_scenario

    name, overrides = CASES[case]
    scenario = load_scenario(name, {**overrides, "developers.count": DEVELOPERS})
    model = MarketModel(scenario, rng=seed).run(STEPS)
    return {
        "market": model.market_frame(),
        "vendors": model.vendor_frame(),
        "segments": model.segment_frame(),
    }


def case_hashes(case: str, seed: int) -> dict[str, dict]:
    """{frame: {"sha256", "rows", "columns": {column: short hash}}} of one run."""
    out = {}
    for name, frame in frames(case, seed).items():
        out[name] = {
            "sha256": frame_digest(frame),
            "rows": len(frame),
            "columns": {str(c): column_digest(frame[c])[:16] for c in frame.columns},
        }
    return out


def compute() -> dict[str, dict[str, dict]]:
    return {case: {str(seed): case_hashes(case, seed) for seed in SEEDS} for case in CASES}


def describe_changes(old: dict, new: dict) -> list[str]:
    """One line per (case, seed, frame) whose hash moved, naming the columns that did."""
    lines = []
    for case in sorted(set(old) | set(new)):
        if case not in old or case not in new:
            lines.append(f"{case}: {'added' if case in new else 'removed'}")
            continue
        for seed in sorted(set(old[case]) | set(new[case])):
            a, b = old[case].get(seed, {}), new[case].get(seed, {})
            for frame in sorted(set(a) | set(b)):
                fa, fb = a.get(frame), b.get(frame)
                if fa is None or fb is None:
                    lines.append(f"{case} seed {seed} {frame}: {'added' if fa is None else 'gone'}")
                    continue
                if fa["sha256"] == fb["sha256"]:
                    continue
                ca, cb = fa["columns"], fb["columns"]
                moved = [c for c in cb if c in ca and ca[c] != cb[c]]
                parts = []
                if fa["rows"] != fb["rows"]:
                    parts.append(f"rows {fa['rows']} -> {fb['rows']}")
                if moved:
                    parts.append("changed: " + ", ".join(moved))
                if set(cb) - set(ca):
                    parts.append("new columns: " + ", ".join(c for c in cb if c not in ca))
                if set(ca) - set(cb):
                    parts.append("dropped columns: " + ", ".join(c for c in ca if c not in cb))
                lines.append(f"{case} seed {seed} {frame}: " + ("; ".join(parts) or "order"))
    return lines


def main(argv: list[str]) -> int:
    new = compute()
    old = json.loads(HASHES.read_text()) if HASHES.exists() else {}
    changes = describe_changes(old, new)
    print("\n".join(changes) if changes else "no baseline hash changed")
    if "--update" in argv:
        HASHES.parent.mkdir(parents=True, exist_ok=True)
        HASHES.write_text(json.dumps(new, indent=1, sort_keys=True) + "\n")
        print(f"wrote {HASHES}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
