"""The Python model refines the parametric form (dirproof/parametric/refine.py).

Walks are steered to the situations where a guard decides: a deposed AP
replicating, a rejoin with a divergent suffix, a failover with an
unsynchronised PP (the flaw scenarios of tests/scenarios.py, run on the
safe design), then continued with drawn steps. Every step must be a
transition of the parametric form and every state must satisfy every
auxiliary invariant. The check is shown to fail on a broken mapping and on
the model's mutants that remove fencing, the in-sync check before
promotion and the truncation on rejoin.
"""

from __future__ import annotations

import random

import attrs
import pytest

from dirproof.model import Rejected, initial_state, make_config, step, step_name
from dirproof.parametric import refine
from tests.mutants import MUTANTS, applied
from tests.scenarios import SCENARIOS
from dirproof.parametric.protocol import OUTSIDE_THE_FORM
from scenarios import FLAW_STEP

# the situations, by flaw scenario, and the step whose guard decides them
STEERED = {"no-fencing": "replicate_to_passive", "keep-divergent-suffix": "rejoin",
           "promote-unsynced-pp": "emergency_failover"}
MUTANT_STEP = {"epoch fencing": "replicate_to_passive", "in-sync check before promotion": "emergency_failover",
               "truncation on rejoin": "rejoin"}


def _decisive(flaw: str):
    """The scenario's actions and its last action of the deciding step."""
    actions = SCENARIOS[flaw][1]
    return actions, [a for a in actions if step_name(a) == STEERED[flaw]][-1]


def _refused_in_safe_design(actions, decisive) -> bool:
    state = initial_state(make_config("entra"))
    for a in actions:
        nxt = step(state, a)
        if a is decisive:
            return isinstance(nxt, Rejected)
        if not isinstance(nxt, Rejected):
            state = nxt
    raise AssertionError("decisive step not in the scenario")


@pytest.mark.parametrize("flaw", sorted(STEERED))
def test_steered_walks_of_the_safe_design_refine_the_parametric_form(flaw):
    actions, decisive = _decisive(flaw)
    assert _refused_in_safe_design(actions, decisive) or flaw == "keep-divergent-suffix"
    walk = list(refine.walk(initial_state(make_config("entra")), actions, steps=8, rng=random.Random(7)))
    assert len(walk) >= 8 and any(a is decisive for _, a, _ in walk) == (flaw == "keep-divergent-suffix")
    assert refine.check_walk(walk) == []


def test_a_rejoin_with_a_divergent_suffix_is_reached_and_truncates():
    actions, decisive = _decisive("keep-divergent-suffix")
    walk = list(refine.walk(initial_state(make_config("entra")), actions))
    pre, _, post = next(w for w in walk if w[1] is decisive)
    assert len(post.replicas[decisive.replica].log) < len(pre.replicas[decisive.replica].log)


def _commit_is_len(d, st, gh, V):
    """A wrong mapping: a replica's commit point mapped to its log's end."""
    reps = tuple(attrs.evolve(r, commit=len(r.log)) for r in st.replicas)
    return refine.structure(d, attrs.evolve(st, replicas=reps), gh, V)


def _roles_swapped(d, st, gh, V):
    """A wrong mapping: AP and PP of every epoch exchanged."""
    orch = st.orchestrator
    roles = tuple((p, a) for a, p in orch.roles)
    return refine.structure(d, attrs.evolve(st, orchestrator=attrs.evolve(orch, roles=roles)), gh, V)


@pytest.mark.parametrize("mapping", [_commit_is_len, _roles_swapped])
def test_a_broken_mapping_is_caught(mapping):
    actions, _ = _decisive("promote-unsynced-pp")
    walk = list(refine.walk(initial_state(make_config("entra")), actions[:4]))
    assert refine.check_walk(walk) == []
    assert refine.check_walk(walk, mapping) != []


@pytest.mark.parametrize("mutant", [m for m in MUTANTS if m.name in MUTANT_STEP], ids=lambda m: m.name)
def test_each_mutant_fails_the_refinement_at_the_step_it_changes(mutant):
    flaw = mutant.scenario
    actions, decisive = _decisive(flaw)
    with applied(mutant):
        walk = list(refine.walk(initial_state(make_config("entra")), actions))
        assert any(a is decisive for _, a, _ in walk), f"the mutant does not reach {decisive}"
        problems = refine.check_walk(walk)
    assert problems, f"mutant {mutant.name!r} refines the parametric form"
    first = problems[0]
    assert MUTANT_STEP[mutant.name] in first and "is not a transition" in first, first


@pytest.mark.parametrize("flaw", sorted(set(FLAW_STEP) - OUTSIDE_THE_FORM))
def test_the_flawed_model_refines_the_flawed_form(flaw):
    """The parametric form reads the flaws from the Config: each flaw
    scenario's steps, run on the flawed model, are transitions of the form
    with that flaw, and the first step the safe form refuses is the one the flaw changes."""
    cfg = make_config("entra", flaws=[flaw])
    walk = list(refine.walk(initial_state(cfg), SCENARIOS[flaw][1]))
    assert len(walk) == len(SCENARIOS[flaw][1])
    assert [refine.check_step(pre, step_name(a), post) for pre, a, post in walk] == [None] * len(walk)
    safe = [k for k, (pre, a, post) in enumerate(walk)
            if refine.check_step(_unflawed(pre), step_name(a), _unflawed(post))]
    # pp-same-region breaks the property at acknowledge, but changes the choice of the PP
    changed = "emergency_failover" if flaw == "pp-same-region" else FLAW_STEP[flaw]
    assert safe and step_name(walk[safe[0]][1]) == changed, safe


def _unflawed(st):
    return attrs.evolve(st, config=attrs.evolve(st.config, flaws=()))


def test_every_flaw_scenario_on_the_safe_design_refines_the_form_and_a_read_pulls():
    """The scenarios' steps that the safe design accepts (a read that pulls
    up to its token among them) are transitions, their states satisfy the invariant."""
    pulled = False
    for flaw in sorted(FLAW_STEP):
        walk = list(refine.walk(initial_state(make_config("entra")), SCENARIOS[flaw][1]))
        assert refine.check_walk(walk) == [], flaw
        for pre, a, post in walk:
            if step_name(a) == "read":
                r = pre.sessions[a.session].replica
                pulled |= post.replicas[r].commit > pre.replicas[r].commit
    assert pulled
