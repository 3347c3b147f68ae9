"""The Hypothesis engine for the cells layer (design.md §8).

Each example is a `@given(st.data())` test whose one draw seeds a random
walk of the cells machine (model/cells/next.py): at each step an enabled
action drawn by its step's weight, with a swarm of step groups left out per
example (as dirproof/identity/explore.py), and every cells property checked
after the step. The first failing walk of each property is made 1-minimal
(no step nor pair of steps can go) and saved as a counterexample file that
`dirproof replay` re-runs. The loop is dirproof/side_explore.py's, shared
with the identity layer; this module gives it the cells machine.
"""

from __future__ import annotations

import random
from typing import Any, Optional

from dirproof import side_explore as side
from dirproof.model.cells import CELL_NEXT, CELL_SPECS, CELLS, CellState, cell_enabled, cell_step, initial_cell_state
from dirproof.properties.cells import CELL_PROPERTIES
from dirproof.side_explore import Exploration, Found

__all__ = ["Exploration", "Found", "MACHINE", "breaks", "explore", "minimal", "run", "walk"]

MAX_STEPS = 20
# Walks when the request names no number: each cells flaw breaks within the
# first few (tests/test_cells.py), at about 10 ms a walk (bench/cells.py).
CELL_EXAMPLES = 200
GROUPS = tuple(sorted({s.group for s in CELL_NEXT}))
# The situations an exploration must reach, or the safe verdicts say little.
SITUATIONS = {
    "fault-beside-written-cell": lambda s: any(s.hit[c] and not s.hit[d] and s.acked[d] > 0
                                               for c in range(CELLS) for d in range(CELLS) if c != d),
    "orchestrator-down": lambda s: not all(s.orch_up),
    "gateway-down": lambda s: not all(s.gw_up),
    "data-lost-in-hit-cell": lambda s: any(s.hit[c] and s.data[c] < s.acked[c] for c in range(CELLS)),
}


def _movers(off: set) -> side.Mover:
    """The enabled actions outside the groups left out, one drawn by its step's weight."""
    def move(state: Any, rnd: random.Random) -> Optional[tuple[Any, Any]]:
        moves = [(a, n) for a, n in cell_enabled(state) if CELL_SPECS[type(a)].group not in off]
        return rnd.choices(moves, [CELL_SPECS[type(a)].weight for a, _ in moves])[0] if moves else None
    return move


MACHINE = side.SideExplorer("cells", initial_cell_state, cell_step, CellState, CELL_PROPERTIES, SITUATIONS,
                            GROUPS, _movers, MAX_STEPS, CELL_EXAMPLES)

walk, explore, breaks, minimal, run = MACHINE.walk, MACHINE.explore, MACHINE.breaks, MACHINE.minimal, MACHINE.run
