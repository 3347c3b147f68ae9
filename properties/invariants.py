"""Auxiliary invariants of the safe design, for the inductive proofs.

Each invariant has an id, a statement and one definition, `verdict(state,
ghost)`, in the language of model/algebra.py: a concrete run says in words
what breaks (tests/test_invariants.py runs them on every state the safe
design reaches), a symbolic run gives the Z3 formula of the induction
(dirproof/z3engine/induction.py). Together with the five replication
properties they make an inductive invariant of the safe design under the
fault budget; docs/z3.md explains each one and why it is needed.

"The AP" below is the orchestrator's AP of the current epoch; "acknowledged
entries" are those of the monitors' ledger; "holds e at LSN i" is
`seq.holds(log, i, e)`.
"""

from __future__ import annotations

from typing import Any

from dirproof.model import NULL_ENTRY, State
from dirproof.model.algebra import ALL, AND, EQ, IMPLIES, NOT, OR, check
from dirproof.model.seq import at, holds, items, length

from .invariant_base import Invariant, _acked, _ap_current, _believes_role, _n
from .invariants_durable import DURABLE
from .monitors import Ghost


def _holds_all_acked(state: State, ghost: Ghost, r: int) -> Any:
    log = state.replicas[r].log
    return ALL(IMPLIES(there, holds(log, lsn, e)) for lsn, there, e in _acked(ghost))


def _is(x: Any, r: int) -> Any:
    return EQ(x, r)


def _range(x: Any, lo: int, hi: int) -> Any:
    return AND(x >= lo, x <= hi)


def shape(state: State, ghost: Ghost) -> Any:
    """Roles (AP and PP distinct replicas, in different regions), epochs,
    commit points, entries, sessions and the budget's guard are in range; the
    current AP and PP hold the current epoch unless their disk was lost."""
    cfg, orch, reps = state.config, state.orchestrator, state.replicas
    n, S, oe = len(reps), cfg.sessions, orch.epoch
    out = [check(oe >= 1, "no epoch has started")]
    for present, j, (ap, pp) in items(orch.roles):
        apart = [NOT(AND(_is(ap, a), _is(pp, p))) for a in cfg.replicas for p in cfg.replicas
                 if cfg.region_of(a) == cfg.region_of(p) and not cfg.has("pp-same-region")]
        out.append(check(IMPLIES(present, AND(_range(ap, 0, n - 1), _range(pp, 0, n - 1), NOT(EQ(ap, pp)), *apart)),
                         lambda j=j, ap=ap, pp=pp: f"epoch {j + 1} has roles ({ap}, {pp})"))
    for r, rep in enumerate(reps):
        primary = OR(_is(orch.ap, r), _is(orch.pp, r))
        out.append(check(IMPLIES(primary, OR(EQ(rep.epoch, oe), EQ(rep.epoch, 0))),
                         lambda r=r, rep=rep: f"{_n(state, r)}, a primary of epoch {oe}, is at epoch {rep.epoch}"))
        out.append(check(AND(_range(rep.epoch, 0, oe), rep.commit >= 0, rep.commit <= length(rep.log)),
                         lambda r=r, rep=rep: f"{_n(state, r)} has epoch {rep.epoch}, commit {rep.commit}"))
        for present, i, e in items(rep.log):
            ok = AND(_range(e.epoch, 1, rep.epoch), _range(e.session, -1, S - 1), e.logical >= 0)
            out.append(check(IMPLIES(present, ok), lambda r=r, i=i: f"{_n(state, r)} holds LSN {i + 1} out of range"))
    for s, sess in enumerate(state.sessions):
        rd = ghost.reads[s]
        out.append(check(AND(_range(sess.replica, 0, n - 1), sess.token.lsn >= 0, sess.logical >= 0,
                             rd.longest >= 0, rd.logical >= 0),
                         lambda s=s: f"session {s} is out of range"))
    gA, gP = state.budget.guard
    out.append(check(AND(_range(gA, 0, n - 1), _range(gP, 0, n - 1), NOT(EQ(gA, gP))),
                     lambda: f"the budget guards {state.budget.guard}"))
    return ALL(out)


def log_matching(state: State, ghost: Ghost) -> Any:
    """Two logs holding one entry agree below it; epochs never decrease along a log."""
    reps = state.replicas
    out = []
    for a, rep in enumerate(reps):
        for present, i, x in items(rep.log, 1):
            out.append(check(IMPLIES(present, at(rep.log, i - 1, NULL_ENTRY).epoch <= x.epoch),
                             lambda a=a: f"epochs decrease along the log of {_n(state, a)}"))
            for b in range(a + 1, len(reps)):
                other = reps[b].log
                same = AND(present, length(other) > i, EQ(x, at(other, i, NULL_ENTRY)))
                out.append(check(IMPLIES(same, EQ(at(rep.log, i - 1, NULL_ENTRY), at(other, i - 1, NULL_ENTRY))),
                                 lambda a=a, b=b, i=i: f"{_n(state, a)} and {_n(state, b)} agree at LSN {i + 1}, "
                                                       f"not below"))
    return ALL(out)


def ap_holds_its_epoch(state: State, ghost: Ghost) -> Any:
    """A replica holding an epoch whose AP it is holds every entry of that
    epoch that any log holds (or that was acknowledged), at the same LSN."""
    reps = state.replicas
    out = []
    for a, me in enumerate(reps):
        mine = _believes_role(state, a)
        for r, rep in enumerate(reps):
            if r != a:
                out += [check(IMPLIES(AND(mine, present, EQ(e.epoch, me.epoch)), holds(me.log, i + 1, e)),
                              lambda a=a, r=r, i=i: f"{_n(state, a)}, AP of its epoch, lacks LSN {i + 1} of "
                                                    f"{_n(state, r)}")
                        for present, i, e in items(rep.log)]
        out += [check(IMPLIES(AND(mine, there, EQ(e.epoch, me.epoch)), holds(me.log, lsn, e)),
                      lambda a=a, lsn=lsn: f"{_n(state, a)}, AP of its epoch, lacks acknowledged LSN {lsn}")
                for lsn, there, e in _acked(ghost)]
    return ALL(out)


def _prefix_of(log: Any, of: Any) -> Any:
    return AND(length(log) <= length(of), ALL(IMPLIES(present, EQ(x, at(of, i, NULL_ENTRY)))
                                              for present, i, x in items(log)))


def current_prefix(state: State, ghost: Ghost) -> Any:
    """While the AP holds the current epoch, every replica at the current
    epoch holds a prefix of the AP's log."""
    reps, oe = state.replicas, state.orchestrator.epoch
    return ALL(check(IMPLIES(AND(_ap_current(state, a), EQ(reps[r].epoch, oe)), _prefix_of(reps[r].log, reps[a].log)),
                     lambda r=r: f"{_n(state, r)} at the current epoch is not a prefix of the AP's log")
               for a in range(len(reps)) for r in range(len(reps)) if r != a)


def deposed_fenced(state: State, ghost: Ghost) -> Any:
    """A deposed AP's PP is at a newer epoch, or lost its disk."""
    reps, orch = state.replicas, state.orchestrator
    out = []
    for a, rep in enumerate(reps):
        ep = rep.epoch
        ap, pp = orch.of(ep)
        deposed = AND(ep >= 1, ep < orch.epoch, EQ(ap, a))
        for p, other in enumerate(reps):
            if p != a:
                fenced = OR(other.epoch > ep, AND(EQ(other.epoch, 0), EQ(length(other.log), 0)))
                out.append(check(IMPLIES(AND(deposed, EQ(pp, p)), fenced),
                                 lambda a=a, p=p: f"{_n(state, a)}, a deposed AP, is not fenced by {_n(state, p)}"))
    return ALL(out)


def commit_acked(state: State, ghost: Ghost) -> Any:
    """Every committed entry is the acknowledged entry of its LSN; while the
    AP holds the current epoch, its commit point covers every acknowledged
    entry of that epoch (it acknowledged them itself: what a restart under
    knob restart_unconfirmed = "truncate" keeps, faults.keep_on_restart)."""
    firsts = {lsn: (there, e) for lsn, there, e in _acked(ghost)}
    oe = state.orchestrator.epoch
    out = [check(IMPLIES(AND(_ap_current(state, a), there, EQ(e.epoch, oe)), lsn <= me.commit),
                 lambda a=a, lsn=lsn: f"the AP {_n(state, a)} has not committed acknowledged LSN {lsn} of its epoch")
           for a, me in enumerate(state.replicas) for lsn, there, e in _acked(ghost)]
    for r, rep in enumerate(state.replicas):
        for present, i, x in items(rep.log):
            there, e = firsts.get(i + 1, (False, NULL_ENTRY))
            out.append(check(IMPLIES(AND(present, rep.commit > i), AND(there, EQ(x, e))),
                             lambda r=r, i=i: f"{_n(state, r)} committed LSN {i + 1}, which is not the "
                                              f"acknowledged entry"))
    return ALL(out)


def ap_holds_acked(state: State, ghost: Ghost) -> Any:
    """While the AP holds the current epoch it holds every acknowledged entry."""
    return ALL(check(IMPLIES(_ap_current(state, a), _holds_all_acked(state, ghost, a)),
                     lambda a=a: f"the AP {_n(state, a)} lacks an acknowledged entry")
               for a in range(len(state.replicas)))


def in_sync(state: State, ghost: Ghost) -> Any:
    """An in-sync PP holds the current epoch, a prefix of the AP's log and
    every acknowledged entry; the budget then guards exactly (AP, PP)."""
    orch, reps = state.orchestrator, state.replicas
    out = []
    for p in range(len(reps)):
        is_pp = AND(orch.pp_in_sync, EQ(orch.pp, p))
        out.append(check(IMPLIES(is_pp, AND(EQ(reps[p].epoch, orch.epoch), _holds_all_acked(state, ghost, p))),
                         lambda p=p: f"the in-sync PP {_n(state, p)} is behind"))
        for a in range(len(reps)):
            if a != p:
                out.append(check(IMPLIES(AND(is_pp, _ap_current(state, a)), _prefix_of(reps[p].log, reps[a].log)),
                                 lambda p=p: f"the in-sync PP {_n(state, p)} is not a prefix of the AP"))
    gA, gP = state.budget.guard
    out.append(check(IMPLIES(orch.pp_in_sync, AND(EQ(gA, orch.ap), EQ(gP, orch.pp))),
                     lambda: f"the PP is in sync but the budget guards {state.budget.guard}"))
    return ALL(out)


def _guarded_holds_all(state: State, ghost: Ghost, g: Any) -> Any:
    return OR(*(AND(EQ(g, r), _holds_all_acked(state, ghost, r)) for r in range(len(state.replicas))))


def guard(state: State, ghost: Ghost) -> Any:
    """The AP is guarded; with no guarded disk lost since the pair synced,
    both guarded replicas hold every acknowledged entry, and one of them does always."""
    b, ap = state.budget, state.orchestrator.ap
    gA, gP = b.guard
    holdsA, holdsP = _guarded_holds_all(state, ghost, gA), _guarded_holds_all(state, ghost, gP)
    return ALL((check(OR(EQ(ap, gA), EQ(ap, gP)), lambda: f"the AP {_n(state, ap)} is not guarded ({b.guard})"),
                check(IMPLIES(NOT(b.pending), AND(holdsA, holdsP)),
                      "a guarded replica lacks an acknowledged entry while no guarded disk is lost"),
                check(OR(holdsA, holdsP), "no guarded replica holds every acknowledged entry")))


def guard_covers(state: State, ghost: Ghost) -> Any:
    """With no guarded disk lost since the pair synced, both guarded replicas
    hold an epoch, and an entry of the AP's log that another replica holds
    is acknowledged or held by both guarded replicas."""
    b, reps = state.budget, state.replicas
    calm = NOT(b.pending)
    out = [check(IMPLIES(calm, AND(*(IMPLIES(EQ(g, r), reps[r].epoch >= 1) for g in b.guard for r in range(len(reps))))),
                 "a guarded replica lost its epoch while no guarded disk loss is pending")]
    firsts = {lsn: (there, e) for lsn, there, e in _acked(ghost)}
    for a, me in enumerate(reps):
        ap_ok = AND(calm, _ap_current(state, a))
        for present, i, x in items(me.log):
            there, e = firsts.get(i + 1, (False, NULL_ENTRY))
            shared = OR(*(holds(reps[r].log, i + 1, x) for r in range(len(reps)) if r != a))
            guarded = AND(*(OR(*(AND(EQ(g, r), holds(reps[r].log, i + 1, x)) for r in range(len(reps))))
                            for g in b.guard))
            out.append(check(IMPLIES(AND(ap_ok, present, shared), OR(AND(there, EQ(x, e)), guarded)),
                             lambda i=i: f"LSN {i + 1} of the AP is shared, unacknowledged and not guarded"))
    return ALL(out)


def tokens(state: State, ghost: Ghost) -> Any:
    """A session's token covers every acknowledged write of its current
    logical session and every prefix it read; no entry names a logical
    session that has not started."""
    out = []
    for s, sess in enumerate(state.sessions):
        rd = ghost.reads[s]
        out.append(check(AND(rd.logical <= sess.logical,
                             IMPLIES(EQ(rd.logical, sess.logical), rd.longest <= sess.token.lsn)),
                         lambda s=s: f"session {s} read further than its token"))
        for lsn, there, e in _acked(ghost):
            mine = AND(there, EQ(e.session, s))
            out.append(check(IMPLIES(AND(mine, EQ(e.logical, sess.logical)), sess.token.lsn >= lsn),
                             lambda s=s, lsn=lsn: f"session {s}'s token misses its acknowledged write at LSN {lsn}"))
            out.append(check(IMPLIES(mine, e.logical <= sess.logical),
                             lambda s=s: f"an acknowledged entry names a logical session of session {s} not started"))
        for rep in state.replicas:
            out += [check(IMPLIES(AND(present, EQ(x.session, s)), x.logical <= sess.logical),
                          lambda s=s: f"an entry names a logical session of session {s} not yet started")
                    for present, _, x in items(rep.log)]
    return ALL(out)


def sync_set_full(state: State, ghost: Ghost) -> Any:
    """The AP never acknowledges alone (model/sync_set.py): only flaw
    shrink-sync-set lets its set shrink; the orchestrator's store never lost
    a change (only flaw orchestrator-loses-change)."""
    orch = state.orchestrator
    return ALL([check(NOT(orch.solo), "the AP's synchronous set has shrunk to itself"),
                check(NOT(orch.lost_change), "the orchestrator's store has lost a committed change")])
def handed(state: State, ghost: Ghost) -> Any:
    """A token handed to a session is covered by the session's token while
    its logical session lasts (issue 14: what makes causal-read inductive)."""
    out = []
    for s, sess in enumerate(state.sessions):
        h = ghost.handed[s]
        out.append(check(AND(h.lsn >= 0, h.logical <= sess.logical,
                             IMPLIES(EQ(h.logical, sess.logical), h.lsn <= sess.token.lsn)),
                         lambda s=s, h=h: f"session {s}'s token is below the token handed to it (LSN {h.lsn})"))
    return ALL(out)


INVARIANTS: dict[str, Invariant] = {i.id: i for i in (
    Invariant("shape", "Roles (AP and PP distinct, in different regions; they hold the current epoch "
              "unless their disk was lost), epochs, commit points, entries, sessions and the budget's "
              "guard are in range.", shape),
    Invariant("log-matching", "Two logs holding one entry agree below it; epochs never decrease along "
              "a log.", log_matching),
    Invariant("ap-holds-its-epoch", "A replica holding an epoch whose AP it is holds every entry of that "
              "epoch.", ap_holds_its_epoch),
    Invariant("current-prefix", "While the AP holds the current epoch, every replica at the current "
              "epoch holds a prefix of its log.", current_prefix),
    Invariant("deposed-fenced", "A deposed AP's PP is at a newer epoch or lost its disk.", deposed_fenced),
    Invariant("commit-acked", "Every committed entry is the acknowledged entry of its LSN; the AP holding the "
              "current epoch has committed every acknowledged entry of that epoch.", commit_acked),
    Invariant("ap-holds-acked", "While the AP holds the current epoch, it holds every acknowledged entry.",
              ap_holds_acked),
    Invariant("in-sync", "An in-sync PP holds the current epoch, a prefix of the AP's log and every "
              "acknowledged entry; the guard is then (AP, PP).", in_sync),
    Invariant("guard", "The AP is guarded; with no guarded disk lost since the pair synced, both "
              "guarded replicas hold every acknowledged entry, and one of them does always.", guard),
    Invariant("guard-covers-shared", "With no guarded disk lost since the pair synced, both guarded "
              "replicas hold an epoch, and an entry of the AP's log that another replica holds is "
              "acknowledged or held by both guarded replicas.", guard_covers),
    Invariant("tokens", "A session's token covers its logical session's acknowledged writes and its "
              "reads; no entry names a logical session not yet started.", tokens),
    Invariant("sync-set-full", "The acknowledging set is {AP, PP}: it never shrank to the AP alone, and the "
              "orchestrator's record never went back (issue 13).", sync_set_full),
    Invariant("handed", "A token handed to a session is covered by the session's token while its logical "
              "session lasts.", handed),
)}

INVARIANTS.update(DURABLE)  # §6 durability: the flushed points (properties/invariants_durable.py)
