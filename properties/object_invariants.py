"""Auxiliary invariants of the object layer, for its inductive proof.

Each has an id, a statement, a Z3 form over the symbolic object state of
model/symbolic_objects.py and a Python predicate over model states, as
properties/invariants.py does for the replication core. The Python
predicates read the AP's committed log and the history: in the one-history
fragment (model/symbolic_objects.py) these are one sequence; after a
failover the AP's commit point may lag what was acknowledged, so they are
meant for the fragment. `OBJECT_INVARIANTS`, with the three object
properties' Z3 forms (properties/z3_object_forms.py), is an inductive
invariant of the safe design's object layer (dirproof/z3_engine.py,
`object_induction`); docs/z3.md says why each one is needed.
tests/test_z3_objects.py checks that both forms agree on drawn states of
the fragment.
"""

from __future__ import annotations

from typing import Optional

from dirproof.model import GONE, SOFT_DELETED, Acked, PermanentDelete, Purge, RecoverFromBackup, \
    Restore, SoftDelete, State, acting_ap, view_of
from dirproof.model.objects import apply_entry, empty_view
from dirproof.model.symbolic import AND, EQ, IMPLIES, OR
from dirproof.model.symbolic_objects import GONE_, SOFT, VIEWS, ObjectEncoding

from .invariants import Invariant


# --------------------------------------------------------------------------- Z3 forms

def f_sd_day(enc: ObjectEncoding, st: dict):
    return AND(*(IMPLIES(EQ(st[("a", "st", o)], SOFT), EQ(st[("sdd", o)], st[("a", "dd", o)]))
                 for o in range(enc.N)))


def f_sd_attrs(enc: ObjectEncoding, st: dict):
    return AND(*(IMPLIES(EQ(st[("a", "st", o)], SOFT),
                         AND(st[("bs", o)], *(EQ(st[("a", "at", o, i)], st[("bef", o, i)])
                                               for i in range(enc.A))))
                 for o in range(enc.N)))


def f_deleted_tracked(enc: ObjectEncoding, st: dict):
    parts = []
    for o in range(enc.N):
        d, s = st[("del", o)], st[("a", "st", o)]
        soft = AND(EQ(s, SOFT), EQ(st[("a", "dd", o)], d))
        purged = AND(EQ(s, GONE_), st[("pg", o)], st[("day",)] - d >= enc.R)
        parts.append(IMPLIES(d >= 0, OR(soft, purged)))
    return AND(*parts)


def f_views_agree(enc: ObjectEncoding, st: dict):
    a, p = VIEWS
    keys = [k for k in enc.keys if k[0] == a]
    return AND(*(EQ(st[k], st[(p, *k[1:])]) for k in keys))


# --------------------------------------------------------------------------- Python predicates

def _ap_log(state: State):
    ap = acting_ap(state)
    if ap is None:
        return None, ()
    rep = state.replicas[ap]
    return ap, rep.log[:rep.commit]


def _acked(state: State):
    return [ev.entry for ev in state.history if isinstance(ev, Acked)]


def p_sd_day(state: State) -> Optional[str]:
    ap, log = _ap_log(state)
    if ap is None:
        return None
    last = {e.op.obj: e.day for e in _acked(state) if isinstance(e.op, SoftDelete)}
    for o, rec in enumerate(view_of(state.config, log, ap)):
        if rec is not None and rec.status == SOFT_DELETED and last.get(o) != rec.deleted_day:
            return (f"object {o} is soft-deleted since day {rec.deleted_day}, its last acknowledged "
                    f"soft delete is of day {last.get(o)}")
    return None


def p_sd_attrs(state: State) -> Optional[str]:
    ap, log = _ap_log(state)
    if ap is None:
        return None
    cfg = state.config
    view, before = empty_view(cfg), {}
    for e in log:
        if isinstance(e.op, SoftDelete) and view[e.op.obj] is not None:
            before[e.op.obj] = view[e.op.obj].attrs
        view = apply_entry(view, cfg, e, ap)
    for o, rec in enumerate(view):
        if rec is not None and rec.status == SOFT_DELETED and before.get(o) != rec.attrs:
            return f"object {o} is soft-deleted with attributes {rec.attrs}, not {before.get(o)} from before the delete"
    return None


def p_deleted_tracked(state: State) -> Optional[str]:
    ap, log = _ap_log(state)
    if ap is None:
        return None
    cfg = state.config
    deleted: dict = {}
    for e in _acked(state):
        if isinstance(e.op, SoftDelete):
            deleted[e.op.obj] = e.day
        elif isinstance(e.op, (Restore, PermanentDelete, RecoverFromBackup)):
            deleted.pop(e.op.obj, None)
    view = view_of(cfg, log, ap)
    for o, day in deleted.items():
        rec = view[o]
        soft = rec is not None and rec.status == SOFT_DELETED and rec.deleted_day == day
        tombs = [e for e in log if isinstance(e.op, (PermanentDelete, Purge)) and e.op.obj == o]
        purged = (rec is not None and rec.status == GONE and isinstance(tombs[-1].op, Purge)
                  and state.day - day >= cfg.retention_days)
        if not (soft or purged):
            return (f"object {o}, soft-deleted on day {day}, is neither still soft-deleted since then "
                    f"nor purged after retention")
    return None


def p_views_agree(state: State) -> Optional[str]:
    ap, log = _ap_log(state)
    if ap is None:
        return None
    cfg = state.config
    pp = state.orchestrator.pp
    if state.replicas[pp].log[:len(log)] != log:
        return None
    if view_of(cfg, log, pp) != view_of(cfg, log, ap):
        return f"the PP {cfg.name_of(pp)} sees another directory than the AP in the same committed log"
    return None


OBJECT_INVARIANTS: dict[str, Invariant] = {i.id: i for i in (
    Invariant("sd-day", "An object soft-deleted at the AP was deleted on the day of its last "
              "acknowledged soft delete.", f_sd_day, p_sd_day),
    Invariant("sd-attrs", "A soft-deleted object has exactly the attributes it had just before its "
              "last soft delete.", f_sd_attrs, p_sd_attrs),
    Invariant("deleted-tracked", "An object soft-deleted and not since restored, deleted for good or "
              "recovered is still soft-deleted since that day, or was purged and its retention has "
              "ended.", f_deleted_tracked, p_deleted_tracked),
    Invariant("views-agree", "A replica that holds the AP's committed log (the PP) derives the same "
              "directory from it as the AP.", f_views_agree, p_views_agree),
)}
