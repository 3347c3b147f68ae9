"""What is proved: Houdini over the induction, the availability property, and
each property's witness (its subject reached, or the proof is vacuous).

`prove(cfg, scope)` keeps the largest inductive subset of the auxiliary
invariants and the replication properties (drop every conjunct that fails
initiation or consecution, again, until none fails); the properties left
are proved for that configuration and scope. `prove_availability` shows
that the kept invariant implies bounded-write-unavailability (a predicate
about which steps are enabled). `witness` finds the shortest execution
that reaches what a property speaks of (properties/subjects.py) and replays
it on the model.
"""

from __future__ import annotations

import time
from typing import Callable, Optional, Sequence

import attrs
import z3

from dirproof.model import Config
from dirproof.properties.invariants import INVARIANTS
from dirproof.properties.subjects import SUBJECTS
from dirproof.symbolic import paths as P
from dirproof.symbolic.derive import allows_term, sel_is
from dirproof.symbolic.states import Scope, rebuild
from dirproof.symbolic.terms import to_z3

from dirproof.interrupt import checked

from .bmc import EncodingDisagreement, Unroller, bmc_scope, replay_path
from .forms import AVAILABILITY, REPLICATION, SCOPE_ID, at, form
from .induction import PROOF_SCOPE, InductionReport, Obligations, proof_system


def scope_text(cfg: Config, scope: Scope) -> str:
    return (f"{cfg.profile} ({len(cfg.datacenters)} replicas, {len(cfg.regions)} regions, "
            f"{cfg.sessions} sessions), {scope.text()}")


@attrs.frozen
class Proof:
    """The largest inductive subset of the invariants and properties."""

    cfg: Config
    scope: Scope
    kept: tuple
    dropped: tuple  # (id, why): why = "initiation" or the first obligation that broke it
    rounds: tuple  # InductionReport per round
    seconds: float

    def proved(self, prop: str) -> bool:
        return prop in self.kept

    def detail(self, prop: str) -> str:
        if prop in self.kept:
            aux = [k for k in self.kept if k in INVARIANTS]
            return (f"inductive for {scope_text(self.cfg, self.scope)}, any number of steps, within the fault "
                    f"budget, any object-layer behaviour; {len(aux)} auxiliary invariants (docs/z3.md), "
                    f"{len(self.rounds[-1].obligations)} obligations")
        return f"not inductive: {dict(self.dropped).get(prop, '')}"


def houdini(names: list[str], induct: Callable[[list[str]], InductionReport],
            rounds: Optional[int] = None) -> tuple:
    """(kept ids, dropped (id, why), rounds); with `rounds`, at most that many
    (the kept ids are then not yet known to be inductive)."""
    reports: list = []
    dropped: list = []
    while names and (rounds is None or len(reports) < rounds):
        rep = induct(names)
        reports.append(rep)
        bad = {n: "initiation: it does not hold in the initial state" for n in rep.initiation}
        for ob in rep.obligations:
            if ob.status != "preserved" and ob.invariant not in bad:
                bad[ob.invariant] = ob.text()
        if not bad:
            break
        if SCOPE_ID in bad:
            raise EncodingDisagreement(f"the encoding's ranges are not inductive: {bad[SCOPE_ID]}")
        dropped += list(bad.items())
        names = [n for n in names if n not in bad]
    return tuple(names), tuple(dropped), tuple(reports)


def prove(cfg: Config, scope: Scope = PROOF_SCOPE, props: Sequence[str] = REPLICATION,
          progress: Optional[Callable] = None) -> Proof:
    t0 = time.perf_counter()
    names = list(INVARIANTS) + list(props)
    obs = Obligations(cfg, scope, names)
    kept, dropped, rounds = houdini(names, lambda kept: obs.check(kept, progress=progress))
    return Proof(cfg, scope, tuple(n for n in kept if n != SCOPE_ID), dropped, rounds, time.perf_counter() - t0)


def refutation(cfg: Config, prop: str, scope: Scope = PROOF_SCOPE, props: Sequence[str] = REPLICATION
               ) -> Optional[str]:
    """Why `prove(cfg, scope, props)` does not prove `prop` (None: it does),
    found sooner: Houdini only ever drops conjuncts, so once `prop` fails
    initiation or one of its own obligations under the conjuncts still kept,
    no later round keeps it. Each round first asks `prop`'s own obligations
    (one per step), and runs the whole round only when they all hold."""
    names = list(INVARIANTS) + list(props)
    obs = Obligations(cfg, scope, names)
    while True:
        mine = obs.check(names, only=[prop])
        if prop in mine.initiation:
            return "initiation: it does not hold in the initial state"
        if mine.failures():
            return mine.failures()[0].text()
        kept, _, _ = houdini(names, lambda kept: obs.check(kept), rounds=1)
        if kept == tuple(names):
            return None
        names = list(kept)


# What an availability property says of every reachable state, for the verdict's text.
MEANS = {
    "bounded-write-unavailability": "a lost AP with an up, in-sync PP can be failed over in one orchestrator "
                                    "step, and a covered read is served",
    "reads-survive-datacenter-loss": "once the probes have detected a lost datacenter, its sessions are "
                                     "rerouted in one gateway step to an up replica covering their token, "
                                     "whenever one does",
}


def prove_availability(cfg: Config, proof: Proof, prop: str = "bounded-write-unavailability") -> tuple:
    """(proved, seconds, detail): `prop` holds in every reachable state of the
    proof's scope if the kept inductive invariant implies it (one query)."""
    t0 = time.perf_counter()
    sys = proof_system(cfg, proof.scope)
    solver = z3.Solver()
    solver.add(form(sys, SCOPE_ID), *(form(sys, n) for n in proof.kept), z3.Not(sys.pre["budget.exceeded"]))
    solver.add(z3.Not(form(sys, prop)))
    res = checked(solver)
    spent = time.perf_counter() - t0
    if res == z3.unsat:
        return True, spent, (f"implied by the inductive invariant of the replication proof "
                             f"({scope_text(cfg, proof.scope)}, within the fault budget): in every reachable state "
                             f"{MEANS.get(prop, 'it holds')}")
    return False, spent, f"not implied by the inductive invariant ({res})"


@attrs.frozen
class Witness:
    """The shortest execution reaching a property's subject, or how far the
    search got: `depth` is the witness's length when found, else the depth
    to which every execution was searched; `complete` is False when the time
    budget (or a solver's `unknown`) stopped it before the requested depth,
    so that a subject not reached is only evidence of vacuity when complete."""

    property: str
    goal: str
    found: bool
    depth: int
    steps: tuple
    seconds: float
    complete: bool = True


def _subject_at(un: Unroller, prop: str, k: int) -> z3.BoolRef:
    """The subject of `prop` reached by step k of the unrolled path."""
    sys = un.sys
    _, fn, needs = SUBJECTS[prop]
    with sys.numbers():
        before = rebuild(sys.cfg, sys.scope, lambda key, kind, v: un.states[k - 1][key])
        after = rebuild(sys.cfg, sys.scope, lambda key, kind, v: un.states[k][key])

        def term(action: object) -> z3.BoolRef:
            return to_z3(P.evaluate(lambda: fn(before[0], before[1], action, after[0], after[1]), allows_term))
        if needs is None:
            return term(None)
        sel = un.sels[k - 1]
        return z3.Or(z3.BoolVal(False), *(z3.And(sel_is(sel, j), term(act.action()))
                                          for j, act in enumerate(sys.acts) if act.spec.action is needs))


def witnesses(cfg: Config, props: Sequence[str], depth: int = 8, seconds: Optional[float] = None) -> dict:
    """The shortest execution (within the fault budget) that reaches what
    each property speaks of, replayed on the Python model (an error if the
    model does not reach it there). One unrolling serves every property."""
    from dirproof.model.algebra import holds
    from dirproof.properties.monitors import watch
    t0 = time.perf_counter()
    un = Unroller(cfg, bmc_scope(depth), None, True, depth)
    out: dict[str, Witness] = {}
    pending = [p for p in props if p in SUBJECTS]
    searched = {p: 0 for p in pending}  # the depth to which each search is definite (unsat)
    for k in range(1, depth + 1):
        if not pending or (seconds is not None and k > 1 and time.perf_counter() - t0 > seconds):
            break
        un.extend()
        for prop in list(pending):
            left = None if seconds is None else max(1.0, seconds - (time.perf_counter() - t0))
            answer = un.check(_subject_at(un, prop, k), timeout=left)
            if answer == z3.unsat and searched[prop] == k - 1:
                searched[prop] = k
            if answer != z3.sat:
                continue
            steps, states = replay_path(cfg, un.acts_in(un.solver.model()))
            if not holds(SUBJECTS[prop][1](states[-2], watch(states[-2]), steps[-1], states[-1], watch(states[-1]))):
                raise EncodingDisagreement(f"the witness of {prop} does not reach its subject on the model")
            out[prop] = Witness(prop, SUBJECTS[prop][0], True, k, tuple(steps), time.perf_counter() - t0)
            pending.remove(prop)
    for prop in pending:
        out[prop] = Witness(prop, SUBJECTS[prop][0], False, searched[prop], (), time.perf_counter() - t0,
                            complete=searched[prop] == depth)
    return out


def witness(cfg: Config, prop: str, depth: int = 8, seconds: Optional[float] = None) -> Witness:
    return witnesses(cfg, (prop,), depth, seconds)[prop]


__all__ = ["AVAILABILITY", "Proof", "Witness", "houdini", "prove", "prove_availability", "scope_text", "witness"]
