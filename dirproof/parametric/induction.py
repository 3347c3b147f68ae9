"""Induction checks of the parametric form, one solver frame per (invariant,
transition) as mypyvy does: the axioms and the whole invariant of the
pre-state are asserted once, each transition in a frame above them, and
each invariant's negation in the post-state in a frame above that. An
unsat frame is a proof for every size; a sat one is a counterexample to
induction, a small structure (show.py prints it).

Three kinds of obligation, each with its own frame:
- initiation: Init => I, for each invariant I;
- consecution: Inv & T => I', for each transition T and invariant I;
- safety: Inv => P, for each replication property P.
"""

from __future__ import annotations

import time
from typing import Any, Iterable, Optional

import attrs
import z3

from . import show
from .invariants import invariants
from .protocol import REPLICATION, TRANSITIONS, initial, properties
from .vocab import Vocab, axioms

TIMEOUT_MS = 120_000


@attrs.frozen
class Obligation:
    kind: str  # "initiation", "consecution" or "safety"
    invariant: str  # the invariant or property
    transition: Optional[str]  # consecution: the transition
    status: str  # "proved", "failed" or "unknown"
    seconds: float
    cti: str = attrs.field(default="", eq=False, repr=False)  # the counterexample, in words (show.py)

    @property
    def ok(self) -> bool:
        return self.status == "proved"

    def headline(self) -> str:
        if self.kind == "consecution":
            return f"invariant {self.invariant} is not preserved by transition {self.transition}"
        if self.kind == "initiation":
            return f"invariant {self.invariant} does not hold in an initial state"
        return f"property {self.invariant} does not follow from the invariant"


@attrs.frozen
class Report:
    flaws: frozenset
    obligations: tuple[Obligation, ...]
    seconds: float

    @property
    def ok(self) -> bool:
        return all(o.ok for o in self.obligations)

    def failures(self) -> list[Obligation]:
        return [o for o in self.obligations if not o.ok]


def _solver() -> z3.Solver:
    s = z3.Solver()
    s.set("timeout", TIMEOUT_MS)
    s.add(*axioms())
    return s


def _check(s: z3.Solver, goal_negation: Any) -> tuple[str, Any]:
    s.push()
    s.add(goal_negation)
    res = s.check()
    model = s.model() if res == z3.sat else None
    s.pop()
    return ("proved" if res == z3.unsat else "failed" if res == z3.sat else "unknown"), model


def _text(model: Any, pre: Vocab, post: Optional[Vocab] = None, step: Any = None) -> str:
    return show.cti(model, pre, post, step) if model is not None else ""


def initiation(flaws: frozenset, names: Iterable[str]) -> list[Obligation]:
    V = Vocab("")
    invs = invariants(V, flaws)
    s = _solver()
    s.add(initial(V))
    out = []
    for name in names:
        t = time.perf_counter()
        status, model = _check(s, z3.Not(invs[name]))
        out.append(Obligation("initiation", name, None, status, time.perf_counter() - t, _text(model, V)))
    return out


def consecution(flaws: frozenset, transitions: Iterable[str], names: Iterable[str]) -> list[Obligation]:
    pre, post = Vocab(""), Vocab("'")
    pre_invs, post_invs = invariants(pre, flaws), invariants(post, flaws)
    s = _solver()
    s.add(*pre_invs.values())
    names = list(names)
    out = []
    for tname in transitions:
        step = TRANSITIONS[tname](pre, post, flaws)
        s.push()
        s.add(step.framed(pre, post))
        for name in names:
            t = time.perf_counter()
            status, model = _check(s, z3.Not(post_invs[name]))
            out.append(Obligation("consecution", name, tname, status, time.perf_counter() - t,
                                  _text(model, pre, post, step)))
        s.pop()
    return out


def safety(flaws: frozenset, props: Iterable[str] = REPLICATION) -> list[Obligation]:
    V = Vocab("")
    s = _solver()
    s.add(*invariants(V, flaws).values())
    forms = properties(V)
    out = []
    for name in props:
        t = time.perf_counter()
        status, model = _check(s, z3.Not(forms[name]))
        out.append(Obligation("safety", name, None, status, time.perf_counter() - t, _text(model, V)))
    return out


def prove(flaws: Iterable[str] = (), transitions: Optional[Iterable[str]] = None,
          only: Optional[Iterable[str]] = None, props: Iterable[str] = REPLICATION) -> Report:
    """Every obligation (or those of the named transitions and invariants)."""
    fl = frozenset(flaws)
    t = time.perf_counter()
    names = list(only) if only is not None else list(invariants(Vocab(""), fl))
    trans = list(transitions) if transitions is not None else list(TRANSITIONS)
    obs = []
    if transitions is None:
        obs += initiation(fl, names)
    obs += consecution(fl, trans, names)
    if transitions is None and only is None:
        obs += safety(fl, props)
    return Report(fl, tuple(obs), time.perf_counter() - t)
