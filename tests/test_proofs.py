"""The Z3 engine on the relation derived from the model (dirproof/proofs).

The safe design's replication properties are proved for the fixed scope
with a witness each; under every replication flaw the safe design's
invariant is no longer inductive over the step the flaw changes; bounded
search finds the shortest counterexamples of tests/scenarios.py and the
recorded deep ones replay on the model and in the relation; the invariants
hold on every state the safe design reaches.
"""

import functools
import random

import pytest
from typer.testing import CliRunner

from agreement import disagreement
from dirproof.cli import app
from dirproof.engines import EngineRequest
from dirproof.model import FLAWS, Rejected, candidates, initial_state, make_config, step
from dirproof.model.algebra import holds
from dirproof.properties import PROPERTIES
from dirproof.properties.invariants import INVARIANTS
from dirproof.properties.monitors import observe_all, watch
from dirproof.proofs.bmc import bmc, replay_path
from dirproof.proofs.forms import REPLICATION
from dirproof.proofs.induction import PROOF_SCOPE, induction, proof_system
from dirproof.symbolic.derive import Act
from dirproof.model import BY_NAME
from scenarios import FLAW_STEP, Z3_FAST, Z3_RECORDED
from mutants import MUTANTS, applied

runner = CliRunner()



def test_the_safe_design_is_proved_for_its_scope_with_a_witness_each(tmp_path):
    from dirproof import z3_engine
    props = REPLICATION + ("bounded-write-unavailability", "reads-survive-datacenter-loss")
    # A generous time budget: the witnesses (6 steps) must be found, however loaded the machine.
    results = z3_engine.run(EngineRequest(make_config("entra"), props, out_dir=tmp_path, seconds=600))
    assert {r.property: r.status for r in results} == {p: "proved" for p in props}
    for r in results:
        assert "proved for entra (4 replicas, 2 regions, 2 sessions), logs <= 3, epochs <= 3" in r.detail
        if r.property in REPLICATION:
            assert "witness:" in r.detail
            # the stronger verdict first, the fixed-scope proof kept as its cross-check
            assert (r.engine, r.scope) == ("z3-parametric", "any size")
            assert r.detail.startswith("proved (any size)") and "cross-check: proved for entra" in r.detail
        else:
            assert r.engine == "z3-induction"


def test_a_fixed_scope_proof_the_parametric_form_cannot_repeat_stays_fixed_scope_and_says_why():
    from dirproof import z3_engine
    from dirproof.results import PropertyResult
    fixed = PropertyResult("no-acked-write-lost", "proved", "z3-induction", detail="proved for entra ...",
                           scope="entra ...")
    request = EngineRequest(make_config("entra", flaws=["read-ignores-token"]), ("no-acked-write-lost",))
    [r] = z3_engine.any_size(request, [fixed])
    assert (r.engine, r.scope) == ("z3-induction", "entra ...")
    assert "not proved for any size: " in r.detail and "read" in r.detail


@pytest.mark.parametrize("flaw", sorted(FLAW_STEP))
def test_each_flaw_breaks_the_safe_invariant_at_the_step_it_changes(flaw):
    rep = induction(make_config("entra", flaws=[flaw]), PROOF_SCOPE, list(INVARIANTS) + list(REPLICATION),
                    steps=[FLAW_STEP[flaw]])
    assert not rep.ok and rep.failures(), f"{flaw}: the invariant is still inductive over {FLAW_STEP[flaw]}"
    assert {o.step for o in rep.failures()} == {FLAW_STEP[flaw]}


def test_the_safe_invariant_is_inductive_over_those_steps():
    rep = induction(make_config("entra"), PROOF_SCOPE, list(INVARIANTS) + list(REPLICATION),
                    steps=sorted(set(FLAW_STEP.values())))
    assert rep.ok, [o.text() for o in rep.failures()]


@pytest.mark.parametrize("flaw", sorted(Z3_FAST))
def test_bounded_search_finds_the_shortest_counterexample(flaw):
    prop, length = Z3_FAST[flaw]
    res = bmc(make_config("entra", flaws=[flaw]), prop, length)
    assert res.found and res.depth == length and res.property == prop
    assert PROPERTIES[prop].check(replay_path(make_config("entra", flaws=[flaw]), res.trace.acts)[1][-1])


@pytest.mark.parametrize("flaw", sorted(Z3_RECORDED))
def test_recorded_deep_paths_replay_on_the_model_and_in_the_relation(flaw):
    prop, path = Z3_RECORDED[flaw]
    cfg = make_config("entra", flaws=[flaw])
    acts = [Act(BY_NAME[name], args) for name, args in path]
    steps, states = replay_path(cfg, acts)
    assert PROPERTIES[prop].check(states[-1]) is not None
    sys = proof_system(cfg, PROOF_SCOPE)
    for s, a in zip(states, steps):
        assert disagreement(sys, s, a) is None


def test_the_invariants_hold_on_every_state_the_safe_design_reaches():
    cfg = make_config("entra")
    rnd = random.Random(3)
    for _ in range(30):
        s, g = initial_state(cfg), watch(initial_state(cfg))
        for _ in range(25):
            moves = [n for a in candidates(s) for n in [step(s, a)] if not isinstance(n, Rejected)
                     and not n.budget.exceeded]
            if not moves:
                break
            n = rnd.choice(moves)
            g, s = observe_all(g, n.history[len(s.history):], n), n
            for name, inv in INVARIANTS.items():
                assert holds(inv.verdict(s, g)), (name, inv.verdict(s, g))


def test_prove_shows_a_counterexample_to_induction_as_model_states():
    res = runner.invoke(app, ["prove", "--step", "replicate_to_passive", "--drop", "deposed-fenced"])
    assert res.exit_code == 1, res.output
    assert "is not preserved by `replicate_to_passive`" in res.output
    assert "before:" in res.output and "after:" in res.output and "A1: " in res.output


@pytest.mark.parametrize("args, words", [
    (["prove", "--scope", "0", "3"], "--scope: log length must be within 1..8"),
    (["prove", "--invariant", "nonsense"], "no Z3 form here for nonsense"),
    (["prove", "--step", "fly"], "no step fly"),
    (["bmc", "--property", "no-early-purge"], "no Z3 form here for no-early-purge"),
])
def test_z3_commands_refuse_bad_input_in_one_line(args, words):
    res = runner.invoke(app, args)
    assert res.exit_code == 2 and words in res.stderr and res.stderr.count("\n") == 1


def test_every_replication_flaw_is_mapped_to_its_step():
    named = {f for f, fl in FLAWS.items() if fl.area in ("replication", "sessions")}
    assert named == set(FLAW_STEP)


def test_a_witness_search_cut_by_time_is_not_evidence_of_vacuity():
    from dirproof.proofs.houdini import witness
    cfg = make_config("entra")
    short = witness(cfg, "read-your-writes", depth=2)  # its subject needs more steps than 2
    assert (short.found, short.complete, short.depth) == (False, True, 2)
    cut = witness(cfg, "read-your-writes", depth=8, seconds=0.01)
    assert not cut.found and not cut.complete and cut.depth < 8


@pytest.mark.parametrize("mutant", [m for m in MUTANTS if m.protects == "one-history" or "fencing" in m.name
                                    or "in-sync" in m.name], ids=lambda m: m.name.replace(" ", "-"))
def test_a_model_that_no_longer_refines_the_parametric_form_is_not_proved_for_any_size(mutant):
    """The any-size claim is about the running model: with a safety guard
    removed from the model's code alone, the steered walks find a step the
    parametric form does not allow, and no property is upgraded. The same
    walks on the safe model show no such step (the safe model's whole upgrade,
    every walk, is asserted by test_the_safe_design_is_proved_for_its_scope_with_a_witness_each)."""
    from dirproof import z3_engine
    assert _safe_steered_walks() == []
    request, fixed = _refinement_request()
    with applied(mutant):
        [r] = z3_engine.any_size(request, [fixed])
    assert r.scope == "entra ..." and "does not allow" in r.detail


def _refinement_request():
    from dirproof.results import PropertyResult
    fixed = PropertyResult("monotonic-reads", "proved", "z3-induction", detail="proved for entra ...",
                           scope="entra ...")
    return EngineRequest(make_config("entra"), ("monotonic-reads",)), fixed


@functools.lru_cache(maxsize=1)
def _safe_steered_walks() -> list:
    """What the safe model does outside the form on the steered walks (once per process)."""
    from dirproof.model import initial_state
    from dirproof.parametric.refine import _steered, check_walk, walk
    cfg = make_config("entra")
    return [p for w in _steered() for p in check_walk(walk(initial_state(cfg), w))]
