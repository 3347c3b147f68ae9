"""Shrinking a counterexample by delta debugging (Zeller's ddmin): steps are
removed while the same property still breaks (docs/counterexamples.md,
Minimize)."""

from __future__ import annotations

from typing import Callable, Optional, Sequence

import attrs

from dirproof.counterexample import Counterexample
from dirproof.model import Config, Rejected, initial_state, step
from dirproof.properties import ASSUMPTIONS, PROPERTIES, broken_assumptions

from .run import check_target

def breaks_at(config: Config, steps: Sequence, prop: str, within_assumptions: bool) -> Optional[int]:
    """The step after which `prop` first breaks (None if it never does, or if a
    step is rejected). With `within_assumptions`, a break beyond the
    assumptions does not count."""
    is_assumption = prop in ASSUMPTIONS
    state = initial_state(config)
    for i, action in enumerate(steps, 1):
        nxt = step(state, action)
        if isinstance(nxt, Rejected):
            return None
        state = nxt
        if is_assumption:
            if prop in broken_assumptions(state):
                return i
        elif PROPERTIES[prop].check(state):
            if within_assumptions and broken_assumptions(state):
                return None
            return i
    return None


def ddmin(items: list, test: Callable[[list], bool]) -> list:
    """Zeller's delta debugging: a 1-minimal sublist of `items` (order kept)
    for which `test` holds; `test(items)` must hold."""
    n = 2
    while len(items) >= 2:
        size = len(items) // n
        chunks = [items[i * size:(i + 1) * size] if i < n - 1 else items[i * size:] for i in range(n)]
        reduced = False
        for c in chunks:  # try a subset alone
            if len(c) < len(items) and test(c):
                items, n, reduced = c, 2, True
                break
        if not reduced:
            for i in range(n):  # try a complement
                comp = [x for j, c in enumerate(chunks) if j != i for x in c]
                if test(comp):
                    items, n, reduced = comp, max(n - 1, 2), True
                    break
        if not reduced:
            if n >= len(items):
                break
            n = min(len(items), 2 * n)
    if len(items) == 1 and test([]):
        return []
    return items


@attrs.frozen
class Minimized:
    cx: Counterexample
    tests: int  # candidate traces tried


def minimize(cx: Counterexample) -> Minimized:
    """Remove steps while the same property still breaks (and, for a
    violation within the assumptions, still within them)."""
    check_target(cx.property)
    within = cx.status == "violated" and cx.property not in ASSUMPTIONS
    at = breaks_at(cx.config, cx.steps, cx.property, within)
    if at is None:
        raise ValueError(f"nothing to minimize: {cx.property} does not break"
                         + (" within the assumptions" if within else "") + " on this trace")
    tried = 0
    cache: dict = {}

    def test(idx: list) -> bool:
        nonlocal tried
        key = tuple(idx)
        if key not in cache:
            tried += 1
            cache[key] = breaks_at(cx.config, [cx.steps[i] for i in idx], cx.property, within) is not None
        return cache[key]

    keep = ddmin(list(range(at)), test)
    steps = tuple(cx.steps[i] for i in keep)
    new_at = breaks_at(cx.config, steps, cx.property, within)
    steps = steps[:new_at]
    message = cx.message
    if cx.property in PROPERTIES:
        state = initial_state(cx.config)
        for a in steps:
            nxt = step(state, a)
            assert not isinstance(nxt, Rejected), "breaks_at ran these steps"
            state = nxt
        message = PROPERTIES[cx.property].check(state) or message
    engine = cx.engine + "+ddmin" if cx.engine and not cx.engine.endswith("+ddmin") else (cx.engine or "ddmin")
    return Minimized(attrs.evolve(cx, steps=steps, violated_at=new_at, message=message, engine=engine), tried)
