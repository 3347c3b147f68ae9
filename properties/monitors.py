"""History monitors: what the history properties remember of the history.

The model records a history of events (Acked, ReadServed, FailedOver); the
history properties of design.md §4 are judged by monitors that read the
events one at a time and keep a small `Ghost` state: the entries
acknowledged at each LSN, the longest prefix each session's current logical
session has read, and latches that remember the first violation of a
judgement made at the moment of an event (a read that missed its session's
write, say). The same monitor code runs in a concrete run (the ghost of a
model state, `watch`), in a symbolic one (the Z3 engine carries the ghost
in its state, updated by the events a step emits), and on the events of a
real system's log.

A latch is None (clear) or the sentence of the first violation in a
concrete run, and a Boolean (set) in a symbolic one.
"""

from __future__ import annotations

from typing import Any, Iterable, Iterator, Optional

import attrs

from dirproof.model import NULL_ENTRY, Acked, Entry, HandedOff, ReadServed, State
from dirproof.model.algebra import ALL, AND, COUNT, EQ, IMPLIES, ITE, MAX, NOT, OR, check, holds, symbolic
from dirproof.model.seq import holds as log_holds
from dirproof.model.seq import items, length

Latch = Any  # None | str (concrete) or a Boolean term (symbolic)


@attrs.frozen
class Ledger:
    """The distinct entries acknowledged at each LSN (slots[lsn - 1]), in the
    order they were first acknowledged. (A symbolic run uses a bounded
    ledger with the same methods, dirproof/symbolic/seqs.py.)"""

    slots: tuple[tuple[Entry, ...], ...] = ()

    def add(self, lsn: int, entry: Entry, when: Any = True) -> "Ledger":
        if not when:
            return self
        slots = self.slots + ((),) * max(0, lsn - len(self.slots))
        here = slots[lsn - 1]
        if entry in here:
            return self if len(slots) == len(self.slots) else Ledger(slots)
        return Ledger(slots[:lsn - 1] + (here + (entry,),) + slots[lsn:])

    def items(self) -> Iterator[tuple[Any, int, Entry]]:
        """(present, lsn, entry) for every acknowledged entry."""
        for i, here in enumerate(self.slots):
            for e in here:
                yield True, i + 1, e

    def count(self, lsn: int) -> int:
        return len(self.slots[lsn - 1]) if 1 <= lsn <= len(self.slots) else 0

    def has(self, lsn: Any, entry: Entry) -> bool:
        return 1 <= lsn <= len(self.slots) and entry in self.slots[lsn - 1]

    def first(self, lsn: int) -> tuple[Any, Any]:
        """(some entry was acknowledged at lsn, the first one)."""
        here = self.slots[lsn - 1] if 1 <= lsn <= len(self.slots) else ()
        return (True, here[0]) if here else (False, NULL_ENTRY)

    def lsns(self) -> range:
        return range(1, len(self.slots) + 1)


@attrs.frozen
class Read:
    """What the monotonic-reads monitor keeps per session."""

    logical: int = 0  # the logical session of the last read
    longest: int = 0  # the longest prefix a read of that logical session saw


@attrs.frozen
class Handed:
    """What the causal-read monitor keeps per session (issue 14): the highest
    LSN of the tokens handed to the session in its logical session `logical`."""

    logical: int = 0
    lsn: int = 0


@attrs.frozen
class Ghost:
    """The monitors' memory of a history."""

    acked: Any  # Ledger
    reads: tuple[Read, ...]
    regions: Latch = None  # an entry was acknowledged while held in fewer than two regions
    ryw: Latch = None  # a read missed an acknowledged write of its own logical session
    mono: Latch = None  # a read saw a shorter prefix than an earlier read of its logical session
    lost: Latch = None  # a read returned an entry that had not been acknowledged
    handed: tuple[Handed, ...] = ()  # per session, the tokens handed to it (issue 14)
    causal: Latch = None  # a read missed an acknowledged write that a token handed to its session covered


LATCHES = ("regions", "ryw", "mono", "lost", "causal")


def fresh(sessions: int) -> Ghost:
    return Ghost(Ledger(), (Read(),) * sessions, handed=(Handed(),) * sessions)


def latch(old: Latch, verdict: Any, when: Any = True) -> Latch:
    """Remember the first violation: `verdict` false while `when` holds."""
    if symbolic():
        return OR(old, AND(when, NOT(verdict)))
    if old is not None or not when or holds(verdict):
        return old
    return getattr(verdict, "message", "violated")


def clear(latch_value: Latch) -> Any:
    """The latch is clear (a verdict: a concrete run says what set it)."""
    if symbolic():
        return NOT(latch_value)
    return check(latch_value is None, lambda: str(latch_value))


def _who(state: State, ev: ReadServed) -> str:
    return f"session {ev.session} (logical #{ev.logical}) reading at {state.config.name_of(ev.replica)}"


def on_acked(ghost: Ghost, ev: Acked, when: Any, state: State) -> Ghost:
    e = ev.entry
    regions = state.config.regions

    def why() -> str:
        names = ", ".join(regions[g] for g in ev.regions) or "none"
        return (f"entry ({e.epoch},{e.lsn}) acknowledged by {state.config.name_of(ev.replica)} "
                f"was held only in region(s) {names} when acknowledged")
    return attrs.evolve(ghost, acked=ghost.acked.add(e.lsn, e, when),
                        regions=latch(ghost.regions, check(COUNT(ev.held_in) >= 2, why), when))


def on_read(ghost: Ghost, ev: ReadServed, when: Any, state: State) -> Ghost:
    seen = ev.seen
    missed = ALL(check(IMPLIES(AND(present, EQ(e.session, ev.session), EQ(e.logical, ev.logical)),
                               log_holds(seen, lsn, e)),
                       lambda lsn=lsn, e=e: f"{_who(state, ev)} saw up to LSN {length(seen)}, missing its own "
                                            f"acknowledged write ({e.epoch},{lsn})")
                 for present, lsn, e in ghost.acked.items())
    unacked = ALL(check(IMPLIES(present, ghost.acked.has(i + 1, x)),
                        lambda x=x: f"{_who(state, ev)} returned entry ({x.epoch},{x.lsn}) "
                                    f"{type(x.op).__name__}, which was never acknowledged")
                  for present, i, x in items(seen))
    causal = _causal(ghost, ev, state)
    before = ghost.reads[ev.session]
    prev = ITE(EQ(before.logical, ev.logical), before.longest, 0)
    n = length(seen)
    back = check(n >= prev, lambda: f"{_who(state, ev)} saw up to LSN {n} after an earlier read had seen "
                                    f"up to LSN {prev}")
    reads = list(ghost.reads)
    reads[ev.session] = ITE(when, Read(ev.logical, MAX(prev, n)), before)
    return attrs.evolve(ghost, reads=tuple(reads), ryw=latch(ghost.ryw, missed, when),
                        lost=latch(ghost.lost, unacked, when), mono=latch(ghost.mono, back, when),
                        causal=latch(ghost.causal, causal, when))


def _causal(ghost: Ghost, ev: ReadServed, state: State) -> Any:
    """causal-read at a read: it sees every acknowledged write at or below
    the LSN of a token handed to its session in this logical session,
    whichever session wrote it."""
    h = ghost.handed[ev.session]
    floor = ITE(EQ(h.logical, ev.logical), h.lsn, 0)
    seen = ev.seen
    return ALL(check(IMPLIES(AND(present, lsn <= floor), log_holds(seen, lsn, e)),
                     lambda lsn=lsn, e=e: f"{_who(state, ev)} saw up to LSN {length(seen)}, missing the acknowledged "
                                          f"write ({e.epoch},{lsn}) of session {e.session} that a token handed "
                                          f"to it covered (LSN {floor})")
               for present, lsn, e in ghost.acked.items())


def on_handed(ghost: Ghost, ev: HandedOff, when: Any, state: State) -> Ghost:
    """A hand-off raises the receiver's floor (in its current logical session)."""
    h = ghost.handed[ev.receiver]
    lsn = ITE(EQ(h.logical, ev.logical), MAX(h.lsn, ev.token.lsn), ev.token.lsn)
    handed = list(ghost.handed)
    handed[ev.receiver] = ITE(when, Handed(ev.logical, lsn), h)
    return attrs.evolve(ghost, handed=tuple(handed))


def observe(ghost: Ghost, ev: Any, state: State, when: Any = True) -> Ghost:
    """The ghost after event `ev` (recorded while `when` held)."""
    if isinstance(ev, Acked):
        return on_acked(ghost, ev, when, state)
    if isinstance(ev, ReadServed):
        return on_read(ghost, ev, when, state)
    if isinstance(ev, HandedOff):
        return on_handed(ghost, ev, when, state)
    return ghost


def observe_all(ghost: Ghost, events: Iterable, state: State) -> Ghost:
    """The ghost after a step's events: plain events (a concrete run) or
    (when, event) pairs (a symbolic one)."""
    for ev in events:
        when, ev = ev if isinstance(ev, tuple) else (True, ev)
        ghost = observe(ghost, ev, state, when)
    return ghost


def watch(state: State, ghost: Optional[Ghost] = None, since: int = 0) -> Ghost:
    """The ghost of a concrete state's whole history (or of its events after
    `since`, from `ghost`)."""
    g = ghost if ghost is not None else fresh(state.config.sessions)
    return observe_all(g, state.history[since:], state)
