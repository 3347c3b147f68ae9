"""The Hypothesis engine for the identity layer (design.md §7).

Each example is a `@given(st.data())` test whose one draw seeds a random
walk of the identity machine (model/identity/next.py): at each step an
enabled action, drawn by its step's weight, with a swarm of step groups
left out per example (as dirproof/explore_run.py does for the partition),
and every identity property checked after the step. The first failing
walk of each property is made 1-minimal (no step nor pair of steps can go) and saved
as a counterexample file that `dirproof replay` re-runs. The loop is
dirproof/side_explore.py's, shared with the cells layer; this module gives
it the identity machine (its moves draw a tick's minutes; adjacent ticks of
a counterexample are joined).
"""

from __future__ import annotations

import random
from typing import Any, Optional

from dirproof import side_explore as side
from dirproof.model import Config
from dirproof.model.identity import ClockTick, ID_NEXT, ID_SPECS, IdState, id_enabled, id_step, initial_id_state, tick_minutes
from dirproof.model.identity.next import ID_INPUTS, id_domain
from dirproof.properties.identity import IDENTITY_PROPERTIES
from dirproof.side_explore import Exploration, Found

__all__ = ["Exploration", "Found", "MACHINE", "breaks", "explore", "minimal", "run", "walk"]

TRIES = 8  # random draws of a step and its arguments before listing the enabled ones
MAX_STEPS = 30
# Walks when the request names no number: every identity flaw breaks within
# the first 300 (tests/test_identity.py), at about 9 ms a walk.
IDENTITY_EXAMPLES = 300  # a walk's length: every flaw's shortest counterexample has at most 8 steps
GROUPS = tuple(sorted({s.group for s in ID_NEXT}))
# The situations an exploration must reach, or the safe verdicts say little
# (each is what a property speaks of: properties/subjects.py for the partition).
SITUATIONS = {
    "resource-accepts": lambda s: s.last.present and s.last.by == 0,
    "backup-serves": lambda s: s.last.present and s.last.by == 1,
    "accept-after-revocation": lambda s: s.last.present and s.revoked[s.last.principal]
                                           and s.revoked_at[s.last.principal] <= s.last.at,
    "key-retired": lambda s: not all(s.published),
    "old-session-in-outage": lambda s: not s.primary_up and any(
        t.present and t.cached and s.now - t.iat >= 24 * 60 for t in s.tokens),
}


def _move(state: IdState, rnd: random.Random, specs: list, weights: list) -> Optional[tuple[Any, IdState]]:
    """An enabled action: a step drawn by weight, then its arguments at
    random, a few tries; then the enabled ones of those steps listed."""
    for _ in range(TRIES):
        spec = rnd.choices(specs, weights)[0]
        args = [rnd.choice(tick_minutes(state)) if k in ID_INPUTS else rnd.choice(id_domain(k)) for k in spec.over]
        nxt = id_step(state, spec.action(*args))
        if isinstance(nxt, IdState):
            return spec.action(*args), nxt
    moves = [(a, n) for a, n in id_enabled(state) if ID_SPECS[type(a)] in specs]
    return rnd.choices(moves, [ID_SPECS[type(a)].weight for a, _ in moves])[0] if moves else None


def _movers(off: set) -> side.Mover:
    """The steps outside the groups left out (all, if none is left), drawn by weight."""
    specs = [s for s in ID_NEXT if s.group not in off] or list(ID_NEXT)
    weights = [s.weight for s in specs]
    return lambda state, rnd: _move(state, rnd, specs, weights)


def _joined_ticks(cfg: Config, steps: tuple, prop: str) -> tuple:
    """Adjacent clock ticks made one, where the property still breaks."""
    i = 0
    while i + 1 < len(steps):
        a, b = steps[i], steps[i + 1]
        if isinstance(a, ClockTick) and isinstance(b, ClockTick):
            joined = steps[:i] + (ClockTick(a.minutes + b.minutes),) + steps[i + 2:]
            if breaks(cfg, joined, prop) is not None:
                steps = joined
                continue
        i += 1
    return steps


MACHINE = side.SideExplorer("identity", initial_id_state, id_step, IdState, IDENTITY_PROPERTIES, SITUATIONS,
                            GROUPS, _movers, MAX_STEPS, IDENTITY_EXAMPLES, _joined_ticks)

walk, explore, breaks, minimal, run = MACHINE.walk, MACHINE.explore, MACHINE.breaks, MACHINE.minimal, MACHINE.run
