"""Properties and invariants as Z3 terms over a system's symbolic state.

A property (properties/catalogue.py) or an auxiliary invariant
(properties/invariants.py) is one definition in the model's language; here
it is run on the symbolic pre-state of a `System` (dirproof/symbolic), once,
and substituted into any other state of the same keys (a step of a path,
the post-state of an obligation). `in_scope` is the encoding's own
well-formedness: every bounded key within its range, so that no value wraps.
"""

from __future__ import annotations

import re
from typing import Any, Callable

import z3
from z3.z3 import _to_expr_ref

from dirproof.properties import PROPERTIES
from dirproof.properties.invariants import INVARIANTS
from dirproof.symbolic import paths as P
from dirproof.symbolic.derive import System, allows_term
from dirproof.symbolic.states import layout
from dirproof.symbolic.terms import lit, to_z3

REPLICATION = tuple(p for p, prop in PROPERTIES.items() if prop.layer == "replication")
AVAILABILITY = tuple(p for p, prop in PROPERTIES.items() if prop.layer == "availability")
SCOPE_ID = "in-scope"


def definition(name: str) -> Callable:
    """The verdict function of a property or an auxiliary invariant."""
    if name in PROPERTIES:
        return PROPERTIES[name].verdict
    return INVARIANTS[name].verdict


_FORMS: dict = {}


def cached(sys: Any, name: str, build: Callable[[], Any]) -> Any:
    """The term `build()` gives for `name` over `sys`, built once per system
    (the replication and the object systems share this cache)."""
    key = (id(sys), name)
    hit = _FORMS.get(key)
    if hit is not None and hit[0] is sys:
        return hit[1]
    term = build()
    _FORMS[key] = (sys, term)
    return term


def form(sys: System, name: str) -> Any:
    """The Z3 term of `name` over the system's pre-state (cached per system)."""
    def build() -> Any:
        if name == SCOPE_ID:
            return in_scope(sys)
        fn = definition(name)
        with sys.numbers():
            return to_z3(P.evaluate(lambda: fn(sys.state, sys.ghost), allows_term))
    return cached(sys, name, build)


_SUBST: dict = {}


def _substitution(sys: System, values: dict) -> tuple:
    """(count, from, to) arrays of the substitution pre-state -> `values`,
    made once per values dict (every form is substituted into the same
    successor: z3.substitute's own checks cost more than the substitution)."""
    key = (id(sys), id(values))
    hit = _SUBST.get(key)
    if hit is not None and hit[0] is sys and hit[1] is values:
        return hit[2]
    pairs = [(sys.pre[k], v if z3.is_expr(v) else _lit(sys, k, v)) for k, v in values.items()
             if z3.is_expr(sys.pre[k]) and not (z3.is_expr(v) and v.eq(sys.pre[k]))]
    src, dst = (z3.Ast * len(pairs))(), (z3.Ast * len(pairs))()
    for i, (a, b) in enumerate(pairs):
        if not a.sort().eq(b.sort()):
            raise TypeError(f"substitution of {a} by {b}: their sorts differ")
        src[i], dst[i] = a.as_ast(), b.as_ast()
    if len(_SUBST) > 64:
        _SUBST.clear()
    arrays = (len(pairs), src, dst, pairs)  # pairs: keeps the terms alive
    _SUBST[key] = (sys, values, arrays)
    return arrays


def at(sys: System, term: Any, values: dict) -> Any:
    """`term` (over the pre-state) with the pre-state keys replaced by `values`' terms."""
    n, src, dst, _ = _substitution(sys, values)
    if not n:
        return term
    return _to_expr_ref(z3.Z3_substitute(term.ctx.ref(), term.as_ast(), n, src, dst), term.ctx)


def _lit(sys: System, key: str, v: Any) -> Any:
    kinds = _kinds(sys)
    with sys.numbers():
        return z3.BoolVal(bool(v)) if kinds[key] == "bool" else lit(int(v), big=kinds[key] == "big")


def _kinds(sys: System) -> dict:
    return cached(sys, " kinds", lambda: dict(layout(sys.cfg, sys.scope)))


_SUFFIX = [(r"\.log\.length$", "L"), (r"roles\.length$", "E1"), (r"\.epoch$", "E"), (r"\.commit$", "L"), (r"\.flushed$", "L"),
           (r"\.lsn$", "L"), (r"\.longest$", "L"), (r"\.session$", "S"), (r"\.replica$", "N"),
           (r"roles\[\d+\]\[\d\]$", "N-"), (r"guard\[\d\]$", "N"), (r"\.count$", "K"),
           (r"^missed\[\d+\]$", "P")]
_SUFFIX += [(r"^images\[\d+\]\[0\]$", "E"), (r"^images\[\d+\]\[1\]$", "L")]  # issue 13: (epoch, commit) of an image


def bounds(sys: System, key: str) -> tuple[int, int]:
    """The range of a bounded key in the scope (every bounded key has one)."""
    cfg, sc = sys.cfg, sys.scope
    n, S = len(cfg.datacenters), cfg.sessions
    table = {"L": (0, sc.log), "E": (0, sc.epochs), "E1": (0, sc.epochs), "S": (-1, S - 1), "N": (0, n - 1),
             "N-": (-1, n - 1), "K": (0, sc.slots), "P": (0, cfg.probe_failures)}
    for pattern, which in _SUFFIX:
        if re.search(pattern, key):
            return table[which]
    raise KeyError(f"no range for the bounded key {key}: say in dirproof/proofs/forms.py what bounds it")


def in_scope(sys: System) -> Any:
    """Every bounded key of the pre-state within its range."""
    parts = []
    with sys.numbers():
        for key, kind in layout(sys.cfg, sys.scope):
            if kind == "int":
                lo, hi = bounds(sys, key)
                v = sys.pre[key]
                parts += [v >= lit(lo, like=v), v <= lit(hi, like=v)]
    return z3.And(*parts)
