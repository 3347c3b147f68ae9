"""The cells layer's state: several cells side by side, each with its own
orchestrator and gateway instance, its data and its availability
(design.md §1, §8; seeds 000, 003).

This is a state machine of its own beside the partition (model/state.py)
and the identity layer (model/identity/). A cell here does not carry a
whole partition: what isolation is about is kept (docs/model.md, "Cells"):

* per cell, its data as a version (the number of writes it has applied)
  and, as a ghost, the number of writes acknowledged to its tenants;
* per cell, the instance of the orchestrator and of the gateway that serves
  it, up or down (a cell is available to its tenants when its instances
  are up: read through the gateway, write through gateway and orchestrator);
* per cell, a ghost `hit`: a fault has been injected into this cell (its
  own blast radius, which isolation allows to be hurt);
* a fixed map of tenants to cells (`TENANT_CELL`): a tenant lives in one
  cell by construction.

Numbers from the seeds: 117 cells, none carrying more than 2% of traffic.
The model's scope is `CELLS` = 3 cells and `TENANTS` = 4 tenants (two in
cell 0): enough for a fault in one cell to reach another through one
shared instance, and for two unhit cells to witness it.
"""

from __future__ import annotations

from typing import Any

import attrs

from ..config import Config

SEED_CELLS = 117  # seed 003: 117 fault-isolated scale units
SEED_MAX_SHARE = 0.02  # seed 003: none carries more than 2% of the traffic
CELLS = 3
TENANT_CELL = (0, 0, 1, 2)  # tenant -> the one cell it lives in
TENANTS = len(TENANT_CELL)


def tenants_of(cell: int) -> tuple[int, ...]:
    return tuple(t for t, c in enumerate(TENANT_CELL) if c == cell)


@attrs.frozen
class CellState:
    """Every cell at one instant (design.md §8)."""

    config: Config = attrs.field(eq=False, repr=False)
    data: tuple = (0,) * CELLS  # the cell's directory version: writes it has applied
    acked: tuple = (0,) * CELLS  # ghost: writes acknowledged to the cell's tenants
    orch_up: tuple = (True,) * CELLS  # orchestrator instance i is up
    gw_up: tuple = (True,) * CELLS  # gateway instance i is up
    hit: tuple = (False,) * CELLS  # ghost: a fault has been injected into cell i


FIELDS = ("data", "acked", "orch_up", "gw_up", "hit")


def initial_cell_state(config: Config) -> CellState:
    """Every cell empty and up; no fault yet."""
    return CellState(config)


def orchestrator_of(config: Config, cell: int) -> int:
    """The orchestrator instance that serves `cell`: its own (design.md §8);
    flaw shared-orchestrator: instance 0 serves every cell."""
    return 0 if config.has("shared-orchestrator") else cell


def gateway_of(config: Config, cell: int) -> int:
    """The gateway instance that serves `cell`: its own (design.md §8);
    flaw shared-gateway: instance 0 serves every cell."""
    return 0 if config.has("shared-gateway") else cell


def served_by(config: Config, instance_of: Any, cell: int) -> tuple[int, ...]:
    """Every cell the instance serving `cell` serves (`instance_of`: one of the two maps above)."""
    i = instance_of(config, cell)
    return tuple(d for d in range(CELLS) if instance_of(config, d) == i)
