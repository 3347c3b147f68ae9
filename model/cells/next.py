"""The cells layer's next-state relation, on one screen (design.md §8).

`CELL_NEXT` has the shape of model/next.py NEXT (one StepSpec per step:
action class, step function, design section, the CellState fields it may
change, argument domains, group, exploration weight, trace text). The
executor `cell_step`, the candidates, the Z3 relation
(dirproof/cells/z3_derive.py) and the replay text are read from it.
"""

from __future__ import annotations

from itertools import product
from typing import Any, Callable, Iterator, Optional

import attrs

from ..actions import Rejected
from ..algebra import Refused
from ..config import Config
from ..next import StepSpec
from . import actions as A
from . import steps
from .state import CELLS, TENANT_CELL, TENANTS, CellState

_DOMAINS: dict[str, tuple] = {"tenant": tuple(range(TENANTS)), "cell": tuple(range(CELLS))}


def cell_domain(kind: str) -> tuple:
    return _DOMAINS[kind]


@attrs.frozen
class CellStepSpec(StepSpec):
    """A StepSpec whose argument domains are the cells layer's."""

    def arguments(self, cfg: Optional[Config]) -> Iterator[tuple]:
        yield from product(*(cell_domain(k) for k in self.over))

    def text(self, action: Any, cfg: Optional[Config] = None) -> str:
        def show(kind: str, v: Any) -> str:
            if kind == "tenant" and isinstance(v, int) and 0 <= v < TENANTS:
                return f"tenant {v} (cell {TENANT_CELL[v]})"
            return f"cell {v}" if kind == "cell" else str(v)
        vals = {f: show(k, getattr(action, f)) for f, k in zip(self.fields, self.over)}
        return f"{self.name}: " + self.says.format(**vals)


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
_RUN: dict[type, tuple[Any, tuple[str, ...], tuple[str, ...]]] = {
    s.action: (s.run, s.fields, s.over) for s in CELL_NEXT}
_ALL = tuple(s.action(*args) for s in CELL_NEXT for args in s.arguments(None))


def cell_step(state: CellState, action: Any) -> CellState | Rejected:
    """Run one cells action: the new state, or a rejection that says why not."""
    got = _RUN.get(type(action))
    if got is None:
        return Rejected(f"unknown cells action {action!r}")
    run, fields, over = got
    args = [getattr(action, f) for f in fields]
    for kind, v in zip(over, args):
        if type(v) is not int or v not in cell_domain(kind):
            return Rejected(f"no {kind} {v!r}: {kind}s are {', '.join(map(str, cell_domain(kind)))}")
    try:
        return run(state, *args)
    except Refused as refused:
        return Rejected(refused.reason)


def cell_candidates(state: CellState) -> Iterator[Any]:
    """Every action of the layer (its arguments range over fixed domains)."""
    yield from _ALL


def cell_enabled(state: CellState) -> list[tuple[Any, CellState]]:
    """Every action that runs in `state`, with its successor."""
    out = []
    for action in _ALL:
        run, fields, _ = _RUN[type(action)]
        try:
            out.append((action, run(state, *[getattr(action, f) for f in fields])))
        except Refused:
            pass
    return out


def cell_allows(state: CellState, action: Any) -> Any:
    """The step is enabled in `state` (a verdict: a concrete run gives the
    rejection's reason; a symbolic run asks the engine for the derived guard)."""
    from ..algebra import _BACKEND, Fail
    if _BACKEND is not None:
        return _BACKEND.allows(state, action)  # type: ignore[attr-defined]
    nxt = cell_step(state, action)
    return Fail(nxt.reason) if isinstance(nxt, Rejected) else True
