"""Induction checks of the object layer's parametric form, as induction.py
does for replication: the axioms and the whole invariant of the pre-state
once, each transition in a frame above them, each invariant's negation in
the post-state in a frame above that (one frame per (invariant,
transition)); initiation and safety alike. A sat frame is a counterexample
to induction, shown by objshow.py.
"""

from __future__ import annotations

import time
from typing import Any, Iterable, Optional

import z3

from . import epr, induction, objshow
from .induction import Obligation, Report
from .objinvariants import OBJECT_PROPS, initial, invariants, properties
from .objsteps import TRANSITIONS
from .objvocab import AVEC, DAY, KIND, OBJ, SNAP, OVocab, axioms

SHRINK_ORDER = (DAY, OBJ, AVEC, SNAP, KIND)


def _solver() -> z3.Solver:
    s = z3.Solver()
    s.set("timeout", induction.TIMEOUT_MS)
    s.add(*axioms())
    return s


def _minimize(s: z3.Solver, model: Any) -> Any:
    """The fewest elements of each sort in turn (induction._minimize)."""
    s.set("timeout", induction.MINIMIZE_MS)
    depth = 0
    for sort in SHRINK_ORDER:
        size = len(model.get_universe(sort) or [])
        for k in range(1, size):
            s.push()
            s.add(induction._at_most(sort, k))
            if s.check() == z3.sat:
                model, depth = s.model(), depth + 1
                break
            s.pop()
    for _ in range(depth):
        s.pop()
    s.set("timeout", induction.TIMEOUT_MS)
    return model


def _check(s: z3.Solver, negation: Any, text: Any) -> tuple[str, str]:
    s.push()
    s.add(negation)
    res = s.check()
    shown = ""
    if res == z3.sat:
        model = _minimize(s, s.model()) if induction.MINIMIZE else s.model()
        shown = text(model)
    s.pop()
    return ("proved" if res == z3.unsat else "failed" if res == z3.sat else "unknown"), shown


def initiation(flaws: frozenset, names: Iterable[str]) -> list[Obligation]:
    V = OVocab("")
    invs = invariants(V, flaws)
    s = _solver()
    s.add(initial(V))
    out = []
    for name in names:
        t = time.perf_counter()
        status, cti = _check(s, z3.Not(invs[name]), lambda m: objshow.cti(m, V))
        out.append(Obligation("initiation", name, None, status, time.perf_counter() - t, cti))
    return out


def consecution(flaws: frozenset, transitions: Iterable[str], names: Iterable[str],
                first_failure: bool = False, drop: Iterable[str] = ()) -> list[Obligation]:
    pre, post = OVocab(""), OVocab("'")
    post_invs = invariants(post, flaws)
    s = _solver()
    s.add(*(f for n, f in invariants(pre, flaws).items() if n not in set(drop)))
    names, out = list(names), []
    for tname in transitions:
        step = TRANSITIONS[tname](pre, post, flaws)
        s.push()
        s.add(step.framed(pre, post))
        for name in names:
            t = time.perf_counter()
            status, cti = _check(s, z3.Not(post_invs[name]), lambda m: objshow.cti(m, pre, post, step))
            out.append(Obligation("consecution", name, tname, status, time.perf_counter() - t, cti))
            if first_failure and status != "proved":
                break
        s.pop()
        if first_failure and out and not out[-1].ok:
            break
    return out


def safety(flaws: frozenset, props: Iterable[str] = OBJECT_PROPS, drop: Iterable[str] = ()) -> list[Obligation]:
    V = OVocab("")
    s = _solver()
    s.add(*(f for n, f in invariants(V, flaws).items() if n not in set(drop)))
    forms, out = properties(V), []
    for name in props:
        t = time.perf_counter()
        status, cti = _check(s, z3.Not(forms[name]), lambda m: objshow.cti(m, V))
        out.append(Obligation("safety", name, None, status, time.perf_counter() - t, cti))
    return out


def formulas(flaws: frozenset) -> list[Any]:
    """Every formula some obligation asserts (with its polarity), for the EPR lint."""
    pre, post = OVocab(""), OVocab("'")
    out = [*axioms(), initial(pre), *invariants(pre, flaws).values()]
    out += [build(pre, post, flaws).framed(pre, post) for build in TRANSITIONS.values()]
    out += [z3.Not(f) for f in invariants(post, flaws).values()] + [z3.Not(f) for f in properties(pre).values()]
    return out


def changed_by(flaws: Iterable[str]) -> list[str]:
    """The transitions whose formula the flaws change."""
    pre, post, fl = OVocab(""), OVocab("'"), frozenset(flaws)
    return [t for t, build in TRANSITIONS.items()
            if not build(pre, post, frozenset()).framed(pre, post).eq(build(pre, post, fl).framed(pre, post))]


def prove(flaws: Iterable[str] = (), transitions: Optional[Iterable[str]] = None,
          only: Optional[Iterable[str]] = None, first_failure: bool = False, drop: Iterable[str] = ()) -> Report:
    """Every obligation of the object layer's form (or those of the named
    transitions and invariants); a flawed form is tried over the transitions
    its flaws change first, where it fails."""
    fl = frozenset(flaws)
    t = time.perf_counter()
    epr.lint(formulas(fl))
    names = [n for n in (only if only is not None else invariants(OVocab(""), fl)) if n not in set(drop)]
    trans = list(transitions) if transitions is not None else list(TRANSITIONS)
    if first_failure and fl:
        changed = set(changed_by(fl))
        trans = sorted(trans, key=lambda x: x not in changed)
    obs = [] if transitions is not None else initiation(fl, names)
    obs += consecution(fl, trans, names, first_failure, drop)
    if transitions is None and only is None:
        obs += safety(fl, OBJECT_PROPS, drop)
    return Report(fl, tuple(obs), time.perf_counter() - t)
