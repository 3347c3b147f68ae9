"""The Z3 form of the object layer (design.md §3) over one history.

The replication proofs (model/symbolic.py, docs/z3.md) show that in the safe
design every replica's committed log is a prefix of one history. This module
encodes what the directory does with that history: one directory as the AP
sees it, each client operation of model/objects.py committed at once, and
time. It is the *fragment* of the Python model where the initial AP takes
each write and the write is replicated to the PP and acknowledged before
anything else happens (`commit_actions`), plus ticks; `abstract` maps a
Python state of that fragment to the symbolic state
(model/symbolic_objects_abstraction.py), and the agreement test
(tests/test_z3_objects.py) checks, both ways, that the relation here and the
Python steps say the same thing.

State (a dict from keys to terms, as in model/symbolic.py; all Ints/Bools):

    ("a", "st"|"dd", o), ("a", "at", o, i)   the AP's view of object o: status (ABSENT,
                                             LIVE, SOFT, GONE), deletion day (-1: None),
                                             attribute i
    ("p", ...)                               the same for the PP's view (differs from the
                                             AP's only under delete-without-tombstone)
    ("day",)                                 the model's day
    ("snn",), ("sd", k), ("sh", k, o),       the kept snapshots, oldest first: their number,
    ("sa", k, o, i)                          day (-1 unused), whether object o is there (not
                                             absent, not gone) and its attributes (0 if not)
    ghost state, what the properties read of the history and the log:
    ("sdd", o)                               day of o's last acknowledged soft delete (-1: none)
    ("bs", o), ("bef", o, i)                 o's attributes just before that soft delete
    ("del", o)                               properties/objects.py `_still_restorable`'s
                                             `deleted[o]` (-1: not in it)
    ("pg", o)                                o's last tombstone in the log is a purge
    ("tomb", o)                              a tombstone of o was acknowledged
    ("h", "early"), ("h", "restore")         latched monitors: a purge before retention; a
                                             restore that changed the attributes

Steps (`ObjectEncoding.<op>`) mirror `refuse` and `apply` of model/objects.py
and read the same flaw knobs at the same place: purge-early (Purge.refuse),
restore-defaults (Restore.apply), recovery-resurrects (RecoverFromBackup.refuse),
delete-without-tombstone (PermanentDelete.apply, on the PP's view). `tick`
mirrors model/backups.py (snapshots of the AP's committed view). Inputs:
an update's value, a recovery's snapshot day and attributes, a tick's days.
Integers are unbounded (days grow without limit); the configuration bounds
objects, attributes, values and snapshots kept.
"""

from __future__ import annotations

from typing import Optional

import attrs
import z3

from .config import Config
from .objects import GONE, LIVE, SOFT_DELETED
from .symbolic import AND, EQ, ITE, MIN, NOT, OR, is_z3, to_z3

ABSENT, LIVE_, SOFT, GONE_ = 0, 1, 2, 3
STATUS = {None: ABSENT, LIVE: LIVE_, SOFT_DELETED: SOFT, GONE: GONE_}
NONE = -1
VIEWS = ("a", "p")
LATCHES = {"early": "a purge took an object before its retention ended",
           "restore": "a restore brought back other attributes than those from before the delete"}
OP_STEPS = ("create", "update", "soft_delete", "restore", "permanent_delete", "purge", "recover")
STEP_NAMES = OP_STEPS + ("tick",)


# --------------------------------------------------------------------------- layout

def layout(cfg: Config) -> list[tuple[tuple, str]]:
    """Every key of the symbolic object state with its sort, in order."""
    N, A, S = cfg.objects, cfg.attributes, cfg.snapshots_kept
    out: list = []
    for v in VIEWS:
        for o in range(N):
            out += [((v, "st", o), "int"), ((v, "dd", o), "int")]
            out += [((v, "at", o, i), "int") for i in range(A)]
    out += [(("day",), "int"), (("snn",), "int")]
    for k in range(S):
        out.append((("sd", k), "int"))
        for o in range(N):
            out.append((("sh", k, o), "bool"))
            out += [(("sa", k, o, i), "int") for i in range(A)]
    for o in range(N):
        out += [(("sdd", o), "int"), (("bs", o), "bool"), (("del", o), "int"), (("pg", o), "bool"),
                (("tomb", o), "bool")]
        out += [(("bef", o, i), "int") for i in range(A)]
    out += [(("h", h), "bool") for h in LATCHES]
    return out


def variables(cfg: Config, prefix: str) -> dict:
    return {k: (z3.Bool if s == "bool" else z3.Int)(prefix + "_".join(map(str, k)))
            for k, s in layout(cfg)}


def constants(cfg: Config, values: dict) -> dict:
    return {k: to_z3(bool(values[k]) if s == "bool" else int(values[k])) for k, s in layout(cfg)}


def model_values(cfg: Config, m: z3.ModelRef, st: dict) -> dict:
    out = {}
    for k, s in layout(cfg):
        v = m.eval(st[k], model_completion=True)
        out[k] = z3.is_true(v) if s == "bool" else v.as_long()
    return out


# --------------------------------------------------------------------------- actions and inputs

@attrs.frozen
class OAct:
    """One object-layer step: an operation on an object (update: and an
    attribute), committed at once, or a tick."""

    name: str
    args: tuple = ()

    def text(self) -> str:
        return f"{self.name}({', '.join(map(str, self.args))})"


def step_text(act: OAct, inp: "OInputs") -> str:
    """One object step with its inputs, in words."""
    if act.name == "tick":
        return f"tick({inp.days} days)"
    if act.name == "update":
        return f"update(object {act.args[0]}, attribute {act.args[1]} = {inp.value})"
    if act.name == "recover":
        return f"recover(object {act.args[0]} from the snapshot of day {inp.rday}, attributes {tuple(inp.rattrs)})"
    return f"{act.name}(object {act.args[0]})"


def actions(cfg: Config) -> list[OAct]:
    out = []
    for o in range(cfg.objects):
        out += [OAct(n, (o,)) for n in OP_STEPS if n != "update"]
        out += [OAct("update", (o, i)) for i in range(cfg.attributes)]
    return out + [OAct("tick")]


@attrs.frozen
class OInputs:
    """The inputs of one step: an update's value, a recovery's snapshot day
    and attributes, a tick's number of days."""

    value: object
    rday: object
    rattrs: tuple
    days: object

    @staticmethod
    def fresh(cfg: Config, prefix: str) -> "OInputs":
        return OInputs(z3.Int(prefix + "value"), z3.Int(prefix + "rday"),
                       tuple(z3.Int(f"{prefix}rattr{i}") for i in range(cfg.attributes)),
                       z3.Int(prefix + "days"))

    @staticmethod
    def plain(cfg: Config, value=0, rday=0, rattrs=None, days=1) -> "OInputs":
        return OInputs(value, rday, tuple(rattrs) if rattrs is not None else (0,) * cfg.attributes, days)


def _div(x, p: int):
    if p == 1:
        return x
    return x / p if is_z3(x) else x // p


# --------------------------------------------------------------------------- the encoding

class ObjectEncoding:
    """The symbolic object steps of one configuration. Each `<step>(st, o..., inp)`
    returns `(guard, post)`: guard = Python accepts the operation (the refusal
    of model/objects.py is None), post = the successor as terms over `st`."""

    def __init__(self, cfg: Config):
        self.cfg = cfg
        self.N, self.A, self.V = cfg.objects, cfg.attributes, cfg.values
        self.R, self.S, self.P = cfg.retention_days, cfg.snapshots_kept, cfg.snapshot_every_days
        self.keys = [k for k, _ in layout(cfg)]
        self.flaw = cfg.has

    # ------------------------------------------------------------ reading and writing views

    def rec(self, st: dict, v: str, o: int) -> tuple:
        """(status, deleted day, attrs) of object o in view v."""
        return st[(v, "st", o)], st[(v, "dd", o)], tuple(st[(v, "at", o, i)] for i in range(self.A))

    def put(self, post: dict, v: str, o: int, rec: tuple, where=True) -> None:
        old = self.rec(post, v, o)
        post[(v, "st", o)], post[(v, "dd", o)] = ITE(where, rec[0], old[0]), ITE(where, rec[1], old[1])
        for i in range(self.A):
            post[(v, "at", o, i)] = ITE(where, rec[2][i], old[2][i])

    def apply(self, st: dict, post: dict, name: str, o: int, inp: OInputs) -> None:
        """Fold the committed entry into both views (objects.apply_entry and
        each op's `apply`); the PP is never the entry's origin."""
        for v in VIEWS:
            s, dd, at = self.rec(st, v, o)
            exists = NOT(EQ(s, ABSENT))
            if name == "create":
                self.put(post, v, o, (LIVE_, NONE, (0,) * self.A), NOT(exists))
                continue
            new = self._applied(name, (s, dd, at), st[("day",)], inp, v)
            if new is not None:
                self.put(post, v, o, new, exists)

    def _applied(self, name: str, rec: tuple, day, inp: OInputs, v: str) -> Optional[tuple]:
        s, dd, at = rec
        if name == "soft_delete":
            return SOFT, day, at
        if name == "restore":
            return LIVE_, NONE, (0,) * self.A if self.flaw("restore-defaults") else at
        if name == "permanent_delete":
            if self.flaw("delete-without-tombstone") and v == "p":
                return None
            return GONE_, dd, at
        if name == "purge":
            return GONE_, dd, at
        if name == "recover":
            return LIVE_, NONE, tuple(inp.rattrs)
        raise ValueError(name)

    # ------------------------------------------------------------ the operations

    def _op(self, st: dict, name: str, o: int, guard, inp: OInputs) -> tuple:
        post = dict(st)
        self.apply(st, post, name, o, inp)
        self.commit(st, post, name, o)
        return guard, post

    def status(self, st: dict, o: int):
        return st[("a", "st", o)]

    def age(self, st: dict, o: int):
        return st[("day",)] - st[("a", "dd", o)]

    def create(self, st: dict, o: int, inp: OInputs) -> tuple:
        return self._op(st, "create", o, EQ(self.status(st, o), ABSENT), inp)

    def update(self, st: dict, o: int, i: int, inp: OInputs) -> tuple:
        val = inp.value
        guard = AND(val >= 0, val < self.V, EQ(self.status(st, o), LIVE_))
        post = dict(st)
        for v in VIEWS:
            post[(v, "at", o, i)] = ITE(NOT(EQ(st[(v, "st", o)], ABSENT)), val, st[(v, "at", o, i)])
        return guard, post

    def soft_delete(self, st: dict, o: int, inp: OInputs) -> tuple:
        return self._op(st, "soft_delete", o, EQ(self.status(st, o), LIVE_), inp)

    def restore(self, st: dict, o: int, inp: OInputs) -> tuple:
        guard = AND(EQ(self.status(st, o), SOFT), self.age(st, o) < self.R)
        return self._op(st, "restore", o, guard, inp)

    def permanent_delete(self, st: dict, o: int, inp: OInputs) -> tuple:
        return self._op(st, "permanent_delete", o, EQ(self.status(st, o), SOFT), inp)

    def purge(self, st: dict, o: int, inp: OInputs) -> tuple:
        due = self.R - (1 if self.flaw("purge-early") else 0)
        guard = AND(EQ(self.status(st, o), SOFT), self.age(st, o) >= due)
        return self._op(st, "purge", o, guard, inp)

    def recover(self, st: dict, o: int, inp: OInputs) -> tuple:
        """RecoverFromBackup.refuse: a kept snapshot of that day holds the object
        with those attributes; the object exists, is not gone (unless
        recovery-resurrects), and is not soft-deleted past retention."""
        snap = OR(*(AND(st[("snn",)] > k, EQ(st[("sd", k)], inp.rday), st[("sh", k, o)],
                        *(EQ(st[("sa", k, o, i)], inp.rattrs[i]) for i in range(self.A)))
                    for k in range(self.S)))
        s = self.status(st, o)
        gone_ok = True if self.flaw("recovery-resurrects") else NOT(EQ(s, GONE_))
        guard = AND(snap, NOT(EQ(s, ABSENT)), gone_ok,
                    NOT(AND(EQ(s, SOFT), self.age(st, o) >= self.R)))
        return self._op(st, "recover", o, guard, inp)

    # ------------------------------------------------------------ the ghost state

    def commit(self, st: dict, post: dict, name: str, o: int) -> None:
        """The entry is acknowledged: the history monitors of properties/objects.py."""
        day = st[("day",)]
        if name == "soft_delete":
            exists = NOT(EQ(self.status(st, o), ABSENT))
            post[("sdd", o)], post[("del", o)] = day, day
            post[("bs", o)] = OR(st[("bs", o)], exists)
            for i in range(self.A):
                post[("bef", o, i)] = ITE(exists, st[("a", "at", o, i)], st[("bef", o, i)])
        if name in ("restore", "permanent_delete", "recover"):
            post[("del", o)] = NONE
        if name == "restore":
            s, _, at = self.rec(post, "a", o)
            changed = OR(*(NOT(EQ(at[i], st[("bef", o, i)])) for i in range(self.A)))
            post[("h", "restore")] = OR(st[("h", "restore")],
                                        AND(st[("bs", o)], NOT(EQ(s, ABSENT)), changed))
        if name in ("permanent_delete", "purge"):
            post[("tomb", o)] = True
            post[("pg", o)] = name == "purge"
        if name == "purge":
            sdd = st[("sdd", o)]
            post[("h", "early")] = OR(st[("h", "early")], AND(sdd >= 0, day - sdd < self.R))

    # ------------------------------------------------------------ time and snapshots

    def tick(self, st: dict, inp: OInputs) -> tuple:
        """backups.tick: the day moves on by `days` >= 1; the AP's committed
        view is snapshotted on each due day (a multiple of snapshot_every_days
        in (day, day + days]), and the last snapshots_kept are kept."""
        P, S = self.P, self.S
        start = st[("day",)]
        end = start + inp.days
        m = MIN(S, _div(end, P) - _div(start, P))
        last = _div(end, P) * P
        c = st[("snn",)]
        total = c + m
        c2 = MIN(total, S)
        drop = total - c2
        post = dict(st)
        post[("day",)], post[("snn",)] = end, c2
        for p in range(S):
            idx = p + drop
            old = idx < c
            here = p < c2
            post[("sd", p)] = ITE(here, ITE(old, self._pick(st, idx, ("sd",)),
                                            last - (total - 1 - idx) * P), NONE)
            for o in range(self.N):
                s = self.status(st, o)
                has = OR(EQ(s, LIVE_), EQ(s, SOFT))
                post[("sh", p, o)] = AND(here, ITE(old, self._pick(st, idx, ("sh", o)), has))
                for i in range(self.A):
                    fresh = ITE(has, st[("a", "at", o, i)], 0)
                    post[("sa", p, o, i)] = ITE(here, ITE(old, self._pick(st, idx, ("sa", o, i)), fresh), 0)
        return inp.days >= 1, post

    def _pick(self, st: dict, idx, rest: tuple):
        """st[(head, idx, *tail)] for a symbolic slot index idx in 0..S-1."""
        head, *tail = rest
        out = st[(head, self.S - 1, *tail)]
        for q in range(self.S - 2, -1, -1):
            out = ITE(EQ(idx, q), st[(head, q, *tail)], out)
        return out

    # ------------------------------------------------------------ dispatch and relation

    def step(self, st: dict, act: OAct, inp: OInputs) -> tuple:
        if act.name == "tick":
            return self.tick(st, inp)
        return getattr(self, act.name)(st, *act.args, inp)

    def relation(self, pre: dict, post: dict, sel, inp: OInputs, acts: list,
                 only: Optional[list] = None):
        """T(pre, post): `sel` (an Int) is the index of the action taken in
        `acts`; its guard holds and every post key equals its successor term."""
        cases = [self.step(pre, a, inp) for a in acts]
        idx = list(range(len(acts))) if only is None else list(only)
        guard = OR(*(AND(EQ(sel, j), cases[j][0]) for j in idx))
        frame = []
        for k in self.keys:
            v = pre[k]
            for j in idx:
                t = cases[j][1][k]
                if t is not pre[k]:
                    v = ITE(EQ(sel, j), t, v)
            frame.append(EQ(post[k], v))
        return to_z3(AND(guard, *frame))
