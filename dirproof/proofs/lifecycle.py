"""The object layer with a returning secondary: the tombstone lifetime in Z3.

The one-history fragment (objects_state.py: the AP A1 writes, its PP B1
copies, each write acknowledged at once, ticks) cannot show flaw
`rejoin-after-tombstone-lifetime`: that needs a replica that holds an old
copy of the directory, a clock, and the AP's compaction (model/tombstones.py).
This fragment adds them, for the bounded search only (the safe design's
proof is the one-history proof, unchanged):

* the secondary A2, which holds a prefix of the AP's committed log: its view
  `sec`, its length `slen`, its last contact `seen` (State.contact[A2]);
* B2, which never copies here: its last contact `other`;
* the AP's log as far as the compaction reads it: its length `n` (every
  entry is committed), the day of each entry `days[j]` (at most K entries),
  per object the LSN at which it became gone `gl[o]` (0: not gone), and
  `collected` (State.collected);

and three steps besides `commit` and `tick`: `copy` (ReplicateToSecondary(A2)),
`collect` (CollectTombstones) and `rebuild` (Rebuild(A2)). The tombstone
guard (`tombstones.must_rebuild`), the horizon (`tombstones.horizon`) and
the contacts a tick refreshes (`tombstones.on_tick`) are read here from the
fragment's fields (a one-history log is a prefix of itself at every replica
that copied it; entries' days never decrease); the writes are the model's
own (`objects.apply_entry`, a `Reinstate` as `tombstones.linger` writes it).
tests/test_lifecycle_z3.py checks the derived relation of the steps that
read or write these fields against the model's steps, on the states of the
flaw's paths, and that a wrong translation of the guard here is caught. A path is
replayed on the model (bmc.py `EncodingDisagreement` otherwise) and is
shortest among the fragment's paths (B2 never copies, nothing fails).
"""

from __future__ import annotations

import functools
import time
from typing import Any, Optional

import attrs
import z3

from dirproof.model import CollectTombstones, Config, Rebuild, ReplicateToSecondary, State, Write, view_of
from dirproof.model.algebra import AND, EQ, ITE, NOT, OR, branch, require
from dirproof.model.objects import ABSENT, GONE, Reinstate, apply_entry, attrs_of, is_
from dirproof.model.tombstones import FLAW
from dirproof.properties.objects import ObjectState
from dirproof.symbolic import paths as P
from dirproof.symbolic.derive import merge
from dirproof.symbolic.terms import numbers, substitute, to_z3

from . import objects_state as S

A2, B2 = 1, 3  # the returning secondary and the one that never copies (entra's replica ids)
STEPS = ("copy", "collect", "rebuild")


@attrs.frozen
class Life:
    """The one-history fragment with the tombstone lifetime's fields."""

    obj: ObjectState
    sec: tuple
    slen: Any
    seen: Any
    other: Any
    n: Any
    days: tuple
    gl: tuple
    collected: Any


# --------------------------------------------------------------------------- the steps

def out_of_contact(cfg: Config, day: Any, last: Any) -> Any:
    """tombstones.too_long_offline."""
    return day - last >= cfg.tombstone_lifetime_days


def must_rebuild(cfg: Config, lf: Life) -> Any:
    """tombstones.must_rebuild for A2."""
    return OR(out_of_contact(cfg, lf.obj.day, lf.seen), lf.slen < lf.collected)


def horizon(cfg: Config, lf: Life) -> Any:
    """tombstones.horizon: the committed entries at least the lifetime old
    (a prefix: days never decrease), no further than A2's log (its common
    prefix with the AP's) or B2's (none) while they are in contact."""
    old = 0
    for j, d in enumerate(lf.days):
        old = old + ITE(AND(j < lf.n, d + cfg.tombstone_lifetime_days <= lf.obj.day), 1, 0)
    capped = ITE(AND(NOT(out_of_contact(cfg, lf.obj.day, lf.seen)), lf.slen < old), lf.slen, old)
    return ITE(out_of_contact(cfg, lf.obj.day, lf.other), capped, 0)


def commit(cfg: Config, lf: Life, op: Any) -> Life:
    """objects_state.commit, the entry's day and the LSN an object goes at."""
    require(lf.n < len(lf.days), "out of the fragment's scope: more entries than it holds days for")
    st = S.commit(cfg, lf.obj, op)
    n = lf.n + 1
    days = tuple(ITE(EQ(j, lf.n), lf.obj.day, d) for j, d in enumerate(lf.days))
    gl = tuple(ITE(AND(EQ(g, 0), is_(st.ap[o], GONE)), n, g) for o, g in enumerate(lf.gl))
    return attrs.evolve(lf, obj=st, n=n, days=days, gl=gl)


def tick(cfg: Config, lf: Life, days: Any) -> Life:
    """objects_state.tick; tombstones.on_tick: A2 is in contact if it holds
    the AP's committed log, B2 (which holds nothing) if nothing is committed."""
    st = S.tick(cfg, lf.obj, days)
    return attrs.evolve(lf, obj=st, seen=ITE(lf.slen >= lf.n, st.day, lf.seen),
                        other=ITE(EQ(lf.n, 0), st.day, lf.other))


def copy(cfg: Config, lf: Life) -> Life:
    """replication.replicate_to_secondary(A2) and catch_up: the tombstone
    guard (off under the flaw), not already up to date; under the flaw
    tombstones.linger: the AP reinstates each object whose deletion it
    collected and A2 still holds. A2 then holds the committed log."""
    if not cfg.has(FLAW):
        require(NOT(must_rebuild(cfg, lf)), "A2 must be rebuilt, not caught up from the log")
    require(lf.slen < lf.n, "A2 is already up to date")
    ap_id = S.roles(cfg)[0]
    ap = lf.obj.ap
    for o in range(cfg.objects):
        known_gone = AND(lf.gl[o] > 0, lf.gl[o] <= lf.collected)
        if branch(AND(must_rebuild(cfg, lf), known_gone, NOT(is_(lf.sec[o], ABSENT)), NOT(is_(lf.sec[o], GONE)))):
            ap = apply_entry(ap, cfg, Write(Reinstate(o, attrs_of(lf.sec[o], cfg)), A2, lf.obj.day), ap_id)
    return attrs.evolve(lf, obj=attrs.evolve(lf.obj, ap=ap), sec=lf.obj.ap, slen=lf.n, seen=lf.obj.day)


def collect(cfg: Config, lf: Life) -> Life:
    """tombstones.collect_tombstones."""
    n = horizon(cfg, lf)
    require(n > lf.collected, "nothing to collect")
    return attrs.evolve(lf, collected=n)


def rebuild(cfg: Config, lf: Life) -> Life:
    """tombstones.rebuild(A2): a fresh copy of the committed log, in contact today."""
    return attrs.evolve(lf, sec=lf.obj.ap, slen=lf.n, seen=lf.obj.day)


def run(cfg: Config, lf: Life, act: S.OAct, inp: S.OInputs) -> Life:
    if act.name == "tick":
        return tick(cfg, lf, inp.days)
    if act.name in STEPS:
        return {"copy": copy, "collect": collect, "rebuild": rebuild}[act.name](cfg, lf)
    return commit(cfg, lf, S.op_of(act, inp))


def actions(cfg: Config) -> list[S.OAct]:
    return S.object_actions(cfg) + [S.OAct(n) for n in STEPS]


def model_actions(cfg: Config, act: S.OAct, inp: S.OInputs) -> list:
    if act.name in STEPS:
        return [{"copy": ReplicateToSecondary(A2), "collect": CollectTombstones(), "rebuild": Rebuild(A2)}[act.name]]
    return S.model_actions(cfg, act, inp)


def step_text(act: S.OAct, inp: S.OInputs) -> str:
    return {"copy": "A2 catches up", "collect": "the AP collects tombstones",
            "rebuild": "A2 is rebuilt"}.get(act.name) or S.step_text(act, inp)


# --------------------------------------------------------------------------- keys

EXTRA = ("slen", "seen", "other", "n", "collected")


def flatten(cfg: Config, lf: Life) -> dict[str, Any]:
    out = S.flatten(cfg, lf.obj)
    for o, rec in enumerate(lf.sec):
        S._rec_keys(f"sec[{o}]", rec, cfg, out, S.with_born(cfg), o)
    for k in EXTRA:
        out[k] = getattr(lf, k)
    out.update({f"days[{j}]": d for j, d in enumerate(lf.days)})
    out.update({f"gl[{o}]": g for o, g in enumerate(lf.gl)})
    return out


def rebuild_state(cfg: Config, cap: int, leaf: S.Leaf) -> Life:
    """The symbolic state whose leaves are leaf(key, kind); A2's view is
    built as the AP's view is, under the keys `sec[...]`."""
    obj = S.rebuild(cfg, leaf)
    sec = S.rebuild(cfg, lambda key, kind: leaf("sec" + key[2:], kind) if key.startswith("ap[") else 0).ap
    return Life(obj, sec, leaf("slen", "int"), leaf("seen", "int"), leaf("other", "int"), leaf("n", "int"),
                tuple(leaf(f"days[{j}]", "int") for j in range(cap)),
                tuple(leaf(f"gl[{o}]", "int") for o in range(cfg.objects)), leaf("collected", "int"))


def kinds(cfg: Config, cap: int) -> dict[str, str]:
    base = dict(S.layout(cfg))
    out = dict(base)
    out.update({"sec" + k[2:]: v for k, v in base.items() if k.startswith("ap[")})
    out.update({k: "int" for k in flatten(cfg, initial(cfg, cap)) if k not in out})
    return out


def initial(cfg: Config, cap: int) -> Life:
    st = S.initial(cfg)
    return Life(st, st.ap, 0, 0, 0, 0, (0,) * cap, (0,) * cfg.objects, 0)


def abstract(state: State, cap: int) -> Life:
    """The fragment's state of a model state (objects_state.abstract, plus
    A2's log, the contacts and the AP's entries' days; OutOfFragment if
    B2 holds entries or A2's log is not a prefix of the AP's)."""
    cfg = state.config
    reps = state.replicas
    ap_id = S.roles(cfg)[0]
    hidden = attrs.evolve(state, replicas=tuple(attrs.evolve(r, log=()) if i == A2 else r for i, r in enumerate(reps)))
    if not all(r.up for r in reps) or any(state.links) or reps[B2].log:
        raise S.OutOfFragment("a replica is down, a link is cut or B2 holds entries")
    obj = S.abstract(hidden)
    log, mine = reps[ap_id].log, reps[A2].log
    if mine != log[:len(mine)] or reps[A2].commit != len(mine) or reps[A2].epoch != reps[ap_id].epoch:
        raise S.OutOfFragment("A2 does not hold a committed prefix of the AP's log")
    if len(log) > cap:
        raise S.OutOfFragment(f"more than {cap} entries")
    gl = []
    for o in range(cfg.objects):
        at = [j + 1 for j in range(len(log)) if is_(view_of(cfg, log[:j + 1], ap_id)[o], GONE)]
        gl.append(at[0] if at else 0)
    days = tuple(e.day for e in log) + (0,) * (cap - len(log))
    return Life(obj, view_of(cfg, mine, A2), len(mine), state.contact[A2], state.contact[B2], len(log), days,
                tuple(gl), state.collected)


# --------------------------------------------------------------------------- the relation

@attrs.frozen(eq=False)
class LifeSystem:
    cfg: Config
    cap: int
    acts: tuple
    state: Life
    pre: dict
    inp: S.OInputs
    cases: tuple
    seconds: float


def _var(prefix: str) -> S.Leaf:
    def leaf(key: str, kind: str) -> Any:
        return z3.Bool(prefix + key) if kind == "bool" else z3.Int(prefix + key)
    return leaf


def fresh(cfg: Config, cap: int, prefix: str) -> tuple[Life, dict]:
    lf = rebuild_state(cfg, cap, _var(prefix))
    return lf, flatten(cfg, lf)


@functools.lru_cache(maxsize=8)
def life_system(cfg: Config, cap: int) -> LifeSystem:
    """The relation over every step of the fragment (derived as
    objects_derive.object_system derives the one-history one)."""
    from .objects_derive import fresh_inputs
    t0 = time.perf_counter()
    with numbers(None, None):
        acts = tuple(actions(cfg))
        state, pre = fresh(cfg, cap, "lpre!")
        inp = fresh_inputs(cfg, "lin!")
        cases = []
        for a in acts:
            found = P.run(lambda a=a: run(cfg, state, a, inp))
            with P.active():
                paths = [(p.condition, AND(p.guard, p.scope), flatten(cfg, p.result)) for p in found]
                cases.append(merge(pre, paths) if paths else (False, pre))
    return LifeSystem(cfg, cap, acts, state, pre, inp, tuple(cases), time.perf_counter() - t0)


def relation(sys: LifeSystem, post: dict, sel: Any) -> Any:
    """T(pre, post) over every step; `sel` the index of the step taken."""
    with numbers(None, None), P.active():
        guard = OR(*(AND(sel == j, c[0]) for j, c in enumerate(sys.cases)))
        frame = []
        for k, v0 in sys.pre.items():
            v = v0
            for j, c in enumerate(sys.cases):
                if c[1][k] is not v0:
                    v = ITE(sel == j, c[1][k], v)
            frame.append(EQ(post[k], v))
        return to_z3(AND(guard, *frame))


def form(sys: LifeSystem, name: str) -> Any:
    """A property's one-history form over the fragment's pre-state."""
    from .objects_derive import definition
    fn = definition(name)
    with numbers(None, None):
        return to_z3(P.evaluate(lambda: fn(sys.cfg, sys.state.obj)))


def at(sys: LifeSystem, term: Any, values: dict) -> Any:
    kinds_ = kinds(sys.cfg, sys.cap)
    pairs = [(sys.pre[k], v if z3.is_expr(v) else z3.BoolVal(bool(v)) if kinds_[k] == "bool" else z3.IntVal(int(v)))
             for k, v in values.items() if not (z3.is_expr(v) and v.eq(sys.pre[k]))]
    return substitute(term, pairs)

