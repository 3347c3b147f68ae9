"""The Z3 engine: bounded model checking and inductive proofs (docs/z3.md).

`run(request)` is what `dirproof check --engine z3` calls. For each
requested property that has a Z3 form (properties/z3_forms.py: the five
replication and session properties), it returns one PropertyResult:

  * "proved" (engine "z3-induction") when the property is in the inductive
    invariant found for the configuration (`prove`: the auxiliary invariants
    of properties/invariants.py and the five properties, Houdini-style: what
    fails is dropped until the rest is inductive); the detail states the
    scope the proof covers;
  * "violated" (engine "z3-bmc") with the path of a counterexample file
    when bounded model checking finds an execution that breaks it: the
    shortest one, converted to model actions, replayed on the Python model
    to confirm it, and saved with dirproof.counterexample.save;
  * "held" (engine "z3-bmc") with detail "bounded to depth K ..." when only
    the bounded search ran, to depth K (the request's depth, default 8, or
    less when its time budget, default 20 s per property, ran out), and
    found nothing.

The three object properties (soft-delete-restorable, no-early-purge,
no-resurrection) come from the object layer's own encoding over one history
(model/symbolic_objects.py; `run_objects`, `prove_objects`, `bmc_objects`):
"proved" when it is inductive *and* the replication proof gives one-history
and no-acked-write-lost for the configuration (the compositional
assumption, docs/z3.md), else the shortest object-layer counterexample, or
"held". bounded-write-unavailability (a state predicate about which steps
are enabled, properties/z3_forms.py AVAILABILITY_FORMS) is "proved" when
the replication proof's inductive invariant implies it
(`prove_availability`, one query), else BMC's verdict (`judge`).

Pieces, usable alone (and from `python -m dirproof.z3_engine`):

  * `bmc(cfg, prop, depth)`: the relation of dirproof.model.symbolic is
    built once per configuration (6-bit vectors) and instantiated per step
    by substitution; depth k = 1, 2, ... is asked in turn, so the first hit
    is a shortest counterexample. The scope grows with the depth searched
    (logs of `depth - 1` entries, since the last step of a violation is
    never a write; epochs up to `depth`), so "shortest" holds among all
    executions of that many steps. The fault budget (design.md §2) is
    assumed on every state of the path unless `budget=False`.
  * `induction(cfg, scope)`: initiation and consecution of the invariant,
    one obligation per (conjunct, step), with a counterexample to induction
    as a pair of readable states when one fails; `steps=` and `only=` check
    one step or one conjunct alone; symmetry of the topology fixes the
    pre-state's (AP, PP) to one pair per orbit.
  * `prove(cfg, scope)`: Houdini over `induction`.
  * `witness(cfg, prop)`: vacuity: the shortest execution that reaches what
    the property speaks of (a write acknowledged, a failover, a read after it).
"""

from __future__ import annotations

import datetime
import functools
import time
from pathlib import Path
from typing import Callable, Optional, Sequence

import attrs
import z3

from dirproof.model import (PROFILES, SYSTEM, Config, ConfigError, Create, Rejected, State, Update,
                            initial_state, make_config, step)
from dirproof.model import actions as A
from dirproof.model.objects import OpContext, view_of
from dirproof.model.symbolic import (AND, EQ, NOT, OR, Act, Encoding, Inputs, Scope, actions, constants,
                                     model_values, numbers, to_z3, variables)
from dirproof.model.symbolic_abstraction import Abstraction
from dirproof.properties import PROPERTIES
from dirproof.properties.z3_forms import AVAILABILITY_FORMS, FORMS, IN_SCOPE
from dirproof.properties.z3_object_forms import OBJECT_FORMS
from dirproof.defaults import DEFAULT_DEPTH, DEFAULT_SECONDS
from dirproof.results import PropertyResult

ALL_FORMS = {**FORMS, **AVAILABILITY_FORMS}  # every property with a form over model/symbolic.py
BITS = 6  # the least bit-vector width of the bounded search (bmc_bits widens it)


# --------------------------------------------------------------------------- the symbolic system

@attrs.frozen
class System:
    """The relation T(pre, post, sel, inputs) of one configuration and scope."""

    cfg: Config
    scope: Scope
    bits: Optional[int]
    acts: tuple
    enc: Encoding
    pre: dict
    post: dict
    sel: object
    inp: Inputs
    T: object
    seconds: float
    cases: tuple = ()


@functools.lru_cache(maxsize=16)
def system(cfg: Config, scope: Scope, bits: Optional[int], bmc_actions: bool = True,
           big="same") -> System:
    """Build (once) the relation over every action of `cfg` (for the bounded
    search: without ticks, which are stutters in Z3, and without system
    writes, which need the object layer's clock). `bits`, `big`: the
    numeric sorts (symbolic.numbers)."""
    t0 = time.perf_counter()
    with numbers(bits, big):
        acts = tuple(actions(cfg, system_writes=not bmc_actions, tick=not bmc_actions))
        enc = Encoding(cfg, scope)
        pre, post = variables(cfg, scope, "pre!"), variables(cfg, scope, "post!")
        sel = Encoding.selector("sel!", list(acts))
        inp = Inputs.fresh("in!")
        cases = enc.cases(pre, list(acts), inp)
        T = enc.relation(pre, post, sel, inp, list(acts), cases)
    return System(cfg, scope, bits, acts, enc, pre, post, sel, inp, T, time.perf_counter() - t0,
                  tuple(cases))


# --------------------------------------------------------------------------- bounded model checking

@attrs.frozen
class Trace:
    """A path found by the bounded search, as Z3 actions and as model actions."""

    acts: tuple  # Act per step
    steps: tuple  # dirproof.model actions per step
    violated_at: int
    message: str
    property: str = ""
    beyond_budget: bool = False  # the fault budget is exceeded when the property breaks


@attrs.frozen
class BmcResult:
    property: str
    depth: int  # the depth searched (the counterexample's length when found)
    trace: Optional[Trace]
    seconds: float
    per_depth: tuple  # (depth, seconds, "sat"/"unsat"/"unknown")
    scope: Scope
    budget: bool = True

    @property
    def found(self) -> bool:
        return self.trace is not None


def bmc_scope(depth: int) -> Scope:
    return Scope(log=max(1, depth - 1), epochs=max(2, depth))


def bmc_bits(cfg: Config, scope: Scope, depth: int) -> int:
    """A signed width that holds every value of a path of `depth` steps:
    LSNs and lengths (<= L), epochs (<= E), payloads (<= depth + 1),
    logical numbers (<= depth), replica ids, -1, with room for +1."""
    top = max(scope.log, scope.epochs, depth + 2, len(cfg.datacenters), cfg.sessions) + 2
    return max(BITS, top.bit_length() + 1)


class Unroller:
    """States s_0 .. s_k of one configuration and scope, with the steps between."""

    def __init__(self, cfg: Config, scope: Scope, bits: Optional[int] = None, budget: bool = True,
                 depth: Optional[int] = None):
        bits = bits or bmc_bits(cfg, scope, depth if depth is not None else scope.epochs)
        self.sys = system(cfg, scope, bits)
        self.cfg, self.scope, self.bits, self.budget = cfg, scope, bits, budget
        self.keys = list(self.sys.pre)
        with numbers(bits):
            init = Abstraction(cfg, scope).abstract(initial_state(cfg))
            self.states = [constants(cfg, scope, init)]
        self.sels: list = []
        self.solver = z3.SolverFor("QF_BV") if bits else z3.Solver()

    def fresh_state(self, k: int) -> dict:
        """Variables for s_k, except the keys every k-step execution leaves
        at their initial value: log positions >= k (each step writes at most
        one entry, and the null entry fills every position past a log's
        length), their acknowledgement slots, and epochs > k + 1 (each step
        starts at most one), whose roles and ackers stay unset."""
        st = variables(self.cfg, self.scope, f"s{k}!")
        init = self.states[0]
        for key in st:
            head = key[0]
            if head in ("log", "ack", "ackn") and key[2 if head == "log" else 1] >= k:
                st[key] = init[key]
            elif head in ("rap", "rpp", "acker") and key[1] > k + 1:
                st[key] = init[key]
        return st

    def extend(self) -> None:
        k = len(self.sels)
        sys = self.sys
        with numbers(self.bits):
            nxt = self.fresh_state(k + 1)
            sel = Encoding.selector(f"a{k}!", list(sys.acts))
            sub = [(sys.pre[key], self.states[k][key]) for key in self.keys]
            sub += [(sys.post[key], nxt[key]) for key in self.keys]
            sub += [(sys.sel, sel), (sys.inp.pay, to_z3(k + 1)), (sys.inp.ok, z3.BoolVal(True)),
                    (sys.inp.days, to_z3(1))]
            self.solver.add(z3.substitute(sys.T, *sub))
            if self.budget:
                self.solver.add(z3.Not(nxt[("exc",)]))
        self.states.append(nxt)
        self.sels.append(sel)

    def bad(self, prop: str, k: int):
        with numbers(self.bits):
            return to_z3(NOT(ALL_FORMS[prop](self.sys.enc, self.states[k])))

    def check(self, goal, timeout: Optional[float] = None) -> z3.CheckSatResult:
        """sat/unsat of the path so far ending in `goal` (unknown on timeout, seconds)."""
        lit = z3.FreshBool("goal")
        self.solver.add(z3.Implies(lit, goal))
        self.solver.set("timeout", int(timeout * 1000) if timeout else 0)
        return self.solver.check(lit)

    def acts_in(self, model: z3.ModelRef) -> list[Act]:
        return [self.sys.acts[model.eval(s, model_completion=True).as_long()] for s in self.sels]


def bmc(cfg: Config, prop, depth: int = DEFAULT_DEPTH, budget: bool = True,
        seconds: Optional[float] = None, progress: Optional[Callable] = None,
        scope: Optional[Scope] = None) -> BmcResult:
    """Search every execution of up to `depth` steps for one that breaks
    `prop` (a property id, or a tuple of them: then the first execution that
    breaks any); the first hit is a shortest one. With `seconds`, stop (held
    to the depth completed) when the budget is spent."""
    props = (prop,) if isinstance(prop, str) else tuple(prop)
    for p in props:
        if p not in ALL_FORMS:
            raise ValueError(f"{p} has no Z3 form; properties in the Z3 scope: {', '.join(ALL_FORMS)}")
    t0 = time.perf_counter()
    scope = scope or bmc_scope(depth)
    un = Unroller(cfg, scope, None, budget, depth)
    per, done = [], 0
    for k in range(1, depth + 1):
        left = None if seconds is None else seconds - (time.perf_counter() - t0)
        if left is not None and k > 1 and left <= 0:
            break  # the time budget is spent (at least one level is always searched)
        t1 = time.perf_counter()
        un.extend()
        res = un.check(z3.Or(*[un.bad(p, k) for p in props]),
                       timeout=None if left is None or k == 1 else max(left, 1.0))
        per.append((k, time.perf_counter() - t1, str(res)))
        if progress:
            progress(k, depth, f"{', '.join(props)}: depth {k} {res}")
        if res == z3.sat:
            acts = un.acts_in(un.solver.model())
            trace = decode(cfg, acts, props)
            return BmcResult(trace.property, k, trace, time.perf_counter() - t0, tuple(per), scope, budget)
        if res != z3.unsat:
            break
        done = k
    return BmcResult(props[0], done, None, time.perf_counter() - t0, tuple(per), scope, budget)


# --------------------------------------------------------------------------- from Z3 actions to model actions

def _op_for(state: State, at: int, session: int, used: set):
    """An operation the object layer accepts at `at`, whose entry differs
    from every entry written before with the same (epoch, lsn, origin,
    session, logical, day): the Z3 search gave every write its own payload."""
    cfg = state.config
    rep = state.replicas[at]
    view = view_of(cfg, rep.log, at)
    ctx = OpContext(cfg, state.day, state.snapshots)
    logical = state.sessions[session].logical if session != SYSTEM else 0
    key = (rep.epoch, len(rep.log) + 1, at, session, logical, state.day)
    ops = [Create(o) for o in range(cfg.objects)]
    ops += [Update(o, a, v) for o in range(cfg.objects) for a in range(cfg.attributes)
            for v in range(cfg.values)]
    fallback = None
    for op in ops:
        if op.refuse(view, ctx) is None:
            if (key, op) not in used:
                used.add((key, op))
                return op
            fallback = fallback or op
    return fallback


def to_action(state: State, act: Act, used: set):
    a = act.args
    if act.name == "client_write":
        op = _op_for(state, a[0], a[1], used)
        if op is None:
            return None
        return A.ClientWrite(a[0], a[1], op)
    cls = {c.__name__: c for c in A.ACTION_TYPES}["".join(w.title() for w in act.name.split("_"))]
    return cls(*a)


def decode(cfg: Config, acts: Sequence[Act], props) -> Trace:
    """Turn a Z3 path into model actions and replay it on the Python model:
    each step must be accepted, and the Python form of one of `props` must
    break after the last one (else the two encodings disagree: an error)."""
    props = (props,) if isinstance(props, str) else tuple(props)
    steps, states = replay_path(cfg, acts)
    from dirproof.properties import broken_assumptions
    for prop in props:
        msg = PROPERTIES[prop].check(states[-1])
        if msg is not None:
            return Trace(tuple(acts), tuple(steps), len(acts), msg, prop,
                         bool(broken_assumptions(states[-1])))
    raise AssertionError(f"the Z3 path of {len(acts)} steps breaks none of {', '.join(props)} on the model")


def save_counterexample(cfg: Config, result: BmcResult, out_dir: Path) -> Path:
    """The counterexample file (status "assumption-broken" when the fault
    budget was exceeded by the time the property broke)."""
    from dirproof.counterexample import Counterexample, save
    tr = result.trace
    cx = Counterexample(cfg, tr.steps, result.property, tr.violated_at, tr.message, "z3-bmc",
                        datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
                        "assumption-broken" if tr.beyond_budget else "violated")
    return save(cx, out_dir)


# --------------------------------------------------------------------------- inductive proofs

PROOF_SCOPE = Scope(log=3, epochs=3)


def proof_bits(cfg: Config, scope: Scope) -> int:
    """A bit-vector width that holds every scope-bounded value (and -1) with room for +1."""
    top = max(scope.log, scope.epochs, len(cfg.datacenters), cfg.sessions, scope.slots) + 2
    return top.bit_length() + 1


@attrs.frozen
class Obligation:
    """Consecution of one invariant over one step: Inv & T_step => inv'."""

    invariant: str
    step: str
    status: str  # "preserved", "broken" or "unknown"
    seconds: float
    cti: Optional[tuple] = None  # (pre values, Act, post values) when broken

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
    invariants: tuple  # ids, in order
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
    import itertools
    n = len(cfg.datacenters)
    regions = {}
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
    seen, reps = set(), []
    for a, p in pairs:
        if (a, p) in seen:
            continue
        reps.append((a, p))
        seen |= {(g[a], g[p]) for g in perms}
    return reps


def invariant_forms(props: Sequence[str] = IN_SCOPE, aux: Optional[Sequence[str]] = None) -> list:
    """(id, form) of the auxiliary invariants (all, or those named) and the properties."""
    from dirproof.properties.invariants import INVARIANTS
    names = list(INVARIANTS) if aux is None else list(aux)
    return [(n, INVARIANTS[n].form) for n in names] + [(p, FORMS[p]) for p in props]


def induction(cfg: Config, scope: Scope = PROOF_SCOPE, forms: Optional[list] = None,
              steps: Optional[Sequence[str]] = None, only: Optional[Sequence[str]] = None,
              budget: bool = True, progress: Optional[Callable] = None,
              symmetry: bool = True, merge: bool = False) -> InductionReport:
    """Check initiation and consecution of the conjunction of `forms` (by
    default every auxiliary invariant and the five properties), one step
    name and one conjunct at a time: Inv & (budget) & T_step => conjunct'.
    `steps`, `only`: check only those steps / conjuncts (the hypothesis is
    still the whole conjunction).

    Symmetry: the relation and the invariants treat replicas alike up to
    the topology (regions), so a counterexample to induction renamed by a
    symmetry of the topology is one too. With `symmetry`, the pre-state's
    (AP, PP) is fixed to one representative per orbit of those symmetries
    (for `entra`: one orbit, AP = A1 and PP = B1), one query each. This
    needs the invariants to include `shape` (roles in range)."""
    t0 = time.perf_counter()
    forms = forms if forms is not None else invariant_forms()
    symmetry = symmetry and any(n == "shape" for n, _ in forms)  # orbits assume roles in range
    bits = proof_bits(cfg, scope)
    sys = system(cfg, scope, bits, bmc_actions=False, big=None)
    enc, pre, post = sys.enc, sys.pre, sys.post
    init = Abstraction(cfg, scope).abstract(initial_state(cfg))
    bad_init = tuple(n for n, f in forms if not f(enc, init))
    with numbers(bits, None):
        hyp = [to_z3(f(enc, pre)) for _, f in forms]
        goals = {n: to_z3(f(enc, post)) for n, f in forms if only is None or n in only}
    if budget:
        hyp += [z3.Not(pre[("exc",)]), z3.Not(post[("exc",)])]
    build = time.perf_counter() - t0
    names = [n for n in dict.fromkeys(a.name for a in sys.acts) if steps is None or n in steps]
    obligations = []
    for name in names:
        idx = [j for j, a in enumerate(sys.acts) if a.name == name]
        with numbers(bits, None):
            T = enc.relation(pre, post, sys.sel, sys.inp, list(sys.acts), list(sys.cases), only=idx)
        solver = z3.Solver()
        solver.add(*hyp)
        solver.add(T)
        orbits = role_orbits(cfg) if symmetry else [None]
        if symmetry:
            cur = (enc.cur_ap(pre), enc.cur_pp(pre))
            solver.add(z3.Or(*[to_z3(AND(EQ(cur[0], a), EQ(cur[1], p))) for a, p in orbits]))
        # With `merge`, first every goal at once: one query per step when the
        # step preserves them all (faster for some configurations, slower for others).
        t1 = time.perf_counter()
        res = _check_goal(solver, z3.Not(z3.And(*goals.values()))) if merge and len(goals) > 1 else None
        if res == z3.unsat:
            share = (time.perf_counter() - t1) / len(goals)
            obligations += [Obligation(n, name, "preserved", share) for n in goals]
            if progress:
                progress(len(obligations), len(names) * len(goals), f"{name} preserves every invariant")
            continue
        for n, goal in goals.items():
            t1 = time.perf_counter()
            res = _check_goal(solver, z3.Not(goal))
            cti = None
            if res == z3.sat:
                m = solver.model()
                act = sys.acts[m.eval(sys.sel, model_completion=True).as_long()]
                cti = (model_values(cfg, scope, m, pre), act, model_values(cfg, scope, m, post),
                       _inputs_of(m, sys.inp))
            status = "preserved" if res == z3.unsat else "broken" if res == z3.sat else "unknown"
            obligations.append(Obligation(n, name, status, time.perf_counter() - t1, cti))
            if progress:
                progress(len(obligations), len(names) * len(goals), obligations[-1].text())
    return InductionReport(cfg, scope, tuple(n for n, _ in forms), bad_init, tuple(obligations),
                           time.perf_counter() - t0, build)


def _check_goal(solver, goal):
    lit = z3.FreshBool("goal")
    solver.add(z3.Implies(lit, goal))
    return solver.check(lit)


def _num(v) -> int:
    return v.as_signed_long() if isinstance(v, z3.BitVecNumRef) else v.as_long()


def _inputs_of(m: z3.ModelRef, inp: Inputs) -> dict:
    return {"pay": _num(m.eval(inp.pay, model_completion=True)),
            "ok": z3.is_true(m.eval(inp.ok, model_completion=True)),
            "days": _num(m.eval(inp.days, model_completion=True))}


def describe_state(cfg: Config, scope: Scope, v: dict) -> list[str]:
    """A symbolic state's values in words (for counterexamples to induction)."""
    L, E = scope.log, scope.epochs
    oe = v[("oe",)]
    roles = ", ".join(f"e{e}: AP {_rn(cfg, v[('rap', e)])} PP {_rn(cfg, v[('rpp', e)])}"
                      for e in range(1, E + 1) if e <= oe)
    lines = [f"epoch {oe} ({roles}); PP in sync: {v[('insync',)]}; "
             f"budget guards ({_rn(cfg, v[('gA',)])}, {_rn(cfg, v[('gP',)])}), pending {v[('pend',)]}, "
             f"exceeded {v[('exc',)]}"]
    for r in range(len(cfg.datacenters)):
        ents = [_entry_text(tuple(v[("log", r, i, f)] for f in ("ep", "pay", "ses", "lgc")))
                for i in range(min(max(v[("ln", r)], 0), L))]
        lines.append(f"  {_rn(cfg, r)}: {'up' if v[('up', r)] else 'down'}, epoch {v[('ep', r)]}, "
                     f"commit {v[('cm', r)]}, log [{', '.join(ents)}]"
                     + (f" (length {v[('ln', r)]})" if not 0 <= v[("ln", r)] <= L else ""))
    cut = [f"{_rn(cfg, a)}-{_rn(cfg, b)}" for (k, *ab) in v if k == "cut" and v[(k, *ab)]
           for a, b in [ab]]
    if cut:
        lines.append(f"  cut links: {', '.join(cut)}")
    for s in range(cfg.sessions):
        lines.append(f"  session {s}: at {_rn(cfg, v[('srep', s)])}, logical #{v[('slg', s)]}, "
                     f"token ({v[('stE', s)]},{v[('stL', s)]}), longest read {v[('last', s)]}")
    acked = []
    for i in range(L):
        n = v[("ackn", i)]
        for k in range(min(max(n, 0), scope.slots)):
            acked.append(f"LSN {i + 1}: " + _entry_text(tuple(v[("ack", i, k, f)] for f in ("ep", "pay", "ses", "lgc"))))
    lines.append(f"  acknowledged: {'; '.join(acked) or 'nothing'}")
    ackers = [f"e{e} by {_rn(cfg, v[('acker', e)])}" for e in range(1, E + 1) if v[("acker", e)] != -1]
    if ackers:
        lines.append(f"  acknowledgers: {', '.join(ackers)}")
    latched = [h for (k, *rest) in v if k == "h" and v[(k, *rest)] for h in rest]
    if latched:
        lines.append(f"  monitors latched: {', '.join(latched)}")
    return lines


def _rn(cfg: Config, r: int) -> str:
    return cfg.name_of(r) if 0 <= r < len(cfg.datacenters) else f"#{r}"


def _entry_text(e: tuple) -> str:
    ep, pay, ses, lgc = e
    who = "system" if ses == SYSTEM else f"s{ses}/{lgc}"
    return f"(e{ep} w{pay} {who})"


def cti_text(report: InductionReport, ob: Obligation) -> str:
    pre, act, post, inp = ob.cti
    cfg = report.cfg
    extra = f" writing payload w{inp['pay']}" if act.name == "client_write" else ""
    out = [ob.text() + ":", "before:"] + describe_state(cfg, report.scope, pre)
    out += [f"step: {act.text(cfg)}{extra}", "after:"] + describe_state(cfg, report.scope, post)
    return "\n".join(out)


# --------------------------------------------------------------------------- Houdini: what is still inductive

@attrs.frozen
class Proof:
    """The largest inductive subset of the invariants and properties
    (Houdini: drop every conjunct that fails initiation or consecution,
    again, until none fails); the properties left in it are proved."""

    cfg: Config
    scope: Scope
    kept: tuple  # ids of the surviving conjuncts
    dropped: tuple  # (id, why): why = "initiation" or the first obligation that broke it
    rounds: tuple  # InductionReport per round
    seconds: float

    def proved(self, prop: str) -> bool:
        return prop in self.kept

    def scope_text(self) -> str:
        cfg = self.cfg
        return (f"{cfg.profile} ({len(cfg.datacenters)} replicas, {len(cfg.regions)} regions, "
                f"{cfg.sessions} sessions), {self.scope.text()}, any number of steps, within the "
                f"fault budget, any object-layer behaviour")

    def detail(self, prop: str) -> str:
        if prop in self.kept:
            aux = [k for k in self.kept if k not in FORMS]
            return (f"inductive for {self.scope_text()}; {len(aux)} auxiliary invariants "
                    f"(docs/z3.md), {len(self.rounds[-1].obligations)} obligations")
        why = dict(self.dropped).get(prop, "")
        return f"not inductive: {why}"


def houdini(forms: list, induct: Callable[[list], "InductionReport"]) -> tuple:
    """Houdini: check initiation and consecution of the conjunction of
    `forms` ((id, form) pairs) with `induct`, drop every conjunct that
    fails, and again, until none fails. (kept ids, dropped (id, why),
    rounds). Shared by the replication and the object proofs."""
    rounds, dropped = [], []
    while forms:
        rep = induct(forms)
        rounds.append(rep)
        bad = {n: "initiation: it does not hold in the initial state" for n in rep.initiation}
        for ob in rep.obligations:
            if ob.status != "preserved" and ob.invariant not in bad:
                bad[ob.invariant] = ob.text()
        if not bad:
            break
        dropped += list(bad.items())
        forms = [(n, f) for n, f in forms if n not in bad]
    return tuple(n for n, _ in forms), tuple(dropped), tuple(rounds)


def prove(cfg: Config, scope: Scope = PROOF_SCOPE, props: Sequence[str] = IN_SCOPE,
          progress: Optional[Callable] = None) -> Proof:
    t0 = time.perf_counter()
    kept, dropped, rounds = houdini(invariant_forms(props),
                                    lambda forms: induction(cfg, scope, forms, progress=progress))
    return Proof(cfg, scope, kept, dropped, rounds, time.perf_counter() - t0)


def prove_availability(cfg: Config, proof: Proof, prop: str = "bounded-write-unavailability") -> tuple:
    """(proved, seconds, detail): `prop`, a state predicate about which
    steps are enabled (properties/z3_forms.py, AVAILABILITY_FORMS), holds in
    every reachable state of the proof's scope if the inductive invariant
    the proof kept implies it: one query, Inv & within budget & not prop
    unsat. (It is not a conjunct of the induction: nothing needs it.)"""
    from dirproof.properties.invariants import INVARIANTS
    t0 = time.perf_counter()
    bits = proof_bits(cfg, proof.scope)
    kept = [INVARIANTS[n].form if n in INVARIANTS else FORMS[n] for n in proof.kept]
    solver = z3.Solver()
    with numbers(bits, None):
        enc, pre = Encoding(cfg, proof.scope), variables(cfg, proof.scope, "avail!")
        solver.add(*[to_z3(f(enc, pre)) for f in kept])
        goal = to_z3(AVAILABILITY_FORMS[prop](enc, pre))
    solver.add(z3.Not(pre[("exc",)]))
    res = _check_goal(solver, z3.Not(goal))
    spent = time.perf_counter() - t0
    if res == z3.unsat:
        return True, spent, (f"implied by the inductive invariant of the replication proof "
                             f"({proof.scope_text()}): in every reachable state a lost AP with an "
                             f"up, in-sync PP can be failed over in one orchestrator step, and a "
                             f"covered read is served")
    return False, spent, f"not implied by the inductive invariant ({res})"


# --------------------------------------------------------------------------- vacuity

@attrs.frozen
class Witness:
    property: str
    goal: str
    found: bool
    depth: int
    steps: tuple
    seconds: float


def _read_index(un: "Unroller", s: int) -> int:
    return un.sys.acts.index(Act("read", (s,)))


def _goal_formula(prop: str, un: "Unroller", k: int):
    """What the property speaks of, reached at step k (see VACUITY)."""
    enc, pre, post = un.sys.enc, un.states[k - 1], un.states[k]
    sel = un.sels[k - 1]
    S = un.cfg.sessions
    if prop == "no-acked-write-lost":
        s0 = enc.slot(post, 0, 0)
        ap_holds = OR(*(AND(enc.acting(post, a), enc.holds(post, a, 0, s0)) for a in enc.R))
        return AND(post[("ackn", 0)] >= 1, s0[0] < post[("oe",)], ap_holds)
    if prop == "one-history":
        return AND(post[("oe",)] >= 2, OR(*(AND(post[("cm", a)] >= 1, post[("cm", b)] >= 1)
                                            for a in enc.R for b in enc.R if a < b)))
    reads = []
    for s in range(S):
        is_read = Encoding.sel_is(sel, _read_index(un, s))
        if prop == "read-your-writes":
            mine = OR(*(AND(pre[("ackn", i)] >= 1, EQ(enc.slot(pre, i, 0)[2], s),
                            EQ(enc.slot(pre, i, 0)[3], pre[("slg", s)])) for i in range(enc.L)))
            reads.append(AND(is_read, mine))
        elif prop == "monotonic-reads":
            reads.append(AND(is_read, pre[("last", s)] >= 1))
        else:
            reads.append(AND(is_read, post[("last", s)] >= 1))
    return AND(pre[("oe",)] >= 2, OR(*reads))


VACUITY = {
    "no-acked-write-lost": "an entry acknowledged in an earlier epoch is in the log of the acting AP of a later one",
    "one-history": "after a failover, two replicas hold committed entries",
    "read-your-writes": "after a failover, a session reads while it has an acknowledged write",
    "monotonic-reads": "after a failover, a session reads again in a logical session that has read something",
    "no-read-of-lost-write": "after a failover, a read returns a non-empty prefix",
}


def _py_goal(prop: str, prev: State, action, nxt: State) -> bool:
    from dirproof.model import Acked, Read, ReadServed, acting_ap
    if prop == "no-acked-write-lost":
        ap = acting_ap(nxt)
        return ap is not None and any(
            isinstance(ev, Acked) and ev.entry.epoch < nxt.orchestrator.epoch
            and nxt.replicas[ap].log[ev.entry.lsn - 1:ev.entry.lsn] == (ev.entry,) for ev in nxt.history)
    if prop == "one-history":
        return nxt.orchestrator.epoch >= 2 and sum(rep.commit >= 1 for rep in nxt.replicas) >= 2
    if not isinstance(action, Read) or prev.orchestrator.epoch < 2:
        return False
    s = action.session
    logical = prev.sessions[s].logical
    if prop == "read-your-writes":
        return any(isinstance(ev, Acked) and ev.entry.session == s and ev.entry.logical == logical
                   for ev in prev.history)
    if prop == "monotonic-reads":
        return any(isinstance(ev, ReadServed) and ev.session == s and ev.logical == logical and ev.seen
                   for ev in prev.history)
    return bool(nxt.history[-1].seen)


def witness(cfg: Config, prop: str, depth: int = 8) -> Witness:
    """The shortest execution (within the fault budget) that reaches what
    `prop` speaks of, replayed on the Python model (an error if it does not
    reach it there)."""
    t0 = time.perf_counter()
    un = Unroller(cfg, bmc_scope(depth), None, True, depth)
    for k in range(1, depth + 1):
        un.extend()
        with numbers(un.bits):
            goal = to_z3(_goal_formula(prop, un, k))
        if un.check(goal) == z3.sat:
            acts = un.acts_in(un.solver.model())
            steps, states = replay_path(cfg, acts)
            if not _py_goal(prop, states[-2], steps[-1], states[-1]):
                raise AssertionError(f"the vacuity witness for {prop} does not reach its goal on the model")
            return Witness(prop, VACUITY[prop], True, k, tuple(steps), time.perf_counter() - t0)
    return Witness(prop, VACUITY[prop], False, depth, (), time.perf_counter() - t0)


def replay_path(cfg: Config, acts: Sequence[Act]) -> tuple[list, list]:
    state = initial_state(cfg)
    steps, states, used = [], [state], set()
    for i, act in enumerate(acts, 1):
        action = to_action(state, act, used)
        nxt = step(state, action) if action is not None else Rejected("no operation is accepted")
        if isinstance(nxt, Rejected):
            raise AssertionError(f"the Z3 path does not replay: step {i} {act.text(cfg)} is rejected "
                                 f"by the model ({nxt.reason})")
        steps.append(action)
        states.append(nxt)
        state = nxt
    return steps, states


# --------------------------------------------------------------------------- the engine entry point

def run(request) -> list:
    """One PropertyResult per requested property in the Z3 scope (see the module
    doc): the five replication properties, then the three object properties
    (`run_objects`, which composes with the replication proof).

    With `request.over_budget`, the bounded search lets faults exceed the
    fault budget: a counterexample found beyond it is "assumption-broken";
    a proof (always made under the budget) still reports "proved" when no
    such counterexample turns up to the depth searched."""
    cfg = request.config
    wanted = [p for p in request.properties if p in FORMS]
    objects = [p for p in request.properties if p in OBJECT_FORMS]
    avail = [p for p in request.properties if p in AVAILABILITY_FORMS]
    if not wanted and not objects and not avail:
        return []
    from dirproof.z3_objects import run_objects

    proof = prove(cfg, PROOF_SCOPE, IN_SCOPE, progress=request.progress)  # they support each other
    out = [judge(request, prop, *proof_of(cfg, proof, prop)) for prop in wanted + avail]
    return out + (run_objects(request, objects, proof) if objects else [])


def proof_of(cfg: Config, proof: Proof, prop: str) -> tuple:
    """(proved, seconds, detail) of one property from the replication proof:
    a conjunct of the inductive invariant, or (bounded-write-unavailability)
    a state predicate that invariant implies (`prove_availability`)."""
    if prop in AVAILABILITY_FORMS:
        ok, spent, detail = prove_availability(cfg, proof, prop)
        return ok, proof.seconds + spent, detail
    return proof.proved(prop), proof.seconds, proof.detail(prop)


def judge(request, prop: str, proved: bool, seconds: float, detail: str) -> PropertyResult:
    """The verdict on one property: "proved" from the proof (within the fault
    budget), else the bounded search's: a saved counterexample ("violated",
    or "assumption-broken" beyond the budget with `request.over_budget`), or
    "held" to the depth it reached."""
    cfg, over = request.config, bool(request.over_budget)
    if proved and not over:
        return PropertyResult(prop, "proved", "z3-induction", seconds=round(seconds, 2), detail=detail)
    res = bmc(cfg, prop, request.depth or DEFAULT_DEPTH, budget=not over, progress=request.progress,
              seconds=request.seconds if request.seconds is not None else DEFAULT_SECONDS)
    if res.found:
        path = save_counterexample(cfg, res, request.out_dir)
        status = "assumption-broken" if res.trace.beyond_budget else "violated"
        return PropertyResult(prop, status, "z3-bmc", steps=res.depth, seconds=res.seconds,
                              counterexample=str(path), detail=res.trace.message)
    if proved:
        return PropertyResult(prop, "proved", "z3-induction", seconds=round(seconds + res.seconds, 2),
                              detail=f"{detail}; beyond the fault budget: no violation to depth {res.depth}")
    budget = "beyond the fault budget too" if over else "within the fault budget"
    return PropertyResult(prop, "held", "z3-bmc", steps=res.depth, seconds=res.seconds,
                          detail=f"bounded to depth {res.depth} (every execution of up to {res.depth} "
                                 f"steps, {budget}); {detail}")


# --------------------------------------------------------------------------- command line

def print_induction(rep: InductionReport, cti: Callable) -> int:
    """Print an induction report: initiation failures, one line per failing
    obligation, the counterexample to induction of each failing invariant
    (`cti(rep, obligation)`, as a pair of states), and the tally; the exit
    status (0: inductive). Shared by the replication and object proofs."""
    for n in rep.initiation:
        print(f"`{n}` does not hold in the initial state")
    for ob in rep.failures():
        print(ob.text())
    shown = set()
    for ob in rep.failures():
        if ob.cti and ob.invariant not in shown:
            shown.add(ob.invariant)
            print("\n" + cti(rep, ob))
    print(f"{'inductive' if rep.ok else 'NOT inductive'}: {len(rep.obligations)} obligations, "
          f"{len(rep.failures())} failing, {rep.seconds:.2f} s")
    return 0 if rep.ok else 1


def main(argv=None) -> int:
    """python -m dirproof.z3_engine prove|bmc|witness ...: the engine's pieces by hand.

    prove   [--profile P] [--flaws F ...] [--step S ...] [--invariant I ...] [--drop I ...]
            [--scope L E] [--no-symmetry] [--houdini]
            consecution and initiation, one line per failing obligation, with its
            counterexample to induction; --step / --invariant check those alone
            --objects: the object layer's proof (model/symbolic_objects.py), same options
    bmc     [--profile P] [--flaws F ...] --property P [--depth K] [--no-budget] [--save DIR]
            (an object property: the object layer's search, K object steps)
    witness [--profile P] --property P [--depth K]
    """
    import argparse
    ap = argparse.ArgumentParser(prog="python -m dirproof.z3_engine", description=main.__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    helps = {"prove": "inductive proof: initiation and consecution, with counterexamples to induction",
             "bmc": "bounded model checking: the shortest execution that breaks a property",
             "witness": "vacuity: the shortest execution that reaches what a property speaks of"}
    for name in ("prove", "bmc", "witness"):
        p = sub.add_parser(name, help=helps[name], description=helps[name])
        p.add_argument("--profile", default="entra", help=f"profile: {', '.join(PROFILES)} (default entra)")
        p.add_argument("--flaws", nargs="*", default=[], help="seeded flaws to turn on (see `dirproof flaws`)")
        if name == "prove":
            p.add_argument("--step", nargs="*", default=None, help="check consecution over these steps only")
            p.add_argument("--invariant", nargs="*", default=None,
                           help="check these conjuncts only (properties or auxiliary invariants)")
            p.add_argument("--drop", nargs="*", default=[], help="leave these conjuncts out of the invariant")
            p.add_argument("--scope", nargs=2, type=int, default=None, metavar=("L", "E"),
                           help=f"log length and epochs of the proof's scope (default "
                                f"{PROOF_SCOPE.log} {PROOF_SCOPE.epochs})")
            p.add_argument("--no-symmetry", action="store_true", help="do not reduce by replica symmetry")
            p.add_argument("--houdini", action="store_true",
                           help="drop what is not inductive until the rest is; say what is proved")
            p.add_argument("--objects", action="store_true",
                           help="the object layer's proof (model/symbolic_objects.py) instead")
        else:
            p.add_argument("--property", nargs="+", required=True, help="property id(s)")
            p.add_argument("--depth", type=int, default=DEFAULT_DEPTH,
                           help=f"maximum depth (default {DEFAULT_DEPTH}; object steps for object properties)")
        if name == "bmc":
            p.add_argument("--no-budget", action="store_true", help="let faults exceed the fault budget")
            p.add_argument("--save", type=Path, default=None, help="save the counterexample file in this folder")
    args = ap.parse_args(argv)
    try:
        cfg = make_config(args.profile, flaws=tuple(args.flaws))
    except ConfigError as exc:
        ap.error(str(exc))
    known = set(FORMS) | set(OBJECT_FORMS)
    unknown = [p for p in getattr(args, "property", None) or () if p not in known]
    if unknown:
        ap.error(f"no Z3 form for {', '.join(unknown)}; properties in the Z3 scope: {', '.join(sorted(known))}")
    if args.cmd == "prove" and args.objects:
        from dirproof.z3_objects import prove_objects_cli
        return prove_objects_cli(cfg, args)
    if args.cmd == "prove":
        scope = Scope(log=args.scope[0], epochs=args.scope[1]) if args.scope else PROOF_SCOPE
        if args.houdini:
            pr = prove(cfg, scope)
            for p in IN_SCOPE:
                print(f"{p}: {'proved' if pr.proved(p) else 'not proved'} -- {pr.detail(p)}")
            for n, why in pr.dropped:
                print(f"dropped {n}: {why}")
            return 0
        forms = [f for f in invariant_forms() if f[0] not in args.drop]
        rep = induction(cfg, scope, forms, steps=args.step, only=args.invariant,
                        symmetry=not args.no_symmetry)
        return print_induction(rep, cti_text)
    if args.cmd == "bmc":
        if set(args.property) <= set(OBJECT_FORMS):
            from dirproof.z3_objects import bmc_objects
            res = bmc_objects(cfg, tuple(args.property), args.depth)
        else:
            res = bmc(cfg, tuple(args.property), args.depth, budget=not args.no_budget)
        if not res.found:
            print(f"no execution of up to {res.depth} steps breaks {', '.join(args.property)} "
                  f"({res.seconds:.1f} s)")
            return 0
        unit = "object steps" if res.property in OBJECT_FORMS else "steps"
        print(f"{res.property} breaks after {res.depth} {unit} ({res.seconds:.1f} s): {res.trace.message}")
        if res.property in OBJECT_FORMS:
            print("  " + " ; ".join(res.trace.acts))
        for i, a in enumerate(res.trace.steps, 1):
            print(f"  {i}. {a!r}")
        if args.save:
            print(f"saved {save_counterexample(cfg, res, args.save)}")
        return 1
    for prop in args.property:
        if prop in OBJECT_FORMS:
            from dirproof.z3_objects import OBJECT_VACUITY, object_witness
            w, what = object_witness(cfg, prop, args.depth), OBJECT_VACUITY[prop]
        else:
            w, what = witness(cfg, prop, args.depth), VACUITY[prop]
        unit = "object steps" if prop in OBJECT_FORMS else "steps"
        print(f"{prop}: {what}: " + (f"reached in {w.depth} {unit}" if w.found else "not reached"))
        for i, a in enumerate(w.steps, 1):
            print(f"  {i}. {a!r}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
