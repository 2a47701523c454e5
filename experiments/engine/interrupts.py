"""Stopping a sweep: SIGINT (Ctrl-C) and SIGTERM both ask the driver to stop cleanly.

While :func:`stop_on_signals` is active, either signal raises :class:`Interrupted` (a
``KeyboardInterrupt``) in the main thread, once (a signal the process was started
ignoring stays ignored). The driver then drops the runs in flight,
writes the runs that finished, records the session and returns; a further signal during
that clean-up is ignored, so that it is not cut short (SIGKILL still ends the process, and
then its workers follow: see :mod:`aimarket.experiments.engine.executors`). Inside
:func:`deferred` (a batch being written) the exception waits until the block ends.

Signal handlers can only be installed from the main thread; elsewhere (a sweep started
from a thread) nothing is installed and the process keeps its own handling.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator

SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Interrupted(KeyboardInterrupt):
    """The driver received SIGINT or SIGTERM (``signum``)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


class Stop:
    """What :func:`stop_on_signals` installs: the first signal received, if any."""

    def __init__(self) -> None:
        self.signum = 0
        self._deferring = 0
        self._pending = False

    def handle(self, signum: int, frame) -> None:
        if self.signum:  # already stopping: let the clean-up finish
            return
        self.signum = signum
        if self._deferring:
            self._pending = True
        else:
            raise Interrupted(signum)

    @contextlib.contextmanager
    def deferred(self) -> Iterator[None]:
        self._deferring += 1
        try:
            yield
        except BaseException:
            self._pending = False  # leaving with an error anyway; ``signum`` stays recorded
            raise
        finally:
            self._deferring -= 1
        if self._pending and not self._deferring:
            self._pending = False
            raise Interrupted(self.signum)


_active: Stop | None = None


@contextlib.contextmanager
def stop_on_signals(stop: Stop | None = None) -> Iterator[Stop]:
    """SIGINT and SIGTERM raise :class:`Interrupted` in the main thread while inside;
    ``stop`` (a new :class:`Stop` by default) records the signal."""
    global _active
    stop = stop if stop is not None else Stop()
    if threading.current_thread() is not threading.main_thread():
        yield stop
        return
    # A signal this process was started ignoring stays ignored (a shell starts background
    # jobs with SIGINT ignored).
    previous = {s: signal.signal(s, stop.handle) for s in SIGNALS if _handled(s)}
    outer, _active = _active, stop
    try:
        yield stop
    finally:
        _active = outer
        for s, handler in previous.items():
            signal.signal(s, handler if handler is not None else signal.SIG_DFL)


def _handled(signum: int) -> bool:
    return signal.getsignal(signum) is not signal.SIG_IGN


@contextlib.contextmanager
def deferred() -> Iterator[None]:
    """Hold back the interrupt of the active :func:`stop_on_signals` until the block ends."""
    if _active is None:
        yield
    else:
        with _active.deferred():
            yield
