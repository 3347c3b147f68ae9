"""The Z3 form of the model: the same state and steps, for a fixed scope.

This module is a second encoding of `dirproof.model` (design.md §2), written
step by step against the Python step functions, so that Z3 can search every
execution (bounded model checking) and prove invariants by induction. The
agreement test (tests/test_z3_agreement.py) checks, both ways, that every
Python step and the relation here say the same thing.

State. A symbolic state is a dict from *keys* (tuples such as `("up", r)`,
`("log", r, i, "ep")`) to Z3 terms; `layout` lists the keys and sorts of a
(configuration, scope), and `symbolic_abstraction.Abstraction.abstract` maps
a Python `State` to concrete values for the same keys (docs/z3.md has the
whole correspondence). The keys are:

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
is the identity on the Z3 state (the day is folded into the payload). The
object layer has its own encoding over one history
(model/symbolic_objects.py), composed with this one (docs/z3.md).

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
_NUM = {"bits": None, "big": None}  # None: Z3 Ints; W: W-bit (signed) bit-vectors

# The keys whose values are not bounded by the scope: payloads and logical
# session numbers (only compared for equality, copied, and incremented).
BIG_FIELDS = ("pay", "lgc")


class numbers:
    """`with numbers(W, big=B):` builds terms whose integers are W-bit
    bit-vectors (None: Ints), and B-bit ones (None: Ints) for the keys whose
    values the scope does not bound (payloads, logical session numbers).

    The bounded search uses W = B = 6 bits: exact while no value reaches 32,
    which a path of a few dozen steps cannot do. The proofs use W-bit
    vectors for the bounded keys (exact: the `shape` invariant keeps them in
    range, and no step of a state in range leaves it) and Ints for the rest.
    Bit-vectors make Z3 several times faster than Ints here.
    """

    def __init__(self, bits, big="same"):
        self.bits, self.big = bits, (bits if big == "same" else big)

    def __enter__(self):
        self.saved = dict(_NUM)
        _NUM["bits"], _NUM["big"] = self.bits, self.big

    def __exit__(self, *exc):
        _NUM.update(self.saved)


def num_sort(big: bool = False):
    bits = _NUM["big" if big else "bits"]
    return z3.IntSort() if bits is None else z3.BitVecSort(bits)


def is_big(key: tuple) -> bool:
    return key[0] == "slg" or (key[0] in ("log", "ack") and key[-1] in BIG_FIELDS)


def is_z3(x) -> bool:
    return isinstance(x, z3.ExprRef)


def is_true(x) -> bool:
    """x is the Python True (the helpers never build Z3 literals for truth)."""
    return x is True


def is_false(x) -> bool:
    return x is False


def to_z3(x, like=None, big: bool = False):
    """A Z3 term for x; a Python int becomes a literal of the sort of `like`
    (a Z3 term), else of the current numeric sort (`big`: of the unbounded keys)."""
    if isinstance(x, bool):
        return z3.BoolVal(x)
    if isinstance(x, int):
        if like is not None and is_z3(like):
            bits = like.size() if isinstance(like, z3.BitVecRef) else None
        else:
            bits = _NUM["big" if big else "bits"]
        key = (bits, x)
        v = _INTS.get(key)
        if v is None:
            v = _INTS[key] = z3.IntVal(x) if bits is None else z3.BitVecVal(x, bits)
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
    c = to_z3(c)
    a, b = to_z3(a, like=b), to_z3(b, like=a)
    cls = z3.BoolRef if isinstance(a, z3.BoolRef) else (
        z3.BitVecRef if isinstance(a, z3.BitVecRef) else z3.ArithRef)
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
    a, b = to_z3(a, like=b), to_z3(b, like=a)
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
        out[key] = z3.Bool(name) if sort == "bool" else z3.Const(name, num_sort(is_big(key)))
    return out


def constants(cfg: Config, scope: Scope, values: dict) -> dict:
    """Z3 literals for a dict of concrete values (an abstraction)."""
    return {key: to_z3(bool(values[key]) if sort == "bool" else int(values[key]), big=is_big(key))
            for key, sort in layout(cfg, scope)}


def state_eq(cfg: Config, scope: Scope, a: dict, b) -> z3.BoolRef:
    """a == b key by key; b may be a dict of terms or of concrete values."""
    return to_z3(AND(*(EQ(a[k], b[k]) for k, _ in layout(cfg, scope))))


def model_values(cfg: Config, scope: Scope, model: z3.ModelRef, st: dict) -> dict:
    """The concrete values of a symbolic state in a Z3 model."""
    out = {}
    for key, sort in layout(cfg, scope):
        v = model.eval(st[key], model_completion=True)
        if sort == "bool":
            out[key] = z3.is_true(v)
        else:
            out[key] = v.as_signed_long() if isinstance(v, z3.BitVecNumRef) else v.as_long()
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
        if self.name == "read":
            return f"read(session {a[0]})"
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
        return Inputs(z3.Const(prefix + "pay", num_sort(True)), z3.Bool(prefix + "ok"),
                      z3.Const(prefix + "days", num_sort(True)))


# --------------------------------------------------------------------------- the encoding

@attrs.frozen
class View:
    """One replica's fields (terms), possibly chosen by a symbolic index."""

    up: object
    ep: object
    ln: object
    cm: object
    log: tuple  # L entries

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

    def _memo(self, st: dict, key: tuple, make: Callable):
        """Cache a derived term of `st` (states are dicts built once and not
        changed afterwards; the cache holds the dict, so its id is not reused)."""
        memo = self.__dict__.setdefault("_cache", {})
        hit = memo.get((id(st), key))
        if hit is not None and hit[0] is st:
            return hit[1]
        if len(memo) > 20000:
            memo.clear()
        val = make()
        memo[(id(st), key)] = (st, val)
        return val

    def role(self, st: dict, which: str, e):
        """roles[e - 1][0 or 1] for a symbolic epoch e in 1..E (-1 outside)."""
        def make():
            out = -1
            for x in range(self.E, 0, -1):
                out = ITE(EQ(e, x), st[(which, x)], out)
            return out
        if not is_z3(e):
            return st[(which, e)] if 1 <= e <= self.E else -1
        return self._memo(st, ("role", which, e.get_id()), make)

    def cur_ap(self, st: dict):
        return self.role(st, "rap", st[("oe",)])

    def cur_pp(self, st: dict):
        return self.role(st, "rpp", st[("oe",)])

    def view(self, st: dict, r) -> "View":
        """Replica r's fields; r may be symbolic (then each field is a choice
        among the replicas'; out-of-range r reads as the last replica)."""
        if not is_z3(r):
            return View(st[("up", r)], st[("ep", r)], st[("ln", r)], st[("cm", r)],
                        tuple(self.entry(st, r, i) for i in range(self.L)))

        def make():
            def pick(get):
                out = get(self.n - 1)
                for q in range(self.n - 2, -1, -1):
                    out = ITE(EQ(r, q), get(q), out)
                return out
            log = tuple(tuple(pick(lambda q, i=i, f=f: st[("log", q, i, f)]) for f in FIELDS)
                        for i in range(self.L))
            return View(pick(lambda q: st[("up", q)]), pick(lambda q: st[("ep", q)]),
                        pick(lambda q: st[("ln", q)]), pick(lambda q: st[("cm", q)]), log)
        return self._memo(st, ("view", r.get_id()), make)

    def linked(self, st: dict, a, b):
        """The link a-b is not cut (a, b concrete or symbolic)."""
        if not is_z3(a) and not is_z3(b):
            if a == b:
                return True
            return NOT(st[("cut", min(a, b), max(a, b))])
        cut = []
        for x, y in replica_pairs(self.n):
            cut.append(AND(st[("cut", x, y)], OR(AND(EQ(a, x), EQ(b, y)), AND(EQ(a, y), EQ(b, x)))))
        return NOT(OR(*cut))

    def connected(self, st: dict, a, b):
        def up(x):
            return st[("up", x)] if not is_z3(x) else self.view(st, x).up
        return AND(up(a), up(b), self.linked(st, a, b))

    def connected_to(self, st: dict, a: int, b_sym):
        """connected(a, b) for a symbolic replica b (false when b is out of range)."""
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

    @staticmethod
    def prefix_flags(a: "View", b: "View") -> list:
        """c[i]: the first i + 1 entries of the two logs exist and agree."""
        flags, c = [], True
        for i, (x, y) in enumerate(zip(a.log, b.log)):
            c = AND(c, a.ln > i, b.ln > i, entry_eq(x, y))
            flags.append(c)
        return flags

    def held_prefix(self, a: "View", b: "View"):
        """replication._held_prefix(a.log, b.log): the length of the common prefix."""
        out = 0
        for c in self.prefix_flags(a, b):
            out = out + ITE(c, 1, 0)
        return out

    @staticmethod
    def logs_equal(a: "View", b: "View"):
        return AND(EQ(a.ln, b.ln), *(IMPLIES(a.ln > i, entry_eq(x, y))
                                     for i, (x, y) in enumerate(zip(a.log, b.log))))

    # ------------------------------------------------------------ writing a state

    def set_log(self, post: dict, r: int, log) -> None:
        for i, e in enumerate(log):
            for f, v in zip(FIELDS, e):
                post[("log", r, i, f)] = v

    def put_view(self, post: dict, r: int, v: "View", where=True) -> None:
        """Replica r becomes `v` (where `where` holds)."""
        old = self.view(post, r)
        post[("up", r)], post[("ep", r)] = ITE(where, v.up, old.up), ITE(where, v.ep, old.ep)
        post[("ln", r)], post[("cm", r)] = ITE(where, v.ln, old.ln), ITE(where, v.cm, old.cm)
        self.set_log(post, r, [entry_ite(where, x, y) for x, y in zip(v.log, old.log)])

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
            return False, pre
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

    def split(self, pre: dict, sym, fn: Callable[[int], tuple]) -> tuple:
        """Case split on a symbolic replica index: fn(r) -> (guard, post)."""
        if not is_z3(sym):
            return fn(sym) if 0 <= sym < self.n else (False, pre)
        return self.merge(pre, [(EQ(sym, r), *fn(r)) for r in self.R])

    # ------------------------------------------------------------ shared pieces of steps

    def rejoin_log(self, post: dict, r: int, rep: "View", src: "View", epoch) -> None:
        """replication.rejoin_log: r (now `rep`) adopts `epoch` and drops the
        suffix that `src`'s log lacks."""
        if not self.flaw("keep-divergent-suffix"):
            flags = self.prefix_flags(rep, src)
            self.set_log(post, r, [entry_ite(c, x, NULL) for c, x in zip(flags, rep.log)])
            n = 0
            for c in flags:
                n = n + ITE(c, 1, 0)
            post[("ln", r)] = n
            post[("cm", r)] = MIN(rep.cm, n)
        else:
            post[("cm", r)] = MIN(rep.cm, rep.ln)
        post[("ep", r)] = epoch

    def catch_up(self, st: dict, r: int, src: "View", upto) -> tuple:
        """replication.catch_up(state, r, the AP whose fields are `src`, upto)."""
        post = dict(st)
        rep = self.view(st, r)
        ext = rep.ln < upto
        log = [entry_ite(AND(ext, rep.ln <= i, upto > i), x, y)
               for i, (x, y) in enumerate(zip(src.log, rep.log))]
        new_ln = ITE(ext, upto, rep.ln)
        commit = new_ln if self.flaw("ship-unacked") else MAX(rep.cm, upto)
        same = AND(NOT(ext), EQ(commit, rep.cm))
        self.set_log(post, r, log)
        post[("ln", r)] = new_ln
        post[("cm", r)] = commit
        return AND(rep.ep >= src.ep, NOT(same)), post

    def synced(self, post: dict) -> dict:
        """replication.synced on a post state (roles read from it)."""
        out = dict(post)
        out[("insync",)] = True
        out[("gA",)] = self.cur_ap(post)
        out[("gP",)] = self.cur_pp(post)
        out[("pend",)] = False
        return out

    def spend(self, post: dict, r: int, before: dict) -> None:
        """faults._unsync then faults._spend_budget for replica r, whose disk
        held data in `before` unless it was already lost and empty."""
        post[("insync",)] = AND(post[("insync",)], NOT(EQ(self.cur_pp(post), r)))
        held = OR(before[("ln", r)] > 0, NOT(EQ(before[("ep", r)], 0)))
        hit = AND(OR(EQ(post[("gA",)], r), EQ(post[("gP",)], r)), held)
        post[("exc",)] = ITE(hit, OR(post[("exc",)], post[("pend",)]), post[("exc",)])
        post[("pend",)] = OR(post[("pend",)], hit)

    def start_epoch(self, st: dict, ap, pp, rejoins: bool) -> tuple:
        """election.start_epoch: roles (ap, pp) for epoch oe + 1 (within
        scope). `ap` may be symbolic; with `rejoins`, `pp` is concrete."""
        post = dict(st)
        oe = st[("oe",)]
        e1 = oe + 1
        for e in range(1, self.E + 1):
            post[("rap", e)] = ITE(EQ(e1, e), ap, st[("rap", e)])
            post[("rpp", e)] = ITE(EQ(e1, e), pp, st[("rpp", e)])
        post[("oe",)] = e1
        post[("insync",)] = not rejoins
        for r in self.R:
            post[("ep", r)] = ITE(EQ(ap, r), e1, st[("ep", r)])
        if rejoins:
            self.rejoin_log(post, pp, self.view(st, pp), self.view(st, ap), e1)
        else:
            for r in self.R:
                post[("ep", r)] = ITE(EQ(pp, r), e1, post[("ep", r)])
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
        src = self.view(st, source)

        def to(p: int):
            dst = self.view(st, p)
            commit = MIN(MAX(dst.cm, src.cm), src.ln)
            fenced = False if self.flaw("no-fencing") else src.ep < dst.ep
            guard = AND(self.connected(st, source, p), NOT(fenced), NOT(dst.ep < src.ep),
                        NOT(AND(self.logs_equal(dst, src), EQ(dst.cm, commit))))
            post = dict(st)
            self.put_view(post, p, View(dst.up, dst.ep, src.ln, commit, src.log))
            sync = AND(EQ(self.cur_ap(st), source), EQ(self.cur_pp(st), p), EQ(src.ep, st[("oe",)]))
            return guard, self.cond(post, sync, self.synced(post))

        g, post = self.split(st, self.role(st, "rpp", src.ep), to)
        return AND(self.believes_ap(st, source), g), post

    def acknowledge(self, st: dict, replica: int, inp: Inputs = None) -> tuple:
        rep = self.view(st, replica)
        if self.flaw("ack-before-sync"):
            g, post = self._ack_upto(st, replica, rep.ln)
            return AND(self.believes_ap(st, replica), g), post
        p = self.role(st, "rpp", rep.ep)
        pp = self.view(st, p)
        fenced = False if self.flaw("no-fencing") else rep.ep < pp.ep
        g, post = self._ack_upto(st, replica, self.held_prefix(rep, pp))
        return AND(self.believes_ap(st, replica), self.connected_to(st, replica, p), NOT(fenced), g), post

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
        a = self.cur_ap(st)
        ap = self.view(st, a)
        upto = ap.ln if self.flaw("ship-unacked") else ap.cm
        g, post = self.catch_up(st, replica, ap, upto)
        return AND(ap.up, EQ(ap.ep, st[("oe",)]), NOT(EQ(a, replica)), NOT(EQ(self.cur_pp(st), replica)),
                   self.connected_to(st, replica, a), g), post

    def rejoin(self, st: dict, replica: int, inp: Inputs = None) -> tuple:
        a = self.cur_ap(st)
        ap = self.view(st, a)
        post = dict(st)
        self.rejoin_log(post, replica, self.view(st, replica), ap, st[("oe",)])
        return AND(st[("up", replica)], st[("ep", replica)] < st[("oe",)], ap.up,
                   EQ(ap.ep, st[("oe",)]), self.connected_to(st, replica, a)), post

    def read(self, st: dict, session: int, inp: Inputs = None) -> tuple:
        s = session
        need = st[("stL", s)]
        a = self.cur_ap(st)
        ap = self.view(st, a)
        acting = AND(ap.up, EQ(ap.ep, st[("oe",)]))

        def at(r: int):
            covered = st[("cm", r)] >= need
            if self.flaw("read-waits-for-primary"):
                pull = True
            elif self.flaw("read-ignores-token"):
                pull = False
            else:
                pull = NOT(covered)
            g, caught = self.catch_up(st, r, ap, need)
            here = EQ(a, r)
            pull_ok = AND(acting, ap.cm >= need,
                          OR(here, AND(self.connected_to(st, r, a), OR(covered, g))))
            pulled = self.cond(st, AND(NOT(here), NOT(covered)), caught)
            post = self.cond(st, pull, pulled)
            guard = AND(st[("up", r)], OR(NOT(pull), pull_ok))
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
        post[("up", replica)] = False
        return st[("up", replica)], post

    def recover(self, st: dict, replica: int, inp: Inputs = None) -> tuple:
        post = dict(st)
        post[("up", replica)] = True
        return NOT(st[("up", replica)]), post

    def lose_disk(self, st: dict, replica: int, inp: Inputs = None) -> tuple:
        post = dict(st)
        self.wipe(post, replica)
        self.spend(post, replica, st)
        return NOT(self.lost(st, replica)), post

    def lose_region(self, st: dict, region: int, inp: Inputs = None) -> tuple:
        hit = [r for r in self.R if self.cfg.region_of(r) == region]
        post = dict(st)
        for r in hit:
            self.wipe(post, r)
            self.spend(post, r, st)
        return OR(*(NOT(self.lost(st, r)) for r in hit)), post

    def partition(self, st: dict, a: int, b: int, inp: Inputs = None) -> tuple:
        post = dict(st)
        post[("cut", a, b)] = True
        return NOT(st[("cut", a, b)]), post

    def heal(self, st: dict, a: int, b: int, inp: Inputs = None) -> tuple:
        post = dict(st)
        post[("cut", a, b)] = False
        return st[("cut", a, b)], post

    def ap_unavailable(self, st: dict):
        """election.ap_unavailable(state) is not None."""
        a, p = self.cur_ap(st), self.cur_pp(st)
        ap, pp = self.view(st, a), self.view(st, p)
        return OR(NOT(ap.up), NOT(EQ(ap.ep, st[("oe",)])), AND(pp.up, NOT(self.linked(st, a, p))))

    def passive_ok(self, st: dict, ap, new_pp: int):
        """election.passive_refusal(state, ap, new_pp) is None (ap may be symbolic)."""
        region = self.cfg.region_of(new_pp)
        other = [a for a in self.R if self.flaw("pp-same-region") or self.cfg.region_of(a) != region]
        return AND(NOT(EQ(ap, new_pp)), OR(*(EQ(ap, a) for a in other)),
                   self.connected(st, ap, new_pp) if not is_z3(ap) else self.connected_to(st, new_pp, ap))

    def emergency_failover(self, st: dict, new_ap: int, new_pp: int, inp: Inputs = None,
                           scoped: bool = True) -> tuple:
        """`scoped=False`: the guard without the scope bound on the epoch (what
        the Python step accepts; the availability form reads it)."""
        if self.flaw("failover-waits-for-old-ap"):
            return False, st
        guard = [self.ap_unavailable(st), NOT(EQ(self.cur_ap(st), new_ap)), st[("up", new_ap)]]
        if not self.flaw("promote-any-secondary"):
            guard += [EQ(self.cur_pp(st), new_ap), EQ(st[("ep", new_ap)], st[("oe",)])]
            if not self.flaw("promote-unsynced-pp"):
                guard.append(st[("insync",)])
        guard.append(self.passive_ok(st, new_ap, new_pp))
        g, post = self.start_epoch(st, new_ap, new_pp, rejoins=True)
        return (AND(*guard, g) if scoped else AND(*guard)), post

    def planned_failover(self, st: dict, inp: Inputs = None) -> tuple:
        a, p = self.cur_ap(st), self.cur_pp(st)
        ap, pp = self.view(st, a), self.view(st, p)
        oe = st[("oe",)]
        guard = AND(EQ(ap.ep, oe), EQ(pp.ep, oe), ap.up, pp.up, self.linked(st, a, p),
                    self.logs_equal(pp, ap))
        g, post = self.start_epoch(st, p, a, rejoins=False)
        both = View(True, oe + 1, ap.ln, ap.cm, ap.log)
        for r in self.R:
            self.put_view(post, r, both, OR(EQ(a, r), EQ(p, r)))
        return AND(guard, g), self.synced(post)

    def replace_passive(self, st: dict, new_pp: int, inp: Inputs = None) -> tuple:
        a = self.cur_ap(st)
        ap = self.view(st, a)
        guard = AND(ap.up, EQ(ap.ep, st[("oe",)]), NOT(self.connected(st, a, self.cur_pp(st))),
                    self.passive_ok(st, a, new_pp))
        g, post = self.start_epoch(st, a, new_pp, rejoins=True)
        return AND(guard, g), post

    def tick(self, st: dict, inp: Inputs) -> tuple:
        return inp.days >= 1, st

    # ------------------------------------------------------------ dispatch and relations

    def step(self, st: dict, act: Act, inp: Inputs) -> tuple:
        """(guard, post) of one concrete action."""
        fn = getattr(self, act.name)
        return fn(st, inp) if act.name == "tick" else fn(st, *act.args, inp)

    def cases(self, st: dict, acts: list[Act], inp: Inputs) -> list[tuple]:
        return [self.step(st, a, inp) for a in acts]

    @staticmethod
    def selector(name: str, acts: list[Act]):
        """The action selector variable of a relation over `acts`: an Int, or
        an unsigned bit-vector wide enough for every index in bit-vector mode."""
        if _NUM["bits"] is None:
            return z3.Int(name)
        return z3.BitVec(name, max(1, (len(acts) - 1).bit_length()))

    @staticmethod
    def sel_is(sel, j: int):
        if isinstance(sel, z3.BitVecRef):
            return z3.BoolRef(z3.Z3_mk_eq(_CTX.ref(), sel.as_ast(), z3.BitVecVal(j, sel.size()).as_ast()), _CTX)
        return EQ(sel, j)

    def relation(self, pre: dict, post: dict, sel, inp: Inputs, acts: list[Act],
                 cases: Optional[list] = None, only: Optional[Iterable[int]] = None) -> z3.BoolRef:
        """T(pre, post): `sel` (see `selector`) names the action taken (its
        index in `acts`); one guard per action, and each post variable equal to the
        successor term of the selected action. `only`: restrict to those
        action indexes (the rest are not in the relation)."""
        cases = cases if cases is not None else self.cases(pre, acts, inp)
        idx = list(range(len(acts))) if only is None else list(only)
        guard = OR(*(AND(self.sel_is(sel, j), cases[j][0]) for j in idx))
        frame = []
        for k in self.keys:
            v = pre[k]
            for j in idx:
                t = cases[j][1][k]
                if t is not pre[k]:
                    v = ITE(self.sel_is(sel, j), t, v)
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
