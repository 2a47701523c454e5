"""The SolaraViz page: controls in the sidebar, the readout and the charts beside it.

``page(scenario)`` is the page for a scenario (show it in a notebook cell);
``Page`` is what ``aimarket dashboard`` serves, for the scenario named in the
environment variable :data:`SCENARIO_VARIABLE` (default ``baseline``).
"""

from __future__ import annotations

import html
import os
from collections.abc import Callable

import reacton.ipywidgets as rw
import solara
from mesa.visualization import SolaraViz

from aimarket.dashboard import SCENARIO_VARIABLE, controls
from aimarket.dashboard.charts import CHARTS, MIME, render
from aimarket.dashboard.runs import DashboardModel

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
    """The readout as a plain-text definition list."""
    lines = [
        f'<dt>{html.escape(label)}</dt><dd id="{key}">{html.escape(text)}</dd>'
        for label, key, text in readout_rows(model)
    ]
    return '<dl class="aimarket-readout">' + "".join(lines) + "</dl>"


def Readout(model: DashboardModel):
    """The numbers beside the charts."""
    return solara.HTML(tag="div", unsafe_innerHTML=readout_html(model))


def chart(name: str, draw: Callable) -> Callable:
    """A page component drawing chart ``name`` (SolaraViz redraws it every month)."""

    def Chart(model: DashboardModel):
        image = render(draw(model))
        return rw.Image(value=image, format=MIME, layout={"max_width": "100%"})

    Chart.__name__ = f"Chart_{name}"
    return Chart


COMPONENTS = [Readout, *(chart(name, draw) for name, draw in CHARTS.items())]


def start_values(params: dict) -> dict:
    """The model's keyword arguments for the controls' starting values."""
    return {k: v["value"] if isinstance(v, dict) and "type" in v else v for k, v in params.items()}


@solara.component
def Dashboard(scenario: str = "baseline"):
    """The dashboard for ``scenario`` (a built-in name or a TOML file), one model per
    session. A model that Reset replaces is freed: the agents' id counters hold their
    model weakly (:mod:`aimarket.agents.base`)."""
    params = solara.use_memo(lambda: controls.model_params(scenario), [scenario])
    model = solara.use_memo(lambda: DashboardModel(**start_values(params)), [params])
    SolaraViz(model, components=COMPONENTS, model_params=params, name="aimarket")


def page(scenario: str = "baseline"):
    """The dashboard as an element: the last expression of a notebook cell shows it."""
    return Dashboard(scenario=scenario)


@solara.component
def Page():
    """The page ``aimarket dashboard`` serves."""
    Dashboard(scenario=os.environ.get(SCENARIO_VARIABLE, "baseline"))
