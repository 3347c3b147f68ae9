"""The identity layer in Z3 (dirproof/identity/z3_derive.py, z3_engine.py):
the derived relation agrees with the Python steps (and a wrong translation
is caught), the safe design is proved inductively for the layer's scope,
each flaw turns its property's proof red at the step it changes, and the
bounded search finds each flaw's shortest counterexample."""

import random

import attrs
import pytest
import z3

from dirproof.identity.z3_derive import as_term, derive, id_system, values_of
from dirproof.identity.z3_engine import bmc, prove
from dirproof.model import FLAWS, make_config
from dirproof.model.identity import ClockTick, IdState, id_enabled, id_step, initial_id_state, tick_minutes
from dirproof.properties.identity import IDENTITY_PROPERTIES
from dirproof.properties.identity_invariants import ID_INVARIANTS
from scenarios import ID_SCENARIOS, ID_Z3_SHORTEST


def reached_states(cfg, walks=12):
    """States of random walks of the model (every step kind, deep time included)."""
    out = []
    for seed in range(walks):
        rnd, state = random.Random(seed), initial_id_state(cfg)
        for _ in range(12):
            _, state = rnd.choice(id_enabled(state))
            out.append(state)
    return out


def _evaluator(sys, keys, minutes):
    """A function giving the value of a term over the pre-state at these values (a Z3 model's eval)."""
    solver = z3.Solver()
    solver.add(*[sys.pre[k] == keys[k] for k in sys.pre], sys.minutes == minutes)
    assert solver.check() == z3.sat
    model = solver.model()
    return lambda t: t if isinstance(t, (bool, int)) else model.eval(as_term(t), model_completion=True)


def disagreements(cfg, sys, states):
    """(state, action, what differs) where the relation and the Python step disagree:
    the guard is true exactly when the step runs, and then every key's
    successor term is the Python successor's value."""
    bad = []
    for s in states:
        keys = values_of(s)
        for m in tick_minutes(s)[:2]:
            value = _evaluator(sys, keys, m)
            for act, (guard, post) in zip(sys.acts, sys.cases):
                if act.spec.action is not ClockTick and m != tick_minutes(s)[0]:
                    continue  # the other steps do not read the minutes: once is enough
                nxt = id_step(s, act.action(m))
                enabled = guard is True or (guard is not False and z3.is_true(value(guard)))
                if enabled != isinstance(nxt, IdState):
                    bad.append((s, act.action(m), "guard"))
                elif enabled:
                    want = values_of(nxt)
                    diff = [k for k, v in post.items() if not z3.is_true(z3.simplify(as_term(value(v)) == want[k]))]
                    if diff:
                        bad.append((s, act.action(m), diff))
    return bad


def test_the_derived_relation_agrees_with_the_python_steps_on_reached_states():
    cfg = make_config()
    assert disagreements(cfg, id_system(cfg), reached_states(cfg, 2)) == []
    for flaw in ("key-scope-unchecked", "backup-misses-revocations", "cae-lifetime-without-enforcement"):
        flawed = make_config(flaws=[flaw])
        assert disagreements(flawed, id_system(flawed), _scenario_states(flaw)) == []


def test_the_agreement_check_catches_a_wrong_translation():
    safe, flawed = make_config(), make_config(flaws=["key-scope-unchecked"])
    # a translation that derives validate_token without its scope check (the flawed step)
    wrong = id_system(safe, run=lambda act, st, pre, m: derive(act, attrs.evolve(st, config=flawed), pre, m))
    states = [attrs.evolve(x, config=safe) for x in _scenario_states("key-scope-unchecked")]
    bad = disagreements(safe, wrong, states)
    assert bad and any(type(a).__name__ == "ValidateToken" for _, a, _ in bad)


def _scenario_states(flaw):
    _, steps, _ = ID_SCENARIOS[flaw]
    s = initial_id_state(make_config(flaws=[flaw]))
    out = [s]
    for a in steps[:-1]:
        s = id_step(s, a)
        out.append(s)
    return out


def test_the_safe_design_is_proved_inductively_for_its_scope():
    proof = prove(make_config())
    assert proof.broken == ()
    assert set(proof.proved) == set(IDENTITY_PROPERTIES) | set(ID_INVARIANTS)


def test_the_invariants_hold_on_every_state_the_safe_design_reaches():
    cfg = make_config()
    for s in reached_states(cfg, 60):
        assert all(fn(s) is True for fn in ID_INVARIANTS.values())


@pytest.mark.parametrize("flaw, step", [("key-scope-unchecked", "validate_token"),
                                        ("backup-depends-on-primary", "primary_auth_fails")])
def test_a_flaw_turns_its_property_s_proof_red_at_the_step_it_changes(flaw, step):
    prop = FLAWS[flaw].caught_by[0]
    proof = prove(make_config(flaws=[flaw]), only=step)  # the safe design's proof covers every step
    assert prop not in proof.proved
    assert {c.action.split("(")[0] for c in proof.broken if c.conjunct == prop} == {step}


@pytest.mark.parametrize("flaw", ["key-scope-unchecked", "key-validity-unchecked", "retire-live-key",
                                  "backup-serves-any-age", "backup-depends-on-primary"])
def test_the_bounded_search_finds_the_shortest_counterexample_and_it_replays(flaw):
    prop = FLAWS[flaw].caught_by[0]
    tr, searched = bmc(make_config(flaws=[flaw]), prop)
    assert tr is not None and len(tr.steps) == ID_Z3_SHORTEST[flaw] == len(ID_SCENARIOS[flaw][1])
    assert tr.at == len(tr.steps) and searched == len(tr.steps)
    assert bmc(make_config(), prop, depth=len(tr.steps))[0] is None  # the safe design: none that long


def test_a_proof_whose_subject_no_execution_reaches_is_vacuous_not_proved():
    from dirproof.identity.z3_engine import witness
    assert len(witness(make_config(), "backup-fails-closed")) == 3  # issue, primary down, backup serves
    # with the backup asking the (down) primary, it never serves: its fail-closed proof says nothing
    assert witness(make_config(flaws=["backup-depends-on-primary"]), "backup-fails-closed") is None


def test_a_property_is_not_proved_from_an_auxiliary_invariant_the_flaw_breaks():
    """Under cae-lifetime-without-enforcement, lifetimes-are-the-seeds fails;
    revocation-bounded (which it breaks, in 6 steps) was once reported proved
    from it. The proof drops failing conjuncts until the rest is inductive."""
    proof = prove(make_config(flaws=["cae-lifetime-without-enforcement"]))
    assert "lifetimes-are-the-seeds" not in proof.proved
    assert "revocation-bounded" not in proof.proved
