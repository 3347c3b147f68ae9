"""The derived Z3 relation says what the Python model says, step by step
(dirproof/symbolic/derive.py; the checks are in tests/agreement.py).

Both are one source, so this is a check of the derivation (the symbolic
run, the sequences, the merge of paths, the flattening): it runs every
candidate action from the states where the guards decide (the flaw
scenarios run on the design: a deposed AP replicating, a rejoin with a
divergent suffix, a failover with an unsynchronised PP, ...) and from
random walks, and it is shown to catch a deliberately wrong translation.
"""

import pytest

from agreement import first_disagreement, steered_states, walk_states
from dirproof.model import FLAWS, EmergencyFailover, ReplicateToPassive, Rejected, Rejoin, make_config, step
from dirproof.proofs.induction import PROOF_SCOPE, proof_system
from dirproof.symbolic import paths as P
from dirproof.symbolic.derive import system
from dirproof.symbolic.seqs import SymSeq

REPLICATION_FLAWS = [f for f, fl in FLAWS.items() if fl.area in ("replication", "sessions", "availability")]


def test_the_steered_states_reach_the_guards_that_decide():
    """The states below are where fencing, truncation and the in-sync check decide."""
    states = steered_states(make_config("entra"))
    reasons = [str(getattr(step(s, a), "reason", "")) for s in states
               for a in (ReplicateToPassive(0), Rejoin(0), EmergencyFailover(1, 3), EmergencyFailover(3, 1))]
    assert any("fenced" in r for r in reasons)
    assert any("has not caught up" in r for r in reasons)
    drops = [s for s in states for n in [step(s, Rejoin(0))]
             if not isinstance(n, Rejected) and len(n.replicas[0].log) < len(s.replicas[0].log)]
    assert drops, "no state where a rejoin truncates a divergent suffix"


def test_derived_relation_agrees_with_the_model_on_the_safe_design():
    cfg = make_config("entra")
    sys = proof_system(cfg, PROOF_SCOPE)
    states = steered_states(cfg) + walk_states(cfg, walks=2, length=12, seed=7)
    assert first_disagreement(sys, states) is None


@pytest.mark.parametrize("flaw", REPLICATION_FLAWS)
def test_derived_relation_agrees_with_the_model_under_each_flaw(flaw):
    cfg = make_config("entra", flaws=[flaw])
    assert first_disagreement(proof_system(cfg, PROOF_SCOPE), steered_states(cfg, [flaw])) is None


def _fresh_system(cfg):
    system.cache_clear()
    return proof_system(cfg, PROOF_SCOPE)


def test_a_wrong_sequence_translation_is_caught(monkeypatch):
    """The common prefix one entry too long, in the symbolic run only."""
    right = SymSeq.common
    monkeypatch.setattr(SymSeq, "common", lambda self, other: right(self, other) + 1)
    cfg = make_config("entra")
    try:
        why = first_disagreement(_fresh_system(cfg), steered_states(cfg))
    finally:
        monkeypatch.undo()
        system.cache_clear()
    assert why is not None


def test_a_wrong_path_exploration_is_caught(monkeypatch):
    """A symbolic branch that never takes its else side (no fork)."""
    def never_else(self, condition):
        self.pc.append(condition)
        return True
    monkeypatch.setattr(P.Runner, "decide", never_else)
    cfg = make_config("entra")
    try:
        why = first_disagreement(_fresh_system(cfg), steered_states(cfg))
    finally:
        monkeypatch.undo()
        system.cache_clear()
    assert why is not None
