"""Interrupts and the run's deadline: SIGINT or SIGTERM end a run at once,
in every phase, and never turn into a weaker verdict.

Why this is more than a signal handler:

* Z3's own Ctrl-C handler (installed around every `check()`) turns a Ctrl-C
  into the answer `unknown`; Houdini would then drop the conjunct and report
  "not inductive", and the run would exit 0 with weaker verdicts. So Z3's
  handler is switched off (`ctrl_c` false) and a Ctrl-C reaches Python.
* While the main thread is inside a Z3 call (a C call), Python cannot run a
  signal handler. Python's C-level handler still writes the signal number to
  the wakeup pipe at once; a watcher thread reads it and calls Z3's own
  interrupt (`Context.interrupt`, thread-safe), so the call returns within
  milliseconds and `checked` raises `Interrupted`.
* A handler that raises lands wherever the main thread is: inside a
  garbage-collector callback it is ignored ("Exception ignored in
  gc_callback"), inside a half-built Z3 object it prints a traceback. So the
  handler only remembers the signal; `check()` raises it at the next progress
  report or solver call, and a watchdog ends the process after `GRACE`
  seconds whatever the main thread is doing, removing the temporary files it
  registered.

`checked(solver, ...)` is the one way the proofs call Z3: it bounds the call
by the run's deadline (`--seconds`) and raises `Interrupted` or `OutOfTime`
when the answer is `unknown` because of them, never returning `unknown` for
a reason that is not the problem's.
"""

from __future__ import annotations

import os
import shutil
import signal
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator, Optional

GRACE = 1.5  # seconds between the signal and the forced exit

_received: Optional[int] = None
_deadline: Optional[float] = None  # time.monotonic() by which the run must end
_temps: set[Path] = set()
_installed = False


class Interrupted(KeyboardInterrupt):
    """SIGINT or SIGTERM arrived: the run ends with 128 + the signal number."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


class OutOfTime(KeyboardInterrupt):
    """The run's deadline passed. A KeyboardInterrupt so that Hypothesis lets it
    through at once instead of recording it as a failing example."""


def received() -> Optional[int]:
    return _received


def exit_code() -> int:
    return 128 + (_received or signal.SIGINT)


def check() -> None:
    """Raise if a signal arrived or the deadline passed (called at every progress report)."""
    if _received is not None:
        raise Interrupted(_received)
    if _deadline is not None and time.monotonic() > _deadline:
        raise OutOfTime("the run's --seconds budget is spent")


def set_deadline(seconds: Optional[float]) -> None:
    global _deadline
    _deadline = None if seconds is None else time.monotonic() + seconds


def time_left() -> Optional[float]:
    return None if _deadline is None else _deadline - time.monotonic()


def register_temp(path: Path) -> None:
    """A temporary file or folder to remove if the watchdog has to end the process."""
    _temps.add(Path(path))


def forget_temp(path: Path) -> None:
    _temps.discard(Path(path))


def _remove_temps() -> None:
    for p in list(_temps):
        if p.is_dir():
            shutil.rmtree(p, ignore_errors=True)
        else:
            p.unlink(missing_ok=True)


def _handler(signum: int, frame: Any) -> None:
    """Remember the signal and stop Z3; raise only at safe points (`check`,
    `checked`, `phase`): an exception raised at an arbitrary bytecode can land
    in a half-built object or a gc callback, where Python ignores it."""
    global _received
    first = _received is None
    _received = signum
    _interrupt_z3()
    if first:
        threading.Thread(target=_watchdog, daemon=True).start()


def _interrupt_z3() -> None:
    z3 = sys.modules.get("z3")
    if z3 is not None:
        z3.main_ctx().interrupt()


def _watchdog() -> None:
    time.sleep(GRACE)
    _remove_temps()
    os.write(2, b"dirproof: interrupted\n")
    os._exit(exit_code())


def _watch(fd: int) -> None:
    """Read the wakeup pipe: a signal arrived, maybe while the main thread is in Z3."""
    while True:
        try:
            data = os.read(fd, 16)
        except OSError:
            data = b""
        if not data:
            os.close(fd)
            return
        _interrupt_z3()


@contextmanager
def handling() -> Iterator[None]:
    """Install the handlers for one run (main thread only); restore them after."""
    global _received, _installed
    # DIRPROOF_NO_INTERRUPT_HANDLING=1 (tests only) shows what happens without this module.
    if threading.current_thread() is not threading.main_thread() or _installed or _disabled():
        yield
        return
    _received = None
    old = {s: signal.signal(s, _handler) for s in (signal.SIGINT, signal.SIGTERM)}
    r, w = os.pipe()
    os.set_blocking(w, False)
    old_fd = signal.set_wakeup_fd(w, warn_on_full_buffer=False)
    threading.Thread(target=_watch, args=(r,), daemon=True).start()
    _installed = True
    try:
        yield
    finally:
        _installed = False
        signal.set_wakeup_fd(old_fd)
        for s, h in old.items():
            signal.signal(s, h)
        os.close(w)
        set_deadline(None)


def _disabled() -> bool:
    return bool(os.environ.get("DIRPROOF_NO_INTERRUPT_HANDLING"))


def prepare_z3() -> None:
    """Z3 must not catch Ctrl-C itself (it would answer `unknown`)."""
    if _disabled():
        return
    import z3
    z3.set_param("ctrl_c", False)


def checked(solver: Any, *assumptions: Any, timeout: Optional[float] = None) -> Any:
    """`solver.check(*assumptions)` bounded by `timeout` seconds and the run's
    deadline; `unknown` because of a signal or the deadline raises instead."""
    import z3
    check()
    left = time_left()
    limits = [t for t in (timeout, left) if t is not None]
    solver.set("timeout", max(1, int(min(limits) * 1000)) if limits else 0)
    res = solver.check(*assumptions)
    if res == z3.unknown:
        check()
    return res


def answer(res: Any) -> Any:
    """A solver's answer as is, unless a signal arrived or the deadline
    passed (a cancelled check answers `unknown` rather than raising): then
    the run ends as interrupted, so no verdict is drawn from a check that did
    not finish. Every answer is a safe point, so a signal that lands while
    Python builds the next query (which Z3 cannot cancel) stops the run at
    the next answer, not at the end of the phase."""
    check()
    return res


def phase(name: str) -> None:
    """Mark the start of a phase of a run. For the interrupt tests only:
    DIRPROOF_PHASES=1 prints it on stderr, and DIRPROOF_PAUSE=<name> waits
    there (up to 60 s, in Python) so that a signal lands in that phase."""
    if _received is not None:
        raise Interrupted(_received)
    if os.environ.get("DIRPROOF_PHASES"):
        os.write(2, f"dirproof: phase {name}\n".encode())
    if os.environ.get("DIRPROOF_PAUSE") == name:
        end = time.monotonic() + 60
        while time.monotonic() < end and _received is None:
            time.sleep(0.05)
        if _received is not None:
            raise Interrupted(_received)
