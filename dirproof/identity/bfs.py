"""The breadth-first engine for the identity layer (design.md §7): the
shared side-machine search (dirproof/bfs/side.py) over the identity machine.

Its small instance takes token slot 0 and principal 0 only (the keys, the
evaluators and the clock as in the whole machine): every identity flaw's
shortest scenario lies there (tests/scenarios.py ID_SCENARIOS), and it has
about one state in thirty of the whole machine's at the same depth.
"""

from __future__ import annotations

from typing import Any

from dirproof.bfs.side import SideMachine
from dirproof.bfs.side import run as side_run
from dirproof.model.identity import id_enabled

from .explore import MACHINE as EXPLORER


def _in_small(action: Any) -> bool:
    return getattr(action, "slot", 0) == 0 and getattr(action, "principal", 0) == 0


MACHINE = SideMachine(EXPLORER, id_enabled, "every identity step, a clock tick of one minute or to the next "
                      "instant a guard can change its answer", lambda s: id_enabled(s, _in_small),
                      "small instance: token slot 0, principal 0")


def run(request: Any) -> list:
    return side_run(MACHINE, request)
