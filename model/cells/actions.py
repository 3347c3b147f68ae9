"""The cells layer's actions: one class per step (model/cells/steps.py).

Their step names differ from every other machine's, so a counterexample
file names its machine by its steps alone.
"""

from __future__ import annotations

from typing import Union

import attrs


@attrs.frozen
class CellWrite:
    """A tenant writes to its directory, in its cell."""

    tenant: int


@attrs.frozen
class CellRead:
    """A tenant reads its directory, in its cell."""

    tenant: int


@attrs.frozen
class CellOrchestratorFails:
    """A fault in `cell`: the orchestrator instance serving it goes down."""

    cell: int


@attrs.frozen
class CellOrchestratorRecovers:
    cell: int


@attrs.frozen
class CellGatewayFails:
    """A fault in `cell`: the gateway instance serving it goes down."""

    cell: int


@attrs.frozen
class CellGatewayRecovers:
    cell: int


@attrs.frozen
class CellBadChange:
    """A fault in `cell`: its orchestrator instance applies a bad change that
    loses the directories it manages (a faulty deployment)."""

    cell: int


CellAction = Union[CellWrite, CellRead, CellOrchestratorFails, CellOrchestratorRecovers, CellGatewayFails,
                   CellGatewayRecovers, CellBadChange]
