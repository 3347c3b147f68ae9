"""read-your-writes, monotonic-reads, no-read-of-lost-write (design.md §4, 3-5)."""

from __future__ import annotations

from typing import Optional

from dirproof.model import Acked, ReadServed, State


def _who(ev: ReadServed, state: State) -> str:
    return f"session {ev.session} (logical #{ev.logical}) reading at {state.config.name_of(ev.replica)}"


def read_your_writes(state: State) -> Optional[str]:
    """A read sees every write its logical session had acknowledged before it."""
    mine: dict[tuple[int, int], list] = {}
    for ev in state.history:
        if isinstance(ev, Acked):
            mine.setdefault((ev.entry.session, ev.entry.logical), []).append(ev.entry)
        elif isinstance(ev, ReadServed):
            for e in mine.get((ev.session, ev.logical), ()):
                if len(ev.seen) < e.lsn or ev.seen[e.lsn - 1] != e:
                    return (f"{_who(ev, state)} saw up to LSN {len(ev.seen)}, missing its own "
                            f"acknowledged write ({e.epoch},{e.lsn})")
    return None


def monotonic_reads(state: State) -> Optional[str]:
    """Within a logical session, reads never go back in LSN."""
    last: dict[tuple[int, int], int] = {}
    for ev in state.history:
        if isinstance(ev, ReadServed):
            key = (ev.session, ev.logical)
            if len(ev.seen) < last.get(key, 0):
                return (f"{_who(ev, state)} saw up to LSN {len(ev.seen)} after an earlier read "
                        f"had seen up to LSN {last[key]}")
            last[key] = max(last.get(key, 0), len(ev.seen))
    return None


def no_read_of_lost_write(state: State) -> Optional[str]:
    """A read returns only entries that were acknowledged before it."""
    acked: set = set()
    for ev in state.history:
        if isinstance(ev, Acked):
            acked.add(ev.entry)
        elif isinstance(ev, ReadServed):
            for e in ev.seen:
                if e not in acked:
                    return (f"{_who(ev, state)} returned entry ({e.epoch},{e.lsn}) "
                            f"{type(e.op).__name__}, which was never acknowledged")
    return None
