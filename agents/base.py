"""The base class of every aimarket agent.

Mesa 3.3 numbers agents through the class attribute ``Agent._ids``, a dict keyed by the
model, which keeps every model ever built alive for the life of the process (fixed
upstream in Mesa 3.4.2). A sweep of thousands of runs would leak them all. We shadow that
attribute on our own base class with a dict that holds models weakly, so a finished
model is freed as soon as nothing else refers to it; on Mesa versions that no longer use
``_ids`` the shadow is simply unused.
"""

from __future__ import annotations

import itertools
import weakref

import mesa


class _WeakCounters:
    """``defaultdict(itertools.count)`` keyed weakly by model."""

    def __init__(self) -> None:
        self._counters: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()

    def __getitem__(self, model):
        counter = self._counters.get(model)
        if counter is None:
            counter = self._counters[model] = itertools.count(1)
        return counter

    def __contains__(self, model) -> bool:
        return model in self._counters

    def __len__(self) -> int:
        return len(self._counters)


class MarketAgent(mesa.Agent):
    """A Mesa agent whose id counter does not keep its model alive."""

    _ids = _WeakCounters()
