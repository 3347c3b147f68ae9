"""The Z3 engine for the identity layer (design.md §7), on the relation
derived from its steps (z3_derive.py).

* `prove(cfg)`: the conjunction of the identity properties and the
  auxiliary invariants (properties/identity_invariants.py) holds initially
  and is preserved by every action (one solver per action): "proved" for
  the layer's fixed scope (3 keys, 2 slots, 2 principals, 2 evaluators),
  with time unbounded. A conjunct that an action breaks is reported as a
  counterexample to induction (action and conjunct), and the property is
  then left to the bounded search.
* `bmc(cfg, prop, depth)`: the shortest execution from the initial state
  that breaks `prop` (every shorter length is searched first); its actions
  (the tick's minutes from the solver's model) are replayed on the Python
  model: if it does not break there, the derivation is wrong
  (EncodingDisagreement, exit 4).
"""

from __future__ import annotations

import datetime
import functools
import time
from typing import Any, Callable, Optional

import attrs
import z3

from dirproof.counterexample import Counterexample, save
from dirproof.interrupt import checked
from dirproof.model import Config
from dirproof.model.algebra import NOT, holds
from dirproof.model.identity import ClockTick, IdState, id_step, initial_id_state
from dirproof.proofs.bmc import EncodingDisagreement
from dirproof.properties.identity import IDENTITY_PROPERTIES, IDENTITY_SUBJECTS
from dirproof.properties.identity_invariants import ID_INVARIANTS
from dirproof.results import PropertyResult

from .explore import breaks
from .z3_derive import SCOPE_TEXT, IdSystem, fresh, id_system
from .z3_derive import form as _form

DEPTH = 8  # every identity flaw's shortest counterexample has at most 6 steps
SHORTEST_SECONDS = 10.0


def conjuncts(cfg: Config) -> dict:
    """Every conjunct of the inductive invariant: the properties, then the auxiliary invariants."""
    return {**{p: IDENTITY_PROPERTIES[p].verdict for p in IDENTITY_PROPERTIES}, **ID_INVARIANTS}


@functools.lru_cache(maxsize=8)
def forms(sys: IdSystem) -> dict:
    """name -> Z3 form over the system's pre-state (availability reads the derived guards)."""
    def allows(state: Any, action: Any) -> Any:
        return next(g for a, (g, _) in zip(sys.acts, sys.cases) if a.action(0 if a.spec.action is ClockTick else None)
                    == action)
    return {n: _form(fn, sys.state, allows) for n, fn in conjuncts(sys.cfg).items()}


@attrs.frozen
class Cti:
    """A counterexample to induction: `action` breaks `conjunct`."""

    conjunct: str
    action: str


@attrs.frozen
class IdProof:
    proved: tuple  # the conjuncts that hold initially and are preserved
    broken: tuple  # Cti per conjunct that is not (or "initially")
    seconds: float


def prove(cfg: Config, sys: Optional[IdSystem] = None, only: Optional[str] = None) -> IdProof:
    """Initiation and consecution of the whole conjunction, action by action
    (`only`: the actions of that step alone); a conjunct that fails is dropped
    and the rest is proved again, until nothing fails (Houdini): a property is
    proved only from auxiliary invariants that are proved themselves."""
    t0 = time.perf_counter()
    sys = sys or id_system(cfg)
    fs = forms(sys)
    init = initial_id_state(cfg)
    broken = [Cti(n, "initially") for n, fn in conjuncts(cfg).items() if not holds(fn(init))]
    names = [n for n in fs if n not in {c.conjunct for c in broken}]
    while names:
        found = _consecution(sys, fs, names, only)
        if not found:
            break
        broken += found
        names = [n for n in names if n not in {c.conjunct for c in found}]
    return IdProof(tuple(names), tuple(broken), time.perf_counter() - t0)


def _consecution(sys: IdSystem, fs: dict, names: list, only: Optional[str]) -> list[Cti]:
    """A Cti per action and conjunct of `names` the action does not preserve under all of `names`."""
    hyp = z3.And(*(fs[n] for n in names))
    broken = []
    for act, (guard, post) in zip(sys.acts, sys.cases):
        if guard is False or (only is not None and act.name != only):
            continue
        s = z3.Solver()
        s.add(hyp, guard if guard is not True else z3.BoolVal(True))
        after = {n: sys.at(fs[n], post) for n in names}
        if checked(s, z3.Not(z3.And(*after.values()))) == z3.unsat:
            continue  # the action preserves every conjunct: one call instead of one per conjunct
        for n, f in after.items():
            if checked(s, z3.Not(f)) == z3.sat:
                broken.append(Cti(n, f"{act.name}{act.args}"))
    return broken


@attrs.frozen
class IdTrace:
    steps: tuple
    at: int
    message: str


def bmc(cfg: Config, prop: str, depth: int = DEPTH, seconds: Optional[float] = None) -> tuple[Optional[IdTrace], int]:
    """(the shortest trace that breaks `prop`, or None; the depth searched completely)."""
    sys = id_system(cfg)
    return _search(cfg, sys, forms(sys)[prop], depth, seconds, lambda steps: _replayed(cfg, prop, steps))


def witness(cfg: Config, prop: str, depth: int = DEPTH) -> Optional[tuple]:
    """The shortest execution that reaches what `prop` speaks of (None: none
    within `depth`), replayed on the model."""
    sys = id_system(cfg)
    subject = IDENTITY_SUBJECTS[prop]
    f = _form(lambda s: NOT(subject(s)), sys.state)

    def replayed(steps: tuple) -> IdTrace:
        state: Any = initial_id_state(cfg)
        for a in steps:
            state = id_step(state, a)
        if not (isinstance(state, IdState) and holds(subject(state))):
            raise EncodingDisagreement(f"the witness {steps} of {prop} does not reach its subject on the model")
        return IdTrace(steps, len(steps), "")
    tr, _ = _search(cfg, sys, f, depth, None, replayed)
    return None if tr is None else tr.steps


def _search(cfg: Config, sys: IdSystem, f: Any, depth: int, seconds: Optional[float],
            replayed: Callable[[tuple], IdTrace]) -> tuple[Optional[IdTrace], int]:
    deadline = None if seconds is None else time.perf_counter() + seconds
    s = z3.Solver()
    cur = {k: v for k, v in fresh(cfg, "s0!")[1].items()}
    s.add(*[cur[k] == v for k, v in _init(cfg).items()])
    sels: list = []
    mins: list = []
    for k in range(depth + 1):
        left = None if deadline is None else max(0.1, deadline - time.perf_counter())
        if checked(s, z3.Not(sys.at(f, cur)), timeout=left) == z3.sat:
            return replayed(_steps(s.model(), sys, sels, mins)), k
        if k == depth or (deadline is not None and time.perf_counter() > deadline):
            return None, k
        nxt = fresh(cfg, f"s{k + 1}!")[1]
        sel, m = z3.Int(f"sel{k}!"), z3.Int(f"min{k}!")
        rel = sys.relation(nxt, sel)
        s.add(sys.at(rel, cur, m))
        sels.append(sel)
        mins.append(m)
        cur = nxt
    return None, depth


def _init(cfg: Config) -> dict:
    from .z3_derive import initial_keys
    return initial_keys(cfg)


def _steps(model: Any, sys: IdSystem, sels: list, mins: list) -> tuple:
    steps = []
    for sel, m in zip(sels, mins):
        act = sys.acts[model.eval(sel, model_completion=True).as_long()]
        steps.append(act.action(model.eval(m, model_completion=True).as_long()))
    return tuple(steps)


def _replayed(cfg: Config, prop: str, steps: tuple) -> IdTrace:
    got = breaks(cfg, tuple(steps), prop)
    if got is None or got[0] != len(steps):
        raise EncodingDisagreement(f"the identity relation's path {steps} does not break {prop} on the model "
                                   f"at its last step: the derivation and the model disagree")
    return IdTrace(steps, got[0], got[1])


def _now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")


def _violated(request: Any, prop: str, tr: IdTrace, seconds: float) -> PropertyResult:
    cx = Counterexample(request.config, tr.steps, prop, tr.at, tr.message, "z3-bmc", _now())
    path = save(cx, request.out_dir)
    return PropertyResult(prop, "violated", "z3-bmc", steps=len(tr.steps), seconds=round(seconds, 2),
                          counterexample=str(path), detail=tr.message, length="shortest")


def run(request: Any) -> list[PropertyResult]:
    """Proved (fixed scope, unbounded time) or, where the induction fails, the bounded search."""
    cfg = request.config
    props = [p for p in request.properties if p in IDENTITY_PROPERTIES]
    proof = prove(cfg)
    out = []
    for p in props:
        if p in proof.proved:
            seen = witness(cfg, p)
            reach = (f"its subject reached in {len(seen)} steps" if seen is not None
                     else f"but no execution of up to {DEPTH} steps reaches what it speaks of")
            out.append(PropertyResult(p, "proved" if seen is not None else "vacuous", "z3-induction",
                                      seconds=round(proof.seconds, 2), scope=SCOPE_TEXT,
                                      detail=f"inductive with {sum(n in ID_INVARIANTS for n in proof.proved)} auxiliary "
                                             f"invariants; "
                                             f"{SCOPE_TEXT}; profile {cfg.profile}; {reach}"))
            continue
        t0 = time.perf_counter()
        tr, searched = bmc(cfg, p, request.depth or DEPTH, request.seconds)
        if tr is not None:
            out.append(_violated(request, p, tr, time.perf_counter() - t0))
        else:
            why = "; ".join(f"{c.conjunct} by {c.action}" for c in proof.broken if c.conjunct == p) \
                or "an auxiliary invariant fails"
            out.append(PropertyResult(p, "held", "z3-bmc", steps=searched, seconds=round(time.perf_counter() - t0, 2),
                                      detail=f"no violation in {searched} steps; not inductive ({why})"))
    return out


def shortest(request: Any, found: PropertyResult, seconds: float) -> PropertyResult:
    """A violation another engine found, replaced by the shortest one when the search finds it."""
    t0 = time.perf_counter()
    tr, searched = bmc(request.config, found.property, min(DEPTH, (found.steps or DEPTH)), seconds)
    if tr is None:
        return attrs.evolve(found, length=f"at most; Z3 found none in fewer than {searched + 1}"
                            if searched + 1 >= (found.steps or 0) else "at most")
    return _violated(request, found.property, tr, time.perf_counter() - t0)
