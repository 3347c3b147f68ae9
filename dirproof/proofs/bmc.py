"""Bounded model checking over the derived relation (docs/z3.md).

`bmc(cfg, prop, depth)` asks Z3 for an execution of k = 1, 2, ... steps from
the initial state that breaks `prop`; the first hit is a shortest one. The
scope grows with the depth searched (logs of `depth - 1` entries, since the
last step of a violation is never a write; epochs up to `depth`), so
"shortest" holds among every execution of that many steps. The fault
budget (design.md §2) is assumed on every state of the path unless
`budget=False`. A path Z3 finds is turned into model actions and replayed
on the Python model (`decode`); if it does not replay, or the property does
not break there, the two disagree: `EncodingDisagreement`, never a silent
pass.
"""

from __future__ import annotations

import builtins

import re
import time
from typing import Any, Callable, Optional, Sequence

import attrs
import z3

from dirproof.model import SYSTEM, ClientWrite, Config, Create, Rejected, State, Update, initial_state, step
from dirproof.model.objects import OpContext, view_of
from dirproof.properties import PROPERTIES, broken_assumptions
from dirproof.symbolic.derive import Act, System, fresh_vars, initial_values, system
from dirproof.symbolic.states import Scope
from dirproof.symbolic.terms import lit, substitute

from dirproof.interrupt import OutOfTime, checked

from .forms import AVAILABILITY, REPLICATION, at, form

BITS = 6  # the least bit-vector width of the bounded search (bmc_bits widens it)
SEARCHABLE = REPLICATION + AVAILABILITY


class EncodingDisagreement(AssertionError):
    """A path of the Z3 relation that the Python model does not take, or on
    which the property does not break: the derivation is wrong."""


@attrs.frozen
class Trace:
    """A path found by the bounded search, as Z3 actions and as model actions."""

    acts: tuple
    steps: tuple
    violated_at: int
    message: str
    property: str = ""
    beyond_budget: bool = False


@attrs.frozen
class BmcResult:
    property: str
    depth: int  # the depth searched (the counterexample's length when found)
    trace: Optional[Trace]
    seconds: float
    per_depth: tuple  # (depth, seconds, "sat"/"unsat"/"unknown")
    scope: Scope
    budget: bool = True

    @builtins.property
    def found(self) -> bool:
        return self.trace is not None


def bmc_scope(depth: int) -> Scope:
    return Scope(log=max(1, depth - 1), epochs=max(2, depth))


def bmc_bits(cfg: Config, scope: Scope, depth: int) -> int:
    """A signed width that holds every value of a path of `depth` steps:
    LSNs and lengths (<= L), epochs (<= E), payloads (<= depth + 1),
    logical numbers (<= depth), replica ids, -1, with room for +1."""
    top = max(scope.log, scope.epochs, depth + 2, len(cfg.datacenters), cfg.sessions, scope.slots) + 2
    return max(BITS, top.bit_length() + 1)


_IDX = re.compile(r"(log|acked|roles)\[(\d+)\]")


def _stays_initial(key: str, k: int) -> bool:
    """After k steps a log holds at most k entries (so does the ledger) and
    at most k + 1 epochs have started: those keys keep their initial value."""
    m = _IDX.search(key)
    if m is None:
        return False
    j = int(m.group(2))
    return j >= k + 1 if m.group(1) == "roles" else j >= k


class Unroller:
    """States s_0 .. s_k of one configuration and scope, with the steps between."""

    def __init__(self, cfg: Config, scope: Scope, bits: Optional[int] = None, budget: bool = True,
                 depth: Optional[int] = None):
        bits = bits or bmc_bits(cfg, scope, depth if depth is not None else scope.epochs)
        self.sys: System = system(cfg, scope, bits, "same", False)
        self.cfg, self.scope, self.budget = cfg, scope, budget
        init = initial_values(cfg, scope)
        with self.sys.numbers():
            self.states = [{k: self._lit(k, v) for k, v in init.items()}]
            _, _, self.post = fresh_vars(cfg, scope, "post!")
            self.sel = self.sys.selector("sel!")
        self.T = self.sys.relation(self.post, self.sel)
        self.sels: list = []
        self.solver = z3.SolverFor("QF_BV")

    def _lit(self, key: str, v: object) -> object:
        return z3.BoolVal(v) if isinstance(v, bool) else lit(int(v), like=self.sys.pre[key])  # type: ignore

    def extend(self) -> None:
        k = len(self.sels)
        sys = self.sys
        with sys.numbers():
            _, _, nxt = fresh_vars(self.cfg, self.scope, f"s{k + 1}!")
            for key in nxt:
                if _stays_initial(key, k + 1):
                    nxt[key] = self.states[0][key]
            sel = sys.selector(f"a{k}!")
            sub = [(sys.pre[key], self.states[k][key]) for key in sys.pre]
            sub += [(self.post[key], nxt[key]) for key in sys.pre]
            sub += [(self.sel, sel), (sys.inp.pay, lit(k + 1, big=True)), (sys.inp.ok, z3.BoolVal(True))]
            self.solver.add(substitute(self.T, sub))
            if self.budget:
                self.solver.add(z3.Not(nxt["budget.exceeded"]))
        self.states.append(nxt)
        self.sels.append(sel)

    def bad(self, prop: str, k: int) -> z3.BoolRef:
        return z3.Not(at(self.sys, form(self.sys, prop), self.states[k]))

    def check(self, goal: z3.BoolRef, timeout: Optional[float] = None) -> z3.CheckSatResult:
        """sat/unsat of the path so far ending in `goal` (unknown on timeout, seconds)."""
        flag = z3.FreshBool("goal")
        self.solver.add(z3.Implies(flag, goal))
        return checked(self.solver, flag, timeout=timeout)

    def acts_in(self, model: z3.ModelRef) -> list[Act]:
        return [self.sys.acts[model.eval(s, model_completion=True).as_long()] for s in self.sels]


def bmc(cfg: Config, prop, depth: int = 8, budget: bool = True, seconds: Optional[float] = None,
        progress: Optional[Callable] = None, scope: Optional[Scope] = None) -> BmcResult:
    """Search every execution of up to `depth` steps for one that breaks
    `prop` (a property id, or a tuple of them: then the first execution that
    breaks any); the first hit is a shortest one. With `seconds`, stop (held
    to the depth completed) when the budget is spent."""
    props = (prop,) if isinstance(prop, str) else tuple(prop)
    for p in props:
        if p not in SEARCHABLE:
            raise ValueError(f"{p} has no form in the replication encoding; its properties: {', '.join(SEARCHABLE)}")
    t0 = time.perf_counter()
    scope = scope or bmc_scope(depth)
    un = Unroller(cfg, scope, None, budget, depth)
    found, k, per, done = levels(un, props, depth, seconds, progress, "depth",
                                 lambda m: decode(cfg, un.acts_in(m), props))
    if found is not None:
        return BmcResult(found.property, k, found, time.perf_counter() - t0, per, scope, budget)
    return BmcResult(props[0], done, None, time.perf_counter() - t0, per, scope, budget)


def levels(un: Any, props: tuple, depth: int, seconds: Optional[float], progress: Optional[Callable],
           what: str, decode_model: Callable[[z3.ModelRef], Any]) -> tuple:
    """Unroll `un` one step at a time and ask, at each depth k, for a path
    ending in a state that breaks one of `props` (`un.bad(p, k)`), through
    the interruptible `un.check`: (the decoded first hit or None, its depth,
    the per-depth record, the depth completed). The first hit is a
    shortest one; a timeout or the budget's end stops it, held to the depth
    completed. Shared by the replication and the object searches."""
    t0 = time.perf_counter()
    per: list = []
    done = 0
    for k in range(1, depth + 1):
        left = None if seconds is None else seconds - (time.perf_counter() - t0)
        if left is not None and k > 1 and left <= 0:
            break
        t1 = time.perf_counter()
        un.extend()
        try:
            res = un.check(z3.Or(*[un.bad(p, k) for p in props]),
                           timeout=None if left is None or k == 1 else max(left, 1.0))
        except OutOfTime:
            break  # the run's deadline: held to the depth completed, as on a timeout
        per.append((k, time.perf_counter() - t1, str(res)))
        if progress:
            progress(k, depth, f"{', '.join(props)}: {what} {k} {res}")
        if res == z3.sat:
            return decode_model(un.solver.model()), k, tuple(per), done
        if res != z3.unsat:
            break
        done = k
    return None, None, tuple(per), done


# --------------------------------------------------------------------------- from Z3 actions to model actions

def _op_for(state: State, at_: int, session: int, used: set):
    """An operation the object layer accepts at `at_`, whose entry differs
    from every entry written before with the same (epoch, lsn, origin,
    session, logical, day): the Z3 search gave every write its own payload."""
    cfg = state.config
    rep = state.replicas[at_]
    view = view_of(cfg, rep.log, at_)
    ctx = OpContext(cfg, state.day, state.snapshots)
    logical = state.sessions[session].logical if session != SYSTEM else 0
    key = (rep.epoch, len(rep.log) + 1, at_, session, logical, state.day)
    ops: list[Any] = [Create(o) for o in range(cfg.objects)]
    ops += [Update(o, a, v) for o in range(cfg.objects) for a in range(cfg.attributes) for v in range(cfg.values)]
    fallback = None
    for op in ops:
        if op.refuse(view, ctx) is None:
            if (key, op) not in used:
                used.add((key, op))
                return op
            fallback = fallback or op
    return fallback


def to_action(state: State, act: Act, used: set):
    if act.name == "client_write":
        op = _op_for(state, act.args[0], act.args[1], used)
        return None if op is None else ClientWrite(act.args[0], act.args[1], op)
    return act.action()


def replay_path(cfg: Config, acts: Sequence[Act]) -> tuple[list, list]:
    state = initial_state(cfg)
    steps: list = []
    states, used = [state], set[tuple]()
    for i, act in enumerate(acts, 1):
        action = to_action(state, act, used)
        nxt = step(state, action) if action is not None else Rejected("no operation is accepted")
        if isinstance(nxt, Rejected):
            raise EncodingDisagreement(f"the Z3 path does not replay: step {i} {act.text(cfg)} is rejected by "
                                       f"the model ({nxt.reason})")
        steps.append(action)
        states.append(nxt)
        state = nxt
    return steps, states


def decode(cfg: Config, acts: Sequence[Act], props) -> Trace:
    """Turn a Z3 path into model actions and replay it on the Python model:
    each step must be accepted, and the Python form of one of `props` must
    break after the last one (else the encodings disagree)."""
    props = (props,) if isinstance(props, str) else tuple(props)
    steps, states = replay_path(cfg, acts)
    for prop in props:
        msg = PROPERTIES[prop].check(states[-1])
        if msg is not None:
            return Trace(tuple(acts), tuple(steps), len(acts), msg, prop, bool(broken_assumptions(states[-1])))
    raise EncodingDisagreement(f"the Z3 path of {len(acts)} steps breaks none of {', '.join(props)} on the model")
