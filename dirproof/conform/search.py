"""The bounded search behind `dirproof conform`'s behaviour check.

Model-agnostic: `side` (behaviour.ModelSide) says how one log line
constrains a branch and which hidden steps a branch may take. Before each
line, every branch may take up to `depth` hidden steps (breadth first,
duplicates merged); the line then keeps the branches it is possible in. At
most `frontier` branches are kept, in breadth-first order (fewest hidden
steps first); a run that had to drop some says so, because its "not a
behaviour" verdict then covers only the branches it kept.
"""

from __future__ import annotations

from collections import Counter
from typing import Optional

import attrs

from .events import Line, Log


@attrs.frozen
class Result:
    """The behaviour verdict: ok, or the first line no kept branch explains."""

    ok: bool
    lines: int  # lines matched
    last_matched: Optional[int]  # line number of the last line matched
    failed: Optional[Line] = None
    reasons: tuple[tuple[str, int], ...] = ()
    truncated: int = 0  # lines after which branches were dropped
    peak: int = 0  # largest frontier
    depth: int = 0
    frontier: int = 0

    def to_json(self) -> dict:
        return {"ok": self.ok, "lines_matched": self.lines, "last_matched_line": self.last_matched,
                "failed_line": self.failed.no if self.failed else None,
                "failed_event": self.failed.event if self.failed else None,
                "reasons": [{"reason": r, "branches": n} for r, n in self.reasons],
                "truncated_lines": self.truncated, "peak_frontier": self.peak,
                "depth": self.depth, "frontier": self.frontier}


def _closure(side, branches: list, ln: Line, depth: int, cap: int) -> list:
    seen = {b.key for b in branches}
    out, layer = list(branches), list(branches)
    for _ in range(depth):
        nxt = []
        for b in layer:
            for c in side.hidden(b, ln):
                if c.key not in seen:
                    seen.add(c.key)
                    nxt.append(c)
        out += nxt
        layer = nxt
        if not layer or len(out) > cap * 8:
            break
    return out


def search(log: Log, side, depth: int, frontier: int) -> Result:
    """Match the log line by line against the model (see the module doc)."""
    branches = [side.initial()]
    last: Optional[int] = None
    truncated = peak = 0
    for i, ln in enumerate(log.lines):
        why: Counter = Counter()
        kept: dict = {}
        for b in _closure(side, branches, ln, depth, frontier):
            for c in side.observe(b, ln, why):
                if side.settled(c, i):
                    kept.setdefault(c.key, c)
                else:
                    why["a step the log does not show changed a replica that no caught-up line reports"] += 1
        if not kept:
            return Result(False, i, last, ln, tuple(why.most_common(4)), truncated, peak, depth, frontier)
        branches = list(kept.values())
        peak = max(peak, len(branches))
        if len(branches) > frontier:
            branches = branches[:frontier]
            truncated += 1
        last = ln.no
    return Result(True, len(log.lines), last, None, (), truncated, peak, depth, frontier)
