"""The shape of a property: id, statement, motivation, assumptions, predicate.

A property's Python form is `check(state) -> str | None`: None when it
holds in `state` (whose history records everything before it), otherwise one
sentence that names the replicas, epochs, LSNs and sessions involved.
"""

from __future__ import annotations

from typing import Callable, Optional

import attrs

from dirproof.model import State

FAULT_BUDGET = "fault-budget"


@attrs.frozen
class Property:
    id: str
    statement: str
    seed_fact: str
    seeds: tuple[str, ...]
    assumptions: tuple[str, ...]
    check: Callable[[State], Optional[str]] = attrs.field(repr=False, eq=False)


@attrs.frozen
class Assumption:
    id: str
    statement: str
    broken: Callable[[State], bool] = attrs.field(repr=False, eq=False)


@attrs.frozen
class Violation:
    property: str
    message: str
