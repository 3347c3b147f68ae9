"""The vocabulary of the parametric form of the object layer (design.md §3).

The object layer over one history (dirproof/proofs/objects_state.py, the
fragment the fixed-scope object proof covers: the AP's and the PP's
directory, the day, the kept snapshots and the object monitors' ghost)
with objects, days, attribute vectors, snapshots and kinds as
uninterpreted sorts, so a proof over them holds for any number of objects,
snapshots and days.

Days are ordered by `le_d` (a total order); the retention period is not a
number but a rigid relation `expired(d0, d)` ("d is at least retention
days after d0"), monotone in `d` and antitone in `d0`, and its off-by-one
shadow `expired1(d0, d)` ("at least retention - 1 days": the purge-early
flaw's boundary), implied by it. An expiry policy's lifetime is likewise
`lived(k, d0, d)`. No arithmetic on days is left: the form stays in EPR.
docs/parametric.md, "The object layer", lists every symbol.

A record's status is a finite enumeration (absent, live, soft-deleted,
gone); an object's attributes are one value of sort `avec` (the whole
vector: an update picks any new one, a superset of the model's step).
"""

from __future__ import annotations

from typing import Any

import z3

OBJ = z3.DeclareSort("obj")
DAY = z3.DeclareSort("day")
AVEC = z3.DeclareSort("avec")  # an object's attribute vector
SNAP = z3.DeclareSort("snap")  # a snapshot
KIND = z3.DeclareSort("kind")
SORTS = (OBJ, DAY, AVEC, SNAP, KIND)
B = z3.BoolSort()
STATUS, (ABSENT, LIVE, SOFT, GONE) = z3.EnumSort("status", ("absent", "live", "soft", "gone"))

# Rigid symbols.
LE_D = z3.Function("le_d", DAY, DAY, B)
D0 = z3.Const("d0", DAY)  # the first day (and the deleted day of a record with none)
EXPIRED = z3.Function("expired", DAY, DAY, B)  # retention has ended for a deletion on d0 by day d
EXPIRED1 = z3.Function("expired1", DAY, DAY, B)  # retention - 1 days have passed (flaw purge-early)
LIVED = z3.Function("lived", KIND, DAY, DAY, B)  # an object of kind k created on d0 has expired by d
POLICY = z3.Function("policy", KIND, B)  # kind k has an expiry policy
KIND_OF = z3.Function("kind_of", OBJ, KIND)  # ids are typed
USER, GROUP = z3.Const("user", KIND), z3.Const("group", KIND)
DFLT = z3.Const("dflt", AVEC)  # the default attributes

# The mutable symbols: name -> (argument sorts, result sort). A view is five
# symbols with a prefix ("" the AP's, "p" the PP's).
VIEW = {"st": ((OBJ,), STATUS), "at": ((OBJ,), AVEC), "dd": ((OBJ,), DAY), "born": ((OBJ,), DAY),
        "lk": ((OBJ, OBJ), B)}  # lk(u, g): user u is a member of group g (stored on u's record)
MUTABLE: dict[str, tuple[tuple[Any, ...], Any]] = {
    **VIEW, **{"p" + k: v for k, v in VIEW.items()},
    "today": ((), DAY),
    "kept": ((SNAP,), B), "sday": ((SNAP,), DAY), "sst": ((SNAP, OBJ), STATUS), "sat": ((SNAP, OBJ), AVEC),
    # ghost (properties/objects.py ObjectGhost)
    "sd": ((OBJ,), B), "sdd": ((OBJ,), DAY),  # a soft delete was acknowledged (sdd >= 0), its day
    "bs": ((OBJ,), B), "bef": ((OBJ,), AVEC),  # it found the object; the attributes just before it
    "bown": ((OBJ, OBJ), B), "bmem": ((OBJ, OBJ), B),  # befl: own memberships, members (o, u) just before it
    "dlx": ((OBJ,), B), "dl": ((OBJ,), DAY),  # dl >= 0: deleted, not since restored/deleted for good/recovered
    "pg": ((OBJ,), B), "tomb": ((OBJ,), B),
    "early": ((), B), "restore": ((), B), "unretained": ((), B), "unlinked": ((), B),
}


class OVocab:
    """One copy of the mutable symbols (attribute per name of MUTABLE)."""

    def __init__(self, suffix: str = "") -> None:
        self.suffix = suffix
        self.symbols: dict[str, Any] = {}
        for name, (args, res) in MUTABLE.items():
            sym = z3.Const(name + suffix, res) if not args else z3.Function(name + suffix, *args, res)
            self.symbols[name] = sym
            setattr(self, name, sym)

    def __getattr__(self, name: str) -> Any:
        raise AttributeError(name)

    def view(self, pp: bool) -> "View":
        return View(self, "p" if pp else "")


class View:
    """The five symbols of one replica's directory."""

    def __init__(self, V: OVocab, prefix: str) -> None:
        self.prefix = prefix
        self.st, self.at, self.dd, self.born, self.lk = (V.symbols[prefix + k] for k in VIEW)

    def names(self) -> list[str]:
        return [self.prefix + k for k in VIEW]

    def member(self, u: Any, g: Any) -> Any:
        """u's membership of g counts in g's linkset (model/links.py linkset): u exists."""
        return z3.And(self.lk(u, g), self.st(u) != ABSENT)


def var(name: str, sort: Any) -> Any:
    return z3.Const(name, sort)


def lt_d(a: Any, b: Any) -> Any:
    return z3.And(LE_D(a, b), a != b)


def axioms() -> list[Any]:
    """A total order on days; the retention boundary monotone (a later day,
    an earlier deletion) and after its off-by-one shadow; user != group."""
    x, y, z, w = var("x", DAY), var("y", DAY), var("z", DAY), var("w", DAY)
    le = LE_D
    return [z3.ForAll([x], le(x, x)),
            z3.ForAll([x, y, z], z3.Implies(z3.And(le(x, y), le(y, z)), le(x, z))),
            z3.ForAll([x, y], z3.Implies(z3.And(le(x, y), le(y, x)), x == y)),
            z3.ForAll([x, y], z3.Or(le(x, y), le(y, x))),
            z3.ForAll([x, y, z, w], z3.Implies(z3.And(EXPIRED(x, y), le(z, x), le(y, w)), EXPIRED(z, w))),
            z3.ForAll([x, y], z3.Implies(EXPIRED(x, y), EXPIRED1(x, y))),
            USER != GROUP]


AXIOM_TEXT = [
    ("day-order", "le_d is a total order on days (reflexive, transitive, antisymmetric, total)"),
    ("retention", "expired(x, y) & z <= x & y <= w -> expired(z, w): once retention has ended it stays "
                  "ended, and it has ended for an earlier deletion too"),
    ("retention-1", "expired(x, y) -> expired1(x, y): retention days passed implies retention - 1 passed"),
    ("kinds", "user != group"),
]


def same(pre: OVocab, post: OVocab, name: str) -> Any:
    old, new = pre.symbols[name], post.symbols[name]
    sorts = MUTABLE[name][0]
    if not sorts:
        return new == old
    xs = [var(f"x{k}_{name}", s) for k, s in enumerate(sorts)]
    return z3.ForAll(xs, new(*xs) == old(*xs))


def frame(pre: OVocab, post: OVocab, modifies: Any) -> list[Any]:
    return [same(pre, post, n) for n in MUTABLE if n not in set(modifies)]


def at(pre: OVocab, post: OVocab, name: str, key: tuple, value: Any, when: Any = True) -> Any:
    """post.name is pre.name except at `key` (all arguments) when `when`
    holds, where it is `value` (a term, or a function of the arguments)."""
    sorts = MUTABLE[name][0]
    xs = [var(f"x{k}_{name}", s) for k, s in enumerate(sorts)]
    hit = z3.And(when, *(x == k for x, k in zip(xs, key)))
    val = value(*xs) if callable(value) else value
    return z3.ForAll(xs, post.symbols[name](*xs) == z3.If(hit, val, pre.symbols[name](*xs)))
