"""Ctrl-C and SIGTERM during an exploration (dirproof.explore_signals).

A signal sent while the exploration runs must come out of `explore` and of
the engine's `run` promptly, as the exception its handler raises
(KeyboardInterrupt for SIGINT), never be swallowed (Hypothesis's gc callback
used to drop it: "Exception ignored in gc callback") and never become a
verdict. The last tests show the checks fail on an engine that swallows it.
"""

from __future__ import annotations

import gc
import os
import signal
import threading
import time

import pytest

from dirproof import explore as E
from dirproof import explore_signals
from dirproof.engines import EngineRequest, run
from dirproof.model import make_config
from dirproof.properties import PROPERTIES

SAFE = make_config("entra")
PROMPT = 5.0  # seconds from the signal to the exception, at most (typically well under one)


def _signal_at_example(n: int, send) -> tuple:
    """A progress callback that calls `send()` at the n-th example, and the
    time it did."""
    sent: list = []

    def progress(done, total, label) -> None:
        if not sent and label.endswith(f" {n} examples"):
            sent.append(time.perf_counter())
            send()
    return progress, sent


def _kill(sig):
    return lambda: os.kill(os.getpid(), sig)


def ctrl_c_is_raised(send=_kill(signal.SIGINT), seconds: float = 120) -> None:
    progress, sent = _signal_at_example(3, send)
    with pytest.raises(KeyboardInterrupt):
        E.explore(SAFE, seconds=seconds, seed=1, progress=progress)
    assert sent and time.perf_counter() - sent[0] < PROMPT


def test_ctrl_c_is_raised_out_of_explore_promptly():
    ctrl_c_is_raised()
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # restored


def test_ctrl_c_landing_in_a_gc_callback_is_not_lost():
    """The reported symptom: SIGINT handled while a gc callback runs. Python
    drops an exception raised there; the exploration must not."""
    ctrl_c_in_gc_is_raised()


def ctrl_c_in_gc_is_raised(seconds: float = 120) -> None:
    armed: list = []

    def callback(phase, info) -> None:
        if armed and phase == "start":
            armed.clear()
            signal.raise_signal(signal.SIGINT)  # its handler runs here, in the callback
    gc.callbacks.append(callback)
    try:
        ctrl_c_is_raised(send=lambda: (armed.append(1), gc.collect()), seconds=seconds)
    finally:
        gc.callbacks.remove(callback)


def test_ctrl_c_from_another_thread_is_raised():
    """As a terminal sends it: at any moment, whatever the main thread runs."""
    started = threading.Event()
    main = threading.main_thread().ident
    sent: list = []

    def interrupt() -> None:
        started.wait(60)
        time.sleep(0.3)
        sent.append(time.perf_counter())
        signal.pthread_kill(main, signal.SIGINT)
    t = threading.Thread(target=interrupt)
    t.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            E.explore(SAFE, seconds=120, seed=2, progress=lambda *a: started.set())
    finally:
        t.join()
    assert time.perf_counter() - sent[0] < PROMPT


def test_ctrl_c_is_raised_out_of_the_engine():
    progress, sent = _signal_at_example(3, _kill(signal.SIGINT))
    req = EngineRequest(SAFE, tuple(PROPERTIES), seconds=120, seed=1, progress=progress)
    with pytest.raises(KeyboardInterrupt):
        run("hypothesis", req)
    assert sent


class Terminated(BaseException):
    pass


def test_sigterm_goes_to_the_handler_that_was_in_place():
    """A SIGTERM handler (as the CLI may install) runs, and what it raises
    comes out of explore; the handler is in place again afterwards."""
    def handler(signum, frame):
        raise Terminated(signum)
    before = signal.signal(signal.SIGTERM, handler)
    try:
        progress, sent = _signal_at_example(2, _kill(signal.SIGTERM))
        with pytest.raises(Terminated):
            E.explore(SAFE, seconds=120, seed=1, progress=progress)
        assert sent and time.perf_counter() - sent[0] < PROMPT
        assert signal.getsignal(signal.SIGTERM) is handler
    finally:
        signal.signal(signal.SIGTERM, before)


def test_a_run_without_signals_leaves_the_handlers_as_they_were():
    E.explore(SAFE, examples=3, seed=1)
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    assert not explore_signals.pending()


# ---------------------------------------------------------------- the checks can fail

def test_the_checks_catch_an_engine_that_never_hands_the_signal_over(monkeypatch):
    """An engine that notes the signal but never raises it (returning a
    partial result) fails the check."""
    monkeypatch.setattr(explore_signals, "check", lambda: None)
    with pytest.raises(pytest.fail.Exception, match="DID NOT RAISE"):
        ctrl_c_is_raised(seconds=3)
    monkeypatch.undo()
    explore_signals._received = None  # (the swallowed one)


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")  # (the dropped one)
def test_the_gc_check_catches_an_engine_that_leaves_signals_as_python_has_them(monkeypatch):
    """Without the deferral (the engine as it was), the Ctrl-C raised in the
    gc callback is dropped by Python and the run goes on: the check fails."""
    import contextlib
    monkeypatch.setattr(explore_signals, "deferred", contextlib.nullcontext)
    with pytest.raises(pytest.fail.Exception, match="DID NOT RAISE"):
        ctrl_c_in_gc_is_raised(seconds=3)
