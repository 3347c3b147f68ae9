"""Z3 over the object layer (design.md §3): soft delete, restore, purge,
permanent delete, backups, over one history.

The object layer is encoded over a single log (model/symbolic_objects.py):
the AP takes each write, the PP copies it and it is acknowledged at once,
with ticks between. `prove_objects` proves the three object properties by
induction; `bmc_objects` finds the shortest object-layer path that breaks
one, replays it on the Python model and shortens it over its own actions;
`run_objects` reports them for `dirproof check --engine z3`, "proved" only
when the replication proof of the same design gives one-history and
no-acked-write-lost (the compositional assumption, docs/z3.md).
"""

from __future__ import annotations

import datetime
import functools
import time
from typing import Callable, Optional, Sequence

import attrs
import z3

from dirproof.model import Config, Rejected, State, initial_state, step
from dirproof.model import symbolic_objects as SO
from dirproof.model import symbolic_objects_abstraction as SOA
from dirproof.model.symbolic import AND, EQ, NOT, OR, to_z3
from dirproof.properties import PROPERTIES
from dirproof.properties.z3_object_forms import OBJECT_FORMS, OBJECT_SCOPE
from dirproof.counterexample import save
from dirproof.defaults import OBJECT_DEPTH
from dirproof.results import PropertyResult
from dirproof.z3_engine import (DEFAULT_SECONDS, BmcResult, InductionReport, Obligation, Proof, Trace,
                                Witness, _check_goal, _num, houdini, print_induction,
                                save_counterexample)  # noqa: F401


ASSUMED = ("one-history", "no-acked-write-lost")  # what the object proof composes with


@attrs.frozen
class ObjectSystem:
    """The object-layer relation T(pre, post, sel, inputs) of one configuration
    (model/symbolic_objects.py), built once."""

    cfg: Config
    acts: tuple
    enc: object
    pre: dict
    post: dict
    sel: object
    inp: object
    T: object


@functools.lru_cache(maxsize=16)
def object_system(cfg: Config) -> ObjectSystem:
    enc = SO.ObjectEncoding(cfg)
    acts = tuple(SO.actions(cfg))
    pre, post = SO.variables(cfg, "opre!"), SO.variables(cfg, "opost!")
    sel, inp = z3.Int("osel!"), SO.OInputs.fresh(cfg, "oin!")
    T = enc.relation(pre, post, sel, inp, list(acts))
    return ObjectSystem(cfg, acts, enc, pre, post, sel, inp, T)


def _inputs_sub(sys: ObjectSystem, inp) -> list:
    out = [(sys.inp.value, inp.value), (sys.inp.rday, inp.rday), (sys.inp.days, inp.days)]
    return out + list(zip(sys.inp.rattrs, inp.rattrs))


class ObjectUnroller:
    """States s_0 .. s_k of the object layer from the initial state, each
    step with its own action selector and inputs."""

    def __init__(self, cfg: Config):
        self.cfg, self.sys = cfg, object_system(cfg)
        self.states = [SO.constants(cfg, SOA.abstract(initial_state(cfg)))]
        self.sels, self.inps = [], []
        self.solver = z3.Solver()

    def extend(self) -> None:
        k, sys = len(self.sels), self.sys
        nxt, sel = SO.variables(self.cfg, f"o{k + 1}!"), z3.Int(f"oa{k}!")
        inp = SO.OInputs.fresh(self.cfg, f"oi{k}!")
        sub = [(sys.pre[key], self.states[k][key]) for key in sys.pre]
        sub += [(sys.post[key], nxt[key]) for key in sys.post] + [(sys.sel, sel)] + _inputs_sub(sys, inp)
        self.solver.add(z3.substitute(sys.T, *sub))
        self.states.append(nxt)
        self.sels.append(sel)
        self.inps.append(inp)

    def bad(self, prop: str, k: int):
        return to_z3(NOT(OBJECT_FORMS[prop](self.sys.enc, self.states[k])))

    def path(self, m: z3.ModelRef) -> list:
        """(OAct, plain OInputs) per step of the model's path."""
        def val(x):
            return m.eval(x, model_completion=True).as_long()
        out = []
        for sel, inp in zip(self.sels, self.inps):
            plain = SO.OInputs(val(inp.value), val(inp.rday), tuple(val(a) for a in inp.rattrs), val(inp.days))
            out.append((self.sys.acts[val(sel)], plain))
        return out


def object_model_actions(cfg: Config, path) -> list:
    """The model actions of an object-layer path (SOA.commit_actions per step)."""
    return [a for act, inp in path for a in SOA.commit_actions(cfg, act, inp)]


def decode_objects(cfg: Config, path, props) -> Trace:
    """Replay an object-layer path on the Python model, cut where one of
    `props` first breaks (a write can break it before it is acknowledged);
    an error if none breaks (the two encodings disagree)."""
    steps = object_model_actions(cfg, path)
    state = initial_state(cfg)
    from dirproof.properties import broken_assumptions
    for i, action in enumerate(steps, 1):
        nxt = step(state, action)
        if isinstance(nxt, Rejected):
            raise AssertionError(f"the Z3 object path does not replay: step {i} {action!r}: {nxt.reason}")
        state = nxt
        for prop in props:
            msg = PROPERTIES[prop].check(state)
            if msg is not None:
                return Trace(tuple(SO.step_text(a, inp) for a, inp in path), tuple(steps[:i]), i, msg, prop,
                             bool(broken_assumptions(state)))
    raise AssertionError(f"the Z3 object path of {len(path)} steps breaks none of {', '.join(props)} on the model")


def bmc_objects(cfg: Config, prop, depth: int = OBJECT_DEPTH, seconds: Optional[float] = None,
                progress: Optional[Callable] = None) -> BmcResult:
    """The shortest object-layer path (in object steps) that breaks `prop` (an
    id or a tuple of ids), found level by level, replayed on the model."""
    props = (prop,) if isinstance(prop, str) else tuple(prop)
    t0 = time.perf_counter()
    un = ObjectUnroller(cfg)
    per, done = [], 0
    for k in range(1, depth + 1):
        left = None if seconds is None else seconds - (time.perf_counter() - t0)
        if left is not None and k > 1 and left <= 0:
            break
        t1 = time.perf_counter()
        un.extend()
        lit = z3.FreshBool("goal")
        un.solver.add(z3.Implies(lit, z3.Or(*[un.bad(p, k) for p in props])))
        un.solver.set("timeout", int(max(left, 1.0) * 1000) if left is not None and k > 1 else 0)
        res = un.solver.check(lit)
        per.append((k, time.perf_counter() - t1, str(res)))
        if progress:
            progress(k, depth, f"{', '.join(props)}: object depth {k} {res}")
        if res == z3.sat:
            trace = decode_objects(cfg, un.path(un.solver.model()), props)
            return BmcResult(trace.property, k, trace, time.perf_counter() - t0, tuple(per), None)
        if res != z3.unsat:
            break
        done = k
    return BmcResult(props[0], done, None, time.perf_counter() - t0, tuple(per), None)


def object_forms(props: Sequence[str] = OBJECT_SCOPE, aux: Optional[Sequence[str]] = None) -> list:
    from dirproof.properties.object_invariants import OBJECT_INVARIANTS
    names = list(OBJECT_INVARIANTS) if aux is None else list(aux)
    return [(n, OBJECT_INVARIANTS[n].form) for n in names] + [(p, OBJECT_FORMS[p]) for p in props]


def object_induction(cfg: Config, forms: Optional[list] = None, steps: Optional[Sequence[str]] = None,
                     only: Optional[Sequence[str]] = None) -> InductionReport:
    """Initiation and consecution of the conjunction of `forms` (by default
    the object invariants and the three object properties) over the
    object-layer relation, one obligation per (conjunct, step)."""
    t0 = time.perf_counter()
    forms = forms if forms is not None else object_forms()
    sys = object_system(cfg)
    enc, pre, post = sys.enc, sys.pre, sys.post
    init = SOA.abstract(initial_state(cfg))
    bad_init = tuple(n for n, f in forms if not f(enc, init))
    hyp = [to_z3(f(enc, pre)) for _, f in forms]
    goals = {n: to_z3(f(enc, post)) for n, f in forms if only is None or n in only}
    build = time.perf_counter() - t0
    obligations = []
    for name in [n for n in SO.STEP_NAMES if steps is None or n in steps]:
        idx = [j for j, a in enumerate(sys.acts) if a.name == name]
        solver = z3.Solver()
        solver.add(*hyp)
        solver.add(enc.relation(pre, post, sys.sel, sys.inp, list(sys.acts), only=idx))
        for n, goal in goals.items():
            t1 = time.perf_counter()
            res = _check_goal(solver, z3.Not(goal))
            cti = None
            if res == z3.sat:
                m = solver.model()
                act = sys.acts[m.eval(sys.sel, model_completion=True).as_long()]
                cti = (SO.model_values(cfg, m, pre), act, SO.model_values(cfg, m, post),
                       {f: _num(m.eval(getattr(sys.inp, f), model_completion=True)) for f in ("value", "rday", "days")})
            status = "preserved" if res == z3.unsat else "broken" if res == z3.sat else "unknown"
            obligations.append(Obligation(n, name, status, time.perf_counter() - t1, cti))
    return InductionReport(cfg, None, tuple(n for n, _ in forms), bad_init, tuple(obligations),
                           time.perf_counter() - t0, build)


def describe_objects(cfg: Config, v: dict) -> list[str]:
    """A symbolic object state in words (for counterexamples to induction)."""
    names = {0: "absent", 1: "live", 2: "soft-deleted", 3: "gone"}
    out = [f"day {v[('day',)]}; snapshots: " + (", ".join(
        f"day {v[('sd', k)]} [" + " ".join(
            f"o{o}={tuple(v[('sa', k, o, i)] for i in range(cfg.attributes))}" if v[("sh", k, o)] else f"o{o}=-"
            for o in range(cfg.objects)) + "]"
        for k in range(min(max(v[("snn",)], 0), cfg.snapshots_kept))) or "none")]
    for o in range(cfg.objects):
        views = []
        for w, who in (("a", "AP"), ("p", "PP")):
            st = v[(w, "st", o)]
            views.append(f"{who} {names.get(st, f'status#{st}')} attrs "
                         f"{tuple(v[(w, 'at', o, i)] for i in range(cfg.attributes))} deleted day {v[(w, 'dd', o)]}")
        ghost = (f"last soft delete day {v[('sdd', o)]}, attrs before it "
                 f"{tuple(v[('bef', o, i)] for i in range(cfg.attributes)) if v[('bs', o)] else '-'}, "
                 f"pending delete day {v[('del', o)]}, tombstone {v[('tomb', o)]}, by purge {v[('pg', o)]}")
        out.append(f"  object {o}: {'; '.join(views)}; {ghost}")
    latched = [h for h in SO.LATCHES if v[("h", h)]]
    if latched:
        out.append(f"  monitors latched: {', '.join(latched)}")
    return out


def object_cti_text(report: InductionReport, ob: Obligation) -> str:
    pre, act, post, inp = ob.cti
    out = [ob.text() + ":", "before:"] + describe_objects(report.cfg, pre)
    out += [f"step: {act.text()} (inputs {inp})", "after:"] + describe_objects(report.cfg, post)
    return "\n".join(out)


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

    def scope_text(self) -> str:
        c = self.cfg
        return (f"the object layer of one directory ({c.objects} objects, {c.attributes} attributes x "
                f"{c.values} values, retention {c.retention_days} days, a snapshot every "
                f"{c.snapshot_every_days} days, {c.snapshots_kept} kept), any number of operations and "
                f"ticks, any days; composed with one-history and no-acked-write-lost: over one history, "
                f"the AP's and the PP's views, not reads (docs/z3.md)")

    def detail(self, prop: str) -> str:
        if prop in self.kept:
            aux = [k for k in self.kept if k not in OBJECT_FORMS]
            return (f"inductive for {self.scope_text()}; {len(aux)} auxiliary invariants, "
                    f"{len(self.rounds[-1].obligations)} obligations")
        return f"not inductive: {dict(self.dropped).get(prop, '')}"


def prove_objects(cfg: Config, props: Sequence[str] = OBJECT_SCOPE) -> ObjectProof:
    t0 = time.perf_counter()
    kept, dropped, rounds = houdini(object_forms(props), lambda forms: object_induction(cfg, forms))
    return ObjectProof(cfg, kept, dropped, rounds, time.perf_counter() - t0)


def shortened(cfg: Config, res: BmcResult):
    """The counterexample file's content for an object-layer path: its model
    actions commit every write at once (write, copy to the PP, acknowledge),
    which is the shortest in object steps but not in model actions; the
    search over the trace's own actions (dirproof.shorten) drops and
    reorders what is not needed, and the result is replayed again there."""
    from dirproof.counterexample import Counterexample
    from dirproof.shorten import shorter
    tr = res.trace
    cx = Counterexample(cfg, tr.steps, res.property, tr.violated_at, tr.message, "z3-bmc",
                        datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
                        "assumption-broken" if tr.beyond_budget else "violated")
    return shorter(cx)


def run_objects(request, wanted: Sequence[str], replication: Optional[Proof]) -> list:
    """One PropertyResult per object property: proved when the object layer
    is inductive and the replication proof gives its assumption; else the
    shortest object-layer counterexample, saved and replayed."""
    cfg = request.config
    proof = prove_objects(cfg)
    assumed = replication is not None and all(replication.proved(p) for p in ASSUMED)
    out = []
    for prop in wanted:
        if proof.proved(prop) and assumed:
            out.append(PropertyResult(prop, "proved", "z3-induction", seconds=proof.seconds + replication.seconds,
                                      detail=proof.detail(prop)))
            continue
        res = bmc_objects(cfg, prop, request.depth or OBJECT_DEPTH, progress=request.progress,
                          seconds=request.seconds if request.seconds is not None else DEFAULT_SECONDS)
        if res.found:
            cx = shortened(cfg, res)
            path = save(cx, request.out_dir)
            out.append(PropertyResult(prop, "violated", "z3-bmc", steps=len(cx.steps), seconds=res.seconds,
                                      counterexample=str(path), detail=cx.message))
            continue
        missing = [p for p in ASSUMED if replication is None or not replication.proved(p)]
        why = proof.detail(prop) if not proof.proved(prop) else (
            f"the object layer over one history is inductive "
            f"({len(proof.rounds[-1].obligations)} obligations), but {' and '.join(missing)} "
            f"{'is' if len(missing) == 1 else 'are'} not proved for this design, so the one-history "
            f"assumption is not established")
        out.append(PropertyResult(prop, "held", "z3-bmc", steps=res.depth, seconds=res.seconds,
                                  detail=f"bounded to depth {res.depth} object steps (each write committed "
                                         f"at once, ticks of any length); {why}"))
    return out


OBJECT_VACUITY = {
    "soft-delete-restorable": "a restore of an object soft-deleted with other than default attributes",
    "no-early-purge": "a purge is acknowledged",
    "no-resurrection": "an object deleted for good while a kept snapshot still holds it",
}


def _object_goal(prop: str, un: ObjectUnroller, k: int):
    enc, pre, post, sel = un.sys.enc, un.states[k - 1], un.states[k], un.sels[k - 1]
    out = []
    for o in range(enc.N):
        def did(name):
            return sel == un.sys.acts.index(SO.OAct(name, (o,)))
        if prop == "soft-delete-restorable":
            out.append(AND(did("restore"), pre[("bs", o)], OR(*(NOT(EQ(pre[("bef", o, i)], 0)) for i in range(enc.A)))))
        elif prop == "no-early-purge":
            out.append(did("purge"))
        else:
            held = OR(*(AND(post[("snn",)] > j, post[("sh", j, o)]) for j in range(enc.S)))
            out.append(AND(post[("tomb", o)], held))
    return to_z3(OR(*out))


def _object_py_goal(prop: str, state: State) -> bool:
    from dirproof.model import GONE, Purge, Restore
    last = state.history[-1].entry if state.history else None
    if prop == "soft-delete-restorable":
        return last is not None and isinstance(last.op, Restore) and any(
            a != 0 for a in SOA.abstract_before(state, last.op.obj))
    if prop == "no-early-purge":
        return last is not None and isinstance(last.op, Purge)
    tombs = SOA.abstract(state)
    return any(tombs[("tomb", o)] and any(s.view[o] is not None and s.view[o].status != GONE
                                          for s in state.snapshots) for o in range(state.config.objects))


def object_witness(cfg: Config, prop: str, depth: int = 6) -> Witness:
    """Vacuity of an object property: the shortest object-layer path that
    reaches what it speaks of (OBJECT_VACUITY), replayed on the model."""
    t0 = time.perf_counter()
    un = ObjectUnroller(cfg)
    for k in range(1, depth + 1):
        un.extend()
        lit = z3.FreshBool("goal")
        un.solver.add(z3.Implies(lit, _object_goal(prop, un, k)))
        if un.solver.check(lit) == z3.sat:
            steps = object_model_actions(cfg, un.path(un.solver.model()))
            state = initial_state(cfg)
            for action in steps:
                state = step(state, action)
                if isinstance(state, Rejected):
                    raise AssertionError(f"the object witness for {prop} does not replay: {state.reason}")
            if not _object_py_goal(prop, state):
                raise AssertionError(f"the object witness for {prop} does not reach its goal on the model")
            return Witness(prop, OBJECT_VACUITY[prop], True, k, tuple(steps), time.perf_counter() - t0)
    return Witness(prop, OBJECT_VACUITY[prop], False, depth, (), time.perf_counter() - t0)


def prove_objects_cli(cfg: Config, args) -> int:
    """`python -m dirproof.z3_engine prove --objects`: the object proof by hand."""
    if args.houdini:
        pr = prove_objects(cfg)
        for p in OBJECT_SCOPE:
            print(f"{p}: {'proved' if pr.proved(p) else 'not proved'} -- {pr.detail(p)}")
        return 0
    forms = [f for f in object_forms() if f[0] not in args.drop]
    rep = object_induction(cfg, forms, steps=args.step, only=args.invariant)
    return print_induction(rep, object_cti_text)
