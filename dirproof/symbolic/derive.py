"""The transition relation, derived from the model's steps (model/next.py).

For every step of `NEXT` that changes what the replication encoding holds,
and every tuple of its arguments, `System` runs the step function itself on
a symbolic pre-state (paths.py), feeds the events it records to the
monitors (properties/monitors.py), and merges the paths into one guard and
one successor term per key (states.py). The frame is derived: a key that no
path changes keeps its pre-state term. Two things are inputs, not derived:

* the object layer's verdict on a client write and the write's payload
  (`Oracle`): the replication encoding leaves every object-layer behaviour
  open (the object layer has its own encoding);
* a tick, which changes only the clock and the snapshots, is a stutter
  here (its `modifies` misses every encoded field), so it is left out.
"""

from __future__ import annotations

import functools
import time
from typing import Any, Iterable, Optional, Sequence

import attrs
import z3

from dirproof.model import NEXT, SYSTEM, Config, StepSpec, initial_state
from dirproof.model.algebra import AND, EQ, ITE, OR, require
from dirproof.properties.monitors import Ghost, fresh as fresh_ghost
from dirproof.properties.monitors import observe_all

from . import paths as P
from .states import Scope, abstract, flatten, layout, rebuild
from .terms import is_term, lit, num_sort, numbers, to_z3

ENCODED = frozenset({"replicas", "orchestrator", "sessions", "links", "budget", "history", "missed",
                     "images"})  # (issue 13: a replica's last image, which a flawed restore reads)


@attrs.frozen(eq=False)
class Oracle:
    """A client write's operation in the replication encoding: the object
    layer's verdict `ok` and the entry's payload `pay` are inputs."""

    pay: Any
    ok: Any

    def admit_static(self, config: Config, session: int) -> None:
        return None

    def admit(self, state: Any, at: int) -> None:
        require(self.ok, "the object layer refuses the operation")

    def write(self, origin: int, day: Any) -> Any:
        return self.pay


@attrs.frozen
class Act:
    """One concrete action of the relation: a step and its enumerable arguments."""

    spec: StepSpec
    args: tuple

    @property
    def name(self) -> str:
        return self.spec.name

    def action(self, op: Any = None) -> Any:
        """The model action (an op input filled in with `op`)."""
        vals, it = [], iter(self.args)
        for kind in self.spec.over:
            vals.append(op if kind == "op" else next(it))
        return self.spec.action(*vals)

    def text(self, cfg: Config) -> str:
        def show(kind: str, v: Any) -> str:
            if kind == "replica":
                return cfg.name_of(v)
            if kind == "writer":
                return "system" if v == SYSTEM else f"session {v}"
            if kind == "region":
                return cfg.regions[v]
            return f"session {v}" if kind == "session" else str(v)
        kinds = [k for k in self.spec.over if k != "op"]
        return f"{self.name}({', '.join(show(k, v) for k, v in zip(kinds, self.args))})"


def encoded(spec: StepSpec) -> bool:
    return bool(set(spec.modifies) & ENCODED)


def actions(cfg: Config, system_writes: bool = True) -> list[Act]:
    out = []
    for spec in NEXT:
        if not encoded(spec):
            continue
        for args in spec.arguments(cfg):
            if spec.name == "client_write" and args[1] == SYSTEM and not system_writes:
                continue
            out.append(Act(spec, args))
    return out


@attrs.frozen
class Inputs:
    pay: Any
    ok: Any

    @staticmethod
    def fresh(prefix: str) -> "Inputs":
        return Inputs(z3.Const(prefix + "pay", num_sort(True)), z3.Bool(prefix + "ok"))


def _run_step(act: Act, state: Any, inp: Inputs) -> Any:
    vals, it = [], iter(act.args)
    for kind in act.spec.over:
        vals.append(Oracle(inp.pay, inp.ok) if kind == "op" else next(it))
    return act.spec.run(state, *vals)


def allows_term(state: Any, action: Any) -> Any:
    """The guard of a model action on a symbolic state (scope bounds left out):
    what model/next.py `allows` means in a symbolic run."""
    spec = next(s for s in NEXT if s.action is type(action))
    fields = [getattr(action, f.name) for f in attrs.fields(type(action))]
    found = P.run(lambda: spec.run(state, *fields), allows_term, P.enclosing_memo())
    with P.active():
        return OR(*(AND(p.condition, p.guard) for p in found))


def derive(act: Act, state: Any, ghost: Ghost, inp: Inputs, scope: Scope, pre: dict) -> tuple[Any, dict]:
    """(guard, successor keys) of one action from a symbolic pre-state."""
    found = P.run(lambda: _run_step(act, state, inp), allows_term)
    if not found:
        return False, pre
    events = _merged_events(found)
    if events is not None:
        watched = P.run(lambda: observe_all(ghost, events, found[0].result))
        if len(watched) == 1:
            g, bound = watched[0].result, watched[0].scope
            with P.active():
                cases = [(p.condition, AND(p.guard, p.scope), flatten(p.result, g, scope)) for p in found]
                guard, post = merge(pre, cases)
                return AND(guard, bound), post
    return _derive_per_path(found, ghost, scope, pre)


def _merged_events(found: list) -> Optional[list]:
    """The events of every path, merged position by position (when every
    path records events of the same kinds), so the monitors run once."""
    lists = [p.result.history for p in found]
    if any(len(h) != len(lists[0]) for h in lists):
        return None
    out = []
    with P.active():
        for j in range(len(lists[0])):
            evs = [h[j] for h in lists]
            if any(type(e[1]) is not type(evs[0][1]) for e in evs):
                return None
            when, ev = evs[-1]
            for p, (w, e) in zip(reversed(found[:-1]), reversed(evs[:-1])):
                when, ev = ITE(p.condition, w, when), ITE(p.condition, e, ev)
            out.append((when, ev))
    return out


def _derive_per_path(found: list, ghost: Ghost, scope: Scope, pre: dict) -> tuple[Any, dict]:
    cases = []
    for p in found:
        watched = P.run(lambda p=p: observe_all(ghost, p.result.history, p.result))
        for w in watched:
            with P.active():
                cases.append((AND(p.condition, w.condition), AND(p.guard, p.scope, w.scope),
                              flatten(p.result, w.result, scope)))
    with P.active():
        return merge(pre, cases)


def merge(pre: dict, cases: list[tuple[Any, Any, dict]]) -> tuple[Any, dict]:
    """One (guard, successor) from paths whose conditions exclude each other."""
    guard = OR(*(AND(c, g) for c, g, _ in cases))
    post = dict(pre)
    changed = [k for k in pre if any(p[k] is not pre[k] for _, _, p in cases)]
    for k in changed:
        v = cases[-1][2][k]
        for c, _, p in reversed(cases[:-1]):
            v = ITE(c, p[k], v)
        post[k] = v
    return guard, post


def fresh_vars(cfg: Config, scope: Scope, prefix: str) -> tuple[Any, Ghost, dict]:
    """A symbolic state and ghost of fresh constants named `<prefix><key>`."""
    def var(key: str, kind: str, v: Any) -> Any:
        return z3.Bool(prefix + key) if kind == "bool" else z3.Const(prefix + key, num_sort(kind == "big"))
    state, ghost = rebuild(cfg, scope, var)
    return state, ghost, flatten(state, ghost, scope)


def from_values(cfg: Config, scope: Scope, values: dict) -> tuple[Any, Ghost, dict]:
    """A symbolic state whose leaves are the literals of `values`."""
    kinds = dict(layout(cfg, scope))

    def const(key: str, kind: str, v: Any) -> Any:
        x = values[key]
        return bool(x) if kinds[key] == "bool" else lit(int(x), big=kinds[key] == "big")
    state, ghost = rebuild(cfg, scope, const)
    return state, ghost, flatten(state, ghost, scope)


def initial_values(cfg: Config, scope: Scope) -> dict:
    return abstract(initial_state(cfg), fresh_ghost(cfg.sessions), scope)


@attrs.frozen(eq=False)
class System:
    """The relation of one configuration and scope, per action."""

    cfg: Config
    scope: Scope
    bits: Optional[int]
    big: Optional[int]
    acts: tuple
    state: Any
    ghost: Ghost
    pre: dict
    inp: Inputs
    cases: tuple  # (guard, post) per action
    seconds: float

    @property
    def keys(self) -> list[str]:
        return list(self.pre)

    def numbers(self) -> numbers:
        return numbers(self.bits, self.big)

    def relation(self, post: dict, sel: Any, only: Optional[Iterable[int]] = None) -> Any:
        """T(pre, post): `sel` names the action taken (its index in acts)."""
        idx = list(range(len(self.acts))) if only is None else list(only)
        guard, succ = self.successor(sel, idx, select=True)
        with self.numbers(), P.active():
            return to_z3(AND(guard, *(EQ(post[k], succ[k]) for k in self.pre)))

    def successor(self, sel: Any, only: Sequence[int], select: bool = False) -> tuple[Any, dict]:
        """(guard, successor terms) of the actions `only`, `sel` naming the
        one taken (unless there is one and not `select`): the relation
        without post-state constants, for goals stated over the successor."""
        idx = list(only)
        pick = (lambda j: sel_is(sel, j)) if select or len(idx) > 1 else (lambda j: True)
        with self.numbers(), P.active():
            guard = OR(*(AND(pick(j), self.cases[j][0]) for j in idx))
            post = {}
            for k, v in self.pre.items():
                for j in idx:
                    t = self.cases[j][1][k]
                    if t is not self.pre[k]:
                        v = ITE(pick(j), t, v)
                post[k] = v
            return to_z3(guard), post

    def selector(self, name: str) -> Any:
        if self.bits is None:
            return z3.Int(name)
        return z3.BitVec(name, max(1, (len(self.acts) - 1).bit_length()))


def sel_is(sel: Any, j: int) -> Any:
    if isinstance(sel, z3.BitVecRef):
        return sel == z3.BitVecVal(j, sel.size())
    return sel == j


@functools.lru_cache(maxsize=16)
def system(cfg: Config, scope: Scope, bits: Optional[int], big: Any = "same", system_writes: bool = True) -> System:
    """Build (once) the relation over every encoded action of `cfg`."""
    t0 = time.perf_counter()
    with numbers(bits, big) as nb:
        acts = tuple(actions(cfg, system_writes))
        state, ghost, pre = fresh_vars(cfg, scope, "pre!")
        inp = Inputs.fresh("in!")
        cases = tuple(derive(a, state, ghost, inp, scope, pre) for a in acts)
    return System(cfg, scope, nb.bits, nb.big, acts, state, ghost, pre, inp, cases, time.perf_counter() - t0)


def cases_on(sys: System, values: dict, inp: Inputs, only: Sequence[int]) -> list[tuple[Any, dict]]:
    """The (guard, post) of the actions `only` from a pre-state of given values
    (literals: the derivation then computes plain values where it can)."""
    with sys.numbers():
        state, ghost, pre = from_values(sys.cfg, sys.scope, values)
        return [derive(sys.acts[j], state, ghost, inp, sys.scope, pre) for j in only]


__all__ = ["Act", "Inputs", "Oracle", "Scope", "System", "actions", "allows_term", "cases_on", "derive",
           "encoded", "fresh_vars", "from_values", "initial_values", "is_term", "merge", "system"]
