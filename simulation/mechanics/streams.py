"""Random number streams: one ``SeedSequence`` per run, one child stream per mechanism.

Each mechanism draws from its own generator, derived from the run's root seed and the
mechanism's *name* (not its position), so adding a stream, or changing how many numbers
one mechanism draws (say, a vendor's policy changes how many products exist), leaves
every other mechanism's draws unchanged. Policy comparisons on the same seed therefore
see the same developers' awareness, reconsideration and taste draws: common random
numbers.
"""

from __future__ import annotations

import zlib

import numpy as np

#: The mechanisms that draw random numbers, in no significant order.
MECHANISMS: tuple[str, ...] = (
    "activation",  # Mesa's model.rng / model.random: agent activation order
    "awareness",  # Bass entry of developers into the market
    "reconsider",  # which adopters re-choose this month
    "choice",  # developers' logit taste draws
    "funding",  # VCs' valuation noise
    "entry",  # startup pitches and their attributes
)


def root_sequence(rng: int | np.random.SeedSequence | np.random.Generator | None):
    """The run's root ``SeedSequence`` from whatever the user passed as ``rng``."""
    if isinstance(rng, np.random.SeedSequence):
        return rng
    if isinstance(rng, np.random.Generator):
        return np.random.SeedSequence(int(rng.integers(2**63)))
    if rng is None or isinstance(rng, int | np.integer):
        return np.random.SeedSequence(None if rng is None else int(rng))
    raise TypeError(f"rng must be an int, SeedSequence, Generator or None, got {type(rng)}")


def child_sequence(root: np.random.SeedSequence, name: str) -> np.random.SeedSequence:
    """The child seed of mechanism ``name``: keyed by a stable hash of the name."""
    key = zlib.crc32(name.encode())
    return np.random.SeedSequence(root.entropy, spawn_key=(*root.spawn_key, key))


class Streams:
    """Named generators, one per mechanism: ``streams.choice.random(n)``; and one per
    shock, keyed by the shock's name: ``streams.shock("misuse")``."""

    def __init__(self, root: np.random.SeedSequence):
        self.root = root
        for name in MECHANISMS:
            setattr(self, name, _generator(root, name))
        self._shocks: dict[str, np.random.Generator] = {}

    def shock(self, name: str) -> np.random.Generator:
        """The stream of the shock called ``name``: adding, removing or renaming another
        shock leaves its draws unchanged."""
        if name not in self._shocks:
            self._shocks[name] = _generator(self.root, f"shock:{name}")
        return self._shocks[name]


def _generator(root: np.random.SeedSequence, name: str) -> np.random.Generator:
    return np.random.Generator(np.random.PCG64(child_sequence(root, name)))
