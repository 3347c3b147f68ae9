"""Every seeded flaw, on its hand-written scenario, breaks the property that
design.md §5 names; the same steps under the safe design break nothing.
Together the scenarios break every property of the catalogue."""

import pytest

from dirproof.model import FLAWS, Rejected, make_config
from dirproof.properties import ALL_PROPERTIES as PROPERTIES
from dirproof.replay.machines import machine_of_steps
from scenarios import EXTRA_SCENARIOS, SCENARIOS


def run(flaws, steps, overrides=None):
    """Run the steps; return (index of the step that first broke a property,
    the violations after the last step, the reason of a rejected step)."""
    m = machine_of_steps(steps)  # the partition's or the identity layer's
    check = m.check
    state = m.initial(make_config("entra", flaws=flaws, **(overrides or {})))
    first = None
    for i, action in enumerate(steps, 1):
        nxt = m.step(state, action)
        if isinstance(nxt, Rejected):
            return i, [], nxt.reason
        state = nxt
        if first is None and check(state):
            first = i
    return first, list(check(state)), None


def all_scenarios():
    """(name, flaw, property, steps, overrides) of every scenario."""
    out = [(flaw, flaw, prop, steps, over) for flaw, (prop, steps, over) in SCENARIOS.items()]
    out += [(name, flaw, prop, steps, over) for name, (flaw, prop, steps, over) in EXTRA_SCENARIOS.items()]
    return out


ALL = {s[0]: s[1:] for s in all_scenarios()}


def test_every_flaw_has_a_scenario():
    assert set(SCENARIOS) == set(FLAWS)


@pytest.mark.parametrize("name", sorted(ALL))
def test_flaw_breaks_its_property(name):
    flaw, prop, steps, over = ALL[name]
    assert prop in FLAWS[flaw].caught_by
    at, broken, rejected = run([flaw], steps, over)
    assert rejected is None, f"step {at} rejected under the flaw: {rejected}"
    assert prop in {v.property for v in broken}
    shorter = run([flaw], steps[:-1], over)[1]
    assert prop not in {v.property for v in shorter}, "the last step should be the one that breaks it"


@pytest.mark.parametrize("name", sorted(ALL))
def test_same_steps_are_harmless_under_the_safe_design(name):
    _, _, steps, over = ALL[name]
    at, broken, _ = run([], steps, over)
    assert broken == [], broken


def test_every_property_is_broken_by_some_scenario():
    """Run every scenario; the union of what they break is the catalogue."""
    broken = set()
    for flaw, _, steps, over in ALL.values():
        broken |= {v.property for v in run([flaw], steps, over)[1]}
    assert broken >= set(PROPERTIES), f"no scenario breaks {sorted(set(PROPERTIES) - broken)}"


def test_every_property_a_flaw_names_has_a_scenario():
    """Each (flaw, property) pair of FLAWS[flaw].caught_by is shown by a scenario."""
    shown = {(flaw, prop) for flaw, prop, _, _ in ALL.values()}
    wanted = {(f.id, p) for f in FLAWS.values() for p in f.caught_by}
    assert wanted <= shown, f"not shown: {sorted(wanted - shown)}"
