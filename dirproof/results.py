"""What an engine reports about one property (shared by every engine, the
CLI table, the JSON output and the review report)."""

from __future__ import annotations

from typing import Optional

import attrs

# Verdicts, strongest first: a violation outranks everything; an unbounded
# proof outranks exploration.
STATUSES = ("violated", "assumption-broken", "proved", "held")


@attrs.frozen
class PropertyResult:
    property: str
    status: str  # one of STATUSES
    engine: str  # "hypothesis", "z3-bmc", "z3-induction", ...
    examples: int = 0  # explored examples (hypothesis) or 0
    steps: Optional[int] = None  # explored steps, or the counterexample's length
    seconds: float = 0.0
    counterexample: Optional[str] = None  # path of the counterexample file
    detail: str = ""  # the violation message, the proof's scope, the broken assumption

    def to_json(self) -> dict:
        return attrs.asdict(self)


def strength(result: PropertyResult) -> tuple[int, int]:
    """Order results by verdict strength; among equals, a shorter counterexample wins."""
    rank = len(STATUSES) - STATUSES.index(result.status)
    return rank, -(result.steps or 0) if result.status == "violated" else 0


def merge(results) -> dict[str, PropertyResult]:
    """The strongest verdict per property over every engine's results."""
    best: dict[str, PropertyResult] = {}
    for r in results:
        if r.property not in best or strength(r) > strength(best[r.property]):
            best[r.property] = r
    return best
