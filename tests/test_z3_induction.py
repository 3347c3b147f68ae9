"""Inductive proofs of the safe design (dirproof/z3_engine.py): the five
replication and session properties with the auxiliary invariants of
properties/invariants.py, for executions of any length; failure reports
name the invariant and the step, with a counterexample to induction; the
states the properties speak of are reachable (vacuity); and the fault budget
is a real assumption (without it, a counterexample)."""

from __future__ import annotations

import pytest

from dirproof.model import initial_state, make_config, step
from dirproof.model.symbolic import Scope
from dirproof.properties import broken_assumptions
from dirproof.properties.z3_forms import IN_SCOPE
from dirproof.z3_engine import (PROOF_SCOPE, VACUITY, bmc, cti_text, induction, invariant_forms,
                                prove, role_orbits, witness)

SMALL = Scope(log=3, epochs=3)


def test_the_five_properties_are_inductive_on_the_safe_entra_design():
    rep = induction(make_config("entra"), PROOF_SCOPE)
    assert rep.initiation == ()
    assert [o.text() for o in rep.failures()] == []
    assert set(IN_SCOPE) <= set(rep.invariants)
    steps = {o.step for o in rep.obligations}
    assert len(steps) == 17  # every model step, ticks and system writes included
    assert len(rep.obligations) == 17 * len(rep.invariants)


def test_the_proof_does_not_rest_on_symmetry():
    """On `small` the same proof goes through with every (AP, PP) pair."""
    rep = induction(make_config("small"), SMALL, symmetry=False)
    assert rep.ok, [o.text() for o in rep.failures()]


def test_symmetry_orbits():
    assert role_orbits(make_config("entra")) == [(0, 2)]
    assert role_orbits(make_config("wide")) == [(0, 3)]
    assert len(role_orbits(make_config("entra", flaws=("pp-same-region",)))) == 2


def test_a_missing_invariant_is_named_with_its_step_and_a_counterexample_to_induction():
    forms = [f for f in invariant_forms() if f[0] != "tokens"]
    rep = induction(make_config("small"), SMALL, forms)
    assert not rep.ok
    texts = [o.text() for o in rep.failures()]
    assert "`read-your-writes` is not preserved by `read`" in texts
    ob = next(o for o in rep.failures() if o.invariant == "read-your-writes")
    text = cti_text(rep, ob)
    assert "before:" in text and "after:" in text and "step: read(session 0)" in text
    assert "monitors latched: ryw" in text.split("after:")[1]


def test_one_step_or_one_invariant_alone():
    rep = induction(make_config("small"), SMALL, steps=["acknowledge"], only=["commit-acked"])
    assert [(o.invariant, o.step, o.status) for o in rep.obligations] == \
        [("commit-acked", "acknowledge", "preserved")]


def test_a_flawed_design_loses_exactly_the_properties_it_breaks():
    """Houdini keeps what is still inductive: a read that ignores the token
    loses the two session guarantees; durability and one history are still
    proved."""
    proof = prove(make_config("small", flaws=("read-ignores-token",)), SMALL)
    assert [p for p in IN_SCOPE if not proof.proved(p)] == ["read-your-writes", "monotonic-reads"]
    assert "not inductive" in proof.detail("read-your-writes")
    assert "is not preserved by `read`" in proof.detail("read-your-writes")


@pytest.mark.parametrize("prop", sorted(VACUITY))
def test_vacuity_the_states_each_property_speaks_of_are_reachable(prop):
    w = witness(make_config("small"), prop, depth=7)
    assert w.found, f"{prop}: {VACUITY[prop]} is not reachable"
    assert 1 <= len(w.steps) == w.depth <= 7


def test_the_fault_budget_is_needed():
    """Without the budget assumption the bounded search loses an
    acknowledged write, and the model says the budget was exceeded."""
    cfg = make_config("small")
    within = bmc(cfg, "no-acked-write-lost", depth=5)
    assert not within.found
    beyond = bmc(cfg, "no-acked-write-lost", depth=5, budget=False)
    assert beyond.found
    state = initial_state(cfg)
    for action in beyond.trace.steps:
        state = step(state, action)
    assert broken_assumptions(state) == ["fault-budget"]
