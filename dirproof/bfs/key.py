"""The key of a search node: what the breadth-first search stores of a state.

Two states with the same key must have the same futures: every step (the
model's, model/next.py) does the same to both and every property
(properties/) judges both alike, now and after any steps. The key is a
nested tuple of plain values built from:

  * the state without its history: replicas (up, epoch, log, commit, flushed), the
    orchestrator's roles and sync flag, sessions (replica, token), links,
    day, snapshots, fault budget. No step reads the history (design.md §2:
    the history is the observer's, not the protocol's);
  * what the properties read of the history: the monitors' ghost
    (properties/monitors.py) with each latch as set/clear, the acknowledged
    entries of deletes, restores, recoveries and purges in order (the object
    properties fold them, properties/objects.py) and the set of (replica,
    prefix) that reads holding a tombstone returned (no-resurrection);
  * the search's own counters (writes and faults used, for the bounds).

Two labels are dropped or renumbered because nothing tells their values
apart beyond equality: an object's `kind` (fixed by its id: the key keeps
the id, and of a typed delete only whether it names the id's own kind) is
dropped; a logical session number is renumbered (steps and
monitors only test two of them for equality, and a move makes a fresh one,
above every other): an entry's number encodes as 0 when it is its session's
current one, else as 1 + its rank among the older numbers of that session
the key holds (old numbers stay distinct: two entries that differ only in
them, possible under no-fencing, stay different). The monitors' memory of a
session's last read keeps only whether it was the current logical session,
since it is compared with the current one only. That is what makes the
search finite under MoveSession.

Every label a permutation can rename (replica, region, session, object) is
written through the maps of a `Relabel`, so dirproof/bfs/symmetry.py can
build the key of the permuted state without building that state.
"""

from __future__ import annotations

from operator import itemgetter
from typing import Any, Optional

import attrs

from dirproof.model import SYSTEM, Acked, ReadServed, State
from dirproof.model.deletes import BulkDelete, Expire
from dirproof.model.objects import (Create, PermanentDelete, Purge, RecoverFromBackup, Reinstate, Restore, SoftDelete, Update,
                                    kind_of)
from dirproof.model.links import AddMember, RemoveMember
from dirproof.properties.monitors import LATCHES, Ghost

_OP_CODE = {Create: 0, Update: 1, SoftDelete: 2, Restore: 3, PermanentDelete: 4, Purge: 5,
            RecoverFromBackup: 6, Expire: 8}


@attrs.frozen
class Relabel:
    """A renaming of labels: new replica rp[r], session sp[s], object op[o],
    region gp[g]; `rinv` and `sinv` are the inverse maps of rp and sp. The
    identity when every map is `range`."""

    rp: tuple[int, ...]
    sp: tuple[int, ...]
    op: tuple[int, ...]
    gp: tuple[int, ...]
    rinv: tuple[int, ...] = attrs.field(eq=False, repr=False)
    sinv: tuple[int, ...] = attrs.field(eq=False, repr=False)

    @rinv.default
    def _rinv(self) -> tuple[int, ...]:
        return inverse(self.rp)

    @sinv.default
    def _sinv(self) -> tuple[int, ...]:
        return inverse(self.sp)


def identity(state: State) -> Relabel:
    cfg = state.config
    return Relabel(tuple(cfg.replicas), tuple(range(cfg.sessions)), tuple(range(cfg.objects)),
                   tuple(range(len(cfg.regions))))


def inverse(p: tuple[int, ...]) -> tuple[int, ...]:
    inv = [0] * len(p)
    for i, j in enumerate(p):
        inv[j] = i
    return tuple(inv)


class Encoder:
    """Builds the key of one state under one relabelling (entries memoised)."""

    def __init__(self, state: State, rl: Relabel, op: Optional[tuple[int, ...]] = None, entries: tuple = ()):
        self.state, self.rl = state, rl
        self.objects = rl.op if op is None else op
        self.current = tuple(s.logical for s in state.sessions)
        self.memo: dict[int, tuple] = {}
        self.entries = entries
        self._ranks: Optional[list[dict[int, int]]] = None  # built when an old number is first met

    @property
    def ranks(self) -> list[dict[int, int]]:
        """The old logical numbers of each session among `entries`, ranked
        (most states have none: then this is never built)."""
        if self._ranks is None:
            old: list[set[int]] = [set() for _ in self.current]
            for log in self.entries:
                for e in log:
                    if e.session != SYSTEM and e.logical != self.current[e.session]:
                        old[e.session].add(e.logical)
            self._ranks = [{v: i + 1 for i, v in enumerate(sorted(vs))} for vs in old]
        return self._ranks

    def op(self, op: Any) -> tuple:
        o = self.objects[op.obj]
        t = type(op)
        if t is Update:
            return (1, o, op.attr, op.value)
        if t is RecoverFromBackup:
            return (6, o, op.snapshot_day, op.attrs)
        if t is Reinstate:  # tombstone lifetime (model/tombstones.py)
            return (7, o, op.attrs)
        if t is BulkDelete:  # which wrong kind it names changes nothing: only whether it is the right one
            return (7, o, op.kind == kind_of(op.obj))
        if t is AddMember or t is RemoveMember:
            return (9 if t is AddMember else 10, o, self.objects[op.group])
        return (_OP_CODE[t], o)

    def logical(self, session: int, value: int) -> int:
        if session == SYSTEM or value == self.current[session]:
            return 0
        return self.ranks[session][value]

    def is_old(self, session: int, value: int) -> int:
        return 0 if value == self.current[session] else 1

    def entry(self, e: Any) -> tuple:
        got = self.memo.get(id(e))
        if got is None:
            s = e.session
            w = e.write
            got = (e.epoch, e.lsn, SYSTEM if s == SYSTEM else self.rl.sp[s], self.logical(s, e.logical),
                   self.op(w.op), self.rl.rp[w.origin], w.day)
            self.memo[id(e)] = got
        return got

    def log(self, log: tuple) -> tuple:
        return tuple(self.entry(e) for e in log)

    def view(self, view: tuple) -> tuple:
        out: list = [()] * len(view)
        for o, rec in enumerate(view):
            # () for no object and -1 for no deletion day keep keys comparable (the
            # symmetry search takes the least one)
            out[self.objects[o]] = () if rec is None else (
                rec.attrs, rec.status, -1 if rec.deleted_day is None else rec.deleted_day)
        return tuple(out)


def summary(state: State) -> tuple:
    """Per replica (up, epoch, log length, commit, flushed point): the first thing keys compare."""
    return tuple((r.up, r.epoch, len(r.log), r.commit, r.flushed) for r in state.replicas)


def links_order(n: int, rp: tuple[int, ...]) -> tuple[int, ...]:
    """For each link of the renamed state, in order, the index of the old link."""
    inv = inverse(rp)
    return tuple(_pair(n, inv[a], inv[b]) for a in range(n) for b in range(a + 1, n))


def head(state: State, rl: Relabel, links: tuple[int, ...] = (), reps: tuple = ()) -> tuple:
    """The cheap, leading part of the key: replicas without their logs,
    roles, links and sessions (what the symmetry search compares first).
    `links` (from `links_order`) and `reps` (from `summary`) may be given
    precomputed."""
    rp, inv = rl.rp, rl.rinv
    reps = reps or summary(state)
    reps_key = tuple(reps[r] for r in inv)
    roles = tuple((rp[a] if a >= 0 else a, rp[p] if p >= 0 else p) for a, p in state.orchestrator.roles)
    cut = tuple(state.links[i] for i in (links or links_order(len(state.replicas), rp)))
    ss = state.sessions
    sess = tuple((rp[ss[s].replica], ss[s].token.epoch, ss[s].token.lsn) for s in rl.sinv)
    orch = state.orchestrator
    # (issue 13: the synchronous set, the record a lossy store goes back to, each replica's image)
    extra = (orch.solo, orch.prev_in_sync, orch.lost_change, tuple(state.images[r] for r in inv))
    missed = tuple(state.missed[r] for r in inv) if state.missed else ()  # the gateway's probes (issue 15)
    return reps_key, roles, orch.pp_in_sync, cut, sess, extra, missed


def picker(idx: tuple[int, ...]) -> Any:
    """`picker(idx)(xs) == tuple(xs[i] for i in idx)`, at C speed (itemgetter)."""
    if len(idx) == 1:
        i = idx[0]
        return lambda xs: (xs[i],)
    return itemgetter(*idx) if idx else (lambda xs: ())


def head_fast(state: State, reps: tuple, el: tuple, relabels: list) -> list[tuple[tuple, Relabel]]:
    """`head(state, rl, ...)` for every `rl` of `relabels` (one replica
    renaming `el` of the group: (rp, gp, rinv, links order, pick by rinv,
    pick links), each with one of the session renamings), with the parts
    that depend on the replica renaming alone built once: the same keys as
    `head`, faster (tests/test_bfs_symmetry.py compares them)."""
    rp, pick, pick_links = el[0], el[4], el[5]
    orch = state.orchestrator
    base = (pick(reps), tuple((rp[a] if a >= 0 else a, rp[p] if p >= 0 else p) for a, p in orch.roles),
            orch.pp_in_sync, pick_links(state.links))
    trail = ((orch.solo, orch.prev_in_sync, orch.lost_change, pick(state.images)),
             pick(state.missed) if state.missed else ())
    ss = tuple((rp[x.replica], x.token.epoch, x.token.lsn) for x in state.sessions)
    return [((*base, tuple(ss[s] for s in rl.sinv), *trail), rl) for rl in relabels]


def _pair(n: int, a: int, b: int) -> int:
    a, b = (a, b) if a < b else (b, a)
    return a * (2 * n - a - 1) // 2 + (b - a - 1)


def tail(state: State, ghost: Ghost, rl: Relabel, op: Optional[tuple[int, ...]] = None) -> tuple:
    """The rest of the key: logs, budget, time, snapshots and the history's
    abstraction (see the module doc); `op` replaces the object map of `rl`."""
    acked, reads = relevant(state)
    entries = (*(r.log for r in state.replicas), *ghost.acked.slots, acked, *(ev.seen for ev in reads))
    enc = Encoder(state, rl, op, entries)
    inv = rl.rinv
    logs = tuple(enc.log(state.replicas[r].log) for r in inv)
    b = state.budget
    budget = (tuple(rl.rp[g] for g in b.guard), b.pending, b.exceeded)
    snaps = tuple((s.day, enc.view(s.view)) for s in state.snapshots)
    history = (tuple(enc.entry(e) for e in acked),
               tuple(sorted({(rl.rp[ev.replica], enc.log(ev.seen)) for ev in reads})))
    lifetime = (tuple(state.contact[r] for r in inv if r < len(state.contact)), state.collected)
    return logs, budget, state.day, snaps, *history, _ghost(ghost, enc), lifetime


# The object properties read only the acknowledged entries of these
# operations (soft-delete-restorable, no-early-purge, no-resurrection,
# properties/objects.py), and no-resurrection only the reads that returned a
# permanent delete or a purge (a tombstone): the rest of the history they
# never look at, so the key leaves it out (the replication properties read
# the ghost, which keeps every acknowledged entry).
_OBJECT_EVENTS = (SoftDelete, Restore, PermanentDelete, RecoverFromBackup, Purge, Expire)
_TOMBSTONES = (PermanentDelete, Purge)


def relevant(state: State) -> tuple[list, list]:
    """The acknowledged entries and the reads that the key keeps (in order)."""
    acked, reads = [], []
    for ev in state.history:
        if isinstance(ev, Acked):
            if isinstance(ev.entry.write.op, _OBJECT_EVENTS):
                acked.append(ev.entry)
        elif isinstance(ev, ReadServed):
            if any(isinstance(e.write.op, _TOMBSTONES) for e in ev.seen):
                reads.append(ev)
    return acked, reads


def _ghost(ghost: Ghost, enc: Encoder) -> tuple:
    slots = tuple(tuple(enc.entry(e) for e in here) for here in ghost.acked.slots)
    reads: list = [None] * len(ghost.reads)
    for s, rd in enumerate(ghost.reads):
        # the longest prefix read counts only for the session's current
        # logical session (monitors.on_read compares it with 0 otherwise)
        old = enc.is_old(s, rd.logical)
        reads[enc.rl.sp[s]] = (old, 0 if old else rd.longest)
    latches = tuple(getattr(ghost, name) is not None for name in LATCHES)
    # a token handed to a session counts only in its current logical session
    # (monitors.on_read and on_handed treat one handed in an older logical
    # session as LSN 0), so the key keeps that effective floor alone (issue 14)
    handed: list = [0] * len(ghost.handed)
    for s, h in enumerate(ghost.handed):
        handed[enc.rl.sp[s]] = 0 if enc.is_old(s, h.logical) else h.lsn
    return slots, tuple(reads), latches, tuple(handed)


def key(state: State, ghost: Ghost, rl: Optional[Relabel] = None) -> tuple:
    """The key of `state` (with its ghost) under `rl` (the identity by default)."""
    rl = rl if rl is not None else identity(state)
    return head(state, rl), tail(state, ghost, rl)
