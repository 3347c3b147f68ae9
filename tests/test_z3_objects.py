"""The object layer in Z3 (model/symbolic_objects.py, docs/z3.md): agreement
with the Python model both ways, the property and invariant forms, the
shortest counterexample of each object flaw (replayed from its file on the
Python model), and the inductive proof of the safe design.

The walks run in the one-history fragment: every write at the initial AP,
copied to the PP and acknowledged at once (`commit_actions`), and ticks.
The last tests walk the whole model and check the lemma the composition
with the replication proof rests on (every log is a path of the fragment),
and that the one-history assumption is needed as well.
"""

from __future__ import annotations

import random

import pytest
import z3
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dirproof.counterexample import load
from dirproof.engines import EngineRequest
from dirproof.engines import run as run_engine
from dirproof.model import (Acknowledge, ClientWrite, ReadServed, Rejected, ReplicateToPassive, enabled,
                            initial_state, make_config, step)
from dirproof.model import symbolic_objects as SO
from dirproof.model import symbolic_objects_abstraction as SOA
from dirproof.model.step import tick_candidates
from dirproof.properties import PROPERTIES
from dirproof.properties.object_invariants import OBJECT_INVARIANTS
from dirproof.properties.z3_object_forms import OBJECT_FORMS
from dirproof.replay import replay
from dirproof.z3_objects import (bmc_objects, object_cti_text, object_forms, object_induction,
                                object_system, object_witness, prove_objects, save_counterexample)

OBJECT_FLAWS = ["delete-without-tombstone", "purge-early", "recovery-resurrects", "restore-defaults"]
ENCODINGS: dict = {}


def encoding(cfg) -> SO.ObjectEncoding:
    if cfg not in ENCODINGS:
        ENCODINGS[cfg] = SO.ObjectEncoding(cfg)
    return ENCODINGS[cfg]


def form_disagreements(cfg, state, forms=None) -> list[str]:
    """The properties and invariants whose Z3 form (on the abstraction)
    and Python predicate (on the state) disagree."""
    enc, values = encoding(cfg), SOA.abstract(state)
    checks = {p: (f, PROPERTIES[p].check) for p, f in OBJECT_FORMS.items()}
    checks.update({i: (inv.form, inv.check) for i, inv in OBJECT_INVARIANTS.items()})
    checks.update(forms or {})
    return [n for n, (form, check) in checks.items() if form(enc, values) != (check(state) is None)]


def solver_disagreement(cfg, state, act, inp) -> str | None:
    """Ask Z3 on the assembled relation (every action, the selector), with
    the pre-state, action and inputs fixed: sat with Python's successor and
    unsat with anything else; unsat when Python refuses."""
    sys = object_system(cfg)
    s = z3.Solver()
    s.add(sys.T, sys.sel == sys.acts.index(act))
    s.add(*(sys.pre[k] == v for k, v in SO.constants(cfg, SOA.abstract(state)).items()))
    s.add(sys.inp.value == inp.value, sys.inp.rday == inp.rday, sys.inp.days == inp.days)
    s.add(*(a == b for a, b in zip(sys.inp.rattrs, inp.rattrs)))
    nxt = SOA.python_step(state, act, inp)
    if isinstance(nxt, Rejected):
        return None if s.check() == z3.unsat else f"{act.text()}: refused by Python, admitted by T"
    want = SO.constants(cfg, SOA.abstract(nxt))
    same = z3.And(*(sys.post[k] == v for k, v in want.items()))
    if s.check(same) != z3.sat:
        return f"{act.text()}: T does not admit Python's successor"
    if s.check(z3.Not(same)) != z3.unsat:
        return f"{act.text()}: T admits another successor"
    return None


# --------------------------------------------------------------------------- drawing walks

@st.composite
def configs(draw):
    flaws = draw(st.lists(st.sampled_from(OBJECT_FLAWS), max_size=2, unique=True), label="flaws")
    return make_config(draw(st.sampled_from(["small", "entra"]), label="profile"), flaws=tuple(flaws),
                       retention_days=draw(st.sampled_from([2, 3, 30]), label="retention"),
                       snapshot_every_days=draw(st.sampled_from([1, 2]), label="every"),
                       snapshots_kept=draw(st.sampled_from([1, 2, 5]), label="kept"))


def draw_inputs(data, cfg, state, act) -> SO.OInputs:
    """Inputs that often make sense (a kept snapshot's day and attributes, a
    value in range, a tick to a retention boundary) and sometimes do not."""
    R = cfg.retention_days
    days = data.draw(st.sampled_from([0, 1, 1, 2, R - 1, R, R + 1]), label="days")
    value = data.draw(st.integers(-1, cfg.values), label="value")
    o = act.args[0] if act.args else 0
    if state.snapshots and data.draw(st.booleans(), label="from a snapshot"):
        snap = data.draw(st.sampled_from(state.snapshots), label="snapshot")
        rec = snap.view[o]
        return SO.OInputs.plain(cfg, value, snap.day, rec.attrs if rec else (0,) * cfg.attributes, days)
    rattrs = data.draw(st.lists(st.integers(0, cfg.values - 1), min_size=cfg.attributes,
                                max_size=cfg.attributes), label="attrs")
    return SO.OInputs.plain(cfg, value, data.draw(st.integers(0, 4), label="rday"), rattrs, days)


def sensible_moves(cfg, state) -> list:
    """Every (action, inputs) with sensible inputs that Python accepts here."""
    R, out = cfg.retention_days, []
    for act in SO.actions(cfg):
        if act.name == "tick":
            days = {1, R - 1, R, *tick_candidates(state)}  # to the retention boundaries of deleted objects
            options = [SO.OInputs.plain(cfg, days=d) for d in sorted(days)]
        elif act.name == "update":
            options = [SO.OInputs.plain(cfg, value=v) for v in range(cfg.values)]
        elif act.name == "recover":
            o = act.args[0]
            options = [SO.OInputs.plain(cfg, rday=s.day, rattrs=s.view[o].attrs)
                       for s in state.snapshots if s.view[o] is not None]
        else:
            options = [SO.OInputs.plain(cfg)]
        out += [(act, inp) for inp in options
                if not isinstance(SOA.python_step(state, act, inp), Rejected)]
    return out


def draw_move(data, cfg, state):
    """Mostly a step Python accepts (so walks go deep: purges, recoveries,
    violations under the flaws), sometimes any step with any inputs."""
    moves: dict = {}
    for act, inp in sensible_moves(cfg, state):
        moves.setdefault(act.name, []).append((act, inp))
    if moves and data.draw(st.integers(0, 3), label="accepted step") > 0:
        name = data.draw(st.sampled_from(sorted(moves)), label="step name")  # purges are not drowned
        return data.draw(st.sampled_from(moves[name]), label="move")
    act = data.draw(st.sampled_from(SO.actions(cfg)), label="step")
    return act, draw_inputs(data, cfg, state, act)


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(cfg=configs(), data=st.data())
def test_object_steps_and_forms_agree_with_python(cfg, data):
    """At every state of a drawn walk: the drawn step (accepted or refused)
    gives the same verdict and successor in Z3 as in Python, and every
    property and invariant form agrees with its Python predicate."""
    enc = encoding(cfg)
    state = initial_state(cfg)
    for _ in range(data.draw(st.integers(1, 18), label="length")):
        act, inp = draw_move(data, cfg, state)
        assert SOA.disagreement(enc, state, act, inp) is None
        nxt = SOA.python_step(state, act, inp)
        if not isinstance(nxt, Rejected):
            state = nxt
            assert form_disagreements(cfg, state) == []
            if not cfg.flaws:  # what the proof says: the invariants and properties hold
                assert [i for i, inv in OBJECT_INVARIANTS.items() if inv.check(state)] == []
                assert [p for p in OBJECT_FORMS if PROPERTIES[p].check(state)] == []


@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
@given(cfg=configs(), data=st.data())
def test_the_assembled_relation_admits_exactly_the_python_successor(cfg, data):
    state = initial_state(cfg)
    for _ in range(data.draw(st.integers(1, 8), label="length")):
        act, inp = draw_move(data, cfg, state)
        assert solver_disagreement(cfg, state, act, inp) is None
        nxt = SOA.python_step(state, act, inp)
        state = state if isinstance(nxt, Rejected) else nxt


# Hand-written object paths that reach each flaw's violation (and boundary cases).
def path(cfg, *steps):
    out = []
    for name, *args in steps:
        if name == "tick":
            out.append((SO.OAct("tick"), SO.OInputs.plain(cfg, days=args[0])))
        elif name == "update":
            out.append((SO.OAct("update", tuple(args[:2])), SO.OInputs.plain(cfg, value=args[2])))
        elif name == "recover":
            out.append((SO.OAct("recover", (args[0],)), SO.OInputs.plain(cfg, rday=args[1], rattrs=args[2])))
        else:
            out.append((SO.OAct(name, tuple(args)), SO.OInputs.plain(cfg)))
    return out


# Restore on days R-1 and R, recovery within and after retention and of a
# purged object, re-creation of a purged id, a purge of a deleted one (R = 30).
BOUNDARY = [("create", 0), ("update", 0, 1, 1), ("tick", 1), ("soft_delete", 0), ("tick", 29),
            ("restore", 0), ("soft_delete", 0), ("tick", 2), ("recover", 0, 29, (0, 1)),
            ("soft_delete", 0), ("tick", 30), ("restore", 0), ("recover", 0, 60, (0, 1)),
            ("purge", 0), ("recover", 0, 60, (0, 1)), ("create", 0), ("create", 1),
            ("soft_delete", 1), ("permanent_delete", 1), ("purge", 1), ("restore", 1)]


@pytest.mark.parametrize("flaws", [(), *[(f,) for f in OBJECT_FLAWS]])
def test_agreement_on_a_path_across_the_retention_boundaries(flaws):
    cfg = make_config("entra", flaws=flaws)
    state, verdicts = initial_state(cfg), []
    for act, inp in path(cfg, *BOUNDARY):
        assert act.name != "recover" or inp.rday in [s.day for s in state.snapshots]
        assert SOA.disagreement(encoding(cfg), state, act, inp) is None
        assert solver_disagreement(cfg, state, act, inp) is None
        nxt = SOA.python_step(state, act, inp)
        verdicts.append(not isinstance(nxt, Rejected))
        state = state if isinstance(nxt, Rejected) else nxt
        assert form_disagreements(cfg, state) == []
    expect = [True] * 11 + [False, False, True, "recovery-resurrects" in flaws] + [False] + [True] * 3 \
        + [False, False]  # the AP took the permanent delete: gone in its view even without tombstones
    assert verdicts == expect


def test_a_wrong_relation_is_caught(monkeypatch):
    """The comparison can fail: a restore that forgets the retention check
    is admitted by Z3 where Python refuses it."""
    cfg = make_config("entra")
    steps = path(cfg, ("create", 0), ("soft_delete", 0), ("tick", 30))
    state = initial_state(cfg)
    for act, inp in steps:
        state = SOA.python_step(state, act, inp)
    act, inp = SO.OAct("restore", (0,)), SO.OInputs.plain(cfg)
    assert SOA.disagreement(SO.ObjectEncoding(cfg), state, act, inp) is None

    def restore(self, st, o, inp):
        return self._op(st, "restore", o, st[("a", "st", o)] == SO.SOFT, inp)
    monkeypatch.setattr(SO.ObjectEncoding, "restore", restore)
    assert "Python refuses" in SOA.disagreement(SO.ObjectEncoding(cfg), state, act, inp)


def test_a_wrong_form_is_caught():
    """A no-early-purge form that reads `<=` for `<` (purged on the last day
    allowed) disagrees with Python on a purge exactly at retention."""
    cfg = make_config("entra")
    state = initial_state(cfg)
    for act, inp in path(cfg, ("create", 0), ("soft_delete", 0), ("tick", 30), ("purge", 0)):
        state = SOA.python_step(state, act, inp)
    assert form_disagreements(cfg, state) == []

    def wrong(enc, st):
        sdd = st[("sdd", 0)]
        return not (st[("tomb", 0)] and st[("pg", 0)] and st[("day",)] - sdd <= enc.R)
    assert form_disagreements(cfg, state, {"no-early-purge": (wrong, PROPERTIES["no-early-purge"].check)}) \
        == ["no-early-purge"]


# --------------------------------------------------------------------------- bounded model checking

# flaw -> (property, shortest length in object steps, model actions up to the violation)
SHORTEST = {
    "purge-early": ("no-early-purge", 4, 10),
    "restore-defaults": ("soft-delete-restorable", 4, 12),
    "recovery-resurrects": ("no-resurrection", 5, 11),
    "delete-without-tombstone": ("no-resurrection", 3, 9),
}


@pytest.mark.parametrize("flaw", sorted(SHORTEST))
def test_each_object_flaw_has_a_shortest_counterexample_that_replays(flaw, tmp_path):
    prop, length, actions = SHORTEST[flaw]
    cfg = make_config("entra", flaws=(flaw,))
    res = bmc_objects(cfg, prop, depth=length + 1)
    assert res.found and res.depth == length and res.property == prop
    assert [s for _, _, s in res.per_depth] == ["unsat"] * (length - 1) + ["sat"]
    assert res.trace.violated_at == len(res.trace.steps) == actions
    cx = load(save_counterexample(cfg, res, tmp_path))
    assert cx.engine == "z3-bmc" and cx.property == prop and cx.violated_at == actions
    rp = replay(cx)
    assert rp.outcome.reproduced and rp.outcome.status == "violated" and rp.outcome.step == actions
    assert rp.outcome.message == res.trace.message


def test_purge_early_also_breaks_soft_delete_restorable_before_the_purge_is_acknowledged():
    res = bmc_objects(make_config("entra", flaws=("purge-early",)), "soft-delete-restorable", depth=5)
    assert res.depth == 4 and res.trace.violated_at == 8  # right after the purge is written
    assert "can no longer be restored" in res.trace.message


def test_the_safe_object_layer_has_no_short_counterexample():
    res = bmc_objects(make_config("entra"), tuple(OBJECT_FORMS), depth=5)
    assert not res.found and res.depth == 5


# --------------------------------------------------------------------------- induction

def test_the_object_properties_are_inductive_on_the_safe_design():
    rep = object_induction(make_config("entra"))
    assert rep.initiation == () and rep.failures() == []
    assert set(OBJECT_FORMS) <= set(rep.invariants)
    assert {o.step for o in rep.obligations} == set(SO.STEP_NAMES)
    assert len(rep.obligations) == len(SO.STEP_NAMES) * len(rep.invariants)


@pytest.mark.parametrize("drop, broken", [
    ("sd-day", "`no-early-purge` is not preserved by `purge`"),
    ("sd-attrs", "`soft-delete-restorable` is not preserved by `restore`"),
    ("deleted-tracked", "`soft-delete-restorable` is not preserved by `purge`"),
    ("views-agree", "`no-resurrection` is not preserved by `permanent_delete`"),
])
def test_each_auxiliary_invariant_is_needed(drop, broken):
    rep = object_induction(make_config("small"), [f for f in object_forms() if f[0] != drop])
    texts = [o.text() for o in rep.failures()]
    assert broken in texts
    ob = next(o for o in rep.failures() if o.text() == broken)
    text = object_cti_text(rep, ob)
    assert "before:" in text and "after:" in text and "step: " in text


@pytest.mark.parametrize("flaw, lost", [
    ("purge-early", {"no-early-purge", "soft-delete-restorable"}),
    ("restore-defaults", {"soft-delete-restorable"}),
    ("recovery-resurrects", {"no-resurrection"}),
    ("delete-without-tombstone", {"no-resurrection"}),
])
def test_a_flawed_object_layer_loses_exactly_what_it_breaks(flaw, lost):
    proof = prove_objects(make_config("entra", flaws=(flaw,)))
    assert {p for p in OBJECT_FORMS if not proof.proved(p)} == lost


@pytest.mark.parametrize("prop", sorted(OBJECT_FORMS))
def test_vacuity_what_each_object_property_speaks_of_is_reachable(prop):
    w = object_witness(make_config("entra"), prop, depth=6)
    assert w.found and 1 <= w.depth <= 6


# --------------------------------------------------------------------------- the engine

def test_the_engine_proves_the_object_properties_and_finds_the_flaws(tmp_path):
    props = tuple(OBJECT_FORMS)
    by = {r.property: r for r in run_engine("z3", EngineRequest(make_config("small"), props, out_dir=tmp_path))}
    assert list(by) == list(props)
    for r in by.values():
        assert (r.status, r.engine) == ("proved", "z3-induction")
        assert "one history" in r.detail and "any number of operations" in r.detail
        assert "composed with one-history and no-acked-write-lost" in r.detail
    cfg = make_config("small", flaws=("purge-early",))
    by = {r.property: r for r in run_engine("z3", EngineRequest(cfg, props, out_dir=tmp_path))}
    assert by["no-resurrection"].status == "proved"
    for prop in ("no-early-purge", "soft-delete-restorable"):
        r = by[prop]
        assert (r.status, r.engine) == ("violated", "z3-bmc")
        cx = load(r.counterexample)
        assert len(cx.steps) == r.steps
        rp = replay(cx)
        assert rp.outcome.reproduced and rp.outcome.property == prop


@pytest.mark.parametrize("flaw, prop, shortest", [
    ("purge-early", "no-early-purge", 6), ("restore-defaults", "soft-delete-restorable", 6),
    ("recovery-resurrects", "no-resurrection", 9), ("delete-without-tombstone", "no-resurrection", 5)])
def test_the_engine_saves_the_shortened_object_counterexample(flaw, prop, shortest, tmp_path):
    """The file `dirproof check --engine z3` saves is the object path after
    the search over its own actions: the shortest known length in model
    actions (docs/exploration.md), and it replays with the same violation."""
    cfg = make_config("small", flaws=(flaw,))  # (the replication proof it composes with is quick there)
    [r] = run_engine("z3", EngineRequest(cfg, (prop,), out_dir=tmp_path))
    assert (r.status, r.engine, r.steps) == ("violated", "z3-bmc", shortest)
    rp = replay(load(r.counterexample))
    assert rp.outcome.reproduced and rp.outcome.property == prop and rp.outcome.step == shortest


def test_a_replication_flaw_withholds_the_object_proof(tmp_path):
    """The object proof composes with one-history and no-acked-write-lost:
    under ack-before-sync they are not proved, so neither is the object layer."""
    cfg = make_config("small", flaws=("ack-before-sync",))
    [r] = run_engine("z3", EngineRequest(cfg, ("no-resurrection",), depth=3, out_dir=tmp_path))
    assert r.status == "held" and "not established" in r.detail


# --------------------------------------------------------------------------- the glue, on the whole model

def _committed_write(state, rng):
    """A write at the believing AP of an operation by kind, copied and acknowledged."""
    writes: dict = {}
    for action, nxt in enabled(state):
        if isinstance(action, ClientWrite):
            writes.setdefault(type(action.op).__name__, []).append((action, nxt))
    if not writes:
        return None
    action, nxt = rng.choice(writes[rng.choice(sorted(writes))])
    for follow in (ReplicateToPassive(action.at), Acknowledge(action.at)):
        after = step(nxt, follow)
        nxt = nxt if isinstance(after, Rejected) else after
    return nxt


def full_walk(cfg, seed: int, length: int):
    """States of a seeded random walk over every step of the whole model
    (failovers, faults, reads, ticks to retention boundaries), within the
    fault budget; half the moves are writes committed at once, so histories
    grow deep enough to delete, purge and recover."""
    rng = random.Random(seed)
    state = initial_state(cfg)
    yield state
    for _ in range(length):
        nxt = _committed_write(state, rng) if rng.random() < 0.5 else None
        if nxt is None:
            by: dict = {}
            for action, succ in enabled(state):
                if not succ.budget.exceeded:
                    by.setdefault(type(action).__name__, []).append(succ)
            if not by:
                return
            nxt = rng.choice(by[rng.choice(sorted(by))])
        if nxt.budget.exceeded:
            return
        state = nxt
        yield state


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(retention=st.sampled_from([2, 30]), seed=st.integers(0, 2**32 - 1))
def test_every_log_of_the_safe_model_is_a_path_of_the_fragment(retention, seed):
    """The compositional argument's lemma, checked on the whole safe model:
    every replica's log and every prefix a read returned passes the object
    layer's guards entry by entry, on its own days, and folds alike at every
    replica; and the object properties hold (what the proof then gives)."""
    cfg = make_config("entra", retention_days=retention)
    for state in full_walk(cfg, seed, 50):
        for r, rep in enumerate(state.replicas):
            assert SOA.fragment_reason(cfg, rep.log, r) is None
        for ev in state.history:
            if isinstance(ev, ReadServed):
                assert SOA.fragment_reason(cfg, ev.seen, ev.replica) is None
        assert [p for p in OBJECT_FORMS if PROPERTIES[p].check(state)] == []


def test_the_glue_check_can_fail():
    """A log whose entries were not accepted in that order, and one folded
    differently by a replica (delete-without-tombstone), are reported."""
    cfg = make_config("entra", flaws=("delete-without-tombstone",))
    state = initial_state(cfg)
    for act, inp in path(cfg, ("create", 0), ("soft_delete", 0), ("permanent_delete", 0)):
        state = SOA.python_step(state, act, inp)
    log = state.replicas[0].log
    assert SOA.fragment_reason(cfg, log, 0) is None
    assert "folds the log differently" in SOA.fragment_reason(cfg, log, 2)
    assert "would be refused" in SOA.fragment_reason(cfg, log[:1] + log[2:], 0)
    assert "would be refused" in SOA.fragment_reason(cfg, log[:1] + log[:1], 0)


def test_the_one_history_assumption_is_needed_too():
    """Valid logs alone are not enough: under ack-before-sync every log is
    still a path of the fragment, yet the whole model breaks an object
    property (an acknowledged soft delete is lost in a failover, and the
    history mixes two branches), which is why `run` asks the replication
    proof for one-history and no-acked-write-lost before it says proved."""
    cfg = make_config("entra", flaws=("ack-before-sync",), retention_days=2)
    for seed in range(100):
        for state in full_walk(cfg, seed, 50):
            assert all(SOA.fragment_reason(cfg, rep.log, r) is None for r, rep in enumerate(state.replicas))
            broken = [p for p in OBJECT_FORMS if PROPERTIES[p].check(state)]
            if broken:
                assert PROPERTIES["one-history"].check(state) or PROPERTIES["no-acked-write-lost"].check(state)
                return
    pytest.fail("no walk broke an object property under ack-before-sync")
