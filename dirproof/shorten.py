"""Shorten a counterexample: the shortest trace that breaks the same property
using only the actions the found trace used.

Delta debugging (dirproof.replay.minimize) gives a 1-minimal trace: no
single step can go. It can still be longer than needed, when a shorter
route uses the same actions in another order or fewer of them. A
breadth-first search over the model, restricted to the trace's own actions,
finds the shortest such trace; it gives up (returning None) past a node
budget, and the caller keeps the 1-minimal trace.
"""

from __future__ import annotations

from typing import Optional, Sequence

import attrs

from dirproof.model import Config, Rejected, State, initial_state, step
from dirproof.polish import breaks_at
from dirproof.properties import PROPERTIES, broken_assumptions

MAX_NODES = 20_000


def _breaks(state, prop: str, within: bool) -> bool:
    if within and broken_assumptions(state):
        return False
    return PROPERTIES[prop].check(state) is not None


def shortest(config: Config, steps: Sequence, prop: str, within: bool = True,
             max_nodes: int = MAX_NODES) -> Optional[tuple]:
    """The shortest trace over `set(steps)` that breaks `prop`, or None if
    the search passes `max_nodes` states first (or finds none)."""
    actions = list(dict.fromkeys(steps))
    frontier: list[tuple[State, tuple]] = [(initial_state(config), ())]
    seen = {frontier[0][0]}
    for _ in range(len(steps)):
        nxt: list[tuple[State, tuple]] = []
        for state, path in frontier:
            for a in actions:
                succ = step(state, a)
                if isinstance(succ, Rejected) or succ in seen:
                    continue
                trace = path + (a,)
                if _breaks(succ, prop, within):
                    return trace
                seen.add(succ)
                nxt.append((succ, trace))
                if len(seen) > max_nodes:
                    return None
        frontier = nxt
    return None


def shorter(cx):
    """The counterexample `cx` (dirproof.counterexample.Counterexample) over
    the shortest trace of its own actions that breaks its property the same
    way (within the fault budget for "violated", beyond it for
    "assumption-broken"), with the message of that trace; `cx` itself when
    the search finds nothing shorter or gives up."""
    best = shortest(cx.config, cx.steps, cx.property, within=cx.status == "violated")
    if best is None or len(best) >= len(cx.steps) or \
            breaks_at(cx.config, best, cx.property, cx.status) != len(best):
        return cx  # (an over-budget trace must stay over budget where it breaks)
    state = initial_state(cx.config)
    for a in best:
        state = step(state, a)
    return attrs.evolve(cx, steps=best, violated_at=len(best),
                        message=PROPERTIES[cx.property].check(state) or cx.message)
