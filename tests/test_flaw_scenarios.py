"""Every seeded flaw, on its hand-written scenario, breaks the property that
design.md §5 names; the same steps under the safe design break nothing."""

import pytest

from dirproof.model import FLAWS, Rejected, initial_state, make_config, step
from dirproof.properties import check
from scenarios import SCENARIOS


def run(flaws, steps):
    """Run the steps; return (index of the step that first broke a property,
    the violations after the last step, the reason of a rejected step)."""
    state = initial_state(make_config("entra", flaws=flaws))
    first = None
    for i, action in enumerate(steps, 1):
        nxt = step(state, action)
        if isinstance(nxt, Rejected):
            return i, [], nxt.reason
        state = nxt
        if first is None and check(state):
            first = i
    return first, check(state), None


def test_every_flaw_has_a_scenario():
    assert set(SCENARIOS) == set(FLAWS)


@pytest.mark.parametrize("flaw", sorted(SCENARIOS))
def test_flaw_breaks_its_property(flaw):
    prop, steps, _ = SCENARIOS[flaw]
    assert prop in FLAWS[flaw].caught_by
    at, broken, rejected = run([flaw], steps)
    assert rejected is None, f"step {at} rejected under the flaw: {rejected}"
    assert prop in {v.property for v in broken}
    shorter = run([flaw], steps[:-1])[1]
    assert prop not in {v.property for v in shorter}, "the last step should be the one that breaks it"


@pytest.mark.parametrize("flaw", sorted(SCENARIOS))
def test_same_steps_are_harmless_under_the_safe_design(flaw):
    _, steps, _ = SCENARIOS[flaw]
    at, broken, _ = run([], steps)
    assert broken == [], broken
