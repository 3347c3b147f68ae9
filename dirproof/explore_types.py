"""What the exploration is told and what it reports: options, failures, statistics.

`Options` say how to explore (dirproof.explore_run runs examples with
them); a property that breaks during an example is a `PropertyFailure`
(`violated` within the fault budget of design.md §2, `assumption-broken`
beyond it); `Stats` count examples, steps, step kinds and situations.
"""

from __future__ import annotations

from collections import Counter
from typing import Callable, Optional

import attrs

from dirproof.model import Config
from dirproof.properties import PROPERTIES
from dirproof.rule_choice import SWARMS

DEFAULT_MAX_STEPS = 50
BACKENDS = ("plain", "hypothesis")


@attrs.frozen
class Options:
    """How to explore.

    `properties`: the ids checked after every step; `check_in_budget_only`:
    ids checked only while no assumption is broken (their over-budget
    failure is already known); `over_budget`: actions may exceed the fault
    budget; `weighted`: kinds are drawn by WEIGHTS, not uniformly; `swarm`:
    per example, "modes" draws one of MODES (default), "kinds" a factor
    1/0/boost per kind, "off" nothing; `max_steps`: steps per example;
    `two_level`: draw a client write's operation type (a tick's jump, a
    fault's target role) before the action; `collect`: examples to go on
    generating after the first failure, keeping every failing one;
    `backend`: "plain" (each example is a random walk seeded by one
    Hypothesis draw, default) or "hypothesis" (every choice is drawn from
    Hypothesis, so its generator mutates examples and its shrinker can
    shorten them); `shrink`: run Hypothesis's shrinker on the first failure
    (backend "hypothesis" only)."""

    properties: tuple[str, ...] = tuple(PROPERTIES)
    check_in_budget_only: tuple[str, ...] = ()
    over_budget: bool = False
    swarm: str = "modes"
    weighted: bool = True
    max_steps: int = DEFAULT_MAX_STEPS
    two_level: bool = True
    collect: int = 0
    backend: str = "plain"
    shrink: bool = False

    def __attrs_post_init__(self) -> None:
        unknown = set(self.properties) - set(PROPERTIES)
        if unknown:
            raise ValueError(f"unknown property id(s): {', '.join(sorted(unknown))}")
        if self.swarm not in SWARMS:
            raise ValueError(f"unknown swarm {self.swarm!r}; known: {', '.join(SWARMS)}")
        if self.backend not in BACKENDS:
            raise ValueError(f"unknown backend {self.backend!r}; known: {', '.join(BACKENDS)}")
        if self.shrink and self.backend != "hypothesis":
            raise ValueError("Hypothesis can only shrink with backend='hypothesis' (a plain "
                             "example is one seed: shrinking it gives another walk, not a shorter one)")


class PropertyFailure(AssertionError):
    """A property broke after the last of `steps` (1-based index `at`)."""

    status = "violated"

    def __init__(self, prop: str, message: str, config: Config, steps: tuple,
                 broken: tuple[str, ...] = ()):
        self.property = prop
        self.message = message
        self.config = config
        self.steps = steps
        self.at = len(steps)
        self.broken = broken
        self.alternatives: tuple = ()  # other failing step lists of the same property and status
        super().__init__(f"{self.status}: {prop} after step {self.at}: {message}")


class PropertyViolated(PropertyFailure):
    status = "violated"


class AssumptionBroken(PropertyFailure):
    status = "assumption-broken"


_FAILURE_TYPES: dict[tuple[str, str], type] = {}


def failure_type(prop: str, status: str) -> type:
    """One exception class per (property, status), so that Hypothesis (when
    it shrinks) and pytest tell each apart by its type and name."""
    key = (prop, status)
    if key not in _FAILURE_TYPES:
        base = PropertyViolated if status == "violated" else AssumptionBroken
        name = "".join(p.capitalize() for p in prop.split("-")) + base.__name__
        _FAILURE_TYPES[key] = type(name, (base,), {"__module__": __name__})
    return _FAILURE_TYPES[key]


@attrs.define
class Stats:
    """What a run saw: examples, steps, step kinds, situations, first failure."""

    examples: int = 0
    steps: int = 0
    step_counts: Counter = attrs.Factory(Counter)
    situation_counts: Counter = attrs.Factory(Counter)
    first_failure: dict = attrs.Factory(dict)  # (property, status) -> perf_counter() when first seen
    first_failure_examples: dict = attrs.Factory(dict)  # (property, status) -> examples run by then
    first_failure_length: dict = attrs.Factory(dict)  # (property, status) -> its steps, unshrunk
    on_example: Optional[Callable[["Stats"], None]] = None

    def merge(self, other: "Stats") -> None:
        self.examples += other.examples
        self.steps += other.steps
        self.step_counts.update(other.step_counts)
        self.situation_counts.update(other.situation_counts)
        for k, v in other.first_failure.items():
            self.first_failure.setdefault(k, v)
            self.first_failure_examples.setdefault(k, other.first_failure_examples.get(k))
            self.first_failure_length.setdefault(k, other.first_failure_length.get(k))
