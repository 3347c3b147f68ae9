"""The breadth-first search against Z3, two methods that share no encoding.

* Z3 proves the replication properties and bounded-write-unavailability of
  the safe design on `entra` for logs <= 3 and epochs <= 3, within the fault
  budget (tests/test_proofs.py asserts exactly that); the explicit search,
  inside that scope, must reach no state that breaks one of them.
* Z3's bounded search finds each replication flaw's shortest counterexample
  (tests/scenarios.py: Z3_FAST lengths, Z3_RECORDED paths); the explicit
  search must find one of the same length. Bounds are taken from Z3's path
  (its writes, faults and epochs), so the path is inside them: a longer
  result would be a search that is not breadth first, a shorter one a
  disagreement with Z3. The deep paths (7 and 9 steps) take minutes here:
  bench/bfs.py checks them.
"""

import pytest

from dirproof.bfs import Bounds, search
from dirproof.bfs.bounds import FAULTS
from dirproof.model import FLAWS, make_config, step_name
from dirproof.proofs.forms import REPLICATION
from dirproof.proofs.induction import PROOF_SCOPE
from dirproof.properties import PROPERTIES
from scenarios import Z3_FAST, Z3_RECORDED, Z3_SHORTEST

PROVED = REPLICATION + ("bounded-write-unavailability",)
FAULT_STEPS = {step_name(t) for t in FAULTS}  # what the search counts as a fault (dirproof/bfs/bounds.py)
FAILOVERS = {"emergency_failover", "planned_failover", "replace_passive"}


def test_what_z3_proves_holds_on_every_state_the_search_reaches_in_its_scope():
    b = Bounds(writes=1, epochs=2, faults=1, days=0, depth=4)
    assert b.writes <= PROOF_SCOPE.log and b.epochs <= PROOF_SCOPE.epochs
    out = search(make_config("entra"), b, PROVED)
    assert out.found == {} and out.depth == 4 and out.states > 1000


def test_the_same_scope_finds_a_flaw_that_breaks_a_proved_property():
    # the check above can fail: one changed guard and the same search breaks it
    out = search(make_config("entra", flaws=["ack-before-sync"]), Bounds(writes=1, epochs=2, faults=1, days=0, depth=4),
                 PROVED, stop_when=lambda found: True)
    assert out.found["no-acked-write-lost"].depth == 2


def bounds_of(path) -> Bounds:
    names = [name for name, _ in path]
    return Bounds(writes=names.count("client_write"), faults=sum(n in FAULT_STEPS for n in names),
                  epochs=1 + sum(n in FAILOVERS for n in names), days=0, depth=len(path))


CASES = [(f, prop, Bounds(writes=1, epochs=2, faults=0, days=0, depth=n)) for f, (prop, n) in Z3_FAST.items()]
CASES += [(f, prop, bounds_of(path)) for f, (prop, path) in Z3_RECORDED.items() if len(path) <= 5]


@pytest.mark.parametrize("flaw, prop, bounds", CASES, ids=[c[0] for c in CASES])
def test_each_flaw_s_shortest_counterexample_has_z3_s_length(flaw, prop, bounds):
    assert prop in FLAWS[flaw].caught_by
    out = search(make_config("entra", flaws=[flaw]), bounds, tuple(PROPERTIES),
                 stop_when=lambda found: prop in found)
    assert prop in out.found, f"{flaw}: {prop} not broken within {bounds.text()}"
    assert out.found[prop].depth == Z3_SHORTEST[flaw]
