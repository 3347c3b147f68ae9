"""The cells layer in words, for `dirproof replay` (dirproof/replay/machines.py
makes the machine of it): a step, what it changed, the start."""

from __future__ import annotations

from typing import Any

from dirproof.model.cells import CELL_SPECS, CELLS, TENANT_CELL, CellState, gateway_of, orchestrator_of


def text(action: Any, config: Any = None) -> str:
    spec = CELL_SPECS.get(type(action))
    return repr(action) if spec is None else spec.text(action, config)


def diff(a: CellState, b: CellState) -> list[str]:
    """What one cells step changed, one line per change."""
    out = []
    for c in range(CELLS):
        if a.data[c] != b.data[c] or a.acked[c] != b.acked[c]:
            out.append(f"cell {c}: data version {a.data[c]} -> {b.data[c]} ({b.acked[c]} write(s) acknowledged)")
        if a.orch_up[c] != b.orch_up[c]:
            out.append(f"orchestrator instance {c}: {'up' if b.orch_up[c] else 'down'}")
        if a.gw_up[c] != b.gw_up[c]:
            out.append(f"gateway instance {c}: {'up' if b.gw_up[c] else 'down'}")
        if a.hit[c] != b.hit[c]:
            out.append(f"cell {c}: a fault has been injected into it")
    return out


def start(state: CellState) -> str:
    cfg = state.config
    return (f"{CELLS} cells, empty and up; tenants "
            + ", ".join(f"{t} in cell {c}" for t, c in enumerate(TENANT_CELL)) + "; instances: "
            + ", ".join(f"cell {c} -> orchestrator {orchestrator_of(cfg, c)}, gateway {gateway_of(cfg, c)}"
                        for c in range(CELLS)))
