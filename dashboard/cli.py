"""The ``aimarket dashboard`` command (see :mod:`aimarket.cli`).

aimarket dashboard [--scenario NAME|FILE] [--port N] [--host H]
"""

from __future__ import annotations

import argparse

from aimarket.simulation.errors import ScenarioError

INSTALL = "pip install 'aimarket[dashboard]'"


def cmd_dashboard(args: argparse.Namespace) -> int:
    from aimarket.simulation.scenarios import load_scenario

    load_scenario(args.scenario)  # a bad name or file: one line, before serving
    if not 0 <= args.port <= 65535:
        raise ScenarioError(f"--port = {args.port} is out of range: allowed [0, 65535]")
    try:
        from aimarket.dashboard import server
    except ImportError as exc:
        raise ScenarioError(f"the dashboard needs its extra ({exc.name} is missing): "
                            f"{INSTALL}") from exc  # fmt: skip
    return server.serve(args.scenario, args.host, args.port)


def add_commands(sub) -> None:
    """Register ``dashboard`` on the ``aimarket`` subparsers."""
    p = sub.add_parser("dashboard", help="watch a market and compare release policies live")
    p.add_argument("--scenario", default="baseline", help="built-in name or TOML file")
    p.add_argument("--port", type=int, default=8765, help="local port (default 8765; 0: any)")
    p.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to listen on (default 127.0.0.1; another address is reachable "
        "from other machines: the dashboard has no authentication)",
    )
    p.set_defaults(func=cmd_dashboard)
