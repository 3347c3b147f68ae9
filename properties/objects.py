"""soft-delete-restorable, no-early-purge, no-resurrection (design.md §4, 6-8)."""

from __future__ import annotations

from typing import Any, Optional

from dirproof.model import (GONE, Acked, PermanentDelete, Purge, ReadServed, RecoverFromBackup,
                            Restore, SoftDelete, State, acting_ap, view_of)
from dirproof.model.algebra import Fail
from dirproof.model.objects import apply_entry, empty_view


def _restores_exactly(state: State, ap: int) -> Optional[str]:
    cfg = state.config
    rep = state.replicas[ap]
    view, before = empty_view(cfg), {}
    for e in rep.log[:rep.commit]:
        if isinstance(e.op, SoftDelete) and view[e.op.obj] is not None:
            before[e.op.obj] = view[e.op.obj].attrs
        view = apply_entry(view, cfg, e, ap)
        if isinstance(e.op, Restore) and e.op.obj in before and view[e.op.obj] is not None:
            if view[e.op.obj].attrs != before[e.op.obj]:
                return (f"restore of object {e.op.obj} at LSN {e.lsn} brought back attributes "
                        f"{view[e.op.obj].attrs}, not {before[e.op.obj]} from before the delete")
    return None


def _purged(log: tuple, obj: int, rec) -> bool:
    """Gone by a purge (the system), not by an admin's permanent delete."""
    if rec.status != GONE:
        return False
    last = next(e for e in reversed(log) if isinstance(e.op, (PermanentDelete, Purge)) and e.op.obj == obj)
    return isinstance(last.op, Purge)


def _still_restorable(state: State, ap: int) -> Optional[str]:
    """Judged on the AP's whole log, as a restore would be: a soft-deleted
    object within retention must not be purged or missing (a pending restore
    or an admin's permanent delete is fine)."""
    cfg = state.config
    deleted: dict[int, int] = {}
    for ev in state.history:
        if isinstance(ev, Acked):
            op = ev.entry.op
            if isinstance(op, SoftDelete):
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
    return _restores_exactly(state, ap) or _still_restorable(state, ap)


def _no_early_purge(state: State) -> Optional[str]:
    """No acknowledged purge takes an object before its retention ends."""
    deleted: dict[int, int] = {}
    for ev in state.history:
        if not isinstance(ev, Acked):
            continue
        e = ev.entry
        if isinstance(e.op, SoftDelete):
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
