"""The Z3 engine of a machine beside the partition (the identity and cells
layers), written once and parametrised by a `SideZ3`: the machine's derived
relation (an `IdSystem`, dirproof/identity/z3_derive.py), its properties,
auxiliary invariants and subjects, and its exploration's replay.

* `prove`: the conjunction of the properties and the auxiliary invariants
  holds initially and is preserved by every action (one solver per action);
  a conjunct that fails is dropped and the rest proved again until nothing
  fails (Houdini), so a property is "proved" only from invariants that are
  themselves proved. The verdict covers the machine's fixed scope.
* `bmc`: the shortest execution from the initial state that breaks a
  property (every shorter length is searched first); its actions (a tick's
  minutes from the solver's model) are replayed on the Python model: if it
  does not break there, the derivation is wrong (EncodingDisagreement, exit 4).
"""

from __future__ import annotations

import datetime
import functools
import time
from typing import Any, Callable, NamedTuple, Optional

import attrs
import z3

from dirproof import side_explore
from dirproof.counterexample import Counterexample, save
from dirproof.identity.z3_derive import IdSystem, form
from dirproof.interrupt import checked
from dirproof.model import Config
from dirproof.model.algebra import NOT, holds
from dirproof.proofs.bmc import EncodingDisagreement
from dirproof.results import PropertyResult


@attrs.frozen(eq=False)
class SideZ3:
    """What the shared Z3 engine needs of one side machine (hashed by identity)."""

    explorer: side_explore.SideExplorer  # its initial state, step, properties, layer name
    system: Callable[[Config], IdSystem]  # its derived relation (cached)
    fresh: Callable[[Config, str], tuple[Any, dict]]  # a symbolic state of fresh constants, and its keys
    initial_keys: Callable[[Config], dict]
    invariants: dict  # the auxiliary invariants of the inductive proof
    subjects: dict  # property -> what it speaks of
    scope: str  # what a proof covers
    depth: int  # the bounded search's default depth
    first_only: bool = False  # a Cti for the first action that breaks a conjunct only

    # The machine's entry points (its z3_engine.py binds them to its own names).
    def prove(self, cfg: Config, sys: Optional[IdSystem] = None, only: Optional[str] = None) -> SideProof:
        return prove(self, cfg, sys, only)

    def bmc(self, cfg: Config, prop: str, depth: Optional[int] = None, seconds: Optional[float] = None
            ) -> tuple[Optional[SideTrace], int]:
        return bmc(self, cfg, prop, self.depth if depth is None else depth, seconds)

    def witness(self, cfg: Config, prop: str, depth: Optional[int] = None) -> Optional[tuple]:
        return witness(self, cfg, prop, self.depth if depth is None else depth)

    def run(self, request: Any) -> list[PropertyResult]:
        return run(self, request)

    def shortest(self, request: Any, found: PropertyResult, seconds: float) -> PropertyResult:
        return shortest(self, request, found, seconds)


class Cti(NamedTuple):
    """A counterexample to induction: `action` breaks `conjunct` ("initially": the initial state does)."""

    conjunct: str
    action: str


@attrs.frozen
class SideProof:
    proved: tuple  # the conjuncts of the largest inductive sub-conjunction
    broken: tuple  # Cti per conjunct that is not, in the order found
    seconds: float


@attrs.frozen
class SideTrace:
    steps: tuple
    at: int
    message: str


def conjuncts(m: SideZ3) -> dict:
    """Every conjunct of the inductive invariant: the properties, then the auxiliary invariants."""
    props = m.explorer.properties
    return {**{p: props[p].verdict for p in props}, **m.invariants}


@functools.lru_cache(maxsize=16)
def forms(m: SideZ3, sys: IdSystem) -> dict:
    """name -> Z3 form over the system's pre-state (availability reads the derived guards)."""
    def allows(state: Any, action: Any) -> Any:
        return next(g for a, (g, _) in zip(sys.acts, sys.cases) if a.action(0) == action)
    return {n: form(fn, sys.state, allows) for n, fn in conjuncts(m).items()}


def prove(m: SideZ3, cfg: Config, sys: Optional[IdSystem] = None, only: Optional[str] = None) -> SideProof:
    """Initiation and consecution of the whole conjunction, action by action
    (`only`: the actions of that step alone); a conjunct that fails is dropped
    and the rest is proved again, until nothing fails (Houdini)."""
    t0 = time.perf_counter()
    sys = sys or m.system(cfg)
    fs = forms(m, sys)
    init = m.explorer.initial(cfg)
    broken = [Cti(n, "initially") for n, fn in conjuncts(m).items() if not holds(fn(init))]
    names = [n for n in fs if n not in {c.conjunct for c in broken}]
    while names:
        found = _consecution(m, sys, fs, names, only)
        if not found:
            break
        broken += found
        names = [n for n in names if n not in {c.conjunct for c in found}]
    return SideProof(tuple(names), tuple(broken), time.perf_counter() - t0)


def _consecution(m: SideZ3, sys: IdSystem, fs: dict, names: list, only: Optional[str]) -> list[Cti]:
    """A Cti per action and conjunct of `names` the action does not preserve
    under all of `names` (`m.first_only`: per conjunct, its first action only)."""
    hyp = z3.And(*(fs[n] for n in names))
    broken: list[Cti] = []
    for act, (guard, post) in zip(sys.acts, sys.cases):
        if guard is False or (only is not None and act.name != only):
            continue
        s = z3.Solver()
        s.add(hyp, guard if guard is not True else z3.BoolVal(True))
        after = {n: sys.at(fs[n], post) for n in names}
        if checked(s, z3.Not(z3.And(*after.values()))) == z3.unsat:
            continue  # the action preserves every conjunct: one call instead of one per conjunct
        for n, f in after.items():
            if m.first_only and any(c.conjunct == n for c in broken):
                continue
            if checked(s, z3.Not(f)) == z3.sat:
                broken.append(Cti(n, f"{act.name}{act.args}"))
    return broken


def bmc(m: SideZ3, cfg: Config, prop: str, depth: int, seconds: Optional[float] = None
        ) -> tuple[Optional[SideTrace], int]:
    """(the shortest trace that breaks `prop`, or None; the depth searched completely)."""
    sys = m.system(cfg)
    return _search(m, cfg, sys, forms(m, sys)[prop], depth, seconds, lambda steps: _replayed(m, cfg, prop, steps))


def witness(m: SideZ3, cfg: Config, prop: str, depth: int) -> Optional[tuple]:
    """The shortest execution that reaches what `prop` speaks of (None: none
    within `depth`), replayed on the model."""
    sys = m.system(cfg)
    subject = m.subjects[prop]
    f = form(lambda s: NOT(subject(s)), sys.state)
    ex = m.explorer

    def replayed(steps: tuple) -> SideTrace:
        state: Any = ex.initial(cfg)
        for a in steps:
            state = ex.step(state, a)
        if not (isinstance(state, ex.state_class) and holds(subject(state))):
            raise EncodingDisagreement(f"the witness {steps} of {prop} does not reach its subject on the model")
        return SideTrace(steps, len(steps), "")
    tr, _ = _search(m, cfg, sys, f, depth, None, replayed)
    return None if tr is None else tr.steps


def _search(m: SideZ3, cfg: Config, sys: IdSystem, f: Any, depth: int, seconds: Optional[float],
            replayed: Callable[[tuple], SideTrace]) -> tuple[Optional[SideTrace], int]:
    deadline = None if seconds is None else time.perf_counter() + seconds
    s = z3.Solver()
    cur = dict(m.fresh(cfg, "s0!")[1])
    s.add(*[cur[k] == v for k, v in m.initial_keys(cfg).items()])
    sels: list = []
    mins: list = []
    for k in range(depth + 1):
        left = None if deadline is None else max(0.1, deadline - time.perf_counter())
        if checked(s, z3.Not(sys.at(f, cur)), timeout=left) == z3.sat:
            return replayed(_steps(s.model(), sys, sels, mins)), k
        if k == depth or (deadline is not None and time.perf_counter() > deadline):
            return None, k
        nxt = m.fresh(cfg, f"s{k + 1}!")[1]
        sel, mn = z3.Int(f"sel{k}!"), z3.Int(f"min{k}!")
        rel = sys.relation(nxt, sel)  # kept until the next step: Z3 reuses a freed term's id, and its models follow ids
        s.add(sys.at(rel, cur, mn))
        sels.append(sel)
        mins.append(mn)
        cur = nxt
    return None, depth


def _steps(model: Any, sys: IdSystem, sels: list, mins: list) -> tuple:
    steps = []
    for sel, mn in zip(sels, mins):
        act = sys.acts[model.eval(sel, model_completion=True).as_long()]
        steps.append(act.action(model.eval(mn, model_completion=True).as_long()))
    return tuple(steps)


def _replayed(m: SideZ3, cfg: Config, prop: str, steps: tuple) -> SideTrace:
    got = side_explore.breaks(m.explorer, cfg, tuple(steps), prop)
    if got is None or got[0] != len(steps):
        raise EncodingDisagreement(f"the {m.explorer.layer} relation's path {steps} does not break {prop} on the "
                                   f"model at its last step: the derivation and the model disagree")
    return SideTrace(steps, got[0], got[1])


def _now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")


def _violated(request: Any, prop: str, tr: SideTrace, seconds: float) -> PropertyResult:
    cx = Counterexample(request.config, tr.steps, prop, tr.at, tr.message, "z3-bmc", _now())
    path = save(cx, request.out_dir)
    return PropertyResult(prop, "violated", "z3-bmc", steps=len(tr.steps), seconds=round(seconds, 2),
                          counterexample=str(path), detail=tr.message, length="shortest")


def run(m: SideZ3, request: Any) -> list[PropertyResult]:
    """Proved (fixed scope) or, where the induction fails, the bounded search."""
    cfg = request.config
    props = [p for p in request.properties if p in m.explorer.properties]
    proof = prove(m, cfg)
    out = []
    for p in props:
        if p in proof.proved:
            seen = witness(m, cfg, p, m.depth)
            reach = (f"its subject reached in {len(seen)} steps" if seen is not None
                     else f"but no execution of up to {m.depth} steps reaches what it speaks of")
            aux = sum(n in m.invariants for n in proof.proved)
            out.append(PropertyResult(p, "proved" if seen is not None else "vacuous", "z3-induction",
                                      seconds=round(proof.seconds, 2), scope=m.scope,
                                      detail=f"inductive with {aux} auxiliary invariants; "
                                             f"{m.scope}; profile {cfg.profile}; {reach}"))
            continue
        t0 = time.perf_counter()
        tr, searched = bmc(m, cfg, p, request.depth or m.depth, request.seconds)
        if tr is not None:
            out.append(_violated(request, p, tr, time.perf_counter() - t0))
        else:
            why = "; ".join(f"{c.conjunct} by {c.action}" for c in proof.broken if c.conjunct == p) \
                or "an auxiliary invariant fails"
            out.append(PropertyResult(p, "held", "z3-bmc", steps=searched, seconds=round(time.perf_counter() - t0, 2),
                                      detail=f"no violation in {searched} steps; not inductive ({why})"))
    return out


def shortest(m: SideZ3, request: Any, found: PropertyResult, seconds: float) -> PropertyResult:
    """A violation another engine found, replaced by the shortest one when the search finds it."""
    t0 = time.perf_counter()
    tr, searched = bmc(m, request.config, found.property, min(m.depth, (found.steps or m.depth)), seconds)
    if tr is None:
        return attrs.evolve(found, length=f"at most; Z3 found none in fewer than {searched + 1}"
                            if searched + 1 >= (found.steps or 0) else "at most")
    return _violated(request, found.property, tr, time.perf_counter() - t0)
