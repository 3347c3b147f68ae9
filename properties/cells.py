"""The cells layer's property (design.md §8, seeds 000 and 003), stated once.

`cell-isolation`: a fault in one cell changes neither the data nor the
availability of another. A cell no fault was injected into (its ghost
`hit` is false) still holds every write acknowledged to its tenants, and
each of its tenants can read and write (the steps are enabled: the Z3 form
reads the derived guards through `cell_allows`, as sessions-survive-outage
does for the identity layer).
"""

from __future__ import annotations

from typing import Any, Callable

import attrs

from dirproof.model.algebra import ALL, AND, EQ, IMPLIES, NOT, OR, check, holds
from dirproof.model.cells import (CELLS, CellRead, CellState, CellWrite, cell_allows, gateway_of, orchestrator_of,
                                  tenants_of)

from .side import SideProperty, violations_of



@attrs.frozen
class CellProperty(SideProperty):
    """A property of the cells layer: the shape of properties/identity.py
    IdProperty, judged on a cells state alone (no history monitors)."""

    layer: str = "cells"


def _intact(s: CellState, c: int) -> Any:
    return check(IMPLIES(NOT(s.hit[c]), EQ(s.data[c], s.acked[c])),
                 lambda: f"cell {c}, into which no fault was injected, lost its data: version {s.data[c]} "
                         f"after {s.acked[c]} acknowledged write(s)")


def _serves(s: CellState, c: int, t: int) -> Any:
    def one(action: Any, what: str) -> Any:
        ok = cell_allows(s, action)
        return check(IMPLIES(NOT(s.hit[c]), ok),
                     lambda: f"tenant {t} of cell {c}, into which no fault was injected, cannot {what}: "
                             f"{getattr(ok, 'message', '')}")
    return AND(one(CellRead(t), "read"), one(CellWrite(t), "write"))


def cell_isolation(s: CellState) -> Any:
    return ALL(AND(_intact(s, c), *(_serves(s, c, t) for t in tenants_of(c))) for c in range(CELLS))


CELL_PROPERTIES: dict[str, CellProperty] = {p.id: p for p in (
    CellProperty("cell-isolation",
               "A fault in one cell changes neither the data nor the availability of another: every cell no "
               "fault was injected into keeps every write acknowledged to its tenants, and each of its tenants "
               "can read and write.",
               "117 fault-isolated cells (scale units), none carrying more than 2% of traffic; a tenant lives "
               "in one cell.",
               ("000", "003"), (), cell_isolation, "cells"),
)}


def _some_fault_beside_live_cell(s: CellState) -> Any:
    return OR(*(AND(s.hit[c], NOT(s.hit[d]), s.acked[d] > 0) for c in range(CELLS) for d in range(CELLS) if c != d))


# What the property speaks of (its reachability witness): a fault in one
# cell while another, untouched, holds acknowledged data.
CELL_SUBJECTS: dict[str, Callable[[CellState], Any]] = {"cell-isolation": _some_fault_beside_live_cell}


def instances_down_only_where_hit(s: CellState) -> Any:
    """An instance is down only if a fault hit a cell it serves."""
    cfg = s.config
    def one(c: int) -> Any:
        return AND(IMPLIES(NOT(s.orch_up[c]), OR(*(s.hit[d] for d in range(CELLS) if orchestrator_of(cfg, d) == c))),
                   IMPLIES(NOT(s.gw_up[c]), OR(*(s.hit[d] for d in range(CELLS) if gateway_of(cfg, d) == c))))
    return ALL(one(c) for c in range(CELLS))


def data_never_ahead(s: CellState) -> Any:
    """A cell never holds more writes than were acknowledged, nor fewer than none."""
    return ALL(AND(0 <= s.data[c], s.data[c] <= s.acked[c]) for c in range(CELLS))


# The auxiliary invariants of the inductive proof (dirproof/cells/z3_engine.py).
CELL_INVARIANTS: dict[str, Callable[[CellState], Any]] = {
    "instances-down-only-where-hit": instances_down_only_where_hit,
    "data-never-ahead": data_never_ahead,
}


def cell_violations(state: CellState, ids=None) -> list[tuple[str, str]]:
    """(property, message) for every cells property (or those named) broken in `state`."""
    return violations_of(CELL_PROPERTIES, state, ids)


__all__ = ["CELL_PROPERTIES", "CELL_SUBJECTS", "CELL_INVARIANTS", "cell_violations"]
