"""How the exploration chooses its next step: weights, swarm modes, draws.

`RuleChoice` replaces Hypothesis's uniform choice among the rules of the
state machine (dirproof.explore): it draws a step kind by `WEIGHTS` times the
example's swarm factor, among the kinds that have an enabled action, by
striking out a drawn kind that has none and drawing again. `MODES` are the
swarm modes (one per example). docs/exploration.md gives the measurements
behind the weights and the modes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

from dirproof.model import ACTION_TYPES, step_name

if TYPE_CHECKING:  # pragma: no cover
    from dirproof.explore import ExplorationMachine

STEP_KINDS: tuple[str, ...] = tuple(step_name(c) for c in ACTION_TYPES)
KIND_OF: dict[type, str] = {c: step_name(c) for c in ACTION_TYPES}
CLASS_OF: dict[str, type] = {k: c for c, k in KIND_OF.items()}

# How often each rule is picked, relative to the others, among the rules whose
# precondition holds (see `RuleChoice`). The write path and the objects
# need many steps in a row; faults and failovers are cheap to reach and
# quickly make the model unavailable, so they are drawn less often. Measured
# in bench/explore.py; docs/exploration.md gives the figures.
WEIGHTS: dict[str, int] = {
    "client_write": 10, "replicate_to_passive": 8, "acknowledge": 8, "replicate_to_secondary": 4,
    "rejoin": 4, "read": 5, "move_session": 1, "crash": 1, "recover": 4, "lose_disk": 1,
    "partition": 1, "heal": 4, "lose_region": 1, "emergency_failover": 6, "planned_failover": 2,
    "replace_passive": 3, "tick": 2,
}
assert set(WEIGHTS) == set(STEP_KINDS)

# ---------------------------------------------------------------- weighting and swarm

ROLE_GROUPED = frozenset({"crash", "recover", "lose_disk", "partition", "heal"})


def _replicas_of(action) -> set:
    return {getattr(action, f) for f in ("replica", "a", "b") if hasattr(action, f)}


class RuleChoice(SearchStrategy):
    """Hypothesis's rule choice, weighted: among the rules whose precondition
    holds, rule k is drawn with probability WEIGHTS[k] x its swarm factor /
    total. One integer is drawn per step (it shrinks towards the first
    enabled kind); the rule's `data` argument is then drawn as usual.

    Swarm ("kinds"): at the first step of an example a factor is drawn for
    every kind: 1 (as weighted), 0 (off for this example) or SWARM_BOOST
    (boosted); it shrinks towards 1. An example with every enabled kind off
    falls back to the plain weights."""

    def __init__(self, machine: "ExplorationMachine", rules: dict) -> None:
        super().__init__()
        self.machine = machine
        self.rules = rules

    def do_draw(self, data):
        m = self.machine
        if m.factors is None:
            m.factors = _draw_factors(data, m.options.swarm)
        # Rejection sampling: draw among the kinds with candidate actions, by
        # weight, and strike out a kind found to have no enabled action. The
        # outcome is a weighted draw among the enabled kinds, but only the
        # drawn kinds are tested for enabled actions.
        kinds = list(STEP_KINDS)
        weights = [_scaled(WEIGHTS[k], m.factors.get(k, 1)) for k in kinds]
        kind = _draw_enabled(data, m, kinds, weights)
        if kind is None:  # every enabled kind is off in this example: plain weights
            kind = _draw_enabled(data, m, [k for k, w in zip(kinds, weights) if not w],
                                 [WEIGHTS[k] for k, w in zip(kinds, weights) if not w])
        if kind is None:
            raise AssertionError("no step is enabled: the model has a state with no successor")
        return self.rules[kind], {"data": data.draw(st.data())}


def draw_index(data, n: int) -> int:
    """One of 0..n-1 from Hypothesis's choice sequence, shrinking towards 0.

    The exploration draws several integers per step; drawing them straight
    from the ConjectureData, not through `st.integers`, halves Hypothesis's
    share of the run time (bench/explore.py). Replays, shrinking and seeds
    are unchanged: it is the same choice either way."""
    draw = getattr(data, "draw_integer", None)
    if draw is None:  # pragma: no cover - another Hypothesis version
        return data.draw(st.integers(0, n - 1))
    return draw(0, n - 1)


def _draw_enabled(data, m: "ExplorationMachine", kinds: list, weights: list) -> Optional[str]:
    """A kind drawn by weight among those with an enabled action, or None."""
    kinds, weights = list(kinds), list(weights)
    while any(weights):
        x = draw_index(data, sum(weights))
        for i, w in enumerate(weights):
            if x < w:
                break
            x -= w
        if m.has_moves(kinds[i]):
            return kinds[i]
        del kinds[i], weights[i]
    return None


SWARM_BOOST = 4


def _scaled(w: int, factor: float) -> int:
    return 0 if factor == 0 else max(1, round(w * factor))
SWARM_FACTORS = (1, 0, SWARM_BOOST)


FAULT_KINDS = ("crash", "lose_disk", "lose_region", "partition")
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


def _draw_factors(data, swarm: str) -> dict:
    if swarm == "kinds":
        pick = st.integers(0, len(SWARM_FACTORS) - 1)
        return {k: SWARM_FACTORS[data.draw(pick)] for k in STEP_KINDS}
    if swarm == "modes":
        return MODES[data.draw(st.integers(0, len(MODES) - 1))]
    return {}


def _install_rule_choice(machine: "ExplorationMachine") -> bool:
    """Put RuleChoice in place of Hypothesis's uniform rule strategy.

    This replaces one attribute (`_rules_strategy`) that Hypothesis 6's
    stateful runner draws each step from; if it is not there (another
    Hypothesis version), the machine keeps Hypothesis's own choice (uniform,
    with its own swarm testing), which is still sound, only slower to find
    deep states; tests/test_explore.py checks that RuleChoice is in place."""
    rs = getattr(machine, "_rules_strategy", None)
    rules = getattr(rs, "rules", None)
    if rs is None or not rules:
        return False
    by_name = {r.function.__name__: r for r in rules}
    if set(by_name) != set(STEP_KINDS):
        return False
    machine._rules_strategy = RuleChoice(machine, by_name)
    return True


def _no_swarm(machine: "ExplorationMachine") -> None:
    """Hypothesis's own rule choice with every rule enabled in every example."""
    from hypothesis.strategies._internal.featureflags import FeatureFlags
    rs = machine._rules_strategy
    if hasattr(rs, "enabled_rules_strategy"):
        rs.enabled_rules_strategy = st.just(FeatureFlags())
