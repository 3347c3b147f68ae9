"""The Z3 engine for the cells layer (design.md §8), on the relation
derived from its steps (z3_derive.py).

* `prove(cfg)`: the conjunction of the cells property and the auxiliary
  invariants (properties/cells.py CELL_INVARIANTS) holds initially and is
  preserved by every action (one solver per action); a conjunct that fails
  is dropped and the rest proved again until nothing fails (Houdini), so a
  property is "proved" only from invariants that are themselves proved.
  The verdict covers the layer's fixed scope (3 cells, 4 tenants), data
  versions unbounded.
* `bmc(cfg, prop, depth)`: the shortest execution from the initial state
  that breaks `prop` (every shorter length is searched first); its actions
  are replayed on the Python model: if it does not break there, the
  derivation is wrong (EncodingDisagreement, exit 4).

The engine is dirproof/side_z3.py's, shared with the identity layer; this
module gives it the cells machine.
"""

from __future__ import annotations

from dirproof import side_z3 as side
from dirproof.properties.cells import CELL_INVARIANTS, CELL_SUBJECTS
from dirproof.side_z3 import Cti

from .explore import MACHINE as EXPLORER
from .z3_derive import SCOPE_TEXT, cell_system, fresh, initial_keys

__all__ = ["Cti", "MACHINE", "bmc", "prove", "run", "shortest", "witness"]

DEPTH = 4  # every cells flaw's shortest counterexample has at most 2 steps
SHORTEST_SECONDS = 5.0

MACHINE = side.SideZ3(EXPLORER, cell_system, fresh, initial_keys, CELL_INVARIANTS, CELL_SUBJECTS, SCOPE_TEXT, DEPTH,
                      first_only=True)
CellProof = side.SideProof
CellTrace = side.SideTrace
prove, bmc, witness, run, shortest = MACHINE.prove, MACHINE.bmc, MACHINE.witness, MACHINE.run, MACHINE.shortest
