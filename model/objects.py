"""Directory objects and the operations on them (design.md §3).

Each operation is one log entry. Its `refuse` method says why the AP must turn
it down (None when it may be written), judged against the AP's view of the
directory and the model's day; its `apply` method is what every replica does
when it folds the entry into its view. A replica's view is derived from its
log alone (`view_of`), so replication, truncation and failover carry the
objects with them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, Optional, cast

import attrs

from .algebra import AND, ANY, EQ, NOT, OR, Refused, branch, require
from .config import KINDS, Config
from .records import SYSTEM, evolve
from .seq import items

if TYPE_CHECKING:  # the union of every operation is model/ops.py's (which resolves Write's annotation)
    from .ops import Op

LIVE = "live"
SOFT_DELETED = "soft-deleted"
GONE = "gone"  # a tombstone: permanently deleted or purged; the id is never reused
ABSENT = "absent"  # no record: the id was never created (a view holds None)


@attrs.frozen
class ObjectRecord:
    """One directory object as a replica sees it.

    In a symbolic run (dirproof/proofs/objects_state.py) the fields hold
    terms: `status` a status term that compares with the names above (an
    absent object is a record whose status is ABSENT), `deleted_day` a day.
    """

    kind: str
    attrs: tuple[int, ...]
    status: str = LIVE
    deleted_day: Optional[int] = None
    born: int = 0  # the day it was created: an expiry policy counts from it (issue 14)
    links: tuple = ()  # a user's group memberships, one flag per object id (model/links.py; () for none)


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


def status(rec: Optional[ObjectRecord]) -> Any:
    """The status of a record: ABSENT for no record."""
    return ABSENT if rec is None else rec.status


def is_(rec: Optional[ObjectRecord], which: str) -> Any:
    """The record has status `which` (a verdict in the model's language)."""
    return EQ(ABSENT if rec is None else rec.status, which)


def kind_of(obj: int) -> str:
    """The kind of the object with id `obj`: ids are typed (model/config.py KINDS)."""
    return KINDS[obj % len(KINDS)]


def existing(view: View, obj: int) -> ObjectRecord:
    """The record of an object the step's guards have shown to exist (a
    symbolic view always holds a record: absence is its status)."""
    rec = view[obj]
    assert rec is not None, f"object {obj} has no record"
    return rec


def day_deleted(rec: ObjectRecord) -> int:
    """The day a record the guards have shown soft-deleted was deleted."""
    assert rec.deleted_day is not None, "a soft-deleted record carries its day"
    return rec.deleted_day


def attrs_of(rec: Optional[ObjectRecord], config: Config) -> tuple:
    """The attributes of a record (the defaults for no record)."""
    return default_attrs(config) if rec is None else rec.attrs


def deleted_on(rec: Optional[ObjectRecord]) -> Any:
    """The day a record was soft-deleted (-1 when it has none)."""
    return -1 if rec is None or rec.deleted_day is None else rec.deleted_day


def _put(view: View, obj: int, rec: Optional[ObjectRecord]) -> View:
    return view[:obj] + (rec,) + view[obj + 1:]


def _require_status(view: View, obj: int, want: str, doing: str) -> None:
    rec = view[obj]
    require(NOT(is_(rec, ABSENT)), lambda: f"cannot {doing} object {obj}: it does not exist")
    require(is_(rec, want), lambda: f"cannot {doing} object {obj}: it is {status(rec)}, not {want}")


class Operation:
    """What every directory operation offers the write path (design.md §2-3).

    `check` is the object layer's guard on a client write, judged against
    the AP's view of its log and the day (it raises Refused with the
    reason; `refuse` gives the reason or None); `admit_static` and `admit`
    are what the write path calls: the first needs only the configuration
    (the object exists, only the system purges), the second the AP's view.
    `apply` folds the entry into a replica's view; `write` is the payload
    the log entry carries. All are written in the model's language
    (model/algebra.py): the object layer's Z3 relation over one history is
    derived from them (dirproof/proofs/objects_state.py, docs/z3.md). (The
    replication relation replaces the operation by an oracle with the same
    three write-path methods.)
    """

    obj: int
    system: ClassVar[bool] = False  # written by the system (a purge, an expiry), not by a client session

    def admit_static(self, config: Config, session: int) -> None:
        require(0 <= self.obj < config.objects,
                lambda: f"no object {self.obj}: the partition holds objects 0..{config.objects - 1}")
        purge = self.system
        require((session == SYSTEM) == purge,
                f"{type(self).__name__} is the system's operation, not a client session's" if purge
                else f"the system only purges and expires; {type(self).__name__} comes from a client session")

    def admit(self, state, at: int) -> None:
        rep = state.replicas[at]
        self.check(view_of(state.config, rep.log, at), OpContext(state.config, state.day, state.snapshots))

    def check(self, view: "View", ctx: "OpContext") -> None:
        raise NotImplementedError

    def refuse(self, view: "View", ctx: "OpContext") -> Optional[str]:
        """Why the AP must turn the operation down (None: it may be written)."""
        try:
            self.check(view, ctx)
        except Refused as refused:
            return refused.reason
        return None

    def write(self, origin: int, day: int):
        return Write(cast("Op", self), origin, day)


@attrs.frozen
class Create(Operation):
    """Create a new object (§3). Ids are never reused, even after a purge."""

    obj: int

    def check(self, view: View, ctx: OpContext) -> None:
        rec = view[self.obj]
        require(NOT(is_(rec, GONE)), lambda: f"cannot create object {self.obj}: its id belonged to a deleted "
                                            f"object and is never reused")
        require(is_(rec, ABSENT), lambda: f"cannot create object {self.obj}: it already exists ({status(rec)})")

    def apply(self, view: View, config: Config, entry, replica: int) -> View:
        rec = ObjectRecord(kind_of(self.obj), default_attrs(config), born=entry.day, links=(False,) * config.objects)
        return _put(view, self.obj, rec)


@attrs.frozen
class Update(Operation):
    """Set one attribute of a live object (§3)."""

    obj: int
    attr: int
    value: int

    def check(self, view: View, ctx: OpContext) -> None:
        require(0 <= self.attr < ctx.config.attributes, lambda: f"object {self.obj} has no attribute #{self.attr}")
        require(AND(0 <= self.value, self.value < ctx.config.values),
                lambda: f"value {self.value} is outside the attribute domain 0..{ctx.config.values - 1}")
        _require_status(view, self.obj, LIVE, "update")

    def apply(self, view: View, config: Config, entry, replica: int) -> View:
        rec = existing(view, self.obj)
        new = rec.attrs[:self.attr] + (self.value,) + rec.attrs[self.attr + 1:]
        return _put(view, self.obj, evolve(rec, attrs=new))


@attrs.frozen
class SoftDelete(Operation):
    """Soft-delete a live object, recording the day of deletion (§3)."""

    obj: int

    def check(self, view: View, ctx: OpContext) -> None:
        _require_status(view, self.obj, LIVE, "soft-delete")

    def apply(self, view: View, config: Config, entry, replica: int) -> View:
        rec = evolve(existing(view, self.obj), status=SOFT_DELETED, deleted_day=entry.day)
        return _put(view, self.obj, rec)


@attrs.frozen
class Restore(Operation):
    """Restore a soft-deleted object within retention, with its attributes (§3).

    Flaw `restore-defaults`: the object comes back with default attributes.
    Its memberships come back with it, in the same entry (issue 14); flaw
    `restore-drops-links`: without them.
    """

    obj: int

    def check(self, view: View, ctx: OpContext) -> None:
        _require_status(view, self.obj, SOFT_DELETED, "restore")
        age = ctx.day - day_deleted(existing(view, self.obj))
        require(age < ctx.config.retention_days, lambda: f"cannot restore object {self.obj}: deleted {age} days "
                                                         f"ago, retention is {ctx.config.retention_days} days")

    def apply(self, view: View, config: Config, entry, replica: int) -> View:
        rec = existing(view, self.obj)
        kept = default_attrs(config) if config.has("restore-defaults") else rec.attrs
        links = (False,) * config.objects if config.has("restore-drops-links") else rec.links
        return _put(view, self.obj, ObjectRecord(rec.kind, kept, born=rec.born, links=links))


@attrs.frozen
class PermanentDelete(Operation):
    """An admin deletes a soft-deleted object for good, at once (§3).

    The entry is a tombstone that every replica applies. Flaw
    `delete-without-tombstone`: only the replica that took the write (the
    entry's origin) removes the object; the others keep it. Flaw
    `delete-live`: a live object is deleted for good too (issue 14).
    """

    obj: int

    def check(self, view: View, ctx: OpContext) -> None:
        if ctx.config.has("delete-live"):
            rec = view[self.obj]
            require(NOT(is_(rec, ABSENT)), lambda: f"cannot permanently delete object {self.obj}: it does not exist")
            require(OR(is_(rec, SOFT_DELETED), is_(rec, LIVE)),
                    lambda: f"cannot permanently delete object {self.obj}: it is {status(rec)}")
        else:
            _require_status(view, self.obj, SOFT_DELETED, "permanently delete")

    def apply(self, view: View, config: Config, entry, replica: int) -> View:
        if config.has("delete-without-tombstone") and replica != entry.origin:
            return view
        return _put(view, self.obj, evolve(existing(view, self.obj), status=GONE))


@attrs.frozen
class Purge(Operation):
    """The system removes an object soft-deleted retention or more days ago (§3).

    Flaw `purge-early`: retention - 1 days suffice (off by one).
    """

    obj: int
    system: ClassVar[bool] = True

    def check(self, view: View, ctx: OpContext) -> None:
        _require_status(view, self.obj, SOFT_DELETED, "purge")
        age = ctx.day - day_deleted(existing(view, self.obj))
        due = ctx.config.retention_days - (1 if ctx.config.has("purge-early") else 0)
        require(age >= due, lambda: f"cannot purge object {self.obj}: deleted {age} days ago, retention is "
                                    f"{ctx.config.retention_days} days")

    def apply(self, view: View, config: Config, entry, replica: int) -> View:
        return _put(view, self.obj, evolve(existing(view, self.obj), status=GONE))


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

    def check(self, view: View, ctx: OpContext) -> None:
        # the kept snapshots have distinct days: `kept` marks the one of that day
        kept = [(AND(present, EQ(s.day, self.snapshot_day)), s) for present, _, s in items(ctx.snapshots)]
        require(ANY(k for k, _ in kept), lambda: f"no snapshot of day {self.snapshot_day} is kept")
        held = [(k, s.view[self.obj] if self.obj < len(s.view) else None) for k, s in kept]
        held = [(AND(k, NOT(is_(old, ABSENT)), NOT(is_(old, GONE))), old) for k, old in held]
        require(ANY(k for k, _ in held),
                lambda: f"the snapshot of day {self.snapshot_day} has no object {self.obj}")
        require(ANY(AND(k, EQ(old.attrs, self.attrs)) for k, old in held if old is not None),
                lambda: f"the attributes do not match object {self.obj} in the snapshot of day {self.snapshot_day}")
        rec = view[self.obj]
        require(NOT(is_(rec, ABSENT)), lambda: f"cannot recover object {self.obj}: it does not exist")
        require(OR(ctx.config.has("recovery-resurrects"), NOT(is_(rec, GONE))),
                lambda: f"cannot recover object {self.obj}: it was permanently deleted or purged")
        if branch(is_(rec, SOFT_DELETED)):
            age = ctx.day - day_deleted(existing(view, self.obj))
            require(age < ctx.config.retention_days, lambda: f"cannot recover object {self.obj}: its retention "
                                                             f"ended {age - ctx.config.retention_days} days ago "
                                                             f"(due for purge)")

    def apply(self, view: View, config: Config, entry, replica: int) -> View:
        rec = existing(view, self.obj)
        return _put(view, self.obj, ObjectRecord(rec.kind, self.attrs, born=rec.born, links=rec.links))


@attrs.frozen
class Reinstate(Operation):
    """An object a returning replica still held, written back at the AP
    (model/tombstones.py). No client sends it and the safe design never
    writes it: only flaw `rejoin-after-tombstone-lifetime` does, for an
    object whose deletion marker the AP had collected, so the AP no longer
    knew it was deleted (a lingering object, a zombie). Applied, the object
    is live again with the attributes the replica held."""

    obj: int
    attrs: tuple[int, ...]

    def check(self, view: View, ctx: OpContext) -> None:
        require(False, "no client reinstates an object: only a returning replica's merge writes it")

    def apply(self, view: View, config: Config, entry, replica: int) -> View:
        return _put(view, self.obj, ObjectRecord(KINDS[self.obj % len(KINDS)], self.attrs))



def apply_entry(view: View, config: Config, entry, replica: int) -> View:
    """Fold one log entry into a view, as `replica` applies it.

    An entry that does not fit the view (possible only on a log that a flaw
    has corrupted, or, under delete-without-tombstone, on a replica that
    kept an object its writer deleted) leaves the view unchanged rather
    than failing, so that the properties, not the fold, report the damage.
    """
    op = entry.op
    absent = is_(view[op.obj] if op.obj < len(view) else None, ABSENT)
    if branch(NOT(absent) if isinstance(op, Create) else absent):
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


@attrs.frozen
class Write:
    """What a client write carries into the log: the operation, the replica
    that took it (its origin) and the model's day when it did (a soft
    delete's deletion time)."""

    op: Op
    origin: int
    day: int
