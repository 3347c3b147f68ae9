"""The object layer over one history: its state, its steps, its keys.

The replication proof shows that in the safe design every replica's
committed log is a prefix of one history (docs/z3.md, the object layer).
What the directory does with that history is the **one-history fragment**
of the model: the initial AP takes each write, copies it to its PP and
acknowledges it at once, with ticks in between. Its state is
properties/objects.py `ObjectState` (the AP's and the PP's views, the day,
the kept snapshots, the object monitors' ghost), and its steps are:

* `commit(cfg, st, op)`: the operation's own guard and fold
  (model/objects.py `check`, `apply_entry` at the AP, its origin, and at
  the PP), then the monitors (`on_committed`);
* `tick(cfg, st, days)`: model/backups.py `advance` (the day, the
  snapshots of the AP's view).

These are the model's functions, so a concrete run is the model; the Z3
relation runs them on symbolic states (objects_derive.py). Here: the
object actions and their inputs, the flat keys of a state (`flatten`),
the symbolic state of given leaves (`rebuild`), the abstraction of a model
state of the fragment (`abstract`), and the model actions of a step.
"""

from __future__ import annotations

import functools
from typing import Any, Callable, Optional

import attrs

from dirproof.model import (SYSTEM, Acknowledge, BulkDelete, ClientWrite, Config, Create, Expire,
                            PermanentDelete, Purge, RecoverFromBackup, ReplicateToPassive, Restore, SoftDelete,
                            State, Tick, Update, Write, view_of)
from dirproof.model.algebra import EQ, ITE
from dirproof.model.backups import advance
from dirproof.model.config import EXPIRY_FIELDS, KINDS, expiry_days
from dirproof.model.links import AddMember, RemoveMember, linkset, links_of, member_pairs
from dirproof.model.objects import ABSENT, GONE, LIVE, SOFT_DELETED, ObjectRecord, OpContext, apply_entry, \
    attrs_of, deleted_on, status
from dirproof.model.state import Snapshot, initial_roles
from dirproof.properties.objects import ObjectGhost, ObjectState, fresh_ghost, ghost_of, on_committed
from dirproof.symbolic.seqs import SymSeq

CODES = {ABSENT: 0, LIVE: 1, SOFT_DELETED: 2, GONE: 3}
NAMES = {v: k for k, v in CODES.items()}
OPS = {"create": Create, "soft_delete": SoftDelete, "restore": Restore, "permanent_delete": PermanentDelete,
       "purge": Purge, "recover": RecoverFromBackup, "update": Update, "expire": Expire,
       "add_member": AddMember, "remove_member": RemoveMember}
LINKING = ("add_member", "remove_member")
SYSTEM_STEPS = ("purge", "expire")


class SymStatus:
    """A record's status in a symbolic run: a term over the codes of CODES
    that compares (EQ) and merges (ITE) with the model's status names."""

    __slots__ = ("term",)

    def __init__(self, term: Any):
        self.term = term

    def sym_eq(self, other: Any) -> Any:
        return EQ(self.term, code(other))

    def sym_ite(self, c: Any, other: Any, mine_first: bool) -> "SymStatus":
        a, b = (self.term, code(other)) if mine_first else (code(other), self.term)
        return SymStatus(ITE(c, a, b))

    def __str__(self) -> str:
        return f"status {self.term}"


def code(s: Any) -> Any:
    """A status as a number (or a term)."""
    return s.term if isinstance(s, SymStatus) else CODES[s] if isinstance(s, str) else s


# --------------------------------------------------------------------------- the steps

def roles(cfg: Config) -> tuple[int, int]:
    """The AP and the PP of the fragment: the initial ones."""
    return initial_roles(cfg)


def commit(cfg: Config, st: ObjectState, op: Any) -> ObjectState:
    """§2-3: the AP accepts `op` against its view (the object layer's
    guard), writes it, its PP copies it and it is acknowledged: both views
    fold the entry (the AP is its origin) and the monitors read it."""
    op.check(st.ap, OpContext(cfg, st.day, st.snaps))
    ap_id, pp_id = roles(cfg)
    w = Write(op, ap_id, st.day)
    ap, pp = apply_entry(st.ap, cfg, w, ap_id), apply_entry(st.pp, cfg, w, pp_id)
    return ObjectState(ap, pp, st.day, st.snaps, on_committed(cfg, st.ghost, op, st.ap, ap, st.day))


def tick(cfg: Config, st: ObjectState, days: Any) -> ObjectState:
    """§3 time: model/backups.py `advance`, snapshotting the AP's view."""
    day, snaps = advance(cfg, st.day, st.snaps, days, st.ap)
    return attrs.evolve(st, day=day, snaps=snaps)


@attrs.frozen
class OAct:
    """One object step: an operation on an object (an update: on one
    attribute; a bulk delete: as the kind KINDS[attr]), committed at once,
    or a tick."""

    name: str
    obj: int = 0
    attr: int = 0

    def text(self) -> str:
        if self.name == "tick":
            return "tick"
        if self.name == "bulk_delete":
            return f"bulk_delete({self.obj} as a {KINDS[self.attr]})"
        if self.name in LINKING:
            return f"{self.name}({self.obj}, group {self.attr})"
        return f"{self.name}({self.obj}{f', {self.attr}' if self.name == 'update' else ''})"


@attrs.frozen
class OInputs:
    """An update's value, a recovery's snapshot day and attributes, a tick's days."""

    value: Any = 0
    rday: Any = 0
    rattrs: tuple = ()
    days: Any = 1


def step_text(act: OAct, inp: OInputs) -> str:
    """One object step with its inputs, in words."""
    if act.name == "tick":
        return f"tick({inp.days} days)"
    if act.name == "update":
        return f"update(object {act.obj}, attribute {act.attr} = {inp.value})"
    if act.name == "bulk_delete":
        return f"bulk_delete(object {act.obj} as a {KINDS[act.attr]})"
    if act.name in LINKING:
        return f"{act.name}(object {act.obj}, group {act.attr})"
    if act.name == "recover":
        return f"recover(object {act.obj} from the snapshot of day {inp.rday}, attributes {tuple(inp.rattrs)})"
    return f"{act.name}(object {act.obj})"


def object_actions(cfg: Config) -> list[OAct]:
    out = []
    for o in range(cfg.objects):
        out += [OAct(n, o) for n in ("create", "soft_delete", "restore", "permanent_delete", "purge", "recover")]
        out += [OAct("update", o, i) for i in range(cfg.attributes)]
        out += [OAct("expire", o)] + [OAct("bulk_delete", o, k) for k in range(len(KINDS))]  # issue 14
    out += [OAct(n, u, g) for u, g in member_pairs(cfg) for n in LINKING]
    return out + [OAct("tick")]


def op_of(act: OAct, inp: OInputs) -> Any:
    if act.name == "update":
        return Update(act.obj, act.attr, inp.value)
    if act.name == "recover":
        return RecoverFromBackup(act.obj, inp.rday, tuple(inp.rattrs))
    if act.name == "bulk_delete":
        return BulkDelete(act.obj, KINDS[act.attr])
    if act.name in LINKING:
        return OPS[act.name](act.obj, act.attr)
    return OPS[act.name](act.obj)


def run(cfg: Config, st: ObjectState, act: OAct, inp: OInputs) -> ObjectState:
    """One object step (concrete or symbolic)."""
    return tick(cfg, st, inp.days) if act.name == "tick" else commit(cfg, st, op_of(act, inp))


def model_actions(cfg: Config, act: OAct, inp: OInputs) -> list:
    """The model actions of one object step: the write at the AP, its copy
    to the PP and its acknowledgement (the system writes a purge); or a tick."""
    if act.name == "tick":
        return [Tick(inp.days)]
    ap = roles(cfg)[0]
    who = SYSTEM if act.name in SYSTEM_STEPS else 0
    return [ClientWrite(ap, who, op_of(act, inp)), ReplicateToPassive(ap), Acknowledge(ap)]


# --------------------------------------------------------------------------- keys

Leaf = Callable[[str, str], Any]  # (key, kind "int"/"bool") -> value


def with_born(cfg: Config) -> bool:
    """A record's creation day is read (by an expiry) only if some kind has
    an expiry policy: only then is it a key of the AP's and PP's views
    (a snapshot's is never read: recovery keeps the current record's)."""
    return any(expiry_days(cfg, k) > 0 for k in EXPIRY_FIELDS)


def _linked(cfg: Config, o: int) -> list[int]:
    """The groups a record of object `o` holds a membership flag for."""
    return [g for u, g in member_pairs(cfg) if u == o]


def _rec_keys(prefix: str, rec: Any, cfg: Config, out: dict, born: bool = False, o: int = -1) -> None:
    out[f"{prefix}.status"] = code(status(rec))
    out[f"{prefix}.dd"] = deleted_on(rec)
    if born:
        out[f"{prefix}.born"] = 0 if rec is None else rec.born
    for g in _linked(cfg, o):  # the views' memberships (a snapshot's are never read: recovery keeps the current)
        out[f"{prefix}.links[{g}]"] = links_of(rec, cfg)[g]
    for i, x in enumerate(attrs_of(rec, cfg)):
        out[f"{prefix}.attrs[{i}]"] = x


def null_snapshot(cfg: Config) -> Snapshot:
    return Snapshot(-1, (None,) * cfg.objects)


def flatten(cfg: Config, st: ObjectState) -> dict[str, Any]:
    """key -> value (or term) of a concrete or symbolic object state."""
    out: dict[str, Any] = {}
    for v in ("ap", "pp"):
        for o, rec in enumerate(getattr(st, v)):
            _rec_keys(f"{v}[{o}]", rec, cfg, out, with_born(cfg), o)
    out["day"] = st.day
    if isinstance(st.snaps, SymSeq):
        n, slots = st.snaps.length, list(st.snaps.slots)
    else:
        n, slots = len(st.snaps), list(st.snaps) + [null_snapshot(cfg)] * (cfg.snapshots_kept - len(st.snaps))
    out["snaps.length"] = n
    for k, s in enumerate(slots):
        out[f"snaps[{k}].day"] = s.day
        for o, rec in enumerate(s.view):
            _rec_keys(f"snaps[{k}].view[{o}]", rec, cfg, out)
    g = st.ghost
    for f in attrs.fields(ObjectGhost):
        x = getattr(g, f.name)
        if not isinstance(x, tuple):
            out[f"ghost.{f.name}"] = x
            continue
        for o, y in enumerate(x):
            if isinstance(y, tuple):
                for i, z in enumerate(y):
                    out[f"ghost.{f.name}[{o}][{i}]"] = z
            else:
                out[f"ghost.{f.name}[{o}]"] = y
    return out


BOOLS = ("ghost.bs[", "ghost.pg[", "ghost.tomb[", "ghost.early", "ghost.restore", "ghost.unretained",
         "ghost.befl[", "ghost.unlinked")


@functools.lru_cache(maxsize=16)
def layout(cfg: Config) -> list[tuple[str, str]]:
    """Every key with its kind, in order."""
    keys = flatten(cfg, initial(cfg))
    return [(k, "bool" if k.startswith(BOOLS) or ".links[" in k else "int") for k in keys]


def initial(cfg: Config) -> ObjectState:
    from dirproof.model.objects import empty_view
    view = empty_view(cfg)
    return ObjectState(view, view, 0, (), fresh_ghost(cfg))


def rebuild(cfg: Config, leaf: Leaf) -> ObjectState:
    """The symbolic object state whose leaves are leaf(key, kind)."""
    def rec(prefix: str, o: int, live: bool) -> ObjectRecord:
        """A record of the AP's or PP's view (`live`: with its creation day
        and memberships as keys) or of a snapshot (without: never read)."""
        status: Any = SymStatus(leaf(f"{prefix}.status", "int"))  # a status term in a record's str field
        born = live and with_born(cfg)
        linked = _linked(cfg, o) if live else []
        links = tuple(leaf(f"{prefix}.links[{g}]", "bool") if g in linked else False for g in range(cfg.objects))
        return ObjectRecord(KINDS[o % len(KINDS)], tuple(leaf(f"{prefix}.attrs[{i}]", "int")
                                                         for i in range(cfg.attributes)),
                            status, leaf(f"{prefix}.dd", "int"), leaf(f"{prefix}.born", "int") if born else 0,
                            links)

    def view(prefix: str, live: bool = False) -> tuple:
        return tuple(rec(f"{prefix}[{o}]", o, live) for o in range(cfg.objects))
    slots = tuple(Snapshot(leaf(f"snaps[{k}].day", "int"), view(f"snaps[{k}].view"))
                  for k in range(cfg.snapshots_kept))
    absent: Any = SymStatus(0)
    null = Snapshot(-1, tuple(ObjectRecord(KINDS[o % len(KINDS)], (0,) * cfg.attributes, absent, -1,
                                           links=(False,) * cfg.objects) for o in range(cfg.objects)))
    n, a = cfg.objects, cfg.attributes
    none = tuple(None for _ in range(n))
    ghost = ObjectGhost(
        tuple(leaf(f"ghost.sdd[{o}]", "int") for o in range(n)), tuple(leaf(f"ghost.bs[{o}]", "bool") for o in range(n)),
        tuple(tuple(leaf(f"ghost.bef[{o}][{i}]", "int") for i in range(a)) for o in range(n)),
        tuple(leaf(f"ghost.dl[{o}]", "int") for o in range(n)), tuple(leaf(f"ghost.pg[{o}]", "bool") for o in range(n)),
        tuple(leaf(f"ghost.tomb[{o}]", "bool") for o in range(n)), leaf("ghost.early", "bool"),
        leaf("ghost.restore", "bool"), leaf("ghost.unretained", "bool"),
        tuple(tuple(leaf(f"ghost.befl[{o}][{i}]", "bool") for i in range(len(linkset(none, o, cfg))))
              for o in range(n)), leaf("ghost.unlinked", "bool"))
    return ObjectState(view("ap", True), view("pp", True), leaf("day", "int"), SymSeq(leaf("snaps.length", "int"), slots, null),
                       ghost)


# --------------------------------------------------------------------------- from the model

class OutOfFragment(ValueError):
    """A model state outside the one-history fragment."""


def in_fragment(state: State) -> Optional[str]:
    """Why `state` is outside the fragment (None when inside): the initial
    AP acts in epoch 1, the PP holds its whole log, everything is
    committed, no other replica holds anything, no reads."""
    from dirproof.model import Acked
    ap, pp = roles(state.config)
    reps = state.replicas
    if state.orchestrator.roles != ((ap, pp),) or not reps[ap].up or reps[ap].epoch != 1:
        return "a failover or a crash of the AP"
    if reps[pp].log != reps[ap].log or reps[ap].commit != len(reps[ap].log):
        return "a write not yet committed at the AP and copied to the PP"
    if any(r.log for i, r in enumerate(reps) if i not in (ap, pp)):
        return "a secondary holds entries"
    if any(not isinstance(ev, Acked) for ev in state.history):
        return "reads in the history"
    return None


def abstract(state: State) -> ObjectState:
    """The object state of a model state of the fragment."""
    why = in_fragment(state)
    if why:
        raise OutOfFragment(why)
    cfg = state.config
    ap, pp = roles(cfg)
    return ObjectState(view_of(cfg, state.replicas[ap].log, ap), view_of(cfg, state.replicas[pp].log, pp),
                       state.day, state.snapshots, ghost_of(state, ap))


def fragment_reason(cfg: Config, entries: Any, replica: int) -> Optional[str]:
    """Why `entries` (a replica's log, or a prefix a read returned) is not
    the log of a path of the fragment, or None: the composition argument
    (docs/z3.md) needs every entry to pass the object layer's guard
    (`check`) against the fold of the entries before it, on its own day,
    days never decreasing, and the fold at `replica` to be the fold at the
    entries' origins. Which snapshots existed is not checked (the proof
    holds whatever they hold): a recovery is given a snapshot with its
    attributes."""
    from dirproof.model.algebra import Refused
    from dirproof.model.objects import empty_view
    view = at_origin = empty_view(cfg)
    day = 0
    for e in entries:
        if e.day < day:
            return f"LSN {e.lsn} is of day {e.day}, after an entry of day {day}"
        day, snaps = e.day, tuple[Snapshot, ...]()
        if isinstance(e.op, RecoverFromBackup):
            held = ObjectRecord(KINDS[e.op.obj % len(KINDS)], e.op.attrs)
            snaps = (Snapshot(e.op.snapshot_day, tuple(held if o == e.op.obj else None for o in range(cfg.objects))),)
        try:
            e.op.check(view, OpContext(cfg, e.day, snaps))
        except Refused as refused:
            return f"LSN {e.lsn} ({type(e.op).__name__} of object {e.op.obj}) would be refused: {refused.reason}"
        view, at_origin = apply_entry(view, cfg, e, replica), apply_entry(at_origin, cfg, e, e.origin)
    return None if view == at_origin else f"{cfg.name_of(replica)} folds the log differently from its writers"
