"""The Z3 form of the model: the same state and steps, for a fixed scope.

This module is a second encoding of `dirproof.model` (design.md §2), written
step by step against the Python step functions, so that Z3 can search every
execution (bounded model checking) and prove invariants by induction. The
agreement test (tests/test_z3_agreement.py) checks, both ways, that every
Python step and the relation here say the same thing.

State. A symbolic state is a dict from *keys* (tuples such as `("up", r)`,
`("log", r, i, "ep")`) to Z3 terms; `layout` lists the keys and sorts of a
(configuration, scope), and `abstraction.abstract` maps a Python `State` to
concrete values for the same keys. The keys are:

    ("up", r) ("ep", r) ("ln", r) ("cm", r)      replica r: up, epoch, log length, commit
    ("log", r, i, f)                             the entry at LSN i+1 of r's log, field f
    ("oe",)                                      the orchestrator's epoch
    ("rap", e) ("rpp", e)                        AP and PP of epoch e (1 <= e <= E)
    ("insync",)                                  Orchestrator.pp_in_sync
    ("cut", a, b)                                the link a-b (a < b) is cut
    ("srep", s) ("stE", s) ("stL", s) ("slg", s) session s: affinity, token, logical number
    ("gA",) ("gP",) ("pend",) ("exc",)           FaultBudget(guard=(gA, gP), pending, exceeded)
    ghost state, the part of the unbounded history the properties read:
    ("ackn", i)                                  how many distinct entries were acknowledged at LSN i+1
    ("ack", i, k, f)                             the k-th of them (in order of first acknowledgement)
    ("acker", e)                                 the replica that first acknowledged in epoch e (-1: none)
    ("last", s)                                  the highest LSN a read of s's current logical session saw
    ("h", name)                                  history monitors, latched: see LATCHES

Entries. An entry `(epoch, lsn, op, origin, session, logical, day)` is four
integers: `ep` (its epoch), `pay` (its payload: one integer per distinct
`(op, day, origin)`, assigned by the abstraction), `ses` (its session, -1
for the system) and `lgc` (its logical session number). The LSN is its
position. Two entries are equal in Z3 exactly when they are equal in Python.
Positions past a log's length hold the null entry (0, 0, 0, 0); the null
entry never occurs inside a log (a real entry's epoch is at least 1).

Directory objects. Which operations an AP accepts depends on the object
layer (§3). Here it is an *oracle*: `client_write` takes two inputs, the
payload `pay` and a Boolean `ok` ("the object layer accepts this op at
this replica's view"). The agreement test feeds Python's own verdict; the
proofs and the bounded search leave `ok` free, so they cover every
behaviour of the object layer. The clock only matters to that layer: `tick`
is the identity on the Z3 state (the day is folded into the payload).

Scope. `Scope(log=L, epochs=E, slots=K)`: logs hold at most L entries,
epochs go up to E, and at most K distinct entries are acknowledged at one
LSN (more than one already breaks one-history). A step whose successor
would leave the scope is not in the relation (it is cut, not wrapped).
"""

from __future__ import annotations

from typing import Callable, Iterable, Optional

import attrs
import z3
from z3.z3 import _to_ast_array

from .config import Config
from .state import SYSTEM

FIELDS = ("ep", "pay", "ses", "lgc")
NULL = (0, 0, 0, 0)
LATCHES = {
    "regions": "an entry was acknowledged while held in fewer than two regions",
    "two_ackers": "two different replicas acknowledged in one epoch",
    "ryw": "a read missed an acknowledged write of its own logical session",
    "mono": "a read saw a shorter prefix than an earlier read of its logical session",
    "lost": "a read returned an entry that had not been acknowledged",
}
NO_ACKER = -1

TRUE, FALSE = True, False  # see the term helpers: plain values in both modes


@attrs.frozen
class Scope:
    """The bounds of the Z3 encoding (besides the Config's replicas and sessions)."""

    log: int = 4  # L: the longest log
    epochs: int = 4  # E: the highest epoch
    slots: int = 2  # K: distinct acknowledged entries remembered per LSN

    def text(self) -> str:
        return f"logs of at most {self.log} entries, epochs up to {self.epochs}"


# --------------------------------------------------------------------------- term helpers
#
# The step functions below are written once and run in two modes: over Z3
# terms (building the relation) and over plain Python ints and bools
# (evaluating a step on a concrete state, which is how the agreement test
# checks thousands of steps quickly). These helpers work in both.

_CTX = z3.main_ctx()
_INTS: dict = {}


def is_z3(x) -> bool:
    return isinstance(x, z3.ExprRef)


def is_true(x) -> bool:
    """x is the Python True (the helpers never build Z3 literals for truth)."""
    return x is True


def is_false(x) -> bool:
    return x is False


def to_z3(x):
    if isinstance(x, bool):
        return z3.BoolVal(x)
    if isinstance(x, int):
        v = _INTS.get(x)
        if v is None:
            v = _INTS[x] = z3.IntVal(x)
        return v
    return x


# Fast constructors: the checked z3 API (z3.If, z3.And...) costs most of the
# time of building the relation; these call the C API directly on terms
# known to be well-sorted expressions of the main context.

def _mk_and(xs):
    arr, n = _to_ast_array([to_z3(x) for x in xs])
    return z3.BoolRef(z3.Z3_mk_and(_CTX.ref(), n, arr), _CTX)


def _mk_or(xs):
    arr, n = _to_ast_array([to_z3(x) for x in xs])
    return z3.BoolRef(z3.Z3_mk_or(_CTX.ref(), n, arr), _CTX)


def _mk_ite(c, a, b):
    c, a, b = to_z3(c), to_z3(a), to_z3(b)
    cls = z3.BoolRef if isinstance(a, z3.BoolRef) else z3.ArithRef
    return cls(z3.Z3_mk_ite(_CTX.ref(), c.as_ast(), a.as_ast(), b.as_ast()), _CTX)


def AND(*xs):
    out = []
    for x in xs:
        if is_false(x):
            return False
        if not is_true(x):
            out.append(x)
    if not out:
        return True
    return out[0] if len(out) == 1 else _mk_and(out)


def OR(*xs):
    out = []
    for x in xs:
        if is_true(x):
            return True
        if not is_false(x):
            out.append(x)
    if not out:
        return False
    return out[0] if len(out) == 1 else _mk_or(out)


def NOT(x):
    if is_true(x):
        return False
    if is_false(x):
        return True
    return z3.BoolRef(z3.Z3_mk_not(_CTX.ref(), x.as_ast()), _CTX)


def IMPLIES(a, b):
    return OR(NOT(a), b)


def ITE(c, a, b):
    if is_true(c):
        return a
    if is_false(c):
        return b
    if is_z3(a) and is_z3(b):
        if a.eq(b):
            return a
    elif not is_z3(a) and not is_z3(b) and a == b and type(a) is type(b):
        return a
    return _mk_ite(c, a, b)


def EQ(a, b):
    za, zb = is_z3(a), is_z3(b)
    if not za and not zb:
        return a == b
    if za and zb and a.eq(b):
        return True
    a, b = to_z3(a), to_z3(b)
    return z3.BoolRef(z3.Z3_mk_eq(_CTX.ref(), a.as_ast(), b.as_ast()), _CTX)


def MIN(a, b):
    return ITE(a <= b, a, b)


def MAX(a, b):
    return ITE(a >= b, a, b)


def entry_eq(x: tuple, y: tuple):
    return AND(*(EQ(a, b) for a, b in zip(x, y)))


def entry_ite(c, x: tuple, y: tuple) -> tuple:
    return tuple(ITE(c, a, b) for a, b in zip(x, y))


# --------------------------------------------------------------------------- layout

def replica_pairs(n: int) -> list[tuple[int, int]]:
    return [(a, b) for a in range(n) for b in range(a + 1, n)]


def layout(cfg: Config, scope: Scope) -> list[tuple[tuple, str]]:
    """Every key of the symbolic state, with its sort ("int" or "bool"), in order."""
    n, L, E, K = len(cfg.datacenters), scope.log, scope.epochs, scope.slots
    out: list[tuple[tuple, str]] = []
    for r in range(n):
        out += [(("up", r), "bool"), (("ep", r), "int"), (("ln", r), "int"), (("cm", r), "int")]
        out += [(("log", r, i, f), "int") for i in range(L) for f in FIELDS]
    out.append((("oe",), "int"))
    for e in range(1, E + 1):
        out += [(("rap", e), "int"), (("rpp", e), "int")]
    out.append((("insync",), "bool"))
    out += [(("cut", a, b), "bool") for a, b in replica_pairs(n)]
    for s in range(cfg.sessions):
        out += [((k, s), "int") for k in ("srep", "stE", "stL", "slg", "last")]
    out += [(("gA",), "int"), (("gP",), "int"), (("pend",), "bool"), (("exc",), "bool")]
    for i in range(L):
        out.append((("ackn", i), "int"))
        out += [(("ack", i, k, f), "int") for k in range(K) for f in FIELDS]
    out += [(("acker", e), "int") for e in range(1, E + 1)]
    out += [(("h", h), "bool") for h in LATCHES]
    return out


def key_name(key: tuple) -> str:
    head, *rest = key
    if head in ("log", "ack"):
        *idx, f = rest
        return f"{head}[{']['.join(map(str, idx))}].{f}"
    if head == "h":
        return f"h_{rest[0]}"
    return head + "".join(f"[{x}]" for x in rest)


def variables(cfg: Config, scope: Scope, prefix: str) -> dict:
    """Fresh Z3 constants for every key, named `<prefix><key>`."""
    out = {}
    for key, sort in layout(cfg, scope):
        name = prefix + key_name(key)
        out[key] = z3.Bool(name) if sort == "bool" else z3.Int(name)
    return out


def constants(cfg: Config, scope: Scope, values: dict) -> dict:
    """Z3 literals for a dict of concrete values (an abstraction)."""
    return {key: (z3.BoolVal(values[key]) if sort == "bool" else z3.IntVal(values[key]))
            for key, sort in layout(cfg, scope)}


def state_eq(cfg: Config, scope: Scope, a: dict, b) -> z3.BoolRef:
    """a == b key by key; b may be a dict of terms or of concrete values."""
    return to_z3(AND(*(EQ(a[k], b[k]) for k, _ in layout(cfg, scope))))


def model_values(cfg: Config, scope: Scope, model: z3.ModelRef, st: dict) -> dict:
    """The concrete values of a symbolic state in a Z3 model."""
    out = {}
    for key, sort in layout(cfg, scope):
        v = model.eval(st[key], model_completion=True)
        out[key] = z3.is_true(v) if sort == "bool" else v.as_long()
    return out


# --------------------------------------------------------------------------- actions

@attrs.frozen
class Act:
    """One concrete action of the Z3 relation: a step name and its arguments.

    `client_write` also takes the inputs `pay` and `ok`, `tick` the input
    `days` (see the module doc); they are variables of the relation.
    """

    name: str
    args: tuple = ()

    def text(self, cfg: Config) -> str:
        def rn(r):
            return cfg.name_of(r)
        a = self.args
        if self.name in ("replicate_to_passive", "acknowledge", "replicate_to_secondary", "rejoin",
                         "crash", "recover", "lose_disk", "replace_passive"):
            return f"{self.name}({rn(a[0])})"
        if self.name == "client_write":
            return f"client_write(at {rn(a[0])}, session {a[1]})"
        if self.name in ("partition", "heal", "emergency_failover"):
            return f"{self.name}({rn(a[0])}, {rn(a[1])})"
        if self.name == "move_session":
            return f"move_session(session {a[0]} to {rn(a[1])})"
        if self.name == "lose_region":
            return f"lose_region({cfg.regions[a[0]]})"
        return f"{self.name}({', '.join(map(str, a))})"


STEP_NAMES = ("client_write", "replicate_to_passive", "acknowledge", "replicate_to_secondary",
              "rejoin", "read", "move_session", "crash", "recover", "lose_disk", "partition",
              "heal", "lose_region", "emergency_failover", "planned_failover", "replace_passive",
              "tick")


def actions(cfg: Config, system_writes: bool = True, tick: bool = True) -> list[Act]:
    """Every concrete action of the relation for `cfg` (Partition/Heal with a < b)."""
    n = len(cfg.datacenters)
    sessions = list(range(cfg.sessions)) + ([SYSTEM] if system_writes else [])
    out = [Act("client_write", (at, s)) for at in range(n) for s in sessions]
    for name in ("replicate_to_passive", "acknowledge", "replicate_to_secondary", "rejoin"):
        out += [Act(name, (r,)) for r in range(n)]
    out += [Act("read", (s,)) for s in range(cfg.sessions)]
    out += [Act("move_session", (s, r)) for s in range(cfg.sessions) for r in range(n)]
    for name in ("crash", "recover", "lose_disk"):
        out += [Act(name, (r,)) for r in range(n)]
    out += [Act("partition", p) for p in replica_pairs(n)]
    out += [Act("heal", p) for p in replica_pairs(n)]
    out += [Act("lose_region", (g,)) for g in range(len(cfg.regions))]
    out += [Act("emergency_failover", (a, p)) for a in range(n) for p in range(n) if a != p]
    out.append(Act("planned_failover"))
    out += [Act("replace_passive", (p,)) for p in range(n)]
    if tick:
        out.append(Act("tick"))
    return out


@attrs.frozen
class Inputs:
    """The non-state inputs of one step: a write's payload and object-layer
    verdict, a tick's number of days."""

    pay: object
    ok: object
    days: object

    @staticmethod
    def fresh(prefix: str) -> "Inputs":
        return Inputs(z3.Int(prefix + "pay"), z3.Bool(prefix + "ok"), z3.Int(prefix + "days"))


# --------------------------------------------------------------------------- the encoding

class Encoding:
    """The symbolic step functions of one configuration within one scope.

    Each `<step>(st, *args, inp)` mirrors the Python step function of the
    same name: it returns `(guard, post)`, where `guard` is the condition
    under which Python does not reject the step (and the successor stays in
    scope) and `post` the successor state as terms over `st`.
    """

    def __init__(self, cfg: Config, scope: Scope = Scope()):
        self.cfg, self.scope = cfg, scope
        self.n = len(cfg.datacenters)
        self.L, self.E, self.K = scope.log, scope.epochs, scope.slots
        self.S = cfg.sessions
        self.R = range(self.n)
        self.keys = [k for k, _ in layout(cfg, scope)]
        self.flaw = cfg.has

    # ------------------------------------------------------------ reading a state

    def entry(self, st: dict, r: int, i: int) -> tuple:
        return tuple(st[("log", r, i, f)] for f in FIELDS)

    def slot(self, st: dict, i: int, k: int) -> tuple:
        return tuple(st[("ack", i, k, f)] for f in FIELDS)

    def log_of(self, st: dict, r: int) -> list[tuple]:
        return [self.entry(st, r, i) for i in range(self.L)]

    def role(self, st: dict, which: str, e) -> z3.ArithRef:
        """roles[e - 1][0 or 1] for a symbolic epoch e in 1..E (-1 outside)."""
        out = -1
        for x in range(self.E, 0, -1):
            out = ITE(EQ(e, x), st[(which, x)], out)
        return out

    def cur_ap(self, st: dict):
        return self.role(st, "rap", st[("oe",)])

    def cur_pp(self, st: dict):
        return self.role(st, "rpp", st[("oe",)])

    def linked(self, st: dict, a: int, b: int):
        if a == b:
            return TRUE
        return NOT(st[("cut", min(a, b), max(a, b))])

    def connected(self, st: dict, a: int, b: int):
        return AND(st[("up", a)], st[("up", b)], self.linked(st, a, b))

    def connected_to(self, st: dict, a: int, b_sym):
        """connected(a, b) for a symbolic replica b."""
        return OR(*(AND(EQ(b_sym, b), self.connected(st, a, b)) for b in self.R))

    def believes_ap(self, st: dict, r: int):
        ep = st[("ep", r)]
        return AND(st[("up", r)], ep >= 1, ep <= st[("oe",)], EQ(self.role(st, "rap", ep), r))

    def acting(self, st: dict, a: int):
        """Replica a is the acting AP (state.acting_ap(state) == a)."""
        return AND(EQ(self.cur_ap(st), a), st[("up", a)], EQ(st[("ep", a)], st[("oe",)]))

    def holds(self, st: dict, r: int, i: int, e: tuple):
        """r's log holds entry e at LSN i + 1."""
        return AND(st[("ln", r)] > i, entry_eq(self.entry(st, r, i), e))

    def lost(self, st: dict, r: int):
        """The replica has lost its disk (lose_disk would be rejected)."""
        return AND(NOT(st[("up", r)]), EQ(st[("ln", r)], 0), EQ(st[("ep", r)], 0))

    def prefix_flags(self, st: dict, a: int, b: int) -> list:
        """c[i]: the first i + 1 entries of a's and b's logs exist and agree."""
        flags, c = [], TRUE
        for i in range(self.L):
            c = AND(c, st[("ln", a)] > i, st[("ln", b)] > i,
                    entry_eq(self.entry(st, a, i), self.entry(st, b, i)))
            flags.append(c)
        return flags

    def held_prefix(self, st: dict, a: int, b: int):
        """replication._held_prefix(a.log, b.log): the length of the common prefix."""
        out = 0
        for c in self.prefix_flags(st, a, b):
            out = out + ITE(c, 1, 0)
        return out

    def logs_equal(self, st: dict, a: int, b: int):
        if a == b:
            return TRUE
        return AND(EQ(st[("ln", a)], st[("ln", b)]),
                   *(IMPLIES(st[("ln", a)] > i, entry_eq(self.entry(st, a, i), self.entry(st, b, i)))
                     for i in range(self.L)))

    # ------------------------------------------------------------ writing a state

    def set_log(self, post: dict, r: int, log: list[tuple]) -> None:
        for i, e in enumerate(log):
            for f, v in zip(FIELDS, e):
                post[("log", r, i, f)] = v

    def wipe(self, post: dict, r: int) -> None:
        post[("up", r)], post[("ep", r)], post[("ln", r)], post[("cm", r)] = False, 0, 0, 0
        self.set_log(post, r, [NULL] * self.L)

    def merge(self, pre: dict, cases: list[tuple]) -> tuple:
        """Combine (condition, guard, post) cases whose conditions exclude each
        other: guard = OR(cond & guard); post = the case's post where its
        condition holds (keys no case changes keep their pre term)."""
        guard = OR(*(AND(c, g) for c, g, _ in cases))
        live = [(c, g, p) for c, g, p in cases if not is_false(AND(c, g))]
        if not live:
            return FALSE, pre
        post = dict(pre)
        changed = {k for _, _, p in live for k in self.keys if p[k] is not pre[k]}
        for k in changed:
            v = live[-1][2][k]
            for c, _, p in reversed(live[:-1]):
                v = ITE(c, p[k], v)
            post[k] = v
        return guard, post

    def cond(self, pre: dict, c, post: dict) -> dict:
        """The post state if c, else pre (key by key)."""
        if is_true(c):
            return post
        if is_false(c):
            return pre
        out = dict(pre)
        for k in self.keys:
            if post[k] is not pre[k]:
                out[k] = ITE(c, post[k], pre[k])
        return out

    def split(self, pre: dict, sym, fn: Callable[[int], tuple], values: Optional[Iterable[int]] = None) -> tuple:
        """Case split on a symbolic replica index: fn(r) -> (guard, post)."""
        return self.merge(pre, [(EQ(sym, r), *fn(r)) for r in (self.R if values is None else values)])

    # ------------------------------------------------------------ shared pieces of steps

    def rejoin_log(self, post: dict, st: dict, r: int, src: int, epoch) -> None:
        """replication.rejoin_log: adopt `epoch`, drop the suffix src lacks."""
        if not self.flaw("keep-divergent-suffix"):
            flags = self.prefix_flags(st, r, src)
            log = [entry_ite(c, self.entry(st, r, i), NULL) for i, c in enumerate(flags)]
            n = 0
            for c in flags:
                n = n + ITE(c, 1, 0)
            self.set_log(post, r, log)
            post[("ln", r)] = n
            post[("cm", r)] = MIN(st[("cm", r)], n)
        else:
            post[("cm", r)] = MIN(st[("cm", r)], st[("ln", r)])
        post[("ep", r)] = epoch

    def catch_up(self, st: dict, r: int, a: int, upto) -> tuple:
        """replication.catch_up(state, r, a, upto)."""
        post = dict(st)
        ln = st[("ln", r)]
        ext = ln < upto
        log = [entry_ite(AND(ext, ln <= i, upto > i), self.entry(st, a, i), self.entry(st, r, i))
               for i in range(self.L)]
        new_ln = ITE(ext, upto, ln)
        commit = new_ln if self.flaw("ship-unacked") else MAX(st[("cm", r)], upto)
        same = AND(NOT(ext), EQ(commit, st[("cm", r)]))
        self.set_log(post, r, log)
        post[("ln", r)] = new_ln
        post[("cm", r)] = commit
        return AND(st[("ep", r)] >= st[("ep", a)], NOT(same)), post

    def synced(self, post: dict) -> dict:
        """replication.synced on a post state (roles read from it)."""
        out = dict(post)
        out[("insync",)] = TRUE
        out[("gA",)] = self.cur_ap(post)
        out[("gP",)] = self.cur_pp(post)
        out[("pend",)] = FALSE
        return out

    def spend(self, post: dict, r: int) -> None:
        """faults._unsync then faults._spend_budget for replica r."""
        post[("insync",)] = AND(post[("insync",)], NOT(EQ(self.cur_pp(post), r)))
        hit = OR(EQ(post[("gA",)], r), EQ(post[("gP",)], r))
        post[("exc",)] = ITE(hit, OR(post[("exc",)], post[("pend",)]), post[("exc",)])
        post[("pend",)] = OR(post[("pend",)], hit)

    def start_epoch(self, st: dict, ap: int, pp: int, rejoins: bool) -> tuple:
        """election.start_epoch: roles (ap, pp) for epoch oe + 1 (within scope)."""
        post = dict(st)
        oe = st[("oe",)]
        e1 = oe + 1
        for e in range(1, self.E + 1):
            post[("rap", e)] = ITE(EQ(e1, e), ap, st[("rap", e)])
            post[("rpp", e)] = ITE(EQ(e1, e), pp, st[("rpp", e)])
        post[("oe",)] = e1
        post[("insync",)] = not rejoins
        post[("ep", ap)] = e1
        if rejoins:
            self.rejoin_log(post, st, pp, ap, e1)
        else:
            post[("ep", pp)] = e1
        if self.flaw("token-reset-on-failover"):
            for s in range(self.S):
                post[("stE", s)], post[("stL", s)] = e1, 0
        return oe < self.E, post

    # ------------------------------------------------------------ the steps

    def client_write(self, st: dict, at: int, session: int, inp: Inputs) -> tuple:
        ln = st[("ln", at)]
        logical = st[("slg", session)] if session != SYSTEM else 0
        new = (st[("ep", at)], inp.pay, session, logical)
        post = dict(st)
        self.set_log(post, at, [entry_ite(EQ(ln, i), new, self.entry(st, at, i)) for i in range(self.L)])
        post[("ln", at)] = ln + 1
        return AND(inp.ok, self.believes_ap(st, at), ln < self.L), post

    def replicate_to_passive(self, st: dict, source: int, inp: Inputs = None) -> tuple:
        src_ep = st[("ep", source)]

        def to(p: int):
            commit = MIN(MAX(st[("cm", p)], st[("cm", source)]), st[("ln", source)])
            fenced = FALSE if self.flaw("no-fencing") else src_ep < st[("ep", p)]
            guard = AND(self.connected(st, source, p), NOT(fenced), NOT(st[("ep", p)] < src_ep),
                        NOT(AND(self.logs_equal(st, p, source), EQ(st[("cm", p)], commit))))
            post = dict(st)
            self.set_log(post, p, self.log_of(st, source))
            post[("ln", p)] = st[("ln", source)]
            post[("cm", p)] = commit
            sync = AND(EQ(self.cur_ap(st), source), EQ(self.cur_pp(st), p), EQ(src_ep, st[("oe",)]))
            return guard, self.cond(post, sync, self.synced(post))

        g, post = self.split(st, self.role(st, "rpp", src_ep), to)
        return AND(self.believes_ap(st, source), g), post

    def acknowledge(self, st: dict, replica: int, inp: Inputs = None) -> tuple:
        ep = st[("ep", replica)]
        if self.flaw("ack-before-sync"):
            g2, post = self._ack_upto(st, replica, st[("ln", replica)])
            return AND(self.believes_ap(st, replica), g2), post

        def via(p: int):
            fenced = FALSE if self.flaw("no-fencing") else ep < st[("ep", p)]
            upto = st[("ln", replica)] if p == replica else self.held_prefix(st, replica, p)
            g2, post = self._ack_upto(st, replica, upto)
            return AND(self.connected(st, replica, p), NOT(fenced), g2), post

        g, post = self.split(st, self.role(st, "rpp", ep), via)
        return AND(self.believes_ap(st, replica), g), post

    def _ack_upto(self, st: dict, r: int, upto) -> tuple:
        """The commit point moves to `upto`; replication._record_acks, with the
        ghost state: acknowledged entries per LSN, ackers per epoch, the
        regions monitor, and the session tokens."""
        lo = st[("cm", r)]
        post = dict(st)
        post[("cm", r)] = upto
        guard = [upto > lo]
        regions_bad = []
        for i in range(self.L):
            new = AND(lo <= i, upto > i)
            e = self.entry(st, r, i)
            n = st[("ackn", i)]
            present = OR(*(AND(n > k, entry_eq(self.slot(st, i, k), e)) for k in range(self.K)))
            add = AND(new, NOT(present))
            guard.append(NOT(AND(add, n >= self.K)))  # a K+1-th entry at one LSN: out of scope
            for k in range(self.K):
                for f, v, old in zip(FIELDS, e, self.slot(st, i, k)):
                    post[("ack", i, k, f)] = ITE(AND(add, EQ(n, k)), v, old)
            post[("ackn", i)] = ITE(add, n + 1, n)
            regions = {}
            for q in self.R:
                regions.setdefault(self.cfg.region_of(q), []).append(self.holds(st, q, i, e))
            count = 0
            for held in regions.values():
                count = count + ITE(OR(*held), 1, 0)
            regions_bad.append(AND(new, count < 2))
        post[("h", "regions")] = OR(st[("h", "regions")], *regions_bad)
        ep = st[("ep", r)]
        two = []
        for e in range(1, self.E + 1):
            who = st[("acker", e)]
            post[("acker", e)] = ITE(AND(EQ(ep, e), EQ(who, NO_ACKER)), r, who)
            two.append(AND(EQ(ep, e), NOT(EQ(who, NO_ACKER)), NOT(EQ(who, r))))
        post[("h", "two_ackers")] = OR(st[("h", "two_ackers")], *two)
        for s in range(self.S):
            te, tl = st[("stE", s)], st[("stL", s)]
            for i in range(self.L):
                e = self.entry(st, r, i)
                hit = AND(lo <= i, upto > i, EQ(e[2], s), EQ(e[3], st[("slg", s)]), tl < i + 1)
                te, tl = ITE(hit, e[0], te), ITE(hit, i + 1, tl)
            post[("stE", s)], post[("stL", s)] = te, tl
        return AND(*guard), post

    def replicate_to_secondary(self, st: dict, replica: int, inp: Inputs = None) -> tuple:
        def frm(a: int):
            if a == replica:
                return FALSE, st
            upto = st[("ln", a)] if self.flaw("ship-unacked") else st[("cm", a)]
            g, post = self.catch_up(st, replica, a, upto)
            return AND(self.acting(st, a), NOT(EQ(self.cur_pp(st), replica)),
                       self.connected(st, a, replica), g), post

        return self.split(st, self.cur_ap(st), frm)

    def rejoin(self, st: dict, replica: int, inp: Inputs = None) -> tuple:
        def frm(a: int):
            post = dict(st)
            self.rejoin_log(post, st, replica, a, st[("oe",)])
            return AND(self.acting(st, a), self.connected(st, a, replica)), post

        g, post = self.split(st, self.cur_ap(st), frm)
        return AND(st[("up", replica)], st[("ep", replica)] < st[("oe",)], g), post

    def read(self, st: dict, session: int, inp: Inputs = None) -> tuple:
        s = session
        need = st[("stL", s)]

        def at(r: int):
            behind = st[("cm", r)] < need
            if self.flaw("read-waits-for-primary"):
                pull = TRUE
            elif self.flaw("read-ignores-token"):
                pull = FALSE
            else:
                pull = behind

            def frm(a: int):
                base = AND(self.acting(st, a), st[("cm", a)] >= need)
                if a == r:
                    return base, st
                g, pulled = self.catch_up(st, r, a, need)
                covered = st[("cm", r)] >= need
                return (AND(base, self.connected(st, a, r), OR(covered, g)),
                        self.cond(st, NOT(covered), pulled))

            gp, pulled = self.split(st, self.cur_ap(st), frm)
            post = self.cond(st, pull, pulled)
            guard = AND(st[("up", r)], OR(NOT(pull), gp))
            return guard, self._served(st, post, s, r)

        return self.split(st, st[("srep", s)], at)

    def _served(self, pre: dict, post: dict, s: int, r: int) -> dict:
        """The read returns r's committed prefix (in `post`, after any pull):
        the token moves up, and the ghost monitors judge the read."""
        out = dict(post)
        c = post[("cm", r)]
        last_ep = 0
        for i in range(self.L):
            last_ep = ITE(EQ(c, i + 1), post[("log", r, i, "ep")], last_ep)
        grow = c > pre[("stL", s)]
        out[("stE", s)] = ITE(grow, last_ep, pre[("stE", s)])
        out[("stL", s)] = ITE(grow, c, pre[("stL", s)])
        missed, unacked = [], []
        for i in range(self.L):
            e = self.entry(post, r, i)
            for k in range(self.K):
                a = self.slot(pre, i, k)
                mine = AND(pre[("ackn", i)] > k, EQ(a[2], s), EQ(a[3], pre[("slg", s)]))
                missed.append(AND(mine, NOT(AND(c > i, entry_eq(e, a)))))
            acked = OR(*(AND(pre[("ackn", i)] > k, entry_eq(e, self.slot(pre, i, k))) for k in range(self.K)))
            unacked.append(AND(c > i, NOT(acked)))
        out[("h", "ryw")] = OR(pre[("h", "ryw")], *missed)
        out[("h", "lost")] = OR(pre[("h", "lost")], *unacked)
        out[("h", "mono")] = OR(pre[("h", "mono")], c < pre[("last", s)])
        out[("last", s)] = MAX(pre[("last", s)], c)
        return out

    def move_session(self, st: dict, session: int, replica: int, inp: Inputs = None) -> tuple:
        post = dict(st)
        post[("srep", session)] = replica
        post[("stE", session)], post[("stL", session)] = 0, 0
        post[("slg", session)] = st[("slg", session)] + 1
        post[("last", session)] = 0
        return NOT(EQ(st[("srep", session)], replica)), post

    def crash(self, st: dict, replica: int, inp: Inputs = None) -> tuple:
        post = dict(st)
        post[("up", replica)] = FALSE
        return st[("up", replica)], post

    def recover(self, st: dict, replica: int, inp: Inputs = None) -> tuple:
        post = dict(st)
        post[("up", replica)] = TRUE
        return NOT(st[("up", replica)]), post

    def lose_disk(self, st: dict, replica: int, inp: Inputs = None) -> tuple:
        post = dict(st)
        self.wipe(post, replica)
        self.spend(post, replica)
        return NOT(self.lost(st, replica)), post

    def lose_region(self, st: dict, region: int, inp: Inputs = None) -> tuple:
        hit = [r for r in self.R if self.cfg.region_of(r) == region]
        post = dict(st)
        for r in hit:
            self.wipe(post, r)
            self.spend(post, r)
        return OR(*(NOT(self.lost(st, r)) for r in hit)), post

    def partition(self, st: dict, a: int, b: int, inp: Inputs = None) -> tuple:
        post = dict(st)
        post[("cut", a, b)] = TRUE
        return NOT(st[("cut", a, b)]), post

    def heal(self, st: dict, a: int, b: int, inp: Inputs = None) -> tuple:
        post = dict(st)
        post[("cut", a, b)] = FALSE
        return st[("cut", a, b)], post

    def ap_unavailable(self, st: dict):
        """election.ap_unavailable(state) is not None."""
        out = []
        for a in self.R:
            for p in self.R:
                why = OR(NOT(st[("up", a)]), NOT(EQ(st[("ep", a)], st[("oe",)])),
                         AND(st[("up", p)], NOT(self.linked(st, a, p))))
                out.append(AND(EQ(self.cur_ap(st), a), EQ(self.cur_pp(st), p), why))
        return OR(*out)

    def passive_ok(self, st: dict, ap: int, new_pp: int):
        """election.passive_refusal(state, ap, new_pp) is None."""
        if new_pp == ap:
            return FALSE
        if self.cfg.region_of(new_pp) == self.cfg.region_of(ap) and not self.flaw("pp-same-region"):
            return FALSE
        return self.connected(st, ap, new_pp)

    def emergency_failover(self, st: dict, new_ap: int, new_pp: int, inp: Inputs = None) -> tuple:
        if self.flaw("failover-waits-for-old-ap"):
            return FALSE, st
        guard = [self.ap_unavailable(st), NOT(EQ(self.cur_ap(st), new_ap)), st[("up", new_ap)]]
        if not self.flaw("promote-any-secondary"):
            guard += [EQ(self.cur_pp(st), new_ap), EQ(st[("ep", new_ap)], st[("oe",)])]
            if not self.flaw("promote-unsynced-pp"):
                guard.append(st[("insync",)])
        guard.append(self.passive_ok(st, new_ap, new_pp))
        g, post = self.start_epoch(st, new_ap, new_pp, rejoins=True)
        return AND(*guard, g), post

    def planned_failover(self, st: dict, inp: Inputs = None) -> tuple:
        def pair(a: int):
            def with_pp(p: int):
                guard = AND(EQ(st[("ep", a)], st[("oe",)]), EQ(st[("ep", p)], st[("oe",)]),
                            self.connected(st, a, p), self.logs_equal(st, p, a))
                g, post = self.start_epoch(st, p, a, rejoins=False)
                e1 = st[("oe",)] + 1
                for r in (p, a):
                    post[("up", r)], post[("ep", r)] = TRUE, e1
                    self.set_log(post, r, self.log_of(st, a))
                    post[("ln", r)], post[("cm", r)] = st[("ln", a)], st[("cm", a)]
                return AND(guard, g), self.synced(post)
            return self.split(st, self.cur_pp(st), with_pp)

        return self.split(st, self.cur_ap(st), pair)

    def replace_passive(self, st: dict, new_pp: int, inp: Inputs = None) -> tuple:
        def frm(a: int):
            guard = AND(st[("up", a)], EQ(st[("ep", a)], st[("oe",)]),
                        NOT(self.connected_to(st, a, self.cur_pp(st))), self.passive_ok(st, a, new_pp))
            g, post = self.start_epoch(st, a, new_pp, rejoins=True)
            return AND(guard, g), post

        return self.split(st, self.cur_ap(st), frm)

    def tick(self, st: dict, inp: Inputs) -> tuple:
        return inp.days >= 1, st

    # ------------------------------------------------------------ dispatch and relations

    def step(self, st: dict, act: Act, inp: Inputs) -> tuple:
        """(guard, post) of one concrete action."""
        fn = getattr(self, act.name)
        if act.name == "client_write":
            return fn(st, *act.args, inp)
        if act.name == "tick":
            return fn(st, inp)
        return fn(st, *act.args, inp)

    def cases(self, st: dict, acts: list[Act], inp: Inputs) -> list[tuple]:
        return [self.step(st, a, inp) for a in acts]

    def relation(self, pre: dict, post: dict, sel, inp: Inputs, acts: list[Act],
                 cases: Optional[list] = None, only: Optional[Iterable[int]] = None) -> z3.BoolRef:
        """T(pre, post): `sel` (an Int) names the action taken (its index in
        `acts`); one guard per action, and each post variable equal to the
        successor term of the selected action. `only`: restrict to those
        action indexes (the rest are not in the relation)."""
        cases = cases if cases is not None else self.cases(pre, acts, inp)
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

    def disjunct(self, pre: dict, post: dict, name: str, inp: Inputs, acts: list[Act]) -> z3.BoolRef:
        """The disjunct of one model step: OR over its concrete arguments of
        guard & post == successor (the readable form of the relation)."""
        out = []
        for a in acts:
            if a.name == name:
                g, nxt = self.step(pre, a, inp)
                out.append(AND(g, state_eq(self.cfg, self.scope, post, nxt)))
        return to_z3(OR(*out))
