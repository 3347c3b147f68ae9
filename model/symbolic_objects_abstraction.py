"""The one-history fragment of the Python model, and its abstraction to the
object layer's Z3 state (model/symbolic_objects.py; docs/z3.md).

The fragment: the initial AP takes every write, copies it to its PP and
acknowledges it at once (`commit_actions`), and ticks in between.
`abstract(state)` gives the symbolic values of a state of the fragment
(`OutOfFragment` for any other); `act_of` the object step of a model
action; `python_step` runs one object step on the Python model;
`disagreement` compares it with the symbolic step (tests/test_z3_objects.py).
"""

from __future__ import annotations

from typing import Optional

from .config import Config
from .objects import GONE, Create, PermanentDelete, Purge, RecoverFromBackup, Restore, SoftDelete, \
    Update, view_of
from .state import SYSTEM, Acked, State, initial_roles
from .symbolic_objects import NONE, STATUS, OAct, OInputs, ObjectEncoding


class OutOfFragment(ValueError):
    """A Python state outside the one-history fragment this encoding covers."""


def ap_pp(cfg: Config) -> tuple[int, int]:
    return initial_roles(cfg)


def commit_actions(cfg: Config, act: OAct, inp: OInputs, session: int = 0) -> list:
    """The model actions of one object step: the write at the initial AP, its
    copy to the PP and its acknowledgement; or one tick."""
    from .actions import Acknowledge, ClientWrite, ReplicateToPassive, Tick
    if act.name == "tick":
        return [Tick(inp.days)]
    ap, _ = ap_pp(cfg)
    op = op_of(act, inp)
    who = SYSTEM if act.name == "purge" else session
    return [ClientWrite(ap, who, op), ReplicateToPassive(ap), Acknowledge(ap)]


def op_of(act: OAct, inp: OInputs):
    o = act.args[0]
    if act.name == "update":
        return Update(o, act.args[1], inp.value)
    if act.name == "recover":
        return RecoverFromBackup(o, inp.rday, tuple(inp.rattrs))
    return {"create": Create, "soft_delete": SoftDelete, "restore": Restore,
            "permanent_delete": PermanentDelete, "purge": Purge}[act.name](o)


def act_of(cfg: Config, action) -> Optional[tuple]:
    """(OAct, OInputs) of a ClientWrite or Tick of the fragment, or None when
    it has no symbolic counterpart (an object or attribute out of range, a
    writer of the wrong kind, a replica other than the initial AP)."""
    from .actions import ClientWrite, Tick
    if isinstance(action, Tick):
        return OAct("tick"), OInputs.plain(cfg, days=action.days)
    if not isinstance(action, ClientWrite) or action.at != ap_pp(cfg)[0]:
        return None
    op = action.op
    if not 0 <= op.obj < cfg.objects or (action.session == SYSTEM) != isinstance(op, Purge):
        return None
    if action.session != SYSTEM and not 0 <= action.session < cfg.sessions:
        return None
    if isinstance(op, Update):
        if not 0 <= op.attr < cfg.attributes:
            return None
        return OAct("update", (op.obj, op.attr)), OInputs.plain(cfg, value=op.value)
    if isinstance(op, RecoverFromBackup):
        if len(op.attrs) != cfg.attributes:
            return None
        return OAct("recover", (op.obj,)), OInputs.plain(cfg, rday=op.snapshot_day, rattrs=op.attrs)
    name = {Create: "create", SoftDelete: "soft_delete", Restore: "restore",
            PermanentDelete: "permanent_delete", Purge: "purge"}[type(op)]
    return OAct(name, (op.obj,)), OInputs.plain(cfg)


def _view_values(cfg: Config, view, v: str, out: dict) -> None:
    for o, rec in enumerate(view):
        out[(v, "st", o)] = STATUS[rec.status if rec else None]
        out[(v, "dd", o)] = NONE if rec is None or rec.deleted_day is None else rec.deleted_day
        for i in range(cfg.attributes):
            out[(v, "at", o, i)] = rec.attrs[i] if rec else 0


def in_fragment(state: State) -> Optional[str]:
    """Why `state` is outside the fragment (None when inside): the initial AP
    acts in epoch 1, the PP holds its whole log, everything is committed,
    no other replica holds anything, and the history has acknowledgements only."""
    cfg = state.config
    ap, pp = ap_pp(cfg)
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


def abstract(state: State) -> dict:
    """The symbolic object state of a Python state of the fragment."""
    why = in_fragment(state)
    if why:
        raise OutOfFragment(why)
    cfg = state.config
    ap, pp = ap_pp(cfg)
    out: dict = {("day",): state.day, ("snn",): len(state.snapshots)}
    _view_values(cfg, view_of(cfg, state.replicas[ap].log, ap), "a", out)
    _view_values(cfg, view_of(cfg, state.replicas[pp].log, pp), "p", out)
    _snapshot_values(cfg, state.snapshots, out)
    _ghost_values(cfg, state, out)
    return out


def _snapshot_values(cfg: Config, snaps, out: dict) -> None:
    for k in range(cfg.snapshots_kept):
        snap = snaps[k] if k < len(snaps) else None
        out[("sd", k)] = snap.day if snap else NONE
        for o in range(cfg.objects):
            rec = snap.view[o] if snap else None
            has = rec is not None and rec.status != GONE
            out[("sh", k, o)] = has
            for i in range(cfg.attributes):
                out[("sa", k, o, i)] = rec.attrs[i] if has else 0


def _ghost_values(cfg: Config, state: State, out: dict) -> None:
    """Run the monitors over the history (acknowledgements, in order)."""
    from .objects import apply_entry, empty_view
    ap = ap_pp(cfg)[0]
    for o in range(cfg.objects):
        out[("sdd", o)], out[("bs", o)], out[("del", o)] = NONE, False, NONE
        out[("pg", o)], out[("tomb", o)] = False, False
        for i in range(cfg.attributes):
            out[("bef", o, i)] = 0
    out[("h", "early")] = out[("h", "restore")] = False
    view = empty_view(cfg)
    for ev in state.history:
        e = ev.entry
        o, op = e.op.obj, e.op
        if isinstance(op, SoftDelete):
            out[("sdd", o)] = out[("del", o)] = e.day
            if view[o] is not None:
                out[("bs", o)] = True
                for i, x in enumerate(view[o].attrs):
                    out[("bef", o, i)] = x
        elif isinstance(op, (Restore, PermanentDelete, RecoverFromBackup)):
            out[("del", o)] = NONE
        view = apply_entry(view, cfg, e, ap)
        if isinstance(op, Restore) and out[("bs", o)] and view[o] is not None:
            if view[o].attrs != tuple(out[("bef", o, i)] for i in range(cfg.attributes)):
                out[("h", "restore")] = True
        if isinstance(op, (PermanentDelete, Purge)):
            out[("tomb", o)], out[("pg", o)] = True, isinstance(op, Purge)
        if isinstance(op, Purge) and out[("sdd", o)] >= 0 and e.day - out[("sdd", o)] < cfg.retention_days:
            out[("h", "early")] = True


# --------------------------------------------------------------------------- agreement, one step

def python_step(state: State, act: OAct, inp: OInputs):
    """The Python successor of one object step (a Rejected when the object
    layer or the tick refuses it); the copy to the PP and the acknowledgement
    of an accepted write must go through (else an AssertionError)."""
    from .actions import Rejected
    from .step import step
    first, *rest = commit_actions(state.config, act, inp)
    nxt = step(state, first)
    if isinstance(nxt, Rejected):
        return nxt
    for a in rest:
        nxt = step(nxt, a)
        assert not isinstance(nxt, Rejected), f"{a} rejected in the fragment: {nxt.reason}"
    return nxt


def disagreement(enc: ObjectEncoding, state: State, act: OAct, inp: OInputs) -> Optional[str]:
    """Evaluate the symbolic step on the abstraction of `state` (the relation
    is functional: guard & post == f(pre)) and compare with Python: the same
    verdict, and when accepted, the abstraction of Python's successor."""
    from .actions import Rejected
    guard, post = enc.step(abstract(state), act, inp)
    nxt = python_step(state, act, inp)
    if isinstance(nxt, Rejected):
        return None if guard is False else f"{act.text()}: Python refuses ({nxt.reason}), Z3 admits it"
    if guard is not True:
        return f"{act.text()}: Python accepts, Z3 admits nothing"
    want = abstract(nxt)
    diff = [k for k in enc.keys
            if post[k] != want[k] or isinstance(post[k], bool) != isinstance(want[k], bool)]
    return f"{act.text()}: successors differ at {diff[:6]}" if diff else None


def abstract_before(state: State, obj: int) -> tuple:
    """The attributes `obj` had just before its last acknowledged soft delete
    (the ghost `bef`), for vacuity checks."""
    cfg = state.config
    v = abstract(state)
    return tuple(v[("bef", obj, i)] for i in range(cfg.attributes))


# --------------------------------------------------------------------------- the glue, checked on the whole model

def fragment_reason(cfg: Config, entries, replica: int) -> Optional[str]:
    """Why `entries` (a replica's log, or a prefix a read returned) is not
    the log of a path of the fragment, or None: the compositional argument
    (docs/z3.md) needs every entry to pass the object layer's guards against
    the fold of the entries before it, on its own day, days never
    decreasing, and the fold at `replica` to be the fold at the entries'
    origins. Which snapshots existed is not checked (the proof holds
    whatever they hold): a recovery is given a snapshot with its attributes."""
    from .objects import ObjectRecord, OpContext, apply_entry, empty_view
    from .state import Snapshot
    from .config import KINDS
    view = origin_view = empty_view(cfg)
    day = 0
    for e in entries:
        if e.day < day:
            return f"LSN {e.lsn} is of day {e.day}, after an entry of day {day}"
        day, snaps = e.day, ()
        if isinstance(e.op, RecoverFromBackup):
            held = ObjectRecord(KINDS[e.op.obj % len(KINDS)], e.op.attrs)
            snaps = (Snapshot(e.op.snapshot_day, tuple(held if o == e.op.obj else None
                                                       for o in range(cfg.objects))),)
        why = e.op.refuse(view, OpContext(cfg, e.day, snaps))
        if why:
            return f"LSN {e.lsn} ({type(e.op).__name__} of object {e.op.obj}) would be refused: {why}"
        view = apply_entry(view, cfg, e, replica)
        origin_view = apply_entry(origin_view, cfg, e, e.origin)
    return None if view == origin_view else f"{cfg.name_of(replica)} folds the log differently from its writers"
