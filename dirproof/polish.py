"""Making a failing trace 1-minimal by replays on the model.

`breaks_at` reruns a trace and says after which step a property breaks
(within the fault budget for "violated", beyond it for
"assumption-broken"); `polish` removes chunks, single steps and pairs of
steps while the property still breaks the same way. The exploration
(dirproof.explore) polishes the failures it collects.
"""

from __future__ import annotations

from typing import Iterable, Optional

from dirproof.model import Config, Rejected, initial_state, step
from dirproof.properties import PROPERTIES, broken_assumptions


def breaks_at(config: Config, steps: Iterable, prop: str, status: str = "violated") -> Optional[int]:
    """Rerun `steps` on the model from the initial state; the 1-based index
    of the first step after which `prop` breaks, or None if it never does or
    a step is rejected. For status "violated" the break must come while no
    assumption is broken (a break beyond the fault budget then counts as
    None); for "assumption-broken" it must come beyond it."""
    check = PROPERTIES[prop].check
    state = initial_state(config)
    for i, action in enumerate(steps, 1):
        nxt = step(state, action)
        if isinstance(nxt, Rejected):
            return None
        state = nxt
        if check(state):
            beyond = bool(broken_assumptions(state))
            return i if beyond == (status == "assumption-broken") else None
    return None


POLISH_PAIRS_UP_TO = 30


def polish(config: Config, steps: Iterable, prop: str, status: str = "violated") -> tuple[tuple, str]:
    """Remove steps while `prop` still breaks (with the same status) after the
    last one: chunks of halving size, then single steps, to a fixed point
    (1-minimal: no single step can be removed). Returns the steps and the
    property's message after the last one. Hypothesis's shrinker gets most
    of the way; this cheap pass over plain replays makes sure of the rest."""
    cur = tuple(steps)
    at = breaks_at(config, cur, prop, status)
    if at is None:
        raise ValueError(f"{prop} does not break ({status}) on these steps")
    cur = cur[:at]
    size = max(1, len(cur) // 2)
    while True:
        changed = False
        i = 0
        while i < len(cur):
            cand = cur[:i] + cur[i + size:]
            got = breaks_at(config, cand, prop, status) if cand else None
            if got is not None:
                cur, changed = cand[:got], True
            else:
                i += size
        if size > 1:
            size //= 2
        elif not changed:
            break
    # Pairs of steps that only go together (a crash and its recovery, a
    # partition and its healing): try removing two at once.
    if len(cur) <= POLISH_PAIRS_UP_TO:
        again = True
        while again:
            again = False
            for i in range(len(cur)):
                for j in range(i + 1, len(cur)):
                    cand = cur[:i] + cur[i + 1:j] + cur[j + 1:]
                    got = breaks_at(config, cand, prop, status) if cand else None
                    if got is not None:
                        cur, again = cand[:got], True
                        break
                if again:
                    break
    state = initial_state(config)
    for a in cur:
        nxt = step(state, a)
        assert not isinstance(nxt, Rejected), f"the polished trace is refused at {a}"  # breaks_at ran it whole
        state = nxt
    return cur, PROPERTIES[prop].check(state) or ""
