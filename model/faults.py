"""The faults the model injects (design.md §2, Faults the model injects).

Message delay is the interleaving of steps itself; these are the rest.
"""

from __future__ import annotations

from .actions import Rejected
from .records import evolve
from .state import FaultBudget, Replica, State, with_replica


def crash(state: State, replica: int) -> State | Rejected:
    """A replica stops; its log is durable and survives."""
    rep = state.replicas[replica]
    if not rep.up:
        return Rejected(f"{state.config.name_of(replica)} is already down")
    return with_replica(state, replica, evolve(rep, up=False))


def recover(state: State, replica: int) -> State | Rejected:
    """A crashed replica restarts with the log and epoch it had."""
    rep = state.replicas[replica]
    if rep.up:
        return Rejected(f"{state.config.name_of(replica)} is already up")
    return with_replica(state, replica, evolve(rep, up=True))


def _holds_data(rep: Replica) -> bool:
    """The disk still holds something to lose (not already lost and empty)."""
    return bool(rep.log) or rep.epoch != 0


def _spend_budget(state: State, replica: int, before: Replica) -> State:
    """Account a lost disk against the fault budget if it held a guarded copy.

    A disk that was already lost and has held nothing since is not counted
    twice.
    """
    b = state.budget
    if replica not in b.guard or not _holds_data(before):
        return state
    return evolve(state, budget=FaultBudget(b.guard, True, b.exceeded or b.pending))


def _unsync(state: State, replica: int) -> State:
    """A PP that lost its disk is no longer in sync (not promotable)."""
    orch = state.orchestrator
    if replica == orch.pp and orch.pp_in_sync:
        return evolve(state, orchestrator=evolve(orch, pp_in_sync=False))
    return state


def lose_disk(state: State, replica: int) -> State | Rejected:
    """Catastrophic loss of a datacenter: the replica is down and its log,
    commit point and epoch are gone. It comes back (recover) empty and must
    rejoin. Counts against the fault budget when it held the AP or PP."""
    rep = state.replicas[replica]
    if not rep.up and not rep.log and rep.epoch == 0:
        return Rejected(f"{state.config.name_of(replica)} has already lost its disk")
    state = with_replica(state, replica, Replica(False, 0, (), 0))
    return _spend_budget(_unsync(state, replica), replica, rep)


def lose_region(state: State, region: int) -> State | Rejected:
    """A whole region is lost: every datacenter in it loses its disk at once."""
    cfg = state.config
    if not 0 <= region < len(cfg.regions):
        return Rejected(f"no region #{region}")
    hit = [r for r in cfg.replicas if cfg.region_of(r) == region]
    if all(not isinstance(lose_disk(state, r), State) for r in hit):
        return Rejected(f"region {cfg.regions[region]} is already lost")
    for r in hit:
        before = state.replicas[r]
        state = with_replica(state, r, Replica(False, 0, (), 0))
        state = _spend_budget(_unsync(state, r), r, before)
    return state


def _pair(state: State, a: int, b: int) -> tuple[int, int] | Rejected:
    n = len(state.replicas)
    if not (0 <= a < n and 0 <= b < n) or a == b:
        return Rejected(f"no link between replicas {a} and {b}")
    return (a, b) if a < b else (b, a)


def partition(state: State, a: int, b: int) -> State | Rejected:
    """The network between two datacenters is cut (both ways)."""
    pair = _pair(state, a, b)
    if isinstance(pair, Rejected):
        return pair
    if pair in state.cut:
        return Rejected(f"{state.config.name_of(a)} and {state.config.name_of(b)} are already cut off")
    return evolve(state, cut=tuple(sorted(state.cut + (pair,))))


def heal(state: State, a: int, b: int) -> State | Rejected:
    """The network between two datacenters is restored."""
    pair = _pair(state, a, b)
    if isinstance(pair, Rejected):
        return pair
    if pair not in state.cut:
        return Rejected(f"{state.config.name_of(a)} and {state.config.name_of(b)} are not cut off")
    return evolve(state, cut=tuple(p for p in state.cut if p != pair))
