"""Auxiliary invariants of the safe design for the flushed points (design.md §6).

With unclean crashes, "a replica holds an entry" is not enough for the
inductive proofs: it must hold it on disk. These say where the safe design
keeps acknowledged (and shipped) entries flushed; docs/z3.md, Durability,
explains why each is needed. Same language and conventions as
properties/invariants.py, which registers them.
"""

from __future__ import annotations

from typing import Any

from dirproof.model import NULL_ENTRY, State
from dirproof.model.algebra import ALL, AND, EQ, IMPLIES, NOT, OR, check
from dirproof.model.seq import holds, items, length

from .invariant_base import Invariant, _acked, _ap_current, _believes_role, _n
from .monitors import Ghost


def _on_disk(state: State, ghost: Ghost, r: int) -> Any:
    """r holds every acknowledged entry, within its flushed point."""
    rep = state.replicas[r]
    return ALL(IMPLIES(there, AND(holds(rep.log, lsn, e), lsn <= rep.flushed)) for lsn, there, e in _acked(ghost))


def _guard_on_disk(state: State, ghost: Ghost, g: Any) -> Any:
    return OR(*(AND(EQ(g, r), _on_disk(state, ghost, r)) for r in range(len(state.replicas))))


def flushed_shape(state: State, ghost: Ghost) -> Any:
    """Flushed points lie within the logs. A replica that is the AP of the
    epoch it holds (maybe deposed) has its commit point within its flushed
    point, holds unflushed only entries of its own epoch, and holds flushed
    every entry of its epoch that another replica holds or that was
    acknowledged (it ships only what it has flushed). Every other replica
    at the current epoch is no longer than the current AP's flushed point."""
    reps, oe = state.replicas, state.orchestrator.epoch
    out = [check(AND(rep.flushed >= 0, rep.flushed <= length(rep.log)),
                 lambda r=r, rep=rep: f"{_n(state, r)} has flushed point {rep.flushed} outside its log")
           for r, rep in enumerate(reps)]
    for a, me in enumerate(reps):
        mine = _believes_role(state, a)
        out.append(check(IMPLIES(mine, me.commit <= me.flushed),
                         lambda a=a: f"the AP {_n(state, a)} committed past its flushed point"))
        out += [check(IMPLIES(AND(mine, present, i >= me.flushed), EQ(x.epoch, me.epoch)),
                      lambda a=a, i=i: f"the AP {_n(state, a)} holds LSN {i + 1} of an older epoch unflushed")
                for present, i, x in items(me.log)]
        for r, rep in enumerate(reps):
            if r != a:
                out += [check(IMPLIES(AND(mine, present, EQ(x.epoch, me.epoch)), i + 1 <= me.flushed),
                              lambda a=a, r=r, i=i: f"{_n(state, r)} holds LSN {i + 1} of the epoch of "
                                                    f"{_n(state, a)}, which has not flushed it")
                        for present, i, x in items(rep.log)]
        out += [check(IMPLIES(AND(mine, there, EQ(e.epoch, me.epoch)), lsn <= me.flushed),
                      lambda a=a, lsn=lsn: f"the AP {_n(state, a)} has not flushed acknowledged LSN {lsn}")
                for lsn, there, e in _acked(ghost)]
        out += [check(IMPLIES(AND(_ap_current(state, a), EQ(reps[r].epoch, oe)), length(reps[r].log) <= me.flushed),
                      lambda a=a, r=r: f"{_n(state, r)} holds more than the AP {_n(state, a)} has flushed")
                for r in range(len(reps)) if r != a]
    return ALL(out)


def acked_flushed(state: State, ghost: Ghost) -> Any:
    """The current AP and an in-sync PP hold every acknowledged entry on
    disk; with no guarded disk lost, so do both guarded replicas, and one
    of them always does."""
    orch, b = state.orchestrator, state.budget
    out = [check(IMPLIES(_ap_current(state, a), _on_disk(state, ghost, a)),
                 lambda a=a: f"the AP {_n(state, a)} lacks an acknowledged entry on disk")
           for a in range(len(state.replicas))]
    out += [check(IMPLIES(AND(orch.pp_in_sync, EQ(orch.pp, p)), _on_disk(state, ghost, p)),
                  lambda p=p: f"the in-sync PP {_n(state, p)} lacks an acknowledged entry on disk")
            for p in range(len(state.replicas))]
    gA, gP = b.guard
    onA, onP = _guard_on_disk(state, ghost, gA), _guard_on_disk(state, ghost, gP)
    out += [check(IMPLIES(NOT(b.pending), AND(onA, onP)),
                  "a guarded replica lacks an acknowledged entry on disk while no guarded disk is lost"),
            check(OR(onA, onP), "no guarded replica holds every acknowledged entry on disk")]
    return ALL(out)


def shared_flushed(state: State, ghost: Ghost) -> Any:
    """With no guarded disk lost, an entry of the current AP's log that
    another replica holds is acknowledged or on both guarded replicas' disks."""
    b, reps = state.budget, state.replicas
    firsts = {lsn: (there, e) for lsn, there, e in _acked(ghost)}
    out = []
    for a, me in enumerate(reps):
        ap_ok = AND(NOT(b.pending), _ap_current(state, a))
        for present, i, x in items(me.log):
            there, e = firsts.get(i + 1, (False, NULL_ENTRY))
            acked = AND(there, EQ(x, e))
            shared = OR(*(holds(reps[r].log, i + 1, x) for r in range(len(reps)) if r != a))
            on_disk = AND(*(OR(*(AND(EQ(g, r), holds(reps[r].log, i + 1, x), i + 1 <= reps[r].flushed)
                                 for r in range(len(reps)))) for g in b.guard))
            out.append(check(IMPLIES(AND(ap_ok, present, shared), OR(acked, on_disk)),
                             lambda i=i: f"LSN {i + 1} of the AP is shared, unacknowledged and not on both "
                                         f"guarded disks"))
    return ALL(out)


DURABLE: dict[str, Invariant] = {i.id: i for i in (
    Invariant("flushed-shape", "Flushed points lie within the logs; an AP of the epoch it holds has its commit "
              "point within its flushed point, unflushed entries only of its epoch, and flushed every entry of "
              "its epoch another replica holds or that was acknowledged; other replicas at the current epoch are "
              "no longer than the current AP's flushed point.", flushed_shape),
    Invariant("acked-flushed", "The current AP and an in-sync PP hold every acknowledged entry on disk; so do "
              "both guarded replicas with no guarded disk lost, and one of them always.", acked_flushed),
    Invariant("shared-flushed", "With no guarded disk lost, an entry of the AP's log that another replica "
              "holds is acknowledged or on both guarded replicas' disks.", shared_flushed),
)}
