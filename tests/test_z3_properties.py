"""The Z3 forms of the properties (properties/z3_forms.py) and of the
auxiliary invariants (properties/invariants.py) agree with their Python
predicates on drawn states, violated or not; and every auxiliary invariant
holds on every state the safe design reaches."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dirproof.model import FLAWS, Rejected, initial_state, make_config, step
from dirproof.model.symbolic import Encoding, Scope
from dirproof.model.symbolic_abstraction import Abstraction
from dirproof.model.symbolic_agreement import in_scope_moves
from dirproof.properties import PROPERTIES
from dirproof.properties.invariants import ALL_INVARIANTS as INVARIANTS
from dirproof.properties.z3_forms import AVAILABILITY_FORMS, FORMS, evaluate
from scenarios import SCENARIOS

SCOPE = Scope(log=6, epochs=5)
ENCODINGS: dict = {}


def encoding(cfg) -> Encoding:
    if cfg not in ENCODINGS:
        ENCODINGS[cfg] = Encoding(cfg, SCOPE)
    return ENCODINGS[cfg]


def compare(state) -> dict:
    """{id: python verdict} for every property form and invariant; raise on disagreement."""
    enc = encoding(state.config)
    values = Abstraction(state.config, SCOPE).abstract(state)
    out = {}
    for pid in {**FORMS, **AVAILABILITY_FORMS}:
        py = PROPERTIES[pid].check(state) is None
        z = evaluate(enc, pid, values)
        assert py == z, f"{pid}: python {PROPERTIES[pid].check(state)!r}, z3 form {z}"
        out[pid] = py
    for iid, inv in INVARIANTS.items():
        py = inv.check(state) is None
        z = inv.form(enc, values)
        assert isinstance(z, bool)
        assert py == z, f"invariant {iid}: python {inv.check(state)!r}, z3 form {z}"
        out[iid] = py
    return out


def walk(data, cfg, length, within_budget=False):
    """States of a random walk; `within_budget`: only steps that keep the
    fault budget (the invariants speak of the safe design under it)."""
    state = initial_state(cfg)
    states = [state]
    for _ in range(length):
        by = in_scope_moves(state, SCOPE)
        if within_budget:
            by = {k: v for k, v in ((k, [m for m in ms if not m[1].budget.exceeded])
                                    for k, ms in by.items()) if v}
        if not by:
            break
        name = data.draw(st.sampled_from(sorted(by)), label="step")
        state = data.draw(st.sampled_from(by[name]), label="action")[1]
        states.append(state)
    return states


@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck))
@given(prof=st.sampled_from(["small", "entra"]),
       flaws=st.lists(st.sampled_from(sorted(FLAWS)), max_size=2, unique=True), data=st.data())
def test_forms_agree_with_python_on_drawn_states(prof, flaws, data):
    cfg = make_config(prof, flaws=tuple(flaws))
    for state in walk(data, cfg, data.draw(st.integers(0, 16), label="length")):
        compare(state)


@pytest.mark.parametrize("flaw", sorted(SCENARIOS))
def test_forms_agree_on_every_state_of_the_flaw_scenarios(flaw):
    """The hand-written scenarios reach violations the walks rarely do."""
    prop, steps, _ = SCENARIOS[flaw]
    cfg = make_config("entra", flaws=(flaw,))
    state = initial_state(cfg)
    verdicts = [compare(state)]
    for action in steps:
        state = step(state, action)
        assert not isinstance(state, Rejected)
        verdicts.append(compare(state))
    if prop in FORMS or prop in AVAILABILITY_FORMS:
        assert verdicts[-1][prop] is False, f"the scenario should break {prop}"


@settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
@given(prof=st.sampled_from(["small", "entra"]), data=st.data())
def test_every_invariant_holds_on_the_safe_design(prof, data):
    cfg = make_config(prof)
    for state in walk(data, cfg, data.draw(st.integers(0, 25), label="length"), within_budget=True):
        broken = {k for k, ok in compare(state).items() if not ok}
        assert not broken, broken


def test_a_wrong_form_is_caught():
    """The comparison can fail: a form that forgets the regions monitor
    disagrees with Python on the ack-before-sync scenario."""
    prop, steps, _ = SCENARIOS["ack-before-sync"]
    cfg = make_config("entra", flaws=("ack-before-sync",))
    state = initial_state(cfg)
    for action in steps:
        state = step(state, action)
    values = Abstraction(cfg, SCOPE).abstract(state)
    enc = encoding(cfg)
    assert FORMS[prop](enc, values) is False
    values[("h", "regions")] = False
    assert FORMS[prop](enc, values) is True  # the monitor is what the form reads
    assert PROPERTIES[prop].check(state) is not None
