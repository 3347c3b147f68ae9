"""The object layer's transition relation over one history, derived.

For every object action (objects_state.py `object_actions`: each operation
on each object, an update per attribute, a tick) `object_system` runs the
step itself (`objects_state.run`: the model's `check`, `apply_entry`,
the monitors, `advance`) on a symbolic pre-state with symbolic inputs (an
update's value, a recovery's snapshot day and attributes, a tick's days:
any values), explores its paths (dirproof/symbolic/paths.py) and merges
them into one guard and one successor term per key (derive.merge), as the
replication relation is derived. Integers are unbounded (days grow
without limit); the configuration bounds objects, attributes, values and
snapshots kept. The properties' and invariants' forms are their
definitions run on the symbolic pre-state (`form`), substituted into any
other state of the same keys (`at`).
"""

from __future__ import annotations

import functools
import time
from typing import Any, Iterable, Optional

import attrs
import z3

from dirproof.model import Config
from dirproof.model.algebra import AND, EQ, ITE, OR
from dirproof.properties.object_invariants import OBJECT_INVARIANTS
from dirproof.properties.objects import OBJECT_FORMS
from dirproof.symbolic import paths as P
from dirproof.symbolic.derive import merge
from dirproof.symbolic.terms import numbers, substitute, to_z3

from . import objects_state as S
from .forms import SCOPE_ID, cached



def _var(prefix: str) -> Any:
    def leaf(key: str, kind: str) -> Any:
        return z3.Bool(prefix + key) if kind == "bool" else z3.Int(prefix + key)
    return leaf


def fresh(cfg: Config, prefix: str) -> tuple[S.ObjectState, dict]:
    """A symbolic object state of fresh constants `<prefix><key>`, and its keys."""
    st = S.rebuild(cfg, _var(prefix))
    return st, S.flatten(cfg, st)


def fresh_inputs(cfg: Config, prefix: str) -> S.OInputs:
    return S.OInputs(z3.Int(prefix + "value"), z3.Int(prefix + "rday"),
                     tuple(z3.Int(f"{prefix}rattr{i}") for i in range(cfg.attributes)), z3.Int(prefix + "days"))


def derive(cfg: Config, act: S.OAct, state: S.ObjectState, inp: S.OInputs, pre: dict) -> tuple[Any, dict]:
    """(guard, successor keys) of one object action from a symbolic pre-state."""
    found = P.run(lambda: S.run(cfg, state, act, inp))
    with P.active():
        cases = [(p.condition, AND(p.guard, p.scope), S.flatten(cfg, p.result)) for p in found]
        return merge(pre, cases) if cases else (False, pre)


@attrs.frozen(eq=False)
class ObjectSystem:
    """The relation of one configuration, per object action."""

    cfg: Config
    acts: tuple
    state: S.ObjectState
    pre: dict
    inp: S.OInputs
    cases: tuple  # (guard, post) per action
    seconds: float

    def relation(self, post: dict, sel: Any, only: Optional[Iterable[int]] = None) -> Any:
        """T(pre, post): `sel` (an Int) is the index in acts of the action taken."""
        idx = list(range(len(self.acts))) if only is None else list(only)
        with numbers(None, None), P.active():
            guard = OR(*(AND(sel == j, self.cases[j][0]) for j in idx))
            frame = []
            for k, v0 in self.pre.items():
                v = v0
                for j in idx:
                    t = self.cases[j][1][k]
                    if t is not v0:
                        v = ITE(sel == j, t, v)
                frame.append(EQ(post[k], v))
            return to_z3(AND(guard, *frame))

    def inputs(self) -> list:
        return [self.inp.value, self.inp.rday, *self.inp.rattrs, self.inp.days]


@functools.lru_cache(maxsize=16)
def object_system(cfg: Config) -> ObjectSystem:
    """Build (once) the relation over every object action of `cfg`."""
    t0 = time.perf_counter()
    with numbers(None, None):
        acts = tuple(S.object_actions(cfg))
        state, pre = fresh(cfg, "opre!")
        inp = fresh_inputs(cfg, "oin!")
        cases = tuple(derive(cfg, a, state, inp, pre) for a in acts)
    return ObjectSystem(cfg, acts, state, pre, inp, cases, time.perf_counter() - t0)


def definition(name: str) -> Any:
    if name in OBJECT_FORMS:
        return OBJECT_FORMS[name]
    return OBJECT_INVARIANTS[name].verdict


def form(sys: ObjectSystem, name: str) -> Any:
    """The Z3 term of a property or invariant over the system's pre-state."""
    def build() -> Any:
        if name == SCOPE_ID:
            return in_scope(sys)
        fn = definition(name)
        with numbers(None, None):
            return to_z3(P.evaluate(lambda: fn(sys.cfg, sys.state)))
    return cached(sys, name, build)


def in_scope(sys: ObjectSystem) -> Any:
    """The encoding's own ranges: every status is one of the four, the
    number of kept snapshots within the configuration's."""
    parts = []
    for k, v in sys.pre.items():
        if k.endswith(".status"):
            parts += [v >= 0, v <= 3]
    n = sys.pre["snaps.length"]
    return z3.And(*parts, n >= 0, n <= sys.cfg.snapshots_kept)


def at(sys: ObjectSystem, term: Any, values: dict) -> Any:
    """`term` over the pre-state with its keys replaced by `values` (terms or plain values)."""
    kinds = dict(S.layout(sys.cfg))
    pairs = []
    for k, v in values.items():
        if z3.is_expr(v):
            if not v.eq(sys.pre[k]):
                pairs.append((sys.pre[k], v))
        else:
            pairs.append((sys.pre[k], z3.BoolVal(bool(v)) if kinds[k] == "bool" else z3.IntVal(int(v))))
    return substitute(term, pairs)


def literals(cfg: Config, values: dict) -> dict:
    """Z3 literals for plain values of the keys."""
    kinds = dict(S.layout(cfg))
    return {k: (v if z3.is_expr(v) else z3.BoolVal(bool(v)) if kinds[k] == "bool" else z3.IntVal(int(v)))
            for k, v in values.items()}
