"""Seeds and run ids.

One root seed per sweep. Uncertainty point ``i``, replicate ``r`` gets the child
``SeedSequence(root).spawn(n_points)[i].spawn(n_replicates)[r]``, which is the sequence
with ``spawn_key = (i, r)``: it does not depend on how many points or replicates the
sweep has, so adding replicates or points later leaves existing runs' seeds (and ids)
unchanged. Every policy of one (point, replicate) runs on that same seed: common random
numbers, so policy differences are paired.

A run's id is a stable hash of its resolved scenario, run length and seed.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import numpy as np


def run_seed(root: int, point: int, replicate: int) -> np.random.SeedSequence:
    """The seed of (point, replicate): the same as spawning twice from the root."""
    return np.random.SeedSequence(int(root), spawn_key=(int(point), int(replicate)))


def seed_label(seq: np.random.SeedSequence) -> str:
    """A printable record of a spawned seed: ``entropy/key1.key2``."""
    return f"{seq.entropy}/{'.'.join(str(k) for k in seq.spawn_key)}"


def parse_label(label: str) -> tuple[int, tuple[int, ...]]:
    """The entropy and spawn key of a :func:`seed_label`: ``"7/0.1"`` is ``(7, (0, 1))``."""
    entropy, _, keys = str(label).partition("/")
    return int(entropy), tuple(int(k) for k in keys.split(".") if k)


def seed_int(seq: np.random.SeedSequence) -> int:
    """A 63-bit integer drawn from the seed (for display and quick comparisons)."""
    return int(seq.generate_state(1, np.uint64)[0] >> np.uint64(1))


def canonical(obj: Any) -> str:
    """Deterministic JSON: sorted keys, no whitespace, numpy scalars as Python values."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), default=_plain)


def _plain(obj: Any) -> Any:
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, tuple | set | frozenset):
        return list(obj)
    raise TypeError(f"cannot hash {type(obj).__name__}: {obj!r}")


def digest(obj: Any, length: int = 16) -> str:
    return hashlib.sha256(canonical(obj).encode()).hexdigest()[:length]


def run_id(scenario_hash: str, steps: int, seed: np.random.SeedSequence) -> str:
    """Stable id of one run: its resolved parameters (by their digest), length and seed."""
    return digest(
        {
            "scenario": scenario_hash,
            "steps": int(steps),
            "seed": [int(seed.entropy), [int(k) for k in seed.spawn_key]],
        }
    )
