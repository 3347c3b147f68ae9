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
from typing import Any, Callable, Optional, Sequence

import attrs
import z3

from dirproof.model import Config
from dirproof.model.algebra import AND, EQ, OR
from dirproof.symbolic import paths as P
from dirproof.symbolic.derive import System, initial_values, system
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


def _initially(sys: System, name: str, init: Optional[dict] = None) -> bool:
    init = initial_values(sys.cfg, sys.scope) if init is None else init
    return z3.is_true(z3.simplify(at(sys, form(sys, name), init)))


def _orbit_constraint(sys: System) -> z3.BoolRef:
    orch = sys.state.orchestrator
    with sys.numbers(), P.active():
        return to_z3(OR(*(AND(EQ(orch.ap, a), EQ(orch.pp, p)) for a, p in role_orbits(sys.cfg))))


class Obligations:
    """The obligations of one configuration and scope: for each step, its
    guard and successor (derived once), and each conjunct of `names` over
    the pre-state and over the successor. A round (`check`) asks each kept
    goal in turn, under the kept conjuncts; Houdini's rounds share the
    derivation and the terms.

    A round has one solver per step with the kept conjuncts asserted as
    facts, and each goal behind a fresh literal: Z3 propagates the facts,
    which is several times faster than hypotheses behind assumption
    literals. The successor is not a second set of constants tied to the
    pre-state by the relation's equalities: each goal is stated directly
    over the step's successor terms, so the frame costs nothing
    (docs/z3.md, Speed)."""

    def __init__(self, cfg: Config, scope: Scope, names: Sequence[str], budget: bool = True,
                 symmetry: bool = True):
        t0 = time.perf_counter()
        self.cfg, self.scope, self.budget, self.symmetry = cfg, scope, budget, symmetry
        self.sys = sys = proof_system(cfg, scope)
        self.names = [SCOPE_ID] + [n for n in names if n != SCOPE_ID]
        init = initial_values(cfg, scope)
        self.initially = {n: _initially(sys, n, init) for n in self.names}
        with sys.numbers():
            self.sel = sys.selector("sel!")
        self.orbits = _orbit_constraint(sys) if symmetry and "shape" in self.names else None
        self.steps = list(dict.fromkeys(a.name for a in sys.acts))
        self.parts: dict[str, tuple] = {}
        self.build_seconds = time.perf_counter() - t0

    def step_parts(self, step: str) -> tuple[list, dict, dict, list]:
        """(facts of the step, its successor terms, goal name -> negated
        successor conjunct, the step's actions)."""
        if step not in self.parts:
            idx = [j for j, a in enumerate(self.sys.acts) if a.name == step]
            guard, post = self.sys.successor(self.sel, idx)
            facts = [guard]
            if self.budget:
                facts += [z3.Not(self.sys.pre["budget.exceeded"]), z3.Not(to_z3(post["budget.exceeded"]))]
            goals = {n: z3.Not(at(self.sys, form(self.sys, n), post)) for n in self.names}
            self.parts[step] = (facts, post, goals, idx)
        return self.parts[step]

    def check(self, kept: Sequence[str], steps: Optional[Sequence[str]] = None,
              only: Optional[Sequence[str]] = None, progress: Optional[Callable] = None) -> InductionReport:
        t0 = time.perf_counter()
        kept = [SCOPE_ID] + [n for n in kept if n != SCOPE_ID]
        hyps = [form(self.sys, n) for n in kept]
        if self.orbits is not None and "shape" in kept:
            hyps.append(self.orbits)
        goals = [n for n in kept if only is None or n in only]
        chosen = [x for x in self.steps if steps is None or x in steps]
        out = []
        for name in chosen:
            facts, post, negated, idx = self.step_parts(name)
            solver = z3.Solver()
            solver.add(*hyps, *facts)
            for n in goals:
                out.append(self._obligation(solver, negated[n], n, name, post, idx))
                if progress:
                    progress(len(out), len(chosen) * len(goals), out[-1].text())
        bad_init = tuple(n for n in kept if not self.initially[n])
        return InductionReport(self.cfg, self.scope, tuple(kept), bad_init, tuple(out),
                               time.perf_counter() - t0, self.build_seconds)

    def _obligation(self, solver: z3.Solver, negated: Any, n: str, step: str, post: dict,
                    idx: list) -> Obligation:
        t1 = time.perf_counter()
        goal = z3.FreshBool("goal")
        solver.add(z3.Implies(goal, negated))
        res = checked(solver, goal)
        cti = None
        if res == z3.sat:
            m = solver.model()
            sys = self.sys
            j = idx[0] if len(idx) == 1 else m.eval(self.sel, model_completion=True).as_long()
            cti = ({k: value_of(m, v) for k, v in sys.pre.items()}, sys.acts[j].text(sys.cfg),
                   {k: value_of(m, v) for k, v in post.items()})
        status = "preserved" if res == z3.unsat else "broken" if res == z3.sat else "unknown"
        return Obligation(n, step, status, time.perf_counter() - t1, cti)


def induction(cfg: Config, scope: Scope, names: Sequence[str], steps: Optional[Sequence[str]] = None,
              only: Optional[Sequence[str]] = None, budget: bool = True, progress: Optional[Callable] = None,
              symmetry: bool = True) -> InductionReport:
    """Initiation and consecution of the conjunction of `names` (see the module doc)."""
    obs = Obligations(cfg, scope, names, budget, symmetry)
    return obs.check(obs.names, steps, only, progress)
