"""Proofs and bounded search over the object layer's derived relation.

`prove_objects(cfg)` runs the one Houdini loop (houdini.py `houdini`) over
the object invariants (properties/object_invariants.py) and the three
object properties' forms: each round checks initiation on the initial
state and consecution of every kept conjunct over every object step
(one solver per step, the conjuncts behind literals, as induction.py
does). `bmc_objects(cfg, prop, depth)` finds the shortest path of object
steps (a write committed at once, or a tick of any length) that breaks a
property; the path is turned into model actions, replayed on the Python
model (an `EncodingDisagreement` if it is rejected or breaks nothing
there), and shortened over its own actions (dirproof/shorten.py) for the
counterexample file.
"""

from __future__ import annotations

import datetime
import time
from typing import Any, Callable, Optional, Sequence

import attrs
import z3

from dirproof.interrupt import checked
from dirproof.model import Config, Rejected, initial_state, step
from dirproof.symbolic.terms import substitute
from dirproof.properties import PROPERTIES, broken_assumptions
from dirproof.properties.object_invariants import OBJECT_INVARIANTS
from dirproof.properties.objects import OBJECT_FORMS

from . import objects_state as S
from .bmc import BmcResult, EncodingDisagreement, Trace, levels
from .houdini import houdini
from .induction import InductionReport, Obligation
from .objects_derive import SCOPE_ID, at, form, fresh, fresh_inputs, literals, object_system

OBJECT_PROPS = tuple(OBJECT_FORMS)


class ObjectObligations:
    """The solvers of the object layer of one configuration (see induction.py
    `Obligations`): per step, the relation restricted to it, each conjunct
    as a hypothesis behind one literal and its negated successor behind
    another."""

    def __init__(self, cfg: Config, names: Sequence[str]):
        t0 = time.perf_counter()
        self.cfg = cfg
        self.sys = sys = object_system(cfg)
        self.names = [SCOPE_ID] + [n for n in names if n != SCOPE_ID]
        init = S.flatten(cfg, S.initial(cfg))
        self.initially = {n: z3.is_true(z3.simplify(at(sys, form(sys, n), init))) for n in self.names}
        _, self.post = fresh(cfg, "opost!")
        self.sel = z3.Int("osel!")
        self.hyp = {n: z3.Bool(f"ohyp!{n}") for n in self.names}
        self.goal = {n: z3.Bool(f"ogoal!{n}") for n in self.names}
        self.base = [z3.Implies(self.hyp[n], form(sys, n)) for n in self.names]
        self.base += [z3.Implies(self.goal[n], z3.Not(at(sys, form(sys, n), self.post))) for n in self.names]
        self.steps = list(dict.fromkeys(a.name for a in sys.acts))
        self.solvers: dict[str, z3.Solver] = {}
        self.build_seconds = time.perf_counter() - t0

    def solver(self, name: str) -> z3.Solver:
        if name not in self.solvers:
            s = z3.Solver()
            s.add(*self.base)
            s.add(self.sys.relation(self.post, self.sel, [j for j, a in enumerate(self.sys.acts) if a.name == name]))
            self.solvers[name] = s
        return self.solvers[name]

    def check(self, kept: Sequence[str], steps: Optional[Sequence[str]] = None) -> InductionReport:
        t0 = time.perf_counter()
        kept = [SCOPE_ID] + [n for n in kept if n != SCOPE_ID]
        assumptions = [self.hyp[n] for n in kept]
        out = []
        for name in [x for x in self.steps if steps is None or x in steps]:
            solver = self.solver(name)
            for n in kept:
                t1 = time.perf_counter()
                res = solver.check(*assumptions, self.goal[n])
                cti = self._cti(solver.model()) if res == z3.sat else None
                status = "preserved" if res == z3.unsat else "broken" if res == z3.sat else "unknown"
                out.append(Obligation(n, name, status, time.perf_counter() - t1, cti))
        bad = tuple(n for n in kept if not self.initially[n])
        return InductionReport(self.cfg, None, tuple(kept), bad, tuple(out), time.perf_counter() - t0,  # type: ignore[arg-type]
                               self.build_seconds)

    def _cti(self, m: z3.ModelRef) -> tuple:
        def val(x: Any) -> Any:
            v = m.eval(x, model_completion=True)
            return z3.is_true(v) if z3.is_bool(v) else v.as_long()
        act = self.sys.acts[val(self.sel)]
        inputs = {str(x): val(x) for x in self.sys.inputs()}
        return ({k: val(v) for k, v in self.sys.pre.items()}, f"{act.text()} {inputs}",
                {k: val(v) for k, v in self.post.items()})


def scope_text(cfg: Config) -> str:
    return (f"the object layer of one history ({cfg.objects} objects, {cfg.attributes} attributes x "
            f"{cfg.values} values, retention {cfg.retention_days} days, a snapshot every "
            f"{cfg.snapshot_every_days} day(s), {cfg.snapshots_kept} kept; any number of operations and "
            f"ticks, any days), composed with one-history and no-acked-write-lost of the replication "
            f"proof: the AP's and the PP's views, not reads (docs/z3.md)")


@attrs.frozen
class ObjectProof:
    """Houdini over the object layer: what survives is inductive."""

    cfg: Config
    kept: tuple
    dropped: tuple
    rounds: tuple
    seconds: float

    def proved(self, prop: str) -> bool:
        return prop in self.kept

    def detail(self, prop: str) -> str:
        if prop in self.kept:
            aux = [k for k in self.kept if k in OBJECT_INVARIANTS]
            return (f"inductive for {scope_text(self.cfg)}; {len(aux)} auxiliary invariants, "
                    f"{len(self.rounds[-1].obligations)} obligations")
        return f"not inductive over one history: {dict(self.dropped).get(prop, '')}"


def prove_objects(cfg: Config, props: Sequence[str] = OBJECT_PROPS, aux: Optional[Sequence[str]] = None) -> ObjectProof:
    t0 = time.perf_counter()
    names = (list(OBJECT_INVARIANTS) if aux is None else list(aux)) + list(props)
    obs = ObjectObligations(cfg, names)
    kept, dropped, rounds = houdini(names, obs.check)
    return ObjectProof(cfg, tuple(n for n in kept if n != SCOPE_ID), dropped, rounds, time.perf_counter() - t0)


# --------------------------------------------------------------------------- bounded search

class ObjectUnroller:
    """States s_0 .. s_k of the object layer from the initial state, each
    step with its own action selector and inputs."""

    def __init__(self, cfg: Config):
        self.cfg, self.sys = cfg, object_system(cfg)
        self.states = [literals(cfg, S.flatten(cfg, S.initial(cfg)))]
        self.sels: list = []
        self.inps: list = []
        _, self.post = fresh(cfg, "ounroll!")
        self.sel = z3.Int("ounroll!sel")
        self.T = self.sys.relation(self.post, self.sel)
        self.solver = z3.Solver()

    def extend(self) -> None:
        k, sys = len(self.sels), self.sys
        _, nxt = fresh(self.cfg, f"o{k + 1}!")
        sel, inp = z3.Int(f"oa{k}!"), fresh_inputs(self.cfg, f"oi{k}!")
        sub = [(sys.pre[key], self.states[k][key]) for key in sys.pre]
        sub += [(self.post[key], nxt[key]) for key in sys.pre] + [(self.sel, sel)]
        sub += list(zip(sys.inputs(), [inp.value, inp.rday, *inp.rattrs, inp.days]))
        self.solver.add(substitute(self.T, sub))
        self.states.append(nxt)
        self.sels.append(sel)
        self.inps.append(inp)

    def bad(self, prop: str, k: int) -> Any:
        return z3.Not(at(self.sys, form(self.sys, prop), self.states[k]))

    def check(self, goal: Any, timeout: Optional[float] = None) -> Any:
        """sat/unsat of the path so far ending in `goal`, interruptible
        (dirproof/interrupt.py), unknown on timeout (seconds)."""
        flag = z3.FreshBool("ogoal")
        self.solver.add(z3.Implies(flag, goal))
        return checked(self.solver, flag, timeout=timeout)

    def path(self, m: z3.ModelRef) -> list:
        """(OAct, plain OInputs) per step."""
        def val(x: Any) -> int:
            return m.eval(x, model_completion=True).as_long()
        return [(self.sys.acts[val(sel)], S.OInputs(val(i.value), val(i.rday), tuple(val(a) for a in i.rattrs),
                                                    val(i.days)))
                for sel, i in zip(self.sels, self.inps)]


def decode_objects(cfg: Config, path: list, props: Sequence[str], enc: Any = S, what: str = "object") -> Trace:
    """Replay a path of `enc`'s steps (the object layer's; the lifecycle
    fragment's) as model actions, cut where one of `props` first breaks on
    the model (an error if a step is rejected or none breaks)."""
    steps = [a for act, inp in path for a in enc.model_actions(cfg, act, inp)]
    state = initial_state(cfg)
    for i, action in enumerate(steps, 1):
        nxt = step(state, action)
        if isinstance(nxt, Rejected):
            raise EncodingDisagreement(f"the Z3 {what} path does not replay: step {i} {action!r}: {nxt.reason}")
        state = nxt
        for prop in props:
            msg = PROPERTIES[prop].check(state)
            if msg is not None:
                return Trace(tuple(enc.step_text(a, inp) for a, inp in path), tuple(steps[:i]), i, msg, prop,
                             bool(broken_assumptions(state)))
    raise EncodingDisagreement(f"the Z3 {what} path of {len(path)} steps breaks none of {', '.join(props)} "
                               f"on the model")


def bmc_objects(cfg: Config, prop: Any, depth: int = 8, seconds: Optional[float] = None,
                progress: Optional[Callable] = None) -> BmcResult:
    """The shortest path of object steps that breaks `prop` (an id or a
    tuple of ids), level by level, replayed on the model."""
    return search_levels(cfg, prop, ObjectUnroller(cfg), S, "object", depth, seconds, progress)


def search_levels(cfg: Config, prop: Any, un: Any, enc: Any, what: str, depth: int, seconds: Optional[float],
                  progress: Optional[Callable]) -> BmcResult:
    """Level-by-level search over the unroller `un` of `enc`'s steps (the
    object layer's or the lifecycle fragment's), its path replayed on the model."""
    props = (prop,) if isinstance(prop, str) else tuple(prop)
    t0 = time.perf_counter()
    found, k, per, done = levels(un, props, depth, seconds, progress, f"{what} depth",
                                 lambda m: decode_objects(cfg, un.path(m), props, enc, what))
    if found is not None:
        return BmcResult(found.property, k, found, time.perf_counter() - t0, per, None)  # type: ignore[arg-type]
    return BmcResult(props[0], done, None, time.perf_counter() - t0, per, None)  # type: ignore[arg-type]


def shortened(cfg: Config, res: BmcResult) -> Any:
    """The counterexample of an object path, over the shortest trace of its
    own model actions that breaks the property the same way (each object
    step commits its write at once: shortest in object steps, not in model
    actions; dirproof/shorten.py replays what it keeps)."""
    from dirproof.counterexample import Counterexample
    from dirproof.shorten import shorter
    tr = res.trace
    assert tr is not None
    cx = Counterexample(cfg, tr.steps, res.property, tr.violated_at, tr.message, "z3-bmc",
                        datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
                        "assumption-broken" if tr.beyond_budget else "violated")
    return shorter(cx)
