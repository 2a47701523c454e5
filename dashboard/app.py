"""The SolaraViz page: controls in the sidebar, the readout and the charts beside it.

``page(scenario)`` is the page for a scenario (show it in a notebook cell);
``Page`` is what ``aimarket dashboard`` serves, for the scenario named in the
environment variable :data:`SCENARIO_VARIABLE` (default ``baseline``).
"""

from __future__ import annotations

import html
import os

import solara
from mesa.visualization import SolaraViz
from mesa.visualization.utils import update_counter

from aimarket.dashboard import SCENARIO_VARIABLE, controls
from aimarket.dashboard.charts import CHARTS, TABS
from aimarket.dashboard.runs import DashboardModel
from aimarket.dashboard.svg import chart_html

#: The page's style sheet: the sliders' labels above their tracks with the value shown
#: (the track inset so that a value at either end stays inside the card), the readout in
#: a wrapping grid, the charts' panels side by side.
STYLE = """
.v-input__slider .v-input__slot { flex-wrap: wrap; }
.v-input__slider .v-input__slot > .v-label {
  flex: 0 0 100%; max-width: 100%; height: auto; white-space: normal; line-height: 1.3;
  margin: 0 0 32px 0 !important; font-size: 13px;
}
.v-input__slider .v-slider { flex: 1 1 100%; min-width: 150px;
  margin-left: 28px !important; margin-right: 28px !important; }
.v-input__slider .v-slider__thumb-label-container { display: block !important; }
.v-input__slider .v-slider__thumb-label { width: auto !important; height: 20px !important;
  min-width: 28px; padding: 0 5px; border-radius: 4px !important; font-size: 12px;
  transform: translateY(-100%) translateY(-6px) translateX(-50%) !important; }
.v-input__slider .v-slider__thumb-label > * { transform: none !important; }
.aimarket-readout { display: grid; grid-template-columns: repeat(auto-fill, minmax(240px, 1fr));
  gap: 6px 18px; margin: 4px 0 8px 0; }
.aimarket-readout dt { font-size: 12px; color: #555; }
.aimarket-readout dd { margin: 0; font-size: 17px; font-weight: 600; }
.aimarket-chart h3 { margin: 10px 0 2px 0; font-size: 16px; }
.aimarket-panels { display: flex; flex-wrap: wrap; gap: 8px 18px; }
.aimarket-panel { margin: 0; width: 470px; }
.aimarket-panel figcaption { font-weight: 600; font-size: 13px; }
.aimarket-panel svg { background: #fff; }
.aimarket-panel svg text { fill: #333; }
.aimarket-panel svg text.event { font-size: 9px; fill: #444; }
.aimarket-legend { list-style: none; padding: 0 0 0 60px !important; margin: 0;
  display: flex; flex-wrap: wrap; gap: 2px 14px; font-size: 12px; }
.aimarket-legend .swatch { display: inline-block; width: 14px; height: 4px;
  vertical-align: middle; margin-right: 5px; }
"""

#: Element ids of the readout, for users to copy from and tests to read.
READOUT_IDS = {
    "month": "aimarket-month",
    "date": "aimarket-date",
    "policy": "aimarket-policy",
    "open_share": "aimarket-open-share",
    "payoff": "aimarket-payoff",
    "payoff_difference": "aimarket-payoff-difference",
}


def readout_rows(model: DashboardModel) -> list[tuple[str, str, str]]:
    """(label, element id, text) of each readout line. The ids without a suffix read
    the first run; in compare mode each run's lines also carry its key
    (``aimarket-closed-payoff``)."""
    values = model.readout()
    rows = [
        ("month", READOUT_IDS["month"], str(values["month"])),
        ("date", READOUT_IDS["date"], values["date"]),
    ]
    for k, run in enumerate(model.runs):
        data = values[run.key]
        suffix = "" if k == 0 else f"-{run.key}"
        prefix = f"{run.label}: " if model.compare else ""
        platform = model.platform or "platform"
        rows += [
            (f"{prefix}{platform}'s policy", READOUT_IDS["policy"] + suffix, data["policy"]),
            (f"{prefix}open share of tokens", READOUT_IDS["open_share"] + suffix,
             f"{data['open_share']:.4f}"),
            (f"{prefix}platform's payoff ($M)", READOUT_IDS["payoff"] + suffix,
             f"{data['payoff']:.1f}"),
        ]  # fmt: skip
    if model.compare:
        difference = f"{values['payoff_difference']:.1f}"
        rows.append(("payoff difference, open - closed ($M)", READOUT_IDS["payoff_difference"],
                     difference))  # fmt: skip
    return rows


def readout_html(model: DashboardModel) -> str:
    """The readout as a plain-text definition list, one item per line of
    :func:`readout_rows` (the page sets them in a wrapping grid)."""
    lines = [
        f'<div><dt>{html.escape(label)}</dt><dd id="{key}">{html.escape(text)}</dd></div>'
        for label, key, text in readout_rows(model)
    ]
    return '<dl class="aimarket-readout">' + "".join(lines) + "</dl>"


def tab_html(model: DashboardModel, tab: str) -> str:
    """The charts of ``tab`` (a key of :data:`TABS`) as HTML."""
    return "".join(chart_html(CHARTS[name](model)) for name in TABS[tab])


def start_values(params: dict) -> dict:
    """The model's keyword arguments for the controls' starting values."""
    return {k: v["value"] if isinstance(v, dict) and "type" in v else v for k, v in params.items()}


@solara.component
def Main(model: DashboardModel):
    """The readout and the charts of the chosen tab (only those are drawn each month)."""
    update_counter.get()
    tab, set_tab = solara.use_state(0)
    names = list(TABS)
    solara.HTML(tag="div", unsafe_innerHTML=readout_html(model))
    with solara.v.Tabs(v_model=tab, on_v_model=set_tab):
        for name in names:
            solara.v.Tab(children=[name])
    solara.HTML(tag="div", unsafe_innerHTML=tab_html(model, names[tab]))


@solara.component
def Dashboard(scenario: str = "baseline"):
    """The dashboard for ``scenario`` (a built-in name or a TOML file), one model per
    session. A model that Reset replaces is freed: the agents' id counters hold their
    model weakly (:mod:`aimarket.agents.base`)."""
    params = solara.use_memo(lambda: controls.model_params(scenario), [scenario])
    first = solara.use_memo(lambda: DashboardModel(**start_values(params)), [params])
    model = solara.use_reactive(first)
    solara.Style(STYLE)
    SolaraViz(model, components=[], model_params=params, name="aimarket")
    Main(model.value)


def page(scenario: str = "baseline"):
    """The dashboard as an element: the last expression of a notebook cell shows it."""
    return Dashboard(scenario=scenario)


@solara.component
def Page():
    """The page ``aimarket dashboard`` serves."""
    Dashboard(scenario=os.environ.get(SCENARIO_VARIABLE, "baseline"))
