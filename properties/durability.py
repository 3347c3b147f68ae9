"""no-acked-write-lost and one-history (design.md §4, items 1 and 2).

Each is written once over a model state and its monitors' ghost
(properties/monitors.py), in the language of model/algebra.py: a concrete
run gives a verdict with the sentence that says what broke, a symbolic run
the Z3 formula the proofs use.
"""

from __future__ import annotations

from typing import Any

from dirproof.model import State, acting
from dirproof.model.algebra import ALL, ANY, AND, EQ, IMPLIES, check
from dirproof.model.seq import at, holds, items

from .monitors import Ghost, clear


def _name(state: State, r: int) -> str:
    return state.config.name_of(r)


def no_acked_write_lost(state: State, ghost: Ghost) -> Any:
    """Every acknowledged entry (a) was held in two regions when acknowledged,
    (b) is in the acting AP's log at its LSN, (c) survives on some replica."""
    cfg = state.config
    # who acts as AP, asked once for every entry; a replica that is not (a
    # concrete False) makes its conjunct IMPLIES(False, ...), true: left out
    acts = [(a, act) for a in cfg.replicas if (act := acting(state, a)) is not False]

    def entry(present: Any, lsn: int, e: Any) -> Any:
        where = f"entry ({e.epoch},{lsn}) acknowledged"
        on_ap = (check(IMPLIES(AND(present, act), holds(state.replicas[a].log, lsn, e)),
                       lambda a=a: f"{where} is missing from the log of {_name(state, a)}, AP of epoch "
                                   f"{state.orchestrator.epoch}, at LSN {lsn}")
                 for a, act in acts)
        somewhere = check(IMPLIES(present, ANY(holds(rep.log, lsn, e) for rep in state.replicas)),
                          lambda: f"{where} is held by no replica any more")
        return ALL((*on_ap, somewhere))
    return ALL((clear(ghost.regions), *(entry(*item) for item in ghost.acked.items())))


def committed_prefixes_agree(state: State) -> Any:
    """Two replicas never hold different entries at one LSN inside both commit points."""
    reps = state.replicas

    def pair(a: int, b: int) -> Any:
        other = reps[b]
        # (an LSN outside a commit point, a concrete False premise, is left out: its conjunct is true)
        return ALL(check(IMPLIES(both, EQ(x, at(other.log, i))), lambda i=i, x=x: _diverged(state, a, b, i, x))
                   for present, i, x in items(reps[a].log)
                   if (both := AND(present, reps[a].commit > i, other.commit > i)) is not False)
    return ALL(pair(a, b) for a in state.config.replicas for b in state.config.replicas if a < b)


def _diverged(state: State, a: int, b: int, i: int, x: Any) -> str:
    y = state.replicas[b].log[i]
    return (f"{_name(state, a)} and {_name(state, b)} hold different committed entries at LSN {i + 1}: "
            f"({x.epoch},{x.lsn}) {type(x.op).__name__} vs ({y.epoch},{y.lsn}) {type(y.op).__name__}")


def one_history(state: State, ghost: Ghost) -> Any:
    """No two replicas hold different entries at one LSN inside their commit
    points, and no two different entries are acknowledged at one LSN."""
    acked = ghost.acked
    return ALL((committed_prefixes_agree(state),
                *(check(acked.count(lsn) <= 1,
                        lambda lsn=lsn: f"two different entries were acknowledged at LSN {lsn}")
                  for lsn in acked.lsns())))
