"""The bounds of an exhaustive search: what "every state" ranges over.

A bound cuts a path at the step that would exceed it: client writes on the
path (ClientWrite, the system's purges included), faults on the path
(Crash, LoseDisk, Partition, LoseRegion: design.md §2, Faults; and a
restore from an image and a lost change of the orchestrator's store, issue
13; an unclean crash, §6; recoveries, heals and images taken are free), the highest epoch, the highest day (design.md §3,
time) and the number of steps. None is no bound. Within the bounds the
search visits every reachable state, so "held" means: no state reachable by
a path within these bounds breaks the property.
"""

from __future__ import annotations

from typing import Any, Optional

import attrs

from dirproof.model import (ClientWrite, Crash, CrashUnclean, LoseDisk, LoseOrchestratorChange, LoseRegion,
                            Partition, RestoreImage, State)

FAULTS: tuple[type, ...] = (Crash, LoseDisk, Partition, LoseRegion)
FAULTS += (RestoreImage, LoseOrchestratorChange)  # issue 13: a restore replaces a disk; the store loses a change
FAULTS += (CrashUnclean,)  # §6: a crash that loses what was not flushed


@attrs.frozen
class Bounds:
    writes: Optional[int] = 3
    epochs: Optional[int] = 3
    faults: Optional[int] = 2
    days: Optional[int] = 0
    depth: Optional[int] = None

    def text(self) -> str:
        parts = [f"{name} <= {getattr(self, name)}" for name in ("writes", "epochs", "faults", "days", "depth")
                 if getattr(self, name) is not None]
        return ", ".join(parts) or "no bounds"

    def finite(self) -> bool:
        """Whether the search must end: a depth bound, or bounded days, writes
        and epochs (logs, epochs and the clock then take finitely many
        values; faults only flip finitely many flags and need no bound)."""
        return self.depth is not None or (self.days is not None and self.writes is not None
                                          and self.epochs is not None)

    def cost(self, action: Any) -> tuple[int, int]:
        """(writes, faults) that `action` uses. An unbounded counter is not
        counted: it would only tell apart states that are the same."""
        t = type(action)
        if t is ClientWrite:
            return (0 if self.writes is None else 1), 0
        return (0, 0 if self.faults is None else 1) if t in FAULTS else (0, 0)

    def admits(self, state: State, writes: int, faults: int) -> bool:
        """The state, reached with these counters, is within the bounds."""
        return ((self.writes is None or writes <= self.writes)
                and (self.faults is None or faults <= self.faults)
                and (self.epochs is None or len(state.orchestrator.roles) <= self.epochs)
                and (self.days is None or state.day <= self.days))


def parse(text: str) -> Bounds:
    """`writes=3,epochs=3,faults=2,days=0,depth=9` (any subset; `none` lifts one)."""
    kw: dict[str, Optional[int]] = {}
    names = [f.name for f in attrs.fields(Bounds)]
    for part in filter(None, (p.strip() for p in text.split(","))):
        name, _, value = part.partition("=")
        name = name.strip()
        if name not in names:
            raise ValueError(f"unknown bound {name!r}; known bounds: {', '.join(names)}")
        v = value.strip().lower()
        if v == "none":
            kw[name] = None
            continue
        if not v.isdigit():
            raise ValueError(f"bound {name} must be a whole number >= 0 or none, not {value.strip()!r}")
        kw[name] = int(v)
    return Bounds(**kw)
