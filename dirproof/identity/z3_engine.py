"""The Z3 engine for the identity layer (design.md §7), on the relation
derived from its steps (z3_derive.py).

* `prove(cfg)`: the conjunction of the identity properties and the
  auxiliary invariants (properties/identity_invariants.py) holds initially
  and is preserved by every action (one solver per action): "proved" for
  the layer's fixed scope (3 keys, 2 slots, 2 principals, 2 evaluators),
  with time unbounded. A conjunct that an action breaks is reported as a
  counterexample to induction (action and conjunct), and the property is
  then left to the bounded search.
* `bmc(cfg, prop, depth)`: the shortest execution from the initial state
  that breaks `prop` (every shorter length is searched first); its actions
  (the tick's minutes from the solver's model) are replayed on the Python
  model: if it does not break there, the derivation is wrong
  (EncodingDisagreement, exit 4).

The engine is dirproof/side_z3.py's, shared with the cells layer; this
module gives it the identity machine.
"""

from __future__ import annotations

from dirproof import side_z3 as side
from dirproof.properties.identity import IDENTITY_SUBJECTS
from dirproof.properties.identity_invariants import ID_INVARIANTS
from dirproof.side_z3 import Cti

from .explore import MACHINE as EXPLORER
from .z3_derive import SCOPE_TEXT, fresh, id_system, initial_keys

__all__ = ["Cti", "MACHINE", "bmc", "prove", "run", "shortest", "witness"]

DEPTH = 8  # every identity flaw's shortest counterexample has at most 6 steps
SHORTEST_SECONDS = 10.0

MACHINE = side.SideZ3(EXPLORER, id_system, fresh, initial_keys, ID_INVARIANTS, IDENTITY_SUBJECTS, SCOPE_TEXT, DEPTH)
IdProof = side.SideProof
IdTrace = side.SideTrace
prove, bmc, witness, run, shortest = MACHINE.prove, MACHINE.bmc, MACHINE.witness, MACHINE.run, MACHINE.shortest
