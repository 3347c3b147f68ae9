"""Checking the derived relation against the Python model, step by step.

`disagreement(sys, state, action)` runs one model step in Python and asks Z3
whether the derived relation says the same thing from the same pre-state:
the Python successor satisfies it, and no other successor does; or, when
Python rejects the step, the relation admits no successor at all. States
and steps outside the scope are skipped (the relation cuts them on
purpose), except that the relation must then refuse the step too.

`steered_states(cfg)` are the states where the guards decide: every state
on the hand-written flaw scenarios (tests/scenarios.py) run on the given
design, which reach a deposed AP replicating, a rejoin with a divergent
suffix, a failover with an unsynchronised PP, a lagging read, ...
"""

from __future__ import annotations

import random

import attrs
from typing import Optional

import z3

from dirproof.model import ClientWrite, Rejected, State, Write, candidates, initial_state, step
from dirproof.model.algebra import Refused
from dirproof.properties.monitors import watch
from dirproof.symbolic.derive import Act, System
from dirproof.symbolic.states import OutOfScope, Payloads, abstract
from dirproof.symbolic.terms import lit, substitute
from scenarios import EXTRA_SCENARIOS, SCENARIOS


def act_of(sys: System, action) -> Optional[int]:
    """The index in sys.acts of a model action (None: the relation has no such action)."""
    spec_cls = type(action)
    fields = [f for f, k in zip(_fields(action), _kinds(sys, spec_cls)) if k != "op"]
    for j, a in enumerate(sys.acts):
        if a.spec.action is spec_cls and tuple(getattr(action, f) for f in fields) == a.args:
            return j
    return None


def _fields(action) -> list[str]:
    import attrs
    return [f.name for f in attrs.fields(type(action))]


def _kinds(sys: System, cls) -> tuple:
    from dirproof.model import SPECS
    return SPECS[cls].over


def _object_layer_accepts(state: State, action) -> bool:
    try:
        action.op.admit_static(state.config, action.session)
        action.op.admit(state, action.at)
        return True
    except Refused:
        return False


def _pre(sys: System, state: State, ghost) -> tuple:
    """(keys, payload numbers, substitution pairs) of a pre-state, made once
    per state: every candidate action of a state is checked from it."""
    key = (id(sys), id(state), id(ghost))
    hit = _PRE.get(key)
    if hit is not None and hit[0] is sys and hit[1] is state and hit[2] is ghost:
        return hit[3]
    pay = Payloads()
    try:
        pre = abstract(state, ghost if ghost is not None else watch(state), sys.scope, pay)
    except OutOfScope:
        pre = None
    with sys.numbers():
        pairs = [] if pre is None else [(sys.pre[k], _lit(sys, k, v)) for k, v in pre.items()
                                        if z3.is_expr(sys.pre[k])]
    if len(_PRE) > 8:
        _PRE.clear()
    _PRE[key] = (sys, state, ghost, (pre, pay.numbers, pairs))
    return _PRE[key][3]


_PRE: dict = {}


def disagreement(sys: System, state: State, action, ghost=None) -> Optional[str]:
    """None when the relation and the model agree on this step, else why not."""
    j = act_of(sys, action)
    nxt = step(state, action)
    pre, numbers, pre_pairs = _pre(sys, state, ghost)
    if pre is None:
        return None
    pay = Payloads()
    pay.numbers = dict(numbers)
    if j is None:
        from dirproof.model import SPECS
        from dirproof.symbolic.derive import encoded
        if isinstance(nxt, Rejected):
            return None
        if encoded(SPECS[type(action)]):
            return f"{action} is accepted but has no action in the relation"
        same = abstract(nxt, watch(nxt), sys.scope, pay) == pre
        return None if same else f"{action} changes the encoded state but is a stutter in the relation"
    inputs = [(sys.inp.ok, z3.BoolVal(True)), (sys.inp.pay, lit(0, big=True) if sys.big is None else
                                               z3.BitVecVal(0, sys.big))]
    if isinstance(action, ClientWrite):
        w = pay(Write(action.op, action.at, state.day))
        with sys.numbers():
            inputs = [(sys.inp.ok, z3.BoolVal(_object_layer_accepts(state, action))),
                      (sys.inp.pay, lit(w, big=True))]
    post_vals = None
    if not isinstance(nxt, Rejected):
        try:
            post_vals = abstract(nxt, watch(nxt), sys.scope, pay)
        except OutOfScope:
            post_vals = None
    with sys.numbers():
        guard, post = sys.cases[j]
        sub = pre_pairs + inputs
        g = z3.simplify(substitute(guard, sub))
        if isinstance(nxt, Rejected) or post_vals is None:
            if not z3.is_false(g):
                why = "rejected" if isinstance(nxt, Rejected) else "out of scope"
                return f"{action}: the model says {why}, the relation's guard is {g}"
            return None
        if not z3.is_true(g):
            return f"{action}: the model accepts, the relation's guard is {g}"
        want = _successor_term(sys, j)
        sub += [(want[1][k], _lit(sys, k, v)) for k, v in post_vals.items()]
        if z3.is_true(z3.simplify(substitute(want[0], sub))):
            return None
        for k, v in post_vals.items():
            # (a key the derivation folded to a constant is a plain value)
            term = post[k] if z3.is_expr(post[k]) else _lit(sys, k, post[k])
            got = z3.simplify(substitute(term, sub))
            if not z3.eq(got, _lit(sys, k, v)):
                return f"{action}: {k} is {v} in the model, {got} in the relation"
        return f"{action}: the successors differ"
    return None


# Both caches keep the System they were made from: a key of id(sys) alone
# would be reused by a new system built after system.cache_clear() (the
# wrong-translation tests), which would then be compared with the old terms.
_SUCC: dict = {}


def _successor_term(sys: System, j: int):
    """post_j(pre) == P, key by key, over fresh variables P (cached)."""
    key = (id(sys), j)
    if key not in _SUCC or _SUCC[key][0] is not sys:
        from dirproof.symbolic.derive import fresh_vars
        with sys.numbers():
            _, _, want = fresh_vars(sys.cfg, sys.scope, f"want{j}!")
            post = sys.cases[j][1]
            _SUCC[key] = (sys, (z3.And(*[_b(post[k]) == want[k] for k in want]), want))
    return _SUCC[key][1]


def _b(x):
    return z3.BoolVal(x) if isinstance(x, bool) else x


_KINDS: dict = {}


def _lit(sys: System, key: str, v):
    from dirproof.symbolic.states import layout
    if id(sys) not in _KINDS or _KINDS[id(sys)][0] is not sys:
        _KINDS[id(sys)] = (sys, dict(layout(sys.cfg, sys.scope)), {})
    _, kinds, made = _KINDS[id(sys)]
    term = made.get((key, v))
    if term is None:
        term = made[(key, v)] = (z3.BoolVal(bool(v)) if kinds[key] == "bool"
                                 else lit(int(v), like=sys.pre[key]))
    return term


def steered_states(cfg, flaws=None) -> list[State]:
    """Every distinct state on the scenarios of `flaws` (all by default), run
    on `cfg` (rejected steps skipped)."""
    scen = [(f, st) for f, (_, st, o) in SCENARIOS.items() if not o]
    scen += [(f, st) for f, _, st, o in EXTRA_SCENARIOS.values() if not o]
    out, seen = [], set()
    for flaw, steps in scen:
        if flaws is not None and flaw not in flaws:
            continue
        s = initial_state(cfg)
        for a in [None, *steps]:
            nxt = s if a is None else step(s, a)
            if isinstance(nxt, Rejected):
                continue
            s = nxt
            key = (attrs.evolve(s, history=()), watch(s))
            if key not in seen:
                seen.add(key)
                out.append(s)
    return out


def walk_states(cfg, walks: int, length: int, seed: int) -> list[State]:
    rnd = random.Random(seed)
    out = []
    for _ in range(walks):
        s = initial_state(cfg)
        for _ in range(length):
            moves = [(a, n) for a in candidates(s) for n in [step(s, a)] if not isinstance(n, Rejected)]
            if not moves:
                break
            s = rnd.choice(moves)[1]
            out.append(s)
    return out


def encodable(s: State) -> State:
    """The state as the replication encoding sees it: the tombstone lifetime's
    fields (model/tombstones.py) are left out with the clock, at values where
    its guard does not refuse (every replica in contact today, nothing
    collected). The guard only refuses, so the relation allows more than the
    model; tests/test_tombstones.py checks the guard on the model itself, and
    tests/test_lifecycle_z3.py the relation that does see these fields (the
    object layer with a returning secondary, dirproof/proofs/lifecycle.py)."""
    return attrs.evolve(s, contact=(s.day,) * len(s.replicas), collected=0)


def first_disagreement(sys: System, states: list[State], kinds: Optional[tuple] = None) -> Optional[str]:
    """Every candidate action from every state (accepted or not), of the
    given action classes (all by default); of the client writes, one the
    object layer accepts and one it refuses per (replica, writer): the
    relation sees an operation only through that verdict and its payload."""
    for s in map(encodable, states):
        ghost = watch(s)
        seen = set()
        for action in (candidates(s) if kinds is None else candidates(s, kinds)):
            if isinstance(action, ClientWrite):
                key = (action.at, action.session, _object_layer_accepts(s, action))
                if key in seen:
                    continue
                seen.add(key)
            why = disagreement(sys, s, action, ghost)
            if why:
                return why
    return None


__all__ = ["Act", "act_of", "disagreement", "first_disagreement", "steered_states", "walk_states"]
