"""The shape of a property: id, statement, motivation, assumptions, verdict.

A property is written once, as `verdict(state, ghost)` in the language of
model/algebra.py over a model state and its monitors' ghost
(properties/monitors.py): a concrete run gives True or a `Fail` whose
sentence names the replicas, epochs, LSNs and sessions involved; a symbolic
run gives the Z3 formula that the proofs and the bounded search use.
"""

from __future__ import annotations

from typing import Any, Callable, Optional

import attrs

from dirproof.model import State
from dirproof.model.algebra import holds

from .monitors import Ghost, watch

FAULT_BUDGET = "fault-budget"


@attrs.frozen
class Property:
    id: str
    statement: str
    seed_fact: str
    seeds: tuple[str, ...]
    assumptions: tuple[str, ...]
    verdict: Callable[[State, Ghost], Any] = attrs.field(repr=False, eq=False)
    # "replication": judged in the replication encoding (Z3 derives its form);
    # "objects": in the object layer's encoding; "availability": a predicate
    # about which steps are enabled.
    layer: str = "replication"

    def judge(self, state: State, ghost: Ghost) -> Optional[str]:
        """None when the property holds in `state` (with the ghost of its
        history), else the sentence that says what broke."""
        v = self.verdict(state, ghost)
        return None if holds(v) else getattr(v, "message", f"{self.id} does not hold")

    def check(self, state: State) -> Optional[str]:
        """`judge` with the ghost of the state's whole history."""
        return self.judge(state, watch(state))


@attrs.frozen
class Assumption:
    id: str
    statement: str
    broken: Callable[[State], bool] = attrs.field(repr=False, eq=False)


@attrs.frozen
class Violation:
    property: str
    message: str
