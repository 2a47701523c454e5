"""Data collection into arrays: the model's ``datacollector`` gives, frame for frame, what
Mesa's DataCollector with one reporter per metric gives on the same run (values, dtypes,
index), past the scenario's horizon too; its columns keep the types of what they held."""

from __future__ import annotations

import operator

import mesa
import numpy as np
import pandas as pd
import pytest
from conftest import small_scenario

from aimarket import MarketModel
from aimarket.agents.cloud import Cloud
from aimarket.agents.vendor import Vendor
from aimarket.simulation import metrics
from aimarket.simulation.metrics._records import Columns, attribute_of, kind, sort_order, take


class Shadowed(MarketModel):
    """The model, with Mesa's own DataCollector fed the same metrics alongside."""

    def __init__(self, scenario, **kwargs):
        super().__init__(scenario, **kwargs)
        names = metrics.VENDORS.names()
        self.mesa_values: dict = {}
        self.mesa = mesa.DataCollector(
            model_reporters={
                n: [operator.getitem, [self.mesa_values, n]] for n in metrics.MARKET.names()
            },
            agent_reporters={"kind": kind, **{n: [attribute_of, [Vendor, n]] for n in names}},
            agenttype_reporters={Vendor: {n: n for n in names}},
            tables={"segments": ["step", "segment", *metrics.SEGMENTS.names()]},
        )

    def collect(self) -> None:
        super().collect()
        self.mesa_values.update(self.measured)
        month = metrics.Month(self)
        columns = {m.name: m.compute(month) for m in metrics.SEGMENTS}
        for s, name in enumerate(self.developers.segment_names):
            row = {"step": int(self.steps), "segment": name}
            row.update({k: float(v[s]) for k, v in columns.items()})
            self.mesa.add_table_row("segments", row)
        self.mesa.collect(self)


def _same(ours: pd.DataFrame, theirs: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(ours, theirs, check_exact=True)
    assert list(ours.dtypes) == list(theirs.dtypes)
    if isinstance(theirs.index, pd.MultiIndex):
        assert [lv.dtype for lv in ours.index.levels] == [lv.dtype for lv in theirs.index.levels]


@pytest.fixture(scope="module")
def shadowed() -> Shadowed:
    # past the horizon (the arrays grow), with entries and exits (agents come and go)
    return Shadowed(small_scenario(developers=300, steps=20), rng=3).run(60)


def test_the_run_has_entries_exits_and_outruns_its_horizon(shadowed):
    market = shadowed.market_frame()
    assert len(market) == 60 > shadowed.scenario.steps
    assert market["entries"].sum() > 0 and market["exits"].sum() > 0


def test_mesa_frames_are_what_mesa_gives(shadowed):
    ours, theirs = shadowed.datacollector, shadowed.mesa
    _same(ours.get_model_vars_dataframe(), theirs.get_model_vars_dataframe())
    _same(ours.get_agent_vars_dataframe(), theirs.get_agent_vars_dataframe())
    _same(ours.get_agenttype_vars_dataframe(Vendor), theirs.get_agenttype_vars_dataframe(Vendor))
    _same(ours.get_table_dataframe("segments"), theirs.get_table_dataframe("segments"))
    with pytest.warns(UserWarning, match="No agent-type reporters"):
        assert ours.get_agenttype_vars_dataframe(Cloud).empty


def test_mesa_records_hold_the_same_values(shadowed):
    ours, theirs = shadowed.datacollector, shadowed.mesa
    assert list(ours.model_vars) == list(theirs.model_vars)
    for name, values in theirs.model_vars.items():
        np.testing.assert_array_equal(ours.model_vars[name], values)
    assert list(ours._agent_records) == list(theirs._agent_records)
    for step, records in theirs._agent_records.items():
        assert pd.DataFrame(ours._agent_records[step]).equals(pd.DataFrame(records)), step
    assert list(ours.tables["segments"]) == list(theirs.tables["segments"])


def test_model_frames_are_read_from_the_same_records(shadowed):
    vendors = shadowed.vendor_frame()
    by_type = shadowed.mesa.get_agenttype_vars_dataframe(Vendor).reset_index()
    assert len(vendors) == len(by_type)
    assert list(vendors.columns[3:]) == list(by_type.columns[3:])
    assert (vendors["step"].diff().dropna() >= 0).all()
    market = shadowed.market_frame()
    _same(market.drop(columns=["step", "date"]), shadowed.mesa.get_model_vars_dataframe())
    segments = shadowed.segment_frame().drop(columns="date")
    _same(segments, shadowed.mesa.get_table_dataframe("segments"))


def test_mesa_tables_can_be_added():
    model = MarketModel(small_scenario(developers=100, steps=2), rng=1).run(1)
    collector = model.datacollector
    collector._new_table("events", ["step", "what"])
    collector.add_table_row("events", {"step": 1, "what": "launch"})
    assert collector.get_table_dataframe("events")["what"].tolist() == ["launch"]
    assert list(collector.tables) == ["segments", "events"]
    with pytest.raises(ValueError, match="segments table is written by the model"):
        collector.add_table_row("segments", {})


def test_a_model_that_has_not_run_has_empty_frames():
    model = MarketModel(small_scenario(developers=100, steps=2), rng=1)
    assert model.market_frame().empty and model.segment_frame().empty
    vendors = model.vendor_frame()
    assert vendors.empty and list(vendors.columns[:3]) == ["step", "date", "vendor"]


@pytest.mark.parametrize(
    "values",
    [
        [1, 2, 3],  # integers: int64
        [1.5, 2, np.float64(3.0)],  # numbers: float64
        [1, None, 3],  # a None among numbers
        [1.0, "a", 2.0],  # text among numbers
        ["a", "b", None],  # text
        [True, False, True],  # booleans
        [np.int64(4), 5, 6],
        [float("nan"), -0.0, float("inf")],
    ],
)
def test_a_column_gives_what_pandas_reads_from_its_values(values):
    columns = Columns(["x", "y"], capacity=1)  # grows
    for i, value in enumerate(values):
        columns.extend([(value, float(i))])
    ours = pd.DataFrame(columns.frame())
    theirs = pd.DataFrame({"x": values, "y": [float(i) for i in range(len(values))]})
    pd.testing.assert_frame_equal(ours, theirs, check_exact=True)


def test_columns_take_blocks_of_rows_and_float_columns():
    columns = Columns(["a", "b"], capacity=2)
    columns.extend([(1, "p"), (2, "q"), (3, "r")])
    columns.extend([])
    assert pd.DataFrame(columns.frame()).equals(pd.DataFrame({"a": [1, 2, 3], "b": list("pqr")}))
    floats = Columns(["u", "v"], capacity=1)
    floats.extend_floats([np.array([1.0, 2.0]), [3, 4]])
    floats.extend_floats([np.array([5.0]), np.array([6.0])])
    assert floats.column(1).tolist() == [3.0, 4.0, 6.0]
    assert floats.column(0).dtype == np.float64


def test_columns_see_a_new_type_in_a_block_of_known_rows():
    columns = Columns(["a", "b"], capacity=2)
    block = [(1, "p"), (2, "q")]
    columns.extend(block)
    columns.extend(block)  # the same types: still integers
    assert columns.column(0).dtype == np.int64
    columns.extend([(1, "p"), (2, "q"), (None, "r")])  # a None in a longer block
    columns.extend([(1, "p"), (2.5, "q")])  # a float in the second row
    assert columns.column(0) == [1, 2, 1, 2, 1, 2, None, 1, 2.5]
    numbers = Columns(["a"], capacity=1)
    numbers.extend([(1,), (2,)])
    numbers.extend([(1,), (2.5,)])
    assert numbers.column(0).dtype == np.float64


def test_vendor_rows_sort_as_pandas_sorts_them():
    steps = np.array([1, 1, 1, 2, 2, 2, 2])
    names = ["b", "a", "b", "Zed", "é", "a", "Zed"]
    frame = pd.DataFrame({"step": steps, "vendor": names, "row": range(len(names))})
    expected = frame.sort_values(["step", "vendor"], kind="stable")["row"].tolist()
    order = sort_order(steps, names)
    assert order.tolist() == expected
    assert take(names, order) == [names[i] for i in expected]
    assert sort_order(steps, [1, None, "a", "b", "c", "d", "e"]) is None  # pandas sorts
