"""A run's records: the registered metrics, month by month, in preallocated arrays.

:class:`Collector` is the model's ``datacollector``: Mesa's ``DataCollector`` interface
(``get_model_vars_dataframe()``, ``get_agent_vars_dataframe()``, ``model_vars``, ...),
its records kept in :class:`Columns` (one float64 array grown by doubling) instead of one
Python call per reporter per agent per month. The frames are built once, when asked,
with the values and dtypes Mesa's reporters would have given.
"""

from __future__ import annotations

import functools
import itertools
import operator
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import mesa
import numpy as np
import pandas as pd

#: Types a float64 holds exactly (integers below 2**53: counts); anything else (text,
#: None, bool) is kept as a list of the values themselves.
NUMBERS = frozenset({float, int, np.float64, np.int64})
INTEGERS = frozenset({int, np.int64})


def getter(make: Callable[..., Callable], names: Sequence) -> Callable[[Any], tuple]:
    """``make(*names)`` (``operator.attrgetter`` or ``itemgetter``), always giving a
    tuple, even of one or no name."""
    if len(names) > 1:
        return make(*names)
    if len(names) == 1:
        one = make(names[0])
        return lambda x: (one(x),)
    return lambda x: ()


class Columns:
    """Rows of named values in preallocated columns, grown by doubling. Numbers go into
    one float64 array; a column that ever holds anything else (a name, None) is a list.
    Each column remembers which types it held, so :meth:`column` gives what pandas
    infers from the original values (int64 when they were all integers)."""

    def __init__(self, names: Iterable[str], capacity: int):
        self.names = list(names)
        self.n = 0
        self.data = np.empty((max(int(capacity), 1), len(self.names)))
        self.types: list[set[type]] = [set() for _ in self.names]
        self.lists: dict[int, list] = {}  # column -> its values, if not all numbers
        self._known: set[tuple[type, ...]] = set()  # the rows' type signatures seen
        self._numeric = list(range(len(self.names)))
        self._take = getter(operator.itemgetter, self._numeric)

    def _reserve(self, rows: int) -> None:
        if rows > len(self.data):
            grown = np.empty((max(rows, 2 * len(self.data)), self.data.shape[1]))
            grown[: self.n] = self.data[: self.n]
            self.data = grown

    def extend(self, rows: list[tuple]) -> None:
        """Append ``rows``, each a tuple of one value per column."""
        if not rows:
            return
        start, end = self.n, self.n + len(rows)
        self._reserve(end)
        signatures = set(map(tuple, map(map, itertools.repeat(type), rows)))
        if not self._known.issuperset(signatures):
            self._retype(rows, signatures)
        if self.lists:
            columns = list(zip(*rows, strict=True))
            for k, values in self.lists.items():
                values.extend(columns[k])
            if self._numeric:  # each row's numbers, read in one pass (no transposed copy)
                numbers = itertools.chain.from_iterable(map(self._take, rows))
                count = len(rows) * len(self._numeric)
                block = np.fromiter(numbers, float, count).reshape(len(rows), -1)
                self.data[start:end, self._numeric] = block
        else:
            self.data[start:end] = rows
        self.n = end

    def _retype(self, rows: list[tuple], signatures: set[tuple[type, ...]]) -> None:
        """Note the types of new rows; a column given a non-number becomes a list of its
        values."""
        for k, known in enumerate(self.types):
            new = {type(row[k]) for row in rows}
            if k not in self.lists and not new <= NUMBERS:
                self.lists[k] = self.data[: self.n, k].tolist()
                if known and known <= INTEGERS:
                    self.lists[k] = [int(x) for x in self.lists[k]]
            known |= new
        self._known |= signatures
        self._numeric = [k for k in range(len(self.names)) if k not in self.lists]
        self._take = getter(operator.itemgetter, self._numeric)

    def extend_floats(self, columns: Sequence) -> None:
        """Append rows given column by column, as arrays of floats (equal lengths)."""
        count = len(columns[0]) if columns else 0
        self._reserve(self.n + count)
        for k, values in enumerate(columns):
            self.data[self.n : self.n + count, k] = values
            self.types[k].add(float)
        self.n += count

    def column(self, k: int) -> np.ndarray | list:
        """Column ``k``'s values as pandas should read them (a list if not numbers)."""
        if k in self.lists:
            return list(self.lists[k])
        if not self.types[k]:
            return []  # no value yet: pandas reads an empty list as object
        values = self.data[: self.n, k]
        return values.astype(np.int64) if self.types[k] <= INTEGERS else values.copy()

    def frame(self) -> dict[str, np.ndarray | list]:
        return {name: self.column(k) for k, name in enumerate(self.names)}


_unique_id = operator.attrgetter("unique_id")


def kind(agent: mesa.Agent) -> str:
    """Mesa's agent reporter ``kind``: the agent's class."""
    return type(agent).__name__


def attribute_of(agent: mesa.Agent, agent_type: type, name: str) -> Any:
    """Mesa's agent reporter of a vendor metric: None for other agents."""
    return getattr(agent, name) if isinstance(agent, agent_type) else None


class Collector(mesa.DataCollector):
    """Mesa's DataCollector for the registered metrics, its records kept in arrays.

    Each month (:meth:`collect`): the market metrics from ``values`` (one row); the
    vendor metrics, attributes of the same names of each vendor scheduled (one row per
    vendor, read once: they are also the agent reporters of
    ``get_agent_vars_dataframe()``, one row per agent and month, ``kind`` its class and
    None where the agent is no vendor); the segment metrics come as arrays over segments
    (:meth:`add_segments`), the rows of the ``segments`` table. ``months`` is the
    expected number of months (the arrays grow past it). Mesa's reporter dictionaries
    are kept for reference; ``model_vars``, ``tables`` and the frames are built from the
    arrays when asked.
    """

    def __init__(
        self,
        values: dict[str, Any],
        market: Sequence[str],
        vendors: Sequence[str],
        segments: Sequence[str],
        vendor_type: type,
        months: int,
    ):
        # no super().__init__(): Mesa's lists of values are replaced by arrays
        self._values, self._vendor_type = values, vendor_type
        self.model_reporters = {n: [operator.getitem, [values, n]] for n in market}
        self.agent_reporters = {
            "kind": kind,
            **{n: functools.partial(attribute_of, agent_type=vendor_type, name=n) for n in vendors},
        }
        self.agenttype_reporters = {vendor_type: {n: operator.attrgetter(n) for n in vendors}}
        self._user_tables: dict[str, dict[str, list]] = {}
        self._validated = True
        self.market = Columns(market, months)
        self.vendors = Columns(["AgentID", *vendors], 16 * months)
        self.segments = Columns(segments, 4 * months)
        self.steps: list[int] = []  # model.steps of each month recorded
        self.vendor_counts: list[int] = []  # vendor rows of each month
        self.segment_rows: list[tuple[int, list[str]]] = []  # (step, segments) per call
        self.layouts: list[tuple[tuple[int, str], ...]] = []  # all agents: (id, kind)
        self.layout: list[int] = []  # each month's layout
        self._agent_ids: tuple = ()
        self._market_row = getter(operator.itemgetter, list(market))
        self._vendor_row = getter(operator.attrgetter, ["unique_id", *vendors])
        self._built: dict[str, Any] = {}

    def collect(self, model: mesa.Model) -> None:
        """Record this month: market metrics, vendor metrics, which agents exist."""
        self._built.clear()
        self.steps.append(model.steps)
        self.market.extend([self._market_row(self._values)])
        vendor_type = self._vendor_type
        by_type = model.agents_by_type
        if vendor_type in by_type:
            vendors = by_type[vendor_type]
        else:
            vendors = [a for a in model.agents if isinstance(a, vendor_type)]
        rows = list(map(self._vendor_row, vendors))
        self.vendors.extend(rows)
        self.vendor_counts.append(len(rows))
        agents = list(model.agents)
        ids = tuple(map(_unique_id, agents))
        if ids != self._agent_ids or not self.layouts:
            self._agent_ids = ids
            self.layouts.append(tuple(zip(ids, map(kind, agents), strict=True)))
        self.layout.append(len(self.layouts) - 1)

    def add_segments(self, step: int, names: list[str], columns: Sequence) -> None:
        """The rows of the ``segments`` table for one month: one array over the
        segments ``names`` per segment metric."""
        self._built.clear()
        self.segment_rows.append((step, list(names)))
        self.segments.extend_floats([np.asarray(c, dtype=float) for c in columns])

    # -- Mesa's interface, built from the arrays -------------------------------------------
    def _cached(self, key: str, build: Callable[[], Any]) -> Any:
        if key not in self._built:
            self._built[key] = build()
        return self._built[key]

    @property
    def model_vars(self) -> dict[str, list]:
        """Mesa's record of the model reporters: each market metric's values by month."""
        return self._cached("model_vars", lambda: _lists(self.market.frame()))

    @property
    def _agent_records(self) -> dict[int, list[tuple]]:
        """Mesa's record of the agent reporters: step -> (step, id, kind, *metrics)."""
        return self._cached("agents", self._agent_rows)

    def _agent_rows(self) -> dict[int, list[tuple]]:
        rows = iter(zip(*_lists(self.vendors.frame()).values(), strict=True))
        missing = (None,) * (len(self.vendors.names) - 1)
        records = {}
        for step, count, layout in zip(self.steps, self.vendor_counts, self.layout, strict=True):
            own = {row[0]: row[1:] for row in itertools.islice(rows, count)}
            records[step] = [
                (step, uid, name, *own.get(uid, missing)) for uid, name in self.layouts[layout]
            ]
        return records

    @property
    def tables(self) -> dict[str, dict[str, list]]:
        """Mesa's tables: ``segments`` (built from the arrays) and any added later."""
        segments = self._cached("segments", lambda: _lists(self.segment_columns()))
        return {"segments": segments, **self._user_tables}

    def _new_table(self, table_name: str, table_columns: list[str]) -> None:
        self._user_tables[table_name] = {column: [] for column in table_columns}

    def add_table_row(self, table_name: str, row: dict, ignore_missing: bool = False) -> None:
        if table_name == "segments":
            raise ValueError("the segments table is written by the model (add_segments)")
        super().add_table_row(table_name, row, ignore_missing)

    def get_model_vars_dataframe(self) -> pd.DataFrame:
        return pd.DataFrame(self.market.frame())

    def vendor_columns(self) -> dict[str, np.ndarray | list]:
        """The vendor rows as columns: ``Step``, ``AgentID`` and the vendor metrics."""
        steps = np.repeat(np.array(self.steps, dtype=np.int64), self.vendor_counts)
        return {"Step": steps if self.vendors.n else [], **self.vendors.frame()}

    def get_agenttype_vars_dataframe(self, agent_type: type) -> pd.DataFrame:
        if agent_type is not self._vendor_type:
            return super().get_agenttype_vars_dataframe(agent_type)
        if not self.vendors.n:  # what Mesa gives for no record
            columns = ["Step", *self.vendors.names]
            return pd.DataFrame.from_records(iter(()), columns=columns, index=columns[:2])
        return pd.DataFrame(self.vendor_columns()).set_index(["Step", "AgentID"])

    def segment_columns(self) -> dict[str, np.ndarray | list]:
        steps = [step for step, names in self.segment_rows for _ in names]
        names = [name for _, segment in self.segment_rows for name in segment]
        if steps:
            steps = np.array(steps, dtype=np.int64)
        return {"step": steps, "segment": names, **self.segments.frame()}

    def get_table_dataframe(self, table_name: str) -> pd.DataFrame:
        if table_name == "segments":
            return pd.DataFrame(self.segment_columns())
        return super().get_table_dataframe(table_name)


def _lists(columns: dict[str, np.ndarray | list]) -> dict[str, list]:
    """Columns as lists of Python values (as Mesa keeps them)."""
    return {k: v.tolist() if isinstance(v, np.ndarray) else v for k, v in columns.items()}


def sort_order(steps: np.ndarray, names: np.ndarray | list) -> np.ndarray | None:
    """The rows' stable order by step, then name (as pandas sorts them); None if the
    names are not all text."""
    key = np.asarray(names)
    if key.dtype.kind != "U":
        return None
    return np.lexsort((key, steps))


def take(column: np.ndarray | list, order: np.ndarray) -> np.ndarray | list:
    """``column``'s values in ``order``."""
    if isinstance(column, np.ndarray):
        return column[order]
    return list(map(column.__getitem__, order.tolist()))
