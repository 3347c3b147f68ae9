"""read-your-writes, monotonic-reads, no-read-of-lost-write (design.md §4, 3-5), causal-read (issue 14).

Each is judged when a read is served (properties/monitors.py `on_read`),
against the history up to that read: the property holds while the
monitor's latch is clear.
"""

from __future__ import annotations

from typing import Any

from dirproof.model import State

from .monitors import Ghost, clear


def read_your_writes(state: State, ghost: Ghost) -> Any:
    """A read sees every write its logical session had acknowledged before it."""
    return clear(ghost.ryw)


def monotonic_reads(state: State, ghost: Ghost) -> Any:
    """Within a logical session, reads never go back in LSN."""
    return clear(ghost.mono)


def no_read_of_lost_write(state: State, ghost: Ghost) -> Any:
    """A read returns only entries that were acknowledged before it."""
    return clear(ghost.lost)


def causal_read(state: State, ghost: Ghost) -> Any:
    """A read sees every acknowledged write that a token handed to its
    session (in its logical session) covered, whichever session wrote it (issue 14)."""
    return clear(ghost.causal)
