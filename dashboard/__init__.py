"""The interactive dashboard: watch one market month by month, or compare the platform's
release policies on the same seed, in a browser (``aimarket dashboard``) or a notebook.

Built on Mesa's SolaraViz; needs the ``dashboard`` extra (``pip install
'aimarket[dashboard]'``). Its parts:

* :mod:`aimarket.dashboard.controls`: the controls, generated from the scenario's
  parameter records, the release-policy registry and the uncertainty records;
* :mod:`aimarket.dashboard.runs`: the model the dashboard steps, one market or two
  (the platform open and closed, common random numbers), and the numbers it reads out;
* :mod:`aimarket.dashboard.charts`: the charts, drawn with matplotlib from the model's
  metric frames;
* :mod:`aimarket.dashboard.app`: the SolaraViz page (``page()``, and ``Page`` for the
  server);
* :mod:`aimarket.dashboard.server`: serving the page on a local port;
* :mod:`aimarket.dashboard.cli`: the ``aimarket dashboard`` command.

The dashboard never calls out: Solara's version check and telemetry are off, and its
front-end files are served from the ``solara-assets`` package (installed where Solara's
asset proxy looks first) instead of a CDN.
"""

import os

#: Solara's settings read these when it is first imported: no telemetry; no check of the
#: rules of hooks (it warns about Mesa's own components at every start); no "runs on
#: Solara" banner (fixed at the window's lower right, over the charts).
QUIET_SOLARA = {
    "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "false",
    "SOLARA_CHECK_HOOKS": "off",
    "SOLARA_THEME_SHOW_BANNER": "false",
}
#: The scenario the served page starts from (set by ``aimarket dashboard --scenario``).
SCENARIO_VARIABLE = "AIMARKET_DASHBOARD_SCENARIO"
for _name, _value in QUIET_SOLARA.items():
    os.environ.setdefault(_name, _value)
