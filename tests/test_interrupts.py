"""SIGINT and SIGTERM while a sweep runs: one interrupt, held back while a batch is written,
the handlers restored afterwards; a signal the process ignores stays ignored."""

from __future__ import annotations

import signal

import pytest

from aimarket.experiments.engine import interrupts


def test_a_signal_waits_for_the_batch_being_written_then_interrupts_once():
    before = signal.getsignal(signal.SIGTERM)
    written = []
    with interrupts.stop_on_signals() as stop:
        with pytest.raises(interrupts.Interrupted) as caught, interrupts.deferred():
            signal.raise_signal(signal.SIGTERM)
            written.append("batch")  # still runs: the interrupt waits for the block's end
        assert written == ["batch"]
        assert caught.value.signum == signal.SIGTERM
        assert isinstance(caught.value, KeyboardInterrupt)  # handled like Ctrl-C
        signal.raise_signal(signal.SIGINT)  # during the clean-up: ignored
        signal.raise_signal(signal.SIGTERM)
    assert stop.signum == signal.SIGTERM
    assert signal.getsignal(signal.SIGTERM) is before


def test_ctrl_c_outside_a_deferred_block_interrupts_at_once():
    with interrupts.stop_on_signals() as stop, pytest.raises(interrupts.Interrupted):
        signal.raise_signal(signal.SIGINT)
        raise AssertionError("not interrupted")
    assert stop.signum == signal.SIGINT


def test_a_signal_the_process_ignores_stays_ignored():
    before = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        with interrupts.stop_on_signals() as stop:
            signal.raise_signal(signal.SIGINT)
        assert stop.signum == 0
        assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
    finally:
        signal.signal(signal.SIGINT, before)
