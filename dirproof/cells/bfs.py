"""The breadth-first engine for the cells layer (design.md §8): the shared
side-machine search (dirproof/bfs/side.py) over the cells machine, whole
(its flaws break isolation in one step; there is no smaller instance)."""

from __future__ import annotations

from typing import Any

from dirproof.bfs.side import SideMachine
from dirproof.bfs.side import run as side_run
from dirproof.model.cells import cell_enabled

from .explore import MACHINE as EXPLORER

MACHINE = SideMachine(EXPLORER, cell_enabled, "every cells step")


def run(request: Any) -> list:
    return side_run(MACHINE, request)
