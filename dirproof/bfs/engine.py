"""The breadth-first engine: what `dirproof check --engine bfs` runs (docs/bfs.md).

One PropertyResult per requested property:

  * "violated" (or "assumption-broken" beyond the fault budget, with
    --over-budget) with the shortest counterexample within the bounds, rebuilt
    from the store, replayed on the model and saved in the counterexample
    format (dirproof/counterexample.py), so `dirproof replay FILE` shows it;
  * "held" with what was covered: "exhaustive: N states, bounds ..." when
    the search ran out of new states (every state reachable within the
    bounds satisfies the property: stronger than an exploration, weaker
    than a proof, since nothing beyond the bounds is covered), or every
    state within D steps when the search stopped early (its time budget, its
    depth bound, or a seeded flaw's property broke).

With a seeded flaw the search stops after the level at which one of the
properties the flaw names (design.md §5, `Flaw.caught_by`) breaks, as a
model checker stops at its first violation; with none, after the level at
which any property breaks (with `EngineRequest.all_violations` it goes on
to its bounds).
"""

from __future__ import annotations

import datetime
from typing import Any, Optional

from dirproof.counterexample import Counterexample, save
from dirproof.defaults import DEFAULT_SECONDS
from dirproof.model import FLAWS, Config
from dirproof.properties import PROPERTIES
from dirproof.results import WITHIN_BOUNDS, PropertyResult

from dirproof.model.next import ACTION_TYPES

from . import ladder
from .bounds import Bounds
from .search import Finding, Outcome, path_to, search
from .symmetry import SYMMETRIES

ENGINE = "bfs"


def default_bounds(cfg: Config, depth: Optional[int] = None) -> Bounds:
    """Writes 3, epochs 3, faults 2, days 0; with a flaw of the object layer
    seeded, writes 5 and days up to the retention period and a day (its
    counterexamples create, change, delete and restore, and need time to
    pass; a tick jumps to the retention boundaries, model/next.py), or up to
    the tombstone lifetime and a day for a flaw of the tombstones' lifetime."""
    areas = {FLAWS[f].area for f in cfg.flaws}
    days = cfg.tombstone_lifetime_days + 1 if "lifecycle" in areas else \
        cfg.retention_days + 1 if "objects" in areas else 0
    return Bounds(writes=5 if days else 3, epochs=3, faults=2, days=days, depth=depth)


def named(cfg: Config) -> set[str]:
    """The properties the seeded flaws name."""
    return {p for f in cfg.flaws for p in FLAWS[f].caught_by}


def run(request: Any, bounds: Optional[Bounds] = None, symmetry: tuple[str, ...] = SYMMETRIES,
        workers: int = 1, stop_at_flaw: bool = True) -> list[PropertyResult]:
    """One PropertyResult per property of `request.properties`. With a seeded
    flaw of the partition, or none, smaller scopes are searched first
    (dirproof/bfs/ladder.py); the first whose counterexample breaks a
    property the flaw names (with no flaw: any property) on the
    configuration asked for gives the verdicts."""
    cfg = request.config
    bounds = bounds or default_bounds(cfg, request.depth)
    # with no seeded flaw, the first violation of any property ends the search
    wanted = (named(cfg) if cfg.flaws else set(PROPERTIES)) & set(request.properties)
    stop_at_flaw = stop_at_flaw and not getattr(request, "all_violations", False)
    stop = (lambda found: bool(wanted & set(found))) if (stop_at_flaw and wanted) else (lambda found: False)
    seconds = request.seconds if request.seconds is not None else DEFAULT_SECONDS
    steps = list(ladder.rungs(cfg, bounds)) if (stop_at_flaw and wanted) else [ladder.Rung(cfg, bounds, ACTION_TYPES, "")]
    left = ladder.deadline_after(seconds)
    for i, rung in enumerate(steps):
        last = i == len(steps) - 1
        out = search(rung.config, rung.bounds, tuple(request.properties), over_budget=bool(request.over_budget),
                     symmetry=symmetry, seconds=max(0.0, left()), stop_when=stop,
                     progress=_progress(request, rung), workers=workers, kinds=rung.kinds, scope=rung.scope,
                     max_states=rung.max_states, ticks=rung.ticks)
        res = results(request, out)
        # a smaller scope cut by the time budget or the memory limit reports
        # what it covered: the rungs after it, larger, would cover nothing
        if last or out.stopped in ("time", "memory") or any(r.property in wanted and r.status != "held" for r in res):
            return res
    raise AssertionError("the ladder has a last rung")


def _progress(request: Any, rung: "ladder.Rung") -> Any:
    if not rung.scope:
        return request.progress
    return lambda d, t, label: request.progress(d, t, f"{label} (writes <= {rung.bounds.writes}, "
                                                      f"faults <= {rung.bounds.faults}, small instance)")


def results(request: Any, out: Outcome) -> list[PropertyResult]:
    res = []
    for pid in request.properties:
        f = out.found.get(pid)
        got = _violated(request, out, f) if f is not None else None
        res.append(got or _held(out, pid))
    return res


def coverage(out: Outcome) -> str:
    """What the search covered, in words (the detail of a held verdict)."""
    sym = f"symmetry reduction over a group of {out.problem.group.size}" if out.problem.group.size > 1 \
        else "no symmetry reduction"
    budget = "beyond the fault budget too" if out.problem.over_budget else "within the fault budget"
    if out.problem.scope:
        sym += f"; a smaller scope: {out.problem.scope}"
    if out.exhausted:
        return (f"exhaustive: {out.states} states, bounds {out.problem.bounds.text()}, {budget}, {sym}; "
                f"every state reachable within the bounds holds it (stronger than exploration, weaker "
                f"than a proof: nothing beyond the bounds is covered)")
    why = {"time": "the time budget ran out", "found": "a seeded flaw's property broke",
           "depth": "the depth bound was reached",
           "states": "this smaller scope's cap on states was reached",
           "memory": "the memory limit was reached (dirproof bfs --max-memory)"}.get(out.stopped, out.stopped)
    return (f"every state within {out.depth} steps (bounds {out.problem.bounds.text()}, {budget}, {sym}): "
            f"{out.states} states; not exhaustive: {why}")


def _held(out: Outcome, pid: str) -> PropertyResult:
    return PropertyResult(pid, "held", ENGINE, examples=out.states, steps=out.depth,
                          seconds=round(out.seconds, 2), detail=coverage(out))


def _violated(request: Any, out: Outcome, f: Finding) -> Optional[PropertyResult]:
    """The finding as a verdict on the configuration asked for; None when a
    smaller scope's path does not break the property there (ladder.transfer)."""
    cfg = request.config
    moved = ladder.transfer(cfg, path_to(out, f.fingerprint), f.property)
    if moved is None:
        if out.config is cfg:  # the store and the model disagree: never report a violation that does not replay
            raise AssertionError(f"bfs: the path to {f.property} does not break it on replay")
        return None
    steps, final, msg = moved
    status = "assumption-broken" if final.budget.exceeded else "violated"
    found = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
    cx = Counterexample(cfg, tuple(steps), f.property, len(steps), msg, ENGINE, found, status)
    path = save(cx, request.out_dir)
    within = out.problem.bounds.text() + (f"; {out.problem.scope}" if out.problem.scope else "")
    return PropertyResult(f.property, status, ENGINE, examples=out.states, steps=len(steps),
                          seconds=round(out.seconds, 2), counterexample=str(path),
                          detail=f"{msg} (shortest within bounds {within})",
                          length=f"{WITHIN_BOUNDS} ({within})")
