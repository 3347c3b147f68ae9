"""Inductive proofs over the derived relation: initiation and consecution.

`induction(cfg, scope, names)` checks that the conjunction of the named
invariants and properties (with the encoding's `in-scope` ranges) holds
initially and is preserved by every step: one obligation per (conjunct,
step), Inv & within budget & T_step => conjunct'. A failing obligation
reads "`X` is not preserved by `step`" and carries a counterexample to
induction: the two states, shown as model states (show.py). `steps=` and
`only=` check one step or one conjunct alone (the hypothesis is still the
whole conjunction).

Symmetry: the relation and the invariants treat replicas alike up to the
topology (regions), so with `symmetry` the pre-state's (AP, PP) is fixed to
one representative per orbit of the topology's symmetries (for `entra`: one
orbit, AP = A1 and PP = B1), one query each. This needs `shape` (roles in
range) among the conjuncts.
"""

from __future__ import annotations

import itertools
import time
from typing import Callable, Optional, Sequence

import attrs
import z3

from dirproof.model import Config
from dirproof.model.algebra import AND, EQ, OR
from dirproof.symbolic import paths as P
from dirproof.symbolic.derive import System, fresh_vars, initial_values, system
from dirproof.symbolic.states import Scope
from dirproof.symbolic.terms import to_z3, value_of

from dirproof.interrupt import checked

from .forms import SCOPE_ID, at, form

PROOF_SCOPE = Scope(log=3, epochs=3)


def request_scope(request) -> Scope:
    """The scope an engine request asks for (`--scope L E`), else PROOF_SCOPE."""
    scope = getattr(request, "scope", None)
    return PROOF_SCOPE if scope is None else Scope(log=scope[0], epochs=scope[1])


def proof_bits(cfg: Config, scope: Scope) -> int:
    """A bit-vector width that holds every scope-bounded value (and -1) with room for +1."""
    top = max(scope.log, scope.epochs, len(cfg.datacenters), cfg.sessions, scope.slots) + 2
    return top.bit_length() + 1


@attrs.frozen
class Obligation:
    """Consecution of one conjunct over one step: Inv & T_step => conjunct'."""

    invariant: str
    step: str
    status: str  # "preserved", "broken" or "unknown"
    seconds: float
    cti: Optional[tuple] = None  # (pre values, action text, post values) when broken

    def text(self) -> str:
        if self.status == "preserved":
            return f"`{self.invariant}` is preserved by `{self.step}`"
        if self.status == "broken":
            return f"`{self.invariant}` is not preserved by `{self.step}`"
        return f"`{self.invariant}` over `{self.step}`: Z3 says {self.status}"


@attrs.frozen
class InductionReport:
    cfg: Config
    scope: Scope
    invariants: tuple
    initiation: tuple  # ids that do not hold initially
    obligations: tuple
    seconds: float
    build_seconds: float

    @property
    def ok(self) -> bool:
        return not self.initiation and all(o.status == "preserved" for o in self.obligations)

    def failures(self) -> list:
        return [o for o in self.obligations if o.status != "preserved"]


def topology_symmetries(cfg: Config) -> list[tuple]:
    """The permutations of replicas that map the topology onto itself: every
    datacenter to one of a region that, as a whole, maps to one region."""
    n = len(cfg.datacenters)
    regions: dict = {}
    for r in range(n):
        regions.setdefault(cfg.region_of(r), []).append(r)
    groups = list(regions.values())
    out = []
    for order in itertools.permutations(range(len(groups))):
        if any(len(groups[a]) != len(groups[b]) for a, b in enumerate(order)):
            continue
        for inner in itertools.product(*(itertools.permutations(groups[b]) for b in order)):
            perm = [0] * n
            for src, dst in zip(groups, inner):
                for x, y in zip(src, dst):
                    perm[x] = y
            out.append(tuple(perm))
    return out


def role_orbits(cfg: Config) -> list[tuple[int, int]]:
    """One (AP, PP) pair per orbit of the topology's symmetries over the
    pairs that the roles invariant allows."""
    n = len(cfg.datacenters)
    pairs = [(a, p) for a in range(n) for p in range(n) if a != p
             and (cfg.has("pp-same-region") or cfg.region_of(a) != cfg.region_of(p))]
    perms = topology_symmetries(cfg)
    seen: set = set()
    reps = []
    for a, p in pairs:
        if (a, p) not in seen:
            reps.append((a, p))
            seen |= {(g[a], g[p]) for g in perms}
    return reps


def proof_system(cfg: Config, scope: Scope) -> System:
    return system(cfg, scope, proof_bits(cfg, scope), None, True)


def _initially(sys: System, name: str) -> bool:
    init = initial_values(sys.cfg, sys.scope)
    return z3.is_true(z3.simplify(at(sys, form(sys, name), init)))


def _orbit_constraint(sys: System) -> z3.BoolRef:
    orch = sys.state.orchestrator
    with sys.numbers(), P.active():
        return to_z3(OR(*(AND(EQ(orch.ap, a), EQ(orch.pp, p)) for a, p in role_orbits(sys.cfg))))


class Obligations:
    """The solvers of one configuration and scope: for each step, the
    relation restricted to it, every conjunct of `names` as a hypothesis
    behind its own literal, and every conjunct's negated successor behind
    another. A round (`check`) asks, under the literals of the conjuncts it
    keeps, each kept goal in turn; Houdini's rounds reuse the solvers."""

    def __init__(self, cfg: Config, scope: Scope, names: Sequence[str], budget: bool = True,
                 symmetry: bool = True):
        t0 = time.perf_counter()
        self.cfg, self.scope = cfg, scope
        self.sys = sys = proof_system(cfg, scope)
        self.names = [SCOPE_ID] + [n for n in names if n != SCOPE_ID]
        self.initially = {n: _initially(sys, n) for n in self.names}
        with sys.numbers():
            _, _, self.post = fresh_vars(cfg, scope, "post!")
            self.sel = sys.selector("sel!")
        self.hyp = {n: z3.Bool(f"hyp!{n}") for n in self.names}
        self.goal = {n: z3.Bool(f"goal!{n}") for n in self.names}
        self.base = [z3.Implies(self.hyp[n], form(sys, n)) for n in self.names]
        self.base += [z3.Implies(self.goal[n], z3.Not(at(sys, form(sys, n), self.post))) for n in self.names]
        if budget:
            self.base += [z3.Not(sys.pre["budget.exceeded"]), z3.Not(self.post["budget.exceeded"])]
        if symmetry and "shape" in self.names:
            self.base.append(z3.Implies(self.hyp["shape"], _orbit_constraint(sys)))
        self.steps = list(dict.fromkeys(a.name for a in sys.acts))
        self.solvers: dict[str, z3.Solver] = {}
        self.build_seconds = time.perf_counter() - t0

    def solver(self, step: str) -> z3.Solver:
        if step not in self.solvers:
            idx = [j for j, a in enumerate(self.sys.acts) if a.name == step]
            s = z3.Solver()
            s.add(*self.base)
            s.add(self.sys.relation(self.post, self.sel, only=idx))
            self.solvers[step] = s
        return self.solvers[step]

    def check(self, kept: Sequence[str], steps: Optional[Sequence[str]] = None,
              only: Optional[Sequence[str]] = None, progress: Optional[Callable] = None) -> InductionReport:
        t0 = time.perf_counter()
        kept = [SCOPE_ID] + [n for n in kept if n != SCOPE_ID]
        assumptions = [self.hyp[n] for n in kept]
        goals = [n for n in kept if only is None or n in only]
        chosen = [x for x in self.steps if steps is None or x in steps]
        out = []
        for name in chosen:
            solver = self.solver(name)
            for n in goals:
                out.append(self._obligation(solver, assumptions, n, name))
                if progress:
                    progress(len(out), len(chosen) * len(goals), out[-1].text())
        bad_init = tuple(n for n in kept if not self.initially[n])
        return InductionReport(self.cfg, self.scope, tuple(kept), bad_init, tuple(out),
                               time.perf_counter() - t0, self.build_seconds)

    def _obligation(self, solver: z3.Solver, assumptions: list, n: str, step: str) -> Obligation:
        t1 = time.perf_counter()
        res = checked(solver, *assumptions, self.goal[n])
        cti = None
        if res == z3.sat:
            m = solver.model()
            sys = self.sys
            act = sys.acts[m.eval(self.sel, model_completion=True).as_long()]
            cti = ({k: value_of(m, v) for k, v in sys.pre.items()}, act.text(sys.cfg),
                   {k: value_of(m, v) for k, v in self.post.items()})
        status = "preserved" if res == z3.unsat else "broken" if res == z3.sat else "unknown"
        return Obligation(n, step, status, time.perf_counter() - t1, cti)


def induction(cfg: Config, scope: Scope, names: Sequence[str], steps: Optional[Sequence[str]] = None,
              only: Optional[Sequence[str]] = None, budget: bool = True, progress: Optional[Callable] = None,
              symmetry: bool = True) -> InductionReport:
    """Initiation and consecution of the conjunction of `names` (see the module doc)."""
    obs = Obligations(cfg, scope, names, budget, symmetry)
    return obs.check(obs.names, steps, only, progress)
