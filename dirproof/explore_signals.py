"""Ctrl-C and SIGTERM during an exploration: noted at once, raised at a safe point.

Python raises KeyboardInterrupt in whatever Python code runs when SIGINT
arrives. During an exploration that is often a garbage-collector callback
(Hypothesis installs one, process-wide, to time collections; the model
allocates a lot): an exception raised there is printed as "Exception
ignored in gc callback" and dropped, and the run went on to a green verdict.

`deferred()` therefore replaces the SIGINT and SIGTERM handlers, while the
exploration runs, by one that only notes the signal. The exploration looks
at `pending()` after every step and ends its example and its run; `check()`
(called between Hypothesis runs, between polishings, and when `deferred()`
is left) then hands the signal to the handler that was in place before:
Python's default turns SIGINT into KeyboardInterrupt, raised in the
exploration's own code and so out of `explore` and the engine's `run`; a
default SIGTERM ends the process as it would have; a handler the CLI
installed runs as it would have. A second signal while one is pending is
handed over at once (if something does not return to a safe point).

Signal handlers can only be set in the main thread; elsewhere `deferred()`
changes nothing (the signal is then raised in the main thread anyway).
"""

from __future__ import annotations

import contextlib
import signal
import threading
from typing import Any, Iterator, Optional

SIGNALS = tuple(s for s in (getattr(signal, "SIGINT", None), getattr(signal, "SIGTERM", None))
                if s is not None)

_depth = 0
_saved: dict[int, Any] = {}  # signal -> the handler in place before deferred()
_received: Optional[tuple[int, Any]] = None  # (signal, frame) noted, not yet handed over


def pending() -> bool:
    """A signal arrived and has not been handed over yet."""
    return _received is not None


def _note(signum: int, frame: Any) -> None:
    global _received
    if _received is None:
        _received = (signum, frame)
    else:  # a second one: the user insists, hand it over now
        check()


def _restore() -> None:
    for sig, handler in _saved.items():
        signal.signal(sig, handler)
    _saved.clear()


def check() -> None:
    """Hand a pending signal to the handler that was in place before
    `deferred()` (raising KeyboardInterrupt for a default SIGINT)."""
    global _received
    if _received is None:
        return
    signum, frame = _received
    _received = None
    handler = _saved.get(signum, signal.getsignal(signum))
    if callable(handler):
        handler(signum, frame)
    elif handler == signal.SIG_DFL:
        _restore()  # the default action (ending the process) needs the default handler
        signal.raise_signal(signum)
    # SIG_IGN: ignored, as it would have been


@contextlib.contextmanager
def deferred() -> Iterator[None]:
    """Note SIGINT and SIGTERM instead of raising wherever Python is, for the
    duration of the block (nested blocks share the outer one's handlers)."""
    global _depth
    if _depth == 0 and threading.current_thread() is threading.main_thread():
        for sig in SIGNALS:
            before = signal.getsignal(sig)
            if before not in (None, signal.SIG_IGN):  # (None: set outside Python; left alone)
                _saved[sig] = before
                signal.signal(sig, _note)
    _depth += 1
    try:
        yield
        check()
    finally:
        _depth -= 1
        if _depth == 0:
            try:
                check()  # (only when the block was left by an exception)
            finally:
                _restore()
