"""Proofs that fail when the model is wrong (issue 12).

Each mutant (tests/mutants.py) removes one safety guard from the Python code
of the model: epoch fencing, the in-sync check before promotion, waiting for
the PP before acknowledging, truncation on rejoin, pulling up to the token
before a read, shipping only committed entries. Nothing in the Z3 engine is
touched, yet the safe design's Z3 proof no longer proves the property the
guard protects, because the proof runs on the model's own steps; and the
flaw's scenario, run on the safe design with the mutant, breaks that property
on the model. Without the mutant the proof holds (tests/test_proofs.py).
"""

import pytest

from dirproof.model import Rejected, make_config, step
from dirproof.properties import PROPERTIES
from dirproof.proofs.houdini import prove, refutation
from dirproof.symbolic.derive import system
from mutants import MUTANTS, applied
from scenarios import SCENARIOS


def _run(cfg, steps):
    s = __import__("dirproof.model", fromlist=["initial_state"]).initial_state(cfg)
    for a in steps:
        nxt = step(s, a)
        if not isinstance(nxt, Rejected):
            s = nxt
    return s


@pytest.mark.parametrize("mutant", MUTANTS, ids=lambda m: m.name.replace(" ", "-"))
def test_removing_a_guard_from_the_python_code_turns_its_proof_red(mutant):
    """The proof's Houdini run stops once it drops the protected property
    (houdini.refutation: it never keeps a dropped one); the first mutant
    also runs the whole proof, which must agree."""
    cfg = make_config("entra")
    _, steps, _ = SCENARIOS[mutant.scenario]
    assert PROPERTIES[mutant.protects].check(_run(cfg, steps)) is None  # the guard holds it off
    with applied(mutant):
        system.cache_clear()
        try:
            why = refutation(cfg, mutant.protects)
            proof = prove(cfg) if mutant is MUTANTS[0] else None
            broken = PROPERTIES[mutant.protects].check(_run(cfg, steps))
        finally:
            system.cache_clear()
    assert why is not None, f"{mutant.protects} still proved without {mutant.name}"
    assert proof is None or (not proof.proved(mutant.protects) and mutant.protects in dict(proof.dropped))
    assert broken is not None, f"the {mutant.scenario} scenario does not break {mutant.protects} on the mutant"


def test_the_safe_design_has_no_refutation():
    """houdini.refutation can say "proved": with every guard in place the
    whole Houdini run keeps the property (as prove does, tests/test_proofs.py)."""
    assert refutation(make_config("entra"), "read-your-writes") is None


@pytest.mark.parametrize("mutant", __import__("mutants").OBJECT_MUTANTS, ids=lambda m: m.name.replace(" ", "-"))
def test_removing_an_object_guard_turns_the_object_proof_red(mutant):
    """The object layer's guards: the safe design's object proof over one
    history (derived from model/objects.py) no longer proves the property
    the guard protects, and the flaw's scenario breaks it on the model."""
    from dirproof.proofs.objects_derive import object_system
    from dirproof.proofs.objects_proof import prove_objects
    cfg = make_config("entra")
    _, steps, _ = SCENARIOS[mutant.scenario]
    assert PROPERTIES[mutant.protects].check(_run(cfg, steps)) is None
    assert prove_objects(cfg).proved(mutant.protects)
    with applied(mutant):
        object_system.cache_clear()
        try:
            proof = prove_objects(cfg)
            broken = PROPERTIES[mutant.protects].check(_run(cfg, steps))
        finally:
            object_system.cache_clear()
    assert not proof.proved(mutant.protects), f"{mutant.protects} still proved without {mutant.name}"
    assert broken is not None, f"the {mutant.scenario} scenario does not break {mutant.protects} on the mutant"
