"""The tombstone lifetime in Z3 (dirproof/proofs/lifecycle.py; issue 14 item 5).

The object layer with a returning secondary A2, the clock, the contacts and
the AP's compaction: its derived relation agrees with the model's steps on
the states of the flaw's scenario (and their neighbours), a wrong
translation of the tombstone guard there is caught, and the path the
bounded search finds under flaw `rejoin-after-tombstone-lifetime` (7
fragment steps, 13 model actions; about 18 s to search again on a loaded
machine: `dirproof check --engine z3 --flaw rejoin-after-tombstone-lifetime`,
recorded here) replays on the model and breaks no-resurrection there.
"""

from __future__ import annotations

from typing import Optional

import pytest
import z3

from dirproof.model import Rejected, State, initial_state, make_config, step
from dirproof.model.objects import view_of
from dirproof.proofs import lifecycle as L
from dirproof.proofs import objects_state as S
from dirproof.properties import PROPERTIES
from dirproof.symbolic import paths as P
from dirproof.symbolic.terms import numbers, to_z3
from mutants import Mutant, applied

FLAW = "rejoin-after-tombstone-lifetime"
CAP = 8

# the path the bounded search found (fragment steps, with their inputs)
FOUND = [("create", 0, 1), ("rebuild", 0, 1), ("soft_delete", 0, 1), ("permanent_delete", 0, 1), ("tick", 0, 180),
         ("collect", 0, 1), ("copy", 0, 1)]


def frag(name: str, obj: int = 0, days: int = 1) -> tuple[S.OAct, S.OInputs]:
    return S.OAct(name, obj), S.OInputs(value=1, days=days)


def model_run(state: State, act: S.OAct, inp: S.OInputs) -> Optional[State]:
    for a in L.model_actions(state.config, act, inp):
        state = step(state, a)
        if isinstance(state, Rejected):
            return None
    return state


def steered(cfg) -> list[State]:
    """The states on the found path and on its variations (the lifetime a
    day short, A2 copying before the deletes or after the collection)."""
    walks = [[frag(n, o, d) for n, o, d in FOUND],
             [frag("create"), frag("copy"), frag("soft_delete"), frag("permanent_delete"), frag("tick", days=179),
              frag("tick"), frag("collect"), frag("rebuild"), frag("copy")],
             [frag("create"), frag("create", 1), frag("copy"), frag("tick", days=180), frag("soft_delete", 1),
              frag("copy")]]
    out = []
    for walk in walks:
        s: Optional[State] = initial_state(cfg)
        for act, inp in walk:
            assert s is not None
            out.append(s)
            s = model_run(s, act, inp)
            if s is None:
                break
    return out


_Z: dict = {}


def _z(x):
    with numbers(None, None), P.active():
        return to_z3(x) if not isinstance(x, (bool, int)) else (z3.BoolVal(x) if isinstance(x, bool) else z3.IntVal(x))


def _case(sys, j: int):
    """(guard, post) of step j as Z3 terms (cached with the system they are of)."""
    if _Z.get((id(sys), j), (None,))[0] is not sys:
        guard, post = sys.cases[j]
        _Z[(id(sys), j)] = (sys, _z(guard), {k: _z(v) for k, v in post.items()})
    return _Z[(id(sys), j)][1:]


def disagreement(sys, state: State, act: S.OAct, inp: S.OInputs) -> Optional[str]:
    """None when the derived relation and the model agree on this step."""
    cfg = state.config
    pre = L.flatten(cfg, L.abstract(state, CAP))
    guard, post = _case(sys, sys.acts.index(act))
    sub = [(sys.pre[k], _z(v)) for k, v in pre.items()]
    sub += list(zip([sys.inp.value, sys.inp.rday, *sys.inp.rattrs, sys.inp.days],
                    [z3.IntVal(v) for v in (inp.value, inp.rday, *([0] * cfg.attributes), inp.days)]))
    g = z3.simplify(z3.substitute(guard, *sub))
    nxt = model_run(state, act, inp)
    if nxt is None:
        return None if z3.is_false(g) else f"{act.text()}: the model refuses, the relation's guard is {g}"
    if not z3.is_true(g):
        return f"{act.text()}: the model accepts, the relation's guard is {g}"
    try:
        want = L.flatten(cfg, L.abstract(nxt, CAP))
    except S.OutOfFragment:  # the AP reinstated an object (uncommitted): compare the AP's view
        ap = S.roles(cfg)[0]
        st = attrs_evolve_ap(L.initial(cfg, CAP), view_of(cfg, nxt.replicas[ap].log, ap))
        want = {k: v for k, v in L.flatten(cfg, st).items() if k.startswith("ap[")}
    kept = [k for k in want if post[k].eq(sys.pre[k])]  # the frame: compared without Z3
    for k in kept:
        if pre[k] != want[k]:
            return f"{act.text()}: {k} is {want[k]} in the model, unchanged ({pre[k]}) in the relation"
    moved = [post[k] == _z(want[k]) for k in want if k not in kept]
    if z3.is_true(z3.simplify(z3.substitute(z3.And(*moved), *sub))):
        return None
    for k, v in want.items():
        got = z3.simplify(z3.substitute(post[k], *sub))
        if not z3.eq(got, _z(v)):
            return f"{act.text()}: {k} is {v} in the model, {got} in the relation"
    return f"{act.text()}: the successors differ"


def attrs_evolve_ap(lf, view):
    import attrs
    return attrs.evolve(lf, obj=attrs.evolve(lf.obj, ap=view))


# the steps that read or write the new fields (a commit: the entry's day and
# the LSN an object goes at; the other operations change them as these do)
CHECKED = ("create", "soft_delete", "permanent_delete", "purge", "restore", "copy", "collect", "rebuild")


def first_disagreement(cfg) -> Optional[str]:
    sys = L.life_system(cfg, CAP)
    for s in steered(cfg):
        for act in sys.acts:
            if act.name not in CHECKED:
                continue
            why = disagreement(sys, s, act, S.OInputs(value=1))
            if why:
                return why
        for days in (1, 179, 180):
            why = disagreement(sys, s, S.OAct("tick"), S.OInputs(days=days))
            if why:
                return why
    return None


@pytest.mark.parametrize("flaws", [(), (FLAW,)], ids=["safe", "flaw"])
def test_the_derived_relation_agrees_with_the_model_on_the_steered_states(flaws):
    cfg = make_config("entra", flaws=flaws)
    assert len(steered(cfg)) >= 15
    assert first_disagreement(cfg) is None


def test_a_wrong_translation_of_the_tombstone_guard_is_caught():
    """Off by one day: a replica out of contact for exactly the lifetime
    would be caught up, not rebuilt."""
    cfg = make_config("entra")
    mutant = Mutant("lifetime off by one", L.out_of_contact, "day - last >= cfg.tombstone_lifetime_days",
                    "day - last > cfg.tombstone_lifetime_days", "no-resurrection", FLAW)
    L.life_system.cache_clear()
    try:
        with applied(mutant):
            why = first_disagreement(cfg)
    finally:
        L.life_system.cache_clear()
    assert why is not None and "copy" in why and "the model refuses" in why


def test_the_found_path_replays_and_breaks_no_resurrection_only_under_the_flaw():
    from dirproof.proofs.lifecycle_bmc import decode_lifecycle
    path = [frag(n, o, d) for n, o, d in FOUND]
    tr = decode_lifecycle(make_config("entra", flaws=[FLAW]), path, ("no-resurrection",))
    assert tr.violated_at == len(tr.steps) == 13 and "is live again on A1" in tr.message
    s: Optional[State] = initial_state(make_config("entra"))
    for act, inp in path[:-1]:
        assert s is not None
        s = model_run(s, act, inp)
    assert s is not None and model_run(s, *path[-1]) is None  # the safe design refuses the catch-up
    assert PROPERTIES["no-resurrection"].check(s) is None
