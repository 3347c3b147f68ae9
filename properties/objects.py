"""soft-delete-restorable, no-early-purge, no-resurrection (design.md §4, 6-8).

Each property has its Python predicate over a whole model state (any
replica, any read), and its form over the object layer of one history
(`ObjectState`, `OBJECT_FORMS`), written once in the model's language:
evaluated on a Python ObjectState and, by the Z3 engine, as a term
(dirproof/proofs/objects_*.py; docs/z3.md, the object layer).
"""

from __future__ import annotations

from typing import Any, Optional

import attrs

from dirproof.model import (GONE, LIVE, SOFT_DELETED, Acked, BulkDelete, PermanentDelete, Purge, ReadServed, RecoverFromBackup,
                            Restore, SoftDelete, State, acting_ap, view_of)
from dirproof.model.algebra import ALL, AND, EQ, IMPLIES, ITE, NOT, OR, Fail, check
from dirproof.model.links import linkset
from dirproof.model.deletes import Expire, soft_deletes
from dirproof.model.objects import ABSENT, apply_entry, attrs_of, deleted_on, empty_view, is_, kind_of, status


def _restores_exactly(state: State, ap: int) -> Optional[str]:
    cfg = state.config
    rep = state.replicas[ap]
    view, before = empty_view(cfg), {}
    for e in rep.log[:rep.commit]:
        old = view[e.op.obj]
        if soft_deletes(cfg, e.op) and old is not None:
            before[e.op.obj] = old.attrs
        view = apply_entry(view, cfg, e, ap)
        new = view[e.op.obj]
        if isinstance(e.op, Restore) and e.op.obj in before and new is not None and new.attrs != before[e.op.obj]:
            return (f"restore of object {e.op.obj} at LSN {e.lsn} brought back attributes "
                    f"{new.attrs}, not {before[e.op.obj]} from before the delete")
    return None


def _purged(log: tuple, obj: int, rec) -> bool:
    """Gone by the system (a purge, or an expiry that removes at once), not
    by an admin's permanent delete (one object's, or a typed bulk delete's)."""
    if rec.status != GONE:
        return False
    last = next((e for e in reversed(log) if isinstance(e.op, (PermanentDelete, BulkDelete, Purge, Expire))
                 and e.op.obj == obj), None)
    return last is not None and isinstance(last.op, (Purge, Expire))


def _still_restorable(state: State, ap: int) -> Optional[str]:
    """Judged on the AP's whole log, as a restore would be: a soft-deleted
    object within retention must not be purged or missing (a pending restore
    or an admin's permanent delete is fine)."""
    cfg = state.config
    deleted: dict[int, int] = {}
    for ev in state.history:
        if isinstance(ev, Acked):
            op = ev.entry.op
            if soft_deletes(cfg, op):
                deleted[op.obj] = ev.entry.day
            elif isinstance(op, (Restore, PermanentDelete, RecoverFromBackup)):
                deleted.pop(op.obj, None)
    log = state.replicas[ap].log
    view = view_of(cfg, log, ap)
    for obj, day in deleted.items():
        age = state.day - day
        rec = view[obj]
        if age < cfg.retention_days and (rec is None or _purged(log, obj, rec)):
            return (f"object {obj}, soft-deleted on day {day}, can no longer be restored on day "
                    f"{state.day} (age {age} < retention {cfg.retention_days}): it is "
                    f"{rec.status if rec else 'absent'} at the AP {cfg.name_of(ap)}")
    return None


def _soft_delete_restorable(state: State) -> Optional[str]:
    """Throughout retention a soft-deleted object stays restorable, and a
    restore brings back exactly the attributes from before the delete."""
    ap = acting_ap(state)
    if ap is None:
        return None
    rep = state.replicas[ap]
    return (_memo(_restores_exactly, state, ap, (state.config, rep.log), (ap, rep.commit))
            or _still_restorable(state, ap))


# The judgements below fold a whole log or history at every state, and a
# step changes neither in most states: the last answers are kept, keyed by
# what each one reads (immutable tuples, compared by identity, kept in the
# entry so that their ids stay theirs, as model/objects.py's view_of does).
_MEMO: dict[tuple, tuple[tuple, Any]] = {}


def _memo(fn: Any, state: State, arg: Any, reads: tuple, plain: tuple) -> Any:
    """fn(state, arg) (or fn(state) when arg is None), which reads only
    `reads` (by identity) and `plain` (by value) of the state."""
    key = (fn, *map(id, reads), *plain)
    got = _MEMO.get(key)
    if got is not None and all(a is b for a, b in zip(got[0], reads)):
        return got[1]
    if len(_MEMO) > 4096:
        _MEMO.clear()
    value = fn(state) if arg is None else fn(state, arg)
    _MEMO[key] = (reads, value)
    return value


def _no_early_purge(state: State) -> Optional[str]:
    """No acknowledged purge takes an object before its retention ends."""
    deleted: dict[int, int] = {}
    for ev in state.history:
        if not isinstance(ev, Acked):
            continue
        e = ev.entry
        if soft_deletes(state.config, e.op):
            deleted[e.op.obj] = e.day
        elif isinstance(e.op, Purge) and e.op.obj in deleted:
            age = e.day - deleted[e.op.obj]
            if age < state.config.retention_days:
                return (f"object {e.op.obj} was purged at LSN {e.lsn} on day {e.day}, only {age} days "
                        f"after its soft delete (retention {state.config.retention_days})")
    return None


def _tombstones(state: State):
    for ev in state.history:
        if isinstance(ev, Acked) and isinstance(ev.entry.op, (PermanentDelete, Purge)):
            yield ev.entry


def _no_resurrection(state: State) -> Optional[str]:
    """An object permanently deleted or purged never appears again: not on a
    replica that holds the deletion, not in a read that saw it."""
    cfg = state.config
    for t in _tombstones(state):
        obj = t.op.obj
        for r, rep in enumerate(state.replicas):
            if len(rep.log) >= t.lsn and rep.log[t.lsn - 1] == t:
                rec = view_of(cfg, rep.log, r)[obj]
                if rec is None or rec.status != GONE:
                    return (f"object {obj}, deleted for good at LSN {t.lsn}, is "
                            f"{rec.status if rec else 'absent'} again on {cfg.name_of(r)}")
        for ev in state.history:
            if isinstance(ev, ReadServed) and len(ev.seen) >= t.lsn and ev.seen[t.lsn - 1] == t:
                rec = view_of(cfg, ev.seen, ev.replica)[obj]
                if rec is None or rec.status != GONE:
                    return (f"object {obj}, deleted for good at LSN {t.lsn}, appeared "
                            f"({rec.status if rec else 'absent'}) in a read at {cfg.name_of(ev.replica)}")
    return None


def _verdict(why: Optional[str]) -> Any:
    return True if why is None else Fail(why)


def soft_delete_restorable(state: State, ghost: Any) -> Any:
    return _verdict(_soft_delete_restorable(state))


def no_early_purge(state: State, ghost: Any) -> Any:
    return _verdict(_no_early_purge(state))


def no_resurrection(state: State, ghost: Any) -> Any:
    return _verdict(_no_resurrection(state))


# --------------------------------------------------------------------------- the object layer over one history

@attrs.frozen
class ObjectGhost:
    """What the object properties remember of the acknowledged history, per
    object (a tuple indexed by object id), as the monitors of
    properties/monitors.py do for replication. Read in order, the
    acknowledged entries of one history give it (`ghost_of`); the object
    layer's Z3 relation carries it in its state (docs/z3.md)."""

    sdd: tuple  # the day of the last acknowledged soft delete (-1: none): _no_early_purge's `deleted`
    bs: tuple  # that soft delete found the object: its attributes then are in `bef`
    bef: tuple  # the attributes just before it: _restores_exactly's `before`
    dl: tuple  # _still_restorable's `deleted`: soft-deleted, not since restored, deleted for good or recovered
    pg: tuple  # the last acknowledged tombstone is a purge (_purged)
    tomb: tuple  # a tombstone (permanent delete or purge) was acknowledged
    early: Any = False  # latched: a purge was acknowledged before the retention of its soft delete ended
    restore: Any = False  # latched: a restore brought back other attributes than those before the delete
    unretained: Any = False  # latched: an object left the directory without soft delete and retention (issue 14)
    befl: tuple = ()  # the memberships of each object just before its last soft delete (model/links.py linkset)
    unlinked: Any = False  # latched: a restore brought back other memberships than those before the delete


@attrs.frozen
class ObjectState:
    """The object layer over one history (design.md §3): the AP's view, the
    view of a replica that is not the writer (the PP), the day, the kept
    snapshots and the ghost. `ap` and `pp` differ only if a flaw folds the
    same log differently at different replicas (delete-without-tombstone)."""

    ap: tuple
    pp: tuple
    day: Any
    snaps: Any
    ghost: ObjectGhost


def fresh_ghost(cfg: Any) -> ObjectGhost:
    n, a = cfg.objects, cfg.attributes
    none = empty_view(cfg)
    return ObjectGhost((-1,) * n, (False,) * n, ((0,) * a,) * n, (-1,) * n, (False,) * n, (False,) * n,
                       befl=tuple(linkset(none, o, cfg) for o in range(n)))


def _set(t: tuple, o: int, v: Any) -> tuple:
    return t[:o] + (v,) + t[o + 1:]


def on_committed(cfg: Any, g: ObjectGhost, op: Any, before: tuple, after: tuple, day: Any) -> ObjectGhost:
    """The ghost after an entry with `op` of `day` is acknowledged; `before`
    and `after` are the AP's views around it."""
    o = op.obj
    if soft_deletes(cfg, op):
        had = NOT(is_(before[o], ABSENT))
        g = attrs.evolve(g, sdd=_set(g.sdd, o, day), dl=_set(g.dl, o, day), bs=_set(g.bs, o, OR(g.bs[o], had)),
                         bef=_set(g.bef, o, ITE(had, attrs_of(before[o], cfg), g.bef[o])),
                         befl=_set(g.befl, o, ITE(had, linkset(before, o, cfg), g.befl[o])))
    if isinstance(op, (Restore, PermanentDelete, RecoverFromBackup)):
        g = attrs.evolve(g, dl=_set(g.dl, o, -1))
    if isinstance(op, Restore):
        rec = after[o]
        changed = AND(g.bs[o], NOT(is_(rec, ABSENT)), NOT(EQ(attrs_of(rec, cfg), g.bef[o])))
        unlinked = AND(g.bs[o], NOT(is_(rec, ABSENT)), NOT(EQ(linkset(after, o, cfg), g.befl[o])))
        g = attrs.evolve(g, restore=OR(g.restore, changed), unlinked=OR(g.unlinked, unlinked))
    if isinstance(op, (PermanentDelete, Purge)):
        g = attrs.evolve(g, tomb=_set(g.tomb, o, True), pg=_set(g.pg, o, isinstance(op, Purge)))
    g = attrs.evolve(g, unretained=OR(g.unretained, left_without_retention(cfg, op, before, after, day)))
    if isinstance(op, Purge):
        g = attrs.evolve(g, early=OR(g.early, AND(g.sdd[o] >= 0, day - g.sdd[o] < cfg.retention_days)))
    return g


def left_without_retention(cfg: Any, op: Any, before: tuple, after: tuple, day: Any) -> Any:
    """The entry with `op` of `day` took its object out of the directory
    (live or soft-deleted before, gone or absent after) other than through
    soft delete and retention: a purge of an object soft-deleted at least
    retention days before, or a permanent delete that names the
    soft-deleted object (a typed one: by its own kind). Every operation
    changes only its own object."""
    o = op.obj
    was, now = before[o], after[o]
    left = AND(OR(is_(was, LIVE), is_(was, SOFT_DELETED)), OR(is_(now, GONE), is_(now, ABSENT)))
    if isinstance(op, Purge):
        through: Any = day - deleted_on(was) >= cfg.retention_days
    elif isinstance(op, BulkDelete):
        through = op.kind == kind_of(o)
    else:
        through = isinstance(op, PermanentDelete)
    return AND(left, NOT(AND(is_(was, SOFT_DELETED), through)))


def ghost_of(state: State, ap: int) -> ObjectGhost:
    """The ghost of a model state's acknowledged history, folded at `ap`."""
    cfg = state.config
    g, view = fresh_ghost(cfg), empty_view(cfg)
    for ev in state.history:
        if isinstance(ev, Acked):
            after = apply_entry(view, cfg, ev.entry, ap)
            g, view = on_committed(cfg, g, ev.entry.op, view, after, ev.entry.day), after
    return g


def restorable_form(cfg: Any, st: ObjectState) -> Any:
    """soft-delete-restorable over one history: no restore changed the
    attributes, and an object soft-deleted within retention (and not since
    restored, deleted for good or recovered) is neither absent nor purged."""
    g = st.ghost
    parts = [check(NOT(g.restore), "a restore brought back other attributes than those from before the delete")]
    for o in range(cfg.objects):
        within = AND(g.dl[o] >= 0, st.day - g.dl[o] < cfg.retention_days)
        lost = OR(is_(st.ap[o], ABSENT), AND(is_(st.ap[o], GONE), g.pg[o]))
        parts.append(check(IMPLIES(within, NOT(lost)),
                           lambda o=o: f"object {o}, soft-deleted on day {g.dl[o]}, can no longer be restored "
                                       f"on day {st.day}: it is {status(st.ap[o])} at the AP"))
    return ALL(parts)


def early_purge_form(cfg: Any, st: ObjectState) -> Any:
    """no-early-purge over one history: the latch of an early purge is clear."""
    return check(NOT(st.ghost.early), "a purge was acknowledged before its object's retention ended")


def resurrection_form(cfg: Any, st: ObjectState) -> Any:
    """no-resurrection over one history: an object with an acknowledged
    tombstone is gone at the AP and at the PP (every replica holds it)."""
    return ALL(check(IMPLIES(st.ghost.tomb[o], AND(is_(st.ap[o], GONE), is_(st.pp[o], GONE))),
                     lambda o=o: f"object {o}, deleted for good, is {status(st.ap[o])} at the AP and "
                                 f"{status(st.pp[o])} at the PP")
               for o in range(cfg.objects))


def _no_delete_without_retention(state: State) -> Optional[str]:
    """Every acknowledged entry, folded as its writer folded it: none took
    an object out of the directory but through soft delete and retention
    or a permanent delete of that soft-deleted object."""
    cfg = state.config
    view = empty_view(cfg)
    for ev in state.history:
        if not isinstance(ev, Acked):
            continue
        e = ev.entry
        after = apply_entry(view, cfg, e, e.origin)
        if left_without_retention(cfg, e.op, view, after, e.day):
            o = e.op.obj
            return (f"object {o} ({kind_of(o)}) was {status(view[o])} and left the directory at LSN {e.lsn} "
                    f"on day {e.day} by {type(e.op).__name__}{_named(e.op)}, not through soft delete and "
                    f"retention or a permanent delete of that soft-deleted object")
        view = after
    return None


def _named(op: Any) -> str:
    return f" of a {op.kind}" if isinstance(op, BulkDelete) else ""


def _restores_links(state: State) -> Optional[str]:
    """On the acting AP's committed log: a restore brings back exactly the
    memberships its object had just before its soft delete (issue 14)."""
    ap = acting_ap(state)
    if ap is None:
        return None
    cfg, rep = state.config, state.replicas[ap]
    view, before = empty_view(cfg), {}
    for e in rep.log[:rep.commit]:
        o = e.op.obj
        if soft_deletes(cfg, e.op) and view[o] is not None:
            before[o] = linkset(view, o, cfg)
        view = apply_entry(view, cfg, e, ap)
        if isinstance(e.op, Restore) and o in before and view[o] is not None and linkset(view, o, cfg) != before[o]:
            return (f"restore of object {o} ({kind_of(o)}) at LSN {e.lsn} brought back memberships "
                    f"{linkset(view, o, cfg)}, not {before[o]} from before the delete")
    return None


def restore_restores_links(state: State, ghost: Any) -> Any:
    ap = acting_ap(state)
    if ap is None:
        return True
    rep = state.replicas[ap]
    return _verdict(_memo(_restores_links, state, None, (state.config, rep.log), (ap, rep.commit)))


def links_form(cfg: Any, st: ObjectState) -> Any:
    """restore-restores-links over one history: its latch is clear."""
    return check(NOT(st.ghost.unlinked), "a restore brought back other memberships than those from before "
                                         "the delete")


def no_delete_without_retention(state: State, ghost: Any) -> Any:
    return _verdict(_memo(_no_delete_without_retention, state, None, (state.config, state.history), ()))


def retention_form(cfg: Any, st: ObjectState) -> Any:
    """no-delete-without-retention over one history: its latch is clear."""
    return check(NOT(st.ghost.unretained), "an object left the directory without soft delete and retention, "
                                           "or a permanent delete of that soft-deleted object")


OBJECT_FORMS = {"soft-delete-restorable": restorable_form, "no-early-purge": early_purge_form,
                "no-resurrection": resurrection_form, "no-delete-without-retention": retention_form,
                "restore-restores-links": links_form}
