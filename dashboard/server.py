"""Serving the dashboard: one local port, no call out, a clean stop.

The page is served in this process by uvicorn (Solara's server is a Starlette app): the
socket is bound here first, so a port in use is refused in one line before anything
starts; Ctrl-C or SIGTERM stops it cleanly (status 0), before that it ends as Ctrl-C
does (status 130).
"""

from __future__ import annotations

import errno
import ipaddress
import os
import signal
import socket
import sys
import warnings

import uvicorn

from aimarket.dashboard import SCENARIO_VARIABLE
from aimarket.simulation.errors import ScenarioError

LOCAL = "127.0.0.1"
DEFAULT_PORT = 8765
#: Seconds open pages get to close their connections when the server stops.
GRACEFUL_SECONDS = 3


class Server(uvicorn.Server):
    """uvicorn's server, stopping on Ctrl-C or SIGTERM as uvicorn does (open pages get
    :data:`GRACEFUL_SECONDS`), then returning: uvicorn would raise the signal again
    after its clean stop, so that the process ends by the signal instead of status 0."""

    def handle_exit(self, sig, frame) -> None:
        super().handle_exit(sig, frame)
        self._captured_signals.clear()


def is_loopback(host: str) -> bool:
    """``host`` is this machine only (127.0.0.0/8, ::1 or localhost)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def bind(host: str, port: int) -> socket.socket:
    """A listening socket on ``host``:``port``; a port in use or an address not of this
    machine is a :class:`ScenarioError` (one line, exit status 2)."""
    try:
        info = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except socket.gaierror as exc:
        raise ScenarioError(f"--host {host}: not an address of this machine ({exc})") from exc
    sock = socket.socket(info[0], socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(info[4])
        sock.listen(128)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            message = f"port {port} on {host} is in use: choose another with --port"
            raise ScenarioError(message) from None
        raise ScenarioError(f"cannot listen on {host}:{port}: {exc.strerror}") from exc
    sock.set_inheritable(True)
    return sock


def serve(scenario: str, host: str = LOCAL, port: int = DEFAULT_PORT) -> int:
    """Serve the dashboard for ``scenario`` until Ctrl-C or SIGTERM; 0 on a clean stop."""
    sock = bind(host, port)
    if not is_loopback(host):
        print(
            f"aimarket dashboard: warning: serving on {host}: the dashboard has no "
            "authentication, anyone who can reach this address can use it",
            file=sys.stderr,
        )
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # while starting: as Ctrl-C
    os.environ[SCENARIO_VARIABLE] = scenario
    os.environ["SOLARA_APP"] = "aimarket.dashboard.app"
    # Solara warns at every page load off "localhost" that its cookie cannot be embedded
    # in another site's frame (samesite=lax): the dashboard is not embedded.
    warnings.filterwarnings("ignore", message="Cookies with samesite=none require https")
    config = uvicorn.Config(
        "solara.server.starlette:app",
        log_level="warning",
        timeout_graceful_shutdown=GRACEFUL_SECONDS,
    )
    shown = f"[{host}]" if ":" in host else host
    print(f"aimarket dashboard: http://{shown}:{sock.getsockname()[1]}/ (Ctrl-C stops it)",
          flush=True)  # fmt: skip
    Server(config).run(sockets=[sock])  # Solara is imported here, after the environment
    print("aimarket dashboard: stopped", flush=True)
    return 0
