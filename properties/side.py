"""What the properties of every machine beside the partition (the identity
and cells layers) share, written once: a property judged on one state of
its machine (no history monitors), and the list of those a state breaks."""

from __future__ import annotations

from typing import Any, Callable, Mapping, Optional

import attrs

from dirproof.model.algebra import holds


@attrs.frozen
class SideProperty:
    """A property of a side machine: the shape of properties/base.py
    Property, judged on a state of that machine alone."""

    id: str
    statement: str
    seed_fact: str
    seeds: tuple[str, ...]
    assumptions: tuple[str, ...]
    verdict: Callable[[Any], Any] = attrs.field(repr=False, eq=False)
    layer: str = ""

    def check(self, state: Any) -> Optional[str]:
        """None when the property holds in `state`, else what broke."""
        v = self.verdict(state)
        return None if holds(v) else getattr(v, "message", f"{self.id} does not hold")


def violations_of(registry: Mapping[str, Any], state: Any, ids: Any = None) -> list[tuple[str, str]]:
    """(property, message) for every property of `registry` (or those named) broken in `state`."""
    out = []
    for pid in ids or registry:
        msg = registry[pid].check(state)
        if msg:
            out.append((pid, msg))
    return out
