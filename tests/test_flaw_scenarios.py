"""Every seeded flaw, on its hand-written scenario, breaks the property that
design.md §5 names; the same steps under the safe design break nothing."""

import pytest

from dirproof.model import FLAWS, Rejected, initial_state, make_config, step
from dirproof.properties import check
from scenarios import SCENARIOS


def run(flaws, steps):
    state = initial_state(make_config("entra", flaws=flaws))
    for i, action in enumerate(steps, 1):
        nxt = step(state, action)
        if isinstance(nxt, Rejected):
            return i, [], nxt.reason
        state = nxt
        broken = check(state)
        if broken:
            return i, broken, None
    return len(steps), [], None


def test_every_flaw_has_a_scenario():
    assert set(SCENARIOS) == set(FLAWS)


@pytest.mark.parametrize("flaw", sorted(SCENARIOS))
def test_flaw_breaks_its_property(flaw):
    prop, steps, _ = SCENARIOS[flaw]
    assert prop in FLAWS[flaw].caught_by
    at, broken, rejected = run([flaw], steps)
    assert rejected is None, f"step {at} rejected under the flaw: {rejected}"
    assert at == len(steps), "the violation should come at the scenario's last step"
    assert prop in {v.property for v in broken}


@pytest.mark.parametrize("flaw", sorted(SCENARIOS))
def test_same_steps_are_harmless_under_the_safe_design(flaw):
    _, steps, _ = SCENARIOS[flaw]
    at, broken, _ = run([], steps)
    assert broken == [], broken
