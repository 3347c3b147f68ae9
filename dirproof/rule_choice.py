"""How the exploration chooses its next step: weights, swarm modes, draws.

Every draw goes through a `pick(n)` function that returns one of 0..n-1
(uniformly, from a seeded random source or from Hypothesis's choice
sequence: dirproof.explore_run). `draw_kind` draws a step kind by `WEIGHTS`
times the example's swarm factor among the kinds that have an enabled
action, by striking out a drawn kind that turns out to have none and drawing
again: exactly a weighted draw among the enabled kinds, but only the drawn
kinds are tested for enabled actions (testing one means stepping the
model). `MODES` are the swarm modes (one per example). docs/exploration.md
gives the measurements behind the weights and the modes.

This module knows nothing of Hypothesis or of the exploration's state: the
caller passes `enabled(kind)`.
"""

from __future__ import annotations

from typing import Callable, Optional, Sequence

from dirproof.model import ACTION_TYPES, step_name
from dirproof.model.next import NEXT

Pick = Callable[[int], int]  # pick(n): one of 0..n-1

STEP_KINDS: tuple[str, ...] = tuple(step_name(c) for c in ACTION_TYPES)
KIND_OF: dict[type, str] = {c: step_name(c) for c in ACTION_TYPES}
CLASS_OF: dict[str, type] = {k: c for c, k in KIND_OF.items()}

# How often each kind is drawn, relative to the others, among the kinds that
# have an enabled action: read from the one registry of steps (model/next.py
# NEXT, `weight`). The write path and the objects need many steps in a row;
# faults and failovers are cheap to reach and quickly make the model
# unavailable, so they are drawn less often. Measured in bench/explore.py;
# docs/exploration.md gives the figures.
WEIGHTS: dict[str, int] = {s.name: s.weight for s in NEXT}

# Faults drawn "to a primary or to a secondary" first (two-level draw).
ROLE_GROUPED = frozenset({"crash", "recover", "lose_disk", "partition", "heal"})


def replicas_of(action) -> set:
    """The replicas an action names (a fault's target, a partition's ends)."""
    return {getattr(action, f) for f in ("replica", "a", "b") if hasattr(action, f)}


# ---------------------------------------------------------------- swarm

SWARM_BOOST = 4
SWARM_FACTORS = (1, 0, SWARM_BOOST)  # swarm "kinds": per kind, drawn at the start of an example
SWARMS = ("modes", "kinds", "off")

_CRASHY = {"crash": SWARM_BOOST, "emergency_failover": SWARM_BOOST, "lose_disk": 0, "lose_region": 0,
           "partition": 0, "read": 0.5, "tick": 0.5, "move_session": 0}
MODES: tuple[dict, ...] = (  # swarm "modes": one per example, shrinking towards the first
    # normal: the weights as they are
    {},
    # calm: no faults; time runs faster (soft delete, retention, purge, backups)
    {"crash": 0, "lose_disk": 0, "lose_region": 0, "partition": 0, "tick": SWARM_BOOST},
    # crashy: crashes and emergency failovers often, no disk, region or network loss
    _CRASHY,
    # laggy: crashy, and the copies to the PP and the secondaries are slow, so
    # failovers race with replication
    {**_CRASHY, "replicate_to_passive": 0.25, "replicate_to_secondary": 0.25},
)
MODE_NAMES = ("normal", "calm", "crashy", "laggy")


def draw_factors(pick: Pick, swarm: str) -> dict:
    """The swarm factors of one example, drawn at its start: "modes" one of
    MODES, "kinds" a factor 1/0/SWARM_BOOST per kind, "off" none."""
    if swarm == "kinds":
        return {k: SWARM_FACTORS[pick(len(SWARM_FACTORS))] for k in STEP_KINDS}
    if swarm == "modes":
        return MODES[pick(len(MODES))]
    if swarm == "off":
        return {}
    raise ValueError(f"unknown swarm {swarm!r}; known: {', '.join(SWARMS)}")


def _scaled(w: int, factor: float) -> int:
    return 0 if factor == 0 else max(1, round(w * factor))


def kind_weights(factors: dict, weighted: bool = True) -> list[int]:
    """The weight of each of STEP_KINDS in an example with these swarm
    factors: WEIGHTS (or 1 each when not `weighted`) times the factor."""
    return [_scaled(WEIGHTS[k] if weighted else 1, factors.get(k, 1)) for k in STEP_KINDS]


# ---------------------------------------------------------------- draws

def draw_enabled(pick: Pick, enabled: Callable[[str], bool], kinds: Sequence[str],
                 weights: Sequence[int]) -> Optional[str]:
    """A kind drawn by weight among those for which `enabled(kind)`, or None.

    Rejection sampling: draw by weight among all, strike out a drawn kind
    that is not enabled, draw again. The outcome is distributed as a
    weighted draw among the enabled kinds (tests/test_explore.py checks it
    with exact fractions)."""
    kinds, weights = list(kinds), list(weights)
    while any(weights):
        x = pick(sum(weights))
        for i, w in enumerate(weights):
            if x < w:
                break
            x -= w
        if enabled(kinds[i]):
            return kinds[i]
        del kinds[i], weights[i]
    return None


def draw_kind(pick: Pick, enabled: Callable[[str], bool], weights: Sequence[int]) -> str:
    """The next step's kind: by `weights` (kind_weights) among the enabled
    kinds; when every enabled kind is off in this example (weight 0), by
    plain WEIGHTS among those."""
    kind = draw_enabled(pick, enabled, STEP_KINDS, weights)
    if kind is None:
        off = [k for k, w in zip(STEP_KINDS, weights) if not w]
        kind = draw_enabled(pick, enabled, off, [WEIGHTS[k] for k in off])
    if kind is None:
        raise AssertionError("no step is enabled: the model has a state with no successor")
    return kind
