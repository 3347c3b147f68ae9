"""Auxiliary invariants of the safe design, for the inductive proofs.

Each invariant has an id, a statement, a Python predicate over model states
(`check(state) -> str | None`, like the properties) and a Z3 form over the
symbolic state of dirproof.model.symbolic (`form(enc, st)`, in both modes:
Z3 terms, or concrete values). tests/test_z3_invariants.py checks that the
two forms agree on drawn states, and that every invariant holds on every
state the safe design reaches.

`INVARIANTS` (11 of them), together with the five properties' Z3 forms
(properties/z3_forms.py), make an inductive invariant of the safe design
under the fault budget
(dirproof/z3_engine.py: initiation and consecution, step by step); docs/z3.md
explains each one and the proof.

The object layer's invariants are in properties/object_invariants.py.

"The AP" below is the orchestrator's AP of the current epoch; "acknowledged
entries" are those of the history (the ghost slots); "holds e at LSN i" is
`len(log) >= i and log[i - 1] == e`.
"""

from __future__ import annotations

from typing import Callable, Optional

import attrs

from dirproof.model import Acked, ReadServed, State
from dirproof.model.symbolic import AND, EQ, IMPLIES, NOT, OR, Encoding, entry_eq


@attrs.frozen
class Invariant:
    id: str
    statement: str
    form: Callable = attrs.field(repr=False, eq=False)  # (enc, st) -> term or bool
    check: Callable = attrs.field(repr=False, eq=False)  # (State) -> str | None


# --------------------------------------------------------------------------- Z3 forms

def _acked0(enc: Encoding, st: dict, i: int):
    return st[("ackn", i)] >= 1, enc.slot(st, i, 0)


def _role_ok(enc: Encoding, st: dict, e: int):
    ap, pp = st[("rap", e)], st[("rpp", e)]
    parts = [ap >= 0, ap < enc.n, pp >= 0, pp < enc.n, NOT(EQ(ap, pp))]
    if not enc.flaw("pp-same-region"):
        for a in enc.R:
            for p in enc.R:
                if enc.cfg.region_of(a) == enc.cfg.region_of(p):
                    parts.append(NOT(AND(EQ(ap, a), EQ(pp, p))))
    return AND(*parts)


def f_shape(enc: Encoding, st: dict):
    """Ranges: epochs, lengths, commits, roles, sessions, guard, ackers."""
    oe = st[("oe",)]
    parts = [oe >= 1, oe <= enc.E]
    for r in enc.R:  # the AP and the PP hold the current epoch unless their disk was lost
        for which in ("rap", "rpp"):
            parts.append(IMPLIES(EQ(enc.role(st, which, oe), r),
                                 OR(EQ(st[("ep", r)], oe), EQ(st[("ep", r)], 0))))
    for e in range(1, enc.E + 1):
        parts.append(IMPLIES(oe >= e, _role_ok(enc, st, e)))
        a = st[("acker", e)]
        parts.append(OR(EQ(a, -1), AND(oe >= e, EQ(a, st[("rap", e)]))))
    for r in enc.R:
        parts += [st[("ep", r)] >= 0, st[("ep", r)] <= oe, st[("cm", r)] >= 0,
                  st[("cm", r)] <= st[("ln", r)], st[("ln", r)] <= enc.L]
        for i in range(enc.L):
            e = enc.entry(st, r, i)
            parts.append(IMPLIES(st[("ln", r)] > i, AND(e[0] >= 1, e[0] <= st[("ep", r)], e[2] >= -1,
                                                        e[2] < enc.S, e[3] >= 0)))
    for s in range(enc.S):
        parts += [st[("srep", s)] >= 0, st[("srep", s)] < enc.n, st[("stL", s)] >= 0,
                  st[("stL", s)] <= enc.L, st[("last", s)] >= 0, st[("last", s)] <= enc.L]
    for g in ("gA", "gP"):
        parts += [st[(g,)] >= 0, st[(g,)] < enc.n]
    parts.append(NOT(EQ(st[("gA",)], st[("gP",)])))
    for s in range(enc.S):
        parts.append(st[("slg", s)] >= 0)
    for i in range(enc.L):
        parts += [st[("ackn", i)] >= 0, st[("ackn", i)] <= enc.K]
    return AND(*parts)


def f_acked_prefix(enc: Encoding, st: dict):
    """At most one entry was acknowledged per LSN, and the acknowledged LSNs
    are a prefix 1..n."""
    parts = []
    for i in range(enc.L):
        n = st[("ackn", i)]
        parts.append(n <= 1)
        parts.append(IMPLIES(n >= 1, enc.slot(st, i, 0)[0] >= 1))
        if i + 1 < enc.L:
            parts.append(IMPLIES(st[("ackn", i + 1)] >= 1, n >= 1))
    return AND(*parts)


def f_unique(enc: Encoding, st: dict):
    """One entry per (epoch, LSN): two logs (or a log and an acknowledged
    entry) with entries of one epoch at one LSN hold the same entry."""
    parts = []
    for i in range(enc.L):
        for a in enc.R:
            ea = enc.entry(st, a, i)
            for b in range(a + 1, enc.n):
                eb = enc.entry(st, b, i)
                parts.append(IMPLIES(AND(st[("ln", a)] > i, st[("ln", b)] > i, EQ(ea[0], eb[0])),
                                     entry_eq(ea, eb)))
            there, s0 = _acked0(enc, st, i)
            parts.append(IMPLIES(AND(there, st[("ln", a)] > i, EQ(ea[0], s0[0])), entry_eq(ea, s0)))
    return AND(*parts)


def f_log_matching(enc: Encoding, st: dict):
    """Two logs that hold one entry at LSN i agree below i; entry epochs
    never decrease along a log."""
    parts = []
    for a in enc.R:
        for i in range(1, enc.L):
            parts.append(IMPLIES(st[("ln", a)] > i,
                                 enc.entry(st, a, i - 1)[0] <= enc.entry(st, a, i)[0]))
        for b in range(a + 1, enc.n):
            for i in range(1, enc.L):
                same = AND(st[("ln", a)] > i, st[("ln", b)] > i,
                           entry_eq(enc.entry(st, a, i), enc.entry(st, b, i)))
                parts.append(IMPLIES(same, entry_eq(enc.entry(st, a, i - 1), enc.entry(st, b, i - 1))))
    return AND(*parts)


def f_acked_chain(enc: Encoding, st: dict):
    """A log that holds the acknowledged entry of LSN i holds those below it."""
    parts = []
    for r in enc.R:
        for i in range(1, enc.L):
            there, s0 = _acked0(enc, st, i)
            _, s1 = _acked0(enc, st, i - 1)
            parts.append(IMPLIES(AND(there, enc.holds(st, r, i, s0)), enc.holds(st, r, i - 1, s1)))
    return AND(*parts)


def _believes_role(enc: Encoding, st: dict, r: int, which: str):
    ep = st[("ep", r)]
    return AND(ep >= 1, ep <= st[("oe",)], EQ(enc.role(st, which, ep), r))


def f_ap_holds_its_epoch(enc: Encoding, st: dict):
    """A replica at epoch e whose AP it is holds every entry of epoch e
    that any log holds (or that was acknowledged), at the same LSN."""
    parts = []
    for a in enc.R:
        mine = _believes_role(enc, st, a, "rap")
        for i in range(enc.L):
            for r in enc.R:
                if r == a:
                    continue
                e = enc.entry(st, r, i)
                parts.append(IMPLIES(AND(mine, st[("ln", r)] > i, EQ(e[0], st[("ep", a)])),
                                     enc.holds(st, a, i, e)))
            there, s0 = _acked0(enc, st, i)
            parts.append(IMPLIES(AND(mine, there, EQ(s0[0], st[("ep", a)])), enc.holds(st, a, i, s0)))
    return AND(*parts)


def _prefix_of(enc: Encoding, st: dict, r: int, a: int):
    """r's log is a prefix of a's."""
    if r == a:
        return True
    return AND(st[("ln", r)] <= st[("ln", a)],
               *(IMPLIES(st[("ln", r)] > i, entry_eq(enc.entry(st, r, i), enc.entry(st, a, i)))
                 for i in range(enc.L)))


def f_current_prefix(enc: Encoding, st: dict):
    """While the AP holds the current epoch, every replica at the current
    epoch holds a prefix of the AP's log."""
    oe = st[("oe",)]
    parts = []
    for a in enc.R:
        ap_ok = AND(EQ(enc.cur_ap(st), a), EQ(st[("ep", a)], oe))
        for r in enc.R:
            if r != a:
                parts.append(IMPLIES(AND(ap_ok, EQ(st[("ep", r)], oe)), _prefix_of(enc, st, r, a)))
    return AND(*parts)


def f_deposed_fenced(enc: Encoding, st: dict):
    """A deposed AP (the AP of an older epoch that it still holds) is fenced
    off by its PP: that PP is at a newer epoch, or lost its disk."""
    parts = []
    oe = st[("oe",)]
    for a in enc.R:
        ep = st[("ep", a)]
        deposed = AND(ep >= 1, ep < oe, EQ(enc.role(st, "rap", ep), a))
        for p in enc.R:
            if p == a:
                continue
            fenced = OR(st[("ep", p)] > ep, AND(EQ(st[("ep", p)], 0), EQ(st[("ln", p)], 0)))
            parts.append(IMPLIES(AND(deposed, EQ(enc.role(st, "rpp", ep), p)), fenced))
    return AND(*parts)


def f_commit_acked(enc: Encoding, st: dict):
    """Every committed entry of every replica is the acknowledged entry of its LSN."""
    parts = []
    for r in enc.R:
        for i in range(enc.L):
            there, s0 = _acked0(enc, st, i)
            parts.append(IMPLIES(st[("cm", r)] > i, AND(there, entry_eq(enc.entry(st, r, i), s0))))
    return AND(*parts)


def _holds_all_acked(enc: Encoding, st: dict, r: int):
    return AND(*(IMPLIES(there, enc.holds(st, r, i, s0))
                 for i in range(enc.L) for there, s0 in [_acked0(enc, st, i)]))


def f_ap_holds_acked(enc: Encoding, st: dict):
    """While the AP holds the current epoch it holds every acknowledged entry."""
    oe = st[("oe",)]
    return AND(*(IMPLIES(AND(EQ(enc.cur_ap(st), a), EQ(st[("ep", a)], oe)), _holds_all_acked(enc, st, a))
                 for a in enc.R))


def f_in_sync(enc: Encoding, st: dict):
    """An in-sync PP holds the current epoch, a prefix of the AP's log and
    every acknowledged entry; the budget then guards exactly (AP, PP)."""
    oe = st[("oe",)]
    parts = []
    for p in enc.R:
        is_pp = AND(st[("insync",)], EQ(enc.cur_pp(st), p))
        parts.append(IMPLIES(is_pp, AND(EQ(st[("ep", p)], oe), _holds_all_acked(enc, st, p))))
        for a in enc.R:
            if a != p:
                both = AND(is_pp, EQ(enc.cur_ap(st), a), EQ(st[("ep", a)], oe))
                parts.append(IMPLIES(both, _prefix_of(enc, st, p, a)))
    parts.append(IMPLIES(st[("insync",)], AND(EQ(st[("gA",)], enc.cur_ap(st)),
                                              EQ(st[("gP",)], enc.cur_pp(st)))))
    return AND(*parts)


def f_guard(enc: Encoding, st: dict):
    """The budget's guard: the AP is one of the pair; with no guarded disk
    lost since the pair synced, both hold every acknowledged entry; with one
    lost, one of them does."""
    gA, gP = st[("gA",)], st[("gP",)]
    holdsA = OR(*(AND(EQ(gA, r), _holds_all_acked(enc, st, r)) for r in enc.R))
    holdsP = OR(*(AND(EQ(gP, r), _holds_all_acked(enc, st, r)) for r in enc.R))
    ap = enc.cur_ap(st)
    return AND(OR(EQ(ap, gA), EQ(ap, gP)),
               IMPLIES(NOT(st[("pend",)]), AND(holdsA, holdsP)),
               OR(holdsA, holdsP))


def f_guard_covers(enc: Encoding, st: dict):
    """With no guarded disk lost since the pair synced, both guarded replicas
    hold an epoch, and an entry of the AP's log that another replica holds
    is acknowledged or held by both guarded replicas (so the AP can
    acknowledge only what the guard holds)."""
    calm = NOT(st[("pend",)])
    parts = []
    for g in ("gA", "gP"):
        parts.append(IMPLIES(calm, AND(*(IMPLIES(EQ(st[(g,)], r), st[("ep", r)] >= 1) for r in enc.R))))
    oe = st[("oe",)]
    for a in enc.R:
        ap_ok = AND(calm, EQ(enc.cur_ap(st), a), EQ(st[("ep", a)], oe))
        for i in range(enc.L):
            e = enc.entry(st, a, i)
            there, s0 = _acked0(enc, st, i)
            acked = AND(there, entry_eq(e, s0))
            shared = OR(*(enc.holds(st, r, i, e) for r in enc.R if r != a))
            guarded = AND(*(OR(*(AND(EQ(st[(g,)], r), enc.holds(st, r, i, e)) for r in enc.R))
                            for g in ("gA", "gP")))
            parts.append(IMPLIES(AND(ap_ok, st[("ln", a)] > i, shared), OR(acked, guarded)))
    return AND(*parts)


def f_tokens(enc: Encoding, st: dict):
    """A session's token covers every acknowledged write of its current
    logical session and every prefix it read; no entry names a logical
    session that has not started."""
    parts = []
    for s in range(enc.S):
        parts.append(st[("last", s)] <= st[("stL", s)])
        for i in range(enc.L):
            there, s0 = _acked0(enc, st, i)
            mine = AND(there, EQ(s0[2], s), EQ(s0[3], st[("slg", s)]))
            parts.append(IMPLIES(mine, st[("stL", s)] > i))
            parts.append(IMPLIES(AND(there, EQ(s0[2], s)), s0[3] <= st[("slg", s)]))
            for r in enc.R:
                e = enc.entry(st, r, i)
                parts.append(IMPLIES(AND(st[("ln", r)] > i, EQ(e[2], s)), e[3] <= st[("slg", s)]))
    return AND(*parts)


# --------------------------------------------------------------------------- Python predicates
#
# The same statements over model states. The scope of the Z3 encoding
# (log length, number of epochs) is not part of them.


def _acked(state: State) -> dict:
    """LSN -> the first entry acknowledged at that LSN."""
    out: dict = {}
    for ev in state.history:
        if isinstance(ev, Acked):
            out.setdefault(ev.entry.lsn, ev.entry)
    return out


def _holds(log, lsn: int, e) -> bool:
    return len(log) >= lsn and log[lsn - 1] == e


def _name(state: State, r: int) -> str:
    return state.config.name_of(r) if 0 <= r < len(state.replicas) else f"#{r}"


def _last_read(state: State, s: int) -> int:
    logical = state.sessions[s].logical
    return max((len(ev.seen) for ev in state.history
                if isinstance(ev, ReadServed) and ev.session == s and ev.logical == logical), default=0)


def p_shape(state: State) -> Optional[str]:
    cfg, orch = state.config, state.orchestrator
    n, oe = len(state.replicas), orch.epoch
    for e, (ap, pp) in enumerate(orch.roles, 1):
        if not (0 <= ap < n and 0 <= pp < n) or ap == pp:
            return f"epoch {e} has roles ({ap}, {pp})"
        if cfg.region_of(ap) == cfg.region_of(pp) and not cfg.has("pp-same-region"):
            return f"epoch {e}: AP and PP share a region"
    for r in (orch.ap, orch.pp):
        if state.replicas[r].epoch not in (0, oe):
            return f"{_name(state, r)}, a primary of epoch {oe}, is at epoch {state.replicas[r].epoch}"
    firsts: dict = {}
    for ev in state.history:
        if isinstance(ev, Acked):
            firsts.setdefault(ev.epoch, ev.replica)
    for e, r in firsts.items():
        if not (1 <= e <= oe and orch.roles[e - 1][0] == r):
            return f"{_name(state, r)} acknowledged first in epoch {e} without being its AP"
    for r, rep in enumerate(state.replicas):
        if not (0 <= rep.epoch <= oe and 0 <= rep.commit <= len(rep.log)):
            return f"{_name(state, r)} has epoch {rep.epoch}, commit {rep.commit} of {len(rep.log)}"
        for e in rep.log:
            if not (1 <= e.epoch <= rep.epoch and -1 <= e.session < cfg.sessions and e.logical >= 0):
                return f"{_name(state, r)} holds entry ({e.epoch},{e.lsn}) out of range"
    for s, sess in enumerate(state.sessions):
        if not (0 <= sess.replica < n and sess.token.lsn >= 0 and sess.logical >= 0):
            return f"session {s} is out of range"
    g = tuple(state.budget.guard)
    if len(g) != 2 or g[0] == g[1] or not all(0 <= x < n for x in g):
        return f"the budget guards {g}"
    return None


def p_acked_prefix(state: State) -> Optional[str]:
    distinct: dict = {}
    for ev in state.history:
        if isinstance(ev, Acked):
            distinct.setdefault(ev.entry.lsn, set()).add(ev.entry)
    if any(len(v) > 1 for v in distinct.values()):
        return "two entries were acknowledged at one LSN"
    if any(lsn > 1 and lsn - 1 not in distinct for lsn in distinct):
        return "an LSN was acknowledged before the one below it"
    return None


def p_unique(state: State) -> Optional[str]:
    seen: dict = {}
    for r, rep in enumerate(state.replicas):
        for e in rep.log:
            other = seen.setdefault((e.epoch, e.lsn), e)
            if other != e:
                return f"two different entries ({e.epoch},{e.lsn}), one on {_name(state, r)}"
    for lsn, e in _acked(state).items():
        other = seen.get((e.epoch, lsn))
        if other is not None and other != e:
            return f"the acknowledged entry ({e.epoch},{lsn}) differs from one in a log"
    return None


def p_log_matching(state: State) -> Optional[str]:
    reps = state.replicas
    for r, rep in enumerate(reps):
        if any(rep.log[i - 1].epoch > rep.log[i].epoch for i in range(1, len(rep.log))):
            return f"epochs decrease along the log of {_name(state, r)}"
        for q in range(r + 1, len(reps)):
            other = reps[q].log
            for i in range(1, min(len(rep.log), len(other))):
                if rep.log[i] == other[i] and rep.log[i - 1] != other[i - 1]:
                    return f"{_name(state, r)} and {_name(state, q)} agree at LSN {i + 1}, not below"
    return None


def p_acked_chain(state: State) -> Optional[str]:
    acked = _acked(state)
    for r, rep in enumerate(state.replicas):
        for lsn, e in acked.items():
            if lsn > 1 and _holds(rep.log, lsn, e) and not _holds(rep.log, lsn - 1, acked.get(lsn - 1)):
                return f"{_name(state, r)} holds the acknowledged entry of LSN {lsn}, not that of {lsn - 1}"
    return None


def _believes(state: State, r: int, which: int) -> bool:
    ep = state.replicas[r].epoch
    return 1 <= ep <= state.orchestrator.epoch and state.orchestrator.roles[ep - 1][which] == r


def p_ap_holds_its_epoch(state: State) -> Optional[str]:
    acked = _acked(state)
    for a, rep in enumerate(state.replicas):
        if not _believes(state, a, 0):
            continue
        for r, other in enumerate(state.replicas):
            for e in other.log:
                if r != a and e.epoch == rep.epoch and not _holds(rep.log, e.lsn, e):
                    return f"{_name(state, a)}, AP of epoch {rep.epoch}, lacks ({e.epoch},{e.lsn}) of {_name(state, r)}"
        for lsn, e in acked.items():
            if e.epoch == rep.epoch and not _holds(rep.log, lsn, e):
                return f"{_name(state, a)}, AP of epoch {rep.epoch}, lacks acknowledged ({e.epoch},{lsn})"
    return None


def _prefix(log, of) -> bool:
    return len(log) <= len(of) and of[:len(log)] == log


def p_current_prefix(state: State) -> Optional[str]:
    orch = state.orchestrator
    ap = state.replicas[orch.ap]
    if ap.epoch != orch.epoch:
        return None
    for r, rep in enumerate(state.replicas):
        if r != orch.ap and rep.epoch == orch.epoch and not _prefix(rep.log, ap.log):
            return f"{_name(state, r)} at epoch {orch.epoch} is not a prefix of the AP's log"
    return None


def p_deposed_fenced(state: State) -> Optional[str]:
    orch = state.orchestrator
    for a, rep in enumerate(state.replicas):
        if 1 <= rep.epoch < orch.epoch and orch.roles[rep.epoch - 1][0] == a:
            p = orch.roles[rep.epoch - 1][1]
            pp = state.replicas[p]
            if p != a and not (pp.epoch > rep.epoch or (pp.epoch == 0 and not pp.log)):
                return f"{_name(state, a)}, deposed AP of epoch {rep.epoch}, is not fenced by {_name(state, p)}"
    return None


def p_commit_acked(state: State) -> Optional[str]:
    acked = _acked(state)
    for r, rep in enumerate(state.replicas):
        for e in rep.log[:rep.commit]:
            if acked.get(e.lsn) != e:
                return f"{_name(state, r)} committed ({e.epoch},{e.lsn}), which is not the acknowledged entry"
    return None


def _holds_all(state: State, r: int, acked: dict) -> bool:
    log = state.replicas[r].log
    return all(_holds(log, lsn, e) for lsn, e in acked.items())


def p_ap_holds_acked(state: State) -> Optional[str]:
    orch = state.orchestrator
    if state.replicas[orch.ap].epoch == orch.epoch and not _holds_all(state, orch.ap, _acked(state)):
        return f"the AP {_name(state, orch.ap)} lacks an acknowledged entry"
    return None


def p_in_sync(state: State) -> Optional[str]:
    orch = state.orchestrator
    if not orch.pp_in_sync:
        return None
    pp, ap = state.replicas[orch.pp], state.replicas[orch.ap]
    if pp.epoch != orch.epoch or not _holds_all(state, orch.pp, _acked(state)):
        return f"the in-sync PP {_name(state, orch.pp)} is behind"
    if ap.epoch == orch.epoch and not _prefix(pp.log, ap.log):
        return f"the in-sync PP {_name(state, orch.pp)} is not a prefix of the AP"
    if tuple(state.budget.guard) != (orch.ap, orch.pp):
        return f"the PP is in sync but the budget guards {state.budget.guard}"
    return None


def p_guard(state: State) -> Optional[str]:
    b, orch, acked = state.budget, state.orchestrator, _acked(state)
    g = tuple(b.guard)
    if orch.ap not in g:
        return f"the AP {_name(state, orch.ap)} is not guarded ({g})"
    held = [_holds_all(state, r, acked) for r in g]
    if not b.pending and not all(held):
        return "a guarded replica lacks an acknowledged entry while no guarded disk is lost"
    if not any(held):
        return "no guarded replica holds every acknowledged entry"
    return None


def p_guard_covers(state: State) -> Optional[str]:
    b, orch, acked = state.budget, state.orchestrator, _acked(state)
    if b.pending:
        return None
    if any(state.replicas[r].epoch < 1 for r in b.guard):
        return "a guarded replica lost its epoch while no guarded disk loss is pending"
    ap = state.replicas[orch.ap]
    if ap.epoch != orch.epoch:
        return None
    for e in ap.log:
        shared = any(_holds(rep.log, e.lsn, e) for r, rep in enumerate(state.replicas) if r != orch.ap)
        guarded = all(_holds(state.replicas[r].log, e.lsn, e) for r in b.guard)
        if shared and acked.get(e.lsn) != e and not guarded:
            return f"({e.epoch},{e.lsn}) of the AP is shared, unacknowledged and not guarded"
    return None


def p_tokens(state: State) -> Optional[str]:
    acked = _acked(state)
    for s, sess in enumerate(state.sessions):
        if _last_read(state, s) > sess.token.lsn:
            return f"session {s} read further than its token"
        for lsn, e in acked.items():
            if e.session == s and e.logical == sess.logical and sess.token.lsn < lsn:
                return f"session {s}'s token misses its acknowledged write at LSN {lsn}"
            if e.session == s and e.logical > sess.logical:
                return f"an acknowledged entry names logical session {e.logical} of session {s}"
        for rep in state.replicas:
            if any(e.session == s and e.logical > sess.logical for e in rep.log):
                return f"an entry names a logical session of session {s} not yet started"
    return None


_ALL: dict[str, Invariant] = {i.id: i for i in (
    Invariant("shape", "Epochs, lengths, commit points, roles (AP and PP distinct, in different "
              "regions; they hold the current epoch unless their disk was lost), sessions, the "
              "budget's guard and the first acknowledger of each epoch (its AP) are in range.",
              f_shape, p_shape),
    Invariant("acked-prefix", "At most one entry is acknowledged per LSN, and the acknowledged LSNs are "
              "1..n.", f_acked_prefix, p_acked_prefix),
    Invariant("unique-entries", "Entries of one epoch at one LSN are one entry, in every log and in the "
              "history of acknowledgements.", f_unique, p_unique),
    Invariant("log-matching", "Two logs holding one entry agree below it; epochs never decrease along "
              "a log.", f_log_matching, p_log_matching),
    Invariant("acked-chain", "A log that holds the acknowledged entry of an LSN holds those below it.",
              f_acked_chain, p_acked_chain),
    Invariant("ap-holds-its-epoch", "A replica holding an epoch whose AP it is holds every entry of that "
              "epoch.", f_ap_holds_its_epoch, p_ap_holds_its_epoch),
    Invariant("current-prefix", "While the AP holds the current epoch, every replica at the current "
              "epoch holds a prefix of its log.", f_current_prefix, p_current_prefix),
    Invariant("deposed-fenced", "A deposed AP's PP is at a newer epoch or lost its disk.",
              f_deposed_fenced, p_deposed_fenced),
    Invariant("commit-acked", "Every committed entry is the acknowledged entry of its LSN.",
              f_commit_acked, p_commit_acked),
    Invariant("ap-holds-acked", "While the AP holds the current epoch, it holds every acknowledged entry.",
              f_ap_holds_acked, p_ap_holds_acked),
    Invariant("in-sync", "An in-sync PP holds the current epoch, a prefix of the AP's log and every "
              "acknowledged entry; the guard is then (AP, PP).", f_in_sync, p_in_sync),
    Invariant("guard", "The AP is guarded; with no guarded disk lost since the pair synced, both "
              "guarded replicas hold every acknowledged entry, and one of them does always.",
              f_guard, p_guard),
    Invariant("guard-covers-shared", "With no guarded disk lost since the pair synced, both guarded "
              "replicas hold an epoch, and an entry of the AP's log that another replica holds is "
              "acknowledged or held by both guarded replicas.", f_guard_covers, p_guard_covers),
    Invariant("tokens", "A session's token covers its logical session's acknowledged writes and its "
              "reads; no entry names a logical session not yet started.", f_tokens, p_tokens),
)}

# Facts that hold on the safe design (tests/test_z3_properties.py checks them)
# but that the proof does not need: each of the others is needed (dropping it
# breaks consecution: `python bench/z3.py --necessity`, docs/z3.md).
SUPPLEMENTARY = ("acked-prefix", "unique-entries", "acked-chain")

INVARIANTS: dict[str, Invariant] = {k: v for k, v in _ALL.items() if k not in SUPPLEMENTARY}
ALL_INVARIANTS: dict[str, Invariant] = dict(_ALL)
