"""The vocabulary of the parametric form of one partition (design.md §2).

Replicas, regions, epochs, log indices (LSNs), sessions, logical sessions
and written values are uninterpreted sorts: a proof over them holds for
every number of each. Epochs and indices are ordered by relations with the
total-order axioms and a least element (`e0`: no epoch, a lost disk;
`i0`: LSN 0, an empty log). Logs are a relation `log(r, i, e, v)` (replica
r holds at LSN i the entry of epoch e with value v) with a length and a
commit point per replica; the orchestrator's roles are relations
`ap(e, r)` and `pp(e, r)` per epoch; the monitors' ghost is `acked(i, e, v)`
and four latches. docs/parametric.md lists every symbol.

`Vocab(suffix)` makes one copy of the mutable symbols (the pre-state has
suffix "", the post-state "'"); the rigid symbols (orders, regions, who
wrote a value) are shared by both.
"""

from __future__ import annotations

from typing import Any, Iterable

import z3

REPLICA = z3.DeclareSort("replica")
REGION = z3.DeclareSort("region")
EPOCH = z3.DeclareSort("epoch")
INDEX = z3.DeclareSort("index")
VALUE = z3.DeclareSort("value")
CLIENT = z3.DeclareSort("session")
LOGICAL = z3.DeclareSort("logical")
SORTS = (REPLICA, REGION, EPOCH, INDEX, VALUE, CLIENT, LOGICAL)
B = z3.BoolSort()

# Rigid symbols: never changed by a transition.
LE_E = z3.Function("le_e", EPOCH, EPOCH, B)
LE_I = z3.Function("le_i", INDEX, INDEX, B)
E0 = z3.Const("e0", EPOCH)
I0 = z3.Const("i0", INDEX)
REGION_OF = z3.Function("region_of", REPLICA, REGION)
# wrote(v, s, l): value v is a write of session s in its logical session l
# (a system write has no writer); the payload is chosen by the client.
WROTE = z3.Function("wrote", VALUE, CLIENT, LOGICAL, B)

# The mutable symbols: name -> (argument sorts, result sort).
MUTABLE: dict[str, tuple[tuple[Any, ...], Any]] = {
    "up": ((REPLICA,), B),
    "ep": ((REPLICA,), EPOCH),  # the highest epoch the replica has seen (e0: disk lost)
    "log": ((REPLICA, INDEX, EPOCH, VALUE), B),
    "len": ((REPLICA,), INDEX),
    "commit": ((REPLICA,), INDEX),
    "cut": ((REPLICA, REPLICA), B),
    "cur": ((), EPOCH),  # the orchestrator's current epoch
    "ap": ((EPOCH, REPLICA), B),
    "pp": ((EPOCH, REPLICA), B),
    "in_sync": ((), B),
    "gA": ((), REPLICA),  # the fault budget's guarded pair
    "gP": ((), REPLICA),
    "pending": ((), B),
    "exceeded": ((), B),
    "aff": ((CLIENT,), REPLICA),  # the session's affinity replica
    "tok": ((CLIENT,), INDEX),  # the LSN of its replica token
    "curl": ((CLIENT,), LOGICAL),  # its current logical session
    "started": ((LOGICAL,), B),
    # ghost (properties/monitors.py)
    "acked": ((INDEX, EPOCH, VALUE), B),
    "rl": ((CLIENT,), LOGICAL),  # the logical session of the last read
    "longest": ((CLIENT,), INDEX),  # the longest prefix a read of it saw
    "bad_regions": ((), B),
    "bad_ryw": ((), B),
    "bad_mono": ((), B),
    "bad_lost": ((), B),
    # issue 14: the tokens handed to a session (monitors.Handed) and causal-read's latch
    "hl": ((CLIENT,), LOGICAL),  # the logical session the handed tokens were for
    "htok": ((CLIENT,), INDEX),  # the highest LSN handed to it there
    "bad_causal": ((), B),
}

# §6 durability: the replica's flushed point (entries up to it are on its disk)
MUTABLE["flushed"] = ((REPLICA,), INDEX)

SORT_LETTER = {REPLICA: "R", REGION: "G", EPOCH: "E", INDEX: "I", VALUE: "V", CLIENT: "S", LOGICAL: "L"}


class Vocab:
    """One copy of the mutable symbols (attribute per name of MUTABLE)."""

    def __init__(self, suffix: str = "") -> None:
        self.suffix = suffix
        self.symbols: dict[str, Any] = {}
        for name, (args, res) in MUTABLE.items():
            sym = z3.Const(name + suffix, res) if not args else z3.Function(name + suffix, *args, res)
            self.symbols[name] = sym
            setattr(self, name, sym)

    def __getattr__(self, name: str) -> Any:
        """The symbols set in __init__ (declared for type checkers)."""
        raise AttributeError(name)

    # Derived notions, in the words of model/state.py.
    def connected(self, a: Any, b: Any) -> Any:
        """Both up and their datacenters can talk (model.state.connected)."""
        return z3.And(self.up(a), self.up(b), z3.Or(a == b, z3.Not(self.cut(a, b))))

    def believes_ap(self, r: Any) -> Any:
        """Up, and the AP of the (maybe old) epoch it holds."""
        return z3.And(self.up(r), lt_e(E0, self.ep(r)), self.ap(self.ep(r), r))

    def ap_current(self, a: Any) -> Any:
        """The orchestrator's AP, holding the current epoch (up or not)."""
        return z3.And(self.ap(self.cur, a), self.ep(a) == self.cur)

    def acting(self, a: Any) -> Any:
        return z3.And(self.ap_current(a), self.up(a))

    def lost(self, r: Any) -> Any:
        """The disk is lost and the replica has held nothing since."""
        return z3.And(z3.Not(self.up(r)), self.ep(r) == E0, self.len(r) == I0)


def var(name: str, sort: Any) -> Any:
    return z3.Const(name, sort)


def lt_e(a: Any, b: Any) -> Any:
    return z3.And(LE_E(a, b), a != b)


def lt_i(a: Any, b: Any) -> Any:
    return z3.And(LE_I(a, b), a != b)


def in_range(i: Any, lo: Any, hi: Any) -> Any:
    """lo < i <= hi (a half-open range of LSNs)."""
    return z3.And(lt_i(lo, i), LE_I(i, hi))


def max_i(a: Any, b: Any) -> Any:
    return z3.If(LE_I(a, b), b, a)


def min_i(a: Any, b: Any) -> Any:
    return z3.If(LE_I(a, b), a, b)


def succ_i(a: Any, b: Any) -> Any:
    """b is the LSN right after a (no LSN strictly between)."""
    z = var("z_succ", INDEX)
    return z3.And(lt_i(a, b), z3.ForAll([z], z3.Not(z3.And(lt_i(a, z), lt_i(z, b)))))


def forall(vs: Iterable[Any], body: Any) -> Any:
    vs = list(vs)
    return z3.ForAll(vs, body) if vs else body


def _order(le: Any, zero: Any, sort: Any) -> list[Any]:
    x, y, z = var("x", sort), var("y", sort), var("z", sort)
    return [z3.ForAll([x], le(x, x)),
            z3.ForAll([x, y, z], z3.Implies(z3.And(le(x, y), le(y, z)), le(x, z))),
            z3.ForAll([x, y], z3.Implies(z3.And(le(x, y), le(y, x)), x == y)),
            z3.ForAll([x, y], z3.Or(le(x, y), le(y, x))),
            z3.ForAll([x], le(zero, x))]


def axioms() -> list[Any]:
    """Total orders with a least element on epochs and indices; a value has
    at most one writer (session and logical session)."""
    v, s, s2, l, l2 = var("v", VALUE), var("s", CLIENT), var("s2", CLIENT), var("l", LOGICAL), var("l2", LOGICAL)
    one_writer = z3.ForAll([v, s, s2, l, l2], z3.Implies(z3.And(WROTE(v, s, l), WROTE(v, s2, l2)),
                                                         z3.And(s == s2, l == l2)))
    return _order(LE_E, E0, EPOCH) + _order(LE_I, I0, INDEX) + [one_writer]


AXIOM_TEXT = [
    ("epoch-order", "le_e is a total order on epochs with least element e0 (reflexive, transitive, "
                    "antisymmetric, total)"),
    ("index-order", "le_i is a total order on LSNs with least element i0"),
    ("one-writer", "wrote(v, s, l) & wrote(v, s2, l2) -> s = s2 & l = l2: a value is written by at most "
                   "one logical session"),
]
