"""The Python model refines the object layer's parametric form.

A model state of the one-history fragment is abstracted as the fixed-scope
object proof does (dirproof/proofs/objects_state.py `abstract`: the AP's
and the PP's views, the day, the kept snapshots, the object monitors'
ghost), then mapped to a finite structure of the form's vocabulary
(`structure`): objects 0..n-1, the days that occur (in their order; day 0
is d0, and a record's missing deleted day is d0), the attribute vectors
that occur (the default one is `dflt`), one snapshot element per snapshot
day, the kinds of model/config.py KINDS; `expired`, `expired1` and `lived`
are the integers' comparisons with the config's retention and expiry
days. A walk runs object steps on the model (a write at the AP, its copy
to the PP and its acknowledgement; or a tick); each is checked to be the
form's transition of its name, and each reached state to keep the
invariant. The scripts steer to the states where the object layer's
guards decide (docs/parametric.md).
"""

from __future__ import annotations

import functools
from typing import Any, Callable, Iterable, Iterator, Optional

import attrs
import z3

from dirproof.interrupt import answer
from dirproof.model import Rejected, State, initial_state, make_config, step
from dirproof.model.config import KINDS, expiry_days
from dirproof.model.links import links_of, member_pairs
from dirproof.model.objects import ABSENT, GONE, LIVE, SOFT_DELETED, attrs_of, status
from dirproof.properties.objects import ObjectState

from .objinvariants import invariants
from .refine import broken
from .objsteps import TRANSITIONS
from .objvocab import (AVEC, D0, DAY, DFLT, EXPIRED, EXPIRED1, GROUP, KIND, KIND_OF, LE_D, LIVED, OBJ, POLICY,
                       SNAP, STATUS, USER, OVocab, axioms, frame)

STATUS_OF = {ABSENT: 0, LIVE: 1, SOFT_DELETED: 2, GONE: 3}


@attrs.frozen
class ODomain:
    cfg: Any
    days: tuple[int, ...]
    avecs: tuple[tuple, ...]
    snaps: tuple[Any, ...]  # Snapshot per element (by day)

    def el(self, sort: Any, k: Any) -> Any:
        return z3.Const(f"{sort.name()}!{k}", sort)

    def elements(self, sort: Any) -> list[Any]:
        n = {OBJ: self.cfg.objects, DAY: len(self.days), AVEC: len(self.avecs), SNAP: max(1, len(self.snaps)),
             KIND: len(KINDS)}[sort]
        return [self.el(sort, k) for k in range(n)]

    def day(self, d: Optional[int]) -> Any:
        return self.el(DAY, self.days.index(0 if d is None or d < 0 else d))

    def avec(self, a: tuple) -> Any:
        return self.el(AVEC, self.avecs.index(tuple(a)))

    def status(self, rec: Any) -> Any:
        return STATUS.constructor(STATUS_OF[status(rec)])()


def _records(st: ObjectState) -> list[Any]:
    return [*st.ap, *st.pp] + [r for s in st.snaps for r in s.view]


def domain(cfg: Any, states: Iterable[ObjectState]) -> ODomain:
    states = list(states)
    days, avecs, snaps = {0}, [tuple(attrs_of(None, cfg))], dict[int, Any]()
    for st in states:
        days.add(st.day)
        for rec in _records(st):
            days |= {rec.born, rec.deleted_day or 0} if rec is not None else set()
            if tuple(attrs_of(rec, cfg)) not in avecs:
                avecs.append(tuple(attrs_of(rec, cfg)))
        g = st.ghost
        days |= {d for d in (*g.sdd, *g.dl) if d >= 0}
        avecs += [tuple(b) for b in g.bef if tuple(b) not in avecs]
        for s in st.snaps:
            days.add(s.day)
            snaps.setdefault(s.day, s)
    avecs = list(dict.fromkeys(avecs))
    return ODomain(cfg, tuple(sorted(days)), tuple(avecs), tuple(snaps[k] for k in sorted(snaps)))


def rigid(d: ODomain) -> list[Any]:
    """Domain closure, distinct elements and the rigid symbols."""
    return _rigid(d.cfg, d.days, len(d.avecs), max(1, len(d.snaps)), d.avecs.index(tuple(attrs_of(None, d.cfg))))


@functools.lru_cache(maxsize=64)
def _rigid(cfg: Any, days: tuple, n_avecs: int, n_snaps: int, dflt: int) -> list[Any]:
    d = ODomain(cfg, days, tuple((k,) for k in range(n_avecs)), (None,) * n_snaps)
    out: list[Any] = []
    for sort in (OBJ, DAY, AVEC, SNAP, KIND):
        els = d.elements(sort)
        x = z3.Const("x_dom", sort)
        out += [z3.Distinct(*els) if len(els) > 1 else z3.BoolVal(True), z3.ForAll([x], z3.Or(*(x == c for c in els)))]
    D, K = d.elements(DAY), d.elements(KIND)
    R = cfg.retention_days
    for i, a in enumerate(d.days):
        for j, b in enumerate(d.days):
            out += [LE_D(D[i], D[j]) == (a <= b), EXPIRED(D[i], D[j]) == (b - a >= R),
                    EXPIRED1(D[i], D[j]) == (b - a >= R - 1)]
            out += [LIVED(K[k], D[i], D[j]) == (b - a >= expiry_days(cfg, kind)) for k, kind in enumerate(KINDS)]
    out += [POLICY(K[k]) == (expiry_days(cfg, kind) > 0) for k, kind in enumerate(KINDS)]
    out += [KIND_OF(d.el(OBJ, o)) == K[o % len(KINDS)] for o in range(cfg.objects)]
    out += [USER == K[KINDS.index("user")], GROUP == K[KINDS.index("group")], D0 == d.day(0),
            DFLT == d.el(AVEC, dflt)]
    return out


def _view(d: ODomain, V: OVocab, pp: bool, view: tuple) -> list[Any]:
    v, O, out = V.view(pp), d.elements(OBJ), []
    for o, rec in enumerate(view):
        out += [v.st(O[o]) == d.status(rec), v.at(O[o]) == d.avec(attrs_of(rec, d.cfg)),
                v.dd(O[o]) == d.day(None if rec is None else rec.deleted_day),
                v.born(O[o]) == d.day(0 if rec is None else rec.born)]
        flags = links_of(rec, d.cfg)
        out += [v.lk(O[o], O[g]) == bool(flags[g]) for g in range(d.cfg.objects)]
    return out


def _befl(cfg: Any, o: int, flags: tuple) -> tuple[dict[int, bool], dict[int, bool]]:
    """properties/objects.py befl[o] as (own: group -> flag, members: user -> flag), as linkset orders them."""
    pairs = member_pairs(cfg)
    own = [g for u, g in pairs if u == o]
    mem = [u for u, g in pairs if g == o]
    return dict(zip(own, flags[:len(own)])), dict(zip(mem, flags[len(own):]))


def structure(d: ODomain, st: ObjectState, V: OVocab) -> list[Any]:
    """Ground facts that make V's symbols the object state `st`."""
    cfg, O, S = d.cfg, d.elements(OBJ), d.elements(SNAP)
    out = _view(d, V, False, st.ap) + _view(d, V, True, st.pp) + [V.today == d.day(st.day)]
    kept = {s.day for s in st.snaps}
    for k, snap in enumerate(d.snaps):
        out += [V.kept(S[k]) == (snap.day in kept), V.sday(S[k]) == d.day(snap.day)]
        out += [z3.And(V.sst(S[k], O[o]) == d.status(snap.view[o]), V.sat(S[k], O[o]) == d.avec(attrs_of(snap.view[o], cfg)))
                for o in range(cfg.objects)]
    if not d.snaps:
        out.append(z3.Not(V.kept(S[0])))
    g = st.ghost
    for o in range(cfg.objects):
        own, mem = _befl(cfg, o, tuple(g.befl[o]) if g.befl else ())
        out += [V.sd(O[o]) == (g.sdd[o] >= 0), V.sdd(O[o]) == d.day(g.sdd[o]), V.bs(O[o]) == bool(g.bs[o]),
                V.bef(O[o]) == d.avec(g.bef[o]), V.dlx(O[o]) == (g.dl[o] >= 0), V.dl(O[o]) == d.day(g.dl[o]),
                V.pg(O[o]) == bool(g.pg[o]), V.tomb(O[o]) == bool(g.tomb[o])]
        out += [V.bown(O[o], O[x]) == bool(own.get(x, False)) for x in range(cfg.objects)]
        out += [V.bmem(O[o], O[x]) == bool(mem.get(x, False)) for x in range(cfg.objects)]
    out += [V.early == bool(g.early), V.restore == bool(g.restore), V.unretained == bool(g.unretained),
            V.unlinked == bool(g.unlinked)]
    return out


Mapping = Callable[[ODomain, ObjectState, OVocab], list[Any]]


def _solver(d: ODomain) -> z3.Solver:
    s = z3.Solver()
    s.set("timeout", 60_000)
    s.add(*(a for a in axioms()), *rigid(d))
    return s


def check_step(cfg: Any, pre: ObjectState, name: str, post: ObjectState, mapping: Mapping = structure,
               form_flaws: Optional[frozenset] = None) -> Optional[str]:
    """None if the object step `name` from `pre` to `post` is the form's
    transition of that name (with the config's flaws, or `form_flaws`)."""
    d = domain(cfg, [pre, post])
    V, W = OVocab(""), OVocab("'")
    s = _solver(d)
    s.add(*mapping(d, pre, V), *mapping(d, post, W))
    fl = frozenset(cfg.flaws) if form_flaws is None else form_flaws
    s.add(TRANSITIONS[name](V, W, fl).framed(V, W) if name in TRANSITIONS else z3.And(*frame(V, W, [])))
    res = answer(s.check())
    return None if res == z3.sat else f"the model's step {name} is not a transition {name} of the object form ({res})"


def check_state(cfg: Any, st: ObjectState, mapping: Mapping = structure) -> list[str]:
    """The invariants of the object form that the state breaks (by id)."""
    d = domain(cfg, [st])
    V = OVocab("")
    s = _solver(d)
    s.add(*mapping(d, st, V))
    return broken(s, invariants(V, frozenset(cfg.flaws)))


def walk(cfg: Any, script: Iterable[tuple[Any, Any]]) -> Iterator[tuple[ObjectState, str, ObjectState]]:
    """(pre, step name, post) for each object step of the script (OAct,
    OInputs) the model accepts, run as its model actions (objects_state.
    model_actions) from the initial state; refused ones are skipped."""
    from dirproof.proofs import objects_state as S
    state: State = initial_state(cfg)
    for act, inp in script:
        nxt: Any = state
        for a in S.model_actions(cfg, act, inp):
            nxt = step(nxt, a)
            if isinstance(nxt, Rejected):
                break
        if isinstance(nxt, Rejected):
            continue
        yield S.abstract(state), act.name, S.abstract(nxt)
        state = nxt


def check_walk(cfg: Any, steps: Iterable[tuple[ObjectState, str, ObjectState]], mapping: Mapping = structure,
               first: bool = False, form_flaws: Optional[frozenset] = None,
               taken: Optional[dict[str, str]] = None, only: Optional[frozenset] = None) -> list[str]:
    """What goes wrong along a walk: a step that is not the transition of its
    name, a state that breaks the invariant (unless `form_flaws` names
    another form than the config's: then the steps only). One solver per
    step, on the domain of its two states. `taken` (transition -> "yes"):
    filled with the transitions some step takes from a state of the
    invariant (the walk's first state is taken to be one: an initial state).
    `only`: check the steps of these names only (with `form_flaws`)."""
    V, W = OVocab(""), OVocab("'")
    fl = frozenset(cfg.flaws) if form_flaws is None else form_flaws
    post_invs = z3.And(*invariants(W, frozenset(cfg.flaws)).values())
    problems: list[str] = []
    pre_ok = True
    for k, (pre, name, post) in enumerate(steps, 1):
        if only is not None and name not in only:
            continue
        d = domain(cfg, [pre, post])
        s = _solver(d)
        s.add(*mapping(d, pre, V), *mapping(d, post, W))
        s.push()
        s.add(TRANSITIONS[name](V, W, fl).framed(V, W))
        res = answer(s.check())
        s.pop()
        if res != z3.sat:
            problems.append(f"step {k} {name}: the model's step {name} is not a transition {name} of the object "
                            f"form ({res})")
        elif taken is not None and pre_ok:
            taken[name] = "yes"
        if form_flaws is None and not (first and problems):
            s.add(z3.Not(post_invs))
            pre_ok = answer(s.check()) == z3.unsat
            if not pre_ok:
                problems.append(f"after step {k} {name}: invariants {', '.join(check_state(cfg, post, mapping))} "
                                f"fail")
        if first and problems:
            break
    return problems


def script_config(flaws: Iterable[str] = ()) -> Any:
    """`entra` with three objects (a user 0, a group 1, a policy 2) and a
    group expiry policy of 60 days, so that every object step can be taken
    (the form reads neither number: one form covers every configuration)."""
    return make_config("entra", flaws=sorted(set(flaws)), objects=3, group_expiry_days=60)


def _s(name: str, obj: int = 0, attr: int = 0, **inputs: Any) -> tuple[Any, Any]:
    from dirproof.proofs.objects_state import OAct, OInputs
    return OAct(name, obj, attr), OInputs(**inputs)


def script() -> list[tuple[Any, Any]]:
    """Object steps that take every transition of the form."""
    user, group, policy = 0, 1, 2
    return [_s("create", user), _s("create", group), _s("create", policy), _s("update", user, 0, value=1),
            _s("add_member", user, group), _s("tick", days=1), _s("soft_delete", group), _s("restore", group),
            _s("remove_member", user, group), _s("add_member", user, group), _s("soft_delete", user),
            _s("recover", user, rday=1, rattrs=(1, 0)), _s("tick", days=60), _s("expire", group),
            _s("tick", days=30), _s("purge", group), _s("soft_delete", user),
            _s("bulk_delete", user, KINDS.index("user")), _s("soft_delete", policy), _s("permanent_delete", policy)]


def steered() -> list[tuple[Any, Any]]:
    """Object steps to the states where the object layer's guards decide:
    each is refused by the safe design and accepted under one flaw (named)."""
    user, group, policy = 0, 1, 2
    return [_s("create", user), _s("create", group), _s("create", policy), _s("update", user, 0, value=1),
            _s("add_member", user, group), _s("tick", days=1),
            _s("soft_delete", user), _s("restore", user),  # restore-defaults, restore-drops-links
            _s("permanent_delete", policy),  # delete-live
            _s("expire", user),  # implicit-expiry
            _s("soft_delete", group), _s("bulk_delete", group, KINDS.index("user")),  # delete-wrong-kind
            _s("soft_delete", user), _s("tick", days=29), _s("purge", user),  # purge-early
            _s("permanent_delete", group),  # delete-without-tombstone
            _s("recover", group, rday=30, rattrs=(0, 0))]  # recovery-resurrects


def drawn(seed: int, n: int, cfg: Any = None) -> list[tuple[Any, Any]]:
    """`n` object steps drawn at random (seeded): any operation on any object
    with any inputs, or a tick of 1, 2, retention - 1 or retention days;
    those the model refuses are skipped by `walk`."""
    import random
    from dirproof.proofs.objects_state import OInputs, object_actions
    cfg = cfg or script_config()
    rng = random.Random(seed)
    acts = object_actions(cfg)
    days = (1, 2, cfg.retention_days - 1, cfg.retention_days)
    out = []
    for _ in range(n):
        act = rng.choice(acts)
        rattrs = tuple(rng.randrange(cfg.values) for _ in range(cfg.attributes))
        out.append((act, OInputs(value=rng.randrange(cfg.values), rday=rng.randrange(0, 3 * cfg.retention_days),
                                 rattrs=rattrs, days=rng.choice(days))))
    return out


def witnesses(flaws: Iterable[str] = ()) -> dict[str, str]:
    """For each transition, "yes" when a model step of that name from a state
    of the invariant is that transition (so its consecution is not vacuous)."""
    return audit(flaws)[1]


def audit(flaws: Iterable[str] = (), first: bool = True) -> tuple[list[str], dict[str, str]]:
    """model_refines and witnesses in one pass over the walks."""
    cfg = script_config(flaws)
    taken = {t: "unknown" for t in TRANSITIONS}
    out: list[str] = []
    for sc in (script(), steered()):
        out += check_walk(cfg, walk(cfg, sc), first=first, taken=taken)
        if first and out:
            break
    return out, taken


def model_refines(flaws: Iterable[str] = (), first: bool = False, mapping: Mapping = structure,
                  form_flaws: Optional[frozenset] = None, walks: tuple[str, ...] = ("script", "steered"),
                  only: Optional[frozenset] = None) -> list[str]:
    """What the running model's object layer does that the form does not
    allow, on the scripted and the steered walks (empty: none)."""
    cfg = script_config(flaws)
    out: list[str] = []
    for sc in [{"script": script, "steered": steered}[w]() for w in walks]:
        out += check_walk(cfg, walk(cfg, sc), mapping, first, form_flaws, only=only)
        if first and out:
            break
    return out
