"""What an engine reports about one property (shared by every engine, the
CLI's verdicts, the JSON output and the review report), and how the
engines' reports on one property combine."""

from __future__ import annotations

from typing import Iterable, Optional

import attrs

# Verdicts, strongest first: a violation outranks everything; a fixed-scope
# proof outranks exploration. `vacuous`: inductive, but no execution reaches
# what the property speaks of, so the proof says nothing (issue 12).
STATUSES = ("violated", "assumption-broken", "proved", "vacuous", "held")
FAILED = ("violated", "assumption-broken")


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
    scope: str = ""  # proved: what the proof covers ("entra ..., logs <= 3, epochs <= 3")
    # violated: "shortest" when no shorter violation exists (Z3 searched every
    # shorter length), else what is known ("at most; Z3 found none in fewer than 4")
    length: str = ""

    def to_json(self) -> dict:
        return attrs.asdict(self)


class Contradiction(Exception):
    """Two engines disagree on one property of one design: one proves it, the
    other has a counterexample. One of them is wrong: never a silent merge."""

    def __init__(self, proved: PropertyResult, violated: PropertyResult):
        self.proved, self.violated = proved, violated
        super().__init__(
            f"the engines contradict each other on {proved.property}: {proved.engine} proved it "
            f"({proved.scope or proved.detail}) but {violated.engine} found a counterexample of "
            f"{violated.steps} steps ({violated.counterexample}); one of the two is wrong, "
            f"please report it")


# The length the breadth-first engine gives its violations: shortest within
# its bounds only (dirproof/bfs/engine.py), so a later engine that can search
# every shorter length (Z3's `shortest`) still does (commands/run_engines.py).
WITHIN_BOUNDS = "shortest within the breadth-first search's bounds"


def strength(result: PropertyResult) -> tuple[int, int]:
    """Order results by verdict strength; among equals, a shorter
    counterexample wins, and a breadth-first search that stopped before its
    bounds were exhausted (`held` for every state within D steps only: a
    short budget, as in the default run) ranks below any other `held`."""
    rank = len(STATUSES) - STATUSES.index(result.status)
    if result.status == "held":
        return rank, -1 if result.engine == "bfs" and not result.detail.startswith("exhaustive") else 0
    return rank, -(result.steps or 0) if result.status == "violated" else 0


def merge(results: Iterable[PropertyResult]) -> dict[str, PropertyResult]:
    """The strongest verdict per property over every engine's results; a
    proof and a violation of the same property raise Contradiction."""
    best: dict[str, PropertyResult] = {}
    proofs: dict[str, PropertyResult] = {}
    violations: dict[str, PropertyResult] = {}
    for r in results:
        if r.status not in STATUSES:
            raise ValueError(f"{r.engine} reported an unknown status {r.status!r} for {r.property}")
        if r.status == "proved":
            proofs[r.property] = r
        elif r.status == "violated":
            violations.setdefault(r.property, r)
        if r.property in proofs and r.property in violations:
            raise Contradiction(proofs[r.property], violations[r.property])
        if r.property not in best or strength(r) > strength(best[r.property]):
            best[r.property] = r
    return best
