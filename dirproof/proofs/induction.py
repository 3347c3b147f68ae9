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

from .forms import SCOPE_ID, at, form

PROOF_SCOPE = Scope(log=3, epochs=3)


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


def induction(cfg: Config, scope: Scope, names: Sequence[str], steps: Optional[Sequence[str]] = None,
              only: Optional[Sequence[str]] = None, budget: bool = True, progress: Optional[Callable] = None,
              symmetry: bool = True) -> InductionReport:
    """Initiation and consecution of the conjunction of `names` (see the module doc)."""
    t0 = time.perf_counter()
    sys = proof_system(cfg, scope)
    names = [SCOPE_ID] + [n for n in names if n != SCOPE_ID]
    bad_init = tuple(n for n in names if not _initially(sys, n))
    with sys.numbers():
        _, _, post = fresh_vars(cfg, scope, "post!")
        sel = sys.selector("sel!")
    hyp = [form(sys, n) for n in names]
    goals = {n: at(sys, form(sys, n), post) for n in names if only is None or n in only}
    if budget:
        hyp += [z3.Not(sys.pre["budget.exceeded"]), z3.Not(post["budget.exceeded"])]
    if symmetry and "shape" in names:
        hyp.append(_orbit_constraint(sys))
    build = time.perf_counter() - t0
    step_names = [n for n in dict.fromkeys(a.name for a in sys.acts) if steps is None or n in steps]
    obligations = []
    for name in step_names:
        idx = [j for j, a in enumerate(sys.acts) if a.name == name]
        solver = z3.Solver()
        solver.add(*hyp)
        solver.add(sys.relation(post, sel, only=idx))
        for n, goal in goals.items():
            obligations.append(_obligation(solver, sys, post, sel, n, name, goal))
            if progress:
                progress(len(obligations), len(step_names) * len(goals), obligations[-1].text())
    return InductionReport(cfg, scope, tuple(names), bad_init, tuple(obligations), time.perf_counter() - t0, build)


def _obligation(solver: z3.Solver, sys: System, post: dict, sel: z3.ExprRef, n: str, name: str,
                goal: z3.BoolRef) -> Obligation:
    t1 = time.perf_counter()
    flag = z3.FreshBool("goal")
    solver.add(z3.Implies(flag, z3.Not(goal)))
    res = solver.check(flag)
    cti = None
    if res == z3.sat:
        m = solver.model()
        act = sys.acts[m.eval(sel, model_completion=True).as_long()]
        cti = ({k: value_of(m, v) for k, v in sys.pre.items()}, act.text(sys.cfg),
               {k: value_of(m, v) for k, v in post.items()})
    status = "preserved" if res == z3.unsat else "broken" if res == z3.sat else "unknown"
    return Obligation(n, name, status, time.perf_counter() - t1, cti)
