"""The cells layer (design.md §1, §8; seeds 000, 003): several cells, each
with its own orchestrator and gateway instance, tenants mapped to one cell,
faults local to one cell; a state machine of its own beside the partition
(docs/model.md, "Cells")."""

from .actions import (CellAction, CellBadChange, CellGatewayFails, CellGatewayRecovers, CellOrchestratorFails,
                      CellOrchestratorRecovers, CellRead, CellWrite)
from .next import (CELL_BY_NAME, CELL_NEXT, CELL_SPECS, CellStepSpec, cell_allows, cell_candidates, cell_enabled,
                   cell_step)
from .state import (CELLS, SEED_CELLS, SEED_MAX_SHARE, TENANT_CELL, TENANTS, CellState, gateway_of,
                    initial_cell_state, orchestrator_of, tenants_of)

__all__ = [n for n in dir() if not n.startswith("_")]
