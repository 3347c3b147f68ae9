"""What the auxiliary invariants share (properties/invariants.py and
properties/invariants_durable.py): the record of one invariant, and the
words and terms they all use. Kept apart so the two modules import it, not
each other."""

from __future__ import annotations

from typing import Any, Callable

import attrs

from dirproof.model import State
from dirproof.model.algebra import AND, EQ

from .monitors import Ghost


@attrs.frozen
class Invariant:
    id: str
    statement: str
    verdict: Callable[[State, Ghost], Any] = attrs.field(repr=False, eq=False)


def _n(state: State, r: Any) -> str:
    return state.config.name_of(r) if isinstance(r, int) and 0 <= r < len(state.replicas) else f"#{r}"


def _acked(ghost: Ghost) -> list[tuple[int, Any, Any]]:
    """(lsn, some entry acknowledged there, the first one) for every LSN."""
    return [(lsn, *ghost.acked.first(lsn)) for lsn in ghost.acked.lsns()]


def _believes_role(state: State, r: int) -> Any:
    rep, orch = state.replicas[r], state.orchestrator
    return AND(rep.epoch >= 1, rep.epoch <= orch.epoch, EQ(orch.of(rep.epoch)[0], r))


def _ap_current(state: State, a: int) -> Any:
    orch = state.orchestrator
    return AND(EQ(orch.ap, a), EQ(state.replicas[a].epoch, orch.epoch))
