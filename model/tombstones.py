"""Tombstone lifetime and long-offline replicas (design.md §2-3; issue 14 item 5).

A permanent delete or a purge leaves a deletion marker, a tombstone: the log
entry that tells every replica the object is gone. The AP cannot keep its
log for ever: after `tombstone_lifetime_days` it compacts the log prefix
whose entries are that old, and the tombstones in it are collected
(`collect_tombstones`; `State.collected` is the LSN up to which the log is
compacted). A replica that was out of contact with the AP for that long
(`State.contact`, the last day it held the AP's committed log) may have
missed a tombstone that no longer exists anywhere: it must be rebuilt from a
full fresh copy (`rebuild`), not rejoined (the guard `require_fresh` on
rejoin and catch-up). design.md is silent on all of this; docs/model.md,
"Tombstone lifetime", says what the model decides and which public
incidents it reflects (Cassandra zombies after gc_grace_seconds, Active
Directory lingering objects after the tombstone lifetime).

Flaw `rejoin-after-tombstone-lifetime`: the guard is off. The returning
replica takes what the AP sends, but what the AP sends no longer mentions
the objects whose tombstones it collected, so the replica keeps its own
copies of them, and offers them back to the AP as objects the AP lacks: the
AP writes a `Reinstate` entry for each, and the object deleted meanwhile is
live again everywhere (caught by no-resurrection on the AP, on every replica
that copies the entry and in reads).

A rebuild is allowed at any time for a secondary (a fresh copy is always
safe); it is required for one that `must_rebuild`.

The time fields (`day`, `contact`, `collected`) are left out of the
replication encoding (dirproof/symbolic/states.py), which keeps their
initial values: there nobody is out of contact and nothing is collected, so
the guard never refuses (the relation allows more than the model: it is the
model on the states where the guard does not refuse, tests/agreement.py),
and a tick or a collection is a stutter there. The Z3 engine sees them in
the object layer with a returning secondary (dirproof/proofs/lifecycle.py),
where the flaw is found and replayed.
"""

from __future__ import annotations

from typing import Any

from .algebra import AND, EQ, NOT, OR, choose, holds, require, symbolic
from .objects import ABSENT, GONE, Reinstate, attrs_of, is_, view_of
from .records import SYSTEM, evolve
from .seq import append, common, length, prefix
from .state import Entry, Replica, State, acting, acting_ap, connected, with_replica

FLAW = "rejoin-after-tombstone-lifetime"


def last_contact(state: State, r: int) -> Any:
    """The last day replica r held the AP's committed log (0 for a state
    built without the field)."""
    return state.contact[r] if r < len(state.contact) else 0


def too_long_offline(state: State, r: int) -> Any:
    """r has been out of contact for the tombstone lifetime or longer."""
    return state.day - last_contact(state, r) >= state.config.tombstone_lifetime_days


def must_rebuild(state: State, r: int) -> Any:
    """r cannot be brought up to date from the log: it was out of contact for
    the tombstone lifetime, or its log ends below the compacted prefix."""
    return OR(too_long_offline(state, r), length(state.replicas[r].log) < state.collected)


def require_fresh(state: State, r: int, doing: str, unless: Any = False) -> None:
    """The guard on rejoin and catch-up (off under the flaw; `unless`: a case
    that takes a full copy anyway, the PP's rejoin)."""
    if state.config.has(FLAW):
        return
    cfg = state.config
    require(OR(unless, NOT(must_rebuild(state, r))),
            lambda: f"{cfg.name_of(r)} was last in contact on day {last_contact(state, r)} "
                    f"({state.day - last_contact(state, r)} days ago; the tombstone lifetime is "
                    f"{cfg.tombstone_lifetime_days} days; the log is compacted up to LSN {state.collected}): "
                    f"it must be rebuilt, not {doing}")


def in_contact(state: State, r: int, when: Any = True) -> State:
    """r now holds the AP's committed log (when `when` holds): its last
    contact is today. A symbolic run keeps the initial contacts."""
    if symbolic() or not holds(when):
        return state
    n = len(state.replicas)
    contact = tuple(last_contact(state, k) for k in range(n))
    return evolve(state, contact=contact[:r] + (state.day,) + contact[r + 1:])


def linger(state: State, r: int, ap: int) -> State:
    """What happens when r catches up although it must be rebuilt (reached
    only when the guard is off: the flaw, or a mutant): r, returning after
    the AP collected tombstones it never received, keeps its copies of those
    objects and offers them back; the AP appends a Reinstate entry for each
    (uncommitted, like any write). Left out of a symbolic run: the
    replication encoding carries no object payloads."""
    if symbolic() or not holds(must_rebuild(state, r)):
        return state
    cfg = state.config
    src = state.replicas[ap]
    mine = view_of(cfg, state.replicas[r].log, r)
    known = view_of(cfg, src.log[:state.collected], ap)
    log = src.log
    for obj in range(cfg.objects):
        rec = mine[obj]
        if holds(AND(is_(known[obj], GONE), NOT(is_(rec, ABSENT)), NOT(is_(rec, GONE)))):
            op = Reinstate(obj, attrs_of(rec, cfg))
            log = append(log, Entry(src.epoch, length(log) + 1, SYSTEM, 0, op.write(r, state.day)))
    return with_replica(state, ap, evolve(src, log=log))


def horizon(state: State, ap: int) -> int:
    """How far the AP may compact its log today: over its committed entries
    that are at least the lifetime old, and no further than every replica
    still counted in contact holds (an entry is collected only once every
    live replica has it, or has been out of contact so long that it will be
    rebuilt)."""
    cfg = state.config
    src = state.replicas[ap]
    n = 0
    for e in src.log[:src.commit]:
        if e.day + cfg.tombstone_lifetime_days > state.day:
            break
        n += 1
    for r in cfg.replicas:
        if r != ap and not holds(too_long_offline(state, r)):
            n = min(n, common(state.replicas[r].log, src.log))
    return n


def collect_tombstones(state: State) -> State:
    """The AP compacts its log and collects the deletion markers in it
    (decided here: design.md is silent). Only the clock, the contacts and the
    horizon decide; the replication encoding sees a stutter."""
    ap = acting_ap(state)
    require(ap is not None, "no acting AP to collect tombstones")
    assert ap is not None
    n = horizon(state, ap)
    require(n > state.collected, lambda: f"nothing to collect: no committed entry is "
                                         f"{state.config.tombstone_lifetime_days} days old beyond LSN "
                                         f"{state.collected} and held by every replica in contact")
    return evolve(state, collected=n)


def rebuild(state: State, replica: int) -> State:
    """A secondary takes a full fresh copy of the acting AP's committed log,
    the current epoch and commit point (decided here): required for one that
    `must_rebuild`, allowed for any (a fresh copy is always safe).
    A secondary only: the PP always takes the AP's whole log anyway; and not
    one that holds a guarded copy of the fault budget (the old PP while a
    new one has not yet copied the log, design.md §2 faults): wiping it
    could lose an acknowledged write that the AP has not yet recommitted."""
    cfg = state.config
    orch = state.orchestrator
    ap = choose(orch.ap, cfg.replicas)
    name = cfg.name_of(replica)
    require(acting(state, ap), "no acting AP to rebuild from")
    require(NOT(OR(EQ(replica, ap), EQ(replica, orch.pp))), lambda: f"{name} is a primary, not a secondary")
    guard = state.budget.guard
    require(NOT(OR(EQ(replica, guard[0]), EQ(replica, guard[1]))),
            lambda: f"{name} holds a guarded copy of the acknowledged writes until the new PP has "
                    f"copied the AP's log: it is not rebuilt before")
    require(connected(state, ap, replica), lambda: f"{name} cannot reach the AP {cfg.name_of(ap)}")
    src = state.replicas[ap]
    rep = state.replicas[replica]
    state = with_replica(state, replica, Replica(rep.up, orch.epoch, prefix(src.log, src.commit), src.commit, src.commit))  # a full copy, written to disk (§6)
    return in_contact(state, replica)


def on_tick(state: State) -> State:
    """After the clock moved, every replica that is up, can reach the acting
    AP, has its epoch and holds its committed log was in contact all along
    (it would have heard of any change); the others' last contact stays
    where it was (the links and replicas do not change during a tick)."""
    ap = acting_ap(state)
    if ap is None:
        return state
    src = state.replicas[ap]
    for r in state.config.replicas:
        rep = state.replicas[r]
        state = in_contact(state, r, AND(connected(state, ap, r), EQ(rep.epoch, src.epoch),
                                         common(rep.log, src.log) >= src.commit))
    return state
