"""The Z3 engine for the cells layer (design.md §8), on the relation
derived from its steps (z3_derive.py).

* `prove(cfg)`: the conjunction of the cells property and the auxiliary
  invariants (properties/cells.py CELL_INVARIANTS) holds initially and is
  preserved by every action (one solver per action); a conjunct that fails
  is dropped and the rest proved again until nothing fails (Houdini), so a
  property is "proved" only from invariants that are themselves proved.
  The verdict covers the layer's fixed scope (3 cells, 4 tenants), data
  versions unbounded.
* `bmc(cfg, prop, depth)`: the shortest execution from the initial state
  that breaks `prop` (every shorter length is searched first); its actions
  are replayed on the Python model: if it does not break there, the
  derivation is wrong (EncodingDisagreement, exit 4).
"""

from __future__ import annotations

import datetime
import functools
import time
from typing import Any, Callable, Optional

import attrs
import z3

from dirproof.counterexample import Counterexample, save
from dirproof.identity.z3_derive import IdSystem
from dirproof.identity.z3_derive import form as _form
from dirproof.interrupt import checked
from dirproof.model import Config
from dirproof.model.algebra import NOT, holds
from dirproof.model.cells import CellState, cell_step, initial_cell_state
from dirproof.proofs.bmc import EncodingDisagreement
from dirproof.properties.cells import CELL_INVARIANTS, CELL_PROPERTIES, CELL_SUBJECTS
from dirproof.results import PropertyResult

from .explore import breaks
from .z3_derive import SCOPE_TEXT, cell_system, fresh, initial_keys

DEPTH = 4  # every cells flaw's shortest counterexample has at most 2 steps
SHORTEST_SECONDS = 5.0


def conjuncts(cfg: Config) -> dict:
    """Every conjunct of the inductive invariant: the properties, then the auxiliary invariants."""
    return {**{p: CELL_PROPERTIES[p].verdict for p in CELL_PROPERTIES}, **CELL_INVARIANTS}


@functools.lru_cache(maxsize=8)
def forms(sys: IdSystem) -> dict:
    """name -> Z3 form over the system's pre-state (availability reads the derived guards)."""
    def allows(state: Any, action: Any) -> Any:
        return next(g for a, (g, _) in zip(sys.acts, sys.cases) if a.action() == action)
    return {n: _form(fn, sys.state, allows) for n, fn in conjuncts(sys.cfg).items()}


@attrs.frozen
class CellProof:
    proved: tuple  # the conjuncts of the largest inductive sub-conjunction
    broken: tuple  # (conjunct, "initially" or the action that breaks it), in the order found
    seconds: float


def _failing(sys: IdSystem, fs: dict, names: list) -> list[tuple[str, str]]:
    """(conjunct, action) for each conjunct of `names` some action does not preserve under all of them."""
    hyp = z3.And(*(fs[n] for n in names))
    out: dict = {}
    for act, (guard, post) in zip(sys.acts, sys.cases):
        if guard is False:
            continue
        s = z3.Solver()
        s.add(hyp, guard if guard is not True else z3.BoolVal(True))
        after = {n: sys.at(fs[n], post) for n in names}
        if checked(s, z3.Not(z3.And(*after.values()))) == z3.unsat:
            continue
        for n, f in after.items():
            if n not in out and checked(s, z3.Not(f)) == z3.sat:
                out[n] = f"{act.name}{act.args}"
    return list(out.items())


def prove(cfg: Config, sys: Optional[IdSystem] = None) -> CellProof:
    """Initiation, then consecution of the conjunction action by action, dropping what fails (Houdini)."""
    t0 = time.perf_counter()
    sys = sys or cell_system(cfg)
    fs = forms(sys)
    init = initial_cell_state(cfg)
    broken = [(n, "initially") for n, fn in conjuncts(cfg).items() if not holds(fn(init))]
    names = [n for n in fs if n not in dict(broken)]
    while names:
        bad = _failing(sys, fs, names)
        if not bad:
            break
        broken += bad
        names = [n for n in names if n not in dict(bad)]
    return CellProof(tuple(names), tuple(broken), time.perf_counter() - t0)


@attrs.frozen
class CellTrace:
    steps: tuple
    at: int
    message: str


def bmc(cfg: Config, prop: str, depth: int = DEPTH, seconds: Optional[float] = None) -> tuple[Optional[CellTrace], int]:
    """(the shortest trace that breaks `prop`, or None; the depth searched completely)."""
    sys = cell_system(cfg)
    return _search(cfg, sys, forms(sys)[prop], depth, seconds, lambda steps: _replayed(cfg, prop, steps))


def witness(cfg: Config, prop: str, depth: int = DEPTH) -> Optional[tuple]:
    """The shortest execution that reaches what `prop` speaks of (None: none within `depth`)."""
    sys = cell_system(cfg)
    subject = CELL_SUBJECTS[prop]
    f = _form(lambda s: NOT(subject(s)), sys.state)  # type: ignore[arg-type]

    def replayed(steps: tuple) -> CellTrace:
        state: Any = initial_cell_state(cfg)
        for a in steps:
            state = cell_step(state, a)
        if not (isinstance(state, CellState) and holds(subject(state))):
            raise EncodingDisagreement(f"the witness {steps} of {prop} does not reach its subject on the model")
        return CellTrace(steps, len(steps), "")
    tr, _ = _search(cfg, sys, f, depth, None, replayed)
    return None if tr is None else tr.steps


def _search(cfg: Config, sys: IdSystem, f: Any, depth: int, seconds: Optional[float],
            replayed: Callable[[tuple], CellTrace]) -> tuple[Optional[CellTrace], int]:
    deadline = None if seconds is None else time.perf_counter() + seconds
    s = z3.Solver()
    cur = fresh(cfg, "s0!")[1]
    s.add(*[cur[k] == v for k, v in initial_keys(cfg).items()])
    sels: list = []
    for k in range(depth + 1):
        left = None if deadline is None else max(0.1, deadline - time.perf_counter())
        if checked(s, z3.Not(sys.at(f, cur)), timeout=left) == z3.sat:
            m = s.model()
            return replayed(tuple(sys.acts[m.eval(x, model_completion=True).as_long()].action() for x in sels)), k
        if k == depth or (deadline is not None and time.perf_counter() > deadline):
            return None, k
        nxt = fresh(cfg, f"s{k + 1}!")[1]
        sel = z3.Int(f"sel{k}!")
        s.add(sys.at(sys.relation(nxt, sel), cur))
        sels.append(sel)
        cur = nxt
    return None, depth


def _replayed(cfg: Config, prop: str, steps: tuple) -> CellTrace:
    got = breaks(cfg, tuple(steps), prop)
    if got is None or got[0] != len(steps):
        raise EncodingDisagreement(f"the cells relation's path {steps} does not break {prop} on the model "
                                   f"at its last step: the derivation and the model disagree")
    return CellTrace(steps, got[0], got[1])


def _now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")


def _violated(request: Any, prop: str, tr: CellTrace, seconds: float) -> PropertyResult:
    cx = Counterexample(request.config, tr.steps, prop, tr.at, tr.message, "z3-bmc", _now())
    path = save(cx, request.out_dir)
    return PropertyResult(prop, "violated", "z3-bmc", steps=len(tr.steps), seconds=round(seconds, 2),
                          counterexample=str(path), detail=tr.message, length="shortest")


def run(request: Any) -> list[PropertyResult]:
    """Proved (fixed scope) or, where the induction fails, the bounded search."""
    cfg = request.config
    proof = prove(cfg)
    out = []
    for p in (p for p in request.properties if p in CELL_PROPERTIES):
        if p in proof.proved:
            seen = witness(cfg, p)
            reach = (f"its subject reached in {len(seen)} steps" if seen is not None
                     else f"but no execution of up to {DEPTH} steps reaches what it speaks of")
            out.append(PropertyResult(p, "proved" if seen is not None else "vacuous", "z3-induction",
                                      seconds=round(proof.seconds, 2), scope=SCOPE_TEXT,
                                      detail=f"inductive with {len(proof.proved) - 1} auxiliary invariants; "
                                             f"{SCOPE_TEXT}; profile {cfg.profile}; {reach}"))
            continue
        t0 = time.perf_counter()
        tr, searched = bmc(cfg, p, request.depth or DEPTH, request.seconds)
        if tr is not None:
            out.append(_violated(request, p, tr, time.perf_counter() - t0))
        else:
            why = "; ".join(f"{n} by {a}" for n, a in proof.broken if n == p) or "an auxiliary invariant fails"
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
