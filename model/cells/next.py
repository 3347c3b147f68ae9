"""The cells layer's next-state relation, on one screen (design.md §8).

`CELL_NEXT` has the shape of model/next.py NEXT (one StepSpec per step:
action class, step function, design section, the CellState fields it may
change, argument domains, group, exploration weight, trace text). The
executor `cell_step`, the candidates, the Z3 relation
(dirproof/cells/z3_derive.py) and the replay text are read from it.
"""

from __future__ import annotations

from itertools import product
from typing import Any, Callable, Iterator, Optional, cast

import attrs

from ..actions import Rejected
from ..config import Config
from ..side_next import SideStepSpec, allows_by, enabled_among, execute, outside, run_table
from . import actions as A
from . import steps
from .state import CELLS, TENANT_CELL, TENANTS, CellState

_DOMAINS: dict[str, tuple] = {"tenant": tuple(range(TENANTS)), "cell": tuple(range(CELLS))}


def cell_domain(kind: str) -> tuple:
    return _DOMAINS[kind]


@attrs.frozen
class CellStepSpec(SideStepSpec):
    """A StepSpec whose argument domains are the cells layer's."""

    def arguments(self, cfg: Optional[Config]) -> Iterator[tuple]:
        yield from product(*(cell_domain(k) for k in self.over))

    def show(self, kind: str, v: Any) -> str:
        if kind == "tenant" and isinstance(v, int) and 0 <= v < TENANTS:
            return f"tenant {v} (cell {TENANT_CELL[v]})"
        return f"cell {v}" if kind == "cell" else str(v)


S = CellStepSpec


def _run(fn: Callable[..., CellState]) -> Callable[..., Any]:
    """A step of this machine in a StepSpec row (whose `run` is typed for the partition's State)."""
    return fn


CELL_NEXT: tuple[CellStepSpec, ...] = (
    # action                    step                        design.md        modifies               over       group    weight
    S(A.CellWrite, _run(steps.write), "§8 cells", ("data", "acked"), ("tenant",), "traffic", 6, "{tenant} writes"),
    S(A.CellRead, _run(steps.read), "§8 cells", (), ("tenant",), "traffic", 2, "{tenant} reads"),
    S(A.CellOrchestratorFails, _run(steps.orchestrator_fails), "§8 cells: a fault in one cell",
      ("orch_up", "hit"), ("cell",), "fault", 2, "a fault in {cell} takes down its orchestrator instance"),
    S(A.CellOrchestratorRecovers, _run(steps.orchestrator_recovers), "§8 cells", ("orch_up",), ("cell",),
      "recovery", 1, "the orchestrator instance of {cell} recovers"),
    S(A.CellGatewayFails, _run(steps.gateway_fails), "§8 cells: a fault in one cell", ("gw_up", "hit"),
      ("cell",), "fault", 2, "a fault in {cell} takes down its gateway instance"),
    S(A.CellGatewayRecovers, _run(steps.gateway_recovers), "§8 cells", ("gw_up",), ("cell",), "recovery", 1,
      "the gateway instance of {cell} recovers"),
    S(A.CellBadChange, _run(steps.bad_change), "§8 cells: a fault in one cell", ("data", "hit"), ("cell",),
      "fault", 2, "a bad change in {cell}'s orchestrator instance loses the directories it manages"),
)
CELL_SPECS: dict[type, CellStepSpec] = {s.action: s for s in CELL_NEXT}
CELL_BY_NAME: dict[str, CellStepSpec] = {s.name: s for s in CELL_NEXT}
_RUN = run_table(CELL_NEXT)
_ALL = tuple(s.action(*args) for s in CELL_NEXT for args in s.arguments(None))


def _bad(kind: str, v: Any) -> Optional[str]:
    return outside(kind, v, cell_domain(kind)) if type(v) is not int or v not in cell_domain(kind) else None


def cell_step(state: CellState, action: Any) -> CellState | Rejected:
    """Run one cells action: the new state, or a rejection that says why not."""
    return cast("CellState | Rejected", execute(_RUN, "cells", _bad, state, action))


def cell_candidates(state: CellState) -> Iterator[Any]:
    """Every action of the layer (its arguments range over fixed domains)."""
    yield from _ALL


def cell_enabled(state: CellState) -> list[tuple[Any, CellState]]:
    """Every action that runs in `state`, with its successor."""
    return enabled_among(_RUN, state, _ALL)


def cell_allows(state: CellState, action: Any) -> Any:
    """The step is enabled in `state` (a verdict: a concrete run gives the
    rejection's reason; a symbolic run asks the engine for the derived guard)."""
    return allows_by(cell_step, state, action)
