"""Directory objects and the operations on them (design.md §3).

Each operation is one log entry. Its `refuse` method says why the AP must turn
it down (None when it may be written), judged against the AP's view of the
directory and the model's day; its `apply` method is what every replica does
when it folds the entry into its view. A replica's view is derived from its
log alone (`view_of`), so replication, truncation and failover carry the
objects with them.
"""

from __future__ import annotations

from typing import Optional, Union

import attrs

from .algebra import require
from .config import KINDS, Config
from .records import SYSTEM, evolve

LIVE = "live"
SOFT_DELETED = "soft-deleted"
GONE = "gone"  # a tombstone: permanently deleted or purged; the id is never reused


@attrs.frozen
class ObjectRecord:
    """One directory object as a replica sees it."""

    kind: str
    attrs: tuple[int, ...]
    status: str = LIVE
    deleted_day: Optional[int] = None


View = tuple[Optional[ObjectRecord], ...]  # indexed by object id


@attrs.frozen
class OpContext:
    """What the AP consults to accept an operation: config, day and backups."""

    config: Config
    day: int
    snapshots: tuple = ()


def empty_view(config: Config) -> View:
    return (None,) * config.objects


def default_attrs(config: Config) -> tuple[int, ...]:
    return (0,) * config.attributes


def _put(view: View, obj: int, rec: Optional[ObjectRecord]) -> View:
    return view[:obj] + (rec,) + view[obj + 1:]


def _status_refusal(view: View, obj: int, want: str, doing: str) -> Optional[str]:
    rec = view[obj]
    if rec is None:
        return f"cannot {doing} object {obj}: it does not exist"
    if rec.status != want:
        return f"cannot {doing} object {obj}: it is {rec.status}, not {want}"
    return None


class Operation:
    """What every directory operation offers the write path (design.md §2-3).

    `admit_static` and `admit` are the object layer's guards on a client
    write: the first needs only the configuration (the object exists, only
    the system purges), the second the AP's view of its log and the day.
    `write` is the payload the log entry carries. (A symbolic run replaces
    the operation by an oracle with the same three methods: the object layer
    has its own encoding, docs/z3.md.)
    """

    obj: int

    def admit_static(self, config: Config, session: int) -> None:
        require(0 <= self.obj < config.objects,
                lambda: f"no object {self.obj}: the partition holds objects 0..{config.objects - 1}")
        purge = isinstance(self, Purge)
        require((session == SYSTEM) == purge,
                "purge is the system's operation, not a client session's" if purge
                else f"the system only purges; {type(self).__name__} comes from a client session")

    def admit(self, state, at: int) -> None:
        rep = state.replicas[at]
        why = self.refuse(view_of(state.config, rep.log, at), OpContext(state.config, state.day, state.snapshots))
        require(why is None, lambda: why)

    def refuse(self, view: "View", ctx: "OpContext") -> Optional[str]:
        raise NotImplementedError

    def write(self, origin: int, day: int):
        from .state import Write
        return Write(self, origin, day)


@attrs.frozen
class Create(Operation):
    """Create a new object (§3). Ids are never reused, even after a purge."""

    obj: int

    def refuse(self, view: View, ctx: OpContext) -> Optional[str]:
        rec = view[self.obj]
        if rec is None:
            return None
        if rec.status == GONE:
            return f"cannot create object {self.obj}: its id belonged to a deleted object and is never reused"
        return f"cannot create object {self.obj}: it already exists ({rec.status})"

    def apply(self, view: View, config: Config, entry, replica: int) -> View:
        rec = ObjectRecord(KINDS[self.obj % len(KINDS)], default_attrs(config))
        return _put(view, self.obj, rec)


@attrs.frozen
class Update(Operation):
    """Set one attribute of a live object (§3)."""

    obj: int
    attr: int
    value: int

    def refuse(self, view: View, ctx: OpContext) -> Optional[str]:
        if not 0 <= self.attr < ctx.config.attributes:
            return f"object {self.obj} has no attribute #{self.attr}"
        if not 0 <= self.value < ctx.config.values:
            return f"value {self.value} is outside the attribute domain 0..{ctx.config.values - 1}"
        return _status_refusal(view, self.obj, LIVE, "update")

    def apply(self, view: View, config: Config, entry, replica: int) -> View:
        rec = view[self.obj]
        new = rec.attrs[:self.attr] + (self.value,) + rec.attrs[self.attr + 1:]
        return _put(view, self.obj, evolve(rec, attrs=new))


@attrs.frozen
class SoftDelete(Operation):
    """Soft-delete a live object, recording the day of deletion (§3)."""

    obj: int

    def refuse(self, view: View, ctx: OpContext) -> Optional[str]:
        return _status_refusal(view, self.obj, LIVE, "soft-delete")

    def apply(self, view: View, config: Config, entry, replica: int) -> View:
        rec = evolve(view[self.obj], status=SOFT_DELETED, deleted_day=entry.day)
        return _put(view, self.obj, rec)


@attrs.frozen
class Restore(Operation):
    """Restore a soft-deleted object within retention, with its attributes (§3).

    Flaw `restore-defaults`: the object comes back with default attributes.
    """

    obj: int

    def refuse(self, view: View, ctx: OpContext) -> Optional[str]:
        why = _status_refusal(view, self.obj, SOFT_DELETED, "restore")
        if why:
            return why
        age = ctx.day - view[self.obj].deleted_day
        if age >= ctx.config.retention_days:
            return (f"cannot restore object {self.obj}: deleted {age} days ago, "
                    f"retention is {ctx.config.retention_days} days")
        return None

    def apply(self, view: View, config: Config, entry, replica: int) -> View:
        rec = view[self.obj]
        kept = default_attrs(config) if config.has("restore-defaults") else rec.attrs
        return _put(view, self.obj, ObjectRecord(rec.kind, kept))


@attrs.frozen
class PermanentDelete(Operation):
    """An admin deletes a soft-deleted object for good, at once (§3).

    The entry is a tombstone that every replica applies. Flaw
    `delete-without-tombstone`: only the replica that took the write (the
    entry's origin) removes the object; the others keep it.
    """

    obj: int

    def refuse(self, view: View, ctx: OpContext) -> Optional[str]:
        return _status_refusal(view, self.obj, SOFT_DELETED, "permanently delete")

    def apply(self, view: View, config: Config, entry, replica: int) -> View:
        if config.has("delete-without-tombstone") and replica != entry.origin:
            return view
        return _put(view, self.obj, evolve(view[self.obj], status=GONE))


@attrs.frozen
class Purge(Operation):
    """The system removes an object soft-deleted retention or more days ago (§3).

    Flaw `purge-early`: retention - 1 days suffice (off by one).
    """

    obj: int

    def refuse(self, view: View, ctx: OpContext) -> Optional[str]:
        why = _status_refusal(view, self.obj, SOFT_DELETED, "purge")
        if why:
            return why
        age = ctx.day - view[self.obj].deleted_day
        due = ctx.config.retention_days - (1 if ctx.config.has("purge-early") else 0)
        if age < due:
            return f"cannot purge object {self.obj}: deleted {age} days ago, retention is {ctx.config.retention_days} days"
        return None

    def apply(self, view: View, config: Config, entry, replica: int) -> View:
        return _put(view, self.obj, evolve(view[self.obj], status=GONE))


@attrs.frozen
class RecoverFromBackup(Operation):
    """Recover an object's attributes from a backup snapshot (§3, backups).

    Allowed for live objects and for soft-deleted ones within retention (a
    soft-deleted one comes back live), refused for permanently deleted or
    purged ones and for those whose retention has ended (due for purge). Flaw
    `recovery-resurrects`: gone objects are recovered too. The entry carries
    the attributes, so replicas apply it without the snapshot.
    """

    obj: int
    snapshot_day: int
    attrs: tuple[int, ...]

    def refuse(self, view: View, ctx: OpContext) -> Optional[str]:
        snap = next((s for s in ctx.snapshots if s.day == self.snapshot_day), None)
        if snap is None:
            return f"no snapshot of day {self.snapshot_day} is kept"
        old = snap.view[self.obj] if self.obj < len(snap.view) else None
        if old is None or old.status == GONE:
            return f"the snapshot of day {self.snapshot_day} has no object {self.obj}"
        if old.attrs != self.attrs:
            return f"the attributes do not match object {self.obj} in the snapshot of day {self.snapshot_day}"
        rec = view[self.obj]
        if rec is None:
            return f"cannot recover object {self.obj}: it does not exist"
        if rec.status == GONE and not ctx.config.has("recovery-resurrects"):
            return f"cannot recover object {self.obj}: it was permanently deleted or purged"
        if rec.status == SOFT_DELETED and ctx.day - rec.deleted_day >= ctx.config.retention_days:
            return (f"cannot recover object {self.obj}: its retention ended "
                    f"{ctx.day - rec.deleted_day - ctx.config.retention_days} days ago (due for purge)")
        return None

    def apply(self, view: View, config: Config, entry, replica: int) -> View:
        rec = view[self.obj]
        return _put(view, self.obj, ObjectRecord(rec.kind, self.attrs))


Op = Union[Create, Update, SoftDelete, Restore, PermanentDelete, Purge, RecoverFromBackup]
OP_TYPES = (Create, Update, SoftDelete, Restore, PermanentDelete, Purge, RecoverFromBackup)


def apply_entry(view: View, config: Config, entry, replica: int) -> View:
    """Fold one log entry into a view, as `replica` applies it.

    An entry that does not fit the view (possible only on a log that a flaw
    has corrupted) leaves the view unchanged rather than failing, so that the
    properties, not the fold, report the damage.
    """
    op = entry.op
    rec = view[op.obj] if op.obj < len(view) else None
    if rec is None and not isinstance(op, Create):
        return view
    if rec is not None and isinstance(op, Create):
        return view
    return op.apply(view, config, entry, replica)


# Folded views of recent logs. Successor states share their log tuples, so
# the same log is folded again and again (by candidate writes, write
# refusals, ticks, properties); views are immutable and the fold is pure,
# so a view found here is the one the fold would give. Keyed by identity
# and checked by identity (the cache holds the config and log, so their ids
# cannot be reused while cached); bounded by clearing when full.
_VIEWS: dict[tuple[int, int, int], tuple[Config, tuple, View]] = {}
_VIEWS_MAX = 4096


def view_of(config: Config, entries, replica: int) -> View:
    """The directory that a replica derives from a log prefix."""
    if type(entries) is not tuple:
        return _fold(config, entries, replica)
    key = (id(config), id(entries), replica)
    hit = _VIEWS.get(key)
    if hit is not None and hit[0] is config and hit[1] is entries:
        return hit[2]
    view = _fold(config, entries, replica)
    if len(_VIEWS) >= _VIEWS_MAX:
        _VIEWS.clear()
    _VIEWS[key] = (config, entries, view)
    return view


def _fold(config: Config, entries, replica: int) -> View:
    view = empty_view(config)
    for e in entries:
        view = apply_entry(view, config, e, replica)
    return view
