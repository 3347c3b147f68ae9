"""Agreement between the Python model and its Z3 encoding, one step at a time.

`Checker(cfg, scope).check(state, action)` compares, for one pre-state and
one action (enabled or rejected), Python's `step` with the Z3 relation:

  * Python accepts and its successor is in scope: the relation admits the
    abstraction of Python's successor and nothing else;
  * Python rejects, or its successor leaves the scope: the relation admits
    no successor at all.

Two ways of asking, with the same step functions of model/symbolic.py:

  * `mode="eval"`: the step functions run on the pre-state's concrete
    values (the encoding is functional: its guard and successor terms are
    evaluated, not searched), fast enough for thousands of steps;
  * `mode="solver"`: Z3 itself is asked, on the assembled relation T of the
    configuration (every action, with its selector, as the proofs and the
    bounded search use it), with the pre-state, action and inputs fixed:
    `T & post == python successor` must be sat (or unsat when rejected), and
    `T & post != python successor` unsat. `bits=W` asks the bit-vector
    relation the bounded search uses.

A disagreement raises `Disagreement` with what differs, key by key.
"""

from __future__ import annotations

import functools
from typing import Optional

import z3

from .actions import Rejected
from .config import Config
from .state import State
from .step import step
from .symbolic import (Encoding, Inputs, Scope, actions, constants, key_name, layout, model_values,
                       numbers, state_eq, to_z3, variables)
from .symbolic_abstraction import Abstraction, OutOfScope, act_of


class Disagreement(AssertionError):
    pass


def inputs_for(ab: Abstraction, state: State, action, act) -> tuple:
    """(pay, ok, days): the relation's inputs for a Python action."""
    pay, ok, days = 0, True, 1
    if act.name == "client_write":
        pay, ok = ab.write_inputs(state, action.at, action.session, action.op)
    elif act.name == "tick":
        days = action.days
    return pay, ok, days


@functools.lru_cache(maxsize=8)
def _solver_system(cfg: Config, scope: Scope, bits: Optional[int]):
    with numbers(bits):
        acts = actions(cfg)
        enc = Encoding(cfg, scope)
        pre, post = variables(cfg, scope, "x!"), variables(cfg, scope, "y!")
        sel = Encoding.selector("sel!", acts)
        inp = Inputs.fresh("in!")
        T = enc.relation(pre, post, sel, inp, acts)
        solver = z3.SolverFor("QF_BV") if bits else z3.SolverFor("QF_LIA")
        solver.add(T)
    return acts, {a: j for j, a in enumerate(acts)}, enc, pre, post, sel, inp, solver


class Checker:
    def __init__(self, cfg: Config, scope: Scope):
        self.cfg, self.scope = cfg, scope
        self.enc = Encoding(cfg, scope)
        self.keys = [k for k, _ in layout(cfg, scope)]

    def check(self, state: State, action, mode: str = "eval", bits: Optional[int] = None) -> str:
        """Compare one step; return "accepted", "rejected" or "out-of-scope"
        (what Python did), or raise Disagreement."""
        cfg = self.cfg
        ab = Abstraction(cfg, self.scope)
        pre = ab.abstract(state)  # OutOfScope propagates: the caller draws in-scope states
        nxt = step(state, action)
        act = act_of(cfg, action)
        if act is None:
            if not isinstance(nxt, Rejected):
                raise Disagreement(f"{action}: Python accepts an action the relation does not have")
            return "rejected"
        pay, ok, days = inputs_for(ab, state, action, act)
        want = None
        verdict = "rejected"
        if not isinstance(nxt, Rejected):
            try:
                want = ab.abstract(nxt)
                verdict = "accepted"
            except OutOfScope:
                verdict = "out-of-scope"
        if mode == "eval":
            self._by_evaluation(pre, act, (pay, ok, days), want, action, nxt)
        else:
            self._by_solver(pre, act, (pay, ok, days), want, action, nxt, bits)
        return verdict

    def _by_evaluation(self, pre, act, inp, want, action, nxt) -> None:
        guard, post = self.enc.step(dict(pre), act, Inputs(*inp))
        if not isinstance(guard, bool):
            raise Disagreement(f"{action}: the guard did not evaluate on a concrete state: {guard}")
        if want is None:
            if guard:
                why = nxt.reason if isinstance(nxt, Rejected) else "its successor leaves the scope"
                raise Disagreement(f"{action}: the relation admits a successor; Python: {why}")
            return
        if not guard:
            raise Disagreement(f"{action}: Python accepts, the relation admits nothing")
        self._compare(action, post, want)

    def _compare(self, action, got: dict, want: dict) -> None:
        diff = {key_name(k): (got[k], want[k]) for k in self.keys
                if got[k] != want[k] or type(got[k]) is not type(want[k])}
        if diff:
            raise Disagreement(f"{action}: successor differs (relation, python): {diff}")

    def _by_solver(self, pre, act, inp, want, action, nxt, bits) -> None:
        acts, index, enc, x, y, sel, ins, solver = _solver_system(self.cfg, self.scope, bits)
        with numbers(bits):
            pin = [state_eq(self.cfg, self.scope, x, constants(self.cfg, self.scope, pre)),
                   sel == index[act], ins.pay == to_z3(inp[0]), ins.ok == z3.BoolVal(inp[1]),
                   ins.days == to_z3(inp[2])]
            solver.push()
            try:
                solver.add(*pin)
                res = solver.check()
                if want is None:
                    if res != z3.unsat:
                        raise Disagreement(f"{action}: Z3 ({res}) admits a successor Python does not")
                    return
                if res != z3.sat:
                    raise Disagreement(f"{action}: Python accepts, Z3 says {res}")
                self._compare(action, model_values(self.cfg, self.scope, solver.model(), y), want)
                solver.add(z3.Not(state_eq(self.cfg, self.scope, y, constants(self.cfg, self.scope, want))))
                res = solver.check()
                if res != z3.unsat:
                    raise Disagreement(f"{action}: Z3 ({res}) admits a second successor")
            finally:
                solver.pop()


def in_scope_moves(state: State, scope: Scope) -> dict:
    """Enabled actions whose successor the scope holds, by action class name
    (a walk picks a name first, so rare steps are not drowned by writes)."""
    from .step import enabled
    by: dict = {}
    for action, nxt in enabled(state):
        try:
            Abstraction(state.config, scope).abstract(nxt)
        except OutOfScope:
            continue
        by.setdefault(type(action).__name__, []).append((action, nxt))
    return by
