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
from typing import Any, Callable, Iterable, Mapping, Optional

import attrs
import z3

from dirproof.interrupt import answer

from . import epr, show
from .invariants import invariants
from .protocol import REPLICATION, TRANSITIONS, initial, properties
from .vocab import CLIENT, EPOCH, INDEX, LOGICAL, REGION, REPLICA, VALUE, Vocab, axioms

TIMEOUT_MS = 120_000
MINIMIZE_MS = 3_000
MINIMIZE = True  # shrink counterexamples to induction before showing them


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
        if self.status == "unknown":
            where = f" over transition {self.transition}" if self.transition else ""
            return f"{self.kind} of {self.invariant}{where}: the solver gave up (timeout), not proved"
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


@attrs.frozen
class Form:
    """What the induction checks need of a parametric form: the replication
    form (REPLICATION_FORM) and the object layer's (objproof.OBJECT_FORM)."""

    vocab: Callable[[str], Any]  # the vocabulary of one state, by prime suffix
    axioms: Callable[[], list]
    invariants: Callable[..., dict]  # (V, flaws) -> {id: formula}
    transitions: Mapping[str, Callable]  # id -> (pre, post, flaws) -> Step
    initial: Callable[[Any], Any]
    properties: Callable[[Any], dict]
    shrink: tuple  # sorts, in the order a counterexample is shrunk
    cti: Callable[..., str]  # (model, pre, post=None, step=None) -> the counterexample in words


REPLICATION_FORM = Form(Vocab, axioms, invariants, TRANSITIONS, initial, properties,
                        (EPOCH, INDEX, VALUE, REPLICA, CLIENT, LOGICAL, REGION), show.cti)


def _solver(form: Form = REPLICATION_FORM) -> z3.Solver:
    s = z3.Solver()
    s.set("timeout", TIMEOUT_MS)
    s.add(*form.axioms())
    return s


def _at_most(sort: Any, k: int) -> Any:
    x = z3.Const("x_card", sort)
    cs = [z3.Const(f"card_{sort.name()}_{n}", sort) for n in range(k)]
    return z3.ForAll([x], z3.Or(*(x == c for c in cs)))


def _minimize(s: z3.Solver, model: Any, form: Form) -> Any:
    """The counterexample with the fewest elements of each sort in turn
    (epochs, LSNs, values, replicas, ...), as mypyvy's minimize does: each
    smaller size is tried under a short timeout; the smallest found is kept."""
    s.set("timeout", MINIMIZE_MS)
    depth = 0
    for sort in form.shrink:
        size = len(model.get_universe(sort) or [])
        for k in range(1, size):
            s.push()
            s.add(_at_most(sort, k))
            if s.check() == z3.sat:
                model, depth = s.model(), depth + 1
                break
            s.pop()
    for _ in range(depth):
        s.pop()
    s.set("timeout", TIMEOUT_MS)
    return model


def _check(s: z3.Solver, goal_negation: Any, form: Form, *shown: Any) -> tuple[str, str]:
    """(status, the counterexample in words over the vocabularies `shown`)."""
    s.push()
    s.add(goal_negation)
    res = answer(s.check())
    text = ""
    if res == z3.sat:
        text = form.cti(_minimize(s, s.model(), form) if MINIMIZE else s.model(), *shown)
    s.pop()
    return ("proved" if res == z3.unsat else "failed" if res == z3.sat else "unknown"), text


def initiation(flaws: frozenset, names: Iterable[str], form: Form = REPLICATION_FORM) -> list[Obligation]:
    V = form.vocab("")
    invs = form.invariants(V, flaws)
    s = _solver(form)
    s.add(form.initial(V))
    out = []
    for name in names:
        t = time.perf_counter()
        status, cti = _check(s, z3.Not(invs[name]), form, V)
        out.append(Obligation("initiation", name, None, status, time.perf_counter() - t, cti))
    return out


def consecution(flaws: frozenset, transitions: Iterable[str], names: Iterable[str],
                first_failure: bool = False, drop: Iterable[str] = (),
                form: Form = REPLICATION_FORM) -> list[Obligation]:
    """Inv & T => I' for each transition T and each named invariant I (with
    `first_failure`, everything after the first failure is skipped, as
    mypyvy stops at the first; `drop`: invariants left
    out of the pre-state's hypothesis (prove() leaves them out of the
    goals too: is the rest inductive without them?))."""
    pre, post = form.vocab(""), form.vocab("'")
    post_invs = form.invariants(post, flaws)
    s = _solver(form)
    s.add(*(f for n, f in form.invariants(pre, flaws).items() if n not in set(drop)))
    names = list(names)
    out = []
    for tname in transitions:
        step = form.transitions[tname](pre, post, flaws)
        s.push()
        s.add(step.framed(pre, post))
        for name in names:
            t = time.perf_counter()
            status, cti = _check(s, z3.Not(post_invs[name]), form, pre, post, step)
            out.append(Obligation("consecution", name, tname, status, time.perf_counter() - t, cti))
            if first_failure and status != "proved":
                break
        s.pop()
        if first_failure and out and not out[-1].ok:
            break
    return out


def safety(flaws: frozenset, props: Iterable[str] = REPLICATION, drop: Iterable[str] = (),
           form: Form = REPLICATION_FORM) -> list[Obligation]:
    V = form.vocab("")
    s = _solver(form)
    s.add(*(f for n, f in form.invariants(V, flaws).items() if n not in set(drop)))
    forms = form.properties(V)
    out = []
    for name in props:
        t = time.perf_counter()
        status, cti = _check(s, z3.Not(forms[name]), form, V)
        out.append(Obligation("safety", name, None, status, time.perf_counter() - t, cti))
    return out


def formulas(flaws: frozenset, form: Form = REPLICATION_FORM) -> list[Any]:
    """Every formula some obligation asserts (with its polarity), for the EPR lint."""
    pre, post = form.vocab(""), form.vocab("'")
    out = [*form.axioms(), form.initial(pre), *form.invariants(pre, flaws).values()]
    out += [build(pre, post, flaws).framed(pre, post) for build in form.transitions.values()]
    out += [z3.Not(f) for f in form.invariants(post, flaws).values()]
    return out + [z3.Not(f) for f in form.properties(pre).values()]


def changed_by(flaws: Iterable[str], form: Form = REPLICATION_FORM) -> list[str]:
    """The transitions whose formula the flaws change (and all of them when
    the flaws change the invariant too, as pp-same-region does)."""
    pre, post = form.vocab(""), form.vocab("'")
    fl = frozenset(flaws)
    if any(not a.eq(b) for a, b in zip(form.invariants(pre, frozenset()).values(),
                                       form.invariants(pre, fl).values())):
        return list(form.transitions)
    return [t for t, build in form.transitions.items()
            if not build(pre, post, frozenset()).framed(pre, post).eq(build(pre, post, fl).framed(pre, post))]


def prove(flaws: Iterable[str] = (), transitions: Optional[Iterable[str]] = None,
          only: Optional[Iterable[str]] = None, props: Iterable[str] = REPLICATION,
          first_failure: bool = False, drop: Iterable[str] = (), form: Form = REPLICATION_FORM) -> Report:
    """Every obligation (or those of the named transitions and invariants)."""
    fl = frozenset(flaws)
    t = time.perf_counter()
    epr.lint(formulas(fl, form))
    names = [n for n in (only if only is not None else form.invariants(form.vocab(""), fl)) if n not in set(drop)]
    trans = list(transitions) if transitions is not None else list(form.transitions)
    if first_failure and fl:  # the transitions a flaw changes first: that is where it fails, and sooner
        changed = set(changed_by(fl, form))
        trans = sorted(trans, key=lambda t: t not in changed)
    obs = []
    if transitions is None:
        obs += initiation(fl, names, form)
    obs += consecution(fl, trans, names, first_failure, drop, form)
    if transitions is None and only is None:
        obs += safety(fl, props, drop, form)
    return Report(fl, tuple(obs), time.perf_counter() - t)
