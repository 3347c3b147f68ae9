"""The cells layer's steps (design.md §8), each written once in the
language of model/algebra.py, so that the exploration runs them on Python
values and dirproof/cells/z3_derive.py derives their Z3 relation.

A seeded flaw is the instance map (state.py `orchestrator_of`,
`gateway_of`): one instance for every cell.
"""

from __future__ import annotations

from typing import Any

from ..algebra import NOT, require
from ..records import evolve
from .state import CELLS, TENANT_CELL, CellState, gateway_of, orchestrator_of, served_by


def _put(xs: tuple, i: int, v: Any) -> tuple:
    return xs[:i] + (v,) + xs[i + 1:]


def _hit(state: CellState, cell: int) -> tuple:
    return _put(state.hit, cell, True)


def _gateway_up(state: CellState, cell: int) -> None:
    g = gateway_of(state.config, cell)
    require(state.gw_up[g], lambda: f"gateway instance {g}, which serves cell {cell}, is down")


def write(state: CellState, tenant: int) -> CellState:
    """A tenant's write: through its cell's gateway instance to its cell's
    orchestrator, applied and acknowledged in its cell."""
    c = TENANT_CELL[tenant]
    _gateway_up(state, c)
    o = orchestrator_of(state.config, c)
    require(state.orch_up[o], lambda: f"orchestrator instance {o}, which serves cell {c}, is down")
    return evolve(state, data=_put(state.data, c, state.data[c] + 1), acked=_put(state.acked, c, state.acked[c] + 1))


def read(state: CellState, tenant: int) -> CellState:
    """A tenant's read: through its cell's gateway instance (changes nothing)."""
    _gateway_up(state, TENANT_CELL[tenant])
    return state


def orchestrator_fails(state: CellState, cell: int) -> CellState:
    """A fault in `cell` takes down the orchestrator instance serving it."""
    o = orchestrator_of(state.config, cell)
    require(state.orch_up[o], lambda: f"orchestrator instance {o} is already down")
    return evolve(state, orch_up=_put(state.orch_up, o, False), hit=_hit(state, cell))


def orchestrator_recovers(state: CellState, cell: int) -> CellState:
    o = orchestrator_of(state.config, cell)
    require(NOT(state.orch_up[o]), lambda: f"orchestrator instance {o} is up")
    return evolve(state, orch_up=_put(state.orch_up, o, True))


def gateway_fails(state: CellState, cell: int) -> CellState:
    """A fault in `cell` takes down the gateway instance serving it."""
    g = gateway_of(state.config, cell)
    require(state.gw_up[g], lambda: f"gateway instance {g} is already down")
    return evolve(state, gw_up=_put(state.gw_up, g, False), hit=_hit(state, cell))


def gateway_recovers(state: CellState, cell: int) -> CellState:
    g = gateway_of(state.config, cell)
    require(NOT(state.gw_up[g]), lambda: f"gateway instance {g} is up")
    return evolve(state, gw_up=_put(state.gw_up, g, True))


def bad_change(state: CellState, cell: int) -> CellState:
    """A fault in `cell`: the orchestrator instance serving it applies a bad
    change that loses the directories of every cell it manages (their
    version back to 0; what was acknowledged stays acknowledged)."""
    o = orchestrator_of(state.config, cell)
    require(state.orch_up[o], lambda: f"orchestrator instance {o} is down: it changes nothing")
    data = state.data
    for d in served_by(state.config, orchestrator_of, cell):
        data = _put(data, d, 0)
    return evolve(state, data=data, hit=_hit(state, cell))


__all__ = ["write", "read", "orchestrator_fails", "orchestrator_recovers", "gateway_fails", "gateway_recovers",
           "bad_change", "CELLS"]
