"""The Z3 forms of the object properties (design.md §4, 6-8).

Each form is a formula over a symbolic state of model/symbolic_objects.py
that holds exactly when the Python predicate of the same id
(properties/objects.py) returns None on a state of the one-history fragment
whose abstraction it is; tests/test_z3_objects.py checks that on drawn states.

| property               | Z3 form                                                          |
|------------------------|------------------------------------------------------------------|
| soft-delete-restorable | not h_restore; every object still in `deleted` (soft-deleted,    |
|                        | not since restored, deleted for good or recovered) whose age is  |
|                        | below retention is present at the AP and not gone by a purge     |
| no-early-purge         | not h_early                                                      |
| no-resurrection        | an object with an acknowledged tombstone is gone in the AP's and |
|                        | in the PP's view (every replica that holds the tombstone)        |

What no-resurrection's Python form also reads, reads that returned a prefix
holding a tombstone, is not in the fragment (docs/z3.md, object layer).
"""

from __future__ import annotations

from typing import Callable

from dirproof.model.symbolic import AND, EQ, IMPLIES, NOT, OR
from dirproof.model.symbolic_objects import ABSENT, GONE_, ObjectEncoding


def soft_delete_restorable(enc: ObjectEncoding, st: dict):
    parts = [NOT(st[("h", "restore")])]
    for o in range(enc.N):
        d, s = st[("del", o)], st[("a", "st", o)]
        within = AND(d >= 0, st[("day",)] - d < enc.R)
        lost = OR(EQ(s, ABSENT), AND(EQ(s, GONE_), st[("pg", o)]))
        parts.append(IMPLIES(within, NOT(lost)))
    return AND(*parts)


def no_early_purge(enc: ObjectEncoding, st: dict):
    return NOT(st[("h", "early")])


def no_resurrection(enc: ObjectEncoding, st: dict):
    return AND(*(IMPLIES(st[("tomb", o)], AND(EQ(st[("a", "st", o)], GONE_), EQ(st[("p", "st", o)], GONE_)))
                 for o in range(enc.N)))


OBJECT_FORMS: dict[str, Callable] = {
    "soft-delete-restorable": soft_delete_restorable,
    "no-early-purge": no_early_purge,
    "no-resurrection": no_resurrection,
}

OBJECT_SCOPE = tuple(OBJECT_FORMS)


def evaluate(enc: ObjectEncoding, prop: str, values: dict) -> bool:
    out = OBJECT_FORMS[prop](enc, values)
    assert isinstance(out, bool), f"{prop} did not evaluate to a value: {out}"
    return out
